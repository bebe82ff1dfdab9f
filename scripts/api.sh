#!/usr/bin/env bash
# The local API on 127.0.0.1:PORT, in the foreground until stopped: `cargo lambda watch`
# with the project's router on a free loopback port, behind scripts/gateway.py, which
# passes every request through and answers, as API Gateway would, the one kind the
# emulator cannot pass on (a body that is not UTF-8 under a text content type); and the
# export queue's consumer (`devstack exports`), which invokes the export job through the
# emulator as Lambda's SQS event source would; with API_SCHEDULES=1 (`make dev`), also the
# template's schedule (`devstack schedule`: the sweeper every five minutes). The port opens
# once the emulator answers. Stopping this script (Ctrl-C, SIGTERM, or any of them ending)
# stops them all.
# Needs cargo-lambda on PATH (scripts/tools.sh) and the export queue (`devstack resources`).
#
#   scripts/api.sh PORT [cargo lambda watch options, e.g. --ignore-changes]
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

port=${1:?usage: scripts/api.sh PORT [cargo lambda watch options]}
shift
cargo build --quiet --package devstack
watch_port=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')

cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$watch_port" --disable-cors "$@" &
watch_pid=$!
gateway_pid=""
consumer_pid=""
schedule_pid=""
stop() {
    trap - EXIT INT TERM
    local pid
    for pid in "$gateway_pid" "$consumer_pid" "$schedule_pid"; do
        if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; fi
    done
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
target/debug/devstack exports "http://127.0.0.1:$watch_port" &
consumer_pid=$!
if [[ "${API_SCHEDULES:-0}" == 1 ]]; then
    target/debug/devstack schedule "http://127.0.0.1:$watch_port" &
    schedule_pid=$!
fi
# Any one ending (Ctrl-C ends them all) ends the API, with its exit status.
status=0
wait -n "$watch_pid" "$gateway_pid" "$consumer_pid" ${schedule_pid:+"$schedule_pid"} || status=$?
exit "$status"
