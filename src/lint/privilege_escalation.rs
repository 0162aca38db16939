//! L005 `privilege-escalation`: a principal's policies complete an escalation
//! path that passes no role: it changes its own permissions, becomes another
//! principal, or takes over a resource that already runs with a role.

use super::escalation::report;
use super::{Context, Finding, Level, Lint};
use crate::diagnostics::LintCode;

pub const LINT: Lint = Lint {
    id: LintCode::PrivilegeEscalation,
    summary: "a principal can grant itself more permissions, become another principal, or take over a resource's role",
    default: Level::Deny,
    justifiable: true,
    doc: DOC,
    check,
};

const DOC: &str = r#"## What it does

Looks at everything a role or user holds once its groups are flattened (and at each
policy no principal receives, on its own), and flags the privilege-escalation paths
it completes that pass no role. A path counts when IAM would allow a request of each
of its permissions, as `iamc explain` decides: every `deny` of the principal is
subtracted, conditions are evaluated, and the request must be on a resource that
serves the path. The paths are those of the [escalation table](../escalation.md)
without `iam:PassRole` (those are [`escalation-combination`](escalation-combination.md)'s):

| family | paths |
|---|---|
| [self-escalation](../escalation/self-escalation.md) | iam-001 `iam:CreatePolicyVersion`, iam-005 `iam:PutRolePolicy`, iam-007 `iam:PutUserPolicy`, iam-008 `iam:AttachUserPolicy`, iam-009 `iam:AttachRolePolicy`, iam-010 `iam:AttachGroupPolicy`, iam-011 `iam:PutGroupPolicy`, iam-013 `iam:AddUserToGroup`, iamc-002 `iam:SetDefaultPolicyVersion` |
| [principal-access](../escalation/principal-access.md) | iam-002 `iam:CreateAccessKey`, iam-003 (with `iam:DeleteAccessKey`), iam-004 `iam:CreateLoginProfile`, iam-006 `iam:UpdateLoginProfile`, iam-012 `iam:UpdateAssumeRolePolicy`, iam-014 to iam-021 (the self-escalation actions with `sts:AssumeRole`, `iam:CreateAccessKey` or `iam:UpdateAssumeRolePolicy`), sts-001 `sts:AssumeRole` on roles a wildcard reaches |
| [existing-passrole](../escalation/existing-passrole.md) (takeover) | apprunner-002 `apprunner:UpdateService`, bedrock-002 code-interpreter sessions, cloudformation-002 `cloudformation:UpdateStack`, cloudformation-005 change sets, codebuild-002 `codebuild:StartBuild`, codebuild-003 `codebuild:StartBuildBatch`, ec2-002 user data and restart, ec2-004 launch-template versions, ec2instanceconnect-003 `ec2-instance-connect:SendSSHPublicKey`, ecs-006 `ecs:ExecuteCommand`, glue-002 `glue:UpdateDevEndpoint`, lambda-003 to lambda-005 `lambda:UpdateFunctionCode`, iamc-001 `lambda:UpdateFunctionConfiguration`, sagemaker-004 presigned notebook URLs, sagemaker-005 notebook lifecycle configurations, ssm-001 `ssm:StartSession`, ssm-002 `ssm:SendCommand` |

Only the smallest paths are reported: `lambda:UpdateFunctionCode` is lambda-003, not
also lambda-004. Resources that cannot be exploited are not findings: AWS managed
policies (`arn:aws:iam::aws:policy/...`) cannot be versioned by customers, a user's own
access keys and password (`user/${aws:username}`) give it nothing it does not hold, an
`iam:Attach*Policy` whose `iam:PolicyARN` condition names other policies cannot attach
`AdministratorAccess`, and `sts:AssumeRole` on roles the policy names one by one is left
to the trust of those roles. A finding names each path (its id is the table's), labels
the statements that complete it and shows, for each permission, the request that IAM
allows and the path in the group graph that grants it.

## Why it matters

Each of these turns a narrow grant into the permissions of a more powerful identity:
administrator access, in the usual account. A reviewer reads them as `Action: *`
unless the resources make them safe.

## Example

```iam
policy RotateKeys {
  allow iam:CreateAccessKey on "arn:aws:iam::${AWS::AccountId}:user/*"
}
```

## How to fix

Limit the action to resources that cannot reach a more powerful identity: a user's own
keys, for example.

```iam
policy RotateOwnKeys {
  allow iam:CreateAccessKey on "arn:aws:iam::${AWS::AccountId}:user/${aws:username}"
}
```
"#;

fn check(cx: &Context, out: &mut Vec<Finding>) {
    report(cx, &LINT, |f| !f.path.passes_role(), out);
}

#[cfg(test)]
mod tests {
    use super::super::escalation::documented_paths;

    #[test]
    fn the_doc_names_exactly_the_paths_without_pass_role() {
        documented_paths(super::DOC, |p| !p.passes_role());
    }
}
