//! L002 `service-wildcard`: `s3:*`, every action of a service.

use super::{Context, Finding, Level, Lint};
use crate::diagnostics::LintCode;

pub const LINT: Lint = Lint {
    id: LintCode::ServiceWildcard,
    summary: "`allow s3:*`: every action of a service",
    default: Level::Warn,
    justifiable: true,
    doc: DOC,
    check,
};

const DOC: &str = r#"## What it does

Flags an `allow` statement with a service-wide wildcard such as `s3:*` or `iam:*`.

## Why it matters

A service wildcard grants the service's administration along with its use: `s3:*`
includes `s3:PutBucketPolicy` and `s3:DeleteBucket`, `kms:*` includes
`kms:ScheduleKeyDeletion`. It also grows silently as AWS adds actions to the service.

## Example

```iam
policy CdnAdmin {
  allow s3:* on ["arn:aws:s3:::acme-cdn", "arn:aws:s3:::acme-cdn/*"]
}
```

## How to fix

List the actions, or use a narrower pattern such as `s3:Get*`. If the whole service
is the point (a team's own sandbox account), say so with `because`.

```iam
policy CdnRead {
  allow s3:ListBucket on "arn:aws:s3:::acme-cdn"
  allow s3:GetObject on "arn:aws:s3:::acme-cdn/*"
}
```
"#;

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (i, s) in cx.allows() {
        let st = &s.statement;
        if !cx.facts(i).wildcard || st.not_action {
            continue;
        }
        for action in &st.actions {
            let Some((service, "*")) = action.split_once(':') else {
                continue;
            };
            out.push(Finding {
                diagnostic: LINT.diagnostic(
                    format!(
                        "policy `{}` allows every action of `{service}`",
                        s.origin.policy
                    ),
                )
                .primary(
                    cx.action_span(i, action),
                    format!("every `{service}` action, including those AWS adds later"),
                )
                .help(format!(
                    "list the `{service}` actions this statement needs, or a narrower pattern such as `{service}:Get*`"
                )),
                statements: vec![i],
            });
        }
    }
}
