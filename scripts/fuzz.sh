#!/usr/bin/env bash
# Fuzzes the code that reads untrusted input (fuzz/fuzz_targets): ids, list queries, page
# tokens, credentials and JWTs, share-link secrets, LiveKit webhooks.
#
# Usage: scripts/fuzz.sh [seconds] [target...]
#   seconds  how long each target runs (default 600 = 10 minutes)
#   target   which targets (default: all of fuzz/fuzz_targets)
#
# Targets run FUZZ_JOBS at a time (default 2, one per core), then a summary is printed:
# executions, corpus size and crashes per target. Exits 1 if any target crashed; the
# crashing input is in fuzz/artifacts/<target>/ (reproduce it with
# `fuzz/target/<host>/release/<target> <file>`, then turn it into a test in shared/).
#
# cargo-fuzz comes from crates.io (installed once into $STACK_DIR/cargo-tools unless it is
# on PATH). It needs nightly-only compiler flags: with the stable toolchain, which is all
# the machine has, RUSTC_BOOTSTRAP=1 allows them. The fuzz project is its own workspace
# with its own target directory (fuzz/target) and lock file; its working corpus
# (fuzz/corpus) and crashes (fuzz/artifacts) are git-ignored, fuzz/seeds is committed.
#
# Environment: FUZZ_JOBS (2), FUZZ_SANITIZER (address; none is about twice as fast),
# FUZZ_RSS_MB (2048, per target).
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

seconds=${1:-600}
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || { echo "usage: $0 [seconds] [target...]" >&2; exit 2; }
shift $(( $# > 0 ? 1 : 0 ))
jobs=${FUZZ_JOBS:-2}
sanitizer=${FUZZ_SANITIZER:-address}
rss_mb=${FUZZ_RSS_MB:-2048}

log() { printf '[fuzz] %s\n' "$*" >&2; }

# --- cargo-fuzz ----------------------------------------------------------------------
CARGO_FUZZ_VERSION=0.13.2
tools="$STACK_DIR/cargo-tools"
export PATH="$tools/bin:$HOME/.cargo/bin:$PATH"
if ! cargo fuzz --version >/dev/null 2>&1; then
    log "installing cargo-fuzz $CARGO_FUZZ_VERSION from crates.io into $tools"
    cargo install --locked --quiet --root "$tools" cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi
export RUSTC_BOOTSTRAP=1

# --- build -----------------------------------------------------------------------------
cd fuzz
if (($# > 0)); then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi
log "building ${#targets[@]} targets (sanitizer: $sanitizer; overflow checks on in the code under test)"
build_flags=(--release --sanitizer "$sanitizer")
for target in "${targets[@]}"; do
    cargo fuzz build "${build_flags[@]}" "$target"
done
host=$(rustc -vV | sed -n 's/^host: //p')
bin_dir="target/$host/release"

# --- run -------------------------------------------------------------------------------
run_dir="target/fuzz-runs/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$run_dir"
touch "$run_dir/.started"
run_one() {
    local target=$1 corpus="corpus/$1" artifacts="artifacts/$1" seeds=()
    mkdir -p "$corpus" "$artifacts"
    [[ -d "seeds/$target" ]] && seeds=("seeds/$target")
    local started=$SECONDS rc=0
    "$bin_dir/$target" "$corpus" "${seeds[@]}" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb="$rss_mb" \
        -dict=dict/fuzz.dict -artifact_prefix="$artifacts/" -print_final_stats=1 \
        >"$run_dir/$target.log" 2>&1 || rc=$?
    printf '%s %s\n' "$rc" "$((SECONDS - started))" >"$run_dir/$target.status"
}

log "running each target for ${seconds}s, $jobs at a time; logs in fuzz/$run_dir"
for target in "${targets[@]}"; do
    while (($(jobs -rp | wc -l) >= jobs)); do
        wait -n || true
    done
    log "start $target"
    run_one "$target" &
done
wait

# --- summary ---------------------------------------------------------------------------
stat() { sed -n "s/^stat::$2: *//p" "$run_dir/$1.log" | tail -n 1; }
failed=0
printf '\n%-18s %8s %14s %10s %8s %8s  %s\n' target seconds executions exec/s corpus crashes result
for target in "${targets[@]}"; do
    read -r rc took <"$run_dir/$target.status"
    runs=$(stat "$target" number_of_executed_units)
    speed=$(stat "$target" average_exec_per_sec)
    corpus=$(find "corpus/$target" -type f | wc -l)
    crashes=$(find "artifacts/$target" -type f -newer "$run_dir/.started" | wc -l)
    result=ok
    if [[ "$rc" != 0 || "$crashes" != 0 ]]; then
        result="FAILED (exit $rc): see fuzz/$run_dir/$target.log"
        failed=1
    fi
    printf '%-18s %8s %14s %10s %8s %8s  %s\n' "$target" "$took" "${runs:-?}" "${speed:-?}" \
        "$corpus" "$crashes" "$result"
done
if ((failed)); then
    echo
    find artifacts -type f -newer "$run_dir/.started" -printf 'crash input: fuzz/%p\n'
fi
exit "$failed"
