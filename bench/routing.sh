#!/usr/bin/env bash
# Routing policies (issue 19): what a model alias costs, and what it does when a deployment misbehaves.
#
# Stage 1, overhead: two identical gateways (Release, image settings), each with an alias `bench/alias` over two
# zero-latency deployments (a, b: two TestKit fake upstreams on two ports of one process, `AbstractCore.Bench upstream
# --count 2`, so that the alias does not bring a second busy process onto the 2 cores) and the plain provider route
# `openai-compatible/fake-model` (OPENAI_COMPATIBLE_BASE_URL to the first fake). Both routes are measured at the same
# time, one on each gateway, and swap gateways every window: whatever else the host does (these are shared virtual
# machines) falls on both routes alike, where one route after the other saw the host change between windows by ±10%.
# Same body (bench/chat.lua) to both; for each connection count and mode (non-streamed, streamed), BENCH_REPS rounds of
# two windows with wrk: requests/s, p50/p99, each gateway's CPU time per request (/proc/<pid>/stat), alias ÷ plain.
# Target: the alias adds ≤ 5% CPU per request (exit code 3 otherwise). The load is paced (BENCH_RATE requests/s over
# both gateways, each connection waiting its share before each request): a closed loop saturates the 2 cores, and the
# gateways' requests per CPU second then follow whatever CPU they get; at a pace both keep up with, CPU per request is
# the work each request costs.
#
# Stage 2, chaos (CHAOS_SECONDS, 120): a second gateway with an alias `bench/chaos` over deployment a, the bench's
# failure-injecting fake (`upstream --fail-rate 0.3 --cut-rate 0.05`: 30% of requests answered HTTP 500, 5% of streams
# cut after 2 content chunks), and deployment b, a healthy TestKit fake. `AbstractCore.Bench chaos` drives it with
# CHAOS_CONNECTIONS loops, half the requests streamed, and checks every answer: non-streamed answered 200 with the
# fake's text (target 100%), streams completed ([DONE], the whole text), streamed failures reported in-band (a `data:`
# chunk with an `error` object / finish_reason "error"), and streamed failures not reported (target 0; exit code 3
# otherwise).
#
# Writes bench/results/<UTC date>-routing.md and .json (`--trial`: <date>-routing-trial.*, marked as a trial).
#
#   bench/routing.sh              # ~22 min on a quiet 2-core machine (stage 1 ~19 min, stage 2 ~2.5 min)
#   bench/routing.sh --trial      # ~3 min: 1 round of 4 s points, 8 s pre-warm, 30 s chaos; proves the harness, not the figures
#   bench/routing.sh --overhead-only | --chaos-only
#
# Knobs: BENCH_RATE (6400 requests/s over both gateways; 0: closed loop), BENCH_REPS (8), BENCH_DURATION (s, 10), BENCH_WARMUP (s, 3), BENCH_CONNECTIONS ("16 64"), BENCH_PREWARM (s per
# route, 30), BENCH_QUIET_WAIT (s, 20: before each point, wait up to that long for a second with the machine under 0.15
# cores busy), CHAOS_SECONDS (120), CHAOS_CONNECTIONS (16), CHAOS_FAIL_RATE (0.3), CHAOS_CUT_RATE (0.05),
# CHAOS_STREAM_SHARE (0.5), CHAOS_ALIAS_OPTIONS (extra alias fields for bench/chaos as JSON members, e.g.
# '"cooldown_s":5,"strategy":"least_busy"'), BENCH_ALIAS_DEPLOYMENTS (2; 1: stage 1's alias over deployment a only),
# GATEWAY_ENV (extra VAR=value words for the gateways), BENCH_NAME
# (<UTC date>-routing), BENCH_RESULTS (bench/results), BENCH_SKIP_BUILD=1. Needs wrk, curl and python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

trial=0 stage1=1 stage2=1
for arg in "$@"; do
    case $arg in
        --trial) trial=1 ;;
        --overhead-only) stage2=0 ;;
        --chaos-only) stage1=0 ;;
        *) echo "usage: bench/routing.sh [--trial] [--overhead-only|--chaos-only]" >&2; exit 2 ;;
    esac
done
if [ $trial = 1 ]; then
    reps=${BENCH_REPS:-1} duration=${BENCH_DURATION:-4} warmup=${BENCH_WARMUP:-1} prewarm=${BENCH_PREWARM:-8}
    chaos_seconds=${CHAOS_SECONDS:-30} quiet_wait=${BENCH_QUIET_WAIT:-5}
    name=${BENCH_NAME:-$(date -u +%F)-routing-trial}
else
    reps=${BENCH_REPS:-8} duration=${BENCH_DURATION:-10} warmup=${BENCH_WARMUP:-3} prewarm=${BENCH_PREWARM:-30}
    chaos_seconds=${CHAOS_SECONDS:-120} quiet_wait=${BENCH_QUIET_WAIT:-20}
    name=${BENCH_NAME:-$(date -u +%F)-routing}
fi
connections=${BENCH_CONNECTIONS:-"16 64"}
rate=${BENCH_RATE:-6400}
chaos_connections=${CHAOS_CONNECTIONS:-16}
fail_rate=${CHAOS_FAIL_RATE:-0.3}
cut_rate=${CHAOS_CUT_RATE:-0.05}
stream_share=${CHAOS_STREAM_SHARE:-0.5}
chaos_alias_options=${CHAOS_ALIAS_OPTIONS:-}
results=${BENCH_RESULTS:-$root/bench/results}
for tool in wrk curl python3; do
    command -v $tool >/dev/null 2>&1 || { echo "$tool is not installed" >&2; exit 2; }
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work=$(mktemp -d)
pids=
cleanup() { stop_pids $pids; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
. "$root/bench/wait-for.sh"

bench_dll=$root/bench/AbstractCore.Bench/bin/Release/net10.0/AbstractCore.Bench.dll
api_dll=$root/AbstractCore.Api/bin/Release/net10.0/AbstractCore.Api.dll
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    echo "== building (Release)" >&2
    dotnet build "$root/AbstractCore.Api/AbstractCore.Api.csproj" -c Release -nologo -v q >&2
    dotnet build "$root/bench/AbstractCore.Bench/AbstractCore.Bench.csproj" -c Release -nologo -v q >&2
fi

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
wait_quiet() { # up to $quiet_wait s for one second in which the whole machine is under 0.15 cores busy
    local deadline=$((SECONDS + quiet_wait)) t0 t1
    while :; do
        t0=$(machine_ticks); sleep 1; t1=$(machine_ticks)
        [ $((t1 - t0)) -lt 15 ] && return 0
        [ $SECONDS -ge $deadline ] && { echo "   (the machine stayed busy for ${quiet_wait}s; measuring anyway)" >&2; return 0; }
    done
}

# start_fake NAME [ARGS...]: an `AbstractCore.Bench upstream` process; sets fake_pid and fake_base (http://127.0.0.1:<port>/v1,
# the first when it hosts several).
start_fake() {
    local label=$1
    shift
    dotnet "$bench_dll" upstream "$@" >"$work/$label.out" 2>"$work/$label.err" &
    fake_pid=$!
    pids="$pids $fake_pid"
    wait_for "the fake upstream $label" 30 grep -q '^http' "$work/$label.out" || { cat "$work/$label.err" >&2; exit 1; }
    fake_base=$(grep -m1 '^http' "$work/$label.out")
    fake_base=${fake_base%/}
}

# start_gateway LABEL ALIASES_JSON: the Release gateway with the plain provider route to $plain_base and those aliases;
# sets gw_pid and gw (http://127.0.0.1:<port>).
start_gateway() {
    local label=$1 aliases=$2 port
    port=$(dotnet "$bench_dll" free-port)
    # shellcheck disable=SC2086
    env -u ASPNETCORE_URLS -u URLS -u HTTP_PORTS -u OTEL_EXPORTER_OTLP_ENDPOINT -u ABSTRACTCORE_AUTH_TOKEN \
        HOST=127.0.0.1 PORT="$port" ASPNETCORE_ENVIRONMENT=Production OPENAI_COMPATIBLE_BASE_URL="$plain_base" \
        ABSTRACTCORE_MODEL_ALIASES="$aliases" ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED=1 \
        $(image_env) ${GATEWAY_ENV:-} dotnet "$api_dll" >"$work/$label.log" 2>&1 &
    gw_pid=$!
    pids="$pids $gw_pid"
    gw=http://127.0.0.1:$port
    wait_for "the gateway ($label)" 60 curl -sf "$gw/health" || { tail -50 "$work/$label.log" >&2; exit 1; }
}

# check_route MODEL: one non-streamed and one streamed answer through $gw, or a message saying what came back.
check_route() {
    local model=$1 answer
    answer=$(curl -sS -m 20 -D "$work/headers" "$gw/v1/chat/completions" -H 'content-type: application/json' \
        -d "{\"model\":\"$model\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello in five words.\"}],\"max_tokens\":16}" 2>&1 || true)
    case $answer in *'"choices"'*) ;; *)
        echo "the gateway did not answer a chat request for $model: ${answer:0:400}" >&2
        echo "(is the alias request path wired in this build? git log: $(git -C "$root" log --oneline -1))" >&2
        exit 1 ;;
    esac
    answer=$(curl -sS -m 20 "$gw/v1/chat/completions" -H 'content-type: application/json' \
        -d "{\"model\":\"$model\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello in five words.\"}],\"max_tokens\":16,\"stream\":true}" 2>&1 || true)
    case $answer in *'[DONE]'*) ;; *) echo "the gateway did not stream an answer for $model: ${answer:0:400}" >&2; exit 1 ;; esac
}

load_start=$(loadavg)
uptime_start=$(uptime)
mkdir -p "$results"
: >"$work/points.jsonl"
echo '{}' >"$work/chaos.json"
stage1_note= stage2_note= header_note=

# --- two healthy zero-latency fakes (TestKit's) in one process, used by both stages.
start_fake fakes --count 2; fakes_pid=$fake_pid; fake1_base=$fake_base
wait_for "the second fake upstream" 30 sh -c "sed -n 2p '$work/fakes.out' | grep -q '^http'"
fake2_base=$(grep '^http' "$work/fakes.out" | sed -n 2p)
fake2_base=${fake2_base%/}
plain_base=$fake1_base

if [ $stage1 = 1 ]; then
    deployment_b=",{\"name\":\"b\",\"model\":\"openai-compatible/fake-model\",\"base_url\":\"$fake2_base\"}"
    # BENCH_ALIAS_DEPLOYMENTS=1: the alias over deployment a only (the plain route's fake), to tell the policy layer's
    # own cost from that of spreading over two upstream connection pools.
    [ "${BENCH_ALIAS_DEPLOYMENTS:-2}" = 1 ] && deployment_b=
    aliases="{\"bench/alias\":{\"deployments\":[{\"name\":\"a\",\"model\":\"openai-compatible/fake-model\",\"base_url\":\"$fake1_base\"}$deployment_b]}}"
    start_gateway gateway1 "$aliases"; gw1=$gw gw1_pid=$gw_pid
    check_route openai-compatible/fake-model
    check_route bench/alias
    if ! grep -qi '^x-abstractcore-deployment:' "$work/headers"; then
        header_note="WARNING: the alias's answer carried no X-AbstractCore-Deployment header (is the alias request path wired in this build?)"
        echo "$header_note" >&2
    fi
    start_gateway gateway2 "$aliases"; gw2=$gw gw2_pid=$gw_pid
    model_of() { case $1 in plain) echo openai-compatible/fake-model ;; alias) echo bench/alias ;; esac; }

    # load LABEL MODE CONNECTIONS SECONDS URL PAUSE: wrk on one route of one gateway.
    load() {
        local stream=0
        [ "$2" = stream ] && stream=1
        BENCH_STREAM=$stream BENCH_DELAY_MS=$6 BENCH_MODEL=$(model_of "$1") BENCH_LABEL=$1 \
            wrk -t1 -c"$3" -d"$4s" --timeout 5s -s bench/chat.lua "$5/v1/chat/completions"
    }

    # window MODE CONNECTIONS ROUND FIRST: FIRST (plain or alias) on gateway 1 and the other route on gateway 2, at the
    # same time; one JSON line per gateway with its CPU ticks of the window, its peer's, and both clients' CPU time.
    window() {
        local mode=$1 c=$2 round=$3 l1=$4 l2 pause=0 a0 a1 b0 b1 f0 f1 m0 m1 t0 t1 w1 out1 out2 client
        l2=$([ "$l1" = plain ] && echo alias || echo plain)
        [ "$rate" -gt 0 ] && pause=$(( (c * 2000 + rate / 2) / rate ))
        wait_quiet
        load "$l1" "$mode" "$c" "$warmup" "$gw1" "$pause" >/dev/null & w1=$!
        load "$l2" "$mode" "$c" "$warmup" "$gw2" "$pause" >/dev/null
        wait $w1
        a0=$(ticks $gw1_pid); b0=$(ticks $gw2_pid); f0=$(ticks $fakes_pid); m0=$(machine_ticks); t0=$(date +%s.%N)
        ( TIMEFORMAT='%U %S'; { time load "$l1" "$mode" "$c" "$duration" "$gw1" "$pause" >"$work/wrk1.out"; } 2>"$work/time1" ) & w1=$!
        ( TIMEFORMAT='%U %S'; { time load "$l2" "$mode" "$c" "$duration" "$gw2" "$pause" >"$work/wrk2.out"; } 2>"$work/time2" )
        wait $w1
        a1=$(ticks $gw1_pid); b1=$(ticks $gw2_pid); f1=$(ticks $fakes_pid); m1=$(machine_ticks); t1=$(date +%s.%N)
        client=$(cat "$work/time1" "$work/time2" | awk '{ s += $1 + $2 } END { print s }')
        out1=$(grep '^{' "$work/wrk1.out"); out2=$(grep '^{' "$work/wrk2.out")
        local common="\"mode\":\"$mode\",\"connections\":$c,\"pause_ms\":$pause,\"round\":$round,\"fakes_ticks\":$((f1 - f0)),\"machine_ticks\":$((m1 - m0)),\"client_cpu_s\":$client,\"window_s\":$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'),\"loadavg\":\"$(cut -d' ' -f1 /proc/loadavg)\""
        echo "${out1%\}},\"gateway\":1,\"gateway_ticks\":$((a1 - a0)),\"peer_ticks\":$((b1 - b0)),$common}"
        echo "${out2%\}},\"gateway\":2,\"gateway_ticks\":$((b1 - b0)),\"peer_ticks\":$((a1 - a0)),$common}"
    }

    echo "== stage 1: pre-warm ${prewarm}s per route and gateway (2/3 non-streamed, 1/3 streamed), tiered JIT settles" >&2
    for label in plain alias; do
        load $label plain 16 "$((prewarm * 2 / 3))" "$gw1" 0 >/dev/null & w=$!
        load $label plain 16 "$((prewarm * 2 / 3))" "$gw2" 0 >/dev/null; wait $w
        load $label stream 16 "$((prewarm / 3 > 0 ? prewarm / 3 : 1))" "$gw1" 0 >/dev/null & w=$!
        load $label stream 16 "$((prewarm / 3 > 0 ? prewarm / 3 : 1))" "$gw2" 0 >/dev/null; wait $w
    done
    stage1_load_before=$(loadavg)
    for c in $connections; do
        for mode in plain stream; do
            for r in $(seq "$reps"); do
                for first in plain alias; do
                    echo "-- $mode, $c connections, round $r: gateway 1 $first, gateway 2 the other route" >&2
                    window "$mode" "$c" "$r" "$first" | tee -a "$work/points.jsonl" | sed 's/^/   /' >&2
                done
            done
        done
    done
    stage1_load_after=$(loadavg)
    # Where the alias's answers came from (X-AbstractCore-Deployment of 200 requests): both deployments took load.
    for _ in $(seq 200); do
        curl -sS -m 10 -o /dev/null -D - "$gw1/v1/chat/completions" -H 'content-type: application/json' \
            -d '{"model":"bench/alias","messages":[{"role":"user","content":"Say hello in five words."}],"max_tokens":16}' |
            tr -d '\r' | awk 'tolower($1) == "x-abstractcore-deployment:" { print $2 }'
    done | sort | uniq -c | awk 'BEGIN { printf "{" } { printf "%s\"%s\":%d", (NR > 1 ? "," : ""), $2, $1 } END { print "}" }' >"$work/spread.json"
    stage1_note="load average (1/5/15 min) before stage 1: $stage1_load_before; after: $stage1_load_after"
    stop_pids $gw1_pid $gw2_pid
fi

if [ $stage2 = 1 ]; then
    start_fake chaos --fail-rate "$fail_rate" --cut-rate "$cut_rate"; chaos_pid=$fake_pid; chaos_base=$fake_base
    aliases="{\"bench/chaos\":{\"deployments\":[{\"name\":\"a\",\"model\":\"openai-compatible/fake-model\",\"base_url\":\"$chaos_base\"},{\"name\":\"b\",\"model\":\"openai-compatible/fake-model\",\"base_url\":\"$fake2_base\"}]${chaos_alias_options:+,$chaos_alias_options}}}"
    start_gateway gateway2 "$aliases"
    check_route openai-compatible/fake-model
    # A short warm-up through the alias (not counted): the JIT, the connection pools.
    dotnet "$bench_dll" chaos --url "$gw/v1/chat/completions" --model bench/chaos --connections "$chaos_connections" \
        --duration "$((trial == 1 ? 3 : 10))" --stream-share "$stream_share" --label warm-up --samples 0 >/dev/null 2>&1
    echo "== stage 2: chaos, ${chaos_seconds}s, $chaos_connections connections, a fails $fail_rate (HTTP 500) and cuts $cut_rate of streams" >&2
    wait_quiet
    stage2_load_before=$(loadavg)
    curl -sS "${chaos_base%/v1}/bench/stats" >"$work/chaos-upstream-before.json"
    dotnet "$bench_dll" chaos --url "$gw/v1/chat/completions" --model bench/chaos --connections "$chaos_connections" \
        --duration "$chaos_seconds" --stream-share "$stream_share" --label chaos \
        --cpu-pids "gateway=$gw_pid,fake_a=$chaos_pid,fakes=$fakes_pid" >"$work/chaos.json"
    curl -sS "${chaos_base%/v1}/bench/stats" >"$work/chaos-upstream-after.json"
    stage2_load_after=$(loadavg)
    stage2_note="load average (1/5/15 min) before stage 2: $stage2_load_before; after: $stage2_load_after"
    stop_pids $gw_pid $chaos_pid
    echo "   failing fake a, before: $(cat "$work/chaos-upstream-before.json"); after: $(cat "$work/chaos-upstream-after.json")" >&2
    echo "$aliases" >"$work/chaos-aliases.json"
fi

{
    echo "cores (nproc): $(nproc)"
    machine_lines
    echo "dotnet: $(dotnet --version) (runtime $(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ { v = $2 } END { print v }'))"
    echo "load client: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), 1 thread per gateway (stage 1, $([ "$rate" -gt 0 ] && echo "paced at about $rate requests/s over both gateways: each connection waits connections × 2000 ÷ $rate ms before each request" || echo "closed loop")); AbstractCore.Bench chaos (stage 2)"
    echo "gateway extra env: ${GATEWAY_ENV:-none}; image settings: $(image_env)"
    dirty=$(git -C "$root" status --porcelain -- AbstractCore AbstractCore.Api AbstractCore.OpenAI bench/AbstractCore.Bench 2>/dev/null | wc -l)
    echo "commit: $(git -C "$root" rev-parse --short HEAD)$([ "$dirty" -gt 0 ] && echo " (work tree: $dirty uncommitted file(s))")"
    echo "stage 1 alias deployments: ${BENCH_ALIAS_DEPLOYMENTS:-2}"
    echo "load average (1/5/15 min) at start: $load_start; at end: $(loadavg)"
    [ -n "$header_note" ] && echo "$header_note"
    [ -n "$stage1_note" ] && echo "$stage1_note"
    [ -n "$stage2_note" ] && echo "$stage2_note"
    echo "measured: $(date -u '+%Y-%m-%d %H:%M UTC'); stage 1: $reps round(s) × 2 windows (each route on one gateway, then on the other), ${warmup}s warm-up + ${duration}s per point, ${prewarm}s pre-warm per route; stage 2: ${chaos_seconds}s"
} >"$work/machine.txt"

set +e
python3 "$root/bench/routing_report.py" --work "$work" --out "$results/$name" --trial "$trial" \
    --chaos-fail "$fail_rate" --chaos-cut "$cut_rate" --chaos-connections "$chaos_connections" \
    --alias-deployments "${BENCH_ALIAS_DEPLOYMENTS:-2}"
status=$?
set -e
echo "== wrote $results/$name.md and $results/$name.json" >&2
exit $status
