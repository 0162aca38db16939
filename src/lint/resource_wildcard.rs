//! L003 `resource-wildcard`: `on *` for actions that can be narrowed to resources.

use super::{Context, Finding, Level, Lint, on_everything};
use crate::diagnostics::LintCode;
use crate::iam::pattern::is_wildcard;

pub const LINT: Lint = Lint {
    id: LintCode::ResourceWildcard,
    summary: "`on *` for actions that support resource-level permissions",
    default: Level::Warn,
    justifiable: true,
    doc: DOC,
    check,
};

const DOC: &str = r#"## What it does

Flags an `allow` statement on `*` (every resource) when one of its actions supports
resource-level permissions, according to iamc's action catalog. Actions that accept
only `*`, such as `ecr:GetAuthorizationToken` or `secretsmanager:ListSecrets`, are not
flagged: `*` is the only thing they can be granted on.

## Why it matters

`s3:GetObject` on `*` reads every object of every bucket in the account, including
those created after the review. Naming the resources is what makes a grant least
privilege.

## Example

```iam
policy ReadSecrets {
  allow secretsmanager:GetSecretValue on *
}
```

## How to fix

Name the resources, with wildcards inside the ARN where needed:

```iam
policy ReadSecrets {
  allow secretsmanager:GetSecretValue
    on "arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:shared/*"
}
```

When `*` is needed (an action whose resources cannot be known in advance), say why
with `because "..."`; the justification is printed by `iamc lint` and written beside
the statement in the template.
"#;

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (i, s) in cx.allows() {
        let st = &s.statement;
        if st.not_action || st.not_resource || !on_everything(st) {
            continue;
        }
        let narrowable: Vec<&String> = st
            .actions
            .iter()
            .filter(|a| a.as_str() != "*")
            .filter(|a| {
                cx.catalog
                    .expand(a)
                    .iter()
                    .any(|(_, action)| action.supports_resources())
            })
            .collect();
        let Some(first) = narrowable.first() else {
            continue;
        };
        let mut d = LINT
            .diagnostic(format!(
                "policy `{}` grants {} on every resource",
                s.origin.policy,
                if narrowable.len() == 1 {
                    format!("`{first}`")
                } else {
                    format!("{} actions", narrowable.len())
                }
            ))
            .primary(cx.resources_span(i), "every resource in the account");
        for a in &narrowable {
            let what = if is_wildcard(a) {
                "some of these actions can be limited to named resources"
            } else {
                "this action can be limited to named resources"
            };
            d = d.secondary(cx.action_span(i, a), what);
        }
        out.push(Finding {
            diagnostic: d.help("name the resources (ARNs, with `*` inside them where needed)"),
            statements: vec![i],
        });
    }
}
