#!/usr/bin/env bash
# The API over HTTP as a client sees it: `cargo lambda watch` with the project's router
# serving the real functions behind scripts/gateway.py, as `make dev` serves them
# (scripts/api.sh), against a freshly created and seeded table and bucket on the running
# local stack; then the recipient's share page in headless Chromium. Needs the stack up
# (scripts/stack.sh start) and cargo-lambda on PATH; installs Chromium (apt) and
# Playwright (npm) when missing.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

port=${SMOKE_PORT:-9100}
export TABLE_NAME="smoke-$$" BUCKET_NAME="smoke-$$" PUBLIC_BASE_URL="http://127.0.0.1:$port"
base="http://127.0.0.1:$port/api/v1"
log="$STACK_DIR/smoke-watch.log"

cargo build --quiet --workspace --bins
target/debug/devstack resources >/dev/null
target/debug/devstack seed >/dev/null

setsid scripts/api.sh "$port" --ignore-changes >"$log" 2>&1 &
watch_pid=$!
trap 'kill -- -"$watch_pid" 2>/dev/null || true; wait "$watch_pid" 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.5
done

passed=0 failed=0
# check NAME EXPECTED_STATUS JSON_ASSERTION CURL_ARGS...: JSON_ASSERTION is a Python
# expression over `b`, the parsed body.
check() {
    local name=$1 want=$2 assertion=$3 status
    shift 3
    status=$(curl -s -o "$STACK_DIR/smoke-body" -w '%{http_code}' --max-time 60 "$@") || status=000
    if [[ "$status" == "$want" ]] && python3 -c "
import json, sys
b = json.load(open(sys.argv[1]))
sys.exit(0 if ($assertion) else 1)" "$STACK_DIR/smoke-body" 2>/dev/null; then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name: status $status, body: $(head -c 300 "$STACK_DIR/smoke-body")"
    fi
}

key=(-H "X-API-KEY: $LOCAL_API_KEY")
check "list the demo recordings" 200 \
    'len(b["recordings"]) == 10 and b["pagination"]["isTruncated"]' "${key[@]}" "$base/recordings"
check "list one room, filtered by status" 200 \
    'b["recordings"] and all(r["roomId"] == "design-review-p4q9z" and r["status"] == "complete" for r in b["recordings"])' \
    "${key[@]}" "$base/recordings?roomId=design-review-p4q9z&status=complete&maxItems=100"
check "get one recording" 200 \
    'b["recordingId"] == "daily-standup-x7k2m--EG_demo001--d001a1b2c3" and b["status"] == "complete"' \
    "${key[@]}" "$base/recordings/daily-standup-x7k2m--EG_demo001--d001a1b2c3"
check "unknown recording" 404 'b["error"] == "Recording Error"' \
    "${key[@]}" "$base/recordings/daily-standup-x7k2m--EG_nothing--zz9"
check "malformed recording id" 422 'b["details"][0]["field"] == "recordingId"' \
    "${key[@]}" "$base/recordings/not-an-id"
check "invalid maxItems" 422 'b["details"][0]["field"] == "maxItems"' \
    "${key[@]}" "$base/recordings?maxItems=0"
check "no credentials" 401 'b["error"] == "Authentication Error"' "$base/recordings"

# field NAME: a top-level string of the last response body.
field() {
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
        "$STACK_DIR/smoke-body" "$1"
}
json=(-H "Content-Type: application/json")
check "log in" 200 'b["expiresIn"] == 7200' "${json[@]}" -X POST \
    -d "{\"username\": \"$ADMIN_USERNAME\", \"password\": \"$ADMIN_PASSWORD\"}" "$base/auth/login"
admin_token=$(field accessToken)
check "create a room with the admin token" 201 'b["roomId"].startswith("smoke-")' \
    -H "Authorization: Bearer $admin_token" "${json[@]}" -X POST \
    -d '{"roomName": "Smoke", "config": {"recording": {"allowAccessTo": "admin_moderator"}}}' "$base/rooms"
room_id=$(field roomId)
speaker_secret=$(field speakerUrl | sed 's/.*secret=//')
check "exchange the speaker secret" 200 \
    'b["role"] == "speaker" and not b["permissions"]["canRetrieveRecordings"]' \
    "${json[@]}" -X POST -d "{\"secret\": \"$speaker_secret\"}" "$base/rooms/$room_id/recording-token"
speaker_token=$(field token)
check "the speaker reads the room's config" 200 'b["recording"]["allowAccessTo"] == "admin_moderator"' \
    -H "Authorization: Bearer $speaker_token" "$base/rooms/$room_id/config"
check "the speaker may not list this room's recordings" 403 'b["error"] == "Authorization Error"' \
    -H "Authorization: Bearer $speaker_token" "$base/recordings"
check "a bad room config is refused" 422 'b["details"][0]["field"] == "config.recording.allowAccessTo"' \
    "${key[@]}" "${json[@]}" -X PUT -d '{"config": {"recording": {"allowAccessTo": "all"}}}' \
    "$base/rooms/$room_id/config"

demo=daily-standup-x7k2m--EG_demo001--d001a1b2c3
check "a presigned URL for a demo video" 200 'b["url"].startswith("http")' \
    "${key[@]}" "$base/recordings/$demo/media?redirect=false"
video_status=$(curl -s -o "$STACK_DIR/smoke-video" -w '%{http_code}' "$(field url)") || video_status=000
if [[ "$video_status" == 200 ]] && cmp -s "$STACK_DIR/smoke-video" infra/demo/demo-2.mp4; then
    passed=$((passed + 1)); echo "ok   the presigned URL serves the video from S3"
else
    failed=$((failed + 1)); echo "FAIL the presigned URL serves the video from S3: status $video_status"
fi
doomed=daily-standup-x7k2m--EG_demo002--d002a1b2c3
check "delete a demo recording" 200 'b["message"].endswith("deleted successfully")' \
    "${key[@]}" -X DELETE "$base/recordings/$doomed"
check "the deleted recording is gone" 404 'b["error"] == "Recording Error"' \
    "${key[@]}" "$base/recordings/$doomed"
check "bulk delete reports each id" 400 'len(b["failed"]) == 1 and b["deleted"] == []' \
    "${key[@]}" -X DELETE "$base/recordings?recordingIds=$doomed"

check "starting a recording with no media server running is a clear 503" 503 \
    'b["error"] == "Service Unavailable"' "${key[@]}" "${json[@]}" -X POST \
    -d '{"roomId": "daily-standup-x7k2m"}' "$base/recordings"
check "an unsigned webhook is refused" 401 'b["error"] == "Authentication Error"' \
    "${json[@]}" -X POST -d '{"event": "egress_ended"}' "http://127.0.0.1:$port/webhooks/livekit"

# A body that is not UTF-8 is the function's to answer, as behind API Gateway: the
# contract's 422 for a body that is not a JSON object.
not_utf8=$'\xff\xfe{"username": "\x80"}'
check "a body that is not UTF-8 gets the contract's 422" 422 \
    'b["error"] == "Unprocessable Entity" and isinstance(b["message"], str) and b["details"][0]["field"] == "body"' \
    "${json[@]}" -X POST --data-binary "$not_utf8" "$base/auth/login"
check "a body that is not UTF-8 with the API key, as text" 422 'b["details"][0]["field"] == "body"' \
    "${key[@]}" -H "Content-Type: text/plain" -X POST --data-binary "$not_utf8" "$base/rooms"
# A burst of them, mixed with ordinary requests to the same functions and to others: every
# one is answered by its function, none with a 5xx, none later than 5 s.
burst="$STACK_DIR/smoke-burst"
rm -rf "$burst" && mkdir -p "$burst"
burst_pids=()
# answer WANT NAME CURL_ARGS...: one request in the background, its outcome in $burst/NAME.
answer() {
    local want=$1 name=$2
    shift 2
    curl -s -o /dev/null -w "$want %{http_code} %{time_total} $name\n" --max-time 30 "$@" \
        >"$burst/$name" &
    burst_pids+=($!)
}
burst_started=$SECONDS
for i in $(seq 1 20); do
    answer 422 "login-not-utf8-$i" "${json[@]}" -X POST --data-binary "$not_utf8" "$base/auth/login"
    answer 422 "rooms-not-utf8-$i" "${key[@]}" "${json[@]}" -X POST --data-binary "$not_utf8" "$base/rooms"
    answer 422 "login-empty-$i" "${json[@]}" -X POST -d '{}' "$base/auth/login"
    answer 200 "rooms-$i" "${key[@]}" "$base/rooms"
    answer 200 "recordings-$i" "${key[@]}" "$base/recordings"
done
wait "${burst_pids[@]}" || true
burst_seconds=$((SECONDS - burst_started))
if burst_report=$(cat "$burst"/* | python3 -c '
import sys
lines = [line.split() for line in sys.stdin]
late = [" ".join(l) for l in lines if l[0] != l[1] or float(l[2]) > 5]
print(f"{len(lines)} answered, the slowest in {max([float(l[2]) for l in lines] or [0]):.2f} s")
print("; ".join(late[:10]))
sys.exit(1 if late or len(lines) != 100 else 0)'); then
    passed=$((passed + 1))
    echo "ok   a burst of 40 bodies that are not UTF-8 among 60 other requests: ${burst_report%%$'\n'*}, $burst_seconds s in all"
else
    failed=$((failed + 1))
    echo "FAIL a burst of bodies that are not UTF-8 among other requests: $burst_report" \
        "(want, got, seconds, request)"
fi

check "share a demo recording" 200 'b["url"].startswith("http://127.0.0.1")' \
    "${key[@]}" "$base/recordings/$demo/url"
share_url=$(field url)
check "share it again" 200 'b["shareId"]' "${key[@]}" "$base/recordings/$demo/url"
revoked_url=$(field url)
check "revoke the second link" 200 'b["message"].endswith("revoked")' \
    "${key[@]}" -X DELETE "$base/recordings/$demo/shares/$(field shareId)"
check "the share link opens without credentials" 200 'b["recordingId"] == "'"$demo"'"' \
    "$base/recordings/$demo?${share_url#*\?}"

# The recipient's page in a real browser.
command -v chromium >/dev/null || {
    echo "installing Chromium (apt)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}
browser_dir=tests/browser
scripts/node-deps.sh
if SHARE_URL="$share_url" EXPECTED_DURATION=6 REVOKED_URL="$revoked_url" \
    node --test "$browser_dir/"; then
    passed=$((passed + 1)); echo "ok   the recipient page plays in Chromium"
else
    failed=$((failed + 1)); echo "FAIL the recipient page plays in Chromium"
fi

# Every operation against docs/openapi.yaml (schemathesis), and the input limits.
if scripts/contract.sh "http://127.0.0.1:$port"; then
    passed=$((passed + 1)); echo "ok   the API keeps its contract (scripts/contract.sh)"
else
    failed=$((failed + 1)); echo "FAIL the API keeps its contract (scripts/contract.sh)"
fi

echo "smoke: $passed passed, $failed failed"
if ((failed > 0)); then
    echo "--- cargo lambda watch log (tail) ---"
    tail -n 40 "$log"
    exit 1
fi
