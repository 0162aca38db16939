"""cfn-lint, an independent validator of CloudFormation templates, on every template iamc
writes: zero errors and zero warnings."""

import pytest

from conftest import PROGRAMS
from harness import describe_cfn_lint_finding


@pytest.mark.parametrize("name", PROGRAMS)
def test_cfn_lint_finds_nothing(name, programs, lint_findings):
    program = programs.get(name)
    assert program.templates, f"{name}: iamc wrote no template"
    findings = [f for t in program.templates for f in lint_findings[str(t)]]
    assert not findings, f"cfn-lint on {name}:\n" + "\n".join(
        describe_cfn_lint_finding(f) for f in findings
    )
