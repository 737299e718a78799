#!/usr/bin/env bash
# The benchmark report: runs every bench stage and regenerates the README's Performance section (between
# <!-- bench:start --> and <!-- bench:end -->) and its chart, bench/results/report/report.svg. Every figure is a ratio
# to a baseline measured in the same run. What each stage measures: bench/README.md.
#
#   bench/report.sh            # the full report (~15-20 min on a quiet 2-core machine): run it on a quiet machine
#   bench/report.sh --trial    # short durations, 200 streams for 10 s: checks that every stage works (marked TRIAL)
#   REPORT_STAGES="hold" bench/report.sh   # re-run some stages; the others' last results in REPORT_DIR are reused
#
# Stages: chat (bench/run.sh: direct, gateway, YARP and nginx at 1/16/64 connections, streamed too), hold (HOLD_CLIENTS streams
# held HOLD_SECONDS s, direct and through a fresh gateway, memory before/peak/after), inference (bench/inference.sh).
# Knobs (environment): REPORT_STAGES ("chat hold inference"), REPORT_DIR (bench/results/report), HOLD_CLIENTS (1000),
# HOLD_SECONDS (60), HOLD_INTERVAL_MS (500: one SSE chunk per stream every that many ms), HOLD_RAMP (10 s to start
# all clients), HOLD_SETTLE (5 s before "after"), BENCH_SKIP_BUILD=1; bench/run.sh's BENCH_* knobs and
# bench/inference.sh's BENCH_MODEL/BENCH_TOKENS/BENCH_REQUESTS/BENCH_ROUNDS/BENCH_INTRA_OP pass through.
# Exit code: 0 when the README section was written (targets missed are reported in it), non-zero when a stage failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

trial=0
for arg in "$@"; do
    case $arg in
        --trial) trial=1 ;;
        -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "unknown argument: $arg" >&2; exit 2 ;;
    esac
done

if [ $trial = 1 ]; then
    # A few minutes in all, light enough for a shared machine; explicit knobs still win.
    : "${BENCH_DURATION:=2}" "${BENCH_WARMUP:=1}" "${BENCH_PREWARM:=3}" "${BENCH_QUIET_WAIT:=2}" "${BENCH_RETRIES:=0}"
    : "${HOLD_CLIENTS:=200}" "${HOLD_SECONDS:=10}" "${HOLD_RAMP:=2}" "${HOLD_SETTLE:=2}"
    : "${BENCH_TOKENS:=64}" "${BENCH_REQUESTS:=1}" "${BENCH_ROUNDS:=1}"
    export BENCH_DURATION BENCH_WARMUP BENCH_PREWARM BENCH_QUIET_WAIT BENCH_RETRIES BENCH_TOKENS BENCH_REQUESTS BENCH_ROUNDS
fi
stages=${REPORT_STAGES:-"chat hold inference"}
out=${REPORT_DIR:-$root/bench/results/report}
hold_clients=${HOLD_CLIENTS:-1000}
hold_seconds=${HOLD_SECONDS:-60}
hold_interval=${HOLD_INTERVAL_MS:-500}
hold_ramp=${HOLD_RAMP:-10}
hold_settle=${HOLD_SETTLE:-5}
has_stage() { [[ " $stages " == *" $1 "* ]]; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
bench_dll=$root/bench/AbstractCore.Bench/bin/Release/net10.0/AbstractCore.Bench.dll
api_dll=$root/AbstractCore.Api/bin/Release/net10.0/AbstractCore.Api.dll
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    echo "== building Release (gateway, bench$(has_stage chat && echo ", YARP baseline")$(has_stage inference && echo ", inference bench"))" >&2
    dotnet build "$root/AbstractCore.Api/AbstractCore.Api.csproj" -c Release -nologo -v q >&2
    dotnet build "$root/bench/AbstractCore.Bench/AbstractCore.Bench.csproj" -c Release -nologo -v q >&2
    if has_stage chat; then
        dotnet build "$root/bench/AbstractCore.YarpBaseline/AbstractCore.YarpBaseline.csproj" -c Release -nologo -v q >&2
    fi
    if has_stage inference; then
        dotnet build "$root/bench/AbstractCore.InferenceBench/AbstractCore.InferenceBench.csproj" -c Release -nologo -v q >&2
    fi
fi
export BENCH_SKIP_BUILD=1 # the stages' own scripts reuse this build

mkdir -p "$out"
work=$(mktemp -d)
upstream_pid=
gateway_pid=
stop_servers() {
    stop_pids $gateway_pid $upstream_pid
    gateway_pid= upstream_pid=
}
cleanup() { stop_servers; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

. "$root/bench/wait-for.sh"

load_before=$(cut -d' ' -f1 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')

# --- chat: gateway overhead against direct, YARP and nginx (bench/run.sh; exit 3 = a target missed, which the report shows).
if has_stage chat; then
    echo "== stage chat: bench/run.sh" >&2
    rm -f "$out/chat.md" "$out/chat.json"
    set +e
    BENCH_RESULTS=$out BENCH_NAME=chat "$root/bench/run.sh"
    status=$?
    set -e
    if [ $status != 0 ] && [ $status != 3 ]; then echo "stage chat failed (exit $status)" >&2; exit $status; fi
fi

# --- hold: many long streams at once, straight at a slow-drip fake, then through a fresh gateway.
if has_stage hold; then
    echo "== stage hold: $hold_clients streams of ${hold_seconds}s (one chunk every ${hold_interval} ms)" >&2
    rm -f "$out/hold-direct.json" "$out/hold-gateway.json"
    # Each stream is a socket in the client, two in the gateway (in and out) and one in the upstream.
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((hold_clients * 2 + 512)) ]; then
        echo "open files limit $(ulimit -n) is too low for $hold_clients streams (raise the hard limit: ulimit -Hn)" >&2
        exit 1
    fi
    read -r port_low port_high </proc/sys/net/ipv4/ip_local_port_range
    if [ $((port_high - port_low)) -lt $((hold_clients * 3)) ]; then
        echo "warning: ephemeral port range $port_low-$port_high is small for $hold_clients streams" >&2
    fi
    chunks=$(( hold_seconds * 1000 / hold_interval ))

    # The bench assembly doubles as a startup hook that writes the process's GC heap to a file (no dotnet-counters).
    DOTNET_STARTUP_HOOKS=$bench_dll ABSTRACTCORE_BENCH_GC_FILE=$work/upstream.gc \
        dotnet "$bench_dll" drip-upstream --interval-ms "$hold_interval" >"$work/drip.out" 2>"$work/drip.err" &
    upstream_pid=$!
    wait_for "the slow-drip upstream" 30 grep -q '^http' "$work/drip.out" || { cat "$work/drip.err" >&2; exit 1; }
    drip_base=$(grep -m1 '^http' "$work/drip.out")

    echo "-- direct: $hold_clients clients straight at the fake" >&2
    dotnet "$bench_dll" hold --url "${drip_base}chat/completions" --clients "$hold_clients" --chunks "$chunks" \
        --interval-ms "$hold_interval" --ramp "$hold_ramp" --settle "$hold_settle" --label hold-direct \
        --watch "upstream=$upstream_pid:$work/upstream.gc" >"$out/hold-direct.json"
    sed 's/^/   /' "$out/hold-direct.json" >&2

    # A fresh gateway, so its memory before and after is its own and not the chat stage's.
    gateway_port=$(dotnet "$bench_dll" free-port)
    # shellcheck disable=SC2086
    env -u ASPNETCORE_URLS -u URLS -u HTTP_PORTS -u OTEL_EXPORTER_OTLP_ENDPOINT -u ABSTRACTCORE_AUTH_TOKEN \
        HOST=127.0.0.1 PORT="$gateway_port" ASPNETCORE_ENVIRONMENT=Production \
        OPENAI_COMPATIBLE_BASE_URL="${drip_base%/}" \
        ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED=1 \
        DOTNET_STARTUP_HOOKS="$bench_dll" ABSTRACTCORE_BENCH_GC_FILE="$work/gateway.gc" \
        $(image_env) ${GATEWAY_ENV:-} dotnet "$api_dll" >"$work/gateway.out" 2>"$work/gateway.err" &
    gateway_pid=$!
    wait_for "the gateway (GET /health)" 60 curl -fsS "http://127.0.0.1:$gateway_port/health" \
        || { cat "$work/gateway.out" "$work/gateway.err" >&2; exit 1; }

    echo "-- gateway: $hold_clients clients through the gateway (pid $gateway_pid)" >&2
    dotnet "$bench_dll" hold --url "http://127.0.0.1:$gateway_port/v1/chat/completions" --clients "$hold_clients" --chunks "$chunks" \
        --interval-ms "$hold_interval" --ramp "$hold_ramp" --settle "$hold_settle" --label hold-gateway \
        --watch "gateway=$gateway_pid:$work/gateway.gc,upstream=$upstream_pid:$work/upstream.gc" >"$out/hold-gateway.json"
    sed 's/^/   /' "$out/hold-gateway.json" >&2
    stop_servers
fi

# --- inference: bench/inference.sh as it is (its own options), its Markdown copied into the run's folder.
if has_stage inference; then
    echo "== stage inference: bench/inference.sh" >&2
    rm -f "$out/inference.md"
    recorded=$root/bench/results/$(date -u +%F)-inference-${BENCH_MODEL:-bench}${BENCH_INTRA_OP:+-intra-op-$BENCH_INTRA_OP}${BENCH_NAME:+-$BENCH_NAME}.md
    # A trial must not replace a recorded result of the same day: keep it aside and put it back.
    if [ $trial = 1 ] && [ -f "$recorded" ]; then cp "$recorded" "$work/recorded-inference.md"; fi
    marker=$work/inference-start
    touch "$marker"
    set +e
    "$root/bench/inference.sh"
    status=$?
    set -e
    if [ $status != 0 ] && [ $status != 3 ]; then echo "stage inference failed (exit $status)" >&2; exit $status; fi
    # The newest result written by this run (the file name carries the date, which may have changed meanwhile).
    produced=$(find "$root/bench/results" -maxdepth 1 -name "*-inference-${BENCH_MODEL:-bench}*.md" -newer "$marker" -printf '%T@ %p\n' | sort -rn | head -1 | cut -d' ' -f2-)
    if [ -z "$produced" ]; then echo "stage inference wrote no result" >&2; exit 1; fi
    cp "$produced" "$out/inference.md"
    if [ $trial = 1 ]; then
        if [ -f "$work/recorded-inference.md" ]; then mv "$work/recorded-inference.md" "$produced"; else rm -f "$produced"; fi
    fi
fi

# --- the machine, and the README section.
{
    echo "cores: $(nproc)"
    machine_lines
    echo "dotnet: $(dotnet --version) SDK, runtime $(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ { v = $2 } END { print v }')"
    dirty=$(git -C "$root" status --porcelain -- AbstractCore AbstractCore.Api AbstractCore.OpenAI AbstractCore.Inference \
        AbstractCore.ServiceDefaults tests/AbstractCore.TestKit bench/AbstractCore.Bench bench/AbstractCore.InferenceBench 2>/dev/null | wc -l)
    echo "commit: \`$(git -C "$root" rev-parse --short HEAD)\`$([ "$dirty" -gt 0 ] && echo " plus $dirty uncommitted source file(s)")"
    echo "measured: $started (stages: $stages)"
    echo "load before: $load_before"
    echo "load after: $(cut -d' ' -f1 /proc/loadavg)"
} >"$out/machine.txt"

dotnet "$bench_dll" readme --dir "$out" --readme "$root/README.md" --svg "$out/report.svg" $([ $trial = 1 ] && echo --trial) >/dev/null
echo "== wrote the Performance section of README.md, $out/report.svg and the raw figures in $out/" >&2
