#!/usr/bin/env bash
# Release build of the Lambda functions for AWS Lambda on arm64 (Graviton, provided.al2023)
# with cargo-lambda (zig as the cross linker), into target/lambda/<function>/bootstrap (under
# $CARGO_TARGET_DIR when set), the target directory that `cargo build` and `sam build` use,
# each zipped beside it (bootstrap.zip); prints each binary's size and its zip's.
#
# Usage: scripts/build-lambda.sh [FUNCTION...]
#   FUNCTION  crate names under functions/ (default: all of them). Each crate's binary has
#             the crate's name, which is also the function's Binary in infra/template.yaml.
# CARGO_BUILD_JOBS limits parallel compiler jobs (for example 1 on a busy 2-core machine).
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

rust_target=aarch64-unknown-linux-gnu
if ! rustup target list --installed | grep -qx "$rust_target"; then
    echo "[build-lambda] rustup target add $rust_target" >&2
    rustup target add "$rust_target" >&2
fi
PATH="$(scripts/tools.sh):$PATH"

functions=("$@")
if ((${#functions[@]} == 0)); then
    for manifest in functions/*/Cargo.toml; do
        functions+=("$(basename "$(dirname "$manifest")")")
    done
fi
((${#functions[@]} > 0)) || { echo "[build-lambda] no crates under functions/" >&2; exit 1; }
packages=()
for f in "${functions[@]}"; do
    [[ -f "functions/$f/Cargo.toml" ]] || { echo "[build-lambda] no crate functions/$f" >&2; exit 1; }
    packages+=(--package "$f")
done

# One cargo invocation for every function, so shared dependencies compile once.
started=$SECONDS
cargo lambda build --release --arm64 "${packages[@]}"
echo "[build-lambda] built ${#functions[@]} function(s) for arm64 in $((SECONDS - started)) s"

# Each binary is also zipped as Lambda receives it (deflate, as `sam build` and
# `cargo lambda deploy` package it), beside it, for its zipped size.
printf '%-28s %12s %12s  %s\n' function bytes zipped path
for f in "${functions[@]}"; do
    binary="${CARGO_TARGET_DIR:-target}/lambda/$f/bootstrap"
    [[ -f "$binary" ]] || { echo "[build-lambda] missing $binary" >&2; exit 1; }
    python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1] + ".zip", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    z.write(sys.argv[1], "bootstrap")' "$binary"
    size=$(stat -c %s "$binary")
    zipped=$(stat -c %s "$binary.zip")
    printf '%-28s %12s %12s  %s (%s, zipped %s)\n' "$f" "$size" "$zipped" "$binary" \
        "$(numfmt --to=iec-i --suffix=B "$size")" "$(numfmt --to=iec-i --suffix=B "$zipped")"
done
