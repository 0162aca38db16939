"""parliament, an independent IAM policy linter, on every managed-policy document iamc
computes (as the manifest gives them, with the deploy-time values filled in).

No finding above LOW is accepted in a hand-written program. A LOW finding is accepted only
when listed below, for one statement (its Sid, the source policy's name), with the reason it
is right there."""

import pytest

from conftest import PROGRAMS
from harness import managed_policy_documents, parliament_findings

# (program, statement Sid, parliament issue) -> why the LOW finding is accepted.
ALLOWED_LOW = {
    ("example", "EcrBrowse", "RESOURCE_STAR"): (
        "ecr:DescribeImages/DescribeRepositories/ListImages on *, justified in the source "
        "with `because`: engineers read any team's image metadata when debugging"
    ),
    ("golden/not_action", "Broad1", "RESOURCE_STAR"): (
        "the fixture exists to render `allow not [iam:*, organizations:*] on *` (a sandbox "
        "account, justified in the source with `because`); parliament expands the NotAction "
        "and reports Resource * on what remains"
    ),
}

# (program, parliament issue) -> why every finding of that kind is a property of the input.
# Only for the generated organisation: it is load-test input, not a sensible policy set.
INPUT_DEFECTS = {
    ("org300", "RESOURCE_MISMATCH"): (
        "the generator (tests/it/support/org.rs) pairs a service's actions with its resources "
        "at random, so a statement may hold an action none of its ARNs is a resource of"
    ),
    ("org300", "UNKNOWN_CONDITION_FOR_ACTION"): (
        "the generator puts `s3:prefix` conditions on whole statements, including object "
        "actions such as s3:GetObject that have no such key"
    ),
}


def unaccepted(program: str, document: dict) -> list[str]:
    """parliament's findings on DOCUMENT that nothing above accepts, described."""
    findings = [f for f in parliament_findings(document) if (program, f.issue) not in INPUT_DEFECTS]
    if not findings:
        return []
    # Attribute findings to statements: each statement alone, as a policy of its own.
    # Whatever only the whole document shows (a cross-statement issue) has no Sid.
    attributed = []
    for statement in document["Statement"]:
        alone = {"Version": document["Version"], "Statement": [statement]}
        attributed += [(statement.get("Sid"), f) for f in parliament_findings(alone)]
    issues = {f.issue for _, f in attributed}
    attributed += [(None, f) for f in findings if f.issue not in issues]
    return [
        f"{f.severity} {f.issue} in statement {sid}: {f.detail}"
        for sid, f in attributed
        if (program, f.issue) not in INPUT_DEFECTS
        and not (f.severity == "LOW" and (program, sid, f.issue) in ALLOWED_LOW)
    ]


@pytest.mark.parametrize("name", PROGRAMS)
def test_parliament_finds_nothing_above_low(name, programs):
    documents = list(managed_policy_documents(programs.get(name)))
    assert documents, f"{name}: the manifest has no managed policy"
    rejected = [
        f"{stack}.yaml {policy} ({f'of {owner}' if owner else 'standalone'}): {problem}"
        for stack, owner, policy, document in documents
        for problem in unaccepted(name, document)
    ]
    assert not rejected, f"parliament on {name}:\n" + "\n".join(rejected)
