#!/usr/bin/env bash
# Log volume of a conformance-style run: a few hundred requests of several kinds through the gateway (in front of
# the bench's fake upstream), then the number of lines and bytes the gateway process wrote (stdout + stderr).
#
#   bench/log-volume.sh                          # this checkout's Release build
#   API_DLL=/other/checkout/AbstractCore.Api/bin/Release/net10.0/AbstractCore.Api.dll bench/log-volume.sh   # before/after
#   ROUNDS=50 bench/log-volume.sh                # each round: 8 requests (default 50 rounds = 400 requests)
#
# The gateway runs from its build folder, as a published app or container does, so it reads the appsettings.json
# shipped next to it. BENCH_SKIP_BUILD=1 reuses the last Release build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
rounds=${ROUNDS:-50}
api_dll=${API_DLL:-$root/AbstractCore.Api/bin/Release/net10.0/AbstractCore.Api.dll}
bench_dll=${BENCH_DLL:-$root/bench/AbstractCore.Bench/bin/Release/net10.0/AbstractCore.Bench.dll}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    dotnet build "$root/AbstractCore.Api/AbstractCore.Api.csproj" -c Release -nologo -v q >&2
    dotnet build "$root/bench/AbstractCore.Bench/AbstractCore.Bench.csproj" -c Release -nologo -v q >&2
fi

work=$(mktemp -d)
upstream_pid= gateway_pid=
cleanup() {
    for pid in $gateway_pid $upstream_pid; do kill "$pid" 2>/dev/null || true; done
    for pid in $gateway_pid $upstream_pid; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
wait_for() { local what=$1 limit=$2; shift 2; for _ in $(seq "$((limit * 5))"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
    echo "$what did not come up" >&2; return 1; }

dotnet "$bench_dll" upstream >"$work/upstream.out" 2>"$work/upstream.err" &
upstream_pid=$!
wait_for "the fake upstream" 30 grep -q '^http' "$work/upstream.out"
upstream_base=$(grep -m1 '^http' "$work/upstream.out")
port=$(dotnet "$bench_dll" free-port)
token=log-volume-token
(cd "$(dirname "$api_dll")" && exec env -u ASPNETCORE_URLS -u URLS -u HTTP_PORTS -u OTEL_EXPORTER_OTLP_ENDPOINT \
    -u ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED HOST=127.0.0.1 PORT="$port" ASPNETCORE_ENVIRONMENT=Production \
    ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG=1 ABSTRACTCORE_AUTH_TOKEN=$token \
    OPENAI_COMPATIBLE_BASE_URL="${upstream_base%/}" OPENAI_COMPATIBLE_API_KEY=upstream-key ${GATEWAY_ENV:-} \
    dotnet "$api_dll") >"$work/gateway.out" 2>"$work/gateway.err" &
gateway_pid=$!
base=http://127.0.0.1:$port
wait_for "the gateway" 60 curl -fsS "$base/health"
startup=$(cat "$work/gateway.out" "$work/gateway.err" | wc -l)

chat='{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"Say hello"}],"max_tokens":16}'
stream='{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"Say hello"}],"stream":true}'
responses='{"model":"openai-compatible/fake-model","input":"Say hello"}'
auth=(-H "Authorization: Bearer $token" -H "Content-Type: application/json")
for _ in $(seq "$rounds"); do
    curl -sS -o /dev/null "${auth[@]}" -d "$chat" "$base/v1/chat/completions"
    curl -sS -o /dev/null "${auth[@]}" -d "$stream" "$base/v1/chat/completions"
    curl -sS -o /dev/null "${auth[@]}" -d "$responses" "$base/v1/responses"
    curl -sS -o /dev/null "${auth[@]}" "$base/v1/models"
    curl -sS -o /dev/null "$base/health"
    curl -sS -o /dev/null -H "Content-Type: application/json" -d "$chat" "$base/v1/chat/completions"                 # 401: no token
    curl -sS -o /dev/null "${auth[@]}" -d '{"model":"openai-compatible/fake-model"}' "$base/v1/chat/completions"   # 400: no messages
    curl -sS -o /dev/null "${auth[@]}" -d '{"model":"nosuch/m","messages":[]}' "$base/v1/chat/completions"          # 404: unknown provider
done
sleep 1
total=$(cat "$work/gateway.out" "$work/gateway.err" | wc -l)
bytes=$(cat "$work/gateway.out" "$work/gateway.err" | wc -c)
echo "requests=$((rounds * 8)) startup_lines=$startup run_lines=$((total - startup)) total_lines=$total total_bytes=$bytes api=$api_dll"
if [ -n "${SHOW_LOG:-}" ]; then cat "$work/gateway.out" "$work/gateway.err"; fi
