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
