#!/usr/bin/env bash
# Virtual keys (issue 20): what the limits of 1,000 keys cost per request, against the same keys without limits (or
# against the server token), in the same run.
#
# A private redis-server (a free port, no persistence), the fake upstream (`AbstractCore.Bench upstream`, TestKit's
# zero-latency fake) and two identical Release gateways, both with ConnectionStrings__cache to that Redis (keys, limits
# and spend in Redis, as a production deployment), the same ABSTRACTCORE_AUTH_TOKEN and OPENAI_COMPATIBLE_BASE_URL to
# the fake. BENCH_KEYS (1,000) keys are made through `POST /acore/keys` on gateway 1, every one with limits that never
# refuse during the run (KEYS_RPM, KEYS_TPM, KEYS_MAX_PARALLEL, KEYS_BUDGET_USD): the limiter, the budget check and the
# billing all run, nothing is refused. With BENCH_OFF=keys, as many keys again are made without any limit or budget.
#
# Two routes, the same body (bench/keys.lua: chat.lua's, to openai-compatible/fake-model):
#   on:  every request with the next of the keys with limits (round robin), so every key is in use;
#   off: BENCH_OFF=keys (the default): the same with the keys without limits: key lookup and billing as on, no limiter,
#        no budget check, no rate-limit headers; BENCH_OFF=token: every request with the server token (no key at all;
#        billed under "server").
# As bench/routing.sh stage 1: both routes at the same time, one per gateway, swapping gateways every window (what the
# shared host does meanwhile falls on both alike); for each connection count and mode (non-streamed, streamed),
# BENCH_REPS rounds of two windows with wrk, paced at BENCH_RATE requests/s over both gateways: requests/s, p50/p99,
# each gateway's CPU time per request (/proc/<pid>/stat), on ÷ off. Target: on ÷ off CPU per request ≤ 1.10 at every
# point (exit code 3 otherwise). Any answer other than 200 (a 429 or 401 above all: a limit refused, a key unknown)
# stops the measurement and fails the run. At the end, `GET /acore/spend?group_by=key` must show a row for every key,
# and each route's billed requests must match the requests sent on it: the path measured is the billed one.
#
# Writes bench/results/<UTC date>-keys.md and .json (BENCH_OFF=token: <date>-keys-token.*; `--trial`: …-trial.*, marked
# as a trial).
#
#   bench/keys.sh              # ~11 min on a quiet 2-core machine
#   bench/keys.sh --trial      # ~1.5 min: 1 round of 1+3 s windows at 16 connections, 6 s pre-warm; proves the harness, not the figures
#
# Knobs: BENCH_OFF (keys; or token), BENCH_RATE (6400 requests/s over both gateways; 0: closed loop), BENCH_REPS (6), BENCH_DURATION (s, 8),
# BENCH_WARMUP (s, 2), BENCH_CONNECTIONS ("16 64"), BENCH_MODES ("plain stream"), BENCH_PREWARM (s per route, 30),
# BENCH_QUIET_WAIT (s, 10: before each window, wait up to that long for a second with the machine under 0.15 cores
# busy), BENCH_KEYS (1000), KEYS_RPM (1000000), KEYS_TPM (1000000000000), KEYS_MAX_PARALLEL (1000), KEYS_BUDGET_USD
# (1000000000), GATEWAY_ENV (extra VAR=value words for both gateways), BENCH_NAME (<UTC date>-keys), BENCH_RESULTS
# (bench/results), BENCH_SKIP_BUILD=1. Needs wrk, curl, redis-server, redis-cli and python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

trial=0
for arg in "$@"; do
    case $arg in
        --trial) trial=1 ;;
        *) echo "usage: bench/keys.sh [--trial]" >&2; exit 2 ;;
    esac
done
off_route=${BENCH_OFF:-keys}
case $off_route in keys) suffix= ;; token) suffix=-token ;; *) echo "BENCH_OFF takes keys or token; got '$off_route'" >&2; exit 2 ;; esac
if [ $trial = 1 ]; then
    reps=${BENCH_REPS:-1} duration=${BENCH_DURATION:-3} warmup=${BENCH_WARMUP:-1} prewarm=${BENCH_PREWARM:-6}
    quiet_wait=${BENCH_QUIET_WAIT:-3} connections=${BENCH_CONNECTIONS:-16}
    name=${BENCH_NAME:-$(date -u +%F)-keys$suffix-trial}
else
    reps=${BENCH_REPS:-6} duration=${BENCH_DURATION:-8} warmup=${BENCH_WARMUP:-2} prewarm=${BENCH_PREWARM:-30}
    quiet_wait=${BENCH_QUIET_WAIT:-10} connections=${BENCH_CONNECTIONS:-"16 64"}
    name=${BENCH_NAME:-$(date -u +%F)-keys$suffix}
fi
modes=${BENCH_MODES:-"plain stream"}
rate=${BENCH_RATE:-6400}
nkeys=${BENCH_KEYS:-1000}
keys_rpm=${KEYS_RPM:-1000000}
keys_tpm=${KEYS_TPM:-1000000000000}
keys_parallel=${KEYS_MAX_PARALLEL:-1000}
keys_budget=${KEYS_BUDGET_USD:-1000000000}
results=${BENCH_RESULTS:-$root/bench/results}
for tool in wrk curl redis-server redis-cli python3; do
    command -v $tool >/dev/null 2>&1 || { echo "$tool is not installed" >&2; exit 2; }
done
for mode in $modes; do
    case $mode in plain|stream) ;; *) echo "BENCH_MODES takes plain and stream; got '$mode'" >&2; exit 2 ;; esac
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

n_conns=$(echo $connections | wc -w) n_modes=$(echo $modes | wc -w)
n_windows=$((n_conns * n_modes * reps * 2))
echo "== $n_windows windows of ~$((1 + warmup + duration)) s, ${prewarm}s pre-warm per route: about" \
    "$(( (n_windows * (2 + warmup + duration) + 2 * prewarm + 45 + 59) / 60 )) min on a quiet machine" >&2

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

load_start=$(loadavg)
mkdir -p "$results" "$work/config"
: >"$work/points.jsonl"
: >"$work/sent.jsonl"
echo '{}' >"$work/spend.json"
token=bench-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')

# --- a private Redis: no RDB, no AOF, its own directory.
redis_port=$(dotnet "$bench_dll" free-port)
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$work" --daemonize no \
    --loglevel warning >"$work/redis.log" 2>&1 &
redis_pid=$!
pids="$pids $redis_pid"
wait_for "redis-server" 20 sh -c "redis-cli -p $redis_port ping | grep -q PONG" || { cat "$work/redis.log" >&2; exit 1; }

# --- the fake upstream (TestKit's, zero latency).
dotnet "$bench_dll" upstream >"$work/fake.out" 2>"$work/fake.err" &
fake_pid=$!
pids="$pids $fake_pid"
wait_for "the fake upstream" 30 grep -q '^http' "$work/fake.out" || { cat "$work/fake.err" >&2; exit 1; }
fake_base=$(grep -m1 '^http' "$work/fake.out")
fake_base=${fake_base%/}

# start_gateway LABEL: the Release gateway with Redis, the server token and the fake; sets gw_pid and gw.
# ABSTRACTCORE_CONFIG_DIR: an empty directory of the run, so no config file of the machine's user is read.
start_gateway() {
    local label=$1 port
    port=$(dotnet "$bench_dll" free-port)
    # shellcheck disable=SC2086
    env -u ASPNETCORE_URLS -u URLS -u HTTP_PORTS -u OTEL_EXPORTER_OTLP_ENDPOINT -u ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED \
        -u ABSTRACTCORE_CONFIG_FILE -u ABSTRACTCORE_MODEL_ALIASES \
        HOST=127.0.0.1 PORT="$port" ASPNETCORE_ENVIRONMENT=Production OPENAI_COMPATIBLE_BASE_URL="$fake_base" \
        ABSTRACTCORE_AUTH_TOKEN="$token" ConnectionStrings__cache="127.0.0.1:$redis_port" ABSTRACTCORE_CONFIG_DIR="$work/config" \
        $(image_env) ${GATEWAY_ENV:-} dotnet "$api_dll" >"$work/$label.log" 2>&1 &
    gw_pid=$!
    pids="$pids $gw_pid"
    gw=http://127.0.0.1:$port
    wait_for "the gateway ($label)" 60 curl -sf "$gw/health" || { tail -50 "$work/$label.log" >&2; exit 1; }
}

# check_route URL CREDENTIAL WHAT (token, on or off: a key with limits or without): one non-streamed and one streamed
# answer, or a message saying what came back; a key's answer carries the limiter's x-ratelimit-* headers when its limits
# are on, and only then.
check_route() {
    local url=$1 credential=$2 what=$3 answer
    answer=$(curl -sS -m 20 -D "$work/headers" "$url/v1/chat/completions" -H 'content-type: application/json' \
        -H "authorization: Bearer $credential" \
        -d '{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"Say hello in five words."}],"max_tokens":16}' 2>&1 || true)
    case $answer in *'"choices"'*) ;; *) echo "$url did not answer a chat request with $what: ${answer:0:400}" >&2; exit 1 ;; esac
    if [ "$what" = on ] && ! grep -qi '^x-ratelimit-limit-requests:' "$work/headers"; then
        echo "$url answered a key's request without x-ratelimit-limit-requests: are the key's limits applied?" >&2
        cat "$work/headers" >&2
        exit 1
    fi
    if [ "$what" = off ] && grep -qi '^x-ratelimit-' "$work/headers"; then
        echo "$url answered a request of a key without limits with x-ratelimit-* headers" >&2
        cat "$work/headers" >&2
        exit 1
    fi
    answer=$(curl -sS -m 20 "$url/v1/chat/completions" -H 'content-type: application/json' -H "authorization: Bearer $credential" \
        -d '{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"Say hello in five words."}],"max_tokens":16,"stream":true}' 2>&1 || true)
    case $answer in *'[DONE]'*) ;; *) echo "$url did not stream an answer with $what: ${answer:0:400}" >&2; exit 1 ;; esac
    echo "{\"label\":\"$([ "$what" = token ] && echo off || echo "$what")\",\"phase\":\"check\",\"connections\":0,\"requests\":2}" >>"$work/sent.jsonl"
    return 0
}

start_gateway gateway1; gw1=$gw gw1_pid=$gw_pid
start_gateway gateway2; gw2=$gw gw2_pid=$gw_pid

# --- the keys, made on gateway 1 over one kept-alive connection. make_keys PREFIX LIMITS: the secrets to PREFIX.txt
# (for keys.lua), the ids to PREFIX-ids.txt; LIMITS 1: every limit and the budget set, 0: none.
make_keys() {
    python3 - "$gw1" "$token" "$nkeys" "$keys_rpm" "$keys_tpm" "$keys_parallel" "$keys_budget" "$work/$1" "$2" <<'EOF'
import http.client, json, sys, urllib.parse
url, token, n, rpm, tpm, parallel, budget, out, limits = sys.argv[1:]
u = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
name = out.rsplit("/", 1)[-1]
with open(f"{out}.txt", "w") as secrets, open(f"{out}-ids.txt", "w") as ids:
    for i in range(int(n)):
        fields = {"name": f"bench-{name}-{i:04d}"}
        if limits == "1":
            fields |= {"rpm": int(rpm), "tpm": int(tpm), "max_parallel": int(parallel),
                       "budget_usd": float(budget) if "." in budget else int(budget)}
        conn.request("POST", "/acore/keys", json.dumps(fields), {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        r = conn.getresponse()
        answer = r.read()
        if r.status != 201:
            sys.exit(f"POST /acore/keys answered {r.status}: {answer[:400]!r}")
        made = json.loads(answer)
        if not made.get("key", "").startswith("ack-"):
            sys.exit(f"POST /acore/keys answered no ack- key: {answer[:400]!r}")
        secrets.write(made["key"] + "\n")
        ids.write(made["id"] + "\n")
EOF
}
echo "== making $nkeys keys on gateway 1 (rpm $keys_rpm, tpm $keys_tpm, max_parallel $keys_parallel, budget_usd $keys_budget)" \
    "$([ "$off_route" = keys ] && echo "and $nkeys without limits")" >&2
keys_started=$SECONDS
make_keys keys 1
[ "$off_route" = keys ] && make_keys keys-off 0
keys_seconds=$((SECONDS - keys_started))
echo "   $(cat "$work"/keys*.txt | grep -c ack-) keys in ${keys_seconds}s; Redis holds $(redis-cli -p "$redis_port" hlen acore:keys) key records" >&2
for url in "$gw1" "$gw2"; do
    if [ "$off_route" = keys ]; then
        check_route "$url" "$(head -1 "$work/keys-off.txt")" off
        check_route "$url" "$(tail -1 "$work/keys-off.txt")" off
    else
        check_route "$url" "$token" token
    fi
    check_route "$url" "$(head -1 "$work/keys.txt")" on
    check_route "$url" "$(tail -1 "$work/keys.txt")" on
done

# load LABEL MODE CONNECTIONS SECONDS URL PAUSE: wrk on one route of one gateway (keys.lua).
load() {
    local stream=0
    [ "$2" = stream ] && stream=1
    local credential=(BENCH_AUTH="$token")
    [ "$1" = on ] && credential=(BENCH_KEYS_FILE="$work/keys.txt")
    [ "$1" = off ] && [ "$off_route" = keys ] && credential=(BENCH_KEYS_FILE="$work/keys-off.txt")
    env BENCH_STREAM=$stream BENCH_DELAY_MS="$6" BENCH_LABEL="$1" "${credential[@]}" \
        wrk -t1 -c"$3" -d"$4s" --timeout 5s -s bench/keys.lua "$5/v1/chat/completions"
}
# tally FILE PHASE CONNECTIONS: the wrk JSON line of FILE into sent.jsonl (every request sent, measured or not, and how
# many connections could have had one in flight when wrk stopped: for the spend check).
tally() { grep '^{' "$1" | sed "s/^{/{\"phase\":\"$2\",\"connections\":$3,/" >>"$work/sent.jsonl" || true; }

# window MODE CONNECTIONS ROUND FIRST: FIRST (off or on) on gateway 1 and the other route on gateway 2, at the same time;
# one JSON line per gateway with its CPU ticks of the window, its peer's, Redis's, the fake's and both clients' CPU time.
window() {
    local mode=$1 c=$2 round=$3 l1=$4 l2 pause=0 a0 a1 b0 b1 f0 f1 r0 r1 m0 m1 t0 t1 w1 out1 out2 client
    l2=$([ "$l1" = off ] && echo on || echo off)
    [ "$rate" -gt 0 ] && pause=$(( (c * 2000 + rate / 2) / rate ))
    wait_quiet
    load "$l1" "$mode" "$c" "$warmup" "$gw1" "$pause" >"$work/warm1.out" & w1=$!
    load "$l2" "$mode" "$c" "$warmup" "$gw2" "$pause" >"$work/warm2.out"
    wait $w1
    tally "$work/warm1.out" warmup "$c"; tally "$work/warm2.out" warmup "$c"
    a0=$(ticks $gw1_pid); b0=$(ticks $gw2_pid); f0=$(ticks $fake_pid); r0=$(ticks $redis_pid); m0=$(machine_ticks); t0=$(date +%s.%N)
    ( TIMEFORMAT='%U %S'; { time load "$l1" "$mode" "$c" "$duration" "$gw1" "$pause" >"$work/wrk1.out"; } 2>"$work/time1" ) & w1=$!
    ( TIMEFORMAT='%U %S'; { time load "$l2" "$mode" "$c" "$duration" "$gw2" "$pause" >"$work/wrk2.out"; } 2>"$work/time2" )
    wait $w1
    a1=$(ticks $gw1_pid); b1=$(ticks $gw2_pid); f1=$(ticks $fake_pid); r1=$(ticks $redis_pid); m1=$(machine_ticks); t1=$(date +%s.%N)
    tally "$work/wrk1.out" measured "$c"; tally "$work/wrk2.out" measured "$c"
    client=$(cat "$work/time1" "$work/time2" | awk '{ s += $1 + $2 } END { print s }')
    out1=$(grep '^{' "$work/wrk1.out"); out2=$(grep '^{' "$work/wrk2.out")
    local common="\"mode\":\"$mode\",\"connections\":$c,\"pause_ms\":$pause,\"round\":$round,\"fakes_ticks\":$((f1 - f0)),\"redis_ticks\":$((r1 - r0)),\"machine_ticks\":$((m1 - m0)),\"client_cpu_s\":$client,\"window_s\":$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'),\"loadavg\":\"$(cut -d' ' -f1 /proc/loadavg)\""
    echo "${out1%\}},\"gateway\":1,\"gateway_ticks\":$((a1 - a0)),\"peer_ticks\":$((b1 - b0)),$common}"
    echo "${out2%\}},\"gateway\":2,\"gateway_ticks\":$((b1 - b0)),\"peer_ticks\":$((a1 - a0)),$common}"
}

# refused: the window's answers that were not 200 (non-2xx, socket errors, and keys.lua's statuses), as one line; empty if none.
refused() {
    tail -2 "$work/points.jsonl" | python3 -c '
import json, sys
bad = []
for line in sys.stdin:
    p = json.loads(line)
    if p["errors"] or p["non_2xx"] or p.get("statuses"):
        bad.append("%s on gateway %s: %d errors, %d non-2xx, statuses %s" % (p["label"], p["gateway"], p["errors"], p["non_2xx"], p.get("statuses")))
print("; ".join(bad))'
}

prewarm_modes=$modes
echo "== pre-warm ${prewarm}s per route and gateway ($(echo $prewarm_modes | grep -q stream && echo "2/3 non-streamed, 1/3 streamed" || echo "non-streamed")), tiered JIT settles" >&2
for label in off on; do
    for mode in $prewarm_modes; do
        if [ "$n_modes" = 1 ]; then s=$prewarm; elif [ "$mode" = plain ]; then s=$((prewarm * 2 / 3)); else s=$((prewarm / 3 > 0 ? prewarm / 3 : 1)); fi
        load $label "$mode" 16 "$s" "$gw1" 0 >"$work/pre1.out" & w=$!
        load $label "$mode" 16 "$s" "$gw2" 0 >"$work/pre2.out"; wait $w
        tally "$work/pre1.out" prewarm 16; tally "$work/pre2.out" prewarm 16
    done
done
measure_load_before=$(loadavg)
measure_started=$(date -u '+%H:%M')
refusal=
for c in $connections; do
    for mode in $modes; do
        for r in $(seq "$reps"); do
            for first in off on; do
                echo "-- $mode, $c connections, round $r: gateway 1 $first, gateway 2 the other route" >&2
                window "$mode" "$c" "$r" "$first" | tee -a "$work/points.jsonl" | sed 's/^/   /' >&2
                refusal=$(refused)
                [ -n "$refusal" ] && break 4
            done
        done
    done
done
if [ -n "$refusal" ]; then
    echo "!!!! answers other than 200 during the run, measurement stopped: $refusal" >&2
    for g in 1 2; do # the last lines of each gateway's log, without the keys' "created" lines
        echo "!!!! gateway $g's log, last lines:" >&2
        awk '/KeysHandler/ { skip = 1; next } skip { skip = 0; next } { print }' "$work/gateway$g.log" | tail -8 >&2
    done
fi
measure_load_after=$(loadavg)
measure_ended=$(date -u '+%H:%M')

# --- the spend: both gateways flush every second (ABSTRACTCORE_SPEND_FLUSH_MS); gateway 1 reads every replica's rows.
sleep 3
curl -sS -m 30 "$gw1/acore/spend?group_by=key" -H "authorization: Bearer $token" >"$work/spend.json" \
    || echo "GET /acore/spend failed" >&2
redis-cli -p "$redis_port" info memory | tr -d '\r' | awk -F: '$1 == "used_memory_human" { print $2 }' >"$work/redis-memory.txt"
redis-cli -p "$redis_port" dbsize | tr -d '\r' >"$work/redis-dbsize.txt"
echo "$refusal" >"$work/refusal.txt"

{
    echo "cores (nproc): $(nproc)"
    machine_lines
    echo "dotnet: $(dotnet --version) (runtime $(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ { v = $2 } END { print v }'))"
    echo "redis: $(redis-server --version | cut -d' ' -f3), private, no persistence; $(cat "$work/redis-dbsize.txt") Redis keys and $(cat "$work/redis-memory.txt") used at the end"
    echo "load client: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), 1 thread per gateway, bench/keys.lua ($([ "$rate" -gt 0 ] && echo "paced at about $rate requests/s over both gateways: each connection waits connections × 2000 ÷ $rate ms before each request" || echo "closed loop"))"
    echo "gateway extra env: ${GATEWAY_ENV:-none}; image settings: $(image_env)"
    dirty=$(git -C "$root" status --porcelain -- AbstractCore AbstractCore.Api AbstractCore.OpenAI bench/AbstractCore.Bench 2>/dev/null | wc -l)
    echo "commit: $(git -C "$root" rev-parse --short HEAD)$([ "$dirty" -gt 0 ] && echo " (work tree: $dirty uncommitted file(s))")"
    echo "keys: $nkeys made through POST /acore/keys, each rpm $keys_rpm, tpm $keys_tpm, max_parallel $keys_parallel, budget_usd $keys_budget$([ "$off_route" = keys ] && echo ", and $nkeys without limits"), in ${keys_seconds}s"
    echo "load average (1/5/15 min) at start: $load_start; before the windows: $measure_load_before; after: $measure_load_after"
    echo "measured: $(date -u '+%Y-%m-%d') $measure_started–$measure_ended UTC; $reps round(s) × 2 windows per point (each route on one gateway, then on the other), ${warmup}s warm-up + ${duration}s each, ${prewarm}s pre-warm per route"
} >"$work/machine.txt"

set +e
python3 "$root/bench/keys_report.py" --work "$work" --out "$results/$name" --trial "$trial" --keys "$nkeys" --off "$off_route"
status=$?
set -e
echo "== wrote $results/$name.md and $results/$name.json" >&2
exit $status
