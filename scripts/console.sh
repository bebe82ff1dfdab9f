#!/usr/bin/env bash
# The web console (console/): a static single-page app built with Vite, served locally by
# Vite's own servers with the same Content-Security-Policy as CloudFront, published to the
# console bucket by `make deploy`. Installs its npm packages from console/package-lock.json
# when that changed.
#
# Usage: scripts/console.sh COMMAND
#   install        the npm packages (npm ci), when console/package-lock.json changed.
#   dev            `make dev`: writes console/public/config.json for the local API and serves
#                  the console with hot reload on http://localhost:$CONSOLE_PORT (5173), in the
#                  foreground; the dev server forwards /api/ to the local API (which answers no
#                  CORS of its own), so the console calls its own origin.
#   check          `make test`: formatter and linter (Biome), TypeScript strict, the generated
#                  API types against docs/openapi.yaml, the unit tests (Vitest), the build.
#   test           `make test`: the browser tests (Playwright driving Debian's Chromium) against
#                  the console as deployed (vite build, served by vite preview) and an API of its
#                  own (scripts/api.sh on $CONSOLE_TEST_API_PORT) on a fresh, seeded table and
#                  bucket of the running stack; screenshots into docs/screenshots/ (or
#                  $SCREENSHOT_DIR), the room view with the local media server. Needs the
#                  stack up (scripts/stack.sh start).
#   build          vite build into console/dist (config.json not included).
#   bench          `make bench`: bundle sizes and time to the first rows at 1,000 and 100,000
#                  recordings, into docs/console-benchmarks.md.
#   config FILE API_BASE_URL MEDIA_ORIGIN [ENVIRONMENT]
#                  writes a config.json.
#   deployed       `make deploy`, after sam deploy: publish to the deployed stack (its outputs).
#   publish BUCKET DISTRIBUTION_ID API_BASE_URL MEDIA_ORIGIN
#                  builds, writes dist/config.json, uploads dist/ to the bucket (aws s3 sync,
#                  stale files deleted) and invalidates the CloudFront distribution (skipped
#                  when DISTRIBUTION_ID is "-", e.g. against LocalStack's S3).
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

dir=console
: "${CONSOLE_PORT:=5173}"

log() { printf '[console] %s\n' "$*" >&2; }

deps() {
    local stamp="$dir/node_modules/.installed-$(sha256sum "$dir/package-lock.json" | cut -c1-16)"
    if [[ ! -f "$stamp" ]]; then
        log "npm ci in $dir"
        npm ci --prefix "$dir" --no-audit --no-fund --silent
        touch "$stamp"
    fi
}

# Debian's Chromium, which the browser tests and the console benchmark drive.
chromium_installed() {
    command -v chromium >/dev/null && return
    log "installing Chromium (apt)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}

origin_of() { python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(f"{p.scheme}://{p.netloc}" if p.netloc else "")' "$1"; }

write_config() {
    local file=$1 api=$2 media=$3 environment=${4:-}
    python3 - "$file" "$api" "$media" "$environment" <<'PY'
import json, sys
file, api, media, environment = sys.argv[1:5]
config = {"apiBaseUrl": api.rstrip("/"), "mediaOrigin": media}
if environment:
    config["environment"] = environment
with open(file, "w") as f:
    json.dump(config, f, indent=2)
    f.write("\n")
PY
}

# Where the local functions' presigned URLs point: the S3 endpoint they are given.
local_media_origin() { origin_of "${AWS_ENDPOINT_URL_S3:-${AWS_ENDPOINT_URL:-http://127.0.0.1:$LOCALSTACK_PORT}}"; }

# The binaries the local API serves (every crate under functions/) and devstack, built
# before the API starts so that no request waits for a compile.
build_functions() {
    local packages=(-p devstack) dir
    for dir in functions/*/; do packages+=(-p "$(basename "$dir")"); done
    cargo build --quiet --bins "${packages[@]}"
}

build() {
    deps
    (cd "$dir" && npx tsc --noEmit && npx tsc --noEmit -p tsconfig.node.json && npx vite build --logLevel warn)
    rm -f "$dir/dist/config.json"
}

case "${1:-}" in
    install)
        deps
        ;;
    dev)
        deps
        # CONSOLE_API_URL: an API that answers CORS for this origin itself; by default the dev
        # server forwards /api/ to the local API on API_PORT.
        write_config "$dir/public/config.json" "${CONSOLE_API_URL:-}" "$(local_media_origin)" local
        export CONSOLE_PORT
        [[ -n "${CONSOLE_API_URL:-}" ]] || export CONSOLE_API_PROXY="http://127.0.0.1:$API_PORT"
        cd "$dir" && exec npx vite --clearScreen false
        ;;
    check)
        deps
        cd "$dir"
        log "format and lint (biome ci)"; npx biome ci .
        log "TypeScript strict"; npx tsc --noEmit && npx tsc --noEmit -p tsconfig.node.json
        log "the API client against docs/openapi.yaml"; node scripts/check-api.mjs
        log "unit tests"; npx vitest run
        log "build"; npx vite build --logLevel warn
        node scripts/size.mjs
        ;;
    build)
        build
        ;;
    config)
        write_config "${2:?file}" "${3?api base URL}" "${4?media origin}" "${5:-}"
        ;;
    publish)
        bucket=${2:?bucket} distribution=${3:?distribution id or -} api=${4:?api base URL} media=${5:?media origin}
        build
        write_config "$dir/dist/config.json" "$api" "$media"
        # Source maps stay out of the bucket.
        find "$dir/dist" -name '*.map' -delete
        log "uploading to s3://$bucket"
        # Hashed assets never change: cached for a year. The rest (index.html, config.json,
        # favicon) is revalidated on every load, so a deploy shows at once.
        aws s3 sync "$dir/dist/assets" "s3://$bucket/assets" --delete --only-show-errors \
            --cache-control 'public, max-age=31536000, immutable'
        aws s3 sync "$dir/dist" "s3://$bucket" --delete --only-show-errors --exclude 'assets/*' \
            --cache-control 'no-cache'
        if [[ "$distribution" != - ]]; then
            log "invalidating CloudFront distribution $distribution"
            aws cloudfront create-invalidation --distribution-id "$distribution" --paths '/*' \
                --query 'Invalidation.Id' --output text
        fi
        ;;
    deployed)
        # After `sam deploy` (scripts/sam.sh deploy): the stack's outputs name the bucket, the
        # distribution and the API; the stack and region come from infra/samconfig.toml
        # (written by `sam deploy --guided`) unless STACK_NAME / AWS_REGION say otherwise.
        read -r stack region < <(python3 - "$REPO_ROOT/infra/samconfig.toml" <<'PY'
import os, sys, tomllib
try:
    with open(sys.argv[1], "rb") as f:
        params = tomllib.load(f).get("default", {}).get("deploy", {}).get("parameters", {})
except FileNotFoundError:
    params = {}
stack = os.environ.get("STACK_NAME") or params.get("stack_name", "")
region = os.environ.get("SAM_REGION") or params.get("region") or os.environ.get("AWS_REGION", "")
print(stack or "-", region or "-")
PY
)
        [[ "$stack" != - ]] || { log "no stack name: set STACK_NAME or run sam deploy --guided"; exit 1; }
        [[ "$region" == - ]] || export AWS_REGION="$region" AWS_DEFAULT_REGION="$region"
        output() {
            aws cloudformation describe-stacks --stack-name "$stack" \
                --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
        }
        bucket=$(output ConsoleBucketName) distribution=$(output ConsoleDistributionId)
        api_url=$(output ApiUrl) recordings=$(output RecordingsBucketName)
        # Presigned URLs are virtual-hosted: https://<bucket>.s3.<region>.amazonaws.com/...
        "$0" publish "$bucket" "$distribution" "$api_url" "https://$recordings.s3.$AWS_REGION.amazonaws.com"
        log "published: $(output ConsoleUrl)"
        ;;
    bench)
        # `make bench` (scripts/bench.sh): the first load's JS and CSS gzipped, and the time
        # from navigation to the first rows at each of CONSOLE_BENCH_SIZES recordings (default
        # "1000 100000"), each in a table and bucket of its own filled by the bench crate
        # (`bench load-setup`), served as in `make dev`. Writes docs/console-benchmarks.md.
        deps
        chromium_installed
        sizes=${CONSOLE_BENCH_SIZES:-1000 100000}
        api_port=${CONSOLE_BENCH_API_PORT:-9310} preview_port=${CONSOLE_BENCH_PORT:-5283}
        PATH="$(scripts/tools.sh):$PATH"
        [[ -x target/release/bench ]] || cargo build --release --quiet -p bench
        build_functions
        build
        size_json="$STACK_DIR/console-size.json"
        (cd "$dir" && node scripts/size.mjs --json "$size_json")
        write_config "$dir/dist/config.json" "" "$(local_media_origin)" bench
        results="$STACK_DIR/console-bench.jsonl"
        : >"$results"
        for n in $sizes; do
            name="console-bench-$$-$n"
            log "$n recordings into $name (bench load-setup)"
            started=$SECONDS
            target/release/bench load-setup --name "$name" --state "$STACK_DIR/$name.json" --kept "$n" --doomed 0
            setup_seconds=$((SECONDS - started))
            TABLE_NAME=$name BUCKET_NAME=$name PUBLIC_BASE_URL="http://127.0.0.1:$api_port" \
                setsid scripts/api.sh "$api_port" --ignore-changes >"$STACK_DIR/console-bench-api.log" 2>&1 &
            api_pid=$!
            (cd "$dir" && CONSOLE_PORT=$preview_port CONSOLE_API_PROXY="http://127.0.0.1:$api_port" \
                exec setsid npx vite preview --logLevel warn) >"$STACK_DIR/console-bench-preview.log" 2>&1 &
            preview_pid=$!
            stop_bench() {
                kill -- -"$preview_pid" 2>/dev/null || true
                kill -- -"$api_pid" 2>/dev/null || true
                wait "$preview_pid" "$api_pid" 2>/dev/null || true
                target/release/bench cleanup --name "$name" >/dev/null 2>&1 || true
                rm -f "$STACK_DIR/$name.json"
            }
            trap stop_bench EXIT
            for _ in $(seq 1 240); do
                curl -s -o /dev/null "http://127.0.0.1:$api_port/" && curl -s -o /dev/null "http://127.0.0.1:$preview_port/" && break
                sleep 0.5
            done
            line=$(cd "$dir" && node tests/bench/first-rows.mjs "http://localhost:$preview_port" "http://127.0.0.1:$api_port" "${CONSOLE_BENCH_RUNS:-7}")
            echo "{\"recordings\": $n, \"setupSeconds\": $setup_seconds, \"firstRows\": $line}" | tee -a "$results"
            stop_bench
            trap - EXIT
        done
        python3 - "$size_json" "$results" "$REPO_ROOT/docs/console-benchmarks.md" <<'PY'
import datetime, json, os, platform, sys
size = json.load(open(sys.argv[1]))
rows = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
kb = lambda b: f"{b / 1024:.1f} kB"
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
out = [
    "# Web console benchmark",
    "",
    "Written by `make bench` (`scripts/console.sh bench`); not a test. "
    f"{datetime.date.today().isoformat()}, {os.cpu_count()} cores ({cpu}), headless Chromium against the local stack "
    "(the functions served by `cargo lambda watch` as in `make dev`, the console built as deployed and "
    "served by `vite preview`).",
    "",
    "## First load",
    "",
    "| | gzipped | raw |",
    "|---|---|---|",
    f"| JavaScript | {kb(size['js'])} | {kb(size['jsRaw'])} |",
    f"| CSS | {kb(size['css'])} | {kb(size['cssRaw'])} |",
    "",
    "Budget: 150 kB of JavaScript, gzipped.",
    "",
    "## Navigation to the first rows",
    "",
    "From navigation start to the first row of the Recordings page, signed in (median of the runs after "
    "one warm-up visit; each run a fresh browser context, so nothing is cached).",
    "",
    "| recordings | median | min | max | runs | list requests for the page |",
    "|---|---|---|---|---|---|",
]
for r in rows:
    f = r["firstRows"]
    out.append(f"| {r['recordings']:,} | {f['medianMs']} ms | {f['minMs']} ms | {f['maxMs']} ms | {f['runs']} | {f['requestsPerPage']} |")
if len(rows) >= 2:
    base, large = rows[0]["firstRows"]["medianMs"], rows[-1]["firstRows"]["medianMs"]
    out += ["", f"Ratio {rows[-1]['recordings']:,} / {rows[0]['recordings']:,}: {large / base:.2f} (budget: at most 1.5)."]
else:
    out += ["", "Only one size was measured in this run (`CONSOLE_BENCH_SIZES`); the budget compares 1,000 with 100,000."]
out += ["", "Emulator latencies are not AWS's: compare the ratio, not the milliseconds.", ""]
open(sys.argv[3], "w").write("\n".join(out))
print(f"[console] wrote {sys.argv[3]}")
PY
        ;;
    test)
        deps
        chromium_installed
        api_port=${CONSOLE_TEST_API_PORT:-9300}
        preview_port=${CONSOLE_TEST_PORT:-5273}
        export TABLE_NAME="console-$$" BUCKET_NAME="console-$$" PUBLIC_BASE_URL="http://127.0.0.1:$api_port"
        # Room links open this console; the tests start and stop the local media server on
        # LIVEKIT_URL themselves, reporting to this API.
        export CONSOLE_ORIGIN="http://localhost:$preview_port"
        export LIVEKIT_URL="http://127.0.0.1:${CONSOLE_TEST_LIVEKIT_PORT:-7980}"
        export LIVEKIT_WEBHOOK_URL="http://127.0.0.1:$api_port/webhooks/livekit"
        scripts/node-deps.sh
        PATH="$(scripts/tools.sh):$PATH"
        build_functions
        target/debug/devstack resources >/dev/null
        target/debug/devstack seed >/dev/null
        build
        write_config "$dir/dist/config.json" "" "$(local_media_origin)" local
        api_log="$STACK_DIR/console-api.log" preview_log="$STACK_DIR/console-preview.log"
        setsid scripts/api.sh "$api_port" --ignore-changes >"$api_log" 2>&1 &
        api_pid=$!
        (cd "$dir" && CONSOLE_PORT=$preview_port CONSOLE_API_PROXY="http://127.0.0.1:$api_port" \
            exec setsid npx vite preview --logLevel warn) >"$preview_log" 2>&1 &
        preview_pid=$!
        stop() {
            kill -- -"$preview_pid" 2>/dev/null || true
            kill -- -"$api_pid" 2>/dev/null || true
            wait "$preview_pid" "$api_pid" 2>/dev/null || true
        }
        trap stop EXIT
        for _ in $(seq 1 240); do
            curl -s -o /dev/null "http://127.0.0.1:$api_port/" && curl -s -o /dev/null "http://127.0.0.1:$preview_port/" && break
            sleep 0.5
        done
        status=0
        CONSOLE_URL="http://localhost:$preview_port" API_URL="http://127.0.0.1:$api_port" \
            SCREENSHOT_DIR="${SCREENSHOT_DIR:-$REPO_ROOT/docs/screenshots}" \
            node --test --test-concurrency=1 ${CONSOLE_TEST_ONLY:+--test-name-pattern="$CONSOLE_TEST_ONLY"} \
            "$dir/tests/browser/" || status=$?
        if ((status != 0)); then
            echo "--- API log (tail) ---"; tail -n 30 "$api_log"
            echo "--- preview log (tail) ---"; tail -n 10 "$preview_log"
        fi
        exit "$status"
        ;;
    *)
        sed -n '2,30p' "$0" >&2
        exit 2
        ;;
esac
