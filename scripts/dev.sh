#!/usr/bin/env bash
# `make dev`: the whole product locally, in the foreground until Ctrl-C: emulators started,
# table and bucket created from the template, demo data loaded, every function served on
# the API's real paths by `cargo lambda watch`, behind scripts/gateway.py (scripts/api.sh).
# Stops everything it started on exit.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

PATH="$(scripts/tools.sh):$PATH"
trap 'scripts/stack.sh stop' EXIT
scripts/stack.sh start

cargo build --quiet --package devstack
target/debug/devstack resources
target/debug/devstack seed

# --- the web console (scripts/console.sh dev): beside the API, stopped with it ---------
scripts/console.sh install
setsid scripts/console.sh dev >"$STACK_DIR/console-dev.log" 2>&1 &
console_pid=$!
trap 'kill -- -"$console_pid" 2>/dev/null || true; scripts/stack.sh stop' EXIT
cat <<MSG

  Web console:    http://localhost:${CONSOLE_PORT:-5173}  (sign in as $ADMIN_USERNAME / $ADMIN_PASSWORD;
                  reloads on change; log: $STACK_DIR/console-dev.log)
MSG
# ---------------------------------------------------------------------------------------

cat <<MSG

  Recordings API: http://localhost:$API_PORT/api/v1/recordings
  Local API key:  $LOCAL_API_KEY

  curl -H 'X-API-KEY: $LOCAL_API_KEY' http://localhost:$API_PORT/api/v1/recordings

  Stop with Ctrl-C.

MSG
scripts/api.sh "$API_PORT"
