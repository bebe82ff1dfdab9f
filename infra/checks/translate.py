"""Transforms the SAM template to plain CloudFormation offline, as CloudFormation's
AWS::Serverless transform would, and fails on any error it reports.

Usage: python translate.py TEMPLATE OUTPUT.json

Offline means: no IAM call to list managed policies (a stub map of the few the transform
may name instead) and no packaged code (every function's CodeUri becomes an s3://
placeholder, as `sam package` would make it).
"""

import json
import os
import sys

from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

PLACEHOLDER_CODE = "s3://placeholder-bucket/{}.zip"


class StubManagedPolicyLoader:
    """Managed policies that templates may name in `Policies`, by name. SAM attaches
    AWSLambdaBasicExecutionRole by ARN without asking the loader."""

    POLICIES = (
        "AWSLambdaBasicExecutionRole",
        "AWSLambdaVPCAccessExecutionRole",
        "AWSXRayDaemonWriteAccess",
        "AWSXrayWriteOnlyAccess",
    )

    def load(self):
        return {name: f"arn:aws:iam::aws:policy/service-role/{name}" for name in self.POLICIES}


def with_placeholder_code(template):
    for logical_id, resource in template.get("Resources", {}).items():
        if isinstance(resource, dict) and resource.get("Type") == "AWS::Serverless::Function":
            properties = resource.setdefault("Properties", {})
            if "InlineCode" not in properties and "ImageUri" not in properties:
                properties["CodeUri"] = PLACEHOLDER_CODE.format(logical_id)
    function_globals = template.get("Globals", {}).get("Function", {})
    if "CodeUri" in function_globals:
        function_globals["CodeUri"] = PLACEHOLDER_CODE.format("globals")
    return template


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    source, output = argv[1], argv[2]
    # The transform resolves AWS::Region and AWS::Partition from a boto3 session.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with open(source, encoding="utf-8") as f:
        template = with_placeholder_code(yaml_parse(f.read()))
    try:
        transformed = transform(template, {}, StubManagedPolicyLoader())
    except InvalidDocumentException as e:
        for cause in e.causes:
            print(f"{source}: {cause.message}", file=sys.stderr)
        return 1
    with open(output, "w", encoding="utf-8") as f:
        json.dump(transformed, f, indent=1, sort_keys=True)
    resources = transformed["Resources"]
    print(f"{source}: transformed to {len(resources)} CloudFormation resources ({output})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
