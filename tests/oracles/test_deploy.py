"""`iamc deploy` against a local CloudFormation (moto), through the real AWS CLI.

A git repository holds the example program. The first deploy (no base) creates every
stack through change sets, and the account then matches the manifest. A commit that
changes one role, adds one and removes one deploys only the two templates whose text
changed; the removed principal's stack is kept until `--delete`, which deletes it last.
Stacks that export go before stacks that import (moto refuses an import of an export that
does not exist yet). A change set that fails stops the run: the stack is named, and the
stacks after it are not attempted."""

import json
import os
import shutil
import subprocess

import pytest

from conftest import reset_moto
from harness import (
    IAMC,
    REGION,
    REPO,
    VENV_BIN,
    account_differences,
    compile_program,
    expected_account,
    read_account,
    run,
)

AWS = VENV_BIN / "aws"


def git(repo, *args):
    return run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
         "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=repo,
    ).stdout.strip()


def commit(repo, message):
    run([IAMC, "build"], cwd=repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def deploy(repo, aws, *args, code=0):
    """`iamc deploy ARGS` in REPO against the moto server; returns the process."""
    env = dict(
        os.environ,
        AWS_ENDPOINT_URL=aws.url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
    )
    proc = subprocess.run(
        [str(IAMC), "deploy", "--aws", str(AWS), *args],
        cwd=repo, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == code, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def report(proc):
    return {s["stack"]: (s["action"], s["result"]) for s in json.loads(proc.stdout)["steps"]}


def stacks(aws):
    found = {}
    for page in aws.cf.get_paginator("describe_stacks").paginate():
        for s in page["Stacks"]:
            found[s["StackName"]] = s["StackStatus"]
    return found


@pytest.fixture()
def repo(tmp_path, iamc):
    """A git repository holding the example program, built and committed."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    shutil.copytree(REPO / "policies", repo / "policies")
    shutil.copy(REPO / "iamc.yaml", repo / "iamc.yaml")
    return repo


def test_deploy_creates_then_updates_only_what_changed_and_deletes_last_when_asked(repo, aws):
    reset_moto(aws.url)
    first = commit(repo, "the example")
    templates = sorted(p.stem for p in (repo / "generated").glob("*.yaml"))

    # A dry run plans every stack, and calls nothing.
    plan = deploy(repo, aws, "--dry-run")
    assert "dry run: nothing deployed" in plan.stderr
    for stack in templates:
        assert f"create  {stack}" in plan.stdout, plan.stdout
    assert stacks(aws) == {}

    # The first deploy: every stack created through a change set.
    done = deploy(repo, aws, "--format", "json")
    assert report(done) == {s: ("create", "created") for s in templates}
    assert json.loads(done.stdout)["diagnostics"] == []
    assert stacks(aws) == {s: "CREATE_COMPLETE" for s in templates}
    program = compile_program("deployed", repo, repo / "generated")
    problems = account_differences(read_account(aws.iam), expected_account(program, aws.account_id))
    assert not problems, "\n".join(problems)

    # One role changed, one added, one removed.
    roles = (repo / "policies/roles.iam").read_text()
    start = roles.index("role RichardRoe")
    (repo / "policies/roles.iam").write_text(roles[:start])
    (repo / "policies/new.iam").write_text(
        "role NewHire {\n  grants Base\n  trust Devserver\n}\n"
    )
    groups = (repo / "policies/groups.iam").read_text()
    assert "  EcrBrowse\n" in groups
    (repo / "policies/groups.iam").write_text(groups.replace("  EcrBrowse\n", "", 1))
    second = commit(repo, "changes")
    changed = git(repo, "diff", "--name-only", first, second, "--", "generated").split()
    changed = sorted(p.removeprefix("generated/").removesuffix(".yaml") for p in changed)
    assert "RichardRoe" in changed and "NewHire" in changed

    plan = deploy(repo, aws, "--base", first, "--dry-run", "--format", "json")
    planned = json.loads(plan.stdout)
    assert planned["kept"] == ["RichardRoe"]
    assert sorted(report(plan)) == sorted(s for s in changed if s != "RichardRoe")
    assert report(plan)["NewHire"] == ("create", "planned")
    assert planned["unchanged"] == len(templates) - len(changed) + 1

    done = deploy(repo, aws, "--base", first, "--format", "json")
    results = report(done)
    assert results["NewHire"] == ("create", "created")
    assert all(r == ("update", "updated") for s, r in results.items() if s != "NewHire"), results
    now = stacks(aws)
    assert now["RichardRoe"] == "CREATE_COMPLETE", "kept without --delete"
    for stack in templates:
        if stack not in changed:
            assert now[stack] == "CREATE_COMPLETE", f"{stack} was touched"

    # Again, with --delete: the changed stacks come out unchanged, RichardRoe goes, last.
    done = deploy(repo, aws, "--base", first, "--delete", "--format", "json")
    steps = json.loads(done.stdout)["steps"]
    assert steps[-1] == {"stack": "RichardRoe", "action": "delete", "after": [], "result": "deleted"}
    assert all(s["result"] == "unchanged" for s in steps[:-1]), steps
    assert "RichardRoe" not in stacks(aws)
    program = compile_program("deployed-again", repo, repo / "generated")
    problems = account_differences(read_account(aws.iam), expected_account(program, aws.account_id))
    assert not problems, "\n".join(problems)


BANNER = "# Generated by iamc from the .iam sources. DO NOT EDIT: change the sources and run `iamc build`.\n"


def role_template(role, imports=(), export=None):
    """A template of one role, importing IMPORTS as its managed policies' ARNs and
    exporting its ARN as `${AWS::StackName}-EXPORT`."""
    lines = [
        BANNER.rstrip("\n"),
        "Resources:",
        "  Role:",
        "    Type: AWS::IAM::Role",
        "    Properties:",
        f"      RoleName: {role}",
        "      AssumeRolePolicyDocument:",
        "        Version: '2012-10-17'",
        "        Statement:",
        "          - Effect: Allow",
        "            Principal: {Service: ec2.amazonaws.com}",
        "            Action: sts:AssumeRole",
    ]
    if imports:
        lines.append("      Tags:")
        for i, name in enumerate(imports):
            lines += [f"        - Key: imported{i}", f"          Value: !ImportValue '{name}'"]
    if export:
        lines += [
            "Outputs:",
            "  RoleArn:",
            "    Value: !GetAtt Role.Arn",
            "    Export:",
            f"      Name: !Sub '${{AWS::StackName}}-{export}'",
        ]
    return "\n".join(lines) + "\n"


def test_exporters_go_first_and_a_failed_change_set_stops_the_run(tmp_path, iamc, aws):
    reset_moto(aws.url)
    project = tmp_path / "project"
    out = project / "generated"
    out.mkdir(parents=True)
    # Aaa imports what Zzz exports: by name Aaa would go first, and moto would refuse it.
    (out / "Aaa.yaml").write_text(role_template("AaaRole", imports=["Zzz-RoleArn"]))
    (out / "Zzz.yaml").write_text(role_template("ZzzRole", export="RoleArn"))
    plan = deploy(project, aws, "--dry-run")
    assert "1. create  Zzz" in plan.stdout and "2. create  Aaa" in plan.stdout, plan.stdout
    assert "(after Zzz: Zzz-RoleArn)" in plan.stdout
    deploy(project, aws)
    assert stacks(aws) == {"Aaa": "CREATE_COMPLETE", "Zzz": "CREATE_COMPLETE"}

    # Two new stacks; the first fails: its role's name is taken.
    aws.iam.create_role(RoleName="TakenRole", AssumeRolePolicyDocument="{}")
    base = project / "base"
    shutil.copytree(out, base)
    (out / "Bad.yaml").write_text(role_template("TakenRole"))
    (out / "Later.yaml").write_text(role_template("LaterRole"))
    failed = deploy(project, aws, "--base-dir", "base", code=2)
    assert "error[E086]: stack `Bad` failed to create" in failed.stderr, failed.stderr
    assert "TakenRole" in failed.stderr
    assert "not attempted, so that nothing runs out of order: Later" in failed.stderr
    assert "create  Later  not attempted" in failed.stdout, failed.stdout
    assert "Later" not in stacks(aws)
    # As JSON: the same, with the diagnostic.
    failed = deploy(project, aws, "--base-dir", "base", "--format", "json", code=2)
    result = json.loads(failed.stdout)
    assert report(failed) == {"Bad": ("create", "failed"), "Later": ("create", "not attempted")}
    assert [d["code"] for d in result["diagnostics"]] == ["E086"]
