#!/usr/bin/env bash
# /v1/messages vs /v1/chat/completions, streamed, through one gateway in front of one TestKit fake OpenAI upstream
# (`AbstractCore.Bench upstream`, record=false, its default short text reply). The body is bench/chat.lua's for both
# routes (it is a valid Messages body too: model, messages, max_tokens 16), so the only difference is the front door:
# chat relays the upstream's chunks as bytes, Messages translates them into Anthropic's events (message_start, ping,
# content_block_*, message_delta, message_stop). For each connection count, wrk alternates chat, messages, messages,
# chat (BENCH_REPS rounds) and records requests/s, p50/p99 (whole stream) and the gateway's CPU per request; then the .NET
# client measures time to first byte at 1 connection. "Per event" divides the CPU difference per request by the events
# a Messages answer has. Writes bench/results/<date>-messages.md.
#
#   bench/messages.sh
#
# Knobs: BENCH_REPS (2), BENCH_DURATION (s, 10), BENCH_WARMUP (s, 3), BENCH_CONNECTIONS ("1 16 64"), BENCH_PREWARM (s per
# route, 30), BENCH_NAME (<UTC date>-messages), BENCH_RESULTS (bench/results). Needs wrk, curl and python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
reps=${BENCH_REPS:-2}
duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-3}
connections=${BENCH_CONNECTIONS:-"1 16 64"}
prewarm=${BENCH_PREWARM:-30}
name=${BENCH_NAME:-$(date -u +%F)-messages}
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

echo "== building (Release)" >&2
dotnet build "$root/AbstractCore.Api/AbstractCore.Api.csproj" -c Release -nologo -v q >&2
dotnet build "$root/bench/AbstractCore.Bench/AbstractCore.Bench.csproj" -c Release -nologo -v q >&2
bench_dll=$root/bench/AbstractCore.Bench/bin/Release/net10.0/AbstractCore.Bench.dll
api_dll=$root/AbstractCore.Api/bin/Release/net10.0/AbstractCore.Api.dll

dotnet "$bench_dll" upstream >"$work/upstream.out" 2>/dev/null & up=$!
pids="$up"
wait_for "the fake upstream" 30 grep -q '^http' "$work/upstream.out"
base=$(grep -m1 '^http' "$work/upstream.out")
port=$(dotnet "$bench_dll" free-port)
env -u ASPNETCORE_URLS URLS="http://127.0.0.1:$port" ASPNETCORE_ENVIRONMENT=Production OPENAI_COMPATIBLE_BASE_URL="${base%/}" \
    ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED=1 $(image_env) dotnet "$api_dll" >"$work/gateway.log" 2>&1 & gw=$!
pids="$pids $gw"
wait_for "the gateway" 60 curl -sf "http://127.0.0.1:$port/health"
chat=http://127.0.0.1:$port/v1/chat/completions
messages=http://127.0.0.1:$port/v1/messages
body='{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"Say hello in five words."}],"max_tokens":16,"stream":true}'
chat_events=$(curl -sS "$chat" -H 'content-type: application/json' -d "$body" | grep -c '^data:')
messages_events=$(curl -sS "$messages" -H 'content-type: application/json' -d "$body" | grep -c '^data:')

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# point LABEL URL CONNECTIONS: one wrk measurement, one JSON line with the gateway's CPU ticks (1/100 s) in it.
point() {
    local label=$1 url=$2 c=$3 t0 t1 out
    BENCH_STREAM=1 wrk -t1 -c"$c" -d"${warmup}s" -s bench/chat.lua "$url" >/dev/null
    t0=$(ticks $gw)
    out=$(BENCH_STREAM=1 BENCH_LABEL="$label" wrk -t1 -c"$c" -d"${duration}s" -s bench/chat.lua "$url" | grep '^{')
    t1=$(ticks $gw)
    echo "${out%\}},\"connections\":$c,\"gateway_ticks\":$((t1 - t0)),\"loadavg\":\"$(cut -d' ' -f1 /proc/loadavg)\"}"
}

echo "== pre-warm: ${prewarm}s per route, streamed and not (tiered JIT settles)" >&2
for url in "$chat" "$messages"; do
    wrk -t1 -c16 -d"$((prewarm * 2 / 3))s" -s bench/chat.lua "$url" >/dev/null
    BENCH_STREAM=1 wrk -t1 -c16 -d"$((prewarm / 3))s" -s bench/chat.lua "$url" >/dev/null
done

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$work/points.jsonl"
for c in $connections; do
    for r in $(seq "$reps"); do
        for label in chat messages messages chat; do
            url=$chat; [ "$label" = messages ] && url=$messages
            echo "== $label, $c connections, round $r" >&2
            point "$label" "$url" "$c" >>"$work/points.jsonl"
        done
    done
done
for label in chat messages; do
    url=$chat; [ "$label" = messages ] && url=$messages
    dotnet "$bench_dll" load --url "$url" --connections 1 --duration "$duration" --warmup "$warmup" --stream --label "$label" \
        >>"$work/ttfb.jsonl"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p "$results"
python3 - "$work" "$results/$name.md" "$chat_events" "$messages_events" "$load_before" "$load_after" "$(git rev-parse --short HEAD)" <<'PY'
import json, os, statistics, sys
work, out, chat_events, messages_events, before, after, sha = sys.argv[1:]
points = [json.loads(l) for l in open(f"{work}/points.jsonl")]
ttfb = {j["label"]: j for j in map(json.loads, open(f"{work}/ttfb.jsonl"))}
tick_us = 1e6 / os.sysconf("SC_CLK_TCK")
rows, cpu = [], {}
for c in sorted({p["connections"] for p in points}):
    agg = {}
    for label in ("chat", "messages"):
        ps = [p for p in points if p["connections"] == c and p["label"] == label]
        reqs = sum(p["requests"] for p in ps)
        agg[label] = dict(rps=statistics.mean(p["rps"] for p in ps), p50=statistics.median(p["latency_ms"]["p50"] for p in ps),
                          p99=statistics.median(p["latency_ms"]["p99"] for p in ps),
                          cpu=sum(p["gateway_ticks"] for p in ps) * tick_us / reqs, errors=sum(p["errors"] for p in ps))
    cpu[c] = agg
    m, ch = agg["messages"], agg["chat"]
    rows.append(f"| {c} | {ch['rps']:,.0f} | {m['rps']:,.0f} ({m['rps'] / ch['rps']:.0%}) | {ch['p50']:.2f} / {ch['p99']:.2f} | "
                f"{m['p50']:.2f} / {m['p99']:.2f} | {ch['cpu']:.0f} | {m['cpu']:.0f} ({m['cpu'] / ch['cpu']:.2f}×) | "
                f"{(m['cpu'] - ch['cpu']) / int(messages_events):.1f} | {ch['errors'] + m['errors']} |")
t = lambda label, q: ttfb[label]["ttfb_ms"][q]
lines = [
    f"# /v1/messages vs /v1/chat/completions, streamed ({sha})", "",
    "Produced by `bench/messages.sh`: one gateway (Release, image settings) in front of one fake OpenAI upstream "
    "(TestKit, its short text reply); the same body to both routes; wrk, one thread, closed loop; chat and messages "
    f"alternate (chat, messages, messages, chat) per round. Load average before: {before}; after: {after} (2 cores).", "",
    f"A chat answer is {chat_events} SSE events (relayed as bytes); the Messages answer to it is {messages_events} "
    "(message_start, ping, content_block_start, one delta per upstream chunk, content_block_stop, message_delta, message_stop).", "",
    "| Connections | chat req/s | messages req/s | chat p50 / p99 ms | messages p50 / p99 ms | chat CPU µs/req | messages CPU µs/req | "
    "extra CPU µs per Messages event | errors |",
    "|---|---|---|---|---|---|---|---|---|", *rows, "",
    "Time to first byte, 1 connection, .NET client (`AbstractCore.Bench load --stream`), ms:", "",
    "| Route | p50 | p90 | p99 |", "|---|---|---|---|",
    *[f"| {label} | {t(label, 'p50'):.3f} | {t(label, 'p90'):.3f} | {t(label, 'p99'):.3f} |" for label in ("chat", "messages")], "",
]
open(out, "w").write("\n".join(lines))
print("\n".join(lines))
PY
echo "== wrote $results/$name.md" >&2
