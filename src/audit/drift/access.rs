//! Effective access, compared: a principal's identity policies within its
//! permissions boundary, on the program's side and on the account's, decided
//! by the semantics core ([`compare::compare`] for the proof and the search
//! of a request, [`eval::decide`] to confirm it). Wider means some request
//! is allowed by what the account holds and not by what the program deploys.

use crate::iam::catalog::catalog;
use crate::iam::compare::{self, Change};
use crate::iam::eval::{self, Request, Verdict};
use crate::iam::policy::{PolicySet, Principal, Statement};

/// A principal's permissions boundary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Boundary {
    None,
    /// Its statements are known (a policy the file lists).
    Known {
        arn: String,
        set: PolicySet,
    },
    /// A policy the file does not list: its statements are not known.
    Unknown {
        arn: String,
    },
}

/// What decides a principal's requests on one side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Side {
    /// Identity policies (boundary left out).
    pub set: PolicySet,
    pub boundary: Boundary,
}

impl Side {
    /// A side with these statements, no boundary and nothing unseen.
    pub fn plain(principal: Principal, statements: Vec<Statement>) -> Side {
        Side {
            set: PolicySet {
                principal,
                statements: statements.into_iter().map(|s| (String::new(), s)).collect(),
                boundary: None,
                unseen: Vec::new(),
            },
            boundary: Boundary::None,
        }
    }

    /// The same principal holding nothing.
    pub fn nothing(&self) -> Side {
        Side::plain(self.set.principal.clone(), Vec::new())
    }

    /// Whether IAM allows the request (`None`: iamc cannot tell).
    fn allows(&self, r: &Request) -> Option<bool> {
        let verdict = |v: Verdict| match v {
            Verdict::Allowed => Some(true),
            Verdict::Denied => Some(false),
            Verdict::Depends => None,
        };
        let identity = verdict(eval::decide(&self.set, r).verdict);
        let bounded = match &self.boundary {
            Boundary::None => Some(true),
            Boundary::Known { set, .. } => verdict(eval::decide(set, r).verdict),
            Boundary::Unknown { .. } => None,
        };
        match (identity, bounded) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        }
    }
}

/// Whether `after` allows a request `before` does not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wider {
    /// Proven: nothing new.
    No,
    /// This request is allowed after and not before, confirmed.
    Yes(Request),
    /// Not proven either way.
    Maybe {
        reasons: Vec<String>,
        example: Option<Request>,
    },
}

/// A request allowed by `after` and denied by `before`, both for certain.
fn confirmed(before: &Side, after: &Side, r: &Request) -> bool {
    after.allows(r) == Some(true) && before.allows(r) == Some(false)
}

/// Whether `after` is wider than `before`: new requests its identity
/// policies allow within its boundary, or its boundary lets through what
/// the old one stopped. `readable`: make the example a catalog action on a
/// resource of its type (not for a trust, whose "resource" is who assumes).
pub fn wider(before: &Side, after: &Side, readable: bool) -> Wider {
    let refine = |w: Request| {
        if readable {
            refine(before, after, w)
        } else {
            Request {
                action: crate::iam::catalog::cased_action(&w.action).into_owned(),
                ..w
            }
        }
    };
    if before == after {
        return Wider::No;
    }
    let mut reasons = Vec::new();
    let mut example = None;
    let mut unproven = false;
    let mut consider = |change: Change, what: &str| match change {
        Change::NoNewAccess => None,
        Change::Broadens { witness } => {
            if confirmed(before, after, &witness) {
                return Some(witness);
            }
            unproven = true;
            reasons.push(format!(
                "{what} allow more (for example {}), which the boundary may stop",
                request_words(&witness)
            ));
            None
        }
        Change::MayBroaden {
            reasons: why,
            example: e,
        } => {
            if let Some(w) = &e
                && confirmed(before, after, w)
            {
                return e;
            }
            unproven = true;
            reasons.extend(why);
            if example.is_none() {
                example = e;
            }
            None
        }
    };
    if let Some(w) = consider(
        compare::compare(&before.set, &after.set),
        "the identity policies",
    ) {
        return Wider::Yes(refine(w));
    }
    let boundaries = match (&before.boundary, &after.boundary) {
        (Boundary::None, _) => None,
        (b, a) if b == a => None,
        // Removed: what the identity policies allow that the boundary did not.
        (Boundary::Known { set, .. }, Boundary::None) => Some(compare::compare(set, &after.set)),
        (Boundary::Known { set: b, .. }, Boundary::Known { set: a, .. }) => {
            Some(compare::compare(b, a))
        }
        (Boundary::Unknown { arn }, Boundary::None) => Some(Change::MayBroaden {
            reasons: vec![format!(
                "permissions boundary {arn} removed (its statements are not in the file)"
            )],
            example: None,
        }),
        (b, a) => Some(Change::MayBroaden {
            reasons: vec![format!(
                "permissions boundary {} replaced by {} (the file lacks the statements of one)",
                arn_of(b),
                arn_of(a)
            )],
            example: None,
        }),
    };
    if let Some(change) = boundaries
        && let Some(w) = consider(change, "the permissions boundary's changes")
    {
        return Wider::Yes(refine(w));
    }
    if unproven {
        Wider::Maybe { reasons, example }
    } else {
        Wider::No
    }
}

fn arn_of(b: &Boundary) -> &str {
    match b {
        Boundary::None => "none",
        Boundary::Known { arn, .. } | Boundary::Unknown { arn } => arn,
    }
}

/// `s3:GetObject on arn:aws:s3:::b/k with aws:securetransport=false`.
pub fn request_words(r: &Request) -> String {
    format!("{} on {}{}", r.action, r.resource, context_words(r))
}

/// ` with aws:securetransport=false`, or nothing.
pub fn context_words(r: &Request) -> String {
    if r.context.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = r
        .context
        .iter()
        .map(|(k, v)| format!("{k}={}", v.join("|")))
        .collect();
    format!(" with {}", pairs.join(", "))
}

/// How many catalog actions [`refine`] tries.
const TRIES: usize = 400;

/// The witness made readable: an action of the catalog (the core's witness
/// may be `s3:zq`, standing for any action `s3:*` matches) on a resource of
/// a type it takes, where such a request is still new.
fn refine(before: &Side, after: &Side, w: Request) -> Request {
    let known = |action: &str| {
        action.split_once(':').is_some_and(|(p, n)| {
            catalog()
                .service(&p.to_ascii_lowercase())
                .is_some_and(|s| s.action(n).is_some())
        })
    };
    let mut best = Request {
        action: crate::iam::catalog::cased_action(&w.action).into_owned(),
        ..w.clone()
    };
    if !known(&best.action) {
        let service = w
            .action
            .split(':')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let candidates = catalog()
            .service(&service)
            .into_iter()
            .flat_map(|s| {
                s.actions()
                    .iter()
                    .map(move |a| format!("{}:{}", s.prefix, a.name))
            })
            .chain(catalog().services().flat_map(|s| {
                s.actions()
                    .iter()
                    .take(3)
                    .map(move |a| format!("{}:{}", s.prefix, a.name))
            }))
            .take(TRIES);
        for action in candidates {
            let r = Request {
                action,
                ..best.clone()
            };
            if confirmed(before, after, &r) {
                best = r;
                break;
            }
        }
    }
    // A wildcard filled with nothing (`instance/`) reads better filled.
    let filled = (best.resource.ends_with(['/', ':'])).then(|| format!("{}example", best.resource));
    for resource in filled.into_iter().chain(typed_resource(&best)) {
        if resource == best.resource {
            continue;
        }
        let r = Request {
            resource,
            ..best.clone()
        };
        if confirmed(before, after, &r) {
            return r;
        }
    }
    best
}

/// A resource ARN of a type the request's action takes, when the request's
/// own resource is not one of its service (`*` for an action that takes no
/// resource type).
fn typed_resource(r: &Request) -> Option<String> {
    let (prefix, name) = r.action.split_once(':')?;
    let service = catalog().service(&prefix.to_ascii_lowercase())?;
    let action = service.action(name)?;
    let own = crate::iam::arn::Arn::parse(&r.resource).is_some_and(|a| a.service == service.prefix);
    if own {
        return None;
    }
    // A type whose ARN iamc can spell, else the first.
    let types: Vec<&str> = service.types_of(action).collect();
    let Some(&kind) = types
        .iter()
        .find(|t| service.prefix == "s3" && matches!(**t, "object" | "bucket"))
        .or(types.first())
    else {
        return Some("*".into());
    };
    let (partition, account) = arn_context(&r.resource);
    Some(match service.prefix {
        "s3" if kind == "bucket" => "arn:aws:s3:::example-bucket".to_string(),
        "s3" if kind == "object" => "arn:aws:s3:::example-bucket/example-key".to_string(),
        "iam" => format!("arn:{partition}:iam::{account}:{kind}/example"),
        prefix => format!("arn:{partition}:{prefix}:us-east-1:{account}:{kind}/example"),
    })
}

/// The partition and account of a resource, or placeholders.
fn arn_context(resource: &str) -> (String, String) {
    match crate::iam::arn::Arn::parse(resource) {
        Some(a) if !a.partition.is_empty() && crate::iam::arn::is_account_id(a.account) => {
            (a.partition.to_string(), a.account.to_string())
        }
        _ => ("aws".into(), "123456789012".into()),
    }
}
