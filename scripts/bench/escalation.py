#!/usr/bin/env python3
"""Privilege-escalation benchmark: iamc's lints against cloudsplaining and parliament.

Grants each of 100 public privilege-escalation paths to one role, and each of the
look-alike policies below (written for this benchmark: they resemble escalation but
allow none) to one role or user, then asks each tool whether the principal can
escalate, and prints the table:

- iamc: `iamc lint --format json`, a finding of L001 action-wildcard, L005
  privilege-escalation or L006 escalation-combination;
- cloudsplaining (pinned below): `PolicyDocument(...).allows_privilege_escalation` on
  each policy of the principal (what its scan reports, policy by policy);
- parliament (pinned below, community auditors on): a `PRIVILEGE_ESCALATION` finding
  on a policy of the principal.

The 100 paths are the rows of src/iam/escalation/paths.txt that come from Datadog's
pathfinding.cloud catalog and pathfinding-labs (Apache-2.0; the file's header names the
commits: 65 and 5 paths), each granted with its required permissions on `*`, and once
more, for the 30 that pass a role, with `iam:PassRole` on one named administrator role
instead of `*`. The scanners are installed from PyPI into a virtual environment:

    python3 scripts/bench/escalation.py [--iamc target/debug/iamc] [--venv /tmp/iamc-escalation-venv]
"""

import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
TABLE = ROOT / "src" / "iam" / "escalation" / "paths.txt"
CLOUDSPLAINING = "0.9.1"
PARLIAMENT = "1.6.4"
ACCOUNT = "123456789012"
ADMIN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/admin"


def allow(actions, resources=("*",), condition=None):
    return {"Effect": "Allow", "Action": list(actions), "Resource": list(resources), "Condition": condition}


def deny(actions, resources=("*",)):
    return {"Effect": "Deny", "Action": list(actions), "Resource": list(resources), "Condition": None}


def passed_to(service):
    return {"StringEquals": {"iam:PassedToService": service}}


# Look-alikes: (name, principal kind, policies). None allows an escalation.
LOOK_ALIKES = [
    ("pass-to-ecs-launch-ec2", "role", [[
        allow(["iam:PassRole"], [f"arn:aws:iam::{ACCOUNT}:role/app"], passed_to("ecs-tasks.amazonaws.com")),
        allow(["ec2:RunInstances"]),
    ]]),
    ("pass-to-lambda-create-glue-endpoint", "role", [[
        allow(["iam:PassRole"], ["*"], passed_to("lambda.amazonaws.com")),
        allow(["glue:CreateDevEndpoint", "ec2:RunInstances"]),
    ]]),
    ("version-aws-managed-policies", "role", [[
        allow(["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"], ["arn:aws:iam::aws:policy/*"]),
    ]]),
    ("own-access-keys", "user", [[
        allow(["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys"],
              [f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"]),
    ]]),
    ("own-login-profile", "user", [[
        allow(["iam:CreateLoginProfile", "iam:UpdateLoginProfile"],
              [f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"]),
    ]]),
    ("attach-read-only-only", "role", [[
        allow(["iam:AttachRolePolicy"], [f"arn:aws:iam::{ACCOUNT}:role/*"],
              {"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}}),
    ]]),
    ("attach-denied-by-other-policy", "role", [
        [allow(["iam:AttachRolePolicy"])],
        [deny(["iam:*"])],
    ]),
    ("put-policy-denied-by-other-policy", "role", [
        [allow(["iam:PutRolePolicy", "iam:PutUserPolicy"])],
        [deny(["iam:Put*"])],
    ]),
    ("everything-denied-everywhere", "role", [
        [allow(["*"])],
        [deny(["*"])],
    ]),
    ("update-function-code-denied", "role", [
        [allow(["lambda:*"])],
        [deny(["lambda:Update*", "lambda:CreateFunction"])],
    ]),
    ("iam-read-only", "role", [[
        allow(["iam:Get*", "iam:List*", "iam:GenerateCredentialReport"]),
    ]]),
    ("pass-role-create-function-no-trigger", "role", [[
        allow(["iam:PassRole"], [f"arn:aws:iam::{ACCOUNT}:role/app-lambda"], passed_to("lambda.amazonaws.com")),
        allow(["lambda:CreateFunction", "lambda:GetFunction"]),
    ]]),
    ("run-instances-without-pass-role", "role", [[
        allow(["ec2:RunInstances", "ec2:Describe*"]),
    ]]),
    ("create-stack-without-pass-role", "role", [[
        allow(["cloudformation:CreateStack", "cloudformation:Describe*"]),
    ]]),
    ("register-task-definition-only", "role", [[
        allow(["iam:PassRole"], [f"arn:aws:iam::{ACCOUNT}:role/app"], passed_to("ecs-tasks.amazonaws.com")),
        allow(["ecs:RegisterTaskDefinition", "ecs:Describe*"]),
    ]]),
    ("assume-one-named-role", "role", [[
        allow(["sts:AssumeRole"], ["arn:aws:iam::210987654321:role/deploy"]),
    ]]),
    ("tag-roles-and-users", "role", [[
        allow(["iam:TagRole", "iam:UntagRole", "iam:TagUser", "iam:ListRoleTags"]),
    ]]),
    ("update-assume-role-policy-denied", "role", [
        [allow(["iam:UpdateAssumeRolePolicy", "iam:GetRole"])],
        [deny(["iam:UpdateAssumeRolePolicy"])],
    ]),
    ("code-build-start-denied", "role", [
        [allow(["codebuild:*"])],
        [deny(["codebuild:StartBuild", "codebuild:StartBuildBatch", "codebuild:Update*", "codebuild:CreateProject"])],
    ]),
]


def paths():
    """The 100 path cases: (name, policies)."""
    out = []
    for line in TABLE.read_text().splitlines():
        if line.startswith("#") or not line:
            continue
        path_id, _category, source, permissions = line.split("\t")
        if source not in ("c", "l"):
            continue
        perms = [p.split(">") for p in permissions.split(" ")]
        out.append((path_id, [[allow([p[0] for p in perms])]]))
        if any(p[0] == "iam:PassRole" for p in perms):
            others = [p[0] for p in perms if p[0] != "iam:PassRole"]
            out.append((f"{path_id} (PassRole on one role)", [[
                allow(["iam:PassRole"], [ADMIN_ROLE]),
                allow(others),
            ]]))
    return out


def document(statements):
    out = []
    for s in statements:
        j = {"Effect": s["Effect"], "Action": s["Action"], "Resource": s["Resource"]}
        if s["Condition"]:
            j["Condition"] = s["Condition"]
        out.append(j)
    return {"Version": "2012-10-17", "Statement": out}


def iam_string(text):
    return '"' + text.replace(f":{ACCOUNT}:", ":${AWS::AccountId}:") + '"'


def iam_source(kind, policies):
    lines = []
    names = []
    for n, statements in enumerate(policies):
        name = f"Policy{n + 1}"
        names.append(name)
        lines.append(f"policy {name} {{")
        for s in statements:
            actions = "*" if s["Action"] == ["*"] else "[" + ", ".join(s["Action"]) + "]"
            resources = "*" if s["Resource"] == ["*"] else "[" + ", ".join(iam_string(r) for r in s["Resource"]) + "]"
            line = f"  {s['Effect'].lower()} {actions} on {resources}"
            for op, keys in (s["Condition"] or {}).items():
                for key, value in keys.items():
                    line += f'\n    when {op} "{key}" "{value}"'
            lines.append(line)
        lines.append("}")
    if kind == "role":
        lines.append('trust Devserver { service "ec2.amazonaws.com" }')
        lines.append(f"role Principal {{\n  grants {', '.join(names)}\n  trust Devserver\n}}")
    else:
        lines.append(f"user Principal {{\n  grants {', '.join(names)}\n}}")
    return "\n".join(lines) + "\n"


def iamc(binary, cases):
    flagged = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, (name, kind, policies) in enumerate(cases):
            src = pathlib.Path(tmp) / str(n)
            src.mkdir()
            (src / "main.iam").write_text(iam_source(kind, policies))
            run = subprocess.run([binary, "lint", "--src", str(src), "--format", "json"],
                                 capture_output=True, text=True, cwd=tmp)
            try:
                report = json.loads(run.stdout)
            except json.JSONDecodeError:
                sys.exit(f"{name}: iamc lint failed:\n{run.stderr}\n{iam_source(kind, policies)}")
            codes = {f["code"] for f in report["findings"]} | {j["code"] for j in report["justified"]}
            flagged.append(bool(codes & {"L001", "L005", "L006"}))
    return flagged


SCANNERS = r"""
import json, sys
from cloudsplaining.scan.policy_document import PolicyDocument
from parliament import analyze_policy_string
cases = json.load(sys.stdin)
out = []
for policies in cases:
    cs = any(PolicyDocument(p).allows_privilege_escalation for p in policies)
    pa = any(
        f.issue == "PRIVILEGE_ESCALATION"
        for p in policies
        for f in analyze_policy_string(json.dumps(p), include_community_auditors=True).findings
    )
    out.append([cs, pa])
json.dump(out, sys.stdout)
"""


def scanners(venv, cases):
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q",
                    f"cloudsplaining=={CLOUDSPLAINING}", f"parliament=={PARLIAMENT}"], check=True)
    docs = [[document(s) for s in policies] for _, _, policies in cases]
    run = subprocess.run([str(python), "-c", SCANNERS], input=json.dumps(docs),
                         capture_output=True, text=True, check=True)
    return json.loads(run.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iamc", default=str(ROOT / "target" / "debug" / "iamc"))
    parser.add_argument("--venv", default="/tmp/iamc-escalation-venv")
    parser.add_argument("--verbose", action="store_true", help="print each case's answers")
    args = parser.parse_args()
    path_cases = [(name, "role", policies) for name, policies in paths()]
    if len(path_cases) != 100:
        sys.exit(f"expected 100 path cases, the table gives {len(path_cases)}")
    cases = path_cases + LOOK_ALIKES
    mine = iamc(args.iamc, cases)
    theirs = scanners(pathlib.Path(args.venv), cases)
    n = len(path_cases)
    rows = [
        ("iamc (L001, L005, L006)", mine),
        (f"cloudsplaining {CLOUDSPLAINING}", [t[0] for t in theirs]),
        (f"parliament {PARLIAMENT}", [t[1] for t in theirs]),
    ]
    if args.verbose:
        for k, (name, _, _) in enumerate(cases):
            marks = " ".join("x" if r[1][k] else "." for r in rows)
            print(f"{'path' if k < n else 'look-alike'} {name}: {marks}")
    print(f"| | paths flagged (of {n}) | false positives (of {len(LOOK_ALIKES)}) |")
    print("|---|---|---|")
    for label, flags in rows:
        print(f"| {label} | {sum(flags[:n])} | {sum(flags[n:])} |")


if __name__ == "__main__":
    main()
