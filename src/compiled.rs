//! The result of a build: the program, its IAM statements and the plan of
//! every template, built once; the queries that render templates and the
//! manifest from it.

use crate::ast::{self, DeclKind};
use crate::config::Config;
use crate::diagnostics::Diagnostics;
use crate::id::IdVec;
use crate::lower::{self, StatementId};
use crate::plan::{self, Kind, Member, Plan, split};
use crate::render::template::{self, ManifestTemplate, PrincipalPlan, StackPlan};
use crate::resolve;
use serde::Serialize;

/// A successful compilation: every template planned (statements flattened
/// and split), ready to render. Rendering cannot fail, so a build that gets
/// this far has no error left to find.
pub struct Compiled {
    program: resolve::Program,
    lowered: lower::LoweredProgram,
    config: Config,
    plans: Vec<Plan>,
    /// Each lowered statement that a template holds, rendered once.
    fragments: crate::render::Fragments,
    /// Every declared param, for the templates' `Parameters`.
    param_decls: Vec<(resolve::DeclId, String)>,
    /// Warnings (a successful build has no errors).
    pub diagnostics: Diagnostics,
}

/// What iamc computed, as data: every template, principal and document.
#[derive(Debug, Serialize)]
pub struct Manifest {
    pub templates: Vec<ManifestTemplate>,
}

impl Compiled {
    /// The build's result, from the plan (no warnings yet).
    pub(crate) fn new(
        program: resolve::Program,
        lowered: lower::LoweredProgram,
        config: &Config,
        plans: Vec<Plan>,
        fragments: crate::render::Fragments,
    ) -> Compiled {
        let param_decls = program
            .decls
            .iter_enumerated()
            .filter(|(_, d)| matches!(d.kind, DeclKind::Param(_)))
            .map(|(id, d)| (id, d.name.name.clone()))
            .collect();
        Compiled {
            program,
            lowered,
            config: config.clone(),
            plans,
            fragments,
            param_decls,
            diagnostics: Diagnostics::new(),
        }
    }

    pub(crate) fn with_warnings(self, diagnostics: Diagnostics) -> Compiled {
        Compiled {
            diagnostics,
            ..self
        }
    }

    /// CloudFormation's limits on each template (large ones are rendered to
    /// be measured).
    pub(crate) fn stack_limits(&self) -> Vec<crate::diagnostics::Diagnostic> {
        plan::limits::stack_limits(&self.program, &self.plans, |i| self.render(i).1.len())
    }

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
    pub fn principals(&self) -> impl Iterator<Item = (resolve::DeclId, &plan::flatten::Grants)> {
        self.members()
            .filter(|m| m.kind != Kind::Policy)
            .map(|m| (m.decl, &m.grants))
    }

    /// Each principal and standalone stack policy with its managed policies, as split.
    pub fn managed_policies(&self) -> impl Iterator<Item = (resolve::DeclId, &[split::Part])> {
        self.members().map(|m| (m.decl, m.parts.as_slice()))
    }

    /// The principals and standalone policies of template `i`: declaration,
    /// kind, the statements granted, and the role's trust declaration.
    pub fn template_members(
        &self,
        i: usize,
    ) -> impl Iterator<
        Item = (
            resolve::DeclId,
            Kind,
            &plan::flatten::Grants,
            Option<resolve::DeclId>,
        ),
    > {
        self.plans[i]
            .members
            .iter()
            .map(|m| (m.decl, m.kind, &m.grants, m.trust))
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

    /// What stands for each statement fragment in [`Compiled::fingerprint`]:
    /// a line holding the BLAKE3 digest of its text. Computed once, on every
    /// core.
    pub fn fragment_digests(&self) -> IdVec<StatementId, std::sync::Arc<str>> {
        IdVec::from_vec(crate::par::map(self.fragments.as_slice(), |f| {
            if f.is_empty() {
                return f.clone();
            }
            format!("\u{0}{}\n", blake3::hash(f.as_bytes()).to_hex()).into()
        }))
    }

    /// (file name, BLAKE3 digest) of template `i`, without rendering it whole:
    /// the digest of its text with each statement fragment (copied verbatim
    /// by the renderer) replaced by that fragment's digest (`digests`, from
    /// [`Compiled::fragment_digests`]). Two templates whose texts differ
    /// differ in that skeleton or in a fragment it names, so their
    /// fingerprints differ; equal texts give equal fingerprints.
    pub fn fingerprint(
        &self,
        i: usize,
        digests: &IdVec<StatementId, std::sync::Arc<str>>,
    ) -> (String, [u8; blake3::OUT_LEN]) {
        let plan = &self.plans[i];
        let params = self.param_decls();
        let skeleton = template::render_yaml(
            &self.stack_plan(plan, &params),
            &self.lowered,
            digests,
            &self.config,
        );
        (
            plan.file.clone(),
            *blake3::hash(skeleton.as_bytes()).as_bytes(),
        )
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

    /// The manifest of the templates named in `files` (others left out).
    pub fn manifest_of(&self, files: &[&String]) -> Vec<ManifestTemplate> {
        (0..self.len())
            .filter(|&i| files.iter().any(|f| f.as_str() == self.plans[i].file))
            .map(|i| self.manifest_template(i))
            .collect()
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
