#!/usr/bin/env bash
# The local media server (devstack/media-server): a development stand-in for LiveKit's
# egress, in the foreground until stopped. It serves the Egress API on LIVEKIT_URL and
# reports to LIVEKIT_WEBHOOK_URL (the local API's webhook route unless set), signing with
# LIVEKIT_API_KEY and LIVEKIT_API_SECRET as LiveKit does. Never deployed.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

scripts/node-deps.sh
export LIVEKIT_WEBHOOK_URL="${LIVEKIT_WEBHOOK_URL:-http://127.0.0.1:$API_PORT/webhooks/livekit}"
exec node devstack/media-server/server.mjs
