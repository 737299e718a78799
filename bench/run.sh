#!/usr/bin/env bash
# Load harness for the gateway: in one run, the fake OpenAI upstream measured directly, through the gateway, through a
# bare YARP pass-through (bench/AbstractCore.YarpBaseline) and through nginx (when installed), non-streamed and streamed.
# Writes bench/results/<YYYY-MM-DD>-chat.md and .json. What it measures and how to read it: bench/README.md.
#
#   bench/run.sh                     # wrk for the load when installed, else the .NET client (TTFB: always .NET)
#   bench/run.sh --install-wrk       # apt-get install -y wrk first (Debian package; needs root)
#   BENCH_CLIENT=dotnet bench/run.sh # force the .NET load client (AbstractCore.Bench load)
#
# Environment knobs: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 3), BENCH_CONNECTIONS ("1 16 64"),
# BENCH_CLIENT (auto|wrk|dotnet), BENCH_NAME (default <UTC date>-chat), BENCH_RESULTS (default bench/results),
# GATEWAY_ENV / UPSTREAM_ENV (extra VAR=value words for the gateway / upstream process, e.g. "DOTNET_gcServer=0"),
# BENCH_QUIET_WAIT (s, default 300), BENCH_OTHER_MAX (cores, default 0.15), BENCH_RETRIES (default 5): see measure below,
# BENCH_PREWARM (s, default 30), BENCH_SKIP_BUILD=1 (reuse the last Release build),
# BENCH_NGINX (auto|0: 0 skips nginx), BENCH_NGINX_WORKERS (nginx worker_processes, default auto = one per core).
# GATEWAY_ENV applies to the YARP baseline too (same runtime settings).
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
        -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}"; exit 0 ;;
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
yarp_dll=$root/bench/AbstractCore.YarpBaseline/bin/Release/net10.0/AbstractCore.YarpBaseline.dll
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    echo "== building Release (gateway, bench, YARP baseline)" >&2
    dotnet build "$root/AbstractCore.Api/AbstractCore.Api.csproj" -c Release -nologo -v q >&2
    dotnet build "$root/bench/AbstractCore.Bench/AbstractCore.Bench.csproj" -c Release -nologo -v q >&2
    dotnet build "$root/bench/AbstractCore.YarpBaseline/AbstractCore.YarpBaseline.csproj" -c Release -nologo -v q >&2
fi

nginx_bin=
nginx_note=
if [ "${BENCH_NGINX:-auto}" = 0 ]; then
    nginx_note="skipped (BENCH_NGINX=0)"
elif nginx_bin=$(command -v nginx 2>/dev/null); then :; else
    nginx_bin=
    nginx_note="not installed (command -v nginx found nothing; Debian: apt-get install -y nginx), skipped"
    echo "nginx is $nginx_note" >&2
fi
nginx_workers=${BENCH_NGINX_WORKERS:-auto}

work=$(mktemp -d)
raw=$work/raw
mkdir -p "$raw"
upstream_pid=
gateway_pid=
yarp_pid=
nginx_pid=
cleanup() {
    stop_pids $nginx_pid $yarp_pid $gateway_pid $upstream_pid
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. "$root/bench/wait-for.sh"

# --- the upstream: TestKit's fake on a free port of its own, which it prints on stdout.
# shellcheck disable=SC2086
start_upstream ${UPSTREAM_ENV:-} # upstream_base: http://127.0.0.1:<port>/v1/
direct_url=${upstream_base}chat/completions

# --- the gateway, Release build, as its own process.
gateway_port=$(dotnet "$bench_dll" free-port)
gateway_url=http://127.0.0.1:$gateway_port/v1/chat/completions
# shellcheck disable=SC2086
env -u ASPNETCORE_URLS -u URLS -u HTTP_PORTS -u OTEL_EXPORTER_OTLP_ENDPOINT -u ABSTRACTCORE_AUTH_TOKEN \
    HOST=127.0.0.1 PORT="$gateway_port" ASPNETCORE_ENVIRONMENT=Production \
    OPENAI_COMPATIBLE_BASE_URL="${upstream_base%/}" \
    ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED=1 \
    $(image_env) ${GATEWAY_ENV:-} dotnet "$api_dll" >"$work/gateway.out" 2>"$work/gateway.err" &
gateway_pid=$!
wait_for "the gateway (GET /health)" 60 curl -fsS "http://127.0.0.1:$gateway_port/health" \
    || { cat "$work/gateway.out" "$work/gateway.err" >&2; exit 1; }

# --- the YARP baseline (bench/AbstractCore.YarpBaseline): one catch-all route to the fake, same runtime settings.
yarp_port=$(dotnet "$bench_dll" free-port)
yarp_url=http://127.0.0.1:$yarp_port/v1/chat/completions
# shellcheck disable=SC2086
env -u ASPNETCORE_URLS -u HTTP_PORTS -u OTEL_EXPORTER_OTLP_ENDPOINT \
    URLS="http://127.0.0.1:$yarp_port" ASPNETCORE_ENVIRONMENT=Production UPSTREAM="${upstream_base%v1/}" \
    Logging__LogLevel__Default=Warning ${GATEWAY_ENV:-} dotnet "$yarp_dll" >"$work/yarp.out" 2>"$work/yarp.err" &
yarp_pid=$!
wait_for "the YARP baseline" 60 curl -sS -o /dev/null "http://127.0.0.1:$yarp_port/" \
    || { cat "$work/yarp.out" "$work/yarp.err" >&2; exit 1; }

# --- nginx as a reverse proxy to the fake, when installed: a generated minimal config, in the foreground.
nginx_url=
nginx_pids=
if [ -n "$nginx_bin" ]; then
    nginx_port=$(dotnet "$bench_dll" free-port)
    nginx_url=http://127.0.0.1:$nginx_port/v1/chat/completions
    nginx_dir=$work/nginx
    mkdir -p "$nginx_dir/logs" "$nginx_dir/tmp"
    upstream_hostport=${upstream_base#http://}
    upstream_hostport=${upstream_hostport%%/*}
    # As root, nginx would hand its workers to "nobody"; run them as the current user either way.
    { [ "$(id -u)" = 0 ] && echo "user $(id -un);"; cat <<EOF
worker_processes $nginx_workers;
pid $nginx_dir/nginx.pid;
error_log $nginx_dir/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $nginx_dir/tmp/body;
    proxy_temp_path $nginx_dir/tmp/proxy;
    fastcgi_temp_path $nginx_dir/tmp/fastcgi;
    uwsgi_temp_path $nginx_dir/tmp/uwsgi;
    scgi_temp_path $nginx_dir/tmp/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    upstream fake {
        server $upstream_hostport;
        keepalive 128;
        keepalive_requests 1000000;
        keepalive_timeout 300s;
    }
    server {
        listen 127.0.0.1:$nginx_port;
        location / {
            proxy_pass http://fake;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }
    }
}
EOF
    } >"$nginx_dir/nginx.conf"
    "$nginx_bin" -p "$nginx_dir" -e "$nginx_dir/logs/error.log" -c "$nginx_dir/nginx.conf" -g 'daemon off;' \
        >"$work/nginx.out" 2>"$work/nginx.err" &
    nginx_pid=$!
    wait_for "nginx" 30 curl -sS -o /dev/null "http://127.0.0.1:$nginx_port/" \
        || { cat "$work/nginx.err" "$nginx_dir/logs/error.log" >&2; exit 1; }
    nginx_pids="$nginx_pid $(ps -o pid= --ppid "$nginx_pid" | tr -s ' \n' ' ')"
fi

targets="direct gateway yarp${nginx_url:+ nginx}"
url_of() { case $1 in direct) echo "$direct_url" ;; gateway) echo "$gateway_url" ;; yarp) echo "$yarp_url" ;; nginx) echo "$nginx_url" ;; esac; }
servers="upstream gateway yarp${nginx_url:+ nginx}"
pids_of() { case $1 in upstream) echo "$upstream_pid" ;; gateway) echo "$gateway_pid" ;; yarp) echo "$yarp_pid" ;; nginx) echo "$nginx_pids" ;; esac; }
cpu_pids_arg=$(for s in $servers; do p=$(pids_of "$s"); printf '%s=%s,' "$s" "$(echo $p | tr ' ' '+')"; done)
cpu_pids_arg=${cpu_pids_arg%,}

# Every target answers the chat body with a completion before anything is measured (wrk would only count errors).
for target in $targets; do
    answer=$(curl -sS -m 10 -H 'Content-Type: application/json' \
        -d '{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"Say hello in five words."}],"max_tokens":16}' \
        "$(url_of "$target")" 2>&1 || true)
    case $answer in *choices*) ;; *) echo "$target ($(url_of "$target")) did not answer a chat request: ${answer:0:300}" >&2; exit 1 ;; esac
done
echo "== upstream $upstream_base (pid $upstream_pid), gateway :$gateway_port (pid $gateway_pid), YARP :$yarp_port (pid $yarp_pid)," \
    "nginx ${nginx_url:+:$nginx_port (pids $nginx_pids)}${nginx_note}, client $client" >&2

cpu_ticks() { # utime+stime of a pid, in USER_HZ ticks
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}
server_ticks() { # name=ticks for every server process (nginx: master + workers), in USER_HZ ticks
    local s p t
    for s in $servers; do
        t=0
        for p in $(pids_of "$s"); do t=$((t + $(cpu_ticks "$p"))); done
        printf '%s=%s ' "$s" "$t"
    done
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

run_load() { # label url connections mode (plain|stream|ttfb); writes $raw/$label.json (+ .cpu) and $raw/$label.other
    # plain: non-streamed; stream: streamed, whole stream timed (wrk with BENCH_STREAM=1, or the .NET client);
    # ttfb: streamed with the .NET client, which times the first body byte.
    local label=$1 url=$2 c=$3 mode=$4
    local before after all0 all1 times t0 t1 cpu_line
    echo "-- $label: $c connection(s), ${warmup}s warm-up + ${duration}s" >&2
    if [ "$mode" != ttfb ] && [ "$client" = wrk ]; then
        local stream_env=0
        [ "$mode" = stream ] && stream_env=1
        BENCH_STREAM=$stream_env BENCH_LABEL=$label wrk -t1 -c"$c" -d"${warmup}s" --timeout 5s -s "$root/bench/chat.lua" "$url" >/dev/null
        before=$(server_ticks); all0=$(machine_ticks); t0=$(date +%s.%N)
        # `time` of the shell: the client's own user and system CPU seconds.
        times=$( { TIMEFORMAT='%U %S'; time BENCH_STREAM=$stream_env BENCH_LABEL=$label wrk -t1 -c"$c" -d"${duration}s" --timeout 5s \
            -s "$root/bench/chat.lua" "$url" >"$raw/$label.out"; } 2>&1 )
        after=$(server_ticks); all1=$(machine_ticks); t1=$(date +%s.%N)
        grep '^{' "$raw/$label.out" >"$raw/$label.json"
    else
        local flag=
        [ "$mode" != plain ] && flag=--stream
        before=$(server_ticks); all0=$(machine_ticks); t0=$(date +%s.%N)
        # shellcheck disable=SC2086
        times=$( { TIMEFORMAT='%U %S'; time dotnet "$bench_dll" load --url "$url" --connections "$c" --duration "$duration" \
            --warmup "$warmup" $flag --label "$label" --cpu-pids "$cpu_pids_arg" >"$raw/$label.json"; } 2>&1 )
        after=$(server_ticks); all1=$(machine_ticks); t1=$(date +%s.%N)
    fi
    # client=… upstream=… gateway=… yarp=… [nginx=…] machine=…, CPU seconds of the window.
    cpu_line=$(awk -v t="$times" -v b="$before" -v a="$after" -v m=$((all1 - all0)) 'BEGIN {
        split(t, c, " "); printf "client=%.2f", c[1] + c[2]
        n = split(b, bb, " "); split(a, aa, " ")
        for (i = 1; i <= n; i++) { split(bb[i], x, "="); split(aa[i], y, "="); printf " %s=%.2f", x[1], (y[2] - x[2]) / 100 }
        printf " machine=%.2f\n", m / 100 }')
    # The .NET client samples exactly its measured window into its JSON line; wrk's window is the shell's.
    if [ "$mode" != ttfb ] && [ "$client" = wrk ]; then echo "$cpu_line" >"$raw/$label.cpu"; fi
    # Cores taken by processes that are not part of the benchmark (the report has the exact window's figure).
    awk -v l="$cpu_line" -v s="$t0" -v e="$t1" 'BEGIN {
        n = split(l, kv, " "); known = 0
        for (i = 1; i <= n; i++) { split(kv[i], x, "="); if (x[1] == "machine") m = x[2]; else known += x[2] }
        o = (m - known) / (e - s); printf "%.2f\n", o < 0 ? 0 : o }' >"$raw/$label.other"
    sed 's/^/   /' "$raw/$label.json" >&2
}

# A point during which other processes took more than BENCH_OTHER_MAX cores (default 0.15) is measured again,
# up to BENCH_RETRIES times (default 5); the report shows what others took in the point it kept.
other_max=${BENCH_OTHER_MAX:-0.15}
retries=${BENCH_RETRIES:-5}
measure() { # label url connections mode
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
# DOTNET_JitStdOutFile). So before any point, load the gateway and the YARP baseline for BENCH_PREWARM seconds
# (default 30) each and the fake and nginx (no JIT) for a third of that, at 16 connections, then streamed requests
# for a third of that; none of it is recorded.
prewarm=${BENCH_PREWARM:-30}
if [ "$prewarm" != 0 ]; then
    third=$((prewarm / 3 > 0 ? prewarm / 3 : 1))
    echo "-- pre-warm: ${prewarm}s gateway and YARP, ${third}s direct and nginx, 16 connections, then streamed (not recorded)" >&2
    for target in $targets; do
        url=$(url_of "$target")
        case $target in gateway|yarp) seconds=$prewarm ;; *) seconds=$third ;; esac
        if [ "$client" = wrk ]; then
            wrk -t1 -c16 -d"${seconds}s" --timeout 5s -s "$root/bench/chat.lua" "$url" >/dev/null
            BENCH_STREAM=1 wrk -t1 -c16 -d"$((seconds / 3 > 0 ? seconds / 3 : 1))s" --timeout 5s -s "$root/bench/chat.lua" "$url" >/dev/null
        else
            dotnet "$bench_dll" load --url "$url" --connections 16 --duration "$seconds" --warmup 0 >/dev/null
            dotnet "$bench_dll" load --url "$url" --connections 16 --duration "$((seconds / 3 > 0 ? seconds / 3 : 1))" --warmup 0 --stream >/dev/null
        fi
        dotnet "$bench_dll" load --url "$url" --connections 1 --duration 2 --warmup 0 --stream >/dev/null
    done
fi

# Targets interleaved at each connection count, so a drift of the machine falls on all of them alike.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for c in $connections; do
    for target in $targets; do measure "c$c-$target" "$(url_of "$target")" "$c" plain; done
done
for c in $connections; do
    for target in $targets; do measure "sse-c$c-$target" "$(url_of "$target")" "$c" stream; done
done
for target in $targets; do measure "stream-c1-$target" "$(url_of "$target")" 1 ttfb; done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the machine, as the report prints it.
{
    echo "cores (nproc): $(nproc)"
    machine_lines
    echo "dotnet: $(dotnet --version) (runtime $(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ { v = $2 } END { print v }'))"
    if [ "$client" = wrk ]; then echo "load client: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), 1 thread"; else echo "load client: AbstractCore.Bench load (SocketsHttpHandler)"; fi
    echo "gateway and YARP extra env: ${GATEWAY_ENV:-none}"
    echo "YARP baseline: Yarp.ReverseProxy $(sed -n 's/.*Include="Yarp.ReverseProxy" Version="\([^"]*\)".*/\1/p' "$root/Directory.Packages.props"), one route /{**catch-all}, Kestrel and YARP defaults, server GC (as the gateway)"
    if [ -n "$nginx_url" ]; then
        echo "nginx: $("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //'), worker_processes $nginx_workers ($(echo $nginx_pids | wc -w) processes: master + workers), upstream keepalive 128, proxy_http_version 1.1, proxy_buffering off, access_log off"
    else
        echo "nginx: $nginx_note"
    fi
    dirty=$(git -C "$root" status --porcelain -- AbstractCore AbstractCore.Api AbstractCore.OpenAI AbstractCore.ServiceDefaults \
        tests/AbstractCore.TestKit bench/AbstractCore.Bench bench/AbstractCore.YarpBaseline 2>/dev/null | wc -l)
    echo "commit: $(git -C "$root" rev-parse --short HEAD)$([ "$dirty" -gt 0 ] && echo " (work tree: $dirty uncommitted file(s) in the gateway's or bench's sources)")"
    echo "load average (1/5/15 min) before: $load_before; after: $load_after"
    echo "quiet wait: ${quiet_wait}s for a quiet second, a point measured again when others took > $other_max cores, up to $retries retries"
    echo "measured: $(date -u '+%Y-%m-%d %H:%M UTC'), ${warmup}s warm-up + ${duration}s per point, no CPU pinning (client, proxy and upstream share all cores)"
} >"$raw/machine.txt"

mkdir -p "$results"
set +e
dotnet "$bench_dll" report --raw "$raw" --out "$results/$name" --machine "$raw/machine.txt" --client "$client"
status=$?
set -e
echo "== wrote $results/$name.md and $results/$name.json" >&2
exit $status
