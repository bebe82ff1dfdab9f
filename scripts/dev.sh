#!/usr/bin/env bash
# `make dev`: the whole product locally, in the foreground until Ctrl-C: emulators started,
# table and bucket created from the template, demo data loaded, every function served on
# the API's real paths by `cargo lambda watch`. Stops everything it started on exit.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

PATH="$(scripts/tools.sh):$PATH"
trap 'scripts/stack.sh stop' EXIT
scripts/stack.sh start

cargo build --quiet --package devstack
target/debug/devstack resources
target/debug/devstack seed

cat <<MSG

  Recordings API: http://localhost:$API_PORT/api/v1/recordings
  Local API key:  $LOCAL_API_KEY

  curl -H 'X-API-KEY: $LOCAL_API_KEY' http://localhost:$API_PORT/api/v1/recordings

  Stop with Ctrl-C.

MSG
cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$API_PORT" --disable-cors
