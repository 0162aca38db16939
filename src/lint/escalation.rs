//! The escalation paths each principal completes, found once for the lints
//! that report them (`privilege-escalation`, `escalation-combination`):
//! each role's and user's whole policy set, and each policy no principal
//! receives on its own, decided by [`crate::iam::escalation`].

use super::{Context, Finding, Lint, covers};
use crate::ast::DeclKind;
use crate::iam::escalation::{self, Found};
use crate::iam::policy::{PolicySet, Principal, PrincipalKind, Statement};
use crate::lower::StatementId;
use crate::resolve::DeclId;
use std::collections::{BTreeMap, BTreeSet};

/// Who holds the statements a path was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Holder {
    Principal(DeclId),
    /// A policy no role or user receives, on its own.
    Policy(DeclId),
}

/// The paths one holder completes, with its statements (the set's order).
pub struct Escalated {
    pub holder: Holder,
    pub statements: Vec<StatementId>,
    pub found: Vec<Found>,
}

/// A statement of the compiled program in the semantics core's terms,
/// after its policy's name.
fn core_statement(cx: &Context, i: StatementId) -> (String, Statement) {
    let l = cx.statement(i);
    (l.origin.policy.clone(), l.statement.map(|v| v.text.clone()))
}

/// The policy set of a holder's statements.
pub fn policy_set(cx: &Context, holder: Holder, statements: &[StatementId]) -> PolicySet {
    let principal = match holder {
        Holder::Principal(id) => {
            let decl = &cx.program.decls[id];
            let (kind, p) = match &decl.kind {
                DeclKind::User(p) => (PrincipalKind::User, p),
                DeclKind::Role(p) => (PrincipalKind::Role, p),
                _ => return empty(statements.iter().map(|&i| core_statement(cx, i))),
            };
            Principal {
                kind,
                user_name: (kind == PrincipalKind::User)
                    .then(|| crate::config::Naming::apply(&cx.naming.user, &decl.name.name, "")),
                tags: p
                    .tags
                    .iter()
                    .map(|(k, v)| (k.value.clone(), v.value.clone()))
                    .collect(),
            }
        }
        Holder::Policy(_) => Principal::anyone(),
    };
    PolicySet {
        principal,
        statements: statements.iter().map(|&i| core_statement(cx, i)).collect(),
        boundary: None,
        unseen: Vec::new(),
    }
}

fn empty(statements: impl Iterator<Item = (String, Statement)>) -> PolicySet {
    PolicySet {
        principal: Principal::anyone(),
        statements: statements.collect(),
        boundary: None,
        unseen: Vec::new(),
    }
}

/// The holders of a statement: the principals that receive it, else its
/// policy alone; each with its statements.
pub fn holders_of(cx: &Context, i: StatementId) -> Vec<(Holder, Vec<StatementId>)> {
    let mut out: Vec<(Holder, Vec<StatementId>)> = cx
        .principals
        .iter()
        .filter(|(_, grants)| grants.statements.contains(&i))
        .map(|&(id, grants)| (Holder::Principal(id), grants.statements.clone()))
        .collect();
    if out.is_empty()
        && let Some(policy) = cx.policy_of(i)
    {
        let own = &cx.statement(i).origin.policy;
        let statements = cx
            .lowered
            .statements
            .iter_enumerated()
            .filter(|(_, s)| s.origin.policy == *own)
            .map(|(j, _)| j)
            .collect();
        out.push((Holder::Policy(policy), statements));
    }
    out
}

/// Every holder's paths: principals in program order, then lone policies.
pub fn find(cx: &Context) -> Vec<Escalated> {
    let mut holders: Vec<(Holder, Vec<StatementId>)> = cx
        .principals
        .iter()
        .map(|&(id, grants)| (Holder::Principal(id), grants.statements.clone()))
        .collect();
    // The policies principals receive: those of their statements, and those
    // whose identical statements they hold through another policy's.
    let mut held: BTreeSet<&str> = BTreeSet::new();
    for &(_, grants) in &cx.principals {
        held.extend(
            grants
                .statements
                .iter()
                .map(|&i| cx.statement(i).origin.policy.as_str()),
        );
        held.extend(grants.also.values().flatten().map(String::as_str));
    }
    let mut alone: BTreeMap<DeclId, Vec<StatementId>> = BTreeMap::new();
    for (i, s) in cx.lowered.statements.iter_enumerated() {
        if !held.contains(s.origin.policy.as_str())
            && let Some(policy) = cx.policy_of(i)
        {
            alone.entry(policy).or_default().push(i);
        }
    }
    holders.extend(alone.into_iter().map(|(p, s)| (Holder::Policy(p), s)));
    // Each path's actions, as a mask: a holder whose `allow`s grant none of
    // the paths whole is not looked at further.
    let paths: Vec<u128> = escalation::paths()
        .iter()
        .map(|p| {
            p.permissions
                .iter()
                .fold(0, |mask, q| mask | cx.watched.bit(q.action))
        })
        .collect();
    // The set each holder decides on, when it may grant every action of a path.
    let sets: Vec<Option<(u128, PolicySet)>> = crate::par::map(&holders, |(holder, statements)| {
        let grants = statements
            .iter()
            .fold(0u128, |mask, &i| mask | cx.facts(i).grants);
        paths
            .iter()
            .any(|path| path & !grants == 0)
            .then(|| (grants, policy_set(cx, *holder, statements)))
    });
    // Holders with the same statements and principal facts (principals
    // granted the same groups) complete the same paths: each is decided once.
    let mut index: crate::hash::HashMap<&(u128, PolicySet), usize> = Default::default();
    let mut unique: Vec<&(u128, PolicySet)> = Vec::new();
    let of: Vec<Option<usize>> = sets
        .iter()
        .map(|set| {
            let set = set.as_ref()?;
            Some(*index.entry(set).or_insert_with(|| {
                unique.push(set);
                unique.len() - 1
            }))
        })
        .collect();
    let decided = crate::par::map(&unique, |(grants, set)| {
        let granted = |action: &str| grants & cx.watched.bit(action) != 0;
        escalation::find(set, &granted)
    });
    let found: Vec<Vec<Found>> = of
        .iter()
        .map(|n| n.map(|n| decided[n].clone()).unwrap_or_default())
        .collect();
    holders
        .into_iter()
        .zip(found)
        .filter(|(_, found)| !found.is_empty())
        .map(|((holder, statements), found)| Escalated {
            holder,
            statements,
            found,
        })
        .collect()
}

/// A path found, with the first statement allowing each of its steps.
type Completed<'a> = (&'a Found, Vec<StatementId>);

/// Reports the paths `keep` selects, one finding per set of statements that
/// completes them (the holders that share it named in a note).
pub fn report(cx: &Context, lint: &Lint, keep: fn(&Found) -> bool, out: &mut Vec<Finding>) {
    // (statements labelled, path ids) -> (holders, the first holder's paths).
    type Key = (Vec<StatementId>, Vec<&'static str>);
    let mut findings: BTreeMap<Key, (Vec<Holder>, Vec<Completed>)> = BTreeMap::new();
    for e in cx.escalations() {
        let paths: Vec<Completed> = e
            .found
            .iter()
            .filter(|f| keep(f))
            .map(|f| {
                let firsts: Vec<StatementId> = f
                    .steps
                    .iter()
                    .map(|s| e.statements[s.statements.first().copied().unwrap_or(0)])
                    .collect();
                (f, firsts)
            })
            // `allow *` is left to action-wildcard.
            .filter(|(_, firsts)| {
                !firsts.iter().all(|&i| {
                    let s = &cx.statement(i).statement;
                    !s.not_action && s.actions.iter().any(|a| a == "*")
                })
            })
            .collect();
        // Paths completed by the same statements are one finding.
        let mut by_statements: BTreeMap<Vec<StatementId>, Vec<Completed>> = BTreeMap::new();
        for (f, firsts) in paths {
            let mut key = firsts.clone();
            key.sort_unstable();
            key.dedup();
            by_statements.entry(key).or_default().push((f, firsts));
        }
        for (statements, mut paths) in by_statements {
            paths.sort_by_key(|(f, _)| f.path.id);
            let ids = paths.iter().map(|(f, _)| f.path.id).collect();
            let entry = findings
                .entry((statements, ids))
                .or_insert_with(|| (Vec::new(), paths));
            entry.0.push(e.holder);
        }
    }
    for ((statements, _), (holders, paths)) in findings {
        out.push(Finding {
            diagnostic: diagnostic(cx, lint, &holders, &paths),
            statements,
        });
    }
}

fn holder_name(cx: &Context, h: Holder) -> String {
    match h {
        Holder::Principal(id) => format!("`{}`", cx.name(id)),
        Holder::Policy(id) => format!("policy `{}`", cx.name(id)),
    }
}

fn diagnostic(
    cx: &Context,
    lint: &Lint,
    holders: &[Holder],
    paths: &[Completed],
) -> crate::diagnostics::Diagnostic {
    let who = holder_name(cx, holders[0]);
    let (first, _) = paths[0];
    let mut d = lint.diagnostic(match paths {
        [_] => format!(
            "{who} can {}: escalation path {} `{}`",
            first.path.family.outcome(),
            first.path.id,
            first.path.name()
        ),
        _ => format!(
            "{who} completes {} escalation paths: {}",
            paths.len(),
            paths
                .iter()
                .map(|(f, _)| f.path.id)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    });
    // One label per statement, naming what it grants.
    let mut labels: Vec<(StatementId, &str, Vec<&str>)> = Vec::new();
    for (f, firsts) in paths {
        for (step, &i) in f.steps.iter().zip(firsts) {
            let st = &cx.statement(i).statement;
            let written = st
                .actions
                .iter()
                .find(|p| !st.not_action && covers(p, step.action))
                .map(String::as_str);
            match labels.iter_mut().find(|(j, _, _)| *j == i) {
                Some((_, _, actions)) if !actions.contains(&step.action) => {
                    actions.push(step.action)
                }
                Some(_) => {}
                None => labels.push((i, written.unwrap_or(""), vec![step.action])),
            }
        }
    }
    for (n, (i, written, actions)) in labels.iter().enumerate() {
        let span = if written.is_empty() {
            cx.effect_span(*i)
        } else {
            cx.action_span(*i, written)
        };
        let label = match actions.as_slice() {
            [a, b, c, _, ..] => format!("grants {a}, {b}, {c} and {} more", actions.len() - 3),
            _ => format!("grants {}", actions.join(", ")),
        };
        d = if n == 0 {
            d.primary(span, label)
        } else {
            d.secondary(span, label)
        };
    }
    // Each path: the requests IAM allows.
    const SHOWN: usize = 6;
    for (f, _) in paths.iter().take(SHOWN) {
        let steps: Vec<String> = f
            .steps
            .iter()
            .map(|step| {
                let mut what = format!("{} on `{}`", step.action, step.request.resource);
                if let Some(service) = step.request.context.get("iam:passedtoservice") {
                    what.push_str(&format!(" passed to {}", service.join(", ")));
                }
                if !step.certain {
                    what.push_str(" (if its conditions hold)");
                }
                what
            })
            .collect();
        d = d.note(format!(
            "{} ({}): allows {}",
            f.path.id,
            f.path.family.as_str(),
            steps.join(", ")
        ));
    }
    if paths.len() > SHOWN {
        d = d.note(format!(
            "and {} more paths, completed by the same statements",
            paths.len() - SHOWN
        ));
    }
    // Where each statement comes from, for a principal.
    if let Holder::Principal(p) = holders[0] {
        for (i, _, actions) in &labels {
            if let Some(policy) = cx.policy_of(*i) {
                let first = actions.first().copied().unwrap_or_default();
                d = d.note(format!("{first}: {}", cx.path(p, policy)));
            }
        }
    }
    if holders.len() > 1 {
        let others: Vec<String> = holders[1..].iter().map(|&h| holder_name(cx, h)).collect();
        d = d.note(format!("also held by {}", others.join(", ")));
    }
    d.help(fix(first))
}

/// How to close a path, by family.
fn fix(f: &Found) -> String {
    use crate::iam::escalation::Family;
    match f.path.family {
        Family::NewPassRole if f.path.passes_role() => {
            let services: BTreeSet<&str> = f
                .path
                .permissions
                .iter()
                .flat_map(|p| p.passed_to.iter().copied())
                .collect();
            format!(
                "name the roles iam:PassRole may pass and limit it with `when StringEquals \"iam:PassedToService\" \"...\"` to services this principal does not also control ({}), or grant the other actions to another principal",
                services.into_iter().collect::<Vec<_>>().join(", ")
            )
        }
        Family::SelfEscalation | Family::PrincipalAccess => "limit the resources to identities and policies that are not more powerful than this one (never `*`), or remove the action".to_string(),
        _ => "limit the resources to ones whose roles are not more powerful than this principal, or split the actions between principals".to_string(),
    }
}

/// Checks that a lint's documentation names exactly the paths it reports
/// (each id, or a range `iam-014 to iam-021`).
#[cfg(test)]
pub fn documented_paths(doc: &str, covers: fn(&crate::iam::escalation::Path) -> bool) {
    let words: Vec<&str> = doc
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .collect();
    let id = |w: &str| {
        w.rsplit_once('-')
            .is_some_and(|(_, n)| n.len() == 3 && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let mut named: BTreeSet<String> = BTreeSet::new();
    for (n, w) in words.iter().enumerate() {
        if !id(w) {
            continue;
        }
        named.insert(w.to_string());
        if words.get(n + 1) == Some(&"to")
            && let Some(end) = words.get(n + 2).filter(|e| id(e))
        {
            let (prefix, from) = w.rsplit_once('-').unwrap_or_default();
            let (_, to) = end.rsplit_once('-').unwrap_or_default();
            let (from, to): (u32, u32) = (from.parse().unwrap_or(0), to.parse().unwrap_or(0));
            named.extend((from..=to).map(|k| format!("{prefix}-{k:03}")));
        }
    }
    let wanted: BTreeSet<String> = escalation::paths()
        .iter()
        .filter(|p| covers(p))
        .map(|p| p.id.to_string())
        .collect();
    assert_eq!(
        named, wanted,
        "the doc names these paths, the lint covers those"
    );
}
