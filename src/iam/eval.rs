//! IAM's decision for one request: an explicit Deny wins, then an Allow of
//! the identity policies (within the permissions boundary), else the request
//! is implicitly denied. Where the request does not say enough (a condition
//! key not given, a boundary or AWS managed policy iamc cannot see), the
//! decision is [`Verdict::Depends`] and names what it depends on.

use super::condition::{self, Operator};
use super::pattern::{self, Case, Token};
use super::policy::{Effect, Fixed, PolicySet, Statement, is_deploy_time};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One request: an action on a resource, with its context.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Request {
    pub action: String,
    /// The resource's ARN (or, for a trust, the principal assuming the role).
    /// A `${AWS::AccountId}` in it stands for the deployed account.
    pub resource: String,
    /// Condition keys (lower case) and their values. A key not listed is
    /// missing from the request, unless `open`.
    pub context: BTreeMap<String, Vec<String>>,
    /// Keys not listed are unknown rather than missing (explain without
    /// `--context`): decisions that need them are [`Verdict::Depends`].
    pub open: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Allowed,
    Denied,
    Depends,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub verdict: Verdict,
    /// Denied by an explicit Deny (not just for want of an Allow).
    pub explicit: bool,
    /// Statements (indexes into the set's statements) that apply.
    pub applies: Vec<usize>,
    /// Statements that apply or not depending on what the request says.
    pub may_apply: Vec<usize>,
    /// What the decision depends on, in words, sorted.
    pub depends_on: Vec<String>,
}

/// Whether a statement applies to a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applies {
    Yes,
    No,
    /// It depends on these keys or conditions.
    Maybe(BTreeSet<String>),
}

impl Applies {
    fn and(self, other: Applies) -> Applies {
        match (self, other) {
            (Applies::No, _) | (_, Applies::No) => Applies::No,
            (Applies::Yes, x) | (x, Applies::Yes) => x,
            (Applies::Maybe(mut a), Applies::Maybe(b)) => {
                a.extend(b);
                Applies::Maybe(a)
            }
        }
    }
}

/// A key's value for this request: `Ok(Some)` known, `Ok(None)` unknown,
/// `Err(())` missing.
fn look(set: &PolicySet, request: &Request, key: &str) -> Result<Option<String>, ()> {
    match set.principal.fixed(key) {
        Fixed::Value(v) => return Ok(Some(v)),
        Fixed::Missing => return Err(()),
        Fixed::Open => {}
    }
    let lower = key.to_ascii_lowercase();
    match request.context.get(&lower) {
        Some(values) => match values.as_slice() {
            [one] => Ok(Some(one.clone())),
            // Multi-valued keys cannot be variables.
            _ => Err(()),
        },
        None if is_deploy_time(key) || request.open => Ok(None),
        None => Err(()),
    }
}

/// A pattern against a request string: whether it matches, or on which
/// unknown request value that depends.
fn pattern_applies(
    set: &PolicySet,
    request: &Request,
    pattern_text: &str,
    case: Case,
    text: &[Token],
) -> Applies {
    let mut unknown = BTreeSet::new();
    let tokens = pattern::tokens(pattern_text, case, true, |key| {
        let r = look(set, request, key);
        if matches!(r, Ok(None)) && !is_deploy_time(key) {
            unknown.insert(format!("${{{key}}}"));
        }
        r
    });
    let Some(tokens) = tokens else {
        return Applies::No;
    };
    if !unknown.is_empty() {
        return if pattern::overlap(&tokens, text) {
            Applies::Maybe(unknown)
        } else {
            Applies::No
        };
    }
    // An inclusion too tangled to decide within the matcher's budget is a
    // "maybe", never a "no": a Deny that might apply must not be read away.
    match pattern::inclusion(&tokens, text) {
        Some(true) => Applies::Yes,
        Some(false) => Applies::No,
        None => Applies::Maybe(BTreeSet::from([format!(
            "`{pattern_text}` (too complex to decide)"
        )])),
    }
}

/// The request's resource as tokens: its own `*` and `?` are characters.
pub fn request_tokens(set: &PolicySet, request: &Request, text: &str) -> Vec<Token> {
    pattern::tokens(text, Case::Exact, false, |key| {
        match look(set, request, key) {
            Ok(v) => Ok(v),
            Err(()) => Ok(None),
        }
    })
    .unwrap_or_default()
}

fn condition_applies(set: &PolicySet, request: &Request, c: &super::policy::Condition) -> Applies {
    let words = || {
        let values: Vec<String> = c.values.iter().map(|v| format!("\"{v}\"")).collect();
        format!("{} {} [{}]", c.operator, c.key, values.join(", "))
    };
    let Some(op) = Operator::parse(&c.operator) else {
        return Applies::Maybe(BTreeSet::from([format!(
            "{} (operator not evaluated)",
            words()
        )]));
    };
    let (case, glob) = op.reading();
    let mut unknown = false;
    let values: Vec<Vec<Token>> = c
        .values
        .iter()
        .filter_map(|v| {
            pattern::tokens(v, case, glob, |key| {
                let r = look(set, request, key);
                unknown |= matches!(r, Ok(None));
                r
            })
        })
        .collect();
    let request_values: Result<Option<Vec<String>>, ()> = match set.principal.fixed(&c.key) {
        Fixed::Value(v) => Ok(Some(vec![v])),
        Fixed::Missing => Ok(None),
        Fixed::Open => match request.context.get(&c.key.to_ascii_lowercase()) {
            Some(v) => Ok(Some(v.clone())),
            None if request.open => Err(()),
            None => Ok(None),
        },
    };
    match request_values {
        Err(()) => Applies::Maybe(BTreeSet::from([words()])),
        Ok(_) if unknown => Applies::Maybe(BTreeSet::from([words()])),
        Ok(r) => {
            if condition::holds(&op, &values, r.as_deref()) {
                Applies::Yes
            } else {
                Applies::No
            }
        }
    }
}

/// Whether statement `s` applies to the request.
pub fn applies(set: &PolicySet, s: &Statement, request: &Request) -> Applies {
    let action = pattern::literal(&request.action, Case::Fold);
    let any_action = s
        .actions
        .iter()
        .any(|a| pattern::matches(&pattern::symbolic(a, Case::Fold), &action));
    if any_action == s.not_action {
        return Applies::No;
    }
    let resource = request_tokens(set, request, &request.resource);
    let mut result = Applies::No;
    for r in &s.resources {
        result = match (
            result,
            pattern_applies(set, request, r, Case::Arn, &resource),
        ) {
            (Applies::Yes, _) | (_, Applies::Yes) => Applies::Yes,
            (Applies::No, x) | (x, Applies::No) => x,
            (Applies::Maybe(mut a), Applies::Maybe(b)) => {
                a.extend(b);
                Applies::Maybe(a)
            }
        };
    }
    let mut result = match (s.not_resource, result) {
        (false, r) => r,
        (true, Applies::Yes) => Applies::No,
        (true, Applies::No) => Applies::Yes,
        (true, maybe) => maybe,
    };
    for c in &s.conditions {
        if result == Applies::No {
            break;
        }
        result = result.and(condition_applies(set, request, c));
    }
    result
}

/// IAM's decision for one request.
pub fn decide(set: &PolicySet, request: &Request) -> Decision {
    let mut applies_to = Vec::new();
    let mut may_apply = Vec::new();
    let mut reasons: BTreeSet<String> = BTreeSet::new();
    let (mut deny, mut deny_maybe, mut allow, mut allow_maybe) = (false, false, false, false);
    for (i, (policy, s)) in set.statements.iter().enumerate() {
        match applies(set, s, request) {
            Applies::Yes => {
                applies_to.push(i);
                match s.effect {
                    Effect::Deny => deny = true,
                    Effect::Allow => allow = true,
                }
            }
            Applies::No => {}
            Applies::Maybe(why) => {
                may_apply.push(i);
                let effect = match s.effect {
                    Effect::Deny => {
                        deny_maybe = true;
                        "Deny"
                    }
                    Effect::Allow => {
                        allow_maybe = true;
                        "Allow"
                    }
                };
                for w in why {
                    reasons.insert(format!("{effect} of {policy}: {w}"));
                }
            }
        }
    }
    let mut decision = Decision {
        verdict: Verdict::Denied,
        explicit: false,
        applies: applies_to,
        may_apply,
        depends_on: Vec::new(),
    };
    if deny {
        decision.explicit = true;
        return decision;
    }
    let mut depends: Vec<String> = Vec::new();
    if allow {
        if deny_maybe {
            depends.extend(reasons.into_iter().filter(|r| r.starts_with("Deny")));
        }
        if let Some(b) = &set.boundary {
            depends.push(format!(
                "permissions boundary {b}: not evaluated, must also allow"
            ));
        }
        decision.verdict = if depends.is_empty() {
            Verdict::Allowed
        } else {
            Verdict::Depends
        };
    } else {
        if allow_maybe {
            depends.extend(reasons);
        }
        for arn in &set.unseen {
            depends.push(format!(
                "AWS managed policy {arn}: not evaluated, may allow"
            ));
        }
        if !depends.is_empty() {
            decision.verdict = Verdict::Depends;
        }
    }
    decision.depends_on = depends;
    decision
}

#[cfg(test)]
mod tests {
    use super::super::policy::{Condition, Principal, PrincipalKind};
    use super::*;

    fn st(effect: Effect, actions: &[&str], resources: &[&str], not_resource: bool) -> Statement {
        Statement {
            effect,
            not_action: false,
            actions: actions.iter().map(|s| s.to_string()).collect(),
            not_resource,
            resources: resources.iter().map(|s| s.to_string()).collect(),
            conditions: Vec::new(),
        }
    }

    fn user(name: &str, statements: Vec<Statement>) -> PolicySet {
        PolicySet {
            principal: Principal {
                kind: PrincipalKind::User,
                user_name: Some(name.into()),
                tags: BTreeMap::new(),
            },
            statements: statements.into_iter().map(|s| ("P".into(), s)).collect(),
            boundary: None,
            unseen: Vec::new(),
        }
    }

    fn req(action: &str, resource: &str) -> Request {
        Request {
            action: action.into(),
            resource: resource.into(),
            context: BTreeMap::new(),
            open: false,
        }
    }

    #[test]
    fn a_users_own_name_is_a_value_not_a_wildcard() {
        let set = user(
            "jane",
            vec![
                st(Effect::Allow, &["s3:*"], &["arn:aws:s3:::homes/*"], false),
                st(
                    Effect::Deny,
                    &["s3:*"],
                    &["arn:aws:s3:::homes/${aws:username}/archive/*"],
                    false,
                ),
            ],
        );
        let own = decide(
            &set,
            &req("s3:GetObject", "arn:aws:s3:::homes/jane/archive/x"),
        );
        assert_eq!(own.verdict, Verdict::Denied);
        let other = decide(
            &set,
            &req("s3:GetObject", "arn:aws:s3:::homes/bob/archive/x"),
        );
        assert_eq!(other.verdict, Verdict::Allowed);
    }

    #[test]
    fn not_resource_deny_with_variable() {
        let set = user(
            "jane",
            vec![
                st(Effect::Allow, &["s3:*"], &["*"], false),
                st(
                    Effect::Deny,
                    &["s3:*"],
                    &["arn:aws:s3:::homes/${aws:username}/*"],
                    true,
                ),
            ],
        );
        assert_eq!(
            decide(&set, &req("s3:GetObject", "arn:aws:s3:::homes/jane/a")).verdict,
            Verdict::Allowed
        );
        assert_eq!(
            decide(&set, &req("s3:GetObject", "arn:aws:s3:::homes/bob/a")).verdict,
            Verdict::Denied
        );
    }

    #[test]
    fn a_conditional_deny_makes_the_decision_depend() {
        let mut deny = st(Effect::Deny, &["*"], &["*"], false);
        deny.conditions.push(Condition {
            operator: "StringNotEquals".into(),
            key: "aws:RequestedRegion".into(),
            values: vec!["eu-west-1".into()],
        });
        let set = user(
            "jane",
            vec![st(Effect::Allow, &["s3:*"], &["*"], false), deny],
        );
        let mut r = req("s3:GetObject", "arn:aws:s3:::b/k");
        r.open = true;
        let d = decide(&set, &r);
        assert_eq!(d.verdict, Verdict::Depends, "{d:?}");
        r.context
            .insert("aws:requestedregion".into(), vec!["eu-west-1".into()]);
        assert_eq!(decide(&set, &r).verdict, Verdict::Allowed);
        r.context
            .insert("aws:requestedregion".into(), vec!["us-east-1".into()]);
        assert_eq!(decide(&set, &r).verdict, Verdict::Denied);
    }
}
