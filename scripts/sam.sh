#!/usr/bin/env bash
# The AWS SAM CLI, set up for this project: installed on first use from PyPI into
# $STACK_DIR/sam-venv (pinned in infra/requirements-sam.txt; about a minute), telemetry off,
# cargo-lambda and zig on PATH, run from the repository root.
#
# Usage:
#   scripts/sam.sh build         `sam validate --lint`, then `sam build` into
#                                $STACK_DIR/sam-build: a release build of every function for
#                                arm64 with cargo-lambda; prints each binary's size
#   scripts/sam.sh deploy [ARG...]
#                                `sam deploy` of that build (add --guided the first time);
#                                its answers are saved in infra/samconfig.toml; then the web
#                                console is built and published (scripts/console.sh deployed)
#   scripts/sam.sh ARG...        any other sam command, for example
#                                `scripts/sam.sh delete --config-file infra/samconfig.toml`
# `sam local` needs Docker and is not used: `make dev` serves the functions locally.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

venv="$STACK_DIR/sam-venv"
install_venv "$venv" infra/requirements-sam.txt

export SAM_CLI_TELEMETRY=0
# The tools venv first: cargo-lambda finds zig through its python3 (the ziglang package).
PATH="$(scripts/tools.sh):$venv/bin:$PATH"
template=infra/template.yaml
build_dir="$STACK_DIR/sam-build"
config="$REPO_ROOT/infra/samconfig.toml"

case "${1:-}" in
    build)
        shift
        started=$SECONDS
        rust_target=aarch64-unknown-linux-gnu
        rustup target list --installed | grep -qx "$rust_target" || rustup target add "$rust_target" >&2
        sam validate --lint --template-file "$template"
        # `cargo lambda build --release --arm64 --bin <Binary>` for each function, one after
        # the other, in the workspace's target directory (target/lambda/<Binary>/bootstrap).
        sam build --template-file "$template" --build-dir "$build_dir" "$@"
        echo "[sam] built in $((SECONDS - started)) s: $build_dir/template.yaml"
        for bootstrap in "$build_dir"/*/bootstrap; do
            printf '[sam] %-32s %10s bytes\n' "$(basename "$(dirname "$bootstrap")")" "$(stat -c %s "$bootstrap")"
        done
        ;;
    deploy)
        shift
        [[ -f "$build_dir/template.yaml" ]] || { echo "[sam] run 'make build' first" >&2; exit 1; }
        sam deploy --template-file "$build_dir/template.yaml" --config-file "$config" "$@"
        # The web console: built, config.json with the stack's ApiUrl, uploaded to the console
        # bucket, CloudFront invalidated (scripts/console.sh).
        scripts/console.sh deployed
        ;;
    *)
        sam "$@"
        ;;
esac
