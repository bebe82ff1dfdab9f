"""Checks the transformed template (plain CloudFormation, from translate.py) for what the
project promises about its deployment, generically for every function:

- functions: provided.al2023 on arm64, handler bootstrap, small memory, a timeout below API
  Gateway's 30-second integration limit, the environment the code reads at cold start;
- secrets: no function's environment holds a secret's value, literally or as a dynamic
  reference that CloudFormation would resolve into it; a function is given secrets as
  `<VARIABLE>_SECRET_ARN` references to Secrets Manager secrets, which its role may read
  (`secretsmanager:GetSecretValue` on exactly those), and no parameter has a default that
  looks like a secret;
- least privilege: no wildcard actions, no `Resource: "*"`, DynamoDB access only to the
  template's table and its indexes, S3 access only to the recordings bucket (the exact
  actions per function are checked against the code by tests/tests/infra/policies.rs);
- alarms: every function has an Errors and a Throttles alarm, the API a 5xx alarm;
- the HTTP API: payload format 2.0 on every route, a $default stage with throttling and
  JSON access logs, CORS for one origin (never "*");
- data and console: on-demand table with PITR, TTL and deletion protection; buckets with
  Block Public Access and encryption; the console bucket readable only by its CloudFront
  distribution, through Origin Access Control;
- parameters: no secret-looking defaults; RustLog refuses `trace` at any level or target.

Usage: python consistency.py TRANSFORMED.json
Prints every problem found and exits 1 if there is any.
"""

import json
import re
import sys

REQUIRED_ENV = ("TABLE_NAME", "BUCKET_NAME", "PUBLIC_BASE_URL", "RUST_LOG")
SECRET_ENV = re.compile(r"(API_KEY|SIGNING_KEY|SECRET|PASSWORD|PRIVATE_KEY|CREDENTIAL)")
# The variables whose values are secrets (shared/src/secrets.rs): never in an environment.
SECRET_VARIABLES = ("TOKEN_SIGNING_KEY", "API_KEY_HASHES", "ADMIN_PASSWORD_HASH", "LIVEKIT_API_SECRET")
SECRET_ARN_SUFFIX = "_SECRET_ARN"
# Secret-like names whose values are not secret: the LiveKit API key is the key's name,
# carried in the clear by every token it signs.
NOT_SECRET_ENV = ("LIVEKIT_API_KEY",)
LOOKS_SECRET = re.compile(r"[0-9a-f]{64}|\$argon2id\$|\{\{resolve:(secretsmanager|ssm-secure):")
MAX_MEMORY_MB = 1024
API_GATEWAY_TIMEOUT_S = 30
# Lambda's longest, for functions no request waits on (a queue's job).
LAMBDA_MAX_TIMEOUT_S = 900
# Actions that only ever take Resource "*".
RESOURCELESS_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "cloudwatch:PutMetricData"}
TABLE = "RecordingsTable"
RECORDINGS_BUCKET = "RecordingsBucket"

problems = []


def problem(message):
    problems.append(message)


def as_list(value):
    return value if isinstance(value, list) else [value]


def ref(value):
    return value.get("Ref") if isinstance(value, dict) and len(value) == 1 else None


def refers_to(value, logical_id):
    """True if an intrinsic expression mentions resource `logical_id` (Ref, GetAtt, Sub)."""
    text = json.dumps(value)
    return (
        f'"Ref": "{logical_id}"' in text
        or f'"Fn::GetAtt": ["{logical_id}"' in text
        or f"${{{logical_id}." in text
        or f"${{{logical_id}}}" in text
    )


def leaves(value):
    """Every literal string an expression can evaluate to or is built from (both branches
    of Fn::If, the template of Fn::Sub)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict) and len(value) == 1:
        (fn, args), = value.items()
        if fn == "Fn::If":
            yield from leaves(args[1])
            yield from leaves(args[2])
        elif fn == "Fn::Sub":
            yield args if isinstance(args, str) else args[0]
        elif fn == "Ref":
            yield {"Ref": args}
        else:
            yield value
    else:
        yield value


def queue_jobs(resources):
    """Functions an SQS event source mapping invokes, with their queue's visibility timeout."""
    jobs = {}
    for mapping in resources.values():
        if mapping["Type"] != "AWS::Lambda::EventSourceMapping":
            continue
        props = mapping["Properties"]
        function = props.get("FunctionName", {}).get("Ref")
        queue = props.get("EventSourceArn", {}).get("Fn::GetAtt", [None])[0]
        if function and queue in resources and resources[queue]["Type"] == "AWS::SQS::Queue":
            jobs[function] = resources[queue]["Properties"].get("VisibilityTimeout", 30)
        else:
            problem(f"an event source mapping must name a function and a queue of the template: {props}")
    return jobs


def check_functions(resources):
    queue_jobs_ = queue_jobs(resources)
    functions = {k: r for k, r in resources.items() if r["Type"] == "AWS::Lambda::Function"}
    if not functions:
        problem("the template has no AWS::Lambda::Function")
    for fid, fn in sorted(functions.items()):
        p = fn["Properties"]
        if p.get("Runtime") != "provided.al2023":
            problem(f"{fid}: Runtime must be provided.al2023, not {p.get('Runtime')}")
        if p.get("Architectures") != ["arm64"]:
            problem(f"{fid}: Architectures must be [arm64]")
        if p.get("Handler") != "bootstrap":
            problem(f"{fid}: Handler must be bootstrap")
        memory = p.get("MemorySize", 128)
        if not isinstance(memory, int) or memory > MAX_MEMORY_MB:
            problem(f"{fid}: MemorySize must be at most {MAX_MEMORY_MB} MB, not {memory}")
        timeout = p.get("Timeout", 3)
        if fid in queue_jobs_:
            if not isinstance(timeout, int) or timeout > LAMBDA_MAX_TIMEOUT_S:
                problem(f"{fid}: Timeout must be at most {LAMBDA_MAX_TIMEOUT_S} s, not {timeout}")
            elif timeout > queue_jobs_[fid]:
                problem(f"{fid}: Timeout {timeout} s is longer than its queue's visibility timeout "
                        f"({queue_jobs_[fid]} s): a message would run twice at once")
        elif not isinstance(timeout, int) or timeout >= API_GATEWAY_TIMEOUT_S:
            problem(f"{fid}: Timeout must be below API Gateway's {API_GATEWAY_TIMEOUT_S} s, not {timeout}")
        if "LogGroup" not in p.get("LoggingConfig", {}):
            problem(f"{fid}: LoggingConfig.LogGroup must name a log group with a retention")
        env = p.get("Environment", {}).get("Variables", {})
        for name in REQUIRED_ENV:
            if name not in env:
                problem(f"{fid}: environment variable {name} is missing (the cold start needs it)")
        check_secrets_in_environment(fid, env)
    return functions


def check_secrets_in_environment(fid, env):
    """Anyone allowed lambda:GetFunctionConfiguration reads a function's environment: it may
    name secrets, never hold their values."""
    for name, value in sorted(env.items()):
        for leaf in leaves(value):
            if isinstance(leaf, str) and LOOKS_SECRET.search(leaf):
                problem(f"{fid}: {name} holds what looks like a secret value, or a dynamic reference "
                        "CloudFormation would resolve into one: give its secret's ARN as "
                        f"<VARIABLE>{SECRET_ARN_SUFFIX} instead")
        if name in SECRET_VARIABLES:
            problem(f"{fid}: {name} is a secret: give {name}{SECRET_ARN_SUFFIX}, read at cold start")
        elif name.endswith(SECRET_ARN_SUFFIX):
            if name[: -len(SECRET_ARN_SUFFIX)] not in SECRET_VARIABLES:
                problem(f"{fid}: {name} names no variable the code reads as a secret")
            if any(isinstance(leaf, str) for leaf in leaves(value)):
                problem(f"{fid}: {name} must be a reference to a secret (a parameter or a resource), not a literal")
        elif SECRET_ENV.search(name) and name not in NOT_SECRET_ENV:
            problem(f"{fid}: {name} looks like a secret: give it as a secret's ARN, {name}{SECRET_ARN_SUFFIX}")


def statements(role):
    for policy in role["Properties"].get("Policies", []):
        for statement in as_list(policy["PolicyDocument"]["Statement"]):
            yield policy["PolicyName"], statement


def check_roles(resources, functions):
    roles = {}
    for fid, fn in functions.items():
        role = fn["Properties"].get("Role")
        rid = (role or {}).get("Fn::GetAtt", [None])[0] if isinstance(role, dict) else None
        if rid not in resources or resources[rid]["Type"] != "AWS::IAM::Role":
            problem(f"{fid}: its role must be one the template creates for it (SAM Policies)")
            continue
        roles[rid] = fid
    for rid, fid in sorted(roles.items()):
        role = resources[rid]["Properties"]
        managed = [arn if isinstance(arn, str) else json.dumps(arn) for arn in role.get("ManagedPolicyArns", [])]
        for arn in managed:
            if not arn.endswith(":policy/service-role/AWSLambdaBasicExecutionRole"):
                problem(f"{fid}: managed policy {arn}: grant what it needs with an inline statement instead")
        if not any(True for _ in statements(resources[rid])):
            problem(f"{fid}: no policy statements; the function cannot reach the table or bucket")
        for policy_name, st in statements(resources[rid]):
            where = f"{fid} ({policy_name}, {st.get('Sid', 'statement')})"
            if st.get("Effect") != "Allow":
                continue
            if "NotAction" in st or "NotResource" in st:
                problem(f"{where}: NotAction/NotResource grant too much")
            actions = as_list(st.get("Action", []))
            resources_ = as_list(st.get("Resource", []))
            for action in actions:
                if not isinstance(action, str) or "*" in action:
                    problem(f"{where}: wildcard action {action}: list the actions the code calls")
            if "*" in resources_ and not set(actions) <= RESOURCELESS_ACTIONS:
                problem(f"{where}: Resource \"*\": name the table, its indexes or the bucket")
            for action in actions:
                if not isinstance(action, str):
                    continue
                service = action.split(":", 1)[0]
                if service == "dynamodb" and not all(refers_to(r, TABLE) for r in resources_):
                    problem(f"{where}: {action} must be limited to {TABLE} and its indexes")
                if service == "s3" and not all(refers_to(r, RECORDINGS_BUCKET) for r in resources_):
                    problem(f"{where}: {action} must be limited to {RECORDINGS_BUCKET}")
                if service == "secretsmanager" and action != "secretsmanager:GetSecretValue":
                    problem(f"{where}: {action}: the functions only read their secrets")
        check_secret_grants(fid, resources[rid], functions[fid])


def check_secret_grants(fid, role, function):
    """The secrets a function's role may read are exactly those its environment names."""
    env = function["Properties"].get("Environment", {}).get("Variables", {})
    named = sorted(json.dumps(v, sort_keys=True) for k, v in env.items() if k.endswith(SECRET_ARN_SUFFIX))
    granted = sorted(
        json.dumps(r, sort_keys=True)
        for _, st in statements(role)
        if st.get("Effect") == "Allow" and "secretsmanager:GetSecretValue" in as_list(st.get("Action", []))
        for r in as_list(st.get("Resource", []))
    )
    if named != granted:
        problem(f"{fid}: its role may read the secrets {granted}, its environment names {named}: they must be the same")


def check_alarms(resources, functions):
    alarms = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    for a in alarms:
        if not a.get("AlarmActions"):
            problem(f"alarm {a.get('AlarmDescription', a.get('MetricName'))}: it notifies nobody (AlarmActions)")

    def watched(namespace, metric):
        found = set()
        for a in alarms:
            if a.get("Namespace") == namespace and a.get("MetricName") == metric:
                for d in a.get("Dimensions", []):
                    found.add((d["Name"], ref(d["Value"])))
        return found

    for metric in ("Errors", "Throttles"):
        covered = watched("AWS/Lambda", metric)
        for fid in sorted(functions):
            if ("FunctionName", fid) not in covered:
                problem(f"{fid}: no AWS::CloudWatch::Alarm on AWS/Lambda {metric} with FunctionName !Ref {fid}")
    apis = [k for k, r in resources.items() if r["Type"] == "AWS::ApiGatewayV2::Api"]
    covered = watched("AWS/ApiGateway", "5xx")
    for api in apis:
        if ("ApiId", api) not in covered:
            problem(f"{api}: no AWS::CloudWatch::Alarm on AWS/ApiGateway 5xx with ApiId !Ref {api}")


def check_http_api(resources):
    apis = {k: r for k, r in resources.items() if r["Type"] == "AWS::ApiGatewayV2::Api"}
    if len(apis) != 1:
        problem(f"expected exactly one HTTP API, found {sorted(apis)} (a route on SAM's implicit API?)")
    routes = 0
    for aid, api in apis.items():
        body = api["Properties"].get("Body", {})
        for path, methods in body.get("paths", {}).items():
            for method, operation in methods.items():
                integration = operation.get("x-amazon-apigateway-integration", {})
                if integration.get("type") != "aws_proxy":
                    continue
                routes += 1
                if integration.get("payloadFormatVersion") != "2.0":
                    problem(f"{aid}: {method.upper()} {path} must use payload format 2.0")
        cors = body.get("x-amazon-apigateway-cors")
        if not cors:
            problem(f"{aid}: no CORS configuration (the console calls it from another origin)")
        else:
            origins = cors.get("allowOrigins", [])
            if len(origins) != 1 or "*" in origins:
                problem(f"{aid}: CORS must allow exactly the console origin, not {origins}")
        stages = [
            r["Properties"]
            for r in resources.values()
            if r["Type"] == "AWS::ApiGatewayV2::Stage" and ref(r["Properties"].get("ApiId")) == aid
        ]
        if [s.get("StageName") for s in stages] != ["$default"]:
            problem(f"{aid}: expected one $default stage, found {[s.get('StageName') for s in stages]}")
        for stage in stages:
            throttling = stage.get("DefaultRouteSettings", {})
            if "ThrottlingRateLimit" not in throttling or "ThrottlingBurstLimit" not in throttling:
                problem(f"{aid}: the stage needs DefaultRouteSettings throttling limits")
            logs = stage.get("AccessLogSettings", {})
            try:
                json.loads(logs.get("Format", ""))
            except ValueError:
                problem(f"{aid}: the stage's access log Format must be JSON")
            if not logs.get("DestinationArn"):
                problem(f"{aid}: the stage needs AccessLogSettings.DestinationArn")
    if routes == 0:
        problem("the HTTP API has no routes")


def check_data(resources):
    table = resources.get(TABLE, {})
    p = table.get("Properties", {})
    if table.get("Type") != "AWS::DynamoDB::Table":
        problem(f"{TABLE}: missing")
    else:
        if p.get("BillingMode") != "PAY_PER_REQUEST":
            problem(f"{TABLE}: BillingMode must be PAY_PER_REQUEST")
        if p.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled") is not True:
            problem(f"{TABLE}: point-in-time recovery must be enabled")
        if p.get("TimeToLiveSpecification", {}).get("AttributeName") != "expiresAt":
            problem(f"{TABLE}: TTL must be on expiresAt")
        if p.get("DeletionProtectionEnabled") is not True or table.get("DeletionPolicy") != "Retain":
            problem(f"{TABLE}: needs DeletionProtectionEnabled and DeletionPolicy Retain")
    for bid, bucket in sorted(resources.items()):
        if bucket["Type"] != "AWS::S3::Bucket":
            continue
        p = bucket["Properties"]
        block = p.get("PublicAccessBlockConfiguration", {})
        for flag in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"):
            if block.get(flag) is not True:
                problem(f"{bid}: PublicAccessBlockConfiguration.{flag} must be true")
        if not p.get("BucketEncryption"):
            problem(f"{bid}: BucketEncryption is required")
    rules = resources.get(RECORDINGS_BUCKET, {}).get("Properties", {}).get("LifecycleConfiguration", {}).get("Rules", [])
    if not any("AbortIncompleteMultipartUpload" in r for r in rules):
        problem(f"{RECORDINGS_BUCKET}: a lifecycle rule must abort incomplete multipart uploads")


def check_console(resources):
    distributions = {k: r for k, r in resources.items() if r["Type"] == "AWS::CloudFront::Distribution"}
    if len(distributions) != 1:
        problem(f"expected one CloudFront distribution for the console, found {sorted(distributions)}")
        return
    (did, dist), = distributions.items()
    origins = dist["Properties"]["DistributionConfig"].get("Origins", [])
    buckets = set()
    for origin in origins:
        if "OriginAccessControlId" not in origin:
            problem(f"{did}: origin {origin.get('Id')} must use Origin Access Control")
        domain = origin.get("DomainName", {})
        if isinstance(domain, dict) and "Fn::GetAtt" in domain:
            buckets.add(domain["Fn::GetAtt"][0])
    for bid in sorted(buckets):
        policies = [
            r["Properties"]["PolicyDocument"]
            for r in resources.values()
            if r["Type"] == "AWS::S3::BucketPolicy" and ref(r["Properties"]["Bucket"]) == bid
        ]
        allows = [s for doc in policies for s in as_list(doc["Statement"]) if s.get("Effect") == "Allow"]
        if not allows:
            problem(f"{bid}: its bucket policy must allow the console distribution to read it")
        for s in allows:
            principal = s.get("Principal")
            source = s.get("Condition", {}).get("StringEquals", {}).get("AWS:SourceArn")
            if principal != {"Service": "cloudfront.amazonaws.com"} or not refers_to(source, did):
                problem(f"{bid}: bucket policy statement {s.get('Sid')} must allow only {did} (cloudfront.amazonaws.com with AWS:SourceArn)")


def csp_of(policy):
    """The CSP text of a response headers policy: a !Sub string, or a !Sub [string, vars]."""
    csp = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]
    text = csp["ContentSecurityPolicy"]
    text = text.get("Fn::Sub", text) if isinstance(text, dict) else text
    return " ".join((text[0] if isinstance(text, list) else text).split())


def check_console_headers(resources):
    """The embeddable room recordings get the console's CSP but for frame-ancestors."""
    main = resources.get("ConsoleResponseHeadersPolicy")
    embed = resources.get("ConsoleEmbedResponseHeadersPolicy")
    if not main or not embed:
        problem("the console needs ConsoleResponseHeadersPolicy and ConsoleEmbedResponseHeadersPolicy")
        return
    strict, framed = csp_of(main), csp_of(embed)
    if "frame-ancestors 'none'" not in strict:
        problem("ConsoleResponseHeadersPolicy: the console's CSP must say frame-ancestors 'none'")
    if framed != strict.replace("frame-ancestors 'none'", "frame-ancestors ${Ancestors}"):
        problem("ConsoleEmbedResponseHeadersPolicy: its CSP must be the console's, but for frame-ancestors")


def check_parameters(template):
    for name, param in sorted(template.get("Parameters", {}).items()):
        default = str(param.get("Default", ""))
        if SECRET_ENV.search(name.upper()) and default and not name.endswith(("Secret", "Parameter")):
            problem(f"parameter {name}: secrets are never template defaults")
        if re.fullmatch(r"[0-9a-f]{64}(,[0-9a-f]{64})*|\$argon2id\$.*", default):
            problem(f"parameter {name}: its default looks like a key digest or password hash")
    check_rust_log(template.get("Parameters", {}).get("RustLog", {}))


# RUST_LOG values the RustLog parameter must accept, and ones it must refuse: at trace the
# Lambda runtime logs whole raw events (credentials, ?secret=, bodies), and the SDK whole
# requests and responses.
RUST_LOG_ACCEPTED = ("info", "error", "warn,shared=debug", "info,aws_smithy_runtime=debug")
RUST_LOG_REFUSED = ("trace", "info,lambda_runtime=trace", "debug,trace", "TRACE", "info,", "lambda_http", "")


def check_rust_log(param):
    pattern = param.get("AllowedPattern")
    if not pattern:
        problem("parameter RustLog: needs an AllowedPattern that refuses trace")
        return
    for value in RUST_LOG_ACCEPTED:
        if not re.fullmatch(pattern, value):
            problem(f"parameter RustLog: refuses {value!r}, a level the functions may log at")
    for value in RUST_LOG_REFUSED:
        if re.fullmatch(pattern, value):
            problem(f"parameter RustLog: accepts {value!r}")


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        template = json.load(f)
    resources = template["Resources"]
    functions = check_functions(resources)
    check_roles(resources, functions)
    check_alarms(resources, functions)
    check_http_api(resources)
    check_data(resources)
    check_console(resources)
    check_console_headers(resources)
    check_parameters(template)
    if problems:
        for p in problems:
            print(f"infra consistency: {p}", file=sys.stderr)
        print(f"infra consistency: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"infra consistency: {len(functions)} functions, their roles, alarms, API, data and console: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
