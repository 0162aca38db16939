//! L006 `escalation-combination`: `iam:PassRole` together with the actions
//! that hand the passed role to code the principal controls.

use super::escalation::report;
use super::{Context, Finding, Level, Lint};
use crate::diagnostics::LintCode;

pub const LINT: Lint = Lint {
    id: LintCode::EscalationCombination,
    summary: "`iam:PassRole` with actions that run code as the passed role",
    default: Level::Deny,
    justifiable: true,
    doc: DOC,
    check,
};

const DOC: &str = r#"## What it does

Looks at everything a role or user holds once its groups are flattened (and at each
policy no principal receives, on its own), and flags `iam:PassRole` held together with
the actions that start code or infrastructure running as the passed role: the
[new-passrole](../escalation/new-passrole.md) paths of the
[escalation table](../escalation.md), every service that runs code with a role it is
given:

| service | paths |
|---|---|
| App Runner | apprunner-001 `apprunner:CreateService` |
| Bedrock AgentCore | bedrock-001 code interpreters |
| CloudFormation | cloudformation-001 `cloudformation:CreateStack`, cloudformation-003 stack sets and instances, cloudformation-004 `cloudformation:UpdateStackSet` |
| CodeBuild | codebuild-001 `codebuild:CreateProject` and `codebuild:StartBuild`, codebuild-004 with `codebuild:StartBuildBatch` |
| Data Pipeline | datapipeline-001 |
| EC2 | ec2-001 `ec2:RunInstances`, ec2-003 `ec2:RequestSpotInstances` |
| ECS | ecs-001 to ecs-005 task definitions with services, tasks and clusters, ecs-007 container instances, ecs-008 `ecs:RunTask`, ecs-009 `ecs:StartTask` (a task role given as an override) |
| Glue | glue-001 dev endpoints, glue-003 to glue-006 jobs with runs or triggers, glue-007 interactive sessions |
| Lambda | lambda-001 `lambda:CreateFunction` with `lambda:InvokeFunction`, lambda-002 with `lambda:CreateEventSourceMapping`, lambda-006 with `lambda:AddPermission` |
| SageMaker | sagemaker-001 notebook instances, sagemaker-002 training jobs, sagemaker-003 processing jobs |

A path counts when IAM would allow a request of each of its permissions, as `iamc
explain` decides: `iam:PassRole` on a role, passed to the path's service (so an
`iam:PassedToService` condition naming other services takes the path away), and each
other action on some resource, every `deny` of the principal subtracted. `iam:PassRole`
on one named role counts as much as on `*`: that role is what the code runs as. The two
halves usually come from different policies and groups, so neither policy looks
dangerous alone: the finding labels each statement and shows, for each permission, the
request IAM allows and the path in the group graph that grants it (`JaneDoe ←
TeamAProd ← TeamADev ← DeployTeamADev`).

## Why it matters

The holder gets the permissions of any role it can pass, which is usually more than it
holds itself. This is the most common privilege escalation in real accounts.

## Example

```iam
policy PassAnyTaskRole {
  allow iam:PassRole on "arn:aws:iam::${AWS::AccountId}:role/app-*"
}
policy LaunchInstances {
  allow ec2:RunInstances on *
}
group Ops { PassAnyTaskRole, LaunchInstances }
trust Devserver { service "ec2.amazonaws.com" }
role Operator {
  grants Ops
  trust Devserver
}
```

## How to fix

Limit `iam:PassRole` with an `iam:PassedToService` condition to the service that
needs it, or split the two grants between principals. If the combination is the job
(a deployment role that launches instances with one instance profile), justify both
statements with `because`.

```iam
policy PassAppRole {
  allow iam:PassRole on "arn:aws:iam::${AWS::AccountId}:role/app-*"
    when StringEquals "iam:PassedToService" "ecs-tasks.amazonaws.com"
}
policy LaunchInstances {
  allow ec2:RunInstances on *
}
group Ops { PassAppRole, LaunchInstances }
trust Devserver { service "ec2.amazonaws.com" }
role Operator {
  grants Ops
  trust Devserver
}
```
"#;

fn check(cx: &Context, out: &mut Vec<Finding>) {
    report(cx, &LINT, |f| f.path.passes_role(), out);
}

#[cfg(test)]
mod tests {
    use super::super::escalation::documented_paths;

    #[test]
    fn the_doc_names_exactly_the_paths_with_pass_role() {
        documented_paths(super::DOC, |p| p.passes_role());
    }
}
