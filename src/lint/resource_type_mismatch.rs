//! L012 `resource-type-mismatch`: an S3 bucket action on object ARNs, or an
//! object action on bucket ARNs.

use super::{Context, Finding, Level, Lint};
use crate::diagnostics::LintCode;
use crate::iam::pattern;
use crate::iam::pattern::is_wildcard;

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

A resource counts as an object ARN whenever it can match one by IAM's rules, not by
how it looks: a `*` or `?` runs past `/`, so `arn:aws:s3:::acme-*` names every
bucket whose name starts with `acme-` *and* every object in them, and
`s3:GetObject` on it is a real grant. Only resources that can match no ARN of the
action's kind are "the wrong kind"; one resource of the right kind (or `*`) in the
statement is enough for no finding. Access point ARNs count for the actions that
act on access points (`s3:GetObject` through `.../accesspoint/NAME/object/KEY`); an
action that also acts on resource types whose ARNs iamc does not model (access
grants, batch jobs) is not checked.

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

/// Whether a resource pattern can match an ARN of an S3 resource type: a
/// bucket (`arn:aws:s3:::name`, no `/`), an object (`arn:aws:s3:::name/key`),
/// an access point or an object through one. `None` for a type whose ARNs
/// iamc does not model (an access grant, a job): it may be anything.
fn can_be(resource: &str, kind: &str) -> Option<bool> {
    // An access point has a region: not `arn:aws:s3:::...`, whose `*` could
    // otherwise be read as one.
    let regional = || {
        crate::iam::arn::segments(resource)
            .get(3)
            .is_none_or(|region| !region.is_empty())
    };
    Some(match kind {
        "bucket" => {
            pattern::can_avoid(resource, '/') && pattern::resource_matches(resource, "arn:*:s3:::*")
        }
        "object" => pattern::resource_matches(resource, "arn:*:s3:::*/*"),
        "accesspoint" => {
            regional() && pattern::resource_matches(resource, "arn:*:s3:?*:?*:accesspoint/*")
        }
        "accesspointobject" => {
            regional()
                && pattern::resource_matches(resource, "arn:*:s3:?*:?*:accesspoint/*/object/*")
        }
        _ => return None,
    })
}

/// Whether a resource pattern can match some S3 bucket, object or access point.
fn is_s3(resource: &str) -> bool {
    pattern::resource_matches(resource, "arn:*:s3:::*")
        || can_be(resource, "accesspoint") == Some(true)
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
            // Only when no resource of the statement can be of a type the
            // action acts on; a type whose ARNs iamc does not know (an access
            // grant, a job) may be anything.
            let fits = st.resources.iter().any(|r| {
                s3.types_of(known)
                    .any(|t| can_be(&r.text, t) != Some(false))
            });
            if fits {
                continue;
            }
            let named: Vec<&str> = st
                .resources
                .iter()
                .map(|r| r.text.as_str())
                .filter(|r| is_s3(r))
                .collect();
            if named.is_empty() {
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
                .primary(
                    cx.action_span(i, action),
                    format!("a {want} action").replace("a object", "an object"),
                );
            for arn in &named {
                d = d.secondary(
                    cx.resource_span(i, arn),
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
