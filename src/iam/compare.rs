//! Whether a change grants new access, as IAM Access Analyzer's
//! `CheckNoNewAccess` defines it: some request allowed after and not before.
//!
//! Two steps. First a proof that nothing new is allowed: every Allow after
//! the change is contained in an Allow before it, and every Deny before is
//! contained in a Deny after it (then `Allow' - Deny'` is inside
//! `Allow - Deny`). Containment compares patterns and conditions
//! ([`pattern::includes`], [`condition::implies`]), variables kept as the
//! unknown values they are. Where that proof fails, a search for a witness:
//! a concrete request built from the patterns and condition values of both
//! versions, decided by [`eval::decide`] before and after. A witness proves
//! the change broadening; without proof either way the answer is "may
//! broaden", with the reason. The answer is therefore sound: it never says
//! "no new access" without a proof.

use super::condition::{self, Operator};
use super::eval::{self, Request, Verdict};
use super::pattern::{self, Case, Token};
use super::policy::{Effect, Fixed, PolicySet, Principal, is_deploy_time};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "access", rename_all = "snake_case")]
pub enum Change {
    /// Proven: nothing is allowed after that was not allowed before.
    NoNewAccess,
    /// This request is allowed after and was not before.
    Broadens { witness: Request },
    /// Not proven either way. `example`: a request allowed after and not
    /// before by the statements iamc sees, when what it cannot see (a
    /// boundary, an AWS managed policy) decides whether it is new.
    MayBroaden {
        reasons: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        example: Option<Request>,
    },
}

/// How many requests the witness search tries before giving up.
const SEARCH_LIMIT: usize = 20_000;

/// One condition as compared: parsed operator, key, values as tokens; or,
/// for an operator iamc does not know, its text (compared as text).
#[derive(Clone, Debug)]
struct Cond {
    op: Option<Operator>,
    raw: String,
    key: String,
    values: Vec<Vec<Token>>,
}

/// A statement with the principal's values filled in, as tokens; plain
/// Action and Resource lists cut into one action on one resource.
#[derive(Clone, Debug)]
struct Atom {
    effect: Effect,
    not_action: bool,
    actions: Vec<Vec<Token>>,
    not_resource: bool,
    resources: Vec<Vec<Token>>,
    conditions: Vec<Cond>,
    statement: usize,
}

fn resolve(principal: &Principal, key: &str) -> Result<Option<String>, ()> {
    match principal.fixed(key) {
        Fixed::Value(v) => Ok(Some(v)),
        Fixed::Missing => Err(()),
        Fixed::Open => Ok(None),
    }
}

fn has_var(tokens: &[Token]) -> bool {
    tokens.iter().any(|t| matches!(t, Token::Var(..)))
}

/// The atoms of a set's statements; conditions on keys the principal fixes
/// (its tags) decided here.
fn atoms(set: &PolicySet) -> Vec<Atom> {
    let p = &set.principal;
    let mut out = Vec::new();
    'statements: for (i, (_, s)) in set.statements.iter().enumerate() {
        let mut conditions = Vec::new();
        for c in &s.conditions {
            let op = Operator::parse(&c.operator);
            let (case, glob) = op.map(|o| o.reading()).unwrap_or((Case::Exact, false));
            let values: Vec<Vec<Token>> = c
                .values
                .iter()
                .filter_map(|v| pattern::tokens(v, case, glob, |k| resolve(p, k)))
                .collect();
            if let Some(op) = op
                && !values.iter().any(|v| has_var(v))
            {
                let fixed = match p.fixed(&c.key) {
                    Fixed::Value(v) => Some(Some(vec![v])),
                    Fixed::Missing => Some(None),
                    Fixed::Open => None,
                };
                if let Some(request) = fixed {
                    if condition::holds(&op, &values, request.as_deref()) {
                        continue;
                    }
                    continue 'statements;
                }
            }
            conditions.push(Cond {
                op,
                raw: c.operator.clone(),
                key: c.key.to_ascii_lowercase(),
                values,
            });
        }
        let actions: Vec<Vec<Token>> = s
            .actions
            .iter()
            .map(|a| pattern::symbolic(a, Case::Fold))
            .collect();
        let resources: Vec<Vec<Token>> = s
            .resources
            .iter()
            .filter_map(|r| pattern::tokens(r, Case::Arn, true, |k| resolve(p, k)))
            .collect();
        if !s.not_resource && resources.is_empty() {
            continue;
        }
        let action_sets: Vec<Vec<Vec<Token>>> = if s.not_action {
            vec![actions]
        } else {
            actions.into_iter().map(|a| vec![a]).collect()
        };
        let resource_sets: Vec<Vec<Vec<Token>>> = if s.not_resource {
            vec![resources]
        } else {
            resources.into_iter().map(|r| vec![r]).collect()
        };
        for a in &action_sets {
            for r in &resource_sets {
                out.push(Atom {
                    effect: s.effect,
                    not_action: s.not_action,
                    actions: a.clone(),
                    not_resource: s.not_resource,
                    resources: r.clone(),
                    conditions: conditions.clone(),
                    statement: i,
                });
            }
        }
    }
    out
}

/// Whether every string of (`small_not`, `small`) is one of (`big_not`, `big`),
/// where `not` means "everything except".
fn list_includes(big_not: bool, big: &[Vec<Token>], small_not: bool, small: &[Vec<Token>]) -> bool {
    match (big_not, small_not) {
        (false, false) => small
            .iter()
            .all(|s| big.iter().any(|b| pattern::includes(b, s))),
        (true, true) => big
            .iter()
            .all(|b| small.iter().any(|s| pattern::includes(s, b))),
        (true, false) => small
            .iter()
            .all(|s| big.iter().all(|b| !pattern::overlap(s, b))),
        (false, true) => big.iter().any(|b| b.as_slice() == [Token::Any]),
    }
}

fn cond_implies(strong: &Cond, weak: &Cond) -> bool {
    if strong.key != weak.key {
        return false;
    }
    match (&strong.op, &weak.op) {
        (Some(s), Some(w)) => condition::implies((s, &strong.values), (w, &weak.values)),
        _ => strong.raw == weak.raw && strong.values == weak.values,
    }
}

/// Whether `small` applies only where `big` applies.
fn atom_includes(big: &Atom, small: &Atom) -> bool {
    big.effect == small.effect
        && list_includes(
            big.not_action,
            &big.actions,
            small.not_action,
            &small.actions,
        )
        && list_includes(
            big.not_resource,
            &big.resources,
            small.not_resource,
            &small.resources,
        )
        && big
            .conditions
            .iter()
            .all(|w| small.conditions.iter().any(|s| cond_implies(s, w)))
}

/// Whether two lists ("all but" when `not`) may share a string.
fn lists_overlap(a_not: bool, a: &[Vec<Token>], b_not: bool, b: &[Vec<Token>]) -> bool {
    match (a_not, b_not) {
        (false, false) => a.iter().any(|x| b.iter().any(|y| pattern::overlap(x, y))),
        (false, true) => a.iter().any(|x| !b.iter().any(|y| pattern::includes(y, x))),
        (true, false) => b.iter().any(|y| !a.iter().any(|x| pattern::includes(x, y))),
        (true, true) => true,
    }
}

/// Whether two atoms may apply to a common request (conditions ignored).
fn may_overlap(a: &Atom, b: &Atom) -> bool {
    lists_overlap(a.not_action, &a.actions, b.not_action, &b.actions)
        && lists_overlap(a.not_resource, &a.resources, b.not_resource, &b.resources)
}

/// Statements (of `after` for Allows, of `before` for Denies) that the proof
/// could not place.
/// `unseen`: the principal attaches policies iamc cannot see, which may
/// allow what a removed Deny used to stop.
fn unproven(before: &[Atom], after: &[Atom], unseen: bool) -> (Vec<usize>, Vec<usize>) {
    let mut allows = BTreeSet::new();
    for a in after.iter().filter(|a| a.effect == Effect::Allow) {
        if !before
            .iter()
            .any(|b| b.effect == Effect::Allow && atom_includes(b, a))
        {
            allows.insert(a.statement);
        }
    }
    let mut denies = BTreeSet::new();
    for d in before.iter().filter(|d| d.effect == Effect::Deny) {
        // A Deny that no Allow after the change reaches stops nothing.
        let reached = unseen
            || after
                .iter()
                .any(|a| a.effect == Effect::Allow && may_overlap(a, d));
        let kept = after
            .iter()
            .any(|n| n.effect == Effect::Deny && atom_includes(n, d));
        if reached && !kept {
            denies.insert(d.statement);
        }
    }
    (allows.into_iter().collect(), denies.into_iter().collect())
}

/// Concrete strings a pattern stands for: each wildcard empty or filled.
fn instances(tokens: &[Token]) -> Vec<String> {
    let fill = |any: &str, one: char| -> String {
        tokens
            .iter()
            .map(|t| match t {
                Token::Char(c) => c.to_string(),
                Token::One | Token::SegOne => one.to_string(),
                Token::Any | Token::Seg => any.to_string(),
                Token::Var(k, None) => format!("${{{}}}", spelled(k)),
                Token::Var(k, Some(d)) => format!("${{{}, '{d}'}}", spelled(k)),
            })
            .collect()
    };
    let mut out = vec![fill("", 'q'), fill("zq", 'q')];
    // An empty action or ARN is no request anyone makes.
    out.retain(|s| !s.is_empty());
    out.dedup();
    out
}

/// A key as CloudFormation and IAM spell it (keys are compared lower-cased).
fn spelled(key: &str) -> String {
    const PSEUDO: &[&str] = &[
        "AWS::AccountId",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    ];
    PSEUDO
        .iter()
        .find(|p| p.eq_ignore_ascii_case(key))
        .map(|p| p.to_string())
        .unwrap_or_else(|| key.to_string())
}

/// Candidate values of each condition key: missing, every value written
/// (wildcards filled), neighbours of numbers, and one value no policy names.
fn key_values(atoms: &[&Atom]) -> BTreeMap<String, Vec<Option<String>>> {
    let mut out: BTreeMap<String, BTreeSet<Option<String>>> = BTreeMap::new();
    for c in atoms.iter().flat_map(|a| &a.conditions) {
        let e = out.entry(c.key.clone()).or_default();
        e.insert(None);
        e.insert(Some("zz-other".into()));
        e.insert(Some("true".into()));
        e.insert(Some("false".into()));
        for v in &c.values {
            for i in instances(v) {
                if let Some((ip, _)) = i.split_once('/')
                    && ip.split('.').count() == 4
                {
                    e.insert(Some(ip.to_string()));
                    e.insert(Some("203.0.113.250".into()));
                }
                if let Ok(n) = i.trim().parse::<i64>() {
                    e.insert(Some((n - 1).to_string()));
                    e.insert(Some((n + 1).to_string()));
                }
                e.insert(Some(i));
            }
        }
    }
    out.into_iter()
        .map(|(k, v)| (k, v.into_iter().collect()))
        .collect()
}

/// A concrete request, tokenized once: (action, resource, context).
struct Concrete {
    action: Vec<Token>,
    resource: Vec<Token>,
    context: BTreeMap<String, String>,
}

/// A pattern's tokens with the request's values in place of its unknowns;
/// `None` when a value is missing (the pattern matches nothing).
fn fill(tokens: &[Token], context: &BTreeMap<String, String>, case: Case) -> Option<Vec<Token>> {
    if !has_var(tokens) {
        return Some(tokens.to_vec());
    }
    let mut out = Vec::with_capacity(tokens.len());
    for t in tokens {
        match t {
            Token::Var(k, _) if is_deploy_time(k) => out.push(t.clone()),
            // A missing key is the default, if the variable has one.
            Token::Var(k, default) => {
                let value = context.get(k).or(default.as_ref())?;
                out.extend(pattern::literal(value, case));
            }
            t => out.push(t.clone()),
        }
    }
    Some(out)
}

/// Whether an atom applies to a concrete request; `None` when iamc cannot
/// tell (an operator it does not know).
fn atom_applies(atom: &Atom, r: &Concrete) -> Option<bool> {
    let hit = |list: &[Vec<Token>], text: &[Token]| {
        list.iter()
            .any(|p| fill(p, &r.context, Case::Arn).is_some_and(|p| pattern::matches(&p, text)))
    };
    if hit(&atom.actions, &r.action) == atom.not_action {
        return Some(false);
    }
    if hit(&atom.resources, &r.resource) == atom.not_resource {
        return Some(false);
    }
    for c in &atom.conditions {
        let op = c.op?;
        let (case, _) = op.reading();
        let values: Vec<Vec<Token>> = c
            .values
            .iter()
            .filter_map(|v| fill(v, &r.context, case))
            .collect();
        let request = r.context.get(&c.key).map(|v| vec![v.clone()]);
        if !condition::holds(&op, &values, request.as_deref()) {
            return Some(false);
        }
    }
    Some(true)
}

/// IAM's decision over atoms: `Some(true)` allowed, `Some(false)` denied,
/// `None` when iamc cannot tell.
fn allowed(atoms: &[Atom], r: &Concrete) -> Option<bool> {
    let (mut deny_unknown, mut allow, mut allow_unknown) = (false, false, false);
    for a in atoms {
        match (a.effect, atom_applies(a, r)) {
            (Effect::Deny, Some(true)) => return Some(false),
            (Effect::Deny, None) => deny_unknown = true,
            (Effect::Allow, Some(true)) => allow = true,
            (Effect::Allow, None) => allow_unknown = true,
            _ => {}
        }
    }
    match (allow, allow_unknown, deny_unknown) {
        (false, false, _) => Some(false),
        (true, _, false) => Some(true),
        _ => None,
    }
}

/// Concrete strings for a list of patterns (or, for "all but", strings of
/// the other patterns it does not exclude, and a fresh one).
fn candidates(not: bool, own: &[Vec<Token>], all: &BTreeSet<String>, fresh: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if !not {
        for t in own {
            out.extend(instances(t));
        }
        for s in all {
            let lit = pattern::symbolic(s, Case::Exact);
            if own.iter().any(|p| pattern::includes(p, &lit)) {
                out.push(s.clone());
            }
        }
    } else {
        out.push(fresh.to_string());
        out.extend(all.iter().cloned());
    }
    out.sort();
    out.dedup();
    out
}

/// Every context over the keys, those with fewer keys present first (each
/// key's first candidate is "missing").
fn by_weight(
    keys: &[(&String, &Vec<Option<String>>)],
) -> impl Iterator<Item = BTreeMap<String, String>> {
    fn fill(
        keys: &[(&String, &Vec<Option<String>>)],
        weight: usize,
        current: &mut BTreeMap<String, String>,
        out: &mut Vec<BTreeMap<String, String>>,
    ) {
        if out.len() > SEARCH_LIMIT {
            return;
        }
        let Some(((key, values), rest)) = keys.split_first() else {
            if weight == 0 {
                out.push(current.clone());
            }
            return;
        };
        if rest.len() >= weight {
            fill(rest, weight, current, out);
        }
        if weight > 0 {
            for v in values.iter().flatten() {
                current.insert((*key).clone(), v.clone());
                fill(rest, weight - 1, current, out);
                current.remove(*key);
            }
        }
    }
    let keys = keys.to_vec();
    (0..=keys.len()).flat_map(move |w| {
        let mut out = Vec::new();
        fill(&keys, w, &mut BTreeMap::new(), &mut out);
        out
    })
}

/// Searches concrete requests for one allowed by `after` and not by `before`
/// (identity statements only), around each statement the proof could not
/// place. `None` when none is found within the limit.
fn witness(b: &[Atom], a: &[Atom], focus: &[&Atom]) -> Option<Request> {
    let all: Vec<&Atom> = b.iter().chain(a).collect();
    let (mut actions, mut resources) = (BTreeSet::new(), BTreeSet::new());
    for atom in &all {
        for t in &atom.actions {
            actions.extend(instances(t));
        }
        for t in &atom.resources {
            resources.extend(instances(t));
        }
    }
    let keys = key_values(&all);
    let key_list: Vec<(&String, &Vec<Option<String>>)> = keys.iter().collect();
    let mut tried = 0usize;
    for atom in focus {
        let acts = candidates(atom.not_action, &atom.actions, &actions, "zzfresh:zzfresh");
        let ress = candidates(
            atom.not_resource,
            &atom.resources,
            &resources,
            "arn:aws:zzfresh:::zzfresh",
        );
        let requests: Vec<(Vec<Token>, Vec<Token>, &String, &String)> = acts
            .iter()
            .flat_map(|a| ress.iter().map(move |r| (a, r)))
            .map(|(a, r)| {
                (
                    pattern::literal(a, Case::Fold),
                    pattern::tokens(r, Case::Exact, false, |_| Ok(None)).unwrap_or_default(),
                    a,
                    r,
                )
            })
            .collect();
        // Contexts with fewest keys present first: a witness rarely needs many.
        for context in by_weight(&key_list) {
            for (action, resource, action_text, resource_text) in &requests {
                tried += 1;
                if tried > SEARCH_LIMIT {
                    return None;
                }
                let r = Concrete {
                    action: action.clone(),
                    resource: resource.clone(),
                    context: context.clone(),
                };
                if atom_applies(atom, &r) != Some(true) {
                    continue;
                }
                if allowed(a, &r) == Some(true) && allowed(b, &r) == Some(false) {
                    return Some(Request {
                        action: (*action_text).clone(),
                        resource: (*resource_text).clone(),
                        context: context.into_iter().map(|(k, v)| (k, vec![v])).collect(),
                        open: false,
                    });
                }
            }
        }
    }
    None
}

/// The witness decided again by [`eval::decide`] on the identity
/// statements: allowed after, denied before.
fn confirmed(before: &PolicySet, after: &PolicySet, w: &Request) -> bool {
    let strip = |s: &PolicySet| PolicySet {
        principal: s.principal.clone(),
        statements: s.statements.clone(),
        boundary: None,
        unseen: Vec::new(),
    };
    eval::decide(&strip(after), w).verdict == Verdict::Allowed
        && eval::decide(&strip(before), w).verdict == Verdict::Denied
}

/// Whether `after` allows any request `before` did not.
pub fn compare(before: &PolicySet, after: &PolicySet) -> Change {
    if before == after {
        return Change::NoNewAccess;
    }
    let mut reasons = Vec::new();
    match (&before.boundary, &after.boundary) {
        (Some(b), None) => reasons.push(format!(
            "permissions boundary {b} removed (iamc does not see its statements)"
        )),
        (Some(b), Some(a)) if a != b => reasons.push(format!(
            "permissions boundary {b} replaced by {a} (iamc does not see their statements)"
        )),
        _ => {}
    }
    for arn in after.unseen.iter().filter(|a| !before.unseen.contains(a)) {
        reasons.push(format!(
            "AWS managed policy {arn} attached (not evaluated, may allow anything)"
        ));
    }
    let (b, a) = (atoms(before), atoms(after));
    let (allows, denies) = unproven(&b, &a, !after.unseen.is_empty());
    if allows.is_empty() && denies.is_empty() {
        return if reasons.is_empty() {
            Change::NoNewAccess
        } else {
            Change::MayBroaden {
                reasons,
                example: None,
            }
        };
    }
    let focus: Vec<&Atom> = a
        .iter()
        .filter(|x| x.effect == Effect::Allow && allows.contains(&x.statement))
        .chain(
            b.iter()
                .filter(|x| x.effect == Effect::Deny && denies.contains(&x.statement)),
        )
        .collect();
    if let Some(w) = witness(&b, &a, &focus).filter(|w| confirmed(before, after, w)) {
        if before.unseen.is_empty() && after.boundary.is_none() && reasons.is_empty() {
            return Change::Broadens { witness: w };
        }
        if !before.unseen.is_empty() {
            reasons.push(
                "the example is new unless an AWS managed policy (not evaluated) already allowed it"
                    .into(),
            );
        }
        if let Some(boundary) = &after.boundary {
            reasons.push(format!(
                "the example is new if the permissions boundary {boundary} (not evaluated) allows it"
            ));
        }
        return Change::MayBroaden {
            reasons,
            example: Some(w),
        };
    }
    for i in allows {
        if let Some((policy, _)) = after.statements.get(i) {
            reasons.push(format!(
                "could not prove the Allow of {policy} adds no access"
            ));
        }
    }
    for i in denies {
        if let Some((policy, _)) = before.statements.get(i) {
            reasons.push(if after.unseen.is_empty() {
                format!("could not prove the Deny of {policy} still applies")
            } else {
                format!(
                    "the Deny of {policy} no longer stops what the AWS managed policies (not evaluated) may allow"
                )
            });
        }
    }
    Change::MayBroaden {
        reasons,
        example: None,
    }
}
