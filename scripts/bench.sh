#!/usr/bin/env bash
# `make bench`: cold starts, warm latency per route, list flatness (1,000 and 100,000
# recordings, beside the same page served from JSON objects in S3), bulk deletes and CPU
# per request (beside `cargo bench -p shared --bench cpu`, whose medians it reports),
# the export job on 1 GiB (beside `aws s3 cp`), and the data lifecycle (`bench lifecycle`:
# the recycle bins' purge and retention, each over 10,000 due recordings among 100,000,
# run after run until nothing is due, and a room of 1,000 recordings deleted with them,
# AWS calls counted by operation), on the local stack with release builds. Writes
# docs/benchmarks.md and docs/benchmarks.json (keeping the load section that `make load`
# wrote). Not part of `make test`. Works on tables, buckets and event buses of its own
# (bench-<pid>, -export, -lifecycle), deleted at the end; starts the emulators if needed
# and stops them only if it did.
#
# One step alone, with the emulators running and the release build made: each replaces
# its own section of the report, e.g.
#   source scripts/env.sh && target/release/bench lifecycle
#
# Environment:
#   CARGO_BUILD_JOBS  parallel compiler jobs for the release build (default 1: the
#                     machine is shared)
#   BENCH_ARM64=1     also build the functions for arm64 (scripts/build-lambda.sh) first,
#                     to report their sizes; otherwise sizes left in target/lambda/ are read
#   BENCH_ARGS        extra arguments for `bench run`, e.g. "--large 20000 --requests 300"
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

started=$SECONDS
name="bench-$$"
mkdir -p "$STACK_DIR/bench"
micro="$STACK_DIR/bench/$name-cpu.txt"
stack_was_up=0
scripts/stack.sh status >/dev/null 2>&1 && stack_was_up=1
finish() {
    if [[ -x target/release/bench ]]; then
        target/release/bench cleanup --name "$name" >/dev/null 2>&1 || true
        target/release/bench cleanup --name "$name-export" >/dev/null 2>&1 || true
        target/release/bench cleanup --name "$name-lifecycle" >/dev/null 2>&1 || true
    fi
    rm -f "$micro"
    ((stack_was_up)) || scripts/stack.sh stop
}
trap finish EXIT
scripts/stack.sh start

export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}
echo "[bench] release build of every binary (CARGO_BUILD_JOBS=$CARGO_BUILD_JOBS)"
build_started=$SECONDS
cargo build --release --workspace --bins
build_seconds=$((SECONDS - build_started))

# shared's micro-benchmarks (shared/benches/cpu.rs), resolved with the whole workspace's
# features so that they reuse the release build's dependencies.
echo "[bench] CPU micro-benchmarks of shared (cargo bench --bench cpu)"
cargo bench --workspace --bench cpu | tee "$micro"

arm64=(--arm64 existing)
if [[ "${BENCH_ARM64:-0}" == 1 ]]; then
    echo "[bench] arm64 build (scripts/build-lambda.sh)"
    arm64_started=$SECONDS
    scripts/build-lambda.sh
    arm64=(--arm64 built --arm64-seconds "$((SECONDS - arm64_started))")
fi

# shellcheck disable=SC2086 # BENCH_ARGS is split into arguments on purpose
target/release/bench run --name "$name" --build-seconds "$build_seconds" --micro "$micro" \
    "${arm64[@]}" ${BENCH_ARGS:-}

# --- the export job on 1 GiB (bench export): its section of the same report ---
target/release/bench export --name "$name-export"

# --- the data lifecycle (bench lifecycle): purge, retention and a room's deletion at
# 100,000 recordings, in process with counting clients; its section of the same report ---
target/release/bench lifecycle --name "$name-lifecycle"

# --- the web console (scripts/console.sh bench): its own report, docs/console-benchmarks.md ---
scripts/console.sh bench

echo "[bench] done in $((SECONDS - started)) s: docs/benchmarks.md, docs/benchmarks.json, docs/console-benchmarks.md"
