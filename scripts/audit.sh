#!/usr/bin/env bash
# Dependency audit: every crate in Cargo.lock against the RustSec advisory database, with
# cargo-audit (crates.io). Fails on any known vulnerability, and on unsound, unmaintained
# or yanked crates, unless the advisory is accepted, with its reason, in .cargo/audit.toml.
#
# Usage: scripts/audit.sh
#
# The advisory database is a git repository, which cargo-audit clones and updates by
# itself into $STACK_DIR/advisory-db. No package registry ships it, so:
#   - ADVISORY_DB=<dir>      audit offline against that copy of it;
#   - ADVISORY_DB_URL=<url>  fetch it from a mirror instead;
#   - where it can be fetched from neither, a copy fetched earlier is used (with a
#     warning); with no copy at all the audit cannot run: it says so and is skipped, or
#     fails with AUDIT_REQUIRED=1.
# cargo-audit is installed once into $STACK_DIR/cargo-tools (unless it is on PATH or in
# ~/.cargo/bin), only when there is a database to audit against.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

CARGO_AUDIT_VERSION=0.22.2
url=${ADVISORY_DB_URL:-https://github.com/rustsec/advisory-db.git}
db=${ADVISORY_DB:-$STACK_DIR/advisory-db}
log() { printf '[audit] %s\n' "$*" >&2; }

args=(--db "$db")
if [[ -n "${ADVISORY_DB:-}" ]]; then
    [[ -d "$ADVISORY_DB/crates" ]] || { log "ADVISORY_DB=$ADVISORY_DB is not a copy of the advisory database"; exit 1; }
    log "auditing against $ADVISORY_DB (offline)"
    args+=(--no-fetch --stale)
elif timeout 30 git ls-remote --heads "$url" >/dev/null 2>&1; then
    args+=(--url "$url")
elif [[ -d "$db/crates" ]]; then
    log "WARNING: $url cannot be reached; auditing against the copy fetched on $(date -r "$db/crates" +%F)"
    args+=(--no-fetch --stale)
else
    log "the RustSec advisory database cannot be fetched ($url does not answer) and there is"
    log "no earlier copy in $db. No package registry ships it: fetch it where the network"
    log "allows (this script does), set ADVISORY_DB_URL to a mirror, or ADVISORY_DB to a copy."
    if [[ "${AUDIT_REQUIRED:-0}" == 1 ]]; then
        log "FAILED: the audit cannot run (AUDIT_REQUIRED=1)"
        exit 1
    fi
    log "SKIPPED: no dependency was checked for known vulnerabilities"
    exit 0
fi

tools="$STACK_DIR/cargo-tools"
export PATH="$tools/bin:$HOME/.cargo/bin:$PATH"
if ! cargo audit --version >/dev/null 2>&1; then
    log "installing cargo-audit $CARGO_AUDIT_VERSION from crates.io into $tools (a few minutes, once)"
    cargo install --locked --quiet --root "$tools" cargo-audit --version "$CARGO_AUDIT_VERSION"
fi

# Settings, and the advisories accepted on purpose: .cargo/audit.toml.
cargo audit "${args[@]}" --file Cargo.lock
