//! L004 `pass-role-wildcard`: `iam:PassRole` on every role.

use super::{Context, Finding, Level, Lint, covers};
use crate::diagnostics::LintCode;
use crate::iam::pattern;

pub const LINT: Lint = Lint {
    id: LintCode::PassRoleWildcard,
    summary: "`iam:PassRole` on `*` or on every role",
    default: Level::Deny,
    justifiable: true,
    doc: DOC,
    check,
};

const DOC: &str = r#"## What it does

Flags an `allow` statement granting `iam:PassRole` (directly, through a pattern such
as `iam:Pass*` or `iam:*`, or through `allow not [...]` that does not list it) on
`*`, on `not` resources, or on a pattern that matches every role of an account:
`arn:aws:iam::123456789012:role/*`, but also `...:role*`, `...:role/?*`,
`arn:aws:iam::*:*` or `arn:*`. Whether a pattern matches every role is decided by
iamc's pattern matcher (IAM's rules: `*` runs past `/` and `:`, ARNs compare with
case), not by the pattern's shape.

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

/// Whether a resource pattern matches every role (`role/` and a name of at
/// least one character) of the account it names: of its own partition and
/// account when it writes them out, else of any. Undecided counts as every.
fn every_role(resource: &str) -> bool {
    let segments = crate::iam::arn::segments(resource);
    let literal = |n: usize, sample: &'static str| -> String {
        match segments.get(n) {
            Some(s) if segments.len() > 5 && !pattern::is_wildcard(s) => s.to_string(),
            _ => sample.to_string(),
        }
    };
    let roles = format!(
        "arn:{}:iam::{}:role/?*",
        literal(1, "aws"),
        literal(4, "123456789012")
    );
    pattern::includes_text(resource, &roles, pattern::Case::Arn) != Some(false)
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let pass_role = cx.watched.bit("iam:PassRole");
    for (i, s) in cx.allows() {
        let st = &s.statement;
        if cx.facts(i).grants & pass_role == 0 {
            continue;
        }
        // `allow *` is left to action-wildcard.
        let action = if st.not_action {
            None
        } else {
            match st
                .actions
                .iter()
                .find(|a| a.as_str() != "*" && covers(a, "iam:PassRole"))
            {
                Some(action) => Some(action),
                None => continue,
            }
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
        let granted = match action {
            Some(action) => (cx.action_span(i, action), "grants iam:PassRole"),
            None => (
                cx.effect_span(i),
                "grants iam:PassRole: `not` does not list it",
            ),
        };
        out.push(Finding {
            diagnostic: LINT.diagnostic(
                format!("policy `{}` may pass {what} to a service", s.origin.policy),
            )
            .primary(span, what)
            .secondary(granted.0, granted.1)
            .note("a service given a role acts with all of that role's permissions")
            .help("name the roles that may be passed, and add `when StringEquals \"iam:PassedToService\" \"SERVICE.amazonaws.com\"`"),
            statements: vec![i],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_by_the_matcher() {
        for every in [
            "*",
            "arn:*",
            "arn:aws:iam::*:*",
            "arn:aws:iam::*",
            "arn:aws:iam::${AWS::AccountId}:role/*",
            "arn:aws:iam::${AWS::AccountId}:role*",
            "arn:aws:iam::${AWS::AccountId}:role/?*",
            "arn:aws:iam::123456789012:*",
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*",
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::${AWS::AccountId}:*ole/*",
        ] {
            assert!(every_role(every), "{every}");
        }
        for some in [
            "arn:aws:iam::${AWS::AccountId}:role/app-*",
            "arn:aws:iam::${AWS::AccountId}:role/service-role/*",
            "arn:aws:iam::${AWS::AccountId}:role/?",
            "arn:aws:iam::${AWS::AccountId}:Role/*",
            "arn:aws:iam::${AWS::AccountId}:role/${aws:PrincipalTag/team}-*",
            "arn:aws:iam::${AWS::AccountId}:user/*",
            "arn:aws:s3:::*",
        ] {
            assert!(!every_role(some), "{some}");
        }
    }
}
