#!/usr/bin/env bash
# Tokens/s of local ONNX inference on a generated model: the raw engine loop (in-process), Inference over HTTP,
# and the full gateway path (client → Api → Inference), at 1 and 4 concurrent streams. Each round runs the three paths in
# turns, a pass each (every stream one request), so the machine's swings in speed fall on all three alike.
# Writes bench/results/<YYYY-MM-DD>-inference-<model>.md. Exit code 3 when the gateway path keeps < 95% of the raw loop at 1 or 4 streams.
#
#   bench/inference.sh                    # bench-size model (4 layers × 512), 512 tokens a request, 6 passes a round, 5 rounds
#   BENCH_MODEL=tiny bench/inference.sh   # the test model (per-token overhead dominates: a stress test of the path)
#   BENCH_TOKENS=256 BENCH_REQUESTS=1 BENCH_ROUNDS=3 BENCH_SKIP_BUILD=1 bench/inference.sh
#   BENCH_INTRA_OP=1 bench/inference.sh  # ONNX Runtime threads per step (raw loop and Inference alike; default: every core)
#   BENCH_PREWARM_REQUESTS=600           # requests sent through each service before measuring (JIT warm-up; 0 to skip)
#   ABSTRACTCORE_ONNX_ALLOW_SPINNING=true bench/inference.sh   # Inference's settings in this environment reach the raw loop too
#   BENCH_INFERENCE_ENV="DOTNET_gcServer=1" BENCH_API_ENV="…"  # extra environment for one service only (runtime knobs to compare)
#   BENCH_NAME=spin                      # suffix of the result file (…-inference-bench-spin.md)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    dotnet build AbstractCore.Api/AbstractCore.Api.csproj -c Release -nologo -v q >&2
    dotnet build bench/AbstractCore.InferenceBench/AbstractCore.InferenceBench.csproj -c Release -nologo -v q >&2
fi
mkdir -p bench/results
out=bench/results/$(date -u +%F)-inference-${BENCH_MODEL:-bench}${BENCH_INTRA_OP:+-intra-op-$BENCH_INTRA_OP}${BENCH_NAME:+-$BENCH_NAME}.md
dotnet bench/AbstractCore.InferenceBench/bin/Release/net10.0/linux-x64/AbstractCore.InferenceBench.dll \
    --model "${BENCH_MODEL:-bench}" --tokens "${BENCH_TOKENS:-512}" --requests "${BENCH_REQUESTS:-6}" --rounds "${BENCH_ROUNDS:-5}" --prewarm "${BENCH_PREWARM_REQUESTS:-600}" --intra-op "${BENCH_INTRA_OP:-}" \
    --inference-env "${BENCH_INFERENCE_ENV:-}" --api-env "${BENCH_API_ENV:-}" --out "$out"
