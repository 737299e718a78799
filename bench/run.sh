#!/usr/bin/env bash
# Load harness for the gateway: in one run, the fake OpenAI upstream measured directly and through the gateway.
# Writes bench/results/<YYYY-MM-DD>-chat.md and .json. What it measures and how to read it: bench/README.md.
#
#   bench/run.sh                     # wrk for non-streamed load when installed, else the .NET client
#   bench/run.sh --install-wrk       # apt-get install -y wrk first (Debian package; needs root)
#   BENCH_CLIENT=dotnet bench/run.sh # force the .NET load client (AbstractCore.Bench load)
#
# Environment knobs: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 3), BENCH_CONNECTIONS ("1 16 64"),
# BENCH_CLIENT (auto|wrk|dotnet), BENCH_NAME (default <UTC date>-chat), BENCH_RESULTS (default bench/results),
# GATEWAY_ENV / UPSTREAM_ENV (extra VAR=value words for the gateway / upstream process, e.g. "DOTNET_gcServer=0"),
# BENCH_QUIET_WAIT (s, default 300), BENCH_OTHER_MAX (cores, default 0.15), BENCH_RETRIES (default 5): see measure below,
# BENCH_PREWARM (s, default 30), BENCH_SKIP_BUILD=1 (reuse the last Release build).
# Exit code: 0 all targets met, 3 a target missed, anything else: the harness failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-3}
connections=${BENCH_CONNECTIONS:-"1 16 64"}
client=${BENCH_CLIENT:-auto}
name=${BENCH_NAME:-$(date -u +%F)-chat}
results=${BENCH_RESULTS:-$root/bench/results}

for arg in "$@"; do
    case $arg in
        --install-wrk) DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >/dev/null; } ;;
        -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "unknown argument: $arg" >&2; exit 2 ;;
    esac
done

if [ "$client" = auto ]; then
    if command -v wrk >/dev/null 2>&1; then client=wrk; else
        echo "wrk is not installed (Debian: apt-get install -y wrk, or bench/run.sh --install-wrk); using the .NET load client" >&2
        client=dotnet
    fi
elif [ "$client" = wrk ] && ! command -v wrk >/dev/null 2>&1; then
    echo "wrk is not installed: apt-get install -y wrk (or bench/run.sh --install-wrk)" >&2
    exit 2
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
bench_dll=$root/bench/AbstractCore.Bench/bin/Release/net10.0/AbstractCore.Bench.dll
api_dll=$root/AbstractCore.Api/bin/Release/net10.0/AbstractCore.Api.dll
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    echo "== building Release (gateway, bench)" >&2
    dotnet build "$root/AbstractCore.Api/AbstractCore.Api.csproj" -c Release -nologo -v q >&2
    dotnet build "$root/bench/AbstractCore.Bench/AbstractCore.Bench.csproj" -c Release -nologo -v q >&2
fi

work=$(mktemp -d)
raw=$work/raw
mkdir -p "$raw"
upstream_pid=
gateway_pid=
cleanup() {
    for pid in $gateway_pid $upstream_pid; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in $gateway_pid $upstream_pid; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. "$root/bench/wait-for.sh"

# --- the upstream: TestKit's fake on a free port of its own, which it prints on stdout.
# shellcheck disable=SC2086
env ${UPSTREAM_ENV:-} dotnet "$bench_dll" upstream >"$work/upstream.out" 2>"$work/upstream.err" &
upstream_pid=$!
wait_for "the fake upstream" 30 grep -q '^http' "$work/upstream.out" || { cat "$work/upstream.err" >&2; exit 1; }
upstream_base=$(grep -m1 '^http' "$work/upstream.out") # http://127.0.0.1:<port>/v1/
direct_url=${upstream_base}chat/completions

# --- the gateway, Release build, as its own process.
gateway_port=$(dotnet "$bench_dll" free-port)
gateway_url=http://127.0.0.1:$gateway_port/v1/chat/completions
# shellcheck disable=SC2086
env -u ASPNETCORE_URLS -u URLS -u HTTP_PORTS -u OTEL_EXPORTER_OTLP_ENDPOINT -u ABSTRACTCORE_AUTH_TOKEN \
    HOST=127.0.0.1 PORT="$gateway_port" ASPNETCORE_ENVIRONMENT=Production \
    OPENAI_COMPATIBLE_BASE_URL="${upstream_base%/}" \
    ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED=1 Logging__LogLevel__Default=Warning \
    ${GATEWAY_ENV:-} dotnet "$api_dll" >"$work/gateway.out" 2>"$work/gateway.err" &
gateway_pid=$!
wait_for "the gateway (GET /health)" 60 curl -fsS "http://127.0.0.1:$gateway_port/health" \
    || { cat "$work/gateway.out" "$work/gateway.err" >&2; exit 1; }
echo "== upstream $upstream_base (pid $upstream_pid), gateway http://127.0.0.1:$gateway_port (pid $gateway_pid), client $client" >&2

cpu_ticks() { # utime+stime of a pid, in USER_HZ ticks
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}
machine_ticks() { # busy time of all cores (user+nice+system+irq+softirq+steal), in USER_HZ ticks
    awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

# Other work on the machine (builds, tests) distorts every figure: before each point, wait (up to
# BENCH_QUIET_WAIT seconds, default 300) for a second in which the whole machine is under 0.15 cores busy.
quiet_wait=${BENCH_QUIET_WAIT:-300}
wait_quiet() {
    local deadline=$((SECONDS + quiet_wait)) t0 t1
    while :; do
        t0=$(machine_ticks); sleep 1; t1=$(machine_ticks)
        [ $((t1 - t0)) -lt 15 ] && return 0
        if [ $SECONDS -ge $deadline ]; then
            echo "   the machine stayed busy (other processes) for ${quiet_wait}s; measuring anyway" >&2
            return 0
        fi
    done
}

run_load() { # label url connections [--stream]; writes $raw/$label.json (+ .cpu) and $raw/$label.other
    local label=$1 url=$2 c=$3 stream=${4:-}
    local up0 gw0 all0 up1 gw1 all1 times t0 t1
    echo "-- $label: $c connection(s), ${warmup}s warm-up + ${duration}s" >&2
    if [ -z "$stream" ] && [ "$client" = wrk ]; then
        BENCH_LABEL=$label wrk -t1 -c"$c" -d"${warmup}s" --timeout 5s -s "$root/bench/chat.lua" "$url" >/dev/null
        up0=$(cpu_ticks "$upstream_pid"); gw0=$(cpu_ticks "$gateway_pid"); all0=$(machine_ticks); t0=$(date +%s.%N)
        # `time` of the shell: the client's own user and system CPU seconds.
        times=$( { TIMEFORMAT='%U %S'; time BENCH_LABEL=$label wrk -t1 -c"$c" -d"${duration}s" --timeout 5s \
            -s "$root/bench/chat.lua" "$url" >"$raw/$label.out"; } 2>&1 )
        up1=$(cpu_ticks "$upstream_pid"); gw1=$(cpu_ticks "$gateway_pid"); all1=$(machine_ticks); t1=$(date +%s.%N)
        grep '^{' "$raw/$label.out" >"$raw/$label.json"
        awk -v t="$times" -v u=$((up1 - up0)) -v g=$((gw1 - gw0)) -v m=$((all1 - all0)) \
            'BEGIN { split(t, a, " "); printf "client=%.2f upstream=%.2f gateway=%.2f machine=%.2f\n", a[1] + a[2], u / 100, g / 100, m / 100 }' >"$raw/$label.cpu"
    else
        up0=$(cpu_ticks "$upstream_pid"); gw0=$(cpu_ticks "$gateway_pid"); all0=$(machine_ticks); t0=$(date +%s.%N)
        # shellcheck disable=SC2086
        times=$( { TIMEFORMAT='%U %S'; time dotnet "$bench_dll" load --url "$url" --connections "$c" --duration "$duration" \
            --warmup "$warmup" $stream --label "$label" --cpu-pids "upstream=$upstream_pid,gateway=$gateway_pid" >"$raw/$label.json"; } 2>&1 )
        up1=$(cpu_ticks "$upstream_pid"); gw1=$(cpu_ticks "$gateway_pid"); all1=$(machine_ticks); t1=$(date +%s.%N)
    fi
    # Cores taken by processes that are not part of the benchmark (the report has the exact window's figure).
    awk -v t="$times" -v u=$((up1 - up0)) -v g=$((gw1 - gw0)) -v m=$((all1 - all0)) -v s="$t0" -v e="$t1" \
        'BEGIN { split(t, a, " "); o = (m / 100 - u / 100 - g / 100 - a[1] - a[2]) / (e - s); printf "%.2f\n", o < 0 ? 0 : o }' >"$raw/$label.other"
    sed 's/^/   /' "$raw/$label.json" >&2
}

# A point during which other processes took more than BENCH_OTHER_MAX cores (default 0.15) is measured again,
# up to BENCH_RETRIES times (default 5); the report shows what others took in the point it kept.
other_max=${BENCH_OTHER_MAX:-0.15}
retries=${BENCH_RETRIES:-5}
measure() { # label url connections [--stream]
    local attempt other
    for ((attempt = 0; attempt <= retries; attempt++)); do
        wait_quiet
        run_load "$@"
        other=$(cat "$raw/$1.other")
        if awk -v o="$other" -v m="$other_max" 'BEGIN { exit !(o <= m) }'; then
            return 0
        fi
        echo "   disturbed: other processes took $other cores during the point" >&2
    done
    echo "   still disturbed after $retries retries; keeping the last attempt" >&2
}

# JIT tiering of a fresh process (tier-0, instrumented, tier-1) takes a while under load: the gateway compiles some
# 11,000 methods and its hot paths reached tier-1 only after 20-35 s of load on the 2-core machine (measured with
# DOTNET_JitStdOutFile). So before any point, load the gateway for BENCH_PREWARM seconds (default 30) and the fake
# for a third of that, at 16 connections, plus a few streamed requests; none of it is recorded.
prewarm=${BENCH_PREWARM:-30}
if [ "$prewarm" != 0 ]; then
    echo "-- pre-warm: $((prewarm / 3 > 0 ? prewarm / 3 : 1))s direct, ${prewarm}s gateway, 16 connections (not recorded)" >&2
    for target in direct gateway; do
        if [ $target = direct ]; then url=$direct_url; seconds=$((prewarm / 3 > 0 ? prewarm / 3 : 1)); else url=$gateway_url; seconds=$prewarm; fi
        if [ "$client" = wrk ]; then
            wrk -t1 -c16 -d"${seconds}s" --timeout 5s -s "$root/bench/chat.lua" "$url" >/dev/null
        else
            dotnet "$bench_dll" load --url "$url" --connections 16 --duration "$seconds" --warmup 0 >/dev/null
        fi
        dotnet "$bench_dll" load --url "$url" --connections 1 --duration 2 --warmup 0 --stream >/dev/null
    done
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for c in $connections; do
    measure "c$c-direct" "$direct_url" "$c"
    measure "c$c-gateway" "$gateway_url" "$c"
done
measure stream-c1-direct "$direct_url" 1 --stream
measure stream-c1-gateway "$gateway_url" 1 --stream
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the machine, as the report prints it.
{
    echo "cores (nproc): $(nproc)"
    echo "CPU: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
    hypervisor=$(lscpu | sed -n 's/^Hypervisor vendor:[[:space:]]*//p' | head -1)
    [ -n "$hypervisor" ] && echo "hypervisor: $hypervisor"
    echo "memory: $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "OS: $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "kernel: $(uname -sr)"
    echo "dotnet: $(dotnet --version) (runtime $(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ { v = $2 } END { print v }'))"
    if [ "$client" = wrk ]; then echo "load client: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), 1 thread"; else echo "load client: AbstractCore.Bench load (SocketsHttpHandler)"; fi
    echo "gateway extra env: ${GATEWAY_ENV:-none}"
    dirty=$(git -C "$root" status --porcelain -- AbstractCore AbstractCore.Api AbstractCore.OpenAI AbstractCore.ServiceDefaults \
        tests/AbstractCore.TestKit bench/AbstractCore.Bench 2>/dev/null | wc -l)
    echo "commit: $(git -C "$root" rev-parse --short HEAD)$([ "$dirty" -gt 0 ] && echo " (work tree: $dirty uncommitted file(s) in the gateway's or bench's sources)")"
    echo "load average (1/5/15 min) before: $load_before; after: $load_after"
    echo "measured: $(date -u '+%Y-%m-%d %H:%M UTC'), ${warmup}s warm-up + ${duration}s per point, no CPU pinning (client, gateway and upstream share all cores)"
} >"$raw/machine.txt"

mkdir -p "$results"
set +e
dotnet "$bench_dll" report --raw "$raw" --out "$results/$name" --machine "$raw/machine.txt" --client "$client"
status=$?
set -e
echo "== wrote $results/$name.md and $results/$name.json" >&2
exit $status
