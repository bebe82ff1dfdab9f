#!/usr/bin/env bash
# Installs the command-line tools the two make targets need, from package registries
# only, into $STACK_DIR (idempotent): cargo-lambda (PyPI, with zig), cargo-audit (PyPI)
# and the Rust components fmt and clippy. Prints the directory to put on PATH.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"

venv="$STACK_DIR/tools-venv"
requirements="$REPO_ROOT/infra/requirements-tools.txt"
stamp="$venv/.installed-$(sha256sum "$requirements" | cut -c1-16)"
if [[ ! -f "$stamp" ]]; then
    echo "[tools] installing cargo-lambda and cargo-audit into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2
    touch "$stamp"
fi
for component in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$component" \
        || rustup component add "$component" >&2
done
echo "$venv/bin"
