#!/usr/bin/env bash
# Cold start of the gateway: how much of its steady throughput a FRESH process serves in its first seconds of load.
# Writes bench/results/<YYYY-MM-DD>-cold-start.md and .json. What it measures: bench/README.md, "Cold start".
#
#   bench/cold-start.sh                        # the published ReadyToRun gateway (what the container images run)
#   COLD_BUILD=build bench/cold-start.sh       # the plain `dotnet build` output instead (JIT only)
#   COLD_MODES="plain stream" bench/cold-start.sh   # streamed too (BENCH_STREAM=1 in chat.lua), each on fresh processes
#
# Per run (COLD_RUNS, default 3): a fresh gateway process; time from its start to GET /health 200; then at once
# COLD_CONNECTIONS (64) wrk connections for COLD_FIRST (5) s, recorded ("first"); COLD_SETTLE (30) s more of load on
# the same process, not recorded; COLD_STEADY (10) s recorded ("steady"). Reported: requests/s of both windows, their
# ratio, the gateway's CPU µs per request in both, and the cores other processes took (the machine is shared).
# Knobs: COLD_RUNS, COLD_CONNECTIONS, COLD_FIRST, COLD_SETTLE, COLD_STEADY, COLD_MODES ("plain"), COLD_BUILD (r2r|build), COLD_TARGET (gateway|yarp: the bare YARP baseline instead),
# COLD_QUIET_WAIT (s, 10: wait up to this long for a quiet second before each fresh process), GATEWAY_ENV (extra
# VAR=value words for the gateway, e.g. "DOTNET_TieredPGO=0"), BENCH_NAME (<UTC date>-cold-start), BENCH_RESULTS,
# BENCH_SKIP_BUILD=1 (reuse the last build/publish output). Needs wrk (apt-get install -y wrk).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
# shellcheck source=bench/wait-for.sh
. "$root/bench/wait-for.sh"

runs=${COLD_RUNS:-3}
conns=${COLD_CONNECTIONS:-64}
first=${COLD_FIRST:-5}
settle=${COLD_SETTLE:-30}
steady=${COLD_STEADY:-10}
modes=${COLD_MODES:-plain}
build=${COLD_BUILD:-r2r}
quiet_wait=${COLD_QUIET_WAIT:-10}
name=${BENCH_NAME:-$(date -u +%F)-cold-start}
results=${BENCH_RESULTS:-$root/bench/results}
command -v wrk >/dev/null 2>&1 || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 2; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
bench_dll=$root/bench/AbstractCore.Bench/bin/Release/net10.0/AbstractCore.Bench.dll
# COLD_TARGET=yarp measures the bare YARP pass-through (bench/AbstractCore.YarpBaseline) the same way, built the same way.
case ${COLD_TARGET:-gateway} in
    gateway) project=AbstractCore.Api; shipped_env=$(image_env) ;; # with the runtime settings its container image sets
    yarp) project=bench/AbstractCore.YarpBaseline; shipped_env= ;;
    *) echo "COLD_TARGET must be gateway or yarp" >&2; exit 2 ;;
esac
assembly=$(basename "$project")
case $build in
    # The container path: deploy/build-images.sh publishes for linux-x64, framework-dependent; deploy/Containers.props
    # turns ReadyToRun on when a RID is given, so this is what the api image runs.
    r2r) api_dir=$root/artifacts/cold-start/$assembly-r2r
         api_publish=(dotnet publish "$root/$project/$assembly.csproj" -c Release -r linux-x64 --self-contained false
             -p:PublishReadyToRun=true -o "$api_dir" -nologo -v q) ;;
    build) api_dir=$root/$project/bin/Release/net10.0
         api_publish=(dotnet build "$root/$project/$assembly.csproj" -c Release -nologo -v q) ;;
    *) echo "COLD_BUILD must be r2r or build" >&2; exit 2 ;;
esac
api_dll=$api_dir/$assembly.dll
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    echo "== building ($build)" >&2
    "${api_publish[@]}" >&2
    dotnet build "$root/bench/AbstractCore.Bench/AbstractCore.Bench.csproj" -c Release -nologo -v q >&2
fi

bench_work_dir

# --- the fake upstream, warmed (it JITs too) so that its own cold start is not in the gateway's first window.
start_upstream
echo "-- warming the fake upstream: 10 s at $conns connections, then 3 s streamed" >&2
wrk -t1 -c"$conns" -d10s --timeout 5s -s "$root/bench/chat.lua" "${upstream_base}chat/completions" >/dev/null
BENCH_STREAM=1 wrk -t1 -c"$conns" -d3s --timeout 5s -s "$root/bench/chat.lua" "${upstream_base}chat/completions" >/dev/null

ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo $t; }
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
wait_quiet() { # up to quiet_wait seconds for a second with the machine under 0.15 cores busy
    local deadline=$((SECONDS + quiet_wait)) t0 t1
    while :; do
        t0=$(machine_ticks); sleep 1; t1=$(machine_ticks)
        [ $((t1 - t0)) -lt 15 ] && return 0
        [ $SECONDS -ge $deadline ] && { echo "   machine still busy after ${quiet_wait}s; measuring anyway" >&2; return 0; }
    done
}

window() { # mode seconds url -> "rps gateway_us_per_request other_cores errors" for one recorded wrk window
    local mode=$1 seconds=$2 url=$3 g0 u0 m0 g1 u1 m1 t0 t1 times out
    g0=$(ticks "$gateway_pid"); u0=$(ticks "$upstream_pid"); m0=$(machine_ticks); t0=$(date +%s.%N)
    times=$( { TIMEFORMAT='%U %S'; time BENCH_STREAM=$([ "$mode" = stream ] && echo 1 || echo 0) \
        wrk -t1 -c"$conns" -d"${seconds}s" --timeout 5s -s "$root/bench/chat.lua" "$url" >"$work/wrk.out"; } 2>&1 )
    g1=$(ticks "$gateway_pid"); u1=$(ticks "$upstream_pid"); m1=$(machine_ticks); t1=$(date +%s.%N)
    out=$(grep '^{' "$work/wrk.out")
    awk -v j="$out" -v t="$times" -v g=$((g1 - g0)) -v u=$((u1 - u0)) -v m=$((m1 - m0)) -v s="$t0" -v e="$t1" 'BEGIN {
        match(j, /"requests":[0-9]+/); n = substr(j, RSTART + 11, RLENGTH - 11)
        match(j, /"rps":[0-9.]+/); rps = substr(j, RSTART + 6, RLENGTH - 6)
        match(j, /"errors":[0-9]+/); err = substr(j, RSTART + 9, RLENGTH - 9)
        split(t, c, " "); other = (m - g - u) / 100 - c[1] - c[2]; other /= (e - s); if (other < 0) other = 0
        printf "%.0f %.0f %.2f %d\n", rps, (n > 0 ? g * 10000 / n : 0), other, err }'
}

rows=$work/rows.tsv
: >"$rows"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for mode in $modes; do
    for ((i = 1; i <= runs; i++)); do
        wait_quiet
        port=$(dotnet "$bench_dll" free-port)
        url=http://127.0.0.1:$port/v1/chat/completions
        la=$(cut -d' ' -f1 /proc/loadavg)
        t0=$(date +%s%N)
        # shellcheck disable=SC2086
        env -u ASPNETCORE_URLS -u URLS -u HTTP_PORTS -u OTEL_EXPORTER_OTLP_ENDPOINT -u ABSTRACTCORE_AUTH_TOKEN \
            HOST=127.0.0.1 PORT="$port" URLS="http://127.0.0.1:$port" UPSTREAM="${upstream_base%v1/}" ASPNETCORE_ENVIRONMENT=Production \
            OPENAI_COMPATIBLE_BASE_URL="${upstream_base%/}" \
            ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED=1 \
            $shipped_env ${GATEWAY_ENV:-} dotnet "$api_dll" >"$work/gateway.out" 2>"$work/gateway.err" &
        gateway_pid=$!
        # The gateway is up when /health answers; YARP (which would forward /health) when its port accepts a connection.
        until if [ "$assembly" = AbstractCore.Api ]; then curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null
              else (: </dev/tcp/127.0.0.1/"$port") 2>/dev/null; fi; do
            kill -0 "$gateway_pid" 2>/dev/null || { cat "$work/gateway.out" "$work/gateway.err" >&2; exit 1; }
            [ $(( ($(date +%s%N) - t0) / 1000000 )) -gt 60000 ] && { echo "the gateway did not answer /health in 60 s" >&2; exit 1; }
            sleep 0.02
        done
        health_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        startup_cpu_ms=$(( $(ticks "$gateway_pid") * 10 ))
        read -r rps1 us1 oth1 err1 < <(window "$mode" "$first" "$url")
        wrk -t1 -c"$conns" -d"${settle}s" --timeout 5s -s "$root/bench/chat.lua" "$url" >/dev/null
        read -r rps2 us2 oth2 err2 < <(window "$mode" "$steady" "$url")
        kill "$gateway_pid"; wait "$gateway_pid" 2>/dev/null || true; gateway_pid=
        printf '%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$i" "$health_ms" "$startup_cpu_ms" \
            "$rps1" "$us1" "$oth1" "$rps2" "$us2" "$oth2" "$((err1 + err2))" "$la" "" >>"$rows"
        echo "   $mode run $i: /health after ${health_ms} ms (${startup_cpu_ms} ms CPU); first ${first}s $rps1 req/s," \
            "$us1 µs/req (others $oth1 cores); steady $rps2 req/s, $us2 µs/req (others $oth2 cores); load1 $la" >&2
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p "$results"
commit=$(git -C "$root" rev-parse --short HEAD)
dirty=$(git -C "$root" status --porcelain -- AbstractCore AbstractCore.Api AbstractCore.ServiceDefaults 2>/dev/null | wc -l)
[ "$dirty" -gt 0 ] && commit="$commit (+$dirty uncommitted file(s))"
awk -F'\t' -v name="$name" -v target="$assembly" -v build="$build" -v genv="$(echo ${shipped_env} ${GATEWAY_ENV:-})" -v conns="$conns" -v first="$first" \
    -v settle="$settle" -v steady="$steady" -v commit="$commit" -v lb="$load_before" -v la="$load_after" \
    -v cores="$(nproc)" -v date="$(date -u '+%Y-%m-%d %H:%M UTC')" -v md="$results/$name.md" -v js="$results/$name.json" '
function median(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
{ m = $1; if (!(m in cnt)) order[++nm] = m; k = ++cnt[m]
  row[m, k] = $0; r = $8 > 0 ? $5 / $8 : 0; ratio[m, k] = r; h[m, k] = $3; f[m, k] = $5; s[m, k] = $8; fu[m, k] = $6; su[m, k] = $9 }
END {
  printf "# Cold start: %s\n\n", name > md
  printf "Target: **%s**; build: **%s**%s; runtime env: `%s`; %s connections (wrk, 1 thread); first %s s of load on a fresh process vs %s s steady after %s s more. Commit %s, %s, load average before %s, after %s, %d cores shared with the client and the fake upstream.\n\n", target, build, (build == "r2r" ? " (dotnet publish -r linux-x64, ReadyToRun)" : " (dotnet build output)"), (genv == "" ? "none" : genv), conns, first, steady, settle, commit, date, lb, la, cores > md
  printf "| mode | median first ÷ steady req/s | steady ÷ first µs CPU/req | first req/s | steady req/s | first µs CPU/req | steady µs CPU/req | start → /health ms |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n" > md
  for (o = 1; o <= nm; o++) { m = order[o]; n = cnt[m]
    for (k = 1; k <= n; k++) { a1[k] = ratio[m, k]; a2[k] = f[m, k]; a3[k] = s[m, k]; a4[k] = fu[m, k]; a5[k] = su[m, k]; a6[k] = h[m, k] }
    med[m] = median(a1, n); mf = median(a4, n); ms = median(a5, n)
    printf "| %s | **%.0f %%** | %.0f %% | %.0f | %.0f | %.0f | %.0f | %.0f |\n", m, 100 * med[m], (mf > 0 ? 100 * ms / mf : 0), median(a2, n), median(a3, n), mf, ms, median(a6, n) > md }
  printf "\nEvery run (\"others\": cores that processes outside the benchmark took during the window; load1 at the process start):\n\n| mode | run | start → /health ms | startup CPU ms | first req/s | first µs/req | others | steady req/s | steady µs/req | others | first ÷ steady | errors | load1 |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n" > md
  printf "{\"name\":\"%s\",\"build\":\"%s\",\"gateway_env\":\"%s\",\"connections\":%s,\"first_s\":%s,\"settle_s\":%s,\"steady_s\":%s,\"commit\":\"%s\",\"date\":\"%s\",\"load_before\":\"%s\",\"load_after\":\"%s\",\"runs\":[", name, build, genv, conns, first, settle, steady, commit, date, lb, la > js
  sep = ""
  for (o = 1; o <= nm; o++) { m = order[o]
    for (k = 1; k <= cnt[m]; k++) { split(row[m, k], c, "\t")
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.0f %% | %s | %s |\n", c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], 100 * ratio[m, k], c[11], c[12] > md
      printf "%s{\"mode\":\"%s\",\"run\":%s,\"health_ms\":%s,\"startup_cpu_ms\":%s,\"first_rps\":%s,\"first_us_per_request\":%s,\"first_other_cores\":%s,\"steady_rps\":%s,\"steady_us_per_request\":%s,\"steady_other_cores\":%s,\"ratio\":%.4f,\"errors\":%s,\"load1\":%s}", sep, c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], ratio[m, k], c[11], c[12] > js
      sep = "," } }
  printf "],\"median_ratio\":{" > js; sep = ""
  for (o = 1; o <= nm; o++) { printf "%s\"%s\":%.4f", sep, order[o], med[order[o]] > js; sep = "," }
  printf "}}\n" > js
}' "$rows"
cat "$results/$name.md"
echo "== wrote $results/$name.md and $results/$name.json" >&2
