# Sourced by the bench scripts: the helpers more than one of them needs.

# wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND every 0.2 s until it succeeds,
# or fails naming what did not come up.
wait_for() {
    local what=$1 seconds=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if [ $SECONDS -ge $deadline ]; then
            echo "$what did not come up within ${seconds}s" >&2
            return 1
        fi
        sleep 0.2
    done
}

# image_env: the runtime settings the container images set (DOTNET_* ContainerEnvironmentVariable items in
# deploy/Containers.props), as VAR=value words, so the gateway is measured as it ships (read from that file, not copied).
image_env() {
    sed -n 's/.*<ContainerEnvironmentVariable Include="\(DOTNET_[A-Za-z_]*\)" Value="\([^"]*\)".*/\1=\2/p' \
        "$(dirname "${BASH_SOURCE[0]}")/../deploy/Containers.props" | grep -v '^DOTNET_RUNNING_IN_CONTAINER=' | tr '\n' ' '
}

# stop_pids PID...: ends the given processes and waits for them (an empty or gone one is passed over).
stop_pids() {
    local pid
    for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
    for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
}

# bench_work_dir: makes $work, a temporary directory, and sees to it that on exit the gateway and the fake upstream
# ($gateway_pid, $upstream_pid, set as they start) are ended and $work is removed.
bench_work_dir() {
    work=$(mktemp -d)
    upstream_pid= gateway_pid=
    trap 'stop_pids $gateway_pid $upstream_pid; rm -rf "$work"' EXIT
}

# start_upstream [VAR=value...]: starts the bench's fake OpenAI upstream ($bench_dll upstream, output in $work) with
# those extra environment words; sets upstream_pid and, once it listens, upstream_base (http://127.0.0.1:<port>/v1/).
start_upstream() {
    env "$@" dotnet "$bench_dll" upstream >"$work/upstream.out" 2>"$work/upstream.err" &
    upstream_pid=$!
    wait_for "the fake upstream" 30 grep -q '^http' "$work/upstream.out" || { cat "$work/upstream.err" >&2; exit 1; }
    upstream_base=$(grep -m1 '^http' "$work/upstream.out")
}

# machine_lines: the machine's CPU, hypervisor (when there is one), memory, OS and kernel, as machine.txt's "key: value" lines.
machine_lines() {
    echo "CPU: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
    local hypervisor
    hypervisor=$(lscpu | sed -n 's/^Hypervisor vendor:[[:space:]]*//p' | head -1)
    if [ -n "$hypervisor" ]; then echo "hypervisor: $hypervisor"; fi
    echo "memory: $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "OS: $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "kernel: $(uname -sr)"
}
