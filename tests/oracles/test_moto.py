"""A real deployment of the example program into moto, read back with the IAM API.

Every principal must hold exactly the managed policies and statements iamc computed for it
(`iamc manifest`): nothing missing, nothing extra. Then the program is changed, the stacks
updated in place, and the account must match the new manifest just as exactly."""

import re

import pytest
from botocore.exceptions import ClientError

from conftest import PROGRAMS, reset_moto
from harness import (
    account_differences,
    compile_program,
    copy_program,
    deploy,
    expected_account,
    expected_exports,
    resource_arns,
    read_account,
    run,
    stack_name,
)


def deploy_and_check(aws, program):
    """Deploy PROGRAM into an empty account; the account must then match its manifest."""
    reset_moto(aws.url)
    statuses = deploy(aws.cf, program.templates)
    assert set(statuses.values()) == {"CREATE_COMPLETE"}, statuses
    assert_account_matches(aws, program)


def assert_account_matches(aws, program):
    """The whole emulated account equals what the manifest says, exports included."""
    expected = expected_account(program, aws.account_id)
    problems = account_differences(read_account(aws.iam), expected)
    assert not problems, f"{program.name} deployed:\n" + "\n".join(problems)

    exports = {e["Name"]: e["Value"] for e in aws.cf.list_exports()["Exports"]}
    assert exports == expected_exports(aws.cf, aws.iam, program.manifest)
    # Each exported ARN is one of the resources of its own template, and every resource of
    # a template is exported exactly once.
    for stack, arns in resource_arns(aws.iam, program.manifest, aws.account_id).items():
        values = sorted(v for name, v in exports.items() if name.startswith(f"{stack}-"))
        assert values == sorted(arns), f"exports of stack {stack}"


@pytest.mark.parametrize("name", [p for p in PROGRAMS if p.startswith("golden/")])
def test_golden_deployment_matches_manifest(name, programs, aws):
    deploy_and_check(aws, programs.get(name))


@pytest.fixture(scope="module")
def deployed(programs, aws):
    """The example program, deployed into an empty account."""
    program = programs.get("example")
    deploy_and_check(aws, program)
    return program


def test_deployment_matches_manifest(deployed, aws):
    assert_account_matches(aws, deployed)


# The change made for the update test: a new policy in an existing group (reaching every
# role through Base), and a new role, hence a new stack.
EXTRA_SOURCE = """
/// Read the quarterly reports (added by the oracles' update test).
policy OracleReadReports {
  allow s3:GetObject on "arn:aws:s3:::acme-reports/*"
}

/// A newcomer (added by the oracles' update test).
role OracleNewcomer {
  grants Base
  trust Devserver
}
"""


@pytest.fixture(scope="module")
def updated(deployed, aws, tmp_path_factory):
    cwd = copy_program(deployed.cwd, tmp_path_factory.mktemp("example-changed"))
    groups = cwd / "policies" / "groups.iam"
    text, count = re.subn(r"(group Base \{\n)", r"\1  OracleReadReports\n", groups.read_text())
    assert count == 1, "group Base not found in the example's groups.iam"
    groups.write_text(text)
    (cwd / "policies" / "oracle_update.iam").write_text(EXTRA_SOURCE)

    program = compile_program("example-changed", cwd, tmp_path_factory.mktemp("changed-out"))
    assert program.manifest != deployed.manifest
    statuses = deploy(aws.cf, program.templates)
    return program, statuses


def test_update_matches_new_manifest(deployed, updated, aws):
    program, statuses = updated
    assert statuses["OracleNewcomer"] == "CREATE_COMPLETE"
    for role in ("JaneDoe", "JohnDoe", "MaryMajor", "RichardRoe"):
        assert statuses[role] == "UPDATE_COMPLETE", statuses
    # The service user does not reach Base: its template must not change. (moto reports
    # UPDATE_COMPLETE for an identical template where AWS says "No updates".)
    assert statuses["ServiceUserProdKrun"] in ("UNCHANGED", "UPDATE_COMPLETE"), statuses
    assert (program.out / "ServiceUserProdKrun.yaml").read_text() == (
        deployed.out / "ServiceUserProdKrun.yaml"
    ).read_text()
    assert_account_matches(aws, program)


def test_moto_rejects_a_duplicate_export(deployed, aws):
    """The oracle can see an export collision: a second stack exporting a name that a stack
    of the example already exports is refused."""
    first = deployed.manifest["templates"][0]
    taken = f"{stack_name(first)}-{first['exports'][0]}"
    assert any(e["Name"] == taken for e in aws.cf.list_exports()["Exports"])
    template = f"""
Resources:
  Topic:
    Type: AWS::SNS::Topic
Outputs:
  Clash:
    Value: !Ref Topic
    Export:
      Name: {taken}
"""
    with pytest.raises(ClientError, match="Export names must be unique"):
        aws.cf.create_stack(StackName="OracleExportClash", TemplateBody=template)


def write_program(root, config: str, source: str):
    (root / "policies").mkdir(parents=True)
    (root / "iamc.yaml").write_text(config)
    (root / "policies" / "main.iam").write_text(source)
    return root


COLLIDING_NAMES = """
naming:
  role: "r-{Name}"
  managed_policy: "r{Name}{Part}"
"""

TWO_ROLES = """
policy ReadCdn { allow s3:GetObject on "arn:aws:s3:::cdn/*" }
trust Ec2 { service "ec2.amazonaws.com" }
role App { grants ReadCdn  trust Ec2 }
role AppMisc { grants ReadCdn  trust Ec2 }
"""


def test_iamc_rejects_colliding_logical_ids_in_one_template(iamc, tmp_path):
    """Two resources of one template whose names differ only by punctuation would share a
    logical id, hence an export name: iamc refuses the program."""
    config = 'naming:\n  role: "acme-{Name}"\n  instance_profile: "acme{Name}"\n'
    source = TWO_ROLES.replace("trust Ec2 }", "trust Ec2  instance_profile }", 1)
    cwd = write_program(tmp_path, config, source)
    proc = run([iamc, "build", "--out", tmp_path / "out"], cwd=cwd, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "acmeApp" in proc.stderr


def test_iamc_rejects_export_collision_within_a_stack(iamc, tmp_path):
    """Role App's managed policy `rAppMisc` and role AppMisc (`r-AppMisc`) collide nowhere
    in templates of their own; in one stack both would be logical id rAppMisc and both
    export `Team-rAppMiscArn`, which CloudFormation would refuse: iamc must refuse first.

    (Across templates export names cannot collide: each carries its own stack's name.)"""
    apart = TWO_ROLES.replace("role AppMisc", "role Other") + "stack Team { roles App, Other }\n"
    fine = write_program(tmp_path / "fine", COLLIDING_NAMES, apart)
    run([iamc, "build", "--out", fine / "out"], cwd=fine)
    assert (fine / "out" / "Team.yaml").is_file()

    together = TWO_ROLES + "stack Team { roles App, AppMisc }\n"
    clash = write_program(tmp_path / "clash", COLLIDING_NAMES, together)
    proc = run([iamc, "build", "--out", clash / "out"], cwd=clash, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "rAppMisc" in proc.stderr
