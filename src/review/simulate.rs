//! `iamc explain PRINCIPAL ACTION RESOURCE [--context KEY=VALUE]...`: IAM's
//! decision for one request, by the semantics core ([`crate::iam::eval`]).
//! With `--context`, the request carries exactly those keys (the others are
//! missing); without it, a decision that needs a key says so.

use crate::compiled::Compiled;
use crate::diagnostics::{Code, Diagnostic};
use crate::iam::eval::{self, Decision, Request, Verdict};
use crate::resolve::DeclId;
use crate::source::Span;
use serde::Serialize;
use std::collections::BTreeMap;

/// One simulated request and IAM's decision.
#[derive(Clone, Debug, Serialize)]
pub struct Simulation {
    pub request: Request,
    pub decision: Decision,
    /// The statements that apply (`Allow of P`, `Deny of Q`).
    pub applies: Vec<String>,
    /// The statements whose applying depends on the request.
    pub may_apply: Vec<String>,
}

/// `key=value` pairs into a context (keys compared without case; a key
/// given twice holds both values).
pub fn context(pairs: &[String]) -> Result<BTreeMap<String, Vec<String>>, Diagnostic> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for pair in pairs {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(Diagnostic::error(
                Code::Config,
                format!("`--context {pair}` is not KEY=VALUE"),
            )
            .help("write it as `--context aws:SourceIp=10.0.0.1`"));
        };
        out.entry(key.trim().to_ascii_lowercase())
            .or_default()
            .push(value.to_string());
    }
    Ok(out)
}

/// E050 when the action is not one AWS has (patterns are not checked).
pub fn check_action(action: &str) -> Result<(), Diagnostic> {
    if crate::iam::pattern::is_wildcard(action) {
        return Ok(());
    }
    // Actions compare without case: `S3:deleteobject` is `s3:DeleteObject`.
    let lowered = match action.split_once(':') {
        Some((service, name)) => format!("{}:{name}", service.to_ascii_lowercase()),
        None => action.to_string(),
    };
    let unknown = crate::iam::catalog::unknown_action(&lowered, Span::new(0, 0, 0)).or_else(|| {
        (!action.contains(':')).then(|| {
            Diagnostic::error(
                Code::UnknownAction,
                format!("`{action}` is not an action: actions are written `service:Action`"),
            )
        })
    });
    match unknown {
        Some(mut d) => {
            // The action came from the command line: no source to point at.
            d.labels.clear();
            Err(d)
        }
        None => Ok(()),
    }
}

/// IAM's decision for `principal` doing `action` on `resource`.
pub fn simulate(
    compiled: &Compiled,
    principal: DeclId,
    action: &str,
    resource: &str,
    context: Option<BTreeMap<String, Vec<String>>>,
) -> Option<Simulation> {
    let set = compiled.policy_set(principal)?;
    let request = Request {
        action: action.to_string(),
        resource: resource.to_string(),
        open: context.is_none(),
        context: context.unwrap_or_default(),
    };
    let decision = eval::decide(&set, &request);
    let words = |i: &usize| {
        set.statements
            .get(*i)
            .map(|(policy, s)| format!("{} of {policy}", s.effect.as_str()))
    };
    let mut applies: Vec<String> = decision.applies.iter().filter_map(words).collect();
    let mut may_apply: Vec<String> = decision.may_apply.iter().filter_map(words).collect();
    for list in [&mut applies, &mut may_apply] {
        list.sort();
        list.dedup();
    }
    Some(Simulation {
        request,
        decision,
        applies,
        may_apply,
    })
}

/// The decision line(s) of the text report.
pub fn text(s: &Simulation) -> String {
    let d = &s.decision;
    let by = |effect: &str| -> String {
        let names: Vec<&str> = s
            .applies
            .iter()
            .filter_map(|a| a.strip_prefix(effect))
            .collect();
        names.join(", ")
    };
    let mut out = match d.verdict {
        Verdict::Allowed => format!("\ndecision: allowed by {}\n", by("Allow of ")),
        Verdict::Denied if d.explicit => format!(
            "\ndecision: denied: the explicit Deny of {} overrides any Allow\n",
            by("Deny of ")
        ),
        Verdict::Denied => "\ndecision: denied implicitly: no statement allows it\n".to_string(),
        Verdict::Depends => "\ndecision: depends on the request\n".to_string(),
    };
    for why in &d.depends_on {
        out.push_str(&format!("  depends on: {why}\n"));
    }
    if !s.request.open {
        let given: Vec<String> = s
            .request
            .context
            .iter()
            .map(|(k, v)| format!("{k}={}", v.join("|")))
            .collect();
        out.push_str(&format!(
            "  context: {} (every other key missing)\n",
            if given.is_empty() {
                "none".to_string()
            } else {
                given.join(", ")
            }
        ));
    }
    out
}
