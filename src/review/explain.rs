//! `iamc explain`: why a principal holds a permission. Every path through the
//! group graph by which each matching statement reaches the principal, and,
//! for an action, the decision IAM would take: an explicit Deny overrides any
//! Allow; without an Allow, the request is implicitly denied. Conditions are
//! shown, never evaluated.

use super::grants;
use crate::ast::DeclKind;
use crate::compiled::Compiled;
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::iam::pattern;
use crate::iam::policy::{Effect, Statement};
use crate::lower::Lowered;
use crate::model::Value;
use crate::plan::flatten::Flattener;
use crate::resolve::{DeclId, Program};
use std::collections::{BTreeMap, HashMap};

/// Paths shown per statement; the rest are counted.
pub const MAX_PATHS: usize = 8;

/// What to explain: everything, one action, or one action on one resource.
/// Either may be a pattern (`s3:Get*`).
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub action: Option<String>,
    pub resource: Option<String>,
}

/// One statement that matches, and how it reaches the principal.
#[derive(Clone, Debug)]
pub struct Match {
    pub policy: String,
    pub sid: String,
    pub statement: Statement<Value>,
    pub because: Option<String>,
    /// Up to [`MAX_PATHS`] paths, principal first, policy last.
    pub paths: Vec<Vec<String>>,
    /// How many paths there are in all.
    pub total_paths: u64,
    /// For an Allow: the policies whose unconditional Deny overrides it.
    pub overridden_by: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// An Allow that no Deny overrides; with the conditions it depends on
    /// when every such Allow has some.
    Allowed {
        by: Vec<String>,
        when: Option<String>,
    },
    /// An explicit Deny applies.
    Denied { by: Vec<String> },
    /// No statement allows it.
    ImplicitlyDenied,
}

#[derive(Clone, Debug)]
pub struct Explanation {
    pub principal: String,
    /// `role` or `user`.
    pub kind: &'static str,
    pub query: Query,
    pub matches: Vec<Match>,
    /// `None` when no action was asked about.
    pub decision: Option<Decision>,
    /// What iamc cannot see into: AWS managed policies and the boundary.
    pub unseen: Vec<String>,
    /// For a role, when every statement is asked for: who may assume it and
    /// which session actions they may take (`sts:TagSession`, ...), one line
    /// per trust statement.
    pub trusted_by: Vec<String>,
}

/// The principal named `name`, or an error that says what it is instead.
pub fn find_principal(program: &Program, name: &str) -> Result<DeclId, Diagnostic> {
    let is_principal = |k: &DeclKind| matches!(k, DeclKind::Role(_) | DeclKind::User(_));
    find(program, name, is_principal, "role or user")
}

/// A declaration of the wanted kinds, or E084 with "did you mean".
pub fn find(
    program: &Program,
    name: &str,
    wanted: impl Fn(&DeclKind) -> bool,
    what: &str,
) -> Result<DeclId, Diagnostic> {
    if let Some(&id) = program.names.get(name) {
        let kind = &program.decls[id].kind;
        if wanted(kind) {
            return Ok(id);
        }
        return Err(Diagnostic::error(
            Code::UnknownPrincipal,
            format!("`{name}` is a {}, not a {what}", kind.keyword()),
        )
        .help(format!("name a {what}: {}", candidates(program, &wanted))));
    }
    let names = program
        .decls
        .iter()
        .filter(|d| wanted(&d.kind))
        .map(|d| d.name.name.as_str());
    let d = Diagnostic::error(
        Code::UnknownPrincipal,
        format!("no {what} is named `{name}`"),
    );
    Err(match did_you_mean(name, names) {
        Some(similar) => d.help(format!("did you mean `{similar}`?")),
        None => d.help(format!("the program has: {}", candidates(program, &wanted))),
    })
}

fn candidates(program: &Program, wanted: &impl Fn(&DeclKind) -> bool) -> String {
    let mut names: Vec<&str> = program
        .decls
        .iter()
        .filter(|d| wanted(&d.kind))
        .map(|d| d.name.name.as_str())
        .collect();
    names.sort_unstable();
    let shown: Vec<String> = names.iter().take(10).map(|n| format!("`{n}`")).collect();
    let mut s = shown.join(", ");
    if names.len() > 10 {
        s.push_str(&format!(" and {} more", names.len() - 10));
    }
    if s.is_empty() {
        s = "none".into();
    }
    s
}

fn action_applies(s: &Statement<Value>, query: &str) -> bool {
    if s.not_action {
        !s.actions.iter().any(|p| pattern::action_covers(p, query))
    } else {
        s.actions.iter().any(|p| pattern::action_matches(p, query))
    }
}

fn resource_applies(s: &Statement<Value>, query: &str) -> bool {
    if s.not_resource {
        !s.resources
            .iter()
            .any(|p| pattern::resource_covers(&p.text, query))
    } else {
        s.resources
            .iter()
            .any(|p| pattern::resource_matches(&p.text, query))
    }
}

/// Whether a Deny applies to all of what the query names.
fn deny_covers_action(deny: &Statement<Value>, query: &str) -> bool {
    if deny.not_action {
        !deny
            .actions
            .iter()
            .any(|p| pattern::action_matches(p, query))
    } else {
        deny.actions
            .iter()
            .any(|p| pattern::action_covers(p, query))
    }
}

fn deny_covers_resource(deny: &Statement<Value>, target: &str) -> bool {
    if deny.not_resource {
        !deny
            .resources
            .iter()
            .any(|p| pattern::resource_matches(&p.text, target))
    } else {
        deny.resources
            .iter()
            .any(|p| pattern::resource_covers(&p.text, target))
    }
}

/// Explains what `principal` holds that matches the query.
pub fn explain(compiled: &Compiled, principal: DeclId, query: Query) -> Explanation {
    let program = compiled.program();
    let lowered = compiled.lowered();
    let decl = &program.decls[principal];
    let (kind, p) = match &decl.kind {
        DeclKind::Role(p) => ("role", Some(p)),
        DeclKind::User(p) => ("user", Some(p)),
        _ => ("role", None),
    };
    let flattener = Flattener::new(program);
    let mut policies: Vec<DeclId> = program.edges[principal]
        .iter()
        .flat_map(|e| flattener.policies(e.target).iter().copied())
        .collect();
    policies.sort_unstable();
    policies.dedup();

    let mut found: Vec<(DeclId, &Lowered)> = Vec::new();
    for &policy in &policies {
        for i in lowered.of_policy(policy) {
            let l = &lowered.statements[i];
            let s = &l.statement;
            let action_ok = query.action.as_deref().is_none_or(|a| action_applies(s, a));
            let resource_ok = query
                .resource
                .as_deref()
                .is_none_or(|r| resource_applies(s, r));
            if action_ok && resource_ok {
                found.push((policy, l));
            }
        }
    }
    found.sort_by(|a, b| a.1.sid.cmp(&b.1.sid));

    let wanted: Vec<DeclId> = found.iter().map(|(p, _)| *p).collect();
    let paths = paths(program, principal, &wanted, &flattener);
    let counts = count_paths(program, principal);

    let mut matches: Vec<Match> = found
        .iter()
        .map(|(policy, l)| Match {
            policy: program.decls[*policy].name.name.clone(),
            sid: l.sid.clone(),
            statement: l.statement.clone(),
            because: l.origin.because.clone(),
            paths: paths.get(policy).cloned().unwrap_or_default(),
            total_paths: counts.get(policy).copied().unwrap_or(0),
            overridden_by: Vec::new(),
        })
        .collect();

    let decision = query
        .action
        .as_deref()
        .map(|action| decide(&mut matches, action, query.resource.as_deref()));
    let mut unseen = Vec::new();
    if let Some(p) = p {
        for arn in &p.managed {
            unseen.push(format!("AWS managed policy {}", arn.value));
        }
        if let Some(b) = &p.boundary {
            unseen.push(format!("permissions boundary {}", b.value));
        }
    }
    let trusted_by = if kind == "role" && query.action.is_none() {
        trusted_by(compiled, principal)
    } else {
        Vec::new()
    };
    Explanation {
        principal: decl.name.name.clone(),
        kind,
        query,
        matches,
        decision,
        unseen,
        trusted_by,
    }
}

/// The role's trust statements in words: `AWS 111122223333: sts:AssumeRole,
/// sts:TagSession when StringEquals sts:ExternalId "x"`.
fn trusted_by(compiled: &Compiled, role: DeclId) -> Vec<String> {
    let trust = compiled.trust(role).map(|(_, statements)| statements);
    trust
        .into_iter()
        .flatten()
        .map(|t| {
            let who: Vec<String> = t.principals.iter().map(|p| p.text.clone()).collect();
            let actions: Vec<&str> = t.actions().collect();
            let mut line = format!(
                "{} {}: {}",
                t.principal_kind,
                grants::list(&who),
                actions.join(", ")
            );
            if !t.conditions.is_empty() {
                line.push_str(" when ");
                line.push_str(&grants::conditions_text(&grants::conditions(&t.conditions)));
            }
            line
        })
        .collect()
}

/// Marks each Allow that an unconditional Deny overrides, and decides.
fn decide(matches: &mut [Match], action: &str, resource: Option<&str>) -> Decision {
    let denies: Vec<(String, Statement<Value>)> = matches
        .iter()
        .filter(|m| m.statement.effect == Effect::Deny && m.statement.conditions.is_empty())
        .map(|m| (m.policy.clone(), m.statement.clone()))
        .collect();
    for m in matches.iter_mut() {
        if m.statement.effect != Effect::Allow {
            continue;
        }
        let targets: Vec<String> = match resource {
            Some(r) => vec![r.to_string()],
            None if m.statement.not_resource => vec!["*".to_string()],
            None => m
                .statement
                .resources
                .iter()
                .map(|r| r.text.clone())
                .collect(),
        };
        let mut by: Vec<String> = denies
            .iter()
            .filter(|(_, d)| {
                deny_covers_action(d, action) && targets.iter().all(|t| deny_covers_resource(d, t))
            })
            .map(|(policy, _)| policy.clone())
            .collect();
        by.sort();
        by.dedup();
        m.overridden_by = by;
    }
    let standing: Vec<&Match> = matches
        .iter()
        .filter(|m| m.statement.effect == Effect::Allow && m.overridden_by.is_empty())
        .collect();
    if standing.is_empty() {
        // Every Allow overridden, or none: name the Denies that apply, if any.
        let mut deniers: Vec<String> = denies
            .iter()
            .filter(|(_, d)| {
                deny_covers_action(d, action) && resource.is_none_or(|r| deny_covers_resource(d, r))
            })
            .map(|(policy, _)| policy.clone())
            .collect();
        deniers.sort();
        deniers.dedup();
        return if deniers.is_empty() {
            Decision::ImplicitlyDenied
        } else {
            Decision::Denied { by: deniers }
        };
    }
    let mut by: Vec<String> = standing.iter().map(|m| m.policy.clone()).collect();
    by.sort();
    by.dedup();
    let when = if standing.iter().all(|m| !m.statement.conditions.is_empty()) {
        let mut alternatives: Vec<String> = standing
            .iter()
            .map(|m| grants::conditions_text(&grants::conditions(&m.statement.conditions)))
            .collect();
        alternatives.sort();
        alternatives.dedup();
        Some(alternatives.join(", or when "))
    } else {
        None
    };
    Decision::Allowed { by, when }
}

/// Up to [`MAX_PATHS`] paths from the principal to each wanted policy,
/// members followed in the order they are written.
fn paths(
    program: &Program,
    principal: DeclId,
    wanted: &[DeclId],
    flattener: &Flattener,
) -> HashMap<DeclId, Vec<Vec<String>>> {
    let mut out: HashMap<DeclId, Vec<Vec<String>>> =
        wanted.iter().map(|&p| (p, Vec::new())).collect();
    let name = |id: DeclId| program.decls[id].name.name.clone();
    // Depth-first, each frame: node and index of the next member.
    let mut path: Vec<(DeclId, usize)> = vec![(principal, 0)];
    while let Some(&mut (node, ref mut next)) = path.last_mut() {
        let members = &program.edges[node];
        let Some(edge) = members.get(*next) else {
            path.pop();
            continue;
        };
        *next += 1;
        let target = edge.target;
        if let Some(found) = out.get_mut(&target) {
            if found.len() < MAX_PATHS {
                let mut names: Vec<String> = path.iter().map(|(n, _)| name(*n)).collect();
                names.push(name(target));
                found.push(names);
            }
            continue;
        }
        if !matches!(program.decls[target].kind, DeclKind::Group(_)) {
            continue;
        }
        let reach = flattener.policies(target);
        let useful = reach
            .iter()
            .any(|p| out.get(p).is_some_and(|f| f.len() < MAX_PATHS));
        if useful {
            path.push((target, 0));
        }
    }
    out
}

/// How many paths lead from the principal to each policy (memoised per group).
fn count_paths(program: &Program, principal: DeclId) -> BTreeMap<DeclId, u64> {
    fn walk(
        program: &Program,
        node: DeclId,
        memo: &mut HashMap<DeclId, BTreeMap<DeclId, u64>>,
    ) -> BTreeMap<DeclId, u64> {
        if let Some(m) = memo.get(&node) {
            return m.clone();
        }
        let mut counts: BTreeMap<DeclId, u64> = BTreeMap::new();
        for edge in &program.edges[node] {
            if matches!(program.decls[edge.target].kind, DeclKind::Group(_)) {
                for (p, n) in walk(program, edge.target, memo) {
                    let c = counts.entry(p).or_default();
                    *c = c.saturating_add(n);
                }
            } else {
                let c = counts.entry(edge.target).or_default();
                *c = c.saturating_add(1);
            }
        }
        memo.insert(node, counts.clone());
        counts
    }
    walk(program, principal, &mut HashMap::new())
}

/// The explanation, as text. `simulated`: the decision of the semantics core
/// ([`super::simulate::text`]), shown instead of the statements' own.
pub fn text(e: &Explanation, simulated: Option<&str>) -> String {
    let mut out = format!("{} ({})", e.principal, e.kind);
    match (&e.query.action, &e.query.resource) {
        (Some(a), Some(r)) => out.push_str(&format!(": {a} on {r}")),
        (Some(a), None) => out.push_str(&format!(": {a}")),
        _ => out.push_str(": every statement"),
    }
    out.push('\n');
    if e.matches.is_empty() {
        out.push_str("\nno statement matches\n");
    }
    for m in &e.matches {
        let s = &m.statement;
        out.push_str(&format!("\n{}\n", grants::describe_statement(s)));
        if !s.conditions.is_empty() {
            let verb = match s.effect {
                Effect::Allow => "allowed",
                Effect::Deny => "denied",
            };
            out.push_str(&format!(
                "  {verb} when {}\n",
                grants::conditions_text(&grants::conditions(&s.conditions))
            ));
        }
        if let Some(b) = &m.because {
            out.push_str(&format!("  because: {b}\n"));
        }
        out.push_str(&format!("  statement {} of policy {}\n", m.sid, m.policy));
        for path in &m.paths {
            out.push_str(&format!("  via {}\n", path.join(" ← ")));
        }
        let shown = m.paths.len() as u64;
        if m.total_paths > shown {
            out.push_str(&format!("  and {} more paths\n", m.total_paths - shown));
        }
        if !m.overridden_by.is_empty() {
            out.push_str(&format!(
                "  overridden by the Deny of {}\n",
                m.overridden_by.join(", ")
            ));
        }
    }
    if let Some(decision) = simulated {
        out.push_str(decision);
    }
    if let Some(d) = e.decision.as_ref().filter(|_| simulated.is_none()) {
        let on = if e.query.resource.is_some() {
            ""
        } else {
            " (on the resources above)"
        };
        let line = match d {
            Decision::Allowed { by, when: None } => {
                format!("allowed by {}{on}", by.join(", "))
            }
            Decision::Allowed { by, when: Some(w) } => {
                format!("allowed by {}{on}, when {w}", by.join(", "))
            }
            Decision::Denied { by } => format!(
                "denied: the explicit Deny of {} overrides any Allow",
                by.join(", ")
            ),
            Decision::ImplicitlyDenied => "denied implicitly: no statement allows it".to_string(),
        };
        out.push_str(&format!("\ndecision: {line}\n"));
    }
    if !e.trusted_by.is_empty() {
        out.push_str("\ntrusted by (who may assume it, and the actions its trust allows them):\n");
        for line in &e.trusted_by {
            out.push_str(&format!("  {line}\n"));
        }
    }
    if !e.unseen.is_empty() {
        out.push_str(&format!(
            "not counted (iamc cannot see inside): {}\n",
            e.unseen.join(", ")
        ));
    }
    out
}
