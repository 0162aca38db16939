//! L005 `privilege-escalation`: single actions that let a principal raise its
//! own permissions.

use super::{Context, Finding, Level, Lint, covers};
use crate::diagnostics::LintCode;

pub const LINT: Lint = Lint {
    id: LintCode::PrivilegeEscalation,
    summary: "an action that lets a principal grant itself more permissions",
    default: Level::Deny,
    justifiable: true,
    doc: DOC,
    check,
};

/// Actions that, alone, let a principal give itself or another identity more
/// permissions (from the facts file: Rhino Security Labs' list, as parliament
/// and pacu check it).
pub const ACTIONS: &[&str] = &[
    "iam:AddUserToGroup",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreatePolicyVersion",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateLoginProfile",
    "glue:UpdateDevEndpoint",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
];

const DOC: &str = r#"## What it does

Flags an `allow` statement granting an action that, on its own, lets the holder raise
its own permissions or take over another identity:

| action | how it escalates |
|---|---|
| `iam:CreatePolicyVersion`, `iam:SetDefaultPolicyVersion` | rewrite a managed policy it holds |
| `iam:Attach{User,Group,Role}Policy`, `iam:Put{User,Group,Role}Policy` | give itself any policy |
| `iam:AddUserToGroup` | join a more powerful group |
| `iam:CreateAccessKey`, `iam:CreateLoginProfile`, `iam:UpdateLoginProfile` | sign in as another user |
| `iam:UpdateAssumeRolePolicy` | let itself assume any role |
| `lambda:UpdateFunctionCode`, `lambda:UpdateFunctionConfiguration` | run code as a function's role |
| `glue:UpdateDevEndpoint` | run code as a dev endpoint's role |

Patterns count: `iam:*`, `iam:Put*` and `iam:Attach*Policy` all grant some of these,
and so does `allow not [...]` (IAM's `NotAction`) unless its list takes every one of
them away: `allow not [iam:PassRole] on *` grants all of them. `allow *` is left to
[`action-wildcard`](action-wildcard.md).

## Why it matters

Each of these turns a narrow grant into administrator access; a reviewer treats
them as equivalent to `Action: *` unless the resources make them safe.

## Example

```iam
policy RotateOwnKeys {
  allow iam:CreateAccessKey on "arn:aws:iam::${AWS::AccountId}:user/*"
}
```

## How to fix

Remove the action, or restrict it to resources that cannot be used to escalate, and
say why with `because`:

```iam
policy RotateOwnKeys {
  allow iam:CreateAccessKey on "arn:aws:iam::${AWS::AccountId}:user/${aws:username}"
    because "users rotate their own access keys; ${aws:username} limits it to themselves"
}
```
"#;

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let escalating = ACTIONS.iter().fold(0, |mask, a| mask | cx.watched.bit(a));
    for (i, s) in cx.allows() {
        let st = &s.statement;
        if cx.facts(i).grants & escalating == 0 {
            continue;
        }
        if st.not_action {
            let hits: Vec<&str> = ACTIONS
                .iter()
                .copied()
                .filter(|a| !st.actions.iter().any(|p| covers(p, a)))
                .collect();
            let Some(first) = hits.first() else {
                continue;
            };
            out.push(Finding {
                diagnostic: LINT
                    .diagnostic(format!(
                        "policy `{}` grants `{first}`{} through `not`, which can escalate privileges",
                        s.origin.policy,
                        if hits.len() > 1 {
                            format!(" and {} more actions", hits.len() - 1)
                        } else {
                            String::new()
                        }
                    ))
                    .primary(
                        cx.effect_span(i),
                        "every action but those listed, including ones that let the holder give itself more permissions",
                    )
                    .note(format!("`not [...]` leaves {}", hits.join(", ")))
                    .help("list the actions that are allowed; to take some away from a broad grant, add a `deny`"),
                statements: vec![i],
            });
            continue;
        }
        for pattern in st.actions.iter().filter(|a| a.as_str() != "*") {
            let hits: Vec<&str> = ACTIONS
                .iter()
                .copied()
                .filter(|a| covers(pattern, a))
                .collect();
            let Some(first) = hits.first() else {
                continue;
            };
            let mut d = LINT
                .diagnostic(format!(
                    "policy `{}` grants `{first}`{}, which can escalate privileges",
                    s.origin.policy,
                    if hits.len() > 1 {
                        format!(" and {} more actions", hits.len() - 1)
                    } else {
                        String::new()
                    }
                ))
                .primary(
                    cx.action_span(i, pattern),
                    "lets the holder give itself more permissions",
                );
            if hits.len() > 1 {
                d = d.note(format!("`{pattern}` grants {}", hits.join(", ")));
            }
            out.push(Finding {
                diagnostic: d.help("remove the action, or limit its resources so it cannot reach a more powerful identity"),
                statements: vec![i],
            });
        }
    }
}
