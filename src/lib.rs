//! iamc compiles `.iam` programs into CloudFormation templates.
//!
//! The pipeline, one module a step: [`syntax`] parses, [`resolve`] binds names,
//! [`check`] validates, [`lower`] builds IAM statements, [`flatten`] walks the
//! group graph, [`split`] packs statements into managed policies and
//! [`render`] writes the templates. [`compile`] runs them in that order.

pub mod ast;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod expand;
pub mod flatten;
pub mod fmt;
pub mod hash;
pub mod import;
pub mod lint;
pub mod lower;
pub mod model;
pub mod output;
pub mod par;
pub mod record;
pub mod render;
pub mod resolve;
pub mod review;
pub mod source;
pub mod split;
pub mod syntax;
pub mod vars;

use ast::{Decl, DeclKind};
use config::{Config, IAM_MAX_GROUP_POLICIES};
use diagnostics::{Code, Diagnostic, Diagnostics};
use render::template::{self, Kind, ManifestTemplate, PrincipalPlan, StackPlan};
use serde::Serialize;
use source::Sources;

/// A successful compilation: every template planned (statements flattened
/// and split), ready to render. Rendering cannot fail, so a build that gets
/// this far has no error left to find.
pub struct Compiled {
    program: resolve::Program,
    lowered: lower::LoweredProgram,
    config: Config,
    plans: Vec<Plan>,
    /// Each lowered statement that a template holds, rendered once, shared by
    /// every template holding it (empty for the others).
    fragments: Vec<std::sync::Arc<str>>,
    /// Every declared param, for the templates' `Parameters`.
    param_decls: Vec<(resolve::DeclId, String)>,
    /// Warnings (a successful build has no errors).
    pub diagnostics: Diagnostics,
}

/// One template, before rendering: a principal's own, or a `stack`'s.
struct Plan {
    /// The principal or the stack.
    decl: resolve::DeclId,
    is_stack: bool,
    file: String,
    members: Vec<Member>,
}

/// A principal, or a stack's standalone policy, with its managed policies.
struct Member {
    decl: resolve::DeclId,
    kind: Kind,
    parts: Vec<split::Part>,
    grants: flatten::Grants,
    trust: Option<resolve::DeclId>,
}

/// What iamc computed, as data: every template, principal and document.
#[derive(Debug, Serialize)]
pub struct Manifest {
    pub templates: Vec<ManifestTemplate>,
}

impl Compiled {
    /// The resolved program: declarations in canonical order, references bound.
    pub fn program(&self) -> &resolve::Program {
        &self.program
    }

    /// Every policy's statements as IAM statements, and every trust.
    pub fn lowered(&self) -> &lower::LoweredProgram {
        &self.lowered
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Each principal (role or user): its declaration and the statements it is
    /// granted (indexes into [`lower::LoweredProgram::statements`]).
    pub fn principals(&self) -> impl Iterator<Item = (resolve::DeclId, &flatten::Grants)> {
        self.members()
            .filter(|m| m.kind != Kind::Policy)
            .map(|m| (m.decl, &m.grants))
    }

    /// Each principal and standalone stack policy with its managed policies, as split.
    pub fn managed_policies(&self) -> impl Iterator<Item = (resolve::DeclId, &[split::Part])> {
        self.members().map(|m| (m.decl, m.parts.as_slice()))
    }

    fn members(&self) -> impl Iterator<Item = &Member> {
        self.plans.iter().flat_map(|p| &p.members)
    }

    /// How many templates the program produces.
    pub fn len(&self) -> usize {
        self.plans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.plans.is_empty()
    }

    /// The file name of template `i` (templates are sorted by file name).
    pub fn file_name(&self, i: usize) -> &str {
        &self.plans[i].file
    }

    fn member_plan<'a>(&'a self, member: &'a Member) -> PrincipalPlan<'a> {
        let decl = &self.program.decls[member.decl];
        let principal = match &decl.kind {
            DeclKind::Role(p) | DeclKind::User(p) => p,
            _ => &EMPTY_PRINCIPAL,
        };
        PrincipalPlan {
            kind: member.kind,
            source: &decl.name.name,
            doc: decl.doc.as_deref(),
            principal,
            parts: &member.parts,
            grants: &member.grants,
            trust: member
                .trust
                .and_then(|t| self.lowered.trusts.get(&t))
                .map(Vec::as_slice),
        }
    }

    fn stack_plan<'a>(
        &'a self,
        plan: &'a Plan,
        param_decls: &'a [(&'a str, &'a ast::Param)],
    ) -> StackPlan<'a> {
        let decl = &self.program.decls[plan.decl];
        StackPlan {
            source: &decl.name.name,
            doc: decl.doc.as_deref(),
            is_stack: plan.is_stack,
            members: plan.members.iter().map(|m| self.member_plan(m)).collect(),
            params: &self.program.params,
            param_decls,
        }
    }

    fn param_decls(&self) -> Vec<(&str, &ast::Param)> {
        self.param_decls
            .iter()
            .filter_map(|(id, name)| match &self.program.decls[*id].kind {
                DeclKind::Param(p) => Some((name.as_str(), p)),
                _ => None,
            })
            .collect()
    }

    /// Renders template `i`: (file name, YAML text).
    pub fn render(&self, i: usize) -> (String, String) {
        let plan = &self.plans[i];
        let params = self.param_decls();
        let text = template::render_yaml(
            &self.stack_plan(plan, &params),
            &self.lowered,
            &self.fragments,
            &self.config,
        );
        (plan.file.clone(), text)
    }

    /// Renders every template, sorted by file name.
    pub fn files(&self) -> Vec<(String, String)> {
        (0..self.len()).map(|i| self.render(i)).collect()
    }

    /// What every template grants, as data.
    /// What template `i` grants, as data.
    pub fn manifest_template(&self, i: usize) -> ManifestTemplate {
        let plan = &self.plans[i];
        let params = self.param_decls();
        template::manifest(
            &self.stack_plan(plan, &params),
            &self.lowered,
            &self.config,
            &plan.file,
        )
    }

    pub fn manifest(&self) -> Manifest {
        let params = self.param_decls();
        let templates = self
            .plans
            .iter()
            .map(|plan| {
                template::manifest(
                    &self.stack_plan(plan, &params),
                    &self.lowered,
                    &self.config,
                    &plan.file,
                )
            })
            .collect();
        Manifest { templates }
    }
}

static EMPTY_PRINCIPAL: ast::Principal = ast::Principal {
    grants: None,
    trust: None,
    managed: Vec::new(),
    instance_profile: None,
    boundary: None,
    path: None,
    max_session: None,
    tags: Vec::new(),
    description: None,
};

/// `IAMC_TIMINGS=1` prints each phase's wall time to stderr (see the book's
/// performance chapter).
pub struct Timings {
    on: bool,
    last: std::time::Instant,
}

impl Timings {
    pub fn start() -> Timings {
        Timings {
            on: std::env::var_os("IAMC_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0"),
            last: std::time::Instant::now(),
        }
    }

    /// Prints the time since the previous phase ended.
    pub fn phase(&mut self, name: &str) {
        if self.on {
            let ms = self.last.elapsed().as_secs_f64() * 1000.0;
            eprintln!("iamc timing: {name:<8} {ms:>9.1} ms");
        }
        self.last = std::time::Instant::now();
    }
}

/// Compiles every source file, or reports every error found.
pub fn compile(sources: &Sources, config: &Config) -> Result<Compiled, Diagnostics> {
    let mut timings = Timings::start();
    let mut diagnostics = Diagnostics::new();
    let finish = |mut d: Diagnostics| {
        d.sort(sources);
        d
    };

    let decls = parse(sources, &mut diagnostics);
    timings.phase("parse");
    if diagnostics.iter().any(|d| d.code == Code::Syntax) {
        return Err(finish(diagnostics));
    }
    let (mut program, resolve_errors) = resolve::resolve(decls, sources);
    diagnostics.extend(resolve_errors);
    let (calls, expand_errors) = expand::expand(&mut program);
    diagnostics.extend(expand_errors);
    timings.phase("resolve");
    diagnostics.extend(check::check(&program, config, &calls));
    timings.phase("check");
    if diagnostics.has_errors() {
        return Err(finish(diagnostics));
    }
    let (lowered, lower_errors) = lower::lower(&program, config);
    diagnostics.extend(lower_errors);
    timings.phase("lower");
    if diagnostics.has_errors() {
        return Err(finish(diagnostics));
    }

    let flattener = flatten::Flattener::new(&program);
    let candidates: Vec<resolve::DeclId> = (0..program.decls.len())
        .filter(|&id| member_kind(&program, id).is_some())
        .collect();
    let planned = par::map(&candidates, |&id| {
        plan_member(&program, &lowered, &flattener, id, config)
    });
    let mut members: Vec<Option<Member>> = Vec::new();
    members.resize_with(program.decls.len(), || None);
    for (id, planned) in candidates.into_iter().zip(planned) {
        match planned {
            Ok(member) => members[id] = Some(member),
            Err(d) => diagnostics.push(d),
        }
    }
    timings.phase("plan");
    let plans = plan_templates(&program, &mut members);
    diagnostics.extend(names_problems(&program, &plans, config));
    if diagnostics.has_errors() {
        return Err(finish(diagnostics));
    }
    timings.phase("names");
    let fragments = fragments(&lowered, &plans);
    timings.phase("fragment");
    let param_decls = program
        .decls
        .iter()
        .enumerate()
        .filter(|(_, d)| matches!(d.kind, DeclKind::Param(_)))
        .map(|(id, d)| (id, d.name.name.clone()))
        .collect();
    let compiled = Compiled {
        program,
        lowered,
        config: config.clone(),
        plans,
        fragments,
        param_decls,
        diagnostics: Diagnostics::new(),
    };
    diagnostics.extend(stack_limits(&compiled));
    timings.phase("limits");
    if diagnostics.has_errors() {
        return Err(finish(diagnostics));
    }
    Ok(Compiled {
        diagnostics: finish(diagnostics),
        ..compiled
    })
}

/// Renders once, on every core, each statement that some template holds:
/// statements of policies nobody is granted need none.
fn fragments(lowered: &lower::LoweredProgram, plans: &[Plan]) -> Vec<std::sync::Arc<str>> {
    let mut held = vec![false; lowered.statements.len()];
    for part in plans.iter().flat_map(|p| &p.members).flat_map(|m| &m.parts) {
        for &i in &part.statements {
            held[i as usize] = true;
        }
    }
    let wanted: Vec<u32> = (0..lowered.statements.len() as u32)
        .filter(|&i| held[i as usize])
        .collect();
    let rendered = par::map(&wanted, |&i| {
        template::statement_fragment(&lowered.statements[i as usize])
    });
    let none: std::sync::Arc<str> = "".into();
    let mut fragments = vec![none; lowered.statements.len()];
    for (i, text) in wanted.into_iter().zip(rendered) {
        fragments[i as usize] = text;
    }
    fragments
}

/// What a declaration becomes in a template: a role, a user, or (a policy or
/// group a stack emits standalone) managed policies; `None` for the rest.
fn member_kind(program: &resolve::Program, id: resolve::DeclId) -> Option<Kind> {
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
    program: &resolve::Program,
    lowered: &lower::LoweredProgram,
    flattener: &flatten::Flattener,
    id: resolve::DeclId,
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
    let trust = match kind {
        Kind::Role => {
            let trust = program.trust[id]
                .or(Some(id))
                .filter(|t| lowered.trusts.contains_key(t));
            if trust.is_none() {
                return Err(internal(decl, "role has no lowered trust"));
            }
            trust
        }
        _ => None,
    };
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
            trust,
        }),
        Err(too_many) => Err(too_many_policies(decl, &too_many, managed)),
    }
}

/// Groups members into templates: each stack's members into the stack's,
/// every other principal into its own. Sorted by file name.
fn plan_templates(program: &resolve::Program, members: &mut [Option<Member>]) -> Vec<Plan> {
    let mut plans = Vec::new();
    for (id, decl) in program.decls.iter().enumerate() {
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

/// A plan view with just what naming needs.
fn naming_view<'a>(decl: &'a Decl, member: &'a Member) -> PrincipalPlan<'a> {
    let principal = match &decl.kind {
        DeclKind::Role(p) | DeclKind::User(p) => p,
        _ => &EMPTY_PRINCIPAL,
    };
    PrincipalPlan {
        kind: member.kind,
        source: &decl.name.name,
        doc: None,
        principal,
        parts: &member.parts,
        grants: &member.grants,
        trust: None,
    }
}

/// Parses every file, largest first, on every core; declarations and
/// diagnostics come back in file order.
fn parse(sources: &Sources, diagnostics: &mut Diagnostics) -> Vec<Decl> {
    let mut files: Vec<_> = sources.iter().map(|(id, f)| (id, f.text.len())).collect();
    files.sort_by_key(|&(_, len)| std::cmp::Reverse(len));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(files.len().max(1));
    let mut parsed: Vec<_> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&(id, _)) = files.get(n) else { break };
                        out.push((id, syntax::parse_file(sources, id)));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    parsed.sort_by_key(|(id, _)| *id);
    if parsed.len() != files.len() {
        diagnostics.push(Diagnostic::error(
            Code::Internal,
            "internal error: a parsing thread failed",
        ));
    }
    let mut decls = Vec::new();
    for (_, (file_decls, file_diagnostics)) in parsed {
        decls.extend(file_decls);
        diagnostics.extend(file_diagnostics);
    }
    decls
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

/// Generated names must fit IAM's lengths, be distinct logical IDs within a
/// template, and be distinct IAM names across the whole program (IAM names
/// are unique per account, ignoring case). Each template's names are made
/// on every core; their uniqueness across the program is checked after.
fn names_problems(program: &resolve::Program, plans: &[Plan], config: &Config) -> Vec<Diagnostic> {
    let per_plan = par::map(plans, |plan| template_names(program, plan, config));
    let mut diagnostics = Vec::new();
    let mut iam_names: hash::HashMap<(&str, hash::NoCase), (&str, &Decl)> = Default::default();
    for (problems, names) in &per_plan {
        diagnostics.extend(problems.iter().cloned());
        for (what, name, decl) in names {
            // Roles, users, groups, instance profiles and managed policies
            // each have a namespace of their own.
            let kind = if *what == "managed policy" {
                "policy"
            } else {
                what
            };
            match iam_names.get(&(kind, hash::NoCase(name))) {
                Some((first, other)) if other.name.name != decl.name.name => diagnostics.push(
                    Diagnostic::error(
                        Code::NameCollision,
                        format!("two {} would be named `{name}`", plural(what)),
                    )
                    .primary(
                        decl.name.span,
                        format!("`{}` gets the {what} `{name}`", decl.name.name),
                    )
                    .secondary(
                        other.name.span,
                        format!("and so does `{}` (`{first}`)", other.name.name),
                    )
                    .note("IAM names are unique in an account, ignoring case")
                    .help("rename one of the two, or change the naming patterns in iamc.yaml"),
                ),
                Some(_) => {}
                None => {
                    iam_names.insert((kind, hash::NoCase(name)), (name, decl));
                }
            }
        }
    }
    diagnostics
}

/// One template's IAM names, with what each names and whose it is, and the
/// problems found within the template: names too long, logical IDs twice.
type TemplateNames<'p> = (Vec<Diagnostic>, Vec<(&'static str, String, &'p Decl)>);

fn template_names<'p>(
    program: &'p resolve::Program,
    plan: &Plan,
    config: &Config,
) -> TemplateNames<'p> {
    let mut diagnostics = Vec::new();
    let mut all = Vec::new();
    let mut logical: Vec<(String, &Decl)> = Vec::new();
    for member in &plan.members {
        let decl = &program.decls[member.decl];
        let view = naming_view(decl, member);
        let names = template::Names::new(&view, &config.naming);
        for name in &names.policies {
            let len = name.chars().count();
            if len > 128 {
                diagnostics.push(
                    Diagnostic::error(
                        Code::NameTooLong,
                        format!("managed policy name `{name}` is {len} characters long"),
                    )
                    .primary(
                        decl.name.span,
                        "IAM allows at most 128 characters in a managed policy name",
                    )
                    .note(format!(
                        "the name comes from the pattern `{}`",
                        config.naming.managed_policy
                    ))
                    .help(format!(
                        "shorten `{}` by {} characters, or change the pattern in iamc.yaml",
                        decl.name.name,
                        len - 128
                    )),
                );
            }
        }
        for (what, name) in names.all(&view) {
            logical.push((template::logical_id(name), decl));
            all.push((what, name.to_string(), decl));
        }
    }
    logical.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(w) = logical.windows(2).find(|w| w[0].0 == w[1].0) {
        let (id, decl) = &w[0];
        diagnostics.push(
            Diagnostic::error(
                Code::NameTooLong,
                format!(
                    "two resources in `{}` would both have the logical ID `{id}`",
                    plan.file
                ),
            )
            .primary(
                decl.name.span,
                "the naming patterns give the same logical ID twice",
            )
            .help("make the naming patterns in iamc.yaml differ by more than punctuation"),
        );
    }
    (diagnostics, all)
}

fn plural(what: &str) -> String {
    match what {
        "managed policy" => "managed policies".to_string(),
        other => format!("{other}s"),
    }
}

/// CloudFormation's limits on a template: 500 resources, 200 outputs and 1 MB
/// of body; over 51,200 bytes it must be uploaded to S3. (Its 200 parameters
/// cannot be reached first: each parameter is used by a resource.)
fn stack_limits(compiled: &Compiled) -> Vec<Diagnostic> {
    const MAX_OUTPUTS: usize = 200;
    const MAX_BODY: usize = 1024 * 1024;
    const MAX_DIRECT_BODY: usize = 51_200;
    let mut diagnostics = Vec::new();
    for (i, plan) in compiled.plans.iter().enumerate() {
        let decl = &compiled.program.decls[plan.decl];
        let policies: usize = plan.members.iter().map(|m| m.parts.len()).sum();
        let outputs = policies
            + plan
                .members
                .iter()
                .map(|m| match m.kind {
                    Kind::Role => 1 + usize::from(matches!(&compiled.program.decls[m.decl].kind, DeclKind::Role(p) if p.instance_profile.is_some())),
                    Kind::User => 2,
                    Kind::Policy => 0,
                })
                .sum::<usize>();
        // Every resource has exactly one output, so the limit of 200 outputs
        // is always reached before the limit of 500 resources.
        if outputs > MAX_OUTPUTS {
            diagnostics.push(
                Diagnostic::error(Code::StackLimit, format!("`{}` would have {outputs} outputs", plan.file))
                    .primary(decl.name.span, format!("CloudFormation allows {MAX_OUTPUTS} outputs (one per resource) in a template"))
                    .help("split the stack in two"),
            );
        }
        // Only large templates are rendered here, to measure them.
        let estimate: usize = plan
            .members
            .iter()
            .flat_map(|m| &m.parts)
            .map(|p| p.size)
            .sum();
        if estimate * 3 + 4096 * plan.members.len() < MAX_DIRECT_BODY {
            continue;
        }
        let bytes = compiled.render(i).1.len();
        if bytes > MAX_BODY {
            diagnostics.push(
                Diagnostic::error(
                    Code::StackLimit,
                    format!("`{}` would be {bytes} bytes long", plan.file),
                )
                .primary(
                    decl.name.span,
                    "CloudFormation accepts templates of at most 1 MB",
                )
                .help("split the stack in two"),
            );
        } else if bytes > MAX_DIRECT_BODY {
            diagnostics.push(
                Diagnostic::warning(
                    Code::StackLimit,
                    format!("`{}` is {bytes} bytes long", plan.file),
                )
                .primary(
                    decl.name.span,
                    "over 51,200 bytes, so it must be uploaded to S3 to deploy",
                )
                .help("deploy it with `aws cloudformation deploy --s3-bucket ...`, or split it"),
            );
        }
    }
    diagnostics
}

fn internal(decl: &Decl, what: &str) -> Diagnostic {
    Diagnostic::error(Code::Internal, format!("internal error: {what}"))
        .primary(decl.name.span, "while compiling this")
        .help("this is a bug in iamc; please report it with the input that caused it")
}
