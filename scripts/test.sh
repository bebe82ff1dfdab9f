#!/usr/bin/env bash
# `make test`: every check and test, against emulators it starts and stops itself.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

PATH="$(scripts/tools.sh):$PATH"
trap 'scripts/stack.sh stop' EXIT

step() { printf '\n==> %s\n' "$*"; }

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "dependency audit"; scripts/audit.sh

step "infrastructure template"; scripts/infra-check.sh

step "web console: format, lint, types, API client, unit tests, build"; scripts/console.sh check

step "local stack"
scripts/stack.sh start
scripts/node-deps.sh

step "unit and integration tests"
cargo test --workspace --exclude fault-tests --no-fail-fast

step "fault tests: the emulators frozen and thawed mid-request"
cargo test -p fault-tests -- --test-threads=1

step "the API over HTTP through cargo lambda watch: tests/tests/http, then the contract"
scripts/smoke.sh

step "the web console in Chromium, against the local stack"; scripts/console.sh test
