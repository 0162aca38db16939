"""Shared helpers of the oracle tests: compiling programs with iamc, the deploy-time values,
running cfn-lint, and reading an emulated AWS account back into a plain model.

Everything here is independent of iamc's own code: it only uses iamc's command line and
its `manifest` JSON, and checks them with third-party tools.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
# IAMC_BIN points the oracles at another binary (and skips the cargo build), for
# working on the oracles while the compiler's sources are mid-change.
def target_dir() -> Path:
    """Where cargo puts what it builds: CARGO_TARGET_DIR if set, else what `cargo metadata`
    says (which also honours .cargo/config.toml's build.target-dir)."""
    if os.environ.get("CARGO_TARGET_DIR"):
        return (REPO / os.environ["CARGO_TARGET_DIR"]).resolve()
    try:
        metadata = subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--no-deps"],
            cwd=REPO, check=True, stdout=subprocess.PIPE, text=True,
        ).stdout
        return Path(json.loads(metadata)["target_directory"])
    except (OSError, subprocess.CalledProcessError, KeyError, ValueError):
        return REPO / "target"


IAMC = Path(os.environ.get("IAMC_BIN") or target_dir() / "release" / "iamc")
VENV_BIN = Path(sys.executable).parent

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"


# --- compiling ---------------------------------------------------------------------------


@dataclass
class Program:
    """A compiled .iam program: its templates and the manifest iamc computed for it."""

    name: str
    cwd: Path  # the folder iamc ran in (holds policies/ and maybe iamc.yaml)
    out: Path  # the folder the templates were written to
    manifest: dict

    @property
    def templates(self) -> list[Path]:
        return sorted(self.out.glob("*.yaml"))

    def values(self, template: dict, account_id: str = ACCOUNT_ID) -> dict[str, str]:
        """The deploy-time values of a manifest template deployed without parameters: the
        pseudo parameters, and each declared parameter at its default (read from the
        written template, since the manifest names the parameters only)."""
        values = deploy_values(stack_name(template), account_id)
        declared = load_template(self.out / template["file"]).get("Parameters") or {}
        for name in template.get("parameters", []):
            assert "Default" in declared.get(name, {}), f"{template['file']}: no default for {name}"
            values["${" + name + "}"] = str(declared[name]["Default"])
        return values


class _TemplateLoader(yaml.SafeLoader):
    """Reads CloudFormation YAML: a short-form tag (`!Ref x`) becomes `{"!Ref": x}`."""


_TemplateLoader.add_multi_constructor(
    "!",
    lambda loader, tag, node: {
        "!"
        + tag: loader.construct_scalar(node)
        if isinstance(node, yaml.ScalarNode)
        else loader.construct_sequence(node)
        if isinstance(node, yaml.SequenceNode)
        else loader.construct_mapping(node)
    },
)


def load_template(path: Path) -> dict:
    return yaml.load(path.read_text(), Loader=_TemplateLoader)


def run(cmd: list, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"`{' '.join(map(str, cmd))}` (in {cwd}) exited {proc.returncode}\n"
            f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
        )
    return proc


def compile_program(name: str, cwd: Path, out: Path, src: str | None = None) -> Program:
    """`iamc build` into OUT and `iamc manifest`, both run in CWD (where iamc.yaml is)."""
    src_args = ["--src", src] if src else []
    run([IAMC, "build", *src_args, "--out", out], cwd=cwd)
    manifest = json.loads(run([IAMC, "manifest", *src_args], cwd=cwd).stdout)
    program = Program(name, cwd, out, manifest)
    files = sorted(t["file"] for t in manifest["templates"])
    written = sorted(p.name for p in program.templates)
    assert files == written, f"{name}: manifest lists {files}, build wrote {written}"
    return program


def copy_program(cwd: Path, dest: Path) -> Path:
    """Copy a program's policies/ (and iamc.yaml, if any) into DEST, for editing."""
    shutil.copytree(cwd / "policies", dest / "policies")
    if (cwd / "iamc.yaml").exists():
        shutil.copy(cwd / "iamc.yaml", dest / "iamc.yaml")
    return dest


# --- deploy-time values ------------------------------------------------------------------


def deploy_values(stack_name: str, account_id: str = ACCOUNT_ID) -> dict[str, str]:
    """What CloudFormation substitutes for the pseudo parameters when it deploys STACK_NAME."""
    return {
        "${AWS::AccountId}": account_id,
        "${AWS::Region}": REGION,
        "${AWS::Partition}": "aws",
        "${AWS::URLSuffix}": "amazonaws.com",
        "${AWS::StackName}": stack_name,
    }


def substitute(value, values: dict[str, str]):
    """VALUE (parsed JSON) with every deploy-time placeholder of VALUES replaced.

    IAM policy variables such as `${aws:username}` are not in VALUES and stay verbatim."""
    if isinstance(value, str):
        for placeholder, real in values.items():
            value = value.replace(placeholder, real)
        return value
    if isinstance(value, list):
        return [substitute(v, values) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, values) for k, v in value.items()}
    return value


def stack_name(template: dict) -> str:
    """The stack a manifest template is deployed as: the template's file stem."""
    return Path(template["file"]).stem


def standalone(template: dict) -> list[dict]:
    """The managed policies a stack emits without attaching them (`stack ... policies`)."""
    return template.get("policies", [])


def template_policies(template: dict) -> list[dict]:
    """Every managed policy a manifest template creates, attached or standalone."""
    return [mp for p in template["principals"] for mp in p["managed_policies"]] + standalone(template)


def managed_policy_documents(program: Program, account_id: str = ACCOUNT_ID):
    """(stack, owner, policy name, document with deploy-time values) for every managed
    policy of the program; the owner is the principal's source name, or None for a
    standalone policy of a stack."""
    for template in program.manifest["templates"]:
        values = program.values(template, account_id)
        owned = [(p["source"], mp) for p in template["principals"] for mp in p["managed_policies"]]
        for owner, policy in owned + [(None, mp) for mp in standalone(template)]:
            yield stack_name(template), owner, policy["name"], substitute(policy["document"], values)


# --- cfn-lint ----------------------------------------------------------------------------


def cfn_lint(templates: list[Path]) -> dict[str, list[dict]]:
    """Run cfn-lint on TEMPLATES in a few batches (one per core; its start-up is slow) and
    return its findings by template path. Any finding, error or warning, is returned."""
    findings: dict[str, list[dict]] = {str(t): [] for t in templates}
    if not templates:
        return findings
    workers = max(1, min(os.cpu_count() or 1, len(templates)))
    batches = [templates[i::workers] for i in range(workers)]

    def lint(batch: list[Path]) -> list[dict]:
        proc = run([VENV_BIN / "cfn-lint", "--format", "json", "--", *batch], check=False)
        # The exit code is a bitmask of the levels found (2 error, 4 warning, 8 info); a
        # crash or a usage error prints no JSON, which fails the parse below.
        try:
            return json.loads(proc.stdout)
        except json.JSONDecodeError:
            raise AssertionError(
                f"cfn-lint exited {proc.returncode} without JSON output:\n{proc.stdout}\n{proc.stderr}"
            )

    with ThreadPoolExecutor(workers) as pool:
        for batch_findings in pool.map(lint, batches):
            for finding in batch_findings:
                findings.setdefault(finding["Filename"], []).append(finding)
    return findings


def describe_cfn_lint_finding(finding: dict) -> str:
    start = finding["Location"]["Start"]
    path = "/".join(str(p) for p in finding["Location"].get("Path") or [])
    message = finding["Message"]
    if len(message) > 300:
        message = message[:300] + "..."
    return (
        f"{Path(finding['Filename']).name}:{start['LineNumber']}:{start['ColumnNumber']} "
        f"{finding['Level']} {finding['Rule']['Id']} at {path}: {message}"
    )


# --- an emulated AWS account -------------------------------------------------------------


def pages(client, operation: str, key: str, **kwargs) -> list:
    result = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        result.extend(page[key])
    return result


def is_aws_managed(policy_arn: str) -> bool:
    return re.match(r"^arn:[^:]+:iam::aws:policy/", policy_arn) is not None


def expected_account(program: Program, account_id: str) -> dict:
    """The IAM entities a deployment of every template of PROGRAM must leave in an empty
    account, in the shape `read_account` returns."""
    account = {"roles": {}, "instance_profiles": {}, "users": {}, "groups": {}, "policies": {}}
    for template in program.manifest["templates"]:
        values = program.values(template, account_id)
        for policy in template_policies(template):
            account["policies"][policy["name"]] = {
                "path": policy["path"],
                "document": substitute(policy["document"], values),
            }
        for principal in template["principals"]:
            names = sorted(p["name"] for p in principal["managed_policies"])
            if principal["kind"] == "role":
                account["roles"][principal["name"]] = {
                    "path": principal["path"],
                    "trust_policy": substitute(principal["trust_policy"], values),
                    "attached": names,
                }
                if principal["instance_profile"]:
                    account["instance_profiles"][principal["instance_profile"]] = [principal["name"]]
            else:
                account["users"][principal["name"]] = {
                    "path": principal["path"],
                    "groups": [principal["group"]],
                }
                account["groups"][principal["group"]] = {"attached": names}
    return account


def read_account(iam) -> dict:
    """Everything the IAM API says exists, in the shape `expected_account` builds.

    Attachments of AWS-managed policies are left out: iamc renders them through
    Role.ManagedPolicyArns, which moto ignores, so moto can neither prove nor disprove them
    (they are checked in the templates by cfn-lint only)."""

    def customer_managed(attached: list[dict]) -> list[str]:
        return sorted(p["PolicyName"] for p in attached if not is_aws_managed(p["PolicyArn"]))

    account = {"roles": {}, "instance_profiles": {}, "users": {}, "groups": {}, "policies": {}}
    for role in pages(iam, "list_roles", "Roles"):
        name = role["RoleName"]
        account["roles"][name] = {
            "path": role["Path"],
            "trust_policy": iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"],
            "attached": customer_managed(
                pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)
            ),
        }
    for profile in pages(iam, "list_instance_profiles", "InstanceProfiles"):
        account["instance_profiles"][profile["InstanceProfileName"]] = sorted(
            r["RoleName"] for r in profile["Roles"]
        )
    for user in pages(iam, "list_users", "Users"):
        name = user["UserName"]
        account["users"][name] = {
            "path": user["Path"],
            "groups": sorted(
                g["GroupName"] for g in pages(iam, "list_groups_for_user", "Groups", UserName=name)
            ),
        }
    for group in pages(iam, "list_groups", "Groups"):
        name = group["GroupName"]
        account["groups"][name] = {
            "attached": customer_managed(
                pages(iam, "list_attached_group_policies", "AttachedPolicies", GroupName=name)
            )
        }
    for policy in pages(iam, "list_policies", "Policies", Scope="Local"):
        version = iam.get_policy_version(
            PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"]
        )["PolicyVersion"]
        document = version["Document"]
        if isinstance(document, str):  # botocore decodes it; be safe if it did not
            document = json.loads(document)
        account["policies"][policy["PolicyName"]] = {"path": policy["Path"], "document": document}
    return account


def account_differences(actual: dict, expected: dict) -> list[str]:
    """Every entity that is missing, extra or different in ACTUAL, with a diff of its JSON."""
    problems = []
    for kind in expected:
        for name in sorted(set(actual[kind]) | set(expected[kind])):
            if name not in actual[kind]:
                problems.append(f"{kind} {name}: missing from the account")
            elif name not in expected[kind]:
                problems.append(f"{kind} {name}: in the account, not in the manifest")
            elif actual[kind][name] != expected[kind][name]:
                diff = difflib.unified_diff(
                    json.dumps(expected[kind][name], indent=1, sort_keys=True).splitlines(),
                    json.dumps(actual[kind][name], indent=1, sort_keys=True).splitlines(),
                    "manifest",
                    "account",
                    lineterm="",
                )
                problems.append(f"{kind} {name} differs:\n" + "\n".join(diff))
    return problems


# The IAM call that gives each exported resource type's ARN, from the stack's physical id.
_ARN_OF = {
    "AWS::IAM::Role": lambda iam, pid: iam.get_role(RoleName=pid)["Role"]["Arn"],
    "AWS::IAM::InstanceProfile": lambda iam, pid: iam.get_instance_profile(InstanceProfileName=pid)[
        "InstanceProfile"
    ]["Arn"],
    "AWS::IAM::ManagedPolicy": lambda iam, pid: iam.get_policy(PolicyArn=pid)["Policy"]["Arn"],
    "AWS::IAM::User": lambda iam, pid: iam.get_user(UserName=pid)["User"]["Arn"],
    "AWS::IAM::Group": lambda iam, pid: iam.get_group(GroupName=pid)["Group"]["Arn"],
}


def expected_exports(cf, iam, manifest: dict) -> dict[str, str]:
    """Export name -> the ARN IAM reports for the resource it must point at.

    The manifest names each export without its `STACK-` prefix, as `{LogicalId}Arn`; the
    stack's own resource list maps the logical id to the physical resource."""
    exports = {}
    for template in manifest["templates"]:
        stack = stack_name(template)
        resources = {
            r["LogicalResourceId"]: r
            for r in cf.describe_stack_resources(StackName=stack)["StackResources"]
        }
        for export in template["exports"]:
            assert export.endswith("Arn"), f"{stack}: export {export} does not end in Arn"
            resource = resources.get(export[: -len("Arn")])
            assert resource, f"{stack}: export {export} names no resource of the stack"
            exports[f"{stack}-{export}"] = _ARN_OF[resource["ResourceType"]](
                iam, resource["PhysicalResourceId"]
            )
    return exports


def resource_arns(iam, manifest: dict, account_id: str) -> dict[str, set[str]]:
    """Stack -> the ARNs of every resource the manifest says its template creates."""
    arns = {}
    for template in manifest["templates"]:
        found = set()
        for p in template["principals"]:
            if p["kind"] == "role":
                found.add(iam.get_role(RoleName=p["name"])["Role"]["Arn"])
                if p["instance_profile"]:
                    found.add(
                        iam.get_instance_profile(InstanceProfileName=p["instance_profile"])[
                            "InstanceProfile"
                        ]["Arn"]
                    )
            else:
                found.add(iam.get_user(UserName=p["name"])["User"]["Arn"])
                found.add(iam.get_group(GroupName=p["group"])["Group"]["Arn"])
        for policy in template_policies(template):
            arn = f"arn:aws:iam::{account_id}:policy{policy['path']}{policy['name']}"
            found.add(iam.get_policy(PolicyArn=arn)["Policy"]["Arn"])
        arns[stack_name(template)] = found
    return arns


# --- deploying ---------------------------------------------------------------------------

NO_UPDATES = "No updates are to be performed"


def deploy(cf, templates: list[Path], timeout: float = 120) -> dict[str, str]:
    """Create, or update when it exists, one stack per template (named after the file
    stem), wait for each to settle, and return stack -> final status. A stack that does not
    reach CREATE_COMPLETE / UPDATE_COMPLETE fails with its events."""
    existing = {
        s["StackName"]
        for s in pages(cf, "list_stacks", "StackSummaries")
        if s["StackStatus"] != "DELETE_COMPLETE"
    }
    statuses = {}
    for template in templates:
        stack = template.stem
        args = dict(
            StackName=stack,
            TemplateBody=template.read_text(),
            Capabilities=["CAPABILITY_NAMED_IAM"],
        )
        if stack in existing:
            try:
                cf.update_stack(**args)
            except cf.exceptions.ClientError as error:
                if NO_UPDATES not in str(error):
                    raise
                statuses[stack] = "UNCHANGED"
                continue
            wanted = "UPDATE_COMPLETE"
        else:
            cf.create_stack(**args)
            wanted = "CREATE_COMPLETE"
        statuses[stack] = wait_for_stack(cf, stack, wanted, timeout)
    return statuses


def wait_for_stack(cf, stack: str, wanted: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        status = cf.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
        if status == wanted:
            return status
        if not status.endswith("_IN_PROGRESS") or time.monotonic() > deadline:
            events = cf.describe_stack_events(StackName=stack)["StackEvents"]
            reasons = "\n".join(
                f"  {e['LogicalResourceId']} {e['ResourceStatus']} {e.get('ResourceStatusReason', '')}"
                for e in events
            )
            raise AssertionError(f"stack {stack} is {status}, wanted {wanted}:\n{reasons}")
        time.sleep(0.2)


# --- parliament --------------------------------------------------------------------------


def parliament_findings(document: dict) -> list:
    """parliament's findings on one policy document, as its command line would report them
    with --minimum_severity LOW (severity set, INFO and MUTE dropped, its own
    ignore_locations applied)."""
    from parliament import analyze_policy_string, enhance_finding
    from parliament.cli import is_finding_filtered

    policy = analyze_policy_string(json.dumps(_scalar_bool_conditions(document)))
    findings = [enhance_finding(f) for f in policy.findings]
    return [f for f in findings if not is_finding_filtered(f, "LOW")]


def _scalar_bool_conditions(document: dict) -> dict:
    """DOCUMENT with one-value Bool conditions written as a scalar. parliament 1.6.4 crashes
    on `"Bool": {"aws:SecureTransport": ["true"]}` (it reads the value as a scalar), which
    IAM accepts and means the same as `"true"`; nothing else is changed."""
    document = json.loads(json.dumps(document))
    for statement in document.get("Statement", []):
        for operator, block in statement.get("Condition", {}).items():
            if operator.split(":")[-1].lower().startswith("bool"):
                for key, value in block.items():
                    if isinstance(value, list) and len(value) == 1:
                        block[key] = value[0]
    return document
