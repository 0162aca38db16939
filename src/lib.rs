//! iamc compiles `.iam` programs into CloudFormation templates.
//!
//! The pipeline, one module a step: [`syntax`] parses, [`resolve`] binds names,
//! [`check`] validates, [`lower`] builds IAM statements, [`flatten`] walks the
//! group graph, [`split`] packs statements into managed policies and
//! [`render`] writes the templates. [`compile`] runs them in that order.

pub mod ast;
pub mod check;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod flatten;
pub mod lower;
pub mod model;
pub mod output;
pub mod render;
pub mod resolve;
pub mod source;
pub mod split;
pub mod syntax;
pub mod vars;

use ast::{Decl, DeclKind};
use config::{Config, IAM_MAX_GROUP_POLICIES};
use diagnostics::{Code, Diagnostic, Diagnostics};
use render::template::{self, Kind, ManifestTemplate, PrincipalPlan};
use serde::Serialize;
use source::Sources;

/// A successful compilation: every principal planned (statements flattened
/// and split), ready to render. Rendering cannot fail, so a build that gets
/// this far has no error left to find.
pub struct Compiled {
    program: resolve::Program,
    lowered: lower::LoweredProgram,
    config: Config,
    plans: Vec<Plan>,
    /// Each lowered statement rendered once, shared by every template holding it.
    fragments: Vec<std::sync::Arc<str>>,
    /// Warnings (a successful build has no errors).
    pub diagnostics: Diagnostics,
}

/// One principal's template, before rendering.
struct Plan {
    decl: resolve::DeclId,
    kind: Kind,
    file: String,
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

    /// Each principal: its declaration and the statements it is granted
    /// (indexes into [`lower::LoweredProgram::statements`]), by file name.
    pub fn principals(&self) -> impl Iterator<Item = (resolve::DeclId, &flatten::Grants)> {
        self.plans.iter().map(|p| (p.decl, &p.grants))
    }

    /// The managed policies of template `i`, as split.
    pub fn parts(&self, i: usize) -> &[split::Part] {
        &self.plans[i].parts
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

    fn principal_plan(&self, plan: &Plan) -> PrincipalPlan<'_> {
        let decl = &self.program.decls[plan.decl];
        let principal = match &decl.kind {
            DeclKind::Role(p) | DeclKind::User(p) => p,
            _ => &EMPTY_PRINCIPAL,
        };
        PrincipalPlan {
            kind: plan.kind,
            source: &decl.name.name,
            doc: decl.doc.as_deref(),
            principal,
            parts: plan.parts.clone(),
            grants: plan.grants.clone(),
            trust: plan
                .trust
                .and_then(|t| self.lowered.trusts.get(&t))
                .map(Vec::as_slice),
        }
    }

    /// Renders template `i`: (file name, YAML text).
    pub fn render(&self, i: usize) -> (String, String) {
        let plan = &self.plans[i];
        let text = template::render_yaml(
            &self.principal_plan(plan),
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
    pub fn manifest(&self) -> Manifest {
        let templates = self
            .plans
            .iter()
            .map(|plan| {
                template::manifest(
                    &self.principal_plan(plan),
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

/// Compiles every source file, or reports every error found.
pub fn compile(sources: &Sources, config: &Config) -> Result<Compiled, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let finish = |mut d: Diagnostics| {
        d.sort(sources);
        d
    };

    let decls = parse(sources, &mut diagnostics);
    if diagnostics.iter().any(|d| d.code == Code::Syntax) {
        return Err(finish(diagnostics));
    }
    let (program, resolve_errors) = resolve::resolve(decls, sources);
    diagnostics.extend(resolve_errors);
    diagnostics.extend(check::check(&program, config));
    if diagnostics.has_errors() {
        return Err(finish(diagnostics));
    }
    let (lowered, lower_errors) = lower::lower(&program, config);
    diagnostics.extend(lower_errors);
    if diagnostics.has_errors() {
        return Err(finish(diagnostics));
    }

    let mut flattener = flatten::Flattener::new(&program);
    let mut plans = Vec::new();
    for (id, decl) in program.decls.iter().enumerate() {
        let (kind, principal) = match &decl.kind {
            DeclKind::Role(p) => (Kind::Role, p),
            DeclKind::User(p) => (Kind::User, p),
            _ => continue,
        };
        let grants = flattener.grants(id, &lowered);
        let trust = match kind {
            Kind::Role => program.trust[id]
                .or(Some(id))
                .filter(|t| lowered.trusts.contains_key(t)),
            Kind::User => None,
        };
        if kind == Kind::Role && trust.is_none() {
            diagnostics.push(internal(decl, "role has no lowered trust"));
            continue;
        }
        let allowed = max_parts(kind, principal.managed.len(), config);
        let parts = match split::split(
            &grants.statements,
            &lowered,
            config.limits.policy_size,
            allowed,
        ) {
            Ok(parts) => parts,
            Err(too_many) => {
                diagnostics.push(too_many_policies(decl, &too_many, principal.managed.len()));
                continue;
            }
        };
        let plan = Plan {
            decl: id,
            kind,
            file: format!("{}.yaml", decl.name.name),
            parts,
            grants,
            trust,
        };
        let names = template::Names::new(
            &principal_plan_for_names(decl, principal, &plan),
            &config.naming,
        );
        if let Some(d) = names_problem(decl, &names, &plan, config) {
            diagnostics.push(d);
            continue;
        }
        plans.push(plan);
    }
    if diagnostics.has_errors() {
        return Err(finish(diagnostics));
    }
    plans.sort_by(|a, b| a.file.cmp(&b.file));
    let fragments = lowered
        .statements
        .iter()
        .map(template::statement_fragment)
        .collect();
    Ok(Compiled {
        program,
        lowered,
        config: config.clone(),
        plans,
        fragments,
        diagnostics: finish(diagnostics),
    })
}

/// A plan view with just what naming needs.
fn principal_plan_for_names<'a>(
    decl: &'a Decl,
    principal: &'a ast::Principal,
    plan: &Plan,
) -> PrincipalPlan<'a> {
    PrincipalPlan {
        kind: plan.kind,
        source: &decl.name.name,
        doc: None,
        principal,
        parts: plan.parts.clone(),
        grants: flatten::Grants::default(),
        trust: None,
    }
}

fn parse(sources: &Sources, diagnostics: &mut Diagnostics) -> Vec<Decl> {
    let mut decls = Vec::new();
    for (id, _) in sources.iter() {
        let (file_decls, file_diagnostics) = syntax::parse_file(sources, id);
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
    .note(format!(
        "that is {} characters more than {} can hold",
        t.over,
        policies(t.allowed)
    ));
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

/// Generated names must fit IAM's lengths and be distinct logical IDs.
fn names_problem(
    decl: &Decl,
    names: &template::Names,
    plan: &Plan,
    config: &Config,
) -> Option<Diagnostic> {
    for name in &names.policies {
        let len = name.chars().count();
        if len > 128 {
            return Some(
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
    let mut logical: Vec<String> = names
        .policies
        .iter()
        .map(|n| template::logical_id(n))
        .collect();
    logical.push(template::logical_id(&names.principal));
    if let DeclKind::Role(p) = &decl.kind
        && p.instance_profile.is_some()
    {
        logical.push(template::logical_id(&names.instance_profile));
    }
    if plan.kind == Kind::User {
        logical.push(template::logical_id(&names.group));
    }
    logical.sort();
    let duplicate = logical
        .windows(2)
        .find(|w| w[0] == w[1])
        .map(|w| w[0].clone());
    duplicate.map(|id| {
        Diagnostic::error(
            Code::NameTooLong,
            format!(
                "two resources of `{}` would both be named `{id}`",
                decl.name.name
            ),
        )
        .primary(
            decl.name.span,
            "the naming patterns give the same name twice",
        )
        .help("make the naming patterns in iamc.yaml differ by more than punctuation")
    })
}

fn internal(decl: &Decl, what: &str) -> Diagnostic {
    Diagnostic::error(Code::Internal, format!("internal error: {what}"))
        .primary(decl.name.span, "while compiling this")
        .help("this is a bug in iamc; please report it with the input that caused it")
}
