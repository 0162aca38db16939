//! Step 4, lower: each checked policy's statements and each trust become IAM
//! model statements — once per policy, however many principals receive it.

use crate::ast::{self, Condition, DeclKind, Resources, Trust, TrustKind};
use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic};
use crate::hash::HashMap;
use crate::iam::policy::{self, Effect, Statement};
use crate::id::IdVec;
use crate::model::{self, TrustStatement, Value};
use crate::resolve::{DeclId, Program};
use crate::source::{Span, Spanned};
use crate::vars::Params;
use std::collections::BTreeMap;

/// Where a statement came from, for the comments of the output.
#[derive(Clone, Debug)]
pub struct Origin {
    pub policy: String,
    pub doc: Option<String>,
    pub because: Option<String>,
    pub span: Span,
}

crate::id::define_id!(
    /// A lowered statement: its place in [`LoweredProgram::statements`] and
    /// [`LoweredProgram::keys`].
    pub StatementId
);

crate::id::define_id!(
    /// A managed-policy part name: its rank in [`LoweredProgram::part_names`].
    pub PartNameId
);

#[derive(Clone, Debug)]
pub struct Lowered {
    /// Its policy's name, numbered (`Name1`, `Name2`, ...) when the policy
    /// has several statements.
    pub sid: String,
    pub statement: Statement<Value>,
    /// Characters in compact JSON, deploy-time values at their longest.
    pub size: usize,
    /// Identifies the statement's content without its Sid: equal content,
    /// equal id. Identical statements of two policies collapse into one.
    pub content: u32,
    /// The managed-policy part its service goes to (`S3`, `SecretsManager`),
    /// empty when its actions span several services.
    pub part: std::sync::Arc<str>,
    /// Its place among all statements ordered by Sid (output order).
    pub rank: u32,
    /// The declared params its values use, for the templates' `Parameters`.
    pub params: Vec<String>,
    pub origin: Origin,
}

impl Lowered {
    /// The statement as IAM holds it, with its Sid.
    pub fn json(&self) -> serde_json::Value {
        model::statement_json(&self.sid, &self.statement)
    }
}

/// What flattening and splitting read of each statement, packed in 16
/// bytes: a principal's statements are looked up again and again, and this
/// stays in cache where the whole [`Lowered`] does not. A copy of
/// [`Lowered`]'s fields, made once at the end of [`lower`].
#[derive(Clone, Copy, Debug, Default)]
pub struct StatementKey {
    pub rank: u32,
    pub content: u32,
    pub size: u32,
    /// The rank of its part's name among all part names ([`LoweredProgram::part_names`]).
    pub part: PartNameId,
}

#[derive(Debug, Default)]
pub struct LoweredProgram {
    pub statements: IdVec<StatementId, Lowered>,
    /// For each statement, the keys of [`StatementKey`].
    pub keys: IdVec<StatementId, StatementKey>,
    /// Every part name (`""` for statements of several services), sorted.
    pub part_names: IdVec<PartNameId, std::sync::Arc<str>>,
    /// For each declaration, by id, its statements (a policy's are
    /// consecutive; any other declaration has none).
    statement_ranges: IdVec<DeclId, std::ops::Range<StatementId>>,
    /// For each trust declaration and each role with an inline trust.
    pub trusts: HashMap<DeclId, Vec<TrustStatement>>,
}

impl LoweredProgram {
    /// A policy's statements (none for other declarations).
    pub fn of_policy(
        &self,
        policy: DeclId,
    ) -> impl DoubleEndedIterator<Item = StatementId> + ExactSizeIterator + Clone + use<> {
        let none = StatementId::default()..StatementId::default();
        crate::id::range(self.statement_ranges.get(policy).cloned().unwrap_or(none))
    }
}

pub fn lower(program: &Program, config: &Config) -> (LoweredProgram, Vec<Diagnostic>) {
    let mut out = LoweredProgram::default();
    let mut diagnostics = Vec::new();
    let budget = config.limits.policy_size - model::DOCUMENT_OVERHEAD;
    // Each policy's statements on every core; then, in order, their parts
    // (one shared name per service) and indexes.
    let policies: Vec<DeclId> = program
        .decls
        .ids()
        .filter(|&id| matches!(program.decls[id].kind, DeclKind::Policy(_)))
        .collect();
    let drafts = crate::par::map(&policies, |&id| lower_policy(program, id, budget));
    let mut parts: HashMap<String, std::sync::Arc<str>> = HashMap::default();
    let empty: std::sync::Arc<str> = "".into();
    let count: usize = drafts.iter().map(Vec::len).sum();
    out.statements.reserve_exact(count);
    let none = StatementId::default()..StatementId::default();
    out.statement_ranges = IdVec::filled(none, program.decls.len());
    // Where each statement was written, for the diagnostics about Sids.
    let mut written: IdVec<StatementId, (DeclId, usize)> = IdVec::new();
    written.reserve_exact(count);
    let mut hashes: Vec<u64> = Vec::with_capacity(count);
    for (&id, drafts) in policies.iter().zip(drafts) {
        let first = out.statements.next_id();
        for (i, draft) in drafts.into_iter().enumerate() {
            diagnostics.extend(draft.too_large);
            let part = match draft.statement.service() {
                Some(service) => match parts.get(service) {
                    Some(part) => part.clone(),
                    None => {
                        let part: std::sync::Arc<str> =
                            crate::iam::service::part_name(service).into();
                        parts.insert(service.to_string(), part.clone());
                        part
                    }
                },
                None => empty.clone(),
            };
            written.push((id, i));
            hashes.push(draft.content_hash);
            out.statements.push(Lowered {
                sid: draft.sid,
                params: draft.params,
                statement: draft.statement,
                size: draft.size,
                content: 0,
                part,
                rank: 0,
                origin: draft.origin,
            });
        }
        out.statement_ranges[id] = first..out.statements.next_id();
    }
    for (id, decl) in program.decls.iter_enumerated() {
        let inline = match &decl.kind {
            DeclKind::Role(p) => match &p.trust {
                Some(Spanned {
                    node: ast::TrustRef::Inline(t),
                    ..
                }) => Some(t),
                _ => None,
            },
            _ => None,
        };
        let (t, what) = match (&decl.kind, inline) {
            (DeclKind::Trust(t), _) => (t, format!("the trust policy `{}`", decl.name.name)),
            (_, Some(t)) => (t, format!("the trust policy of `{}`", decl.name.name)),
            _ => continue,
        };
        let lowered = trust(t, &program.params);
        diagnostics.extend(trust_too_large(&lowered, t, &what, decl.name.span, config));
        out.trusts.insert(id, lowered);
    }
    number_contents(out.statements.as_mut_slice(), &hashes);
    // Output order is by Sid; equal Sids are a mistake, reported against the
    // first one written.
    let mut by_sid: Vec<StatementId> = out.statements.ids().collect();
    by_sid.sort_by(|&a, &b| out.statements[a].sid.cmp(&out.statements[b].sid));
    let sid = |i: StatementId| out.statements[i].sid.as_str();
    for run in by_sid
        .chunk_by(|a, b| sid(*a) == sid(*b))
        .filter(|r| r.len() > 1)
    {
        let first = describe(program, written[run[0]]);
        for &again in &run[1..] {
            let (which, span) = describe(program, written[again]);
            let sid = sid(again);
            diagnostics.push(
                Diagnostic::error(Code::DuplicateSid, format!("two statements would have the Sid `{sid}`"))
                    .primary(span, format!("{which} has the Sid `{sid}`"))
                    .secondary(first.1, format!("so does {}", first.0))
                    .note("a statement's Sid is its policy's name, numbered `Name1`, `Name2`, ... when the policy has several statements")
                    .help("rename one of the two policies"),
            );
        }
    }
    for (rank, i) in by_sid.into_iter().enumerate() {
        out.statements[i].rank = rank as u32;
    }
    keys(&mut out);
    (out, diagnostics)
}

/// Fills [`LoweredProgram::keys`] and [`LoweredProgram::part_names`].
fn keys(out: &mut LoweredProgram) {
    let mut names: Vec<std::sync::Arc<str>> =
        out.statements.iter().map(|l| l.part.clone()).collect();
    names.sort();
    names.dedup();
    let rank: HashMap<&str, PartNameId> = names
        .iter()
        .enumerate()
        .map(|(r, n)| (&**n, PartNameId::new(r)))
        .collect();
    out.keys = out
        .statements
        .iter()
        .map(|l| StatementKey {
            rank: l.rank,
            content: l.content,
            size: l.size as u32,
            part: rank.get(&*l.part).copied().unwrap_or_default(),
        })
        .collect();
    drop(rank);
    out.part_names = IdVec::from_vec(names);
}

/// A statement of a policy, lowered, before it takes its place in the program.
struct Draft {
    sid: String,
    statement: Statement<Value>,
    size: usize,
    params: Vec<String>,
    /// The hash of its content (see [`number_contents`]).
    content_hash: u64,
    origin: Origin,
    /// The statement does not fit in a managed policy.
    too_large: Option<Diagnostic>,
}

/// How to make an oversized statement fit. A `not` list is never split: two
/// allows with halves of a `NotResource` list allow every resource, two denies
/// deny everything.
fn split_help(s: &ast::Statement) -> &'static str {
    match (s.effect, s.not_action || s.not_resource) {
        (_, false) => {
            "split it into several statements, each with part of the actions or resources"
        }
        (Effect::Allow, true) => {
            "do not split a `not` list (two allows with halves of it allow everything); allow without `not` and move the exclusion to a `deny`, whose list can be split, or shorten the list with wildcards"
        }
        (Effect::Deny, true) => {
            "do not split a `not` list (two denies with halves of it deny everything); shorten the list with wildcards, or narrow the allows instead"
        }
    }
}

/// A policy's statements as IAM statements.
fn lower_policy(program: &Program, id: DeclId, budget: usize) -> Vec<Draft> {
    let decl = &program.decls[id];
    let DeclKind::Policy(statements) = &decl.kind else {
        return Vec::new();
    };
    statements
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let sid = if statements.len() == 1 {
                decl.name.name.clone()
            } else {
                format!("{}{}", decl.name.name, i + 1)
            };
            let statement = statement(s, &program.params);
            let size = model::statement_len(&sid, &statement);
            let too_large = (size > budget).then(|| {
                Diagnostic::error(
                    Code::StatementTooLarge,
                    format!("a statement of `{}` is larger than a managed policy can be", decl.name.name),
                )
                .primary(s.effect_span, format!("this statement takes {size} characters; a managed policy has room for {budget}"))
                .note("sizes count deploy-time values such as ${AWS::Region} at their longest")
                .help(split_help(s))
            });
            Draft {
                sid,
                params: params_used(&statement),
                content_hash: content_hash(&statement),
                statement,
                size,
                origin: Origin {
                    policy: decl.name.name.clone(),
                    doc: s.doc.clone().or_else(|| decl.doc.clone()),
                    because: s.because.as_ref().map(|b| b.value.clone()),
                    span: s.span,
                },
                too_large,
            }
        })
        .collect()
}

/// The declared params a statement's resources and condition values use.
fn params_used(s: &Statement<Value>) -> Vec<String> {
    let values = s
        .resources
        .iter()
        .chain(s.conditions.iter().flat_map(|c| &c.values));
    let mut used: Vec<String> = values
        .filter(|v| v.sub)
        .flat_map(|v| crate::vars::param_names(&v.text))
        .map(str::to_string)
        .collect();
    used.sort();
    used.dedup();
    used
}

/// Statement `i` of a policy, in words, and where it starts (`allow`).
fn describe(program: &Program, (id, i): (DeclId, usize)) -> (String, Span) {
    let decl = &program.decls[id];
    let DeclKind::Policy(statements) = &decl.kind else {
        return (format!("`{}`", decl.name.name), decl.name.span);
    };
    let which = if statements.len() == 1 {
        format!("the statement of `{}`", decl.name.name)
    } else {
        format!("statement {} of `{}`", i + 1, decl.name.name)
    };
    (which, statements[i].effect_span)
}

/// The hash of a statement's content (everything but its Sid, which is
/// kept beside it).
fn content_hash(s: &Statement<Value>) -> u64 {
    use std::hash::BuildHasher;
    crate::hash::BuildHasher::default().hash_one(s)
}

/// Gives identical statements (all but the Sid equal) the same `content` id,
/// numbered in the order they first appear. `hashes` holds each statement's
/// content hash; equal hashes are compared in full, so a collision cannot
/// merge two statements.
fn number_contents(statements: &mut [Lowered], hashes: &[u64]) {
    let same = |a: usize, b: usize| statements[a].statement == statements[b].statement;
    // For each hash: its content's id and a statement that has it.
    let mut by_hash: HashMap<u64, (u32, usize)> =
        HashMap::with_capacity_and_hasher(statements.len(), Default::default());
    // Contents whose hash an earlier, different content has: (statement, id).
    let mut collided: Vec<(usize, u32)> = Vec::new();
    let mut ids = Vec::with_capacity(statements.len());
    let mut next = 0u32;
    let mut new_id = || {
        next += 1;
        next - 1
    };
    for (i, &hash) in hashes.iter().enumerate() {
        let id = match by_hash.get(&hash) {
            None => {
                let id = new_id();
                by_hash.insert(hash, (id, i));
                id
            }
            Some(&(id, first)) if same(first, i) => id,
            Some(_) => match collided.iter().find(|&&(other, _)| same(other, i)) {
                Some(&(_, id)) => id,
                None => {
                    let id = new_id();
                    collided.push((i, id));
                    id
                }
            },
        };
        ids.push(id);
    }
    for (l, id) in statements.iter_mut().zip(ids) {
        l.content = id;
    }
}

/// A trust policy over the configured size, found where the trust is written.
fn trust_too_large(
    lowered: &[TrustStatement],
    t: &Trust,
    what: &str,
    span: Span,
    config: &Config,
) -> Option<Diagnostic> {
    let size = model::document_len(lowered.iter().map(TrustStatement::json_len));
    let limit = config.limits.trust_policy_size;
    let principals: usize = t.entries.iter().map(|e| e.principals.len()).sum();
    (size > limit).then(|| {
        Diagnostic::error(
            Code::TrustPolicyTooLarge,
            format!("{what} takes {size} characters, more than the {limit} IAM allows"),
        )
        .primary(span, format!("it trusts {principals} principals"))
        .note("sizes count deploy-time values such as ${AWS::AccountId} at their longest")
        .help("trust fewer principals (an account's root, \"arn:aws:iam::123456789012:root\", stands for all its roles), or raise `limits.trust_policy_size` in iamc.yaml (up to 4096 after an IAM quota increase)")
    })
}

fn statement(s: &ast::Statement, params: &Params) -> Statement<Value> {
    // In the catalog's casing (`s3:getobject` is `s3:GetObject`), so that
    // actions differing only in case merge here and read as AWS writes them.
    let mut actions: Vec<String> = s
        .actions
        .iter()
        .map(|a| crate::iam::catalog::cased_action(&a.text).into_owned())
        .collect();
    // By name ignoring case, then as written: IAM ignores the case of actions.
    actions.sort_by(|a, b| {
        a.bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
            .then_with(|| a.cmp(b))
    });
    actions.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    if !s.not_action && actions.iter().any(|a| a == "*") {
        actions = vec!["*".to_string()];
    }
    let mut resources: Vec<Value> = match &s.resources {
        Resources::Any(_) => vec![Value::new("*")],
        Resources::List(list) => list
            .iter()
            .map(|r| Value::with_params(&r.value, params))
            .collect(),
    };
    resources.sort();
    resources.dedup();
    if !s.not_resource && resources.iter().any(|r| r.text == "*") {
        resources = vec![Value::new("*")];
    }
    Statement {
        effect: s.effect,
        not_action: s.not_action,
        actions,
        not_resource: s.not_resource,
        resources,
        conditions: conditions(&s.conditions, params),
    }
}

/// Conditions sorted by operator, then key, one entry per key of an
/// operator; values sorted and deduplicated.
fn conditions(conditions: &[Condition], params: &Params) -> Vec<policy::Condition<Value>> {
    let mut blocks: BTreeMap<&str, BTreeMap<&str, Vec<Value>>> = BTreeMap::new();
    for c in conditions {
        let values = blocks
            .entry(c.operator.name.as_str())
            .or_default()
            .entry(c.key.value.as_str())
            .or_default();
        values.extend(
            c.values
                .iter()
                .map(|v| Value::with_params(&v.value, params)),
        );
        values.sort();
        values.dedup();
    }
    blocks
        .into_iter()
        .flat_map(|(operator, keys)| {
            keys.into_iter()
                .map(move |(key, values)| policy::Condition {
                    operator: operator.to_string(),
                    key: key.to_string(),
                    values,
                })
        })
        .collect()
}

/// One statement per kind of principal and set of conditions, principals sorted.
fn trust(t: &Trust, params: &Params) -> Vec<TrustStatement> {
    type Key = (
        TrustKind,
        &'static str,
        Vec<&'static str>,
        Vec<policy::Condition<Value>>,
    );
    let mut groups: BTreeMap<Key, Vec<Value>> = BTreeMap::new();
    for entry in &t.entries {
        let action = match entry.kind {
            TrustKind::Federated
                if entry
                    .principals
                    .iter()
                    .any(|p| p.value.contains(":saml-provider/")) =>
            {
                "sts:AssumeRoleWithSAML"
            }
            TrustKind::Federated => "sts:AssumeRoleWithWebIdentity",
            _ => "sts:AssumeRole",
        };
        let conditions = conditions(&entry.conditions, params);
        // The entry's own session actions, then each principal's service ones.
        let named: Vec<&'static str> = entry
            .actions
            .iter()
            .filter_map(|a| crate::iam::trust::session_action(&a.text))
            .collect();
        for p in &entry.principals {
            let session = session_actions(entry.kind, &p.value, &named);
            let key = (entry.kind, action, session, conditions.clone());
            groups
                .entry(key)
                .or_default()
                .push(Value::with_params(&p.value, params));
        }
    }
    for principals in groups.values_mut() {
        principals.sort();
        principals.dedup();
    }
    let mut counters: BTreeMap<TrustKind, usize> = BTreeMap::new();
    let per_kind: BTreeMap<TrustKind, usize> =
        groups.keys().fold(BTreeMap::new(), |mut m, (k, _, _, _)| {
            *m.entry(*k).or_default() += 1;
            m
        });
    groups
        .into_iter()
        .map(
            |((kind, action, session_actions, conditions), principals)| {
                let (principal_kind, word) = match kind {
                    TrustKind::Service => ("Service", "Service"),
                    TrustKind::Aws => ("AWS", "Aws"),
                    TrustKind::Federated => ("Federated", "Federated"),
                };
                let n = counters.entry(kind).or_default();
                *n += 1;
                let sid = if per_kind[&kind] > 1 {
                    format!("AssumeBy{word}{n}")
                } else {
                    format!("AssumeBy{word}")
                };
                TrustStatement {
                    sid,
                    principal_kind,
                    principals,
                    action,
                    session_actions,
                    conditions,
                }
            },
        )
        .collect()
}

/// The session actions a principal is allowed besides assuming the role,
/// sorted: those its entry names, and those its service needs
/// ([`crate::iam::trust::service_session_actions`]).
fn session_actions(kind: TrustKind, principal: &str, named: &[&'static str]) -> Vec<&'static str> {
    let mut out = named.to_vec();
    if kind == TrustKind::Service {
        out.extend(crate::iam::trust::service_session_actions(principal));
    }
    out.sort_unstable();
    out.dedup();
    out
}
