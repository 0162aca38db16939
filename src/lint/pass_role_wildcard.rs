//! L004 `pass-role-wildcard`: `iam:PassRole` on every role.

use super::{Context, Finding, Level, Lint, covers};
use crate::diagnostics::LintCode;

pub const LINT: Lint = Lint {
    id: LintCode::PassRoleWildcard,
    summary: "`iam:PassRole` on `*` or on every role",
    default: Level::Deny,
    justifiable: true,
    doc: DOC,
    check,
};

const DOC: &str = r#"## What it does

Flags an `allow` statement granting `iam:PassRole` (directly or through a pattern such
as `iam:Pass*` or `iam:*`) on `*`, on `not` resources, or on an ARN that names every
role (`arn:aws:iam::123456789012:role/*`).

## Why it matters

Passing a role to a service (an EC2 instance, a Lambda function, an ECS task) lets the
service act with that role's permissions on your behalf. Passing *any* role means
acting with the permissions of the most powerful role in the account: privilege
escalation in one step.

## Example

```iam
policy DeployAnything {
  allow iam:PassRole on *
}
```

## How to fix

Name the roles that may be passed, and the service they may be passed to:

```iam
policy DeployApi {
  allow iam:PassRole on "arn:aws:iam::${AWS::AccountId}:role/ApiTaskRole"
    when StringEquals "iam:PassedToService" "ecs-tasks.amazonaws.com"
}
```
"#;

/// Whether a resource names every role.
fn every_role(resource: &str) -> bool {
    resource == "*"
        || (resource.contains(":iam::")
            && (resource.ends_with(":role/*") || resource.ends_with(":*")))
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let pass_role = cx.watched.bit("iam:PassRole");
    for (i, s) in cx.allows() {
        let st = &s.statement;
        if st.not_action || cx.facts(i).grants & pass_role == 0 {
            continue;
        }
        let Some(action) = st
            .actions
            .iter()
            .find(|a| a.as_str() != "*" && covers(a, "iam:PassRole"))
        else {
            continue;
        };
        let label = if st.not_resource {
            Some((
                "every role but those listed".to_string(),
                cx.resources_span(i),
            ))
        } else {
            st.resources
                .iter()
                .find(|r| every_role(&r.text))
                .map(|r| ("every role".to_string(), cx.resource_span(i, &r.text)))
        };
        let Some((what, span)) = label else {
            continue;
        };
        out.push(Finding {
            diagnostic: LINT.diagnostic(
                format!("policy `{}` may pass {what} to a service", s.origin.policy),
            )
            .primary(span, what)
            .secondary(cx.action_span(i, action), "grants iam:PassRole")
            .note("a service given a role acts with all of that role's permissions")
            .help("name the roles that may be passed, and add `when StringEquals \"iam:PassedToService\" \"SERVICE.amazonaws.com\"`"),
            statements: vec![i],
        });
    }
}
