#!/usr/bin/env bash
# Installs the npm packages of the tests (Playwright for the browser test, LiveKit's server
# SDK for signing test webhooks) and of the local media server from their lockfiles, when a
# lockfile changed (idempotent).
set -euo pipefail
cd "$(dirname -- "${BASH_SOURCE[0]}")/.."
for dir in tests/browser tests/livekit devstack/media-server; do
    stamp="$dir/node_modules/.installed-$(sha256sum "$dir/package-lock.json" | cut -c1-16)"
    if [[ ! -f "$stamp" ]]; then
        echo "[node-deps] npm ci in $dir" >&2
        npm ci --prefix "$dir" --no-audit --no-fund --silent
        touch "$stamp"
    fi
done
