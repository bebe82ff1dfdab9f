#!/usr/bin/env bash
# Installs the command-line tools the two make targets need, from package registries
# only, into $STACK_DIR (idempotent): cargo-lambda (PyPI, with zig), cargo-audit (PyPI)
# and the Rust components fmt and clippy. Prints the directory to put on PATH.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"

venv="$STACK_DIR/tools-venv"
install_venv "$venv" "$REPO_ROOT/infra/requirements-tools.txt"
for component in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$component" \
        || rustup component add "$component" >&2
done
echo "$venv/bin"
