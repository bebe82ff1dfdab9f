#!/usr/bin/env bash
# The local API on 127.0.0.1:PORT, in the foreground until stopped: `cargo lambda watch`
# with the project's router on a free loopback port, behind scripts/gateway.py, which
# passes every request through and answers, as API Gateway would, the one kind the
# emulator cannot pass on (a body that is not UTF-8 under a text content type). The port
# opens once the emulator answers. Stopping this script (Ctrl-C, SIGTERM, or either
# process ending) stops both. Needs cargo-lambda on PATH (scripts/tools.sh).
#
#   scripts/api.sh PORT [cargo lambda watch options, e.g. --ignore-changes]
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

port=${1:?usage: scripts/api.sh PORT [cargo lambda watch options]}
shift
watch_port=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')

cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$watch_port" --disable-cors "$@" &
watch_pid=$!
gateway_pid=""
stop() {
    trap - EXIT INT TERM
    if [[ -n "$gateway_pid" ]]; then kill "$gateway_pid" 2>/dev/null || true; fi
    # cargo lambda watch stops the functions it started when it is asked to stop.
    kill "$watch_pid" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

until (exec 3<>"/dev/tcp/127.0.0.1/$watch_port") 2>/dev/null; do
    kill -0 "$watch_pid" 2>/dev/null || { echo "[api] cargo lambda watch exited" >&2; exit 1; }
    sleep 0.2
done
python3 scripts/gateway.py "$port" "$watch_port" &
gateway_pid=$!
# Either one ending (Ctrl-C ends both) ends the API, with its exit status.
status=0
wait -n "$watch_pid" "$gateway_pid" || status=$?
exit "$status"
