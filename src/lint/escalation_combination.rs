//! L006 `escalation-combination`: `iam:PassRole` together with an action that
//! hands the passed role to code the principal controls.

use super::{Context, Facts, Finding, Level, Lint, covers};
use crate::diagnostics::LintCode;
use crate::id::IdVec;
use crate::lower::StatementId;
use crate::resolve::DeclId;
use std::collections::BTreeMap;
use std::iter::once;

pub const LINT: Lint = Lint {
    id: LintCode::EscalationCombination,
    summary: "`iam:PassRole` with an action that runs code as the passed role",
    default: Level::Deny,
    justifiable: true,
    doc: DOC,
    check,
};

/// A dangerous combination: `iam:PassRole` to `service`, with `action` and,
/// when `one_of` is not empty, one of those.
struct Combination {
    service: &'static str,
    action: &'static str,
    one_of: &'static [&'static str],
}

const COMBINATIONS: &[Combination] = &[
    Combination {
        service: "ec2.amazonaws.com",
        action: "ec2:RunInstances",
        one_of: &[],
    },
    Combination {
        service: "lambda.amazonaws.com",
        action: "lambda:CreateFunction",
        one_of: &[
            "lambda:InvokeFunction",
            "lambda:AddPermission",
            "lambda:CreateEventSourceMapping",
        ],
    },
    Combination {
        service: "glue.amazonaws.com",
        action: "glue:CreateDevEndpoint",
        one_of: &[],
    },
    Combination {
        service: "cloudformation.amazonaws.com",
        action: "cloudformation:CreateStack",
        one_of: &[],
    },
    Combination {
        service: "datapipeline.amazonaws.com",
        action: "datapipeline:CreatePipeline",
        one_of: &[],
    },
    Combination {
        service: "sagemaker.amazonaws.com",
        action: "sagemaker:CreateNotebookInstance",
        one_of: &[],
    },
];

const DOC: &str = r#"## What it does

Looks at everything a role or user holds once its groups are flattened, and flags
`iam:PassRole` held together with an action that starts code or infrastructure
running as the passed role:

| with `iam:PassRole` | escalation |
|---|---|
| `ec2:RunInstances` | start an instance with the role, read its credentials |
| `lambda:CreateFunction` and one of `lambda:InvokeFunction`, `lambda:AddPermission`, `lambda:CreateEventSourceMapping` | create a function with the role and run it |
| `glue:CreateDevEndpoint` | open a dev endpoint with the role |
| `cloudformation:CreateStack` | create a stack that acts with the role |
| `datapipeline:CreatePipeline` | run a pipeline with the role |
| `sagemaker:CreateNotebookInstance` | open a notebook with the role |

The two halves usually come from different policies and groups, so neither policy
looks dangerous alone. The finding labels both statements and shows, for each, the
path in the group graph that grants it (`JaneDoe ← TeamAProd ← TeamADev ←
DeployTeamADev`). A `iam:PassRole` statement whose `iam:PassedToService` condition
names other services does not count: it cannot pass the role where it would be used.
An unconditional `deny` on `*` of the second action removes the combination too
(`deny not [...] on *` counts for the actions it does not list); a `deny` on `not`
resources does not, since it leaves the resources it lists allowed.

## Why it matters

The holder gets the permissions of any role it can pass, which is usually more than it
holds itself. This is the most common privilege escalation in real accounts.

## Example

```iam
policy PassAnyTaskRole {
  allow iam:PassRole on "arn:aws:iam::${AWS::AccountId}:role/app-*"
}
policy LaunchInstances {
  allow ec2:RunInstances on *
}
group Ops { PassAnyTaskRole, LaunchInstances }
trust Devserver { service "ec2.amazonaws.com" }
role Operator {
  grants Ops
  trust Devserver
}
```

## How to fix

Limit `iam:PassRole` with an `iam:PassedToService` condition to the service that
needs it, or split the two grants between principals. If the combination is the job
(a deployment role that launches instances with one instance profile), justify both
statements with `because`.

```iam
policy PassAppRole {
  allow iam:PassRole on "arn:aws:iam::${AWS::AccountId}:role/app-*"
    when StringEquals "iam:PassedToService" "ecs-tasks.amazonaws.com"
}
policy LaunchInstances {
  allow ec2:RunInstances on *
}
group Ops { PassAppRole, LaunchInstances }
trust Devserver { service "ec2.amazonaws.com" }
role Operator {
  grants Ops
  trust Devserver
}
```
"#;

/// Whether a `iam:PassRole` statement can pass roles to this service: each
/// of its conditions on `iam:PassedToService` may hold for a request that
/// passes to it, as IAM evaluates conditions ([`crate::iam::condition`]:
/// `StringEquals` with case, `StringNotEquals` excluding, `IfExists`,
/// `ForAnyValue:`...). An operator iamc does not know, or a value holding a
/// `${...}`, may hold.
fn passes_to(cx: &Context, i: StatementId, service: &str) -> bool {
    use crate::iam::condition;
    use crate::iam::pattern::Token;
    let request = [service.to_string()];
    cx.statement(i).statement.conditions.iter().all(|block| {
        block
            .keys
            .iter()
            .filter(|(key, _)| key.eq_ignore_ascii_case("iam:PassedToService"))
            .all(|(_, values)| {
                let Some((op, values)) =
                    condition::read(&block.operator, values.iter().map(|v| v.text.as_str()))
                else {
                    return true;
                };
                let unknown = values.iter().flatten().any(|t| matches!(t, Token::Var(..)));
                unknown || condition::holds(&op, &values, Some(&request))
            })
    })
}

/// Every action the lint looks for: `iam:PassRole` and the combinations'.
pub fn actions() -> impl Iterator<Item = &'static str> {
    once("iam:PassRole").chain(
        COMBINATIONS
            .iter()
            .flat_map(|c| once(c.action).chain(c.one_of.iter().copied())),
    )
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let bit = |action: &str| cx.watched.bit(action);
    let pass_role = bit("iam:PassRole");
    if cx.facts.iter().all(|facts| facts.grants & pass_role == 0) {
        return;
    }
    // For each statement: the combinations whose service it can pass roles to.
    let passes: IdVec<StatementId, u8> = cx
        .facts
        .iter_enumerated()
        .map(|(i, facts)| {
            if facts.grants & pass_role == 0 {
                return 0;
            }
            (0..)
                .zip(COMBINATIONS)
                .filter(|(_, c)| passes_to(cx, i, c.service))
                .fold(0, |mask, (n, _)| mask | 1 << n)
        })
        .collect();
    // (combination, (statement, action) of each half) -> principals holding it.
    type Halves = Vec<(StatementId, &'static str)>;
    let mut found: BTreeMap<(usize, Halves), Vec<DeclId>> = BTreeMap::new();
    for &(principal, held) in &cx.principals {
        let statements = &held.statements;
        let facts = statements
            .iter()
            .fold(Facts::default(), |all, &i| all | cx.facts(i));
        let (grants, denies) = (facts.grants, facts.denies);
        if grants & pass_role == 0 {
            continue;
        }
        // The first statement granting an action, unless a deny takes it away.
        let first = |action: &str| -> Option<StatementId> {
            let bit = bit(action);
            if denies & bit != 0 || grants & bit == 0 {
                return None;
            }
            statements
                .iter()
                .copied()
                .find(|&i| cx.facts(i).grants & bit != 0)
        };
        for (c, combination) in COMBINATIONS.iter().enumerate() {
            let Some(pass) = statements
                .iter()
                .copied()
                .find(|&i| passes[i] & 1 << c != 0)
            else {
                continue;
            };
            let Some(action) = first(combination.action) else {
                continue;
            };
            let mut halves = vec![(pass, "iam:PassRole"), (action, combination.action)];
            if !combination.one_of.is_empty() {
                let Some(other) = combination
                    .one_of
                    .iter()
                    .find_map(|&a| first(a).map(|i| (i, a)))
                else {
                    continue;
                };
                halves.push(other);
            }
            found.entry((c, halves)).or_default().push(principal);
        }
    }
    for ((c, halves), principals) in found {
        let combination = &COMBINATIONS[c];
        let principal = principals[0];
        let name = cx.name(principal);
        let mut d = LINT.diagnostic(format!(
            "`{name}` can pass a role to {} and run code as it",
            combination.service
        ));
        for (n, &(i, action)) in halves.iter().enumerate() {
            let st = &cx.statement(i).statement;
            let written = st
                .actions
                .iter()
                .find(|p| covers(p, action))
                .map(String::as_str)
                .unwrap_or(action);
            let span = cx.action_span(i, written);
            let label = format!("grants {action}");
            d = if n == 0 {
                d.primary(span, label)
            } else {
                d.secondary(span, label)
            };
            if let Some(policy) = cx.policy_of(i) {
                d = d.note(format!("{action}: {}", cx.path(principal, policy)));
            }
        }
        if principals.len() > 1 {
            let others: Vec<&str> = principals[1..].iter().map(|&p| cx.name(p)).collect();
            d = d.note(format!("also held by {}", others.join(", ")));
        }
        let mut statements: Vec<StatementId> = halves.iter().map(|h| h.0).collect();
        statements.sort_unstable();
        statements.dedup();
        out.push(Finding {
            diagnostic: d.help(format!(
                "limit iam:PassRole with `when StringEquals \"iam:PassedToService\" \"...\"` to the services that need it, or do not grant {} to the same principal",
                combination.action
            )),
            statements,
        });
    }
}
