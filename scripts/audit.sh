#!/usr/bin/env bash
# Dependency audit: every crate in Cargo.lock and fuzz/Cargo.lock against the RustSec
# advisory database, with cargo-audit. Fails on any known vulnerability, and on
# unsound, unmaintained or yanked crates, unless the advisory is accepted, with its reason,
# in .cargo/audit.toml.
#
# Usage: scripts/audit.sh
#
# The advisory database is a git repository, which cargo-audit clones and updates by
# itself into $STACK_DIR/advisory-db. No package registry ships it, so:
#   - ADVISORY_DB=<dir>      audit offline against that copy of it;
#   - ADVISORY_DB_URL=<url>  fetch it from a mirror instead;
#   - where it can be fetched from neither, the audit runs offline against the newer of a
#     copy fetched earlier and the advisory-db snapshot beside the repository
#     (../shared/advisory-db, plain files, its commit and date in its SNAPSHOT.md); with
#     neither it cannot run: it says so and is skipped, or fails with AUDIT_REQUIRED=1.
# It says which database it used (commit and date) and how many crates each lock file has.
# Offline, cargo-audit looks yanked crates up in cargo's cache of the crates.io index, which
# `cargo update --dry-run` refreshes first (it leaves the lock files as they are).
# cargo-audit comes prebuilt from PyPI with the other tools (infra/requirements-tools.txt),
# only when there is a database to audit against.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

LOCK_FILES=(Cargo.lock fuzz/Cargo.lock)
url=${ADVISORY_DB_URL:-https://github.com/rustsec/advisory-db.git}
db=${ADVISORY_DB:-$STACK_DIR/advisory-db}
snapshot=../shared/advisory-db
log() { printf '[audit] %s\n' "$*" >&2; }
# "<commit> <date>" of a copy of the database: its git HEAD, or what its SNAPSHOT.md says.
version_of() {
    if [[ -d "$1/.git" ]]; then git -C "$1" log -1 --format='%H %cs'; return; fi
    local text commit day
    text=$(cat "$1/SNAPSHOT.md" 2>/dev/null || true)
    commit=$(grep -oE '[0-9a-f]{40}' <<<"$text" | head -1 || true)
    day=$(grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}' <<<"$text" | head -1 || true)
    echo "${commit:-unknown} ${day:-unknown}"
}

offline=1
if [[ -n "${ADVISORY_DB:-}" ]]; then
    [[ -d "$ADVISORY_DB/crates" ]] || { log "ADVISORY_DB=$ADVISORY_DB is not a copy of the advisory database"; exit 1; }
    used="ADVISORY_DB=$ADVISORY_DB (offline)"
elif timeout 15 git ls-remote --heads "$url" >/dev/null 2>&1; then
    offline=0 used="the live database from $url"
elif [[ -d "$db/crates" || -d "$snapshot/crates" ]]; then
    earlier=$([[ -d "$db/crates" ]] && version_of "$db" | cut -d' ' -f2 || true)
    if [[ -d "$snapshot/crates" && "$(version_of "$snapshot" | cut -d' ' -f2)" > "$earlier" ]]; then
        db=$snapshot used="the advisory-db snapshot beside the repository ($snapshot)"
    else
        used="the copy fetched earlier into $db"
    fi
    log "WARNING: $url cannot be reached; the audit runs offline"
else
    log "the RustSec advisory database cannot be fetched ($url does not answer), and there"
    log "is neither an earlier copy in $db nor a snapshot in $snapshot. No package registry"
    log "ships it: fetch it where the network allows (this script does), set ADVISORY_DB_URL"
    log "to a mirror, or ADVISORY_DB to a copy."
    if [[ "${AUDIT_REQUIRED:-0}" == 1 ]]; then
        log "FAILED: the audit cannot run (AUDIT_REQUIRED=1)"
        exit 1
    fi
    log "SKIPPED: no dependency was checked for known vulnerabilities"
    exit 0
fi
log "auditing against $used"
args=(--db "$db")
if ((offline)); then args+=(--no-fetch --stale); else args+=(--url "$url"); fi

# cargo-audit, prebuilt, comes from PyPI with the other command-line tools.
PATH="$("$REPO_ROOT/scripts/tools.sh"):$PATH"

# Settings, and the advisories accepted on purpose: .cargo/audit.toml.
failed=0
for lock in "${LOCK_FILES[@]}"; do
    if ((offline)) && ! cargo update --quiet --dry-run --manifest-path "${lock%Cargo.lock}Cargo.toml"; then
        log "WARNING: the crates.io index cannot be refreshed; yanked crates are looked up in cargo's cached copy"
    fi
    crates=$(grep -c '^\[\[package\]\]' "$lock")
    if cargo audit "${args[@]}" --file "$lock"; then
        log "$lock: $crates crates scanned, no advisory applies"
    else
        log "FAILED: $lock: $crates crates scanned (cargo-audit's report above)"
        failed=1
    fi
done
read -r commit day < <(version_of "$db")
log "advisory database: $used, commit $commit of $day"
exit "$failed"
