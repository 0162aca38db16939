//! Steps 5 and 6, plan: what each template holds. [`flatten`] walks the group graph
//! to each principal's statements, [`split`] packs them into managed
//! policies under IAM's size limit, [`names`] checks the names the naming
//! patterns give, and [`limits`] CloudFormation's limits on a template.

pub mod flatten;
pub mod limits;
pub mod names;
pub mod split;

use crate::ast::{Decl, DeclKind};
use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic};
use crate::iam::limits::IAM_MAX_GROUP_POLICIES;
use crate::id::IdVec;
use crate::lower::LoweredProgram;
use crate::par;
use crate::resolve::{DeclId, Program};
use serde::Serialize;

/// What a member is in its template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Role,
    User,
    /// A policy or group emitted as standalone managed policies by a `stack`.
    Policy,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Role => "role",
            Kind::User => "user",
            Kind::Policy => "policy",
        }
    }
}

/// One template, before rendering: a principal's own, or a `stack`'s.
pub struct Plan {
    /// The principal or the stack.
    pub decl: DeclId,
    pub is_stack: bool,
    pub file: String,
    pub members: Vec<Member>,
}

/// A principal, or a stack's standalone policy, with its managed policies.
pub struct Member {
    pub decl: DeclId,
    pub kind: Kind,
    pub parts: Vec<split::Part>,
    pub grants: flatten::Grants,
}

/// Flattens and splits every principal (and every policy a stack emits
/// standalone) on every core, and groups them into templates, sorted by
/// file name; with the problems found (too many managed policies).
pub fn plan(
    program: &Program,
    lowered: &LoweredProgram,
    config: &Config,
) -> (Vec<Plan>, Vec<Diagnostic>) {
    let flattener = flatten::Flattener::new(program);
    let candidates: Vec<DeclId> = program
        .decls
        .ids()
        .filter(|&id| member_kind(program, id).is_some())
        .collect();
    let planned = par::map(&candidates, |&id| {
        plan_member(program, lowered, &flattener, id, config)
    });
    let mut diagnostics = Vec::new();
    let mut members: IdVec<DeclId, Option<Member>> = program.decls.ids().map(|_| None).collect();
    for (id, planned) in candidates.into_iter().zip(planned) {
        match planned {
            Ok(member) => members[id] = Some(member),
            Err(d) => diagnostics.push(d),
        }
    }
    (templates(program, &mut members), diagnostics)
}

/// What a declaration becomes in a template: a role, a user, or (a policy or
/// group a stack emits standalone) managed policies; `None` for the rest.
pub fn member_kind(program: &Program, id: DeclId) -> Option<Kind> {
    match &program.decls[id].kind {
        DeclKind::Role(_) => Some(Kind::Role),
        DeclKind::User(_) => Some(Kind::User),
        DeclKind::Policy(_) | DeclKind::Group(_) if program.stack_of[id].is_some() => {
            Some(Kind::Policy)
        }
        _ => None,
    }
}

/// Flattens and splits one member (see [`member_kind`]), or says why it
/// cannot be.
fn plan_member(
    program: &Program,
    lowered: &LoweredProgram,
    flattener: &flatten::Flattener,
    id: DeclId,
    config: &Config,
) -> Result<Member, Diagnostic> {
    let decl = &program.decls[id];
    let kind = member_kind(program, id).ok_or_else(|| internal(decl, "not a member"))?;
    let managed = match &decl.kind {
        DeclKind::Role(p) | DeclKind::User(p) => p.managed.len(),
        _ => 0,
    };
    let grants = match kind {
        Kind::Policy => flattener.grants_of(&[id], lowered),
        _ => flattener.grants(id, lowered),
    };
    // The trust [`crate::Compiled::trust`] will find.
    let trust = program.trust[id].unwrap_or(id);
    if kind == Kind::Role && !lowered.trusts.contains_key(&trust) {
        return Err(internal(decl, "role has no lowered trust"));
    }
    let allowed = max_parts(kind, managed, config);
    match split::split(
        &grants.statements,
        lowered,
        config.limits.policy_size,
        allowed,
    ) {
        Ok(parts) => Ok(Member {
            decl: id,
            kind,
            parts,
            grants,
        }),
        Err(too_many) => Err(too_many_policies(decl, &too_many, managed)),
    }
}

/// Groups members into templates: each stack's members into the stack's,
/// every other principal into its own. Sorted by file name.
fn templates(program: &Program, members: &mut IdVec<DeclId, Option<Member>>) -> Vec<Plan> {
    let mut plans = Vec::new();
    for (id, decl) in program.decls.iter_enumerated() {
        let file = || format!("{}.yaml", decl.name.name);
        match &decl.kind {
            DeclKind::Stack(_) => {
                let mut in_stack: Vec<Member> = program.edges[id]
                    .iter()
                    .filter_map(|e| members[e.target].take())
                    .collect();
                // Roles, then users, then standalone policies, each by name.
                in_stack.sort_by_key(|m| {
                    let rank = match m.kind {
                        Kind::Role => 0,
                        Kind::User => 1,
                        Kind::Policy => 2,
                    };
                    (rank, program.decls[m.decl].name.name.clone())
                });
                plans.push(Plan {
                    decl: id,
                    is_stack: true,
                    file: file(),
                    members: in_stack,
                });
            }
            DeclKind::Role(_) | DeclKind::User(_) if program.stack_of[id].is_none() => {
                if let Some(member) = members[id].take() {
                    plans.push(Plan {
                        decl: id,
                        is_stack: false,
                        file: file(),
                        members: vec![member],
                    });
                }
            }
            _ => {}
        }
    }
    plans.sort_by(|a, b| a.file.cmp(&b.file));
    plans
}

/// How many managed policies of its own a principal may have: the configured
/// maximum less its AWS-managed attachments (a user's sit on its group, which
/// IAM limits to 10).
fn max_parts(kind: Kind, attached: usize, config: &Config) -> usize {
    let max = config.limits.max_managed_policies;
    match kind {
        Kind::Role => max.saturating_sub(attached),
        Kind::User => max.min(IAM_MAX_GROUP_POLICIES),
        // Standalone policies attach to nothing here; each part is a policy
        // of its own, and the same maximum keeps them reviewable.
        Kind::Policy => max,
    }
}

fn too_many_policies(decl: &Decl, t: &split::TooMany, attached: usize) -> Diagnostic {
    let mut d = Diagnostic::error(
        Code::TooManyManagedPolicies,
        format!(
            "`{}` needs {} managed policies, but may have {}",
            decl.name.name, t.needed, t.allowed
        ),
    )
    .primary(
        decl.name.span,
        format!("its statements take {} characters", t.total),
    )
    .note(if t.over > 0 {
        format!(
            "that is {} characters more than {} can hold",
            t.over,
            policies(t.allowed)
        )
    } else {
        format!(
            "the total would fit in {}, but statements are kept whole and services apart, so they do not",
            policies(t.allowed)
        )
    });
    if attached > 0 {
        d = d.note(format!(
            "of the limit of {}, {attached} {} taken by the policies named in `managed`",
            t.allowed + attached,
            if attached == 1 { "is" } else { "are" }
        ));
    }
    d.help("grant fewer or narrower policies, or raise `limits.max_managed_policies` in iamc.yaml (IAM allows up to 20 with a quota increase)")
}

/// "1 managed policy", "3 managed policies".
fn policies(n: usize) -> String {
    if n == 1 {
        "1 managed policy".to_string()
    } else {
        format!("{n} managed policies")
    }
}

fn internal(decl: &Decl, what: &str) -> Diagnostic {
    Diagnostic::error(Code::Internal, format!("internal error: {what}"))
        .primary(decl.name.span, "while compiling this")
        .help("this is a bug in iamc; please report it with the input that caused it")
}
