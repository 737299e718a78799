# Sourced by the bench scripts. wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND every 0.2 s until it succeeds,
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
