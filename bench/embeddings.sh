#!/usr/bin/env bash
# Embeddings/s of a local sentence encoder (generated, all-MiniLM-L6-v2's shape: 6 layers × 384) at 1 and 32 inputs a
# request: the raw ONNX Runtime loop in-process, Inference over HTTP, and the full gateway path (client → Api → Inference),
# in one run. Writes bench/results/<YYYY-MM-DD>-embeddings.md. Exit code 3 when the gateway path keeps < 90% of the raw
# loop at 32 inputs a request.
#
#   bench/embeddings.sh                 # full run: 40 requests a measurement, 5 rounds, 300 pre-warm requests a service
#   bench/embeddings.sh --trial         # the tiny test encoder, 1 round, 5 requests: checks the script end to end (a minute), writes nothing
#   BENCH_FORMAT=float BENCH_ROUNDS=3 BENCH_REQUESTS=20 BENCH_SKIP_BUILD=1 bench/embeddings.sh
#   BENCH_INTRA_OP=1 bench/embeddings.sh   # ONNX Runtime threads per run (raw loop and Inference alike; default: every core)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
trial=false
[ "${1:-}" = "--trial" ] && trial=true
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    nice -n "${BENCH_NICE:-0}" dotnet build AbstractCore.Api/AbstractCore.Api.csproj -c Release -nologo -v q >&2
    nice -n "${BENCH_NICE:-0}" dotnet build bench/AbstractCore.InferenceBench/AbstractCore.InferenceBench.csproj -c Release -nologo -v q >&2
fi
mkdir -p bench/results
args=(--mode embeddings --trial "$trial" --format "${BENCH_FORMAT:-base64}" --intra-op "${BENCH_INTRA_OP:-}"
      --out "bench/results/$(date -u +%F)-embeddings${BENCH_FORMAT:+-$BENCH_FORMAT}${BENCH_INTRA_OP:+-intra-op-$BENCH_INTRA_OP}.md")
[ -n "${BENCH_REQUESTS:-}" ] && args+=(--requests "$BENCH_REQUESTS")
[ -n "${BENCH_ROUNDS:-}" ] && args+=(--rounds "$BENCH_ROUNDS")
[ -n "${BENCH_PREWARM_REQUESTS:-}" ] && args+=(--prewarm "$BENCH_PREWARM_REQUESTS")
exec dotnet bench/AbstractCore.InferenceBench/bin/Release/net10.0/linux-x64/AbstractCore.InferenceBench.dll "${args[@]}"
