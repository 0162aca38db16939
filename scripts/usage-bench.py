#!/usr/bin/env python3
"""Writes synthetic CloudTrail log files for measuring `iamc usage` at scale.

    python3 scripts/usage-bench.py OUT_DIR MEGABYTES [--gzip]

Files of about 10 MB each (uncompressed), `{"Records": [...]}` as CloudTrail
delivers them, for the roles of tests/usage/program. Deterministic (seed 7).
Do not commit the output.
"""

import gzip
import json
import pathlib
import random
import sys

ACCOUNT = "123456789012"
ROLES = ["PersonalRoleDeployer", "PersonalRoleReader", "PersonalRoleIdle", "PersonalRoleOther"]
CALLS = [
    ("ecs.amazonaws.com", "DescribeServices", None),
    ("ecs.amazonaws.com", "UpdateService", None),
    ("ecr.amazonaws.com", "DescribeRepositories", None),
    ("s3.amazonaws.com", "GetBucketLocation", None),
    ("s3.amazonaws.com", "ListObjects", None),
    ("lambda.amazonaws.com", "CreateFunction20150331", "AccessDenied"),
    ("ec2.amazonaws.com", "DescribeInstances", "Client.UnauthorizedOperation"),
    ("sts.amazonaws.com", "GetCallerIdentity", None),
]


def record(rng: random.Random, i: int) -> dict:
    role = rng.choice(ROLES)
    source, name, error = rng.choice(CALLS)
    r = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROAEXAMPLE:i-{i:08x}",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/i-{i:08x}",
            "accountId": ACCOUNT,
            "accessKeyId": "ASIAEXAMPLE",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROAEXAMPLE",
                    "arn": f"arn:aws:iam::{ACCOUNT}:role/{role}",
                    "accountId": ACCOUNT,
                    "userName": role,
                },
                "attributes": {"creationDate": "2026-11-20T11:00:00Z", "mfaAuthenticated": "false"},
            },
        },
        "eventTime": f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "10.0.0.1",
        "userAgent": "aws-cli/2.15.0 Python/3.11 Linux/6.1 exe/x86_64",
        "requestParameters": {"cluster": "prod", "services": [f"svc-{i % 97}"], "include": ["TAGS"]},
        "responseElements": None,
        "requestID": f"{i:032x}",
        "eventID": f"{i:032x}",
        "readOnly": True,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
    }
    if error:
        r["errorCode"] = error
        r["errorMessage"] = "not authorized"
    return r


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    out = pathlib.Path(sys.argv[1])
    total = int(sys.argv[2]) * 1_000_000
    zipped = "--gzip" in sys.argv[3:]
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    written, i, n = 0, 0, 0
    while written < total:
        parts, size = [], 0
        while size < 10_000_000:
            text = json.dumps(record(rng, i))
            parts.append(text)
            size += len(text) + 1
            i += 1
        body = ('{"Records":[' + ",".join(parts) + "]}").encode()
        name = f"{ACCOUNT}_CloudTrail_us-east-1_20261120T1200Z_{n:06d}.json"
        if zipped:
            (out / (name + ".gz")).write_bytes(gzip.compress(body, compresslevel=1, mtime=0))
        else:
            (out / name).write_bytes(body)
        written += len(body)
        n += 1
    print(f"{n} files, {written} bytes, {i} records in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
