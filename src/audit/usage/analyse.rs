//! Each principal's grants set against the evidence: used, unused (the
//! evidence could have shown a use and did not), or unknown (it could not).
//! Conservative by design: whatever iamc is unsure of counts as possibly used.

use super::evidence::{Evidence, PrincipalEvidence, Seen};
use super::{api_map, cover, time, unlogged};
use crate::Compiled;
use crate::ast::DeclKind;
use crate::config::Naming;
use crate::iam::catalog::catalog;
use crate::iam::policy::Effect;
use crate::review::explain::{self, Query};
use crate::review::grants;
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Count the absence of evidence as non-use even where the evidence could
    /// not show a use (data events, `iam:PassRole`, untracked actions).
    pub trust_absence: bool,
}

/// What the evidence says of one grant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The evidence shows a use: the actions used (up to three), and when last.
    Used { by: Vec<String>, last: String },
    /// The evidence could have shown a use of every action the grant names, and
    /// shows none.
    Unused { evidence: String },
    /// The evidence cannot tell; the grant is kept.
    Unknown { reason: String },
}

/// One action of one Allow statement, as a principal receives it.
#[derive(Clone, Debug, Serialize)]
pub struct Grant {
    /// The action as written (`s3:Get*`); for `allow not`, the whole list.
    pub action: String,
    pub not_action: bool,
    pub resources: Vec<String>,
    pub not_resource: bool,
    /// `StringLike s3:prefix "x/*"`, empty when unconditional.
    pub conditions: String,
    pub policy: String,
    pub sid: String,
    /// Paths through the group graph, principal first (up to eight).
    pub paths: Vec<String>,
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// An action seen in the evidence.
#[derive(Clone, Debug, Serialize)]
pub struct ActionSeen {
    pub action: String,
    pub count: u64,
    pub last: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct PrincipalReport {
    /// The `.iam` name.
    pub name: String,
    /// `role` or `user`.
    pub kind: &'static str,
    /// The name deployed in IAM, from the naming patterns of `iamc.yaml`.
    pub deployed: String,
    /// What evidence names the principal, in words.
    pub evidence: String,
    pub grants: Vec<Grant>,
    /// Tried and denied (AccessDenied, UnauthorizedOperation): what it lacks.
    pub denied: Vec<ActionSeen>,
    /// Used, but granted by no `.iam` statement (an AWS managed policy, a
    /// resource policy, or a change made outside iamc).
    pub not_granted: Vec<ActionSeen>,
    /// Calls iamc could not map to actions.
    pub unmapped_calls: Vec<ActionSeen>,
    /// What iamc cannot see inside: AWS managed policies, the boundary.
    pub unseen: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FileRead {
    pub path: String,
    pub format: &'static str,
    pub records: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub since: String,
    pub now: String,
    pub files: Vec<FileRead>,
    pub warnings: Vec<String>,
    pub principals: Vec<PrincipalReport>,
    /// Roles and users the evidence names that the program does not declare.
    pub not_in_program: Vec<String>,
    /// CloudTrail records of no role or user (root, AWS services).
    pub unattributed_records: u64,
    pub records_outside_window: u64,
    /// The source of the API-call map.
    pub api_map: &'static str,
}

/// Each principal's name as deployed: the naming patterns applied.
pub fn deployed_names(compiled: &Compiled) -> Vec<(crate::resolve::DeclId, String, &'static str)> {
    let program = compiled.program();
    let naming = &compiled.config().naming;
    let mut out = Vec::new();
    for (id, _) in compiled.principals() {
        let decl = &program.decls[id];
        let (pattern, kind) = match decl.kind {
            DeclKind::Role(_) => (&naming.role, "role"),
            DeclKind::User(_) => (&naming.user, "user"),
            _ => continue,
        };
        out.push((id, Naming::apply(pattern, &decl.name.name, ""), kind));
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

/// The report for every principal of the program.
pub fn analyse(compiled: &Compiled, evidence: &Evidence, options: Options) -> Report {
    let program = compiled.program();
    let empty = PrincipalEvidence::default();
    let mut principals = Vec::new();
    let mut known = BTreeSet::new();
    for (id, deployed, kind) in deployed_names(compiled) {
        known.insert(deployed.clone());
        let found = evidence.principals.get(&deployed);
        let pe = found.unwrap_or(&empty);
        let explanation = explain::explain(compiled, id, Query::default());
        let mut grants_out = Vec::new();
        let mut allows: Vec<(bool, Vec<String>)> = Vec::new();
        for m in &explanation.matches {
            let s = &m.statement;
            if s.effect != Effect::Allow {
                continue;
            }
            allows.push((s.not_action, s.actions.clone()));
            let mut paths: Vec<String> = m.paths.iter().map(|p| p.join(" ← ")).collect();
            if m.total_paths > m.paths.len() as u64 {
                paths.push(format!(
                    "and {} more paths",
                    m.total_paths - m.paths.len() as u64
                ));
            }
            let base = |action: String, verdict: Verdict| Grant {
                action,
                not_action: s.not_action,
                resources: s.resources.iter().map(|r| r.text.clone()).collect(),
                not_resource: s.not_resource,
                conditions: grants::conditions_text(&grants::conditions(&s.conditions)),
                policy: m.policy.clone(),
                sid: m.sid.clone(),
                paths: paths.clone(),
                verdict,
            };
            if s.not_action {
                let verdict = match used_by(pe, |a| cover::not_action_covers(&s.actions, a)) {
                    Some(v) => v,
                    None => Verdict::Unknown {
                        reason: "`allow not` grants every action but those listed; iamc does not narrow it".into(),
                    },
                };
                grants_out.push(base(grants::list(&s.actions), verdict));
                continue;
            }
            for action in &s.actions {
                let verdict = judge(action, found, evidence, options);
                grants_out.push(base(action.clone(), verdict));
            }
        }
        let not_granted: Vec<ActionSeen> = pe
            .used
            .iter()
            .filter(|(a, _)| {
                !allows.iter().any(|(not, actions)| {
                    if *not {
                        cover::not_action_covers(actions, a)
                    } else {
                        actions.iter().any(|g| cover::grant_covers(g, a))
                    }
                })
            })
            .map(|(a, s)| seen(a, s))
            .collect();
        principals.push(PrincipalReport {
            name: program.decls[id].name.name.clone(),
            kind,
            deployed,
            evidence: describe_evidence(found, evidence),
            grants: grants_out,
            denied: pe.denied.iter().map(|(a, s)| seen(a, s)).collect(),
            not_granted,
            unmapped_calls: pe
                .unknown_calls
                .values()
                .flat_map(|calls| calls.iter().map(|(c, s)| seen(c, s)))
                .collect(),
            unseen: explanation.unseen.clone(),
        });
    }
    principals.sort_by(|a, b| a.name.cmp(&b.name));
    let mut warnings = evidence.warnings.clone();
    if let Some((first, last)) = evidence.span
        && (first - evidence.window.since > 86_400 || evidence.window.now - last > 86_400)
    {
        warnings.push(format!(
            "the CloudTrail records run from {} to {}, the window from {} to {}: CloudTrail proves no grant unused. Give the logs of the whole window, or narrow it with --since and --now.",
            time::date(first),
            time::date(last),
            time::date(evidence.window.since),
            time::date(evidence.window.now)
        ));
    }
    Report {
        since: time::format(evidence.window.since),
        now: time::format(evidence.window.now),
        files: evidence
            .files
            .iter()
            .map(|f| FileRead {
                path: f.path.clone(),
                format: f.format,
                records: f.records,
            })
            .collect(),
        warnings,
        principals,
        not_in_program: evidence
            .principals
            .keys()
            .filter(|n| !known.contains(*n))
            .cloned()
            .collect(),
        unattributed_records: evidence.unattributed,
        records_outside_window: evidence.outside_window,
        api_map: api_map::source(),
    }
}

fn seen(action: &str, s: &Seen) -> ActionSeen {
    ActionSeen {
        action: action.to_string(),
        count: s.count,
        last: time::format(s.last),
    }
}

fn describe_evidence(found: Option<&PrincipalEvidence>, evidence: &Evidence) -> String {
    let Some(pe) = found else {
        return "none: no evidence file names this principal".into();
    };
    let mut parts = Vec::new();
    if evidence.cloudtrail {
        parts.push(format!("{} CloudTrail records", pe.events));
    }
    if !pe.services.is_empty() {
        parts.push(format!(
            "last-accessed data for {} services",
            pe.services.len()
        ));
    }
    parts.join(", ")
}

/// Used, by what the CloudTrail evidence shows.
fn used_by(pe: &PrincipalEvidence, covers: impl Fn(&str) -> bool) -> Option<Verdict> {
    let hits: Vec<(&String, &Seen)> = pe.used.iter().filter(|(a, _)| covers(a)).collect();
    let last = hits.iter().map(|(_, s)| s.last).max()?;
    Some(Verdict::Used {
        by: hits.iter().take(3).map(|(a, _)| (*a).clone()).collect(),
        last: time::format(last),
    })
}

/// What the evidence says of one action pattern of an Allow.
pub fn judge(
    pattern: &str,
    found: Option<&PrincipalEvidence>,
    evidence: &Evidence,
    options: Options,
) -> Verdict {
    let cloudtrail_covers_absent = evidence.cloudtrail && options.trust_absence;
    let empty = PrincipalEvidence::default();
    let pe = match found {
        Some(pe) => pe,
        None if cloudtrail_covers_absent => &empty,
        None => {
            return Verdict::Unknown {
                reason: "no evidence names this principal".into(),
            };
        }
    };
    if let Some(v) = used_by(pe, |a| cover::grant_covers(pattern, a)) {
        return v;
    }
    let since = evidence.window.since;
    let recent = |t: Option<i64>| t.is_some_and(|t| t >= since);
    // Last-accessed data: the service, or a tracked action, used in the window.
    for (namespace, access) in &pe.services {
        if !cover::grant_covers(pattern, &format!("{namespace}:*")) || !recent(access.last) {
            continue;
        }
        match &access.actions {
            None => {
                return Verdict::Used {
                    by: vec![format!("{namespace} (service level)")],
                    last: access.last.map(time::format).unwrap_or_default(),
                };
            }
            Some(actions) => {
                let hit = actions
                    .iter()
                    .filter(|(_, t)| recent(**t))
                    .find(|(name, _)| cover::grant_covers(pattern, &format!("{namespace}:{name}")));
                if let Some((name, t)) = hit {
                    return Verdict::Used {
                        by: vec![format!("{namespace}:{name} (last accessed)")],
                        last: t.map(time::format).unwrap_or_default(),
                    };
                }
            }
        }
    }
    // Calls iamc could not map: their service's grants may be what they used.
    for (prefix, calls) in &pe.unknown_calls {
        if cover::grant_covers(pattern, &format!("{prefix}:*")) {
            let call = calls.keys().next().cloned().unwrap_or_default();
            return Verdict::Unknown {
                reason: format!(
                    "calls to {prefix} that iamc cannot map to actions (such as `{call}`) may have used it"
                ),
            };
        }
    }
    let expanded = catalog().expand(pattern);
    if expanded.is_empty() {
        return Verdict::Unknown {
            reason: "iamc's action catalog does not know this action".into(),
        };
    }
    let mut sources = BTreeSet::new();
    for (service, action) in expanded {
        let full = format!("{}:{}", service.prefix, action.name);
        match covered(&full, pe, evidence, options) {
            Ok(source) => {
                sources.insert(source);
            }
            Err(reason) => return Verdict::Unknown { reason },
        }
    }
    let texts: Vec<String> = sources
        .into_iter()
        .map(|source| match (source, evidence.span) {
            ("CloudTrail", Some((first, last))) => format!(
                "no use in CloudTrail records of {} to {}",
                time::date(first),
                time::date(last)
            ),
            (source, _) => format!("no use in {source} since {}", time::date(since)),
        })
        .collect();
    Verdict::Unused {
        evidence: texts.join("; "),
    }
}

/// Whether the evidence could have shown a use of this action; if not, why.
fn covered(
    action: &str,
    pe: &PrincipalEvidence,
    evidence: &Evidence,
    options: Options,
) -> Result<&'static str, String> {
    let (namespace, name) = action.split_once(':').unwrap_or((action, ""));
    let since = evidence.window.since;
    if let Some(access) = pe.services.get(namespace) {
        if access.last.is_none_or(|t| t < since) {
            return Ok("last-accessed data");
        }
        if let Some(Some(t)) = access
            .actions
            .as_ref()
            .and_then(|a| a.get(&name.to_ascii_lowercase()))
            && *t < since
        {
            return Ok("last-accessed data");
        }
        if let Some(actions) = &access.actions
            && actions.get(&name.to_ascii_lowercase()) == Some(&None)
        {
            return Ok("last-accessed data");
        }
    }
    if evidence.cloudtrail && (pe.events > 0 || options.trust_absence) {
        if !options.trust_absence {
            if let Some((first, last)) = evidence.span
                && (first - since > 86_400 || evidence.window.now - last > 86_400)
            {
                return Err(format!(
                    "{action}: the CloudTrail records run from {} to {}, not over the whole window",
                    time::date(first),
                    time::date(last)
                ));
            }
            if let Some(why) = unlogged::reason(action) {
                return Err(format!("{action}: {why}"));
            }
            if !api_map::is_needed_by_a_call(action) {
                return Err(format!(
                    "{action}: no API call iamc knows of needs it, so CloudTrail may not show its use"
                ));
            }
        }
        return Ok("CloudTrail");
    }
    Err(if pe.services.contains_key(namespace) {
        format!(
            "{action}: the last-accessed data shows {namespace} used but does not track this action"
        )
    } else if evidence.cloudtrail && pe.events == 0 {
        format!(
            "{action}: no CloudTrail record of this principal, and no last-accessed data for {namespace}"
        )
    } else {
        format!("{action}: no evidence covers {namespace}")
    })
}
