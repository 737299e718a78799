#!/usr/bin/env bash
# Memory of the gateway around one large authenticated chat body (issue 13, point 4b): the fake upstream and the
# Release gateway as their own processes, a ~60 MB chat body (one user message) posted N times with curl, and the
# gateway's resident memory read from /proc: before, its peak (VmHWM), right after, and after an idle pause.
#
#   bench/large-body.sh                        # 60 MB body, 3 posts, 10 s pause
#   BODY_MB=60 POSTS=3 PAUSE=10 GATEWAY_ENV="DOTNET_GCgen0size=..." bench/large-body.sh
#   BENCH_SKIP_BUILD=1 bench/large-body.sh     # reuse the last Release build
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
body_mb=${BODY_MB:-60}
posts=${POSTS:-3}
pause=${PAUSE:-10}

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
bench_dll=$root/bench/AbstractCore.Bench/bin/Release/net10.0/AbstractCore.Bench.dll
api_dll=$root/AbstractCore.Api/bin/Release/net10.0/AbstractCore.Api.dll
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    dotnet build "$root/AbstractCore.Api/AbstractCore.Api.csproj" -c Release -nologo -v q >&2
    dotnet build "$root/bench/AbstractCore.Bench/AbstractCore.Bench.csproj" -c Release -nologo -v q >&2
fi

. "$root/bench/wait-for.sh"
bench_work_dir
start_upstream

token=bench-token
port=$(dotnet "$bench_dll" free-port)
# shellcheck disable=SC2086
env -u ASPNETCORE_URLS -u URLS -u HTTP_PORTS -u OTEL_EXPORTER_OTLP_ENDPOINT \
    HOST=127.0.0.1 PORT="$port" ASPNETCORE_ENVIRONMENT=Production ABSTRACTCORE_AUTH_TOKEN=$token \
    OPENAI_COMPATIBLE_BASE_URL="${upstream_base%/}" \
    ${GATEWAY_ENV:-} dotnet "$api_dll" >"$work/gateway.out" 2>"$work/gateway.err" &
gateway_pid=$!
wait_for "the gateway (GET /health)" 60 curl -fsS "http://127.0.0.1:$port/health" \
    || { cat "$work/gateway.out" "$work/gateway.err" >&2; exit 1; }

python3 - "$work/body.json" "$body_mb" <<'PY'
import json, sys
text = "lorem ipsum dolor sit amet " * (int(sys.argv[2]) * 1024 * 1024 // 27)
json.dump({"model": "openai-compatible/fake-model", "messages": [{"role": "user", "content": text}], "max_tokens": 16}, open(sys.argv[1], "w"))
PY

rss() { awk -v k="$1:" '$1 == k { printf "%d", $2 / 1024 }' "/proc/$gateway_pid/status"; }
echo "body: $(($(stat -c %s "$work/body.json") / 1024 / 1024)) MB, gateway pid $gateway_pid, GATEWAY_ENV='${GATEWAY_ENV:-}'"
echo "before: rss=$(rss VmRSS) MB"
for i in $(seq "$posts"); do
    code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        --data-binary "@$work/body.json" "http://127.0.0.1:$port/v1/chat/completions")
    echo "post $i: HTTP $code, rss=$(rss VmRSS) MB, peak=$(rss VmHWM) MB"
done
sleep "$pause"
echo "after ${pause}s idle: rss=$(rss VmRSS) MB, peak=$(rss VmHWM) MB"
