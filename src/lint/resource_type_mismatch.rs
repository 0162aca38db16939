//! L012 `resource-type-mismatch`: an S3 bucket action on object ARNs, or an
//! object action on bucket ARNs.

use super::{Context, Finding, Level, Lint, is_wildcard};
use crate::diagnostics::LintCode;

pub const LINT: Lint = Lint {
    id: LintCode::ResourceTypeMismatch,
    summary: "an S3 bucket action on an object ARN, or an object action on a bucket ARN",
    default: Level::Warn,
    justifiable: false,
    doc: DOC,
    check,
};

const DOC: &str = r#"## What it does

Uses the resource types iamc's action catalog knows for each S3 action to flag a
bucket action (`s3:ListBucket`, `s3:GetBucketLocation`) granted only on object ARNs
(`arn:aws:s3:::bucket/*`), and an object action (`s3:GetObject`, `s3:PutObject`)
granted only on bucket ARNs (`arn:aws:s3:::bucket`). Wildcard actions are not
checked: `s3:Get*` rightly spans both kinds.

## Why it matters

IAM matches the action against the resource type: a bucket action on an object ARN
grants nothing. The statement reads as a grant and does nothing, which usually means
the intended grant is missing. A prefix restriction on listing is an `s3:prefix`
condition, not a path in the bucket ARN.

## Example

```iam
policy ListDevserverData {
  allow s3:ListBucket on "arn:aws:s3:::ops-data/devserver/*"
}
```

## How to fix

Grant bucket actions on the bucket ARN, with a condition for a prefix:

```iam
policy ListDevserverData {
  allow s3:ListBucket on "arn:aws:s3:::ops-data"
    when StringLike "s3:prefix" ["devserver/*"]
}
```
"#;

/// `Some(true)` for an object ARN, `Some(false)` for a bucket ARN.
fn is_object(arn: &str) -> Option<bool> {
    if !arn.starts_with("arn:") {
        return None;
    }
    // What follows the first `:s3:::`.
    let (at, _) = arn
        .match_indices(':')
        .find(|&(at, _)| arn[at..].starts_with(":s3:::"))?;
    Some(arn[at + ":s3:::".len()..].contains('/'))
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(s3) = cx.catalog.service("s3") else {
        return;
    };
    for (i, s) in cx.allows() {
        let st = &s.statement;
        if st.not_action || st.not_resource || !st.actions.iter().any(|a| a.starts_with("s3:")) {
            continue;
        }
        let mut kinds = st.resources.iter().filter_map(|r| is_object(&r.text));
        let Some(objects) = kinds.next() else {
            continue;
        };
        // Naming both kinds, a statement grants every action on its own kind.
        if kinds.any(|object| object != objects) {
            continue;
        }
        for action in &st.actions {
            let Some(("s3", name)) = action.split_once(':') else {
                continue;
            };
            if is_wildcard(name) {
                continue;
            }
            let Some(known) = s3.action(name) else {
                continue;
            };
            let on_bucket = s3.types_of(known).any(|t| t == "bucket");
            let on_object = s3.types_of(known).any(|t| t == "object");
            if on_bucket == on_object {
                continue;
            }
            // Only when every S3 resource of the statement is of the wrong kind.
            if objects == on_object {
                continue;
            }
            let (want, got, fix) = if on_bucket {
                (
                    "bucket",
                    "object",
                    "grant it on the bucket ARN (`arn:aws:s3:::BUCKET`), with an `s3:prefix` condition to limit listing",
                )
            } else {
                (
                    "object",
                    "bucket",
                    "grant it on object ARNs (`arn:aws:s3:::BUCKET/*`)",
                )
            };
            let mut d = LINT
                .diagnostic(format!(
                    "`{action}` acts on {want}s, but policy `{}` grants it only on {got} ARNs",
                    s.origin.policy
                ))
                .primary(cx.action_span(i, action), format!("a {want} action"));
            for arn in st.resources.iter().filter(|r| is_object(&r.text).is_some()) {
                d = d.secondary(
                    cx.resource_span(i, &arn.text),
                    format!("an {got} ARN").replace("an bucket", "a bucket"),
                );
            }
            out.push(Finding {
                diagnostic: d
                    .note("IAM matches an action only against resources of its type, so this grants nothing")
                    .help(fix),
                statements: vec![i],
            });
        }
    }
}
