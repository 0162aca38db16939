//! Step 2, resolve: names, duplicates, undefined references, wrong kinds and
//! cycles in the group graph.

use crate::ast::{Decl, DeclKind, Ident, TrustRef};
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::hash::HashMap;
use crate::id::IdVec;
use crate::source::{Sources, Span, Spanned};
use crate::vars::{DEFAULT_PARAM_MAX_LENGTH, Params};

crate::id::define_id!(
    /// A declaration: its place in [`Program::decls`], in canonical order.
    pub DeclId
);

/// A bound reference: the declaration named, and where it is named.
#[derive(Clone, Copy, Debug)]
pub struct Edge {
    pub target: DeclId,
    pub span: Span,
}

/// The declarations of a program in canonical order (by file name, then
/// position), with every reference bound.
#[derive(Debug, Default)]
pub struct Program {
    pub decls: IdVec<DeclId, Decl>,
    pub names: HashMap<String, DeclId>,
    /// For a group: its members; for a role or user: what it grants.
    pub edges: IdVec<DeclId, Vec<Edge>>,
    /// For a role that names a trust declaration: that declaration.
    pub trust: IdVec<DeclId, Option<DeclId>>,
    /// The declared CloudFormation params, with their longest values.
    pub params: Params,
    /// For a template instance (`policy X = T(...)`): the template.
    pub template_of: IdVec<DeclId, Option<DeclId>>,
    /// For a role, a user, or a policy or group emitted standalone: the
    /// `stack` it belongs to.
    pub stack_of: IdVec<DeclId, Option<DeclId>>,
}

impl Program {
    pub fn get(&self, name: &str) -> Option<&Decl> {
        self.names.get(name).map(|id| &self.decls[*id])
    }
}

/// The kind of declaration a reference must name where it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wanted {
    /// A group member or a principal's grant.
    Grant,
    Trust,
    Template,
    Role,
    User,
}

impl Wanted {
    pub fn accepts(self, kind: &DeclKind) -> bool {
        match self {
            Wanted::Grant => matches!(
                kind,
                DeclKind::Policy(_) | DeclKind::PolicyInstance(_) | DeclKind::Group(_)
            ),
            Wanted::Trust => matches!(kind, DeclKind::Trust(_)),
            Wanted::Template => matches!(kind, DeclKind::Template(_)),
            Wanted::Role => matches!(kind, DeclKind::Role(_)),
            Wanted::User => matches!(kind, DeclKind::User(_)),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Wanted::Grant => "a policy or a group",
            Wanted::Trust => "a trust",
            Wanted::Template => "a template",
            Wanted::Role => "a role",
            Wanted::User => "a user",
        }
    }
}

pub fn resolve(mut decls: Vec<Decl>, sources: &Sources) -> (Program, Vec<Diagnostic>) {
    // Canonical order: by file name, then position (whatever order the
    // files came in).
    let mut files: Vec<usize> = (0..sources.len()).collect();
    files.sort_by(|&a, &b| {
        let name = |id| sources.get(id).map(|f| f.name.as_str());
        name(a).cmp(&name(b))
    });
    let mut rank = vec![0; sources.len()];
    for (r, &id) in files.iter().enumerate() {
        rank[id] = r;
    }
    let file_rank = |d: &Decl| rank.get(d.span.file).copied().unwrap_or(usize::MAX);
    // Files usually come sorted, and the parser keeps each file's order: a
    // check then costs less than a sort, which moves each large `Decl`
    // many times; when a sort is needed, it sorts indexes.
    if !decls.is_sorted_by_key(|d| (file_rank(d), d.span.start)) {
        let mut order: Vec<usize> = (0..decls.len()).collect();
        order.sort_by_key(|&i| (file_rank(&decls[i]), decls[i].span.start));
        let mut slots: Vec<Option<Decl>> = decls.into_iter().map(Some).collect();
        decls = order.into_iter().filter_map(|i| slots[i].take()).collect();
    }
    let mut diagnostics = Vec::new();
    let capacity = |n| HashMap::with_capacity_and_hasher(n, Default::default());
    let mut names: HashMap<String, DeclId> = capacity(decls.len());
    let mut lower_names: HashMap<crate::hash::NoCase, DeclId> =
        HashMap::with_capacity_and_hasher(decls.len(), Default::default());
    let decls: IdVec<DeclId, Decl> = IdVec::from_vec(decls);
    for (id, decl) in decls.iter_enumerated() {
        let name = &decl.name.name;
        if let Some(&first) = names.get(name) {
            let kind = decls[first].kind.keyword();
            diagnostics.push(
                Diagnostic::error(Code::DuplicateName, format!("`{name}` is defined twice"))
                    .primary(decl.name.span, "defined again here")
                    .secondary(
                        decls[first].name.span,
                        format!("first defined here, as a {kind}"),
                    )
                    .help("names are global across every file of the program; rename one of them"),
            );
            continue;
        }
        names.insert(name.clone(), id);
        if let Some(&other) = lower_names.get(&crate::hash::NoCase(name)) {
            let other_name = &decls[other].name.name;
            diagnostics.push(
                Diagnostic::error(
                    Code::CaseCollision,
                    format!("`{name}` and `{other_name}` differ only in case"),
                )
                .primary(decl.name.span, "this name")
                .secondary(
                    decls[other].name.span,
                    "is the same as this one, ignoring case",
                )
                .note(
                    "IAM names and file names on many systems ignore case, so these would collide",
                )
                .help("rename one of them"),
            );
        } else {
            lower_names.insert(crate::hash::NoCase(name), id);
        }
    }
    drop(lower_names);

    let mut program = Program {
        edges: IdVec::filled(Vec::new(), decls.len()),
        trust: IdVec::filled(None, decls.len()),
        params: declared_params(decls.as_slice()),
        template_of: IdVec::filled(None, decls.len()),
        stack_of: IdVec::filled(None, decls.len()),
        decls,
        names,
    };
    for id in program.decls.ids() {
        let decl = &program.decls[id];
        let (edges, trust) = match &decl.kind {
            DeclKind::Group(members) => (
                bind_all(&program, members, Wanted::Grant, &mut diagnostics),
                None,
            ),
            DeclKind::Role(p) | DeclKind::User(p) => {
                let grants = p
                    .grants
                    .as_ref()
                    .map(|list| bind_all(&program, &list.node, Wanted::Grant, &mut diagnostics))
                    .unwrap_or_default();
                let trust = match &p.trust {
                    Some(Spanned {
                        node: TrustRef::Named(name),
                        ..
                    }) => bind(&program, name, Wanted::Trust, &mut diagnostics),
                    _ => None,
                };
                (grants, trust)
            }
            DeclKind::PolicyInstance(instance) => {
                program.template_of[id] = bind(
                    &program,
                    &instance.template,
                    Wanted::Template,
                    &mut diagnostics,
                );
                continue;
            }
            DeclKind::Stack(stack) => {
                let lists = [
                    (&stack.roles, Wanted::Role),
                    (&stack.users, Wanted::User),
                    (&stack.policies, Wanted::Grant),
                ];
                let mut members = Vec::new();
                for (list, wanted) in lists {
                    members.extend(bind_all(&program, list, wanted, &mut diagnostics));
                }
                (members, None)
            }
            _ => continue,
        };
        program.edges[id] = edges;
        program.trust[id] = trust;
    }
    diagnostics.extend(stack_membership(&mut program));
    diagnostics.extend(cycles(&program));
    (program, diagnostics)
}

/// Each principal and standalone policy belongs to at most one stack.
fn stack_membership(program: &mut Program) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut first_seen: HashMap<DeclId, Span> = HashMap::default();
    for id in program.decls.ids() {
        if !matches!(program.decls[id].kind, DeclKind::Stack(_)) {
            continue;
        }
        for edge in &program.edges[id] {
            match program.stack_of[edge.target] {
                Some(other) => {
                    let member = &program.decls[edge.target].name.name;
                    let here = &program.decls[id].name.name;
                    let there = &program.decls[other].name.name;
                    let mut d = Diagnostic::error(
                        Code::StackMembership,
                        format!("`{member}` is in two stacks, `{there}` and `{here}`"),
                    )
                    .primary(edge.span, format!("listed in `{here}` here"));
                    if let Some(first) = first_seen.get(&edge.target) {
                        d = d.secondary(*first, format!("and in `{there}` here"));
                    }
                    diagnostics.push(d.help(format!(
                        "a resource lives in one template: keep `{member}` in one stack"
                    )));
                }
                None => {
                    program.stack_of[edge.target] = Some(id);
                    first_seen.insert(edge.target, edge.span);
                }
            }
        }
    }
    diagnostics
}

/// Every `param` with the longest value iamc counts for it.
fn declared_params(decls: &[Decl]) -> Params {
    let mut params = Params::new();
    for decl in decls {
        if let DeclKind::Param(p) = &decl.kind {
            let max = p
                .max_length
                .map(|n| n.node as usize)
                .unwrap_or(DEFAULT_PARAM_MAX_LENGTH);
            params.insert(&decl.name.name, max);
        }
    }
    params
}

fn bind_all(
    program: &Program,
    names: &[Ident],
    wanted: Wanted,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Edge> {
    names
        .iter()
        .filter_map(|n| {
            bind(program, n, wanted, diagnostics).map(|target| Edge {
                target,
                span: n.span,
            })
        })
        .collect()
}

/// Past this many errors, undefined names get no "did you mean".
const SUGGEST_UNTIL_ERRORS: usize = 100;

fn bind(
    program: &Program,
    name: &Ident,
    wanted: Wanted,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<DeclId> {
    match program.names.get(&name.name) {
        Some(&id) => {
            let target = &program.decls[id];
            if wanted.accepts(&target.kind) {
                return Some(id);
            }
            let kind = target.kind.keyword();
            let mut d = Diagnostic::error(
                Code::WrongKind,
                format!(
                    "`{}` is a {kind}, but {} is expected here",
                    name.name,
                    wanted.describe()
                ),
            )
            .primary(name.span, format!("expected {}", wanted.describe()))
            .secondary(
                target.name.span,
                format!("`{}` is declared as a {kind} here", name.name),
            );
            d = match (&target.kind, wanted) {
                (DeclKind::Template(_), _) => d.help(format!(
                    "instantiate the template as a policy and use that: `policy My{0} = {0}(...)`",
                    name.name
                )),
                (DeclKind::Trust(_), Wanted::Grant) => d.help("a trust goes in a role's `trust`, not in `grants`"),
                (DeclKind::Role(_) | DeclKind::User(_), Wanted::Grant) => {
                    d.help("principals cannot be members; grant the role's groups instead")
                }
                (_, Wanted::Trust) => d.help("declare a `trust` block, or write the trust inline: `trust { service \"ec2.amazonaws.com\" }`"),
                (_, Wanted::Role | Wanted::User) => {
                    d.help("a stack lists roles under `roles`, users under `users`, and policies or groups under `policies`")
                }
                _ => d,
            };
            diagnostics.push(d);
            None
        }
        None => {
            let candidates = program
                .decls
                .iter()
                .filter(|d| wanted.accepts(&d.kind))
                .map(|d| d.name.name.as_str());
            let mut d = Diagnostic::error(
                Code::UndefinedName,
                format!("`{}` is not defined", name.name),
            )
            .primary(
                name.span,
                format!("nothing has this name; expected {}", wanted.describe()),
            );
            // A suggestion compares the name with every declaration: after
            // the first errors, stop, so many undefined names stay linear.
            let similar = (diagnostics.len() < SUGGEST_UNTIL_ERRORS)
                .then(|| did_you_mean(&name.name, candidates))
                .flatten();
            d = match similar {
                Some(similar) => d.help(format!("did you mean `{similar}`?")),
                None => match wanted {
                    Wanted::Grant => d.help(format!(
                        "declare `policy {0} {{ ... }}` or `group {0} {{ ... }}`, or check the spelling",
                        name.name
                    )),
                    Wanted::Trust => d.help(format!(
                        "declare `trust {} {{ ... }}`, or write the trust inline: `trust {{ service \"ec2.amazonaws.com\" }}`",
                        name.name
                    )),
                    _ => d.help("check the spelling"),
                },
            };
            diagnostics.push(d);
            None
        }
    }
}

/// Finds every cycle among groups and reports each once, naming all its nodes.
/// Iterative, so that deep graphs cannot overflow the stack.
fn cycles(program: &Program) -> Vec<Diagnostic> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnPath,
        Done,
    }
    let is_group = |id: DeclId| matches!(program.decls[id].kind, DeclKind::Group(_));
    let mut state: IdVec<DeclId, State> = IdVec::filled(State::New, program.decls.len());
    let mut diagnostics = Vec::new();
    for root in program.decls.ids().filter(|&id| is_group(id)) {
        if state[root] != State::New {
            continue;
        }
        // Each frame: a group and the index of the next member to visit.
        let mut path: Vec<(DeclId, usize)> = vec![(root, 0)];
        state[root] = State::OnPath;
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            let members = &program.edges[node];
            if *next == members.len() {
                state[node] = State::Done;
                path.pop();
                continue;
            }
            let member_index = *next;
            *next += 1;
            let member = members[member_index].target;
            if !is_group(member) {
                continue;
            }
            match state[member] {
                State::New => {
                    state[member] = State::OnPath;
                    path.push((member, 0));
                }
                State::OnPath => {
                    let start = path.iter().position(|(id, _)| *id == member).unwrap_or(0);
                    let cycle: Vec<(DeclId, usize)> =
                        path[start..].iter().map(|(id, i)| (*id, i - 1)).collect();
                    diagnostics.push(cycle_diagnostic(program, &cycle));
                }
                State::Done => {}
            }
        }
    }
    diagnostics
}

/// A cycle as (group, index of the member that continues the cycle).
fn cycle_diagnostic(program: &Program, cycle: &[(DeclId, usize)]) -> Diagnostic {
    const MAX_LABELS: usize = 8;
    let member_ref = |(group, index): (DeclId, usize)| {
        let edge = program.edges[group].get(index)?;
        Some((edge.span, program.decls[edge.target].name.name.as_str()))
    };
    let names: Vec<&str> = cycle
        .iter()
        .map(|(id, _)| program.decls[*id].name.name.as_str())
        .collect();
    let closing = cycle[cycle.len() - 1];
    if cycle.len() == 1 {
        let name = names[0];
        let mut d = Diagnostic::error(Code::Cycle, format!("group `{name}` contains itself"));
        if let Some((span, _)) = member_ref(closing) {
            d = d.primary(span, format!("`{name}` is listed as a member of itself"));
        }
        return d.help(format!("remove `{name}` from its own members"));
    }
    let mut path = names.join(" → ");
    path.push_str(" → ");
    path.push_str(names[0]);
    let mut d = Diagnostic::error(Code::Cycle, format!("groups form a cycle: {path}"));
    if let Some((span, member)) = member_ref(closing) {
        d = d.primary(
            span,
            format!(
                "`{}` contains `{member}`, closing the cycle",
                names[names.len() - 1]
            ),
        );
    }
    for &edge in cycle[..cycle.len() - 1].iter().take(MAX_LABELS) {
        if let Some((span, member)) = member_ref(edge) {
            d = d.secondary(
                span,
                format!("`{}` contains `{member}`", program.decls[edge.0].name.name),
            );
        }
    }
    if cycle.len() - 1 > MAX_LABELS {
        d = d.note(format!(
            "{} more links of the cycle are not shown",
            cycle.len() - 1 - MAX_LABELS
        ));
    }
    d.help("a group cannot contain itself, directly or through other groups: remove one of these memberships")
}
