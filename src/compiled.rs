//! The result of a build: the program, its IAM statements and the plan of
//! every template, built once; the queries that render templates and the
//! manifest from it.

use crate::ast::{self, DeclKind};
use crate::config::{Config, Naming};
use crate::diagnostics::Diagnostics;
use crate::iam::policy::{Effect, PolicySet, Principal, PrincipalKind, Statement};
use crate::id::IdVec;
use crate::lower::{self, StatementId};
use crate::model::TrustStatement;
use crate::plan::{self, Kind, Member, Plan, split};
use crate::render::template::{self, ManifestTemplate, PrincipalPlan, StackPlan};
use crate::resolve::{self, DeclId};
use serde::Serialize;
use std::collections::BTreeMap;

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
    /// `${Name}` of each param with a default, and that default: what is
    /// deployed unless the deployer overrides it.
    param_defaults: BTreeMap<String, String>,
    /// Where each principal and standalone policy is planned: (template, member).
    members: IdVec<DeclId, Option<(u32, u32)>>,
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
        let param_defaults = program
            .decls
            .iter()
            .filter_map(|d| match &d.kind {
                DeclKind::Param(p) => p
                    .default
                    .as_ref()
                    .map(|v| (d.name.name.clone(), v.value.clone())),
                _ => None,
            })
            .collect();
        let mut members = IdVec::filled(None, program.decls.len());
        for (t, plan) in plans.iter().enumerate() {
            for (m, member) in plan.members.iter().enumerate() {
                members[member.decl] = Some((t as u32, m as u32));
            }
        }
        Compiled {
            program,
            lowered,
            config: config.clone(),
            plans,
            fragments,
            param_decls,
            param_defaults,
            members,
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

    /// The trust of a role: the declaration it is written in (a `trust`, or
    /// the role itself for an inline one) and its statements. `None` for
    /// anything but a role.
    pub fn trust(&self, role: DeclId) -> Option<(DeclId, &[TrustStatement])> {
        if !matches!(self.program.decls[role].kind, DeclKind::Role(_)) {
            return None;
        }
        let written = self.program.trust[role].unwrap_or(role);
        let statements = self.lowered.trusts.get(&written)?;
        Some((written, statements))
    }

    /// Everything that decides what a role, a user or a standalone policy
    /// may do, in the terms of [`crate::iam::eval`]: the statements it is
    /// granted, its user name and tags, its boundary and the AWS managed
    /// policies it attaches, params at their defaults. `None` for a
    /// declaration no template holds.
    pub fn policy_set(&self, member: DeclId) -> Option<PolicySet> {
        let (t, m) = self.members[member]?;
        let Member { kind, grants, .. } = &self.plans[t as usize].members[m as usize];
        let decl = &self.program.decls[member];
        let (kind, principal) = match (&decl.kind, kind) {
            (DeclKind::Role(p), Kind::Role) => (PrincipalKind::Role, Some(p)),
            (DeclKind::User(p), Kind::User) => (PrincipalKind::User, Some(p)),
            _ => (PrincipalKind::Anyone, None),
        };
        let deployed = |text: &str| self.deployed(text);
        let statements = grants
            .statements
            .iter()
            .map(|&i| {
                let l = &self.lowered.statements[i];
                (
                    l.origin.policy.clone(),
                    l.statement.map(|v| deployed(&v.text)),
                )
            })
            .collect();
        let user_name = (kind == PrincipalKind::User)
            .then(|| Naming::apply(&self.config.naming.user, &decl.name.name, ""));
        let tags = principal
            .iter()
            .flat_map(|p| &p.tags)
            .map(|(k, v)| (k.value.clone(), deployed(&v.value)))
            .collect();
        Some(PolicySet {
            principal: Principal {
                kind,
                user_name,
                tags,
            },
            statements,
            boundary: principal
                .and_then(|p| p.boundary.as_ref())
                .map(|b| deployed(&b.value)),
            unseen: principal
                .iter()
                .flat_map(|p| &p.managed)
                .map(|m| deployed(&m.value))
                .collect(),
        })
    }

    /// Who may assume a role, in the terms of [`crate::iam::eval`]: Allows
    /// of the assume action on the trusted principals (each a "resource",
    /// [`crate::iam::trust::as_resource`]), with the session actions each
    /// statement allows besides (`sts:TagSession`, ...), params at their
    /// defaults. `None` for anything but a role.
    pub fn trust_set(&self, role: DeclId) -> Option<PolicySet> {
        let (written, trust) = self.trust(role)?;
        let origin = &self.program.decls[written].name.name;
        let deployed = |text: &str| self.deployed(text);
        let statements = trust
            .iter()
            .map(|t| {
                let statement = Statement {
                    effect: Effect::Allow,
                    not_action: false,
                    actions: t.actions().map(str::to_string).collect(),
                    not_resource: false,
                    resources: t
                        .principals
                        .iter()
                        .map(|p| {
                            crate::iam::trust::as_resource(t.principal_kind, &deployed(&p.text))
                        })
                        .collect(),
                    conditions: t
                        .conditions
                        .iter()
                        .map(|c| c.map(|v| deployed(&v.text)))
                        .collect(),
                };
                (origin.clone(), statement)
            })
            .collect();
        Some(PolicySet {
            principal: Principal::anyone(),
            statements,
            boundary: None,
            unseen: Vec::new(),
        })
    }

    /// `${Name}` of each param with a default, and that default: what is
    /// deployed unless the deployer overrides it.
    pub fn param_defaults(&self) -> &BTreeMap<String, String> {
        &self.param_defaults
    }

    /// A string as deployed: params replaced by their defaults.
    fn deployed(&self, text: &str) -> String {
        if !text.contains("${") {
            return text.to_string();
        }
        let mut out = text.to_string();
        for (name, value) in &self.param_defaults {
            out = out.replace(&format!("${{{name}}}"), value);
        }
        out
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
    /// kind and the statements granted.
    pub fn template_members(
        &self,
        i: usize,
    ) -> impl Iterator<Item = (DeclId, Kind, &plan::flatten::Grants)> {
        self.plans[i]
            .members
            .iter()
            .map(|m| (m.decl, m.kind, &m.grants))
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
            trust: self.trust(member.decl).map(|(_, statements)| statements),
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

    /// How `iamc build` renders.
    fn build_mode(&self) -> template::Mode<'static> {
        template::Mode::Build {
            retain: self.config.deletion_policy == crate::config::DeletionPolicy::Retain,
        }
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
            self.build_mode(),
        );
        (plan.file.clone(), text)
    }

    /// Template `i` for a CloudFormation resource import of the resources
    /// whose logical IDs are in `these` (see [`template::Mode::Import`]).
    pub fn render_import(&self, i: usize, these: &std::collections::BTreeSet<String>) -> String {
        let plan = &self.plans[i];
        let params = self.param_decls();
        template::render_yaml(
            &self.stack_plan(plan, &params),
            &self.lowered,
            &self.fragments,
            &self.config,
            template::Mode::Import { these },
        )
    }

    /// Every resource of template `i`, in the order it is written.
    pub fn resources(&self, i: usize) -> Vec<template::Resource> {
        let plan = &self.plans[i];
        let params = self.param_decls();
        template::resources(&self.stack_plan(plan, &params), &self.config)
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
            self.build_mode(),
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
