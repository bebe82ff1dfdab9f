#!/usr/bin/env bash
# The API over HTTP as a client sees it: `cargo lambda watch` with the project's router
# serving the real functions behind scripts/gateway.py, as `make dev` serves them
# (scripts/api.sh), against a freshly created and seeded table and bucket on the running
# local stack. Against it run the HTTP tests (tests/tests/http: what a client does first,
# the recipient's share page in headless Chromium, and the input limits), then the
# contract fuzzing (scripts/contract.sh). Needs the stack up (scripts/stack.sh start) and
# cargo-lambda on PATH; installs Chromium (apt) and Playwright (npm) when missing.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

port=${SMOKE_PORT:-9100}
export TABLE_NAME="smoke-$$" BUCKET_NAME="smoke-$$" PUBLIC_BASE_URL="http://127.0.0.1:$port"
log="$STACK_DIR/smoke-watch.log"

cargo build --quiet --workspace --bins
target/debug/devstack resources >/dev/null
target/debug/devstack seed >/dev/null

setsid scripts/api.sh "$port" --ignore-changes >"$log" 2>&1 &
watch_pid=$!
trap 'kill -- -"$watch_pid" 2>/dev/null || true; wait "$watch_pid" 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.5
done

# The share page's test drives Debian's Chromium with Playwright.
command -v chromium >/dev/null || {
    echo "installing Chromium (apt)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}
scripts/node-deps.sh

passed=0 failed=0
if SMOKE_BASE_URL="http://127.0.0.1:$port" \
    cargo test -p integration-tests --test http -- --ignored --test-threads=1; then
    passed=$((passed + 1)); echo "ok   the API over HTTP (tests/tests/http)"
else
    failed=$((failed + 1)); echo "FAIL the API over HTTP (tests/tests/http)"
fi

# Every operation against docs/openapi.yaml (schemathesis).
if scripts/contract.sh "http://127.0.0.1:$port"; then
    passed=$((passed + 1)); echo "ok   the API keeps its contract (scripts/contract.sh)"
else
    failed=$((failed + 1)); echo "FAIL the API keeps its contract (scripts/contract.sh)"
fi

echo "smoke: $passed passed, $failed failed"
if ((failed > 0)); then
    echo "--- cargo lambda watch log (tail) ---"
    tail -n 40 "$log"
    exit 1
fi
