#!/usr/bin/env bash
# Checks infra/template.yaml offline, in seconds (a step of `make test`):
#   1. cfn-lint: no errors and no warnings;
#   2. the SAM transform, as CloudFormation runs it (aws-sam-translator's transform(), with
#      placeholder code and no AWS calls: infra/checks/translate.py); it catches SAM mistakes
#      that cfn-lint lets through;
#   3. infra/checks/consistency.py on the transformed template: runtime, architecture,
#      memory, timeouts, environment, no secret value in any environment (secrets only as
#      the ARNs of the secrets each role may read), least-privilege policies, alarms for
#      every function, the HTTP API's payload format, stage, throttling, access logs and
#      CORS, the table's and buckets' protections, the console's CloudFront access;
#   4. tests/tests/infra/ (cargo test --test infra): the table is the layout the store
#      code uses and the local stack recreates exactly; every route is served by the same
#      function locally (Cargo.toml's router) as deployed; every crate under functions/ is a
#      function of the template, and vice versa; every function's role grants exactly what
#      its code calls (policies.rs), and names exactly the secrets it reads. Skipped with
#      INFRA_CHECK_SKIP_CARGO=1.
# Installs cfn-lint and aws-sam-translator, pinned in infra/requirements-infra.txt, into
# $STACK_DIR/infra-venv on first use (about 20 s).
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

venv="$STACK_DIR/infra-venv"
install_venv "$venv" infra/requirements-infra.txt

template=infra/template.yaml
transformed="$STACK_DIR/infra/template.transformed.json"
mkdir -p "$(dirname "$transformed")"

"$venv/bin/cfn-lint" "$template"
echo "[infra-check] cfn-lint: no errors or warnings"
"$venv/bin/python" infra/checks/translate.py "$template" "$transformed"
"$venv/bin/python" infra/checks/consistency.py "$transformed"
if [[ "${INFRA_CHECK_SKIP_CARGO:-0}" != 1 ]]; then
    cargo test --quiet --workspace --test infra
fi
