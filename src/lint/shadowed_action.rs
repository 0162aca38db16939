//! L011 `shadowed-action`: an action a wildcard of the same principal already
//! grants on the same resources.

use super::{Context, Finding, Level, Lint, covers};
use crate::diagnostics::LintCode;
use crate::iam::pattern::is_wildcard;
use crate::iam::policy::{Effect, Statement};
use crate::iam::{condition, pattern};
use crate::lower::StatementId;
use crate::model::Value;
use crate::resolve::DeclId;
use std::collections::BTreeMap;

pub const LINT: Lint = Lint {
    id: LintCode::ShadowedAction,
    summary: "an action already granted by a wildcard on the same resources",
    default: Level::Warn,
    justifiable: false,
    doc: DOC,
    check,
};

const DOC: &str = r#"## What it does

Looks at everything a role or user holds once its groups are flattened, and flags an
action (`s3:GetObject`) that a wildcard (`s3:Get*`, `s3:*`, `*`) of an `allow`
statement already grants on the same resources (or on `*`), under conditions that
hold wherever the named action's hold (none, the same, or looser: `StringLike
"s3:prefix" "home/*"` holds wherever `StringLike "s3:prefix" "home/jane/*"` does;
decided as IAM evaluates conditions, by the same core as `diff` and `explain`). Resources compare as IAM compares ARNs, with
case: `arn:aws:s3:::Acme/*` does not cover `arn:aws:s3:::acme/*`, and a policy
variable covers only itself (`home/${aws:username}/*` does not cover `home/jane/*`).

## Why it matters

The named action reads as the precise grant, but the wildcard is what really
decides: narrowing or removing the named action changes nothing. Either the wildcard
is broader than intended, or the named action is dead.

## Example

```iam
policy ReadCdn { allow s3:GetObject on "arn:aws:s3:::acme-cdn/*" }
policy CdnTools { allow s3:Get* on "arn:aws:s3:::acme-cdn/*" }
group Web { ReadCdn, CdnTools }
trust Devserver { service "ec2.amazonaws.com" }
role Frontend {
  grants Web
  trust Devserver
}
```

## How to fix

Keep one of the two: narrow the wildcard to what is needed, or drop the named action.

```iam
policy ReadCdn { allow [s3:GetObject, s3:GetObjectVersion] on "arn:aws:s3:::acme-cdn/*" }
group Web { ReadCdn }
trust Devserver { service "ec2.amazonaws.com" }
role Frontend {
  grants Web
  trust Devserver
}
```
"#;

/// Whether `wide` applies wherever `narrow` does: its resources include all of
/// `narrow`'s, and each of its conditions is implied by one of `narrow`'s
/// (decided by the semantics core, [`crate::iam::condition`]).
fn covers_resources(wide: &Statement<Value>, narrow: &Statement<Value>) -> bool {
    if wide.not_resource || narrow.not_resource {
        return false;
    }
    let resources = wide.resources.iter().any(|r| r.text == "*")
        || narrow.resources.iter().all(|n| {
            wide.resources
                .iter()
                .any(|w| w.text == n.text || pattern::resource_covers(&w.text, &n.text))
        });
    resources && condition::conditions_imply(&narrow.conditions, &wide.conditions)
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    // (narrow statement, action, wide statement, wildcard) -> principals.
    let mut found: BTreeMap<(StatementId, &str, StatementId, &str), Vec<DeclId>> = BTreeMap::new();
    let mut allows: Vec<StatementId> = Vec::new();
    let mut wildcards: Vec<(StatementId, &str)> = Vec::new();
    if !cx.facts.iter().any(|facts| facts.wildcard) {
        return;
    }
    for &(principal, held) in &cx.principals {
        if !held.statements.iter().any(|&i| cx.facts(i).wildcard) {
            continue;
        }
        allows.clear();
        allows.extend(held.statements.iter().copied().filter(|&i| {
            let st = &cx.statement(i).statement;
            st.effect == Effect::Allow && !st.not_action
        }));
        wildcards.clear();
        for &i in &allows {
            let actions = &cx.statement(i).statement.actions;
            wildcards.extend(
                actions
                    .iter()
                    .filter(|a| is_wildcard(a))
                    .map(|a| (i, a.as_str())),
            );
        }
        for &i in &allows {
            let narrow = &cx.statement(i).statement;
            for action in narrow.actions.iter().filter(|a| !is_wildcard(a)) {
                let hit = wildcards.iter().find(|&&(w, pattern)| {
                    covers(pattern, action) && covers_resources(&cx.statement(w).statement, narrow)
                });
                if let Some(&(w, pattern)) = hit {
                    found
                        .entry((i, action, w, pattern))
                        .or_default()
                        .push(principal);
                }
            }
        }
    }
    for ((i, action, w, pattern), principals) in found {
        let narrow = &cx.statement(i).origin.policy;
        let wide = &cx.statement(w).origin.policy;
        let names: Vec<&str> = principals.iter().map(|&p| cx.name(p)).collect();
        out.push(Finding {
            diagnostic: LINT.diagnostic(
                format!("`{action}` in policy `{narrow}` is already granted by `{pattern}` in policy `{wide}`"),
            )
            .primary(cx.action_span(i, action), "has no effect of its own")
            .secondary(cx.action_span(w, pattern), format!("`{pattern}` covers `{action}` on the same resources"))
            .note(format!("both are held by {}", names.join(", ")))
            .help("narrow the wildcard to what is needed, or remove the named action"),
            statements: Vec::new(),
        });
    }
}
