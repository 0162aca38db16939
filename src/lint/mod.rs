//! Security lints: the grants a reviewer would question, found in a compiled
//! program before AWS sees it. One lint a file, each with its documentation
//! (the book's page is generated from it); [`LINTS`] is the registry and
//! [`run`] applies them at the levels `iamc.yaml` sets.
//!
//! Codes are `L001`, `L002`, ... in the order lints were added; a code is never
//! reused. Names (`action-wildcard`) are what `iamc.yaml` uses.

mod action_wildcard;
mod allow_not;
mod aws_managed_policy;
mod escalation;
mod escalation_chain;
mod escalation_combination;
mod oidc_trust;
mod pass_role_wildcard;
mod privilege_escalation;
mod redundant_member;
mod resource_type_mismatch;
mod resource_wildcard;
mod service_wildcard;
mod shadowed_action;
mod third_party_trust;
mod trust;
mod trust_account;
mod trust_anyone;
mod unreachable;

use crate::ast::{self, DeclKind};
use crate::compiled::Compiled;
pub use crate::config::Level;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, LintCode, Severity, line_column};
use crate::hash::HashMap;
use crate::iam::catalog::{self, Catalog};
use crate::iam::pattern::is_wildcard;
use crate::iam::policy::Effect;
use crate::iam::policy::Statement;
use crate::id::IdVec;
use crate::lower::{Lowered, LoweredProgram, StatementId};
use crate::model::Value;
use crate::plan::flatten::Grants;
use crate::resolve::{DeclId, Program};
use crate::source::{Sources, Span};
use std::collections::VecDeque;

/// A lint: its identity, default level and documentation, and its check.
pub struct Lint {
    /// Its code (`L001`) and name (`action-wildcard`), from the code table.
    pub id: LintCode,
    /// One line: what it flags.
    pub summary: &'static str,
    pub default: Level,
    /// Whether a statement's `because "..."` silences it for that statement.
    pub justifiable: bool,
    /// Markdown: what it does, why it matters, an example, how to fix.
    pub doc: &'static str,
    pub check: fn(&Context, &mut Vec<Finding>),
}

/// Every lint, in code order.
pub const LINTS: &[&Lint] = &[
    &action_wildcard::LINT,
    &service_wildcard::LINT,
    &resource_wildcard::LINT,
    &pass_role_wildcard::LINT,
    &privilege_escalation::LINT,
    &escalation_combination::LINT,
    &allow_not::LINT,
    &aws_managed_policy::LINT,
    &unreachable::LINT,
    &redundant_member::LINT,
    &shadowed_action::LINT,
    &resource_type_mismatch::LINT,
    &trust_anyone::LINT,
    &trust_account::LINT,
    &oidc_trust::LINT,
    &third_party_trust::LINT,
    &escalation_chain::LINT,
];

impl Lint {
    /// A finding of this lint (the level decides its severity later).
    pub fn diagnostic(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::warning(Code::Lint(self.id), message)
    }

    /// Stable code, `L001`.
    pub fn code(&self) -> &'static str {
        self.id.as_str()
    }

    /// Name used in `iamc.yaml`, `action-wildcard`.
    pub fn name(&self) -> &'static str {
        self.id.name()
    }
}

pub fn by_name(name: &str) -> Option<&'static Lint> {
    LINTS.iter().copied().find(|l| l.name() == name)
}

pub fn by_code(code: &str) -> Option<&'static Lint> {
    LINTS.iter().copied().find(|l| l.code() == code)
}

/// What a lint found: a diagnostic (its severity is set from the level) and
/// the statements it is about, whose `because` may silence it.
pub struct Finding {
    pub diagnostic: Diagnostic,
    /// Its statements; empty for findings about declarations (a group, an
    /// attachment), which no `because` silences.
    pub statements: Vec<StatementId>,
}

/// A finding silenced by the `because` of its statements.
#[derive(Clone)]
pub struct Justified {
    pub lint: &'static Lint,
    pub message: String,
    pub span: Span,
    pub because: Vec<String>,
}

/// The lints' findings over one program.
#[derive(Default)]
pub struct Report {
    /// Findings at level `warn` (warnings) and `deny` (errors), sorted.
    pub diagnostics: Diagnostics,
    pub justified: Vec<Justified>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.has_errors()
    }

    /// The findings as a terminal shows them, then the justified grants.
    pub fn render_text(&self, sources: &Sources) -> String {
        let mut out = self.diagnostics.render_text(sources);
        for j in &self.justified {
            let file = sources
                .get(j.span.file)
                .map(|f| f.name.as_str())
                .unwrap_or("?");
            let (line, column) = line_column(sources, j.span.file, j.span.start);
            out.push_str(&format!(
                "justified[{}]: {}\n  --> {file}:{line}:{column}\n",
                j.lint.code(),
                j.message
            ));
            for b in &j.because {
                out.push_str(&format!("  because \"{b}\"\n"));
            }
        }
        out
    }
}

/// The level of a lint under a configuration.
pub fn level(lint: &Lint, config: &crate::config::Config) -> Level {
    config
        .lints
        .get(lint.name())
        .copied()
        .unwrap_or(lint.default)
}

/// Runs every lint not at `allow` over a compiled program, two at a time on
/// two threads; the report does not depend on which thread ran which.
pub fn run(compiled: &Compiled, sources: &Sources) -> Report {
    let mut timings = crate::Timings::start();
    let cx = Context::new(compiled);
    timings.phase("lint-context");
    let config = compiled.config();
    let lints: Vec<(&'static Lint, Level)> = LINTS
        .iter()
        .map(|&lint| (lint, level(lint, config)))
        .filter(|&(_, level)| level != Level::Allow)
        .collect();
    let mut report = Report::default();
    for (diagnostics, justified) in crate::par::map_uneven(&lints, |&(lint, level)| {
        let origin = if config.lints.contains_key(lint.name()) {
            "set in iamc.yaml"
        } else {
            "the default"
        };
        report_lint(&cx, lint, level, origin)
    }) {
        report.diagnostics.extend(diagnostics);
        report.justified.extend(justified);
    }
    report.diagnostics.sort(sources);
    report
        .justified
        .sort_by_key(|j| (j.span.file, j.span.start, j.lint.code()));
    report
}

/// Runs a lint and reports its findings at `level` (`origin` says who set
/// it): as diagnostics, or as justified when their statements say why.
fn report_lint(
    cx: &Context,
    lint: &'static Lint,
    level: Level,
    origin: &str,
) -> (Vec<Diagnostic>, Vec<Justified>) {
    let mut timings = crate::Timings::start();
    let mut findings = Vec::new();
    (lint.check)(cx, &mut findings);
    let note = format!(
        "`{}` is at level `{}`, {origin}{}",
        lint.name(),
        level.as_str(),
        if lint.justifiable {
            "; a `because \"...\"` on the statement says why the grant is needed and silences it"
        } else {
            ""
        }
    );
    let mut diagnostics = Vec::with_capacity(findings.len());
    let mut justified = Vec::new();
    for f in findings {
        let because: Vec<String> = f
            .statements
            .iter()
            .filter_map(|&i| cx.statement(i).origin.because.clone())
            .collect();
        let mut reasons = because.clone();
        reasons.dedup();
        if lint.justifiable && !f.statements.is_empty() && because.len() == f.statements.len() {
            let span = f
                .diagnostic
                .labels
                .iter()
                .find(|l| l.primary)
                .map(|l| l.span)
                .unwrap_or_else(|| cx.statement(f.statements[0]).origin.span);
            justified.push(Justified {
                lint,
                message: f.diagnostic.message,
                span,
                because: reasons,
            });
            continue;
        }
        let mut d = f.diagnostic;
        d.severity = match level {
            Level::Deny => Severity::Error,
            _ => Severity::Warning,
        };
        d.notes.push(note.clone());
        diagnostics.push(d);
    }
    timings.phase(lint.name());
    (diagnostics, justified)
}

/// What a lint sees: the program, its statements, each principal's grants,
/// the action catalog, and the facts found once for every statement and
/// principal (built in [`run`], shared by the lints).
pub struct Context<'a> {
    pub program: &'a Program,
    pub lowered: &'a LoweredProgram,
    pub principals: Vec<(DeclId, &'a Grants)>,
    pub catalog: &'static Catalog,
    /// The actions [`Facts`] masks stand for.
    pub watched: Watched,
    /// For each statement of [`LoweredProgram::statements`], what the lints ask of it.
    pub facts: IdVec<StatementId, Facts>,
    pub naming: &'a crate::config::Naming,
    /// The escalation paths each principal completes, found on first use.
    escalations: std::sync::OnceLock<Vec<escalation::Escalated>>,
}

impl<'a> Context<'a> {
    fn new(compiled: &'a Compiled) -> Context<'a> {
        let lowered = compiled.lowered();
        let watched = Watched::new();
        // Reading every statement is most of the lints' work: on every core.
        let facts = crate::par::map(lowered.statements.as_slice(), |s| {
            Facts::of(&s.statement, &watched)
        });
        Context {
            program: compiled.program(),
            lowered,
            principals: compiled.principals().collect(),
            catalog: catalog::catalog(),
            watched,
            facts: IdVec::from_vec(facts),
            naming: &compiled.config().naming,
            escalations: std::sync::OnceLock::new(),
        }
    }
}

impl Context<'_> {
    /// The escalation paths of every principal, and of each policy no
    /// principal receives ([`escalation::find`]), found once for every lint.
    pub fn escalations(&self) -> &[escalation::Escalated] {
        self.escalations.get_or_init(|| escalation::find(self))
    }

    pub fn facts(&self, i: StatementId) -> Facts {
        self.facts[i]
    }

    pub fn statement(&self, i: StatementId) -> &Lowered {
        &self.lowered.statements[i]
    }

    /// Every `allow` statement of the program, with its id.
    pub fn allows(&self) -> impl Iterator<Item = (StatementId, &Lowered)> {
        self.lowered
            .statements
            .iter_enumerated()
            .filter(|(_, s)| s.statement.effect == Effect::Allow)
    }

    pub fn name(&self, id: DeclId) -> &str {
        &self.program.decls[id].name.name
    }

    /// The declaration of a statement's policy.
    pub fn policy_of(&self, i: StatementId) -> Option<DeclId> {
        self.program
            .names
            .get(&self.statement(i).origin.policy)
            .copied()
    }

    /// The statement as written, for the spans of its parts.
    fn source(&self, i: StatementId) -> Option<&ast::Statement> {
        let origin = &self.statement(i).origin;
        match &self.program.get(&origin.policy)?.kind {
            DeclKind::Policy(statements) => statements.iter().find(|s| s.span == origin.span),
            _ => None,
        }
    }

    /// Where an action of a statement is written (else the whole statement).
    pub fn action_span(&self, i: StatementId, action: &str) -> Span {
        self.source(i)
            .and_then(|s| {
                s.actions
                    .iter()
                    .find(|a| a.text.eq_ignore_ascii_case(action))
            })
            .map(|a| a.span)
            .unwrap_or(self.statement(i).origin.span)
    }

    /// Where a statement's resources are written.
    pub fn resources_span(&self, i: StatementId) -> Span {
        self.source(i)
            .map(|s| s.resources_span)
            .unwrap_or(self.statement(i).origin.span)
    }

    /// Where a resource of a statement is written (else all its resources).
    pub fn resource_span(&self, i: StatementId, resource: &str) -> Span {
        let found = self.source(i).and_then(|s| match &s.resources {
            ast::Resources::List(list) => list.iter().find(|r| r.value == resource).map(|r| r.span),
            ast::Resources::Any(span) => Some(*span),
        });
        found.unwrap_or_else(|| self.resources_span(i))
    }

    /// Where the statement begins (`allow`).
    pub fn effect_span(&self, i: StatementId) -> Span {
        self.source(i)
            .map(|s| s.effect_span)
            .unwrap_or(self.statement(i).origin.span)
    }

    /// The shortest path in the group graph from a principal to a policy:
    /// `JaneDoe ← TeamAProd ← TeamADev ← DeployTeamADev`.
    pub fn path(&self, principal: DeclId, target: DeclId) -> String {
        let mut parent: HashMap<DeclId, DeclId> = HashMap::default();
        let mut queue = VecDeque::from([principal]);
        while let Some(id) = queue.pop_front() {
            if id == target {
                break;
            }
            for edge in &self.program.edges[id] {
                if edge.target != principal && !parent.contains_key(&edge.target) {
                    parent.insert(edge.target, id);
                    queue.push_back(edge.target);
                }
            }
        }
        let mut names = vec![self.name(target)];
        let mut at = target;
        while let Some(&p) = parent.get(&at) {
            names.push(self.name(p));
            at = p;
        }
        names.reverse();
        names.join(" ← ")
    }
}

/// `*`, or a service-qualified pattern (`s3:Get*`), covers an action?
pub fn covers(pattern: &str, action: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    // Not `split_once`: a byte search is much cheaper on these short strings.
    let Some(colon) = action.bytes().position(|b| b == b':') else {
        return false;
    };
    action_of(pattern, &action[..colon])
        .is_some_and(|p| crate::iam::pattern::action_glob(p, &action[colon + 1..]))
}

/// The action part of a pattern of `service` (`Get*` of `s3:Get*` for `s3`),
/// the service compared as IAM does, ignoring case. `service` has no `:`.
fn action_of<'p>(pattern: &'p str, service: &str) -> Option<&'p str> {
    let (prefix, rest) = pattern.split_at_checked(service.len())?;
    let name = rest.strip_prefix(':')?;
    prefix.eq_ignore_ascii_case(service).then_some(name)
}

/// The actions some lint looks for in every statement or principal (at most
/// 128: those of the escalation paths): bit `n` of a [`Facts`] mask stands
/// for the `n`th.
pub struct Watched {
    actions: Vec<&'static str>,
    /// For each service prefix, the bits and names of its watched actions.
    services: Vec<(&'static str, Vec<(u128, &'static str)>)>,
    /// The bits of every watched action.
    all: u128,
}

impl Watched {
    fn new() -> Watched {
        let actions = crate::iam::escalation::actions();
        let mut services: Vec<(&'static str, Vec<(u128, &'static str)>)> = Vec::new();
        for (n, action) in actions.iter().enumerate() {
            let Some((service, name)) = action.split_once(':') else {
                continue;
            };
            let bit = 1u128 << n;
            match services.iter_mut().find(|(s, _)| *s == service) {
                Some((_, names)) => names.push((bit, name)),
                None => services.push((service, vec![(bit, name)])),
            }
        }
        let all = (0..actions.len()).fold(0u128, |mask, n| mask | 1 << n);
        Watched {
            actions,
            services,
            all,
        }
    }

    /// The bit of a watched action (none for another).
    pub fn bit(&self, action: &str) -> u128 {
        self.actions
            .iter()
            .position(|&a| a == action)
            .map_or(0, |n| 1 << n)
    }

    /// The watched actions a pattern [`covers`].
    fn covered(&self, pattern: &str) -> u128 {
        if pattern == "*" {
            return self.all;
        }
        let Some((name, names)) = self
            .services
            .iter()
            .find_map(|(service, names)| Some((action_of(pattern, service)?, names)))
        else {
            return 0;
        };
        names
            .iter()
            .filter(|(_, action)| crate::iam::pattern::action_glob(name, action))
            .fold(0, |mask, (bit, _)| mask | bit)
    }
}

/// What the lints ask of a statement, found once: which watched actions it
/// grants or takes away, so that a principal's are bit operations.
#[derive(Clone, Copy, Debug, Default)]
pub struct Facts {
    /// The watched actions it allows, `NotAction` included.
    pub grants: u128,
    /// The watched actions it denies everywhere: a `deny` on `*` (not `not`
    /// resources: those are allowed by it), with no condition, listing them
    /// or, with `not` actions, not listing them.
    pub denies: u128,
    /// Whether it is an `allow` (not `not`) listing a pattern with a wildcard.
    pub wildcard: bool,
}

impl std::ops::BitOr for Facts {
    type Output = Facts;

    fn bitor(self, other: Facts) -> Facts {
        Facts {
            grants: self.grants | other.grants,
            denies: self.denies | other.denies,
            wildcard: self.wildcard || other.wildcard,
        }
    }
}

impl Facts {
    fn of(s: &Statement<Value>, watched: &Watched) -> Facts {
        let listed = || {
            s.actions
                .iter()
                .fold(0, |mask, p| mask | watched.covered(p))
        };
        match s.effect {
            Effect::Allow => Facts {
                grants: if s.not_action {
                    !listed() & watched.all
                } else {
                    listed()
                },
                denies: 0,
                wildcard: !s.not_action && s.actions.iter().any(|a| is_wildcard(a)),
            },
            Effect::Deny => Facts {
                grants: 0,
                denies: match (
                    s.conditions.is_empty() && denies_everywhere(s),
                    s.not_action,
                ) {
                    (false, _) => 0,
                    (true, false) => listed(),
                    (true, true) => !listed() & watched.all,
                },
                wildcard: false,
            },
        }
    }
}

/// Whether a statement's resource is every resource: `*` (or a `NotResource`).
pub fn on_everything(s: &Statement<Value>) -> bool {
    s.not_resource || s.resources.iter().any(|r| r.text == "*")
}

/// Whether a `deny` applies to every resource: it lists `*`. A `not`
/// resources list leaves out the resources it names, so it never does.
pub fn denies_everywhere(s: &Statement<Value>) -> bool {
    !s.not_resource && s.resources.iter().any(|r| r.text == "*")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::policy::Condition;

    const PATTERNS: &[&str] = &[
        "*",
        "iam:*",
        "IAM:PassRole",
        "iam:passrole",
        "iam:Pass*",
        "iam:Put*Policy",
        "iam:Attach?olePolicy",
        "lambda:*",
        "lambda:Create*",
        "ec2:Run*",
        "s3:*",
        "s3:GetObject",
        "iam",
        "iampassrole",
        "glue:*Endpoint",
        "sagemaker:create*",
    ];

    #[test]
    fn masks_agree_with_covers() {
        let watched = Watched::new();
        assert!(watched.actions.len() <= 128, "a mask holds 128 actions");
        for p in PATTERNS {
            for (n, action) in watched.actions.iter().enumerate() {
                let bit = watched.covered(p) & 1 << n != 0;
                assert_eq!(bit, covers(p, action), "{p} covers {action}");
                assert_eq!(watched.bit(action), 1u128 << n);
            }
        }
    }

    #[test]
    fn facts_agree_with_the_statements() {
        let watched = Watched::new();
        let condition = Condition {
            operator: "Bool".into(),
            key: "aws:SecureTransport".into(),
            values: vec![Value::new("true")],
        };
        for effect in [Effect::Allow, Effect::Deny] {
            for not_action in [false, true] {
                for (not_resource, resource) in [
                    (false, "*"),
                    (false, "arn:aws:iam::123456789012:role/app"),
                    (true, "arn:aws:iam::123456789012:role/app"),
                ] {
                    for conditions in [vec![], vec![condition.clone()]] {
                        for patterns in PATTERNS.chunks(3) {
                            let s = Statement {
                                effect,
                                not_action,
                                actions: patterns.iter().map(|p| p.to_string()).collect(),
                                not_resource,
                                resources: vec![Value::new(resource)],
                                conditions: conditions.clone(),
                            };
                            let facts = Facts::of(&s, &watched);
                            for action in &watched.actions {
                                let listed = s.actions.iter().any(|p| covers(p, action));
                                let grants = effect == Effect::Allow && listed != not_action;
                                // A deny on `not [X]` allows X: it denies nowhere.
                                let denies = effect == Effect::Deny
                                    && s.conditions.is_empty()
                                    && !not_resource
                                    && resource == "*"
                                    && listed != not_action;
                                let bit = watched.bit(action);
                                assert_eq!(
                                    facts.grants & bit != 0,
                                    grants,
                                    "{s:?} grants {action}"
                                );
                                assert_eq!(
                                    facts.denies & bit != 0,
                                    denies,
                                    "{s:?} denies {action}"
                                );
                            }
                            let wildcard = effect == Effect::Allow
                                && !not_action
                                && s.actions.iter().any(|a| a.contains(['*', '?']));
                            assert_eq!(facts.wildcard, wildcard, "{s:?}");
                        }
                    }
                }
            }
        }
    }
}
