#!/usr/bin/env bash
# Anthropic-routed chat, gateway "before" vs "after": the gateway built at BENCH_BEFORE (default 1662d63, the commit
# before the chat relay, the streamed tool-call fragments and the SseParser Anthropic reader) from a temporary
# `git worktree`, and the gateway of this work tree, both in front of one TestKit FakeAnthropicUpstream
# (`AbstractCore.Bench anthropic-upstream`, record=false, its default short text reply). wrk POSTs bench/chat.lua's
# body with model anthropic/claude-test, non-streamed and streamed, at 1/16/64 connections; each point alternates
# before/after (before, after, after, before, ... BENCH_REPS times each). Writes bench/results/<date>-anthropic.{md,json}.
#
#   bench/anthropic.sh
#
# Knobs: BENCH_BEFORE (commit, 1662d63), BENCH_REPS (measurements per gateway and point, 2), BENCH_DURATION (s, 10),
# BENCH_WARMUP (s, 3), BENCH_CONNECTIONS ("1 16 64"), BENCH_PREWARM (s per gateway, 30; a third of it streamed again),
# BENCH_QUIET_WAIT (s to wait for a quiet second before each point, 10), BENCH_NAME (<UTC date>-anthropic),
# BENCH_RESULTS (bench/results). Needs wrk, curl, jq and python3 (the report).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

before_rev=${BENCH_BEFORE:-1662d63}
reps=${BENCH_REPS:-2}
duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-3}
connections=${BENCH_CONNECTIONS:-"1 16 64"}
prewarm=${BENCH_PREWARM:-30}
quiet_wait=${BENCH_QUIET_WAIT:-10}
name=${BENCH_NAME:-$(date -u +%F)-anthropic}
results=${BENCH_RESULTS:-$root/bench/results}
model=anthropic/claude-test
# A server-held ANTHROPIC_API_KEY is used only for requests that carry the server token (else 401), so both gateways
# get ABSTRACTCORE_AUTH_TOKEN and every request its bearer (chat.lua's BENCH_AUTH).
token=bench-token

for tool in wrk curl jq python3; do
    command -v $tool >/dev/null 2>&1 || { echo "$tool is not installed" >&2; exit 2; }
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work=$(mktemp -d)
raw=$work/raw
mkdir -p "$raw"
before_tree=$work/before
pids=
cleanup() {
    stop_pids $pids
    if [ -d "$before_tree" ]; then git -C "$root" worktree remove --force "$before_tree" >/dev/null 2>&1 || true; fi
    git -C "$root" worktree prune >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
. "$root/bench/wait-for.sh"

before_sha=$(git -C "$root" rev-parse --short "$before_rev")
after_sha=$(git -C "$root" rev-parse --short HEAD)
echo "== building before ($before_sha, temporary worktree) and after ($after_sha, this work tree), Release" >&2
git -C "$root" worktree add --detach "$before_tree" "$before_rev" >/dev/null 2>&1
dotnet build "$before_tree/AbstractCore.Api/AbstractCore.Api.csproj" -c Release -nologo -v q >&2
dotnet build "$root/AbstractCore.Api/AbstractCore.Api.csproj" -c Release -nologo -v q >&2
dotnet build "$root/bench/AbstractCore.Bench/AbstractCore.Bench.csproj" -c Release -nologo -v q >&2
bench_dll=$root/bench/AbstractCore.Bench/bin/Release/net10.0/AbstractCore.Bench.dll
dll_before=$before_tree/AbstractCore.Api/bin/Release/net10.0/AbstractCore.Api.dll
dll_after=$root/AbstractCore.Api/bin/Release/net10.0/AbstractCore.Api.dll

# --- the fake Anthropic upstream, on a free port of its own that it prints (http://127.0.0.1:<port>/).
dotnet "$bench_dll" anthropic-upstream >"$work/upstream.out" 2>"$work/upstream.err" &
upstream_pid=$!
pids="$upstream_pid"
wait_for "the fake Anthropic upstream" 30 grep -q '^http' "$work/upstream.out" || { cat "$work/upstream.err" >&2; exit 1; }
upstream_base=$(grep -m1 '^http' "$work/upstream.out")

start_gateway() { # name dll; sets <name>_pid and <name>_url
    local gw=$1 dll=$2 port pid
    port=$(dotnet "$bench_dll" free-port)
    env -u ASPNETCORE_URLS -u URLS -u HTTP_PORTS -u OTEL_EXPORTER_OTLP_ENDPOINT \
        -u OPENAI_COMPATIBLE_BASE_URL -u OPENAI_API_KEY -u ABSTRACTCORE_INFERENCE_URL \
        HOST=127.0.0.1 PORT="$port" ASPNETCORE_ENVIRONMENT=Production \
        ANTHROPIC_BASE_URL="${upstream_base%/}" ANTHROPIC_API_KEY=x \
        ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED=1 ABSTRACTCORE_AUTH_TOKEN="$token" Logging__LogLevel__Default=Warning \
        $(image_env) dotnet "$dll" >"$work/$gw.out" 2>"$work/$gw.err" &
    pid=$!
    pids="$pid $pids"
    wait_for "the $gw gateway (GET /health)" 60 curl -fsS "http://127.0.0.1:$port/health" \
        || { cat "$work/$gw.out" "$work/$gw.err" >&2; exit 1; }
    printf -v "${gw}_pid" %s "$pid"
    printf -v "${gw}_url" %s "http://127.0.0.1:$port/v1/chat/completions"
}
start_gateway before "$dll_before"
start_gateway after "$dll_after"
url_of() { if [ "$1" = before ]; then echo "$before_url"; else echo "$after_url"; fi; }
pid_of() { if [ "$1" = before ]; then echo "$before_pid"; else echo "$after_pid"; fi; }

body='{"model":"'$model'","messages":[{"role":"user","content":"Say hello in five words."}],"max_tokens":16'
for gw in before after; do
    answer=$(curl -sS -m 10 -H 'Content-Type: application/json' -H "Authorization: Bearer $token" -d "$body}" "$(url_of $gw)" 2>&1 || true)
    case $answer in *'Hello from the fake Anthropic'*) ;; *) echo "$gw did not answer through Anthropic: ${answer:0:300}" >&2; exit 1 ;; esac
    answer=$(curl -sS -N -m 10 -H 'Content-Type: application/json' -H "Authorization: Bearer $token" -d "$body,\"stream\":true}" "$(url_of $gw)" 2>&1 || true)
    case $answer in *'[DONE]'*) ;; *) echo "$gw did not stream through Anthropic: ${answer:0:300}" >&2; exit 1 ;; esac
done
echo "== upstream $upstream_base (pid $upstream_pid), before $before_sha :${before_url#http://127.0.0.1:} (pid $before_pid), after $after_sha :${after_url#http://127.0.0.1:} (pid $after_pid)" >&2

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }                              # utime+stime, USER_HZ ticks
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; } # busy time of all cores
wait_quiet() { # up to BENCH_QUIET_WAIT s for a second with the machine under 0.15 cores busy
    local deadline=$((SECONDS + quiet_wait)) t0 t1
    while :; do
        t0=$(machine_ticks); sleep 1; t1=$(machine_ticks)
        [ $((t1 - t0)) -lt 15 ] && return 0
        [ $SECONDS -ge $deadline ] && return 0
    done
}

wrk_run() { # url connections stream seconds [label]
    BENCH_MODEL=$model BENCH_AUTH=$token BENCH_STREAM=$3 BENCH_LABEL=${5:-} wrk -t1 -c"$2" -d"$4s" --timeout 5s -s "$root/bench/chat.lua" "$1"
}

# --- pre-warm (not recorded): tiered JIT needs 20-35 s of load before the hot paths are tier-1 code (bench/README.md).
third=$((prewarm / 3 > 0 ? prewarm / 3 : 1))
echo "-- pre-warm: ${prewarm}s non-streamed + ${third}s streamed per gateway, 16 connections" >&2
for gw in before after; do
    wrk_run "$(url_of $gw)" 16 0 "$prewarm" >/dev/null
    wrk_run "$(url_of $gw)" 16 1 "$third" >/dev/null
done

measure() { # gateway mode(plain|stream) connections rep
    local gw=$1 mode=$2 c=$3 rep=$4 s=0 label pid gw0 gw1 up0 up1 m0 m1 t0 t1 times
    [ "$mode" = stream ] && s=1
    label=$mode-c$c-$gw-$rep
    pid=$(pid_of "$gw")
    wait_quiet
    wrk_run "$(url_of "$gw")" "$c" $s "$warmup" >/dev/null
    gw0=$(ticks "$pid"); up0=$(ticks "$upstream_pid"); m0=$(machine_ticks); t0=$(date +%s.%N)
    times=$( { TIMEFORMAT='%U %S'; time wrk_run "$(url_of "$gw")" "$c" $s "$duration" "$label" >"$raw/$label.out"; } 2>&1 )
    gw1=$(ticks "$pid"); up1=$(ticks "$upstream_pid"); m1=$(machine_ticks); t1=$(date +%s.%N)
    grep '^{' "$raw/$label.out" | jq -c --arg gw "$gw" --arg mode "$mode" --argjson c "$c" --argjson rep "$rep" \
        --argjson gwcpu "$(awk -v a="$gw0" -v b="$gw1" 'BEGIN { print (b - a) / 100 }')" \
        --argjson upcpu "$(awk -v a="$up0" -v b="$up1" 'BEGIN { print (b - a) / 100 }')" \
        --argjson clientcpu "$(echo "$times" | awk '{ print $1 + $2 }')" \
        --argjson machinecpu "$(awk -v a="$m0" -v b="$m1" 'BEGIN { print (b - a) / 100 }')" \
        --argjson window "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
        --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
        '. + {gateway: $gw, mode: $mode, connections: $c, rep: $rep, cpu_s: {gateway: $gwcpu, upstream: $upcpu,
            client: $clientcpu, machine: $machinecpu}, window_s: $window, loadavg: $load}' >>"$raw/points.jsonl"
    tail -1 "$raw/points.jsonl" | jq -r '"   \(.label): \(.rps) req/s, p50 \(.latency_ms.p50) ms, p99 \(.latency_ms.p99) ms, gateway \(.cpu_s.gateway) s CPU, errors \(.errors), load \(.loadavg)"' >&2
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
for mode in plain stream; do
    for c in $connections; do
        echo "-- $mode, $c connection(s): ${reps}x each, ${warmup}s warm-up + ${duration}s" >&2
        for ((rep = 1; rep <= reps; rep++)); do
            if ((rep % 2)); then order="before after"; else order="after before"; fi
            for gw in $order; do measure "$gw" "$mode" "$c" "$rep"; done
        done
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

{
    echo "cores (nproc): $(nproc)"
    echo "CPU: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
    echo "memory: $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "OS: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
    echo "dotnet: $(dotnet --version) (runtime $(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ { v = $2 } END { print v }'))"
    echo "load client: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), 1 thread, bench/chat.lua with BENCH_MODEL=$model"
    echo "before: $before_sha ($(git -C "$root" log -1 --format=%s "$before_rev" | cut -c1-90)...)"
    echo "after: $after_sha$([ -n "$(git -C "$root" status --porcelain -- AbstractCore AbstractCore.Api)" ] && echo " (uncommitted changes in AbstractCore/AbstractCore.Api)")"
    echo "load average (1/5/15 min) before: $load_before; after: $load_after"
    echo "measured: $started, ${reps}x per gateway and point (alternating before/after), ${warmup}s warm-up + ${duration}s, pre-warm ${prewarm}s + ${third}s streamed per gateway, quiet wait up to ${quiet_wait}s per point, no CPU pinning"
} >"$raw/machine.txt"

mkdir -p "$results"
python3 - "$raw/points.jsonl" "$raw/machine.txt" "$results/$name" "$before_sha" "$after_sha" <<'EOF'
import json, statistics, sys
points_file, machine_file, out, before_sha, after_sha = sys.argv[1:]
points = [json.loads(line) for line in open(points_file)]
machine = open(machine_file).read().strip().splitlines()

def other(p):  # cores taken by processes outside the benchmark during the window
    c = p["cpu_s"]
    return max(0.0, (c["machine"] - c["gateway"] - c["upstream"] - c["client"]) / p["window_s"])

rows = []
for mode in ("plain", "stream"):
    for c in sorted({p["connections"] for p in points}):
        row = {"mode": "non-streamed" if mode == "plain" else "streamed", "connections": c}
        for gw in ("before", "after"):
            ps = [p for p in points if p["mode"] == mode and p["connections"] == c and p["gateway"] == gw]
            if not ps:
                continue
            med = lambda f: statistics.median(f(p) for p in ps)
            row[gw] = {
                "rps": med(lambda p: p["rps"]),
                "p50_ms": med(lambda p: p["latency_ms"]["p50"]),
                "p99_ms": med(lambda p: p["latency_ms"]["p99"]),
                "cpu_us_per_request": med(lambda p: p["cpu_s"]["gateway"] * 1e6 / max(1, p["requests"])),
                "upstream_cpu_us_per_request": med(lambda p: p["cpu_s"]["upstream"] * 1e6 / max(1, p["requests"])),
                "errors": sum(p["errors"] for p in ps),
                "other_cores": med(other),
                "runs_rps": [p["rps"] for p in ps],
                "loadavg": [p["loadavg"] for p in ps],
            }
        if "before" in row and "after" in row:
            b, a = row["before"], row["after"]
            row["after_over_before"] = {
                "rps": a["rps"] / b["rps"],
                "p50": a["p50_ms"] / b["p50_ms"],
                "p99": a["p99_ms"] / b["p99_ms"],
                "cpu_per_request": a["cpu_us_per_request"] / b["cpu_us_per_request"] if b["cpu_us_per_request"] else None,
            }
        rows.append(row)

json.dump({"before": before_sha, "after": after_sha, "machine": machine, "rows": rows, "points": points},
          open(out + ".json", "w"), indent=1)

f = lambda x, d=1: "–" if x is None else f"{x:,.{d}f}"
lines = [f"# Anthropic-routed chat: gateway {before_sha} (before) vs {after_sha} (after)", "",
         "`bench/anthropic.sh`: both gateways in front of one TestKit `FakeAnthropicUpstream` (record=false, default short "
         "text reply), `anthropic/claude-test`, wrk closed loop; each point measured alternately before/after, the median "
         "of the runs shown. CPU µs/request: the gateway process's user+system time in the measured window ÷ requests.", "",
         "| mode | conns | before req/s | after req/s | after÷before req/s | before p50 / p99 ms | after p50 / p99 ms "
         "| before CPU µs/req | after CPU µs/req | after÷before CPU/req | other cores (b/a) |",
         "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
for r in rows:
    b, a, q = r.get("before"), r.get("after"), r.get("after_over_before", {})
    if not (b and a):
        continue
    lines.append(f"| {r['mode']} | {r['connections']} | {f(b['rps'])} | {f(a['rps'])} | {f(q['rps'] * 100)} % "
                 f"| {f(b['p50_ms'], 3)} / {f(b['p99_ms'], 2)} | {f(a['p50_ms'], 3)} / {f(a['p99_ms'], 2)} "
                 f"| {f(b['cpu_us_per_request'], 0)} | {f(a['cpu_us_per_request'], 0)} "
                 f"| {f(q['cpu_per_request'], 2)}× | {f(b['other_cores'], 2)} / {f(a['other_cores'], 2)} |")
errors = sum(p["errors"] for p in points)
lines += ["", f"Errors (connect/read/write/status/timeout) over all points: {errors}.", "",
          "## Every run", "", "| point | req/s | p50 ms | p99 ms | gateway CPU µs/req | other cores | load average |",
          "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
for p in points:
    lines.append(f"| {p['label']} | {f(p['rps'])} | {f(p['latency_ms']['p50'], 3)} | {f(p['latency_ms']['p99'], 2)} "
                 f"| {f(p['cpu_s']['gateway'] * 1e6 / max(1, p['requests']), 0)} | {f(other(p), 2)} | {p['loadavg']} |")
lines += ["", "## Machine", ""] + [f"- {m}" for m in machine] + [""]
open(out + ".md", "w").write("\n".join(lines))
EOF
echo "== wrote $results/$name.md and $results/$name.json" >&2
