"""`iamc adopt` checked against what CloudFormation documents, not against iamc.

The example program is deployed into moto and its IAM read back with the IAM API
(`get-account-authorization-details`); `iamc adopt` on that file must import every resource
of every template, and each file it writes must be what CloudFormation takes:

- each resources-to-import file is valid input of `CreateChangeSet` by botocore's model of
  the CloudFormation API (its `ResourcesToImport` shape, at most 200 items);
- each resource type can be imported (its resource schema, as cfn-lint ships it, has a
  `read` handler) and is identified by the schema's `primaryIdentifier`, whose value is the
  resource's: its name, or, for a managed policy, the ARN moto gave it;
- each import template passes cfn-lint, holds exactly the resources listed, each with a
  `DeletionPolicy`, and no `Outputs` (an import may add none).

moto takes a change set of type IMPORT but ignores the resources to import (it creates the
resources anew), so it cannot judge these files; the schemas above are what it would check.
"""

import json
from pathlib import Path

import botocore.session
import pytest
import yaml
from botocore.validate import ParamValidator
import cfnlint.data.schemas as schemas

from conftest import reset_moto
from harness import IAMC, REGION, cfn_lint, deploy, describe_cfn_lint_finding, load_template, run


def resource_schema(kind: str) -> dict:
    """CloudFormation's resource schema of KIND, as cfn-lint ships it for the region."""
    folder = Path(schemas.__file__).parent
    index = json.loads((folder / "providers" / f"{REGION}.json").read_text())
    resources = folder / "resources"
    return json.loads((resources / f"{index[kind]}.json").read_text())


def authorization_details(iam, templates: list[Path]) -> dict:
    """The whole answer of get-account-authorization-details, pages merged, as the AWS CLI
    prints it (dates as text), with moto's gaps filled as AWS would answer."""
    merged = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    for page in iam.get_paginator("get_account_authorization_details").paginate():
        for key in merged:
            merged[key].extend(page.get(key, []))
    merged["IsTruncated"] = False
    # moto leaves out each policy's `PolicyName`, which AWS gives: the ARN's last segment.
    for policy in merged["Policies"]:
        policy.setdefault("PolicyName", policy["Arn"].rsplit("/", 1)[-1])
    # moto ignores a role's ManagedPolicyArns (see harness.read_account): the AWS managed
    # policies the templates attach are attached as AWS would have.
    roles = {r["RoleName"]: r for r in merged["RoleDetailList"]}
    for template in templates:
        for resource in load_template(template)["Resources"].values():
            props = resource["Properties"]
            if resource["Type"] == "AWS::IAM::Role":
                for arn in props.get("ManagedPolicyArns", []):
                    roles[props["RoleName"]]["AttachedManagedPolicies"].append(
                        {"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn}
                    )
    return json.loads(json.dumps(merged, default=str))


@pytest.fixture(scope="module")
def adopted(programs, aws, tmp_path_factory):
    """The example deployed into an empty moto account, then `iamc adopt` of what moto
    says the account holds: (program, folder of the files adopt wrote, the details)."""
    program = programs.get("example")
    reset_moto(aws.url)
    statuses = deploy(aws.cf, program.templates)
    assert set(statuses.values()) == {"CREATE_COMPLETE"}, statuses
    work = tmp_path_factory.mktemp("adopt")
    details = authorization_details(aws.iam, program.templates)
    (work / "details.json").write_text(json.dumps(details))
    out = work / "adopt"
    run([IAMC, "adopt", "--src", "policies", work / "details.json", "--out", out], cwd=program.cwd)
    return program, out, details


def test_every_resource_is_imported(adopted):
    program, out, _ = adopted
    for template in program.templates:
        stack = template.stem
        built = load_template(template)["Resources"]
        listed = json.loads((out / f"{stack}.resources.json").read_text())
        assert sorted(r["LogicalResourceId"] for r in listed) == sorted(built), stack


def test_resources_files_are_valid_create_change_set_input(adopted):
    _, out, _ = adopted
    model = botocore.session.get_session().get_service_model("cloudformation")
    shape = model.operation_model("CreateChangeSet").input_shape
    files = sorted(out.glob("*.resources.json"))
    assert files
    for path in files:
        params = {
            "StackName": path.name.split(".")[0],
            "ChangeSetName": "iamc-adopt",
            "ChangeSetType": "IMPORT",
            "TemplateBody": (out / path.name.replace(".resources.json", ".import.yaml")).read_text(),
            "Capabilities": ["CAPABILITY_NAMED_IAM"],
            "ResourcesToImport": json.loads(path.read_text()),
        }
        report = ParamValidator().validate(params, shape)
        assert not report.has_errors(), f"{path.name}:\n{report.generate_report()}"


def test_identifiers_are_the_schemas_and_the_accounts(adopted):
    _, out, details = adopted
    arns = {p["Arn"] for p in details["Policies"]}
    for path in sorted(out.glob("*.resources.json")):
        template = load_template(out / path.name.replace(".resources.json", ".import.yaml"))
        for r in json.loads(path.read_text()):
            schema = resource_schema(r["ResourceType"])
            assert "read" in schema.get("handlers", {}), f"{r['ResourceType']} cannot be imported"
            primary = [p.removeprefix("/properties/") for p in schema["primaryIdentifier"]]
            assert sorted(r["ResourceIdentifier"]) == sorted(primary), (path.name, r)
            resource = template["Resources"][r["LogicalResourceId"]]
            assert resource["Type"] == r["ResourceType"]
            for key, value in r["ResourceIdentifier"].items():
                if key == "PolicyArn":
                    assert value in arns, f"{value} is not an ARN moto gave a policy"
                    props = resource["Properties"]
                    assert value.endswith(f":policy{props['Path']}{props['ManagedPolicyName']}")
                else:
                    assert resource["Properties"][key] == value, (path.name, key)


def test_import_templates_are_what_an_import_takes(adopted):
    _, out, _ = adopted
    templates = sorted(out.glob("*.import.yaml"))
    assert templates
    for path in templates:
        template = load_template(path)
        assert "Outputs" not in template, path.name
        for logical, resource in template["Resources"].items():
            assert resource.get("DeletionPolicy") == "Retain", (path.name, logical)
            assert resource.get("UpdateReplacePolicy") == "Retain", (path.name, logical)
    findings = cfn_lint(templates)
    problems = [describe_cfn_lint_finding(f) for fs in findings.values() for f in fs]
    assert not problems, "\n".join(problems)
