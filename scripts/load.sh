#!/usr/bin/env bash
# `make load`: a bounded load run on loopback only. Serves the functions with
# `cargo lambda watch --release` on 127.0.0.1, then LOAD_CLIENTS concurrent clients mix
# list, get, media (?redirect=false) and share-open (?secret=) requests with deletes and
# share creations for LOAD_SECONDS (and at most LOAD_MAX_REQUESTS requests); afterwards
# every recording is checked: those not deleted still have their item and video, those
# whose delete answered 200 have neither, created share links are stored. Writes the
# figures into docs/benchmarks.md and docs/benchmarks.json (the load section) and fails on
# any 5xx or lost write. Not part of `make test` nor of CI. Uses a table, bucket and event
# bus of its own (bench-load-<pid>), deleted at the end; stops what it started.
#
# Environment: LOAD_CLIENTS (32), LOAD_SECONDS (60, at most 600), LOAD_MAX_REQUESTS
# (200000), LOAD_CONCURRENCY (instances per function in cargo lambda watch, 2), LOAD_PORT
# (9590), CARGO_BUILD_JOBS (1).
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

started_at=$(date +%s)
port=${LOAD_PORT:-9590}
clients=${LOAD_CLIENTS:-32}
seconds=${LOAD_SECONDS:-60}
max_requests=${LOAD_MAX_REQUESTS:-200000}
concurrency=${LOAD_CONCURRENCY:-2}
name="bench-load-$$"
mkdir -p "$STACK_DIR/bench"
state="$STACK_DIR/bench/$name.json"
log="$STACK_DIR/bench/$name-watch.log"

PATH="$(scripts/tools.sh):$PATH"
stack_was_up=0
scripts/stack.sh status >/dev/null 2>&1 && stack_was_up=1
watch_pid=
finish() {
    if [[ -n "$watch_pid" ]]; then
        kill -- -"$watch_pid" 2>/dev/null || true
        wait "$watch_pid" 2>/dev/null || true
    fi
    if [[ -x target/release/bench ]]; then
        target/release/bench cleanup --name "$name" >/dev/null 2>&1 || true
    fi
    rm -f "$state"
    ((stack_was_up)) || scripts/stack.sh stop
}
trap finish EXIT
scripts/stack.sh start

export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}
echo "[load] release build of every binary (CARGO_BUILD_JOBS=$CARGO_BUILD_JOBS)"
cargo build --release --workspace --bins
target/release/bench load-setup --name "$name" --state "$state"

export TABLE_NAME="$name" BUCKET_NAME="$name" EVENT_BUS_NAME="$name"
export PUBLIC_BASE_URL="http://127.0.0.1:$port"
echo "[load] cargo lambda watch --release on 127.0.0.1:$port (log $log)"
setsid cargo lambda watch --release --invoke-address 127.0.0.1 --invoke-port "$port" \
    --disable-cors --ignore-changes --concurrency "$concurrency" >"$log" 2>&1 &
watch_pid=$!
for _ in $(seq 1 240); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.5
done

target/release/bench load-run --state "$state" --port "$port" --clients "$clients" \
    --seconds "$seconds" --max-requests "$max_requests" --concurrency "$concurrency" \
    --started-at "$started_at"
echo "[load] done in $(($(date +%s) - started_at)) s: docs/benchmarks.md, docs/benchmarks.json"
