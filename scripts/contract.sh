#!/usr/bin/env bash
# The running API against its document, docs/openapi.yaml: schemathesis (PyPI, pinned in
# infra/requirements-contract.txt, installed into $STACK_DIR/contract-venv on first use)
# generates requests for every operation, as an administrator (the API key) and as a room's
# moderator (a room token), and checks that no response is a 5xx, that every response
# conforms to the document (status code, content type, headers, body schema), that invalid
# input is refused, that authentication is enforced, and that created resources can be read
# and deleted ones cannot. (The input limits are tests/tests/http/limits.rs, which
# scripts/smoke.sh runs against the same server.)
#
# One kind of failure says nothing about the API and is dropped by
# tests/contract/contract_hooks.py, each one printed in the log: the contract's 503 for
# starting or stopping a recording while no media server answers at LIVEKIT_URL.
#
#   scripts/contract.sh http://127.0.0.1:9000
#
# Prints `contract: N passed, N failed` (one check per operation and identity) and exits
# non-zero if anything failed. CONTRACT_MAX_EXAMPLES (default 40) bounds
# the test cases per operation in each phase; CONTRACT_SEED replays a run. The run creates
# rooms and deletes recordings and share links, and its failed logins and room-secret
# exchanges lock the local source out of both for 15 minutes: point it at a throwaway table
# (scripts/smoke.sh runs it on its own).
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

base=${1:?usage: scripts/contract.sh <base-url>, for example http://127.0.0.1:9000}
base=${base%/}
api="$base/api/v1"
max_examples=${CONTRACT_MAX_EXAMPLES:-40}
seed=${CONTRACT_SEED:-}

venv="$STACK_DIR/contract-venv"
install_venv "$venv" "$REPO_ROOT/infra/requirements-contract.txt"

# One directory per server, so that runs against different servers do not mix.
work="$STACK_DIR/contract/$(tr -c 'A-Za-z0-9\n' _ <<<"${base#*://}")"
rm -rf "$work"
mkdir -p "$work"

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# request ARGS...: curl into $work/body and $work/headers; prints the status (000: no answer).
request() {
    curl -s -o "$work/body" -D "$work/headers" -w '%{http_code}' --max-time 300 "$@" || true
}
# field NAME: a top-level string of the last response body.
field() {
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
        "$work/body" "$1"
}

# Every function answers once before the clock starts: `cargo lambda watch` compiles and
# starts a function on its first request, which can take minutes on a busy machine. One
# that does not answer (it did not build, say) would only make every test of it time out.
for warm in "GET $api/recordings" "GET $api/recordings/a--EG_a--a" \
    "GET $api/recordings/a--EG_a--a/media" "GET $api/recordings/a--EG_a--a/url" \
    "DELETE $api/recordings/a--EG_a--a" "POST $api/recordings" "GET $api/rooms" \
    "POST $api/auth/login" "GET $base/recording/a--EG_a--a" "POST $base/webhooks/livekit"; do
    status=$(request -X "${warm%% *}" "${warm#* }")
    if [[ "$status" == 000 ]]; then
        fail "$warm does not answer (is its function built? see the server's log)"
        echo "contract: $passed passed, $failed failed"
        exit 1
    fi
done

# --- credentials ---------------------------------------------------------------------------
json=(-H "Content-Type: application/json")
admin_key="X-API-KEY: $LOCAL_API_KEY"
login=$(python3 -c 'import json, os
print(json.dumps({"username": os.environ["ADMIN_USERNAME"], "password": os.environ["ADMIN_PASSWORD"]}))')
# The room token is a moderator's of the demo room the document's examples name, so that
# they reach past the permission check; of a new room when there is no demo data.
demo_room=daily-standup-x7k2m
room_id="" room_token="" which=""
status=$(request "${json[@]}" -X POST -d "$login" "$api/auth/login")
if [[ "$status" == 200 ]]; then
    admin=(-H "Authorization: Bearer $(field accessToken)")
    status=$(request "${admin[@]}" "${json[@]}" -X POST -d '{"roomName": "Contract"}' "$api/rooms")
    if [[ "$status" == 201 ]]; then
        room_id=$(field roomId) which="a new room"
        secret=$(field moderatorUrl | sed 's/.*secret=//')
        if [[ $(request "${admin[@]}" "$api/rooms/$demo_room") == 200 ]]; then
            room_id=$demo_room which="the demo room $demo_room"
            secret=$(field moderatorUrl | sed 's/.*secret=//')
        fi
        status=$(request "${json[@]}" -X POST -d "{\"secret\": \"$secret\"}" \
            "$api/rooms/$room_id/recording-token")
        if [[ "$status" == 200 ]]; then
            room_token=$(field token)
        fi
    fi
fi
if [[ -n "$room_token" ]]; then
    pass "a moderator's room token for $which (log in, create a room, exchange a moderator secret)"
else
    fail "a moderator's room token: status $status, body: $(head -c 300 "$work/body")"
    if [[ "$status" == 429 ]]; then
        echo "     (429: this source failed too many logins or secret exchanges in the last 15" \
            "minutes; run against a fresh table, as scripts/smoke.sh does)"
    fi
fi

# --- schemathesis ----------------------------------------------------------------------------
checks=not_a_server_error,status_code_conformance,content_type_conformance
checks+=,response_headers_conformance,response_schema_conformance,negative_data_rejection
checks+=,missing_required_header,ignored_auth,use_after_free,ensure_resource_availability

# fuzz NAME HEADER: every operation of the document, authenticated with HEADER.
fuzz() {
    local name=$1 header=$2 report="$work/$1.xml" log="$work/$1.log" rc=0
    local started=$SECONDS
    (
        cd "$work"
        SCHEMATHESIS_HOOKS=contract_hooks PYTHONPATH="$REPO_ROOT/tests/contract" \
            "$venv/bin/st" run "$REPO_ROOT/docs/openapi.yaml" --url "$base" -H "$header" \
            --checks "$checks" --max-examples "$max_examples" ${seed:+--seed "$seed"} \
            --generation-with-security-parameters false \
            --generation-database "$STACK_DIR/contract-examples" \
            --workers 1 --request-timeout 60 --no-color \
            --report junit --report-junit-path "$report"
    ) >"$log" 2>&1 || rc=$?
    echo "     schemathesis as $name: $((SECONDS - started)) s, log in $log"
    # One check per operation (and one for the stateful phase), from the JUnit report.
    local results
    results=$(python3 - "$report" <<'EOF' 2>/dev/null
import sys
import xml.etree.ElementTree as ET
for case in ET.parse(sys.argv[1]).iter("testcase"):
    bad = case.find("failure") is not None or case.find("error") is not None
    print(("FAIL" if bad else "ok") + "\t" + case.get("name", "?"))
EOF
    ) || results=""
    local verdict operation any_failed=0
    while IFS=$'\t' read -r verdict operation; do
        [[ -z "$verdict" ]] && continue
        if [[ "$verdict" == ok ]]; then
            pass "$name: $operation"
        else
            fail "$name: $operation"
            any_failed=1
        fi
    done <<<"$results"
    if [[ -z "$results" ]] || { ((rc != 0)) && ((any_failed == 0)); }; then
        fail "$name: schemathesis exited with $rc"
        any_failed=1
    fi
    if ((any_failed)); then
        sed -n '/^=* \(ERRORS\|FAILURES\) =*$/,/^=* SUMMARY =*$/p' "$log" | head -n 200 || true
        tail -n 30 "$log"
    fi
}

# The moderator first: the administrator's run changes the demo room's access.
if [[ -n "$room_token" ]]; then
    fuzz room-moderator "Authorization: Bearer $room_token"
fi
fuzz admin "$admin_key"

echo "contract: $passed passed, $failed failed"
((failed == 0))
