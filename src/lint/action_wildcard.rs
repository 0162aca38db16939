//! L001 `action-wildcard`: `allow *`, every action of every service.

use super::escalation::{holders_of, policy_set};
use super::{Context, Finding, Level, Lint};
use crate::diagnostics::LintCode;
use crate::iam::eval::{Request, decide};
use crate::lower::StatementId;

pub const LINT: Lint = Lint {
    id: LintCode::ActionWildcard,
    summary: "`allow *`: every action of every service",
    default: Level::Deny,
    justifiable: true,
    doc: DOC,
    check,
};

const DOC: &str = r#"## What it does

Flags an `allow` statement whose actions include `*`: every action of every AWS
service, today's and those AWS adds tomorrow. An `allow not [...]` (IAM's
`NotAction`) is flagged too: it allows every action of every service but those
listed, which is `*` with a few holes. A statement that every principal holding it
(or, for a policy no principal receives, its own policy) denies everywhere, with an
unconditional `deny *` on `*`, allows nothing and is not flagged.

## Why it matters

`Action: *` is administrator access, whatever the resources say: on `*` it is the
`AdministratorAccess` policy, and even on one ARN it grants every action that resource
will ever support. It is the first thing an attacker holding the credentials looks for,
and the last thing a least-privilege program should contain.

## Example

```iam
policy Everything {
  allow * on "arn:aws:s3:::acme-cdn/*"
}
```

## How to fix

Name the actions the job needs. If a statement really must grant everything (a
break-glass role), say why with `because`, and the lint reports it as justified
instead:

```iam
policy CdnRead {
  allow [s3:GetObject, s3:GetObjectVersion] on "arn:aws:s3:::acme-cdn/*"
}
```
"#;

/// Whether every holder of a statement explicitly denies a request of an
/// action and resource nobody names: it allows nothing anywhere.
fn denied_everywhere(cx: &Context, i: StatementId) -> bool {
    let request = Request {
        action: "iamc:NoSuchAction".into(),
        resource: "arn:iamc:none".into(),
        context: Default::default(),
        open: true,
    };
    let holders = holders_of(cx, i);
    !holders.is_empty()
        && holders.iter().all(|(holder, statements)| {
            // A deny on `not` resources leaves the ones it lists allowed.
            let decision = decide(&policy_set(cx, *holder, statements), &request);
            decision.explicit
                && decision.applies.iter().any(|&n| {
                    let s = &cx.statement(statements[n]).statement;
                    s.effect == crate::iam::policy::Effect::Deny && super::denies_everywhere(s)
                })
        })
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (i, s) in cx.allows() {
        let st = &s.statement;
        let everything = st.not_action || st.actions.iter().any(|a| a == "*");
        if everything && denied_everywhere(cx, i) {
            continue;
        }
        if st.not_action {
            // `not [*]` allows nothing.
            if st.actions.iter().all(|a| a != "*") {
                out.push(Finding {
                    diagnostic: LINT
                        .diagnostic(format!(
                            "policy `{}` allows every action but those listed (`not`)",
                            s.origin.policy
                        ))
                        .primary(cx.effect_span(i), "every action of every service but these")
                        .note("an allow by exclusion also grants every action AWS adds later")
                        .help("name the actions this statement needs; to take some away from a broad grant, add a `deny`"),
                    statements: vec![i],
                });
            }
            continue;
        }
        if !cx.facts(i).wildcard || !st.actions.iter().any(|a| a == "*") {
            continue;
        }
        out.push(Finding {
            diagnostic: LINT
                .diagnostic(format!(
                    "policy `{}` allows every action (`*`)",
                    s.origin.policy
                ))
                .primary(cx.action_span(i, "*"), "every action of every service")
                .help("name the actions this statement needs"),
            statements: vec![i],
        });
    }
}
