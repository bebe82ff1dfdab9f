#!/usr/bin/env bash
# `make dev`: the whole product locally, in the foreground until Ctrl-C: emulators started,
# table and bucket created from the template, demo data loaded, a media server (a LiveKit
# already answering on LIVEKIT_URL, or the local stand-in), every function served on the
# API's real paths by `cargo lambda watch`, behind scripts/gateway.py (scripts/api.sh), the
# sweeper on the template's schedule (aborting stale recordings, purging recycle bins), and
# the web console. Stops everything it started on exit.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

PATH="$(scripts/tools.sh):$PATH"
started=()
stop_all() {
    local pid
    for pid in "${started[@]}"; do kill -- -"$pid" 2>/dev/null || true; done
    scripts/stack.sh stop
}
trap stop_all EXIT
scripts/stack.sh start

cargo build --quiet --package devstack
target/debug/devstack resources
seeded=$(target/debug/devstack seed)

# --- the media server: LiveKit if one answers, else the local stand-in ---------------------
if curl -s -o /dev/null --max-time 2 "$LIVEKIT_URL"; then
    media="LiveKit at $LIVEKIT_URL (already running)"
else
    scripts/node-deps.sh
    setsid scripts/media-server.sh >"$STACK_DIR/media-server.log" 2>&1 &
    started+=($!)
    media="the local media server on $LIVEKIT_URL (log: $STACK_DIR/media-server.log)"
fi

# --- the web console (scripts/console.sh dev) ------------------------------------------------
scripts/console.sh install
setsid scripts/console.sh dev >"$STACK_DIR/console-dev.log" 2>&1 &
started+=($!)

cat <<MSG

  Web console:    http://localhost:${CONSOLE_PORT:-5173}  (sign in as $ADMIN_USERNAME / $ADMIN_PASSWORD;
                  reloads on change; log: $STACK_DIR/console-dev.log)
  Recordings API: http://localhost:$API_PORT/api/v1/recordings
  Local API key:  $LOCAL_API_KEY
  Media server:   $media

  curl -H 'X-API-KEY: $LOCAL_API_KEY' http://localhost:$API_PORT/api/v1/recordings

  Open a room as its participants do (a moderator may start and stop recording there):
$(sed 's/^/  /' <<<"$seeded")

  Stop with Ctrl-C.

MSG
API_SCHEDULES=1 scripts/api.sh "$API_PORT"
