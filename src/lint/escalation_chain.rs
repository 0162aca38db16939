//! L017 `escalation-chain`: a principal reaches, through roles of the program
//! it may assume (or whose trust it may rewrite), a role that completes an
//! escalation path.

use super::escalation::{Holder, policy_set};
use super::{Context, Finding, Level, Lint};
use crate::ast::DeclKind;
use crate::diagnostics::LintCode;
use crate::iam::eval::{Request, Verdict, decide};
use crate::iam::principal::Aws;
use crate::lower::StatementId;
use crate::resolve::DeclId;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

pub const LINT: Lint = Lint {
    id: LintCode::EscalationChain,
    summary: "a principal can assume (or take over) a role of the program that can escalate",
    default: Level::Deny,
    justifiable: true,
    doc: DOC,
    check,
};

const DOC: &str = r#"## What it does

Follows the program's own graph of roles, which no scanner of single policies can see:
a principal that can assume a role of the program, because the role's trust names it
(or names the account, and the principal's policies allow `sts:AssumeRole` on the
role's ARN) and no `deny` of the principal takes it away, holds everything that role
holds; so does a principal allowed `iam:UpdateAssumeRolePolicy` on the role's ARN,
which can make the role trust it. When the role (or a role it can assume in turn)
completes a privilege-escalation path (what
[`privilege-escalation`](privilege-escalation.md) and
[`escalation-combination`](escalation-combination.md) report for the role itself), the
principal inherits it. Each finding prints the chain, shortest first, as `iamc explain`
prints paths: `Developer → assumes Deployer → Deployer completes iam-009`, with the
statements that allow each step.

## Why it matters

The role's own finding is easy to justify ("the deployer needs it"); that a developer's
laptop credentials reach it is what the reviewer must know.

## Example

```iam
policy AssumeDeployer {
  allow sts:AssumeRole on "arn:aws:iam::${AWS::AccountId}:role/PersonalRoleDeployer"
}
policy ManageRoles {
  allow iam:AttachRolePolicy on "arn:aws:iam::${AWS::AccountId}:role/*"
}
trust FromDeveloper { aws "arn:aws:iam::${AWS::AccountId}:role/PersonalRoleDeveloper" }
trust Devserver { service "ec2.amazonaws.com" }
role Developer {
  grants AssumeDeployer
  trust Devserver
}
role Deployer {
  grants ManageRoles
  trust FromDeveloper
}
```

## How to fix

Do not let the role be assumed by principals that should not hold what it holds, or
close the role's own escalation path (here, with an `iam:PolicyARN` condition):

```iam
policy AssumeDeployer {
  allow sts:AssumeRole on "arn:aws:iam::${AWS::AccountId}:role/PersonalRoleDeployer"
}
policy ManageRoles {
  allow iam:AttachRolePolicy on "arn:aws:iam::${AWS::AccountId}:role/*"
    when ArnEquals "iam:PolicyARN" "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
trust FromDeveloper { aws "arn:aws:iam::${AWS::AccountId}:role/PersonalRoleDeveloper" }
trust Devserver { service "ec2.amazonaws.com" }
role Developer {
  grants AssumeDeployer
  trust Devserver
}
role Deployer {
  grants ManageRoles
  trust FromDeveloper
}
```
"#;

/// How one principal reaches a role: the action, and the statements of the
/// principal that allow it (none when the role's trust names it).
#[derive(Clone)]
struct Step {
    role: DeclId,
    action: &'static str,
    statements: Vec<StatementId>,
}

/// A role's or user's ARN as deployed, and its name.
fn arn(cx: &Context, id: DeclId) -> Option<(String, String)> {
    let decl = &cx.program.decls[id];
    let (kind, pattern, p) = match &decl.kind {
        DeclKind::Role(p) => ("role", &cx.naming.role, p),
        DeclKind::User(p) => ("user", &cx.naming.user, p),
        _ => return None,
    };
    let name = crate::config::Naming::apply(pattern, &decl.name.name, "");
    let path = p.path.as_ref().map(|s| s.value.as_str()).unwrap_or("/");
    Some((
        format!("arn:aws:iam::${{AWS::AccountId}}:{kind}{path}{name}"),
        name,
    ))
}

/// Whether a role's trust names `who` (`Some(true)`), delegates to the
/// account's policies (`Some(false)`), or neither (`None`).
fn trusts(cx: &Context, role: DeclId, who: &(String, String)) -> Option<bool> {
    let trust = cx.program.trust[role].unwrap_or(role);
    let statements = cx.lowered.trusts.get(&trust)?;
    let mut delegates = false;
    for t in statements
        .iter()
        .filter(|t| t.principal_kind == "AWS" && t.action == "sts:AssumeRole")
    {
        for p in &t.principals {
            let text = p.text.replace("${AWS::Partition}", "aws");
            match Aws::parse(&text) {
                Some(Aws::Role(a, name) | Aws::User(a, name))
                    if name == who.1 && a.account == "${AWS::AccountId}" && text == who.0 =>
                {
                    return Some(true);
                }
                Some(Aws::Anyone) => delegates = true,
                Some(a) if a.is_whole_account() && a.account() == Some("${AWS::AccountId}") => {
                    delegates = true
                }
                _ => {}
            }
        }
    }
    delegates.then_some(false)
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let escalating: BTreeMap<DeclId, &super::escalation::Escalated> = cx
        .escalations()
        .iter()
        .filter_map(|e| match e.holder {
            Holder::Principal(id) => Some((id, e)),
            Holder::Policy(_) => None,
        })
        .collect();
    if escalating.is_empty() {
        return;
    }
    let holders: Vec<(DeclId, &[StatementId])> = cx
        .principals
        .iter()
        .map(|&(id, g)| (id, g.statements.as_slice()))
        .collect();
    let arns: BTreeMap<DeclId, (String, String)> = holders
        .iter()
        .filter_map(|&(id, _)| Some((id, arn(cx, id)?)))
        .collect();
    let assume = cx.watched.bit("sts:AssumeRole") | cx.watched.bit("iam:UpdateAssumeRolePolicy");
    let may_act =
        |statements: &[StatementId]| statements.iter().any(|&i| cx.facts(i).grants & assume != 0);
    // Who reaches each role, from the roles that escalate backwards.
    let mut into: BTreeMap<DeclId, Vec<(DeclId, Step)>> = BTreeMap::new();
    let mut queue: VecDeque<DeclId> = escalating.keys().copied().collect();
    let mut seen: BTreeSet<DeclId> = queue.iter().copied().collect();
    while let Some(role) = queue.pop_front() {
        let Some(role_arn) = arns.get(&role) else {
            continue;
        };
        if !matches!(cx.program.decls[role].kind, DeclKind::Role(_)) {
            continue;
        }
        for &(p, statements) in &holders {
            if p == role {
                continue;
            }
            let Some(who) = arns.get(&p) else { continue };
            let named = trusts(cx, role, who);
            if named.is_none() && !may_act(statements) {
                continue;
            }
            let set = policy_set(cx, Holder::Principal(p), statements);
            let ask = |action: &str| {
                decide(
                    &set,
                    &Request {
                        action: action.to_string(),
                        resource: role_arn.0.clone(),
                        context: Default::default(),
                        open: true,
                    },
                )
            };
            let mut step = None;
            if let Some(named) = named {
                let d = ask("sts:AssumeRole");
                let allowed = d.verdict != Verdict::Denied;
                if (named && !d.explicit) || allowed {
                    let statements = if allowed {
                        d.applies
                            .iter()
                            .chain(&d.may_apply)
                            .map(|&n| statements[n])
                            .collect()
                    } else {
                        Vec::new()
                    };
                    step = Some(("sts:AssumeRole", statements));
                }
            }
            if step.is_none() && may_act(statements) {
                let d = ask("iam:UpdateAssumeRolePolicy");
                if d.verdict != Verdict::Denied {
                    let allows = d.applies.iter().chain(&d.may_apply).map(|&n| statements[n]);
                    step = Some(("iam:UpdateAssumeRolePolicy", allows.collect()));
                }
            }
            if let Some((action, statements)) = step {
                into.entry(role).or_default().push((
                    p,
                    Step {
                        role,
                        action,
                        statements,
                    },
                ));
                if seen.insert(p) {
                    queue.push_back(p);
                }
            }
        }
    }
    let mut from: BTreeMap<DeclId, Vec<Step>> = BTreeMap::new();
    for (_, steps) in into {
        for (p, step) in steps {
            from.entry(p).or_default().push(step);
        }
    }
    for &start in from.keys() {
        // Breadth first: the shortest chain to each role that escalates.
        let mut queue = VecDeque::from([(start, Vec::<Step>::new())]);
        let mut visited = BTreeSet::from([start]);
        let mut reached: Vec<(DeclId, Vec<Step>)> = Vec::new();
        while let Some((at, steps)) = queue.pop_front() {
            for step in from.get(&at).into_iter().flatten() {
                if !visited.insert(step.role) {
                    continue;
                }
                let mut longer = steps.clone();
                longer.push(step.clone());
                if escalating.contains_key(&step.role) {
                    reached.push((step.role, longer.clone()));
                }
                queue.push_back((step.role, longer));
            }
        }
        for (target, steps) in reached {
            out.push(finding(cx, start, target, &steps, escalating[&target]));
        }
    }
}

fn finding(
    cx: &Context,
    start: DeclId,
    target: DeclId,
    steps: &[Step],
    escalated: &super::escalation::Escalated,
) -> Finding {
    let ids: Vec<&str> = escalated.found.iter().map(|f| f.path.id).collect();
    let mut chain = vec![format!("`{}`", cx.name(start))];
    for s in steps {
        let how = match s.action {
            "sts:AssumeRole" => "assumes",
            _ => "rewrites the trust of",
        };
        chain.push(format!("{how} `{}`", cx.name(s.role)));
    }
    let mut d = LINT.diagnostic(format!(
        "`{}` can reach `{}`, which completes escalation {} {}",
        cx.name(start),
        cx.name(target),
        if ids.len() == 1 { "path" } else { "paths" },
        ids.join(", ")
    ));
    let mut statements: Vec<StatementId> = Vec::new();
    let mut labelled = false;
    let mut at = start;
    for s in steps {
        match s.statements.first() {
            Some(&i) => {
                let span = cx.action_span(i, s.action);
                let label = format!("allows {} on `{}`", s.action, cx.name(s.role));
                d = if labelled {
                    d.secondary(span, label)
                } else {
                    d.primary(span, label)
                };
                labelled = true;
                statements.push(i);
            }
            None => {
                d = d.note(format!(
                    "`{}` trusts `{}` by name",
                    cx.name(s.role),
                    cx.name(at)
                ));
            }
        }
        at = s.role;
    }
    if !labelled {
        // Every step by name: point at the first role's trust.
        let role = &cx.program.decls[steps[0].role];
        d = d.primary(role.name.span, format!("trusts `{}`", cx.name(start)));
    }
    d = d.note(format!("chain: {}", chain.join(" → ")));
    for f in &escalated.found {
        d = d.note(format!(
            "`{}` completes {} `{}` ({})",
            cx.name(target),
            f.path.id,
            f.path.name(),
            f.path.family.as_str()
        ));
    }
    statements.sort_unstable();
    statements.dedup();
    Finding {
        diagnostic: d.help(format!(
            "take `{}` out of the trust of the roles it should not act as, or close the escalation of `{}`",
            cx.name(start),
            cx.name(target)
        )),
        statements,
    }
}
