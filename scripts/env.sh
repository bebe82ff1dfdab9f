# Sourced by the project's scripts: loads infra/local.env (variables already set in the
# environment win), exports it, and points the AWS SDK at the local emulators unless
# AWS_ENDPOINT_URL names another endpoint (for example LocalStack in Docker). Also defines
# install_venv, the scripts' one way to install Python tools.
REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
ENV_FILE="$REPO_ROOT/infra/local.env"

load_local_env() {
    local line key
    while IFS= read -r line || [[ -n "$line" ]]; do
        line=${line%$'\r'}
        [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
        if [[ ! "$line" =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]]; then
            printf '%s: cannot parse line: %s\n' "$ENV_FILE" "$line" >&2
            return 1
        fi
        key=${BASH_REMATCH[1]}
        [[ -n "${!key:-}" ]] || printf -v "$key" '%s' "${BASH_REMATCH[2]}"
        export "${key?}"
    done <"$ENV_FILE"
    [[ "$STACK_DIR" == /* ]] || STACK_DIR="$REPO_ROOT/$STACK_DIR"
    export STACK_DIR
    if [[ -z "${AWS_ENDPOINT_URL:-}" ]]; then
        export AWS_ENDPOINT_URL_DYNAMODB="${AWS_ENDPOINT_URL_DYNAMODB:-http://127.0.0.1:$DYNAMODB_PORT}"
        export AWS_ENDPOINT_URL_S3="${AWS_ENDPOINT_URL_S3:-http://127.0.0.1:$LOCALSTACK_PORT}"
        export AWS_ENDPOINT_URL_EVENTBRIDGE="${AWS_ENDPOINT_URL_EVENTBRIDGE:-http://127.0.0.1:$LOCALSTACK_PORT}"
        export AWS_ENDPOINT_URL_SQS="${AWS_ENDPOINT_URL_SQS:-http://127.0.0.1:$LOCALSTACK_PORT}"
        export AWS_ENDPOINT_URL_SECRETS_MANAGER="${AWS_ENDPOINT_URL_SECRETS_MANAGER:-http://127.0.0.1:$LOCALSTACK_PORT}"
    fi
    export AWS_DEFAULT_REGION="$AWS_REGION"
    # LocalStack's queue URLs: its one account, then the queue's name.
    export EXPORT_QUEUE_URL="${EXPORT_QUEUE_URL:-${AWS_ENDPOINT_URL_SQS:-$AWS_ENDPOINT_URL}/000000000000/$EXPORT_QUEUE_NAME}"
    # Where the media server's egress uploads recordings: the same S3 as the functions.
    export EGRESS_S3_ENDPOINT="${EGRESS_S3_ENDPOINT:-${AWS_ENDPOINT_URL_S3:-$AWS_ENDPOINT_URL}}"
}

# Whether the virtualenv $1 holds requirements file $2 as it is now (the file's hash is
# stamped into the virtualenv once its install has succeeded).
venv_current() {
    [[ "$(cat "$1/.installed" 2>/dev/null)" == "$(sha256sum <"$2" | cut -d' ' -f1)" ]]
}

# Makes the virtualenv $1 hold requirements file $2 (pinned versions), created anew with
# Python $3 (default python3) unless it already does. Progress goes to stderr.
install_venv() {
    local venv=$1 requirements=$2 python=${3:-python3}
    venv_current "$venv" "$requirements" && return 0
    printf '[venv] installing %s into %s\n' "${requirements##*/}" "$venv" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
        -r "$requirements" >&2
    sha256sum <"$requirements" | cut -d' ' -f1 >"$venv/.installed"
}

load_local_env
