//! One template: the managed policies of each member, the roles (with trust
//! policy and instance profile), the users (with their groups), standalone
//! managed policies of a `stack`, the CloudFormation parameters they use, and
//! an exported output for every ARN.

use super::yaml::Writer;
use crate::ast::{Param, Principal};
use crate::config::Config;
use crate::iam::policy::Condition;
use crate::lower::{Lowered, LoweredProgram};
use crate::model::{self, TrustStatement, Value, document_json};
pub use crate::plan::Kind;
use crate::plan::flatten::Grants;
use crate::plan::names::{Names, logical_id};
use crate::plan::split::Part;
use crate::vars::{self, Params};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Everything needed to render one member of a template: a principal, or a
/// stack's standalone policy.
pub struct PrincipalPlan<'a> {
    pub kind: Kind,
    pub source: &'a str,
    pub doc: Option<&'a str>,
    pub principal: &'a Principal,
    pub parts: &'a [Part],
    pub grants: &'a Grants,
    pub trust: Option<&'a [TrustStatement]>,
}

/// A template: one principal's, or a `stack`'s with all its members.
pub struct StackPlan<'a> {
    /// The principal's or the stack's name.
    pub source: &'a str,
    pub doc: Option<&'a str>,
    pub is_stack: bool,
    pub members: Vec<PrincipalPlan<'a>>,
    pub params: &'a Params,
    /// Every declared param, by name, for the `Parameters` section.
    pub param_decls: &'a [(&'a str, &'a Param)],
}

/// Which resources a rendering writes, and with which attributes.
#[derive(Clone, Copy, Debug)]
pub enum Mode<'a> {
    /// What `iamc build` writes: every resource, retained when the settings
    /// say so (`deletion_policy: retain`), and an output for every ARN.
    Build { retain: bool },
    /// A template for a CloudFormation resource import (`iamc adopt`): only
    /// the resources whose logical IDs are in `these`, each retained (an
    /// import requires a `DeletionPolicy` on every resource it imports),
    /// references to the others left out, and no outputs (an import may not
    /// add any).
    Import { these: &'a BTreeSet<String> },
}

impl Mode<'_> {
    /// Whether the resource `logical` is written.
    fn writes(&self, logical: &str) -> bool {
        match self {
            Mode::Build { .. } => true,
            Mode::Import { these } => these.contains(logical),
        }
    }

    fn retains(&self) -> bool {
        match self {
            Mode::Build { retain } => *retain,
            Mode::Import { .. } => true,
        }
    }
}

/// One resource of a template: what `iamc adopt` names in a resource import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    pub logical: String,
    /// `AWS::IAM::Role`, ...
    pub kind: &'static str,
    /// Its IAM name.
    pub name: String,
    pub path: String,
    /// A managed policy's `Description`.
    pub description: Option<String>,
    /// An instance profile's role, by IAM name.
    pub role: Option<String>,
    /// The member it belongs to, as `iamc drift` names it: `role`, `user`
    /// or `policy`, and its IAM name.
    pub member: (&'static str, String),
}

/// What the manifest says of one template.
#[derive(Clone, Debug, Serialize)]
pub struct ManifestTemplate {
    pub file: String,
    pub principals: Vec<ManifestPrincipal>,
    /// A stack's standalone managed policies.
    pub policies: Vec<ManifestPolicy>,
    pub parameters: Vec<String>,
    /// Output names (`{LogicalId}Arn`); each is exported as
    /// `${AWS::StackName}-{name}`.
    pub exports: Vec<String>,
    pub outputs: Vec<ManifestOutput>,
}

/// One output of a template: an exported ARN.
#[derive(Clone, Debug, Serialize)]
pub struct ManifestOutput {
    pub name: String,
    pub description: String,
    /// The CloudFormation type of the resource whose ARN it holds.
    pub resource_type: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct ManifestPrincipal {
    pub kind: Kind,
    pub source: String,
    pub name: String,
    pub path: String,
    pub group: Option<String>,
    pub instance_profile: Option<String>,
    pub trust_policy: Option<serde_json::Value>,
    pub aws_managed_policies: Vec<String>,
    pub managed_policies: Vec<ManifestPolicy>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ManifestPolicy {
    pub name: String,
    pub path: String,
    /// Characters as IAM counts them, deploy-time values at their longest.
    pub size: usize,
    pub document: serde_json::Value,
}

/// How an output gets a resource's ARN: a managed policy's `!Ref` is its ARN;
/// the others' is `!GetAtt X.Arn`.
enum Arn {
    Ref(String),
    GetAtt(String),
}

/// What both the template and the manifest need to know of a principal.
struct Facts {
    names: Names,
    path: String,
    aws_managed: Vec<Value>,
    principal_logical: String,
    group_logical: String,
    instance_profile_logical: Option<String>,
}

impl Facts {
    fn new(plan: &PrincipalPlan, config: &Config, params: &Params) -> Facts {
        let names = Names::new(plan.kind, plan.source, plan.parts, &config.naming);
        let p = plan.principal;
        let mut aws_managed: Vec<Value> = p
            .managed
            .iter()
            .map(|s| Value::with_params(&s.value, params))
            .collect();
        aws_managed.sort();
        aws_managed.dedup();
        Facts {
            path: p
                .path
                .as_ref()
                .map(|s| s.value.clone())
                .unwrap_or_else(|| "/".into()),
            aws_managed,
            principal_logical: logical_id(&names.principal),
            group_logical: logical_id(&names.group),
            instance_profile_logical: (plan.kind == Kind::Role && p.instance_profile.is_some())
                .then(|| logical_id(&names.instance_profile)),
            names,
        }
    }

    /// Every exported output: (logical ID, what it is, its value), in template order.
    fn outputs(&self, plan: &PrincipalPlan) -> Vec<(String, String, Arn)> {
        let mut out = Vec::new();
        for name in &self.names.policies {
            let logical = logical_id(name);
            out.push((
                logical.clone(),
                format!("managed policy {name}"),
                Arn::Ref(logical),
            ));
        }
        if plan.kind == Kind::User {
            let what = format!("group {}", self.names.group);
            out.push((
                self.group_logical.clone(),
                what,
                Arn::GetAtt(self.group_logical.clone()),
            ));
        }
        if plan.kind != Kind::Policy {
            let what = format!("{} {}", plan.kind.word(), self.names.principal);
            out.push((
                self.principal_logical.clone(),
                what,
                Arn::GetAtt(self.principal_logical.clone()),
            ));
        }
        if let Some(logical) = &self.instance_profile_logical {
            let what = format!("instance profile {}", self.names.instance_profile);
            out.push((logical.clone(), what, Arn::GetAtt(logical.clone())));
        }
        out
    }
}

/// `- value`: `!Sub` when it holds deploy-time values.
fn value_item(w: &mut Writer, at: usize, v: &Value) {
    if v.sub {
        w.item_tagged(at, "!Sub", &v.sub_text());
    } else {
        w.item(at, &v.text);
    }
}

/// `key: value`: `!Sub` when it holds deploy-time values.
fn value_entry(w: &mut Writer, at: usize, key: &str, v: &Value) {
    if v.sub {
        w.tagged(at, key, "!Sub", &v.sub_text());
    } else {
        w.str(at, key, &v.text);
    }
}

/// `key:` and its values below it (`key: []` when there are none).
fn values(w: &mut Writer, at: usize, key: &str, list: &[Value]) {
    if list.is_empty() {
        return w.empty(at, key, false);
    }
    w.open(at, key);
    for v in list {
        value_item(w, at + 2, v);
    }
}

/// `key:` and its strings below it (`key: []` when there are none).
fn strings(w: &mut Writer, at: usize, key: &str, list: &[String]) {
    if list.is_empty() {
        return w.empty(at, key, false);
    }
    w.open(at, key);
    for s in list {
        w.item(at + 2, s);
    }
}

/// `Condition:` with its operators, their keys and values.
fn conditions(w: &mut Writer, at: usize, conditions: &[Condition<Value>]) {
    if conditions.is_empty() {
        return w.empty(at, "Condition", true);
    }
    w.open(at, "Condition");
    for block in model::condition_blocks(conditions) {
        w.open(at + 2, &block[0].operator);
        for c in block {
            values(w, at + 4, &c.key, &c.values);
        }
    }
}

/// A statement as a sequence item at `at`, with comments naming its policy
/// (and the others it stands for), its doc and its justification.
fn statement(w: &mut Writer, at: usize, l: &Lowered, also: Option<&Vec<String>>) {
    let s = &l.statement;
    let mut comment = format!("policy {}", l.origin.policy);
    if let Some(others) = also {
        comment.push_str(" (also granted as ");
        comment.push_str(&others.join(", "));
        comment.push(')');
    }
    if let Some(doc) = &l.origin.doc {
        comment.push_str(": ");
        comment.push_str(doc);
    }
    w.comment(at, &comment);
    if let Some(because) = &l.origin.because {
        w.comment(at, &format!("because: {because}"));
    }
    w.item_str(at, "Sid", &l.sid);
    w.str(at + 2, "Effect", s.effect.as_str());
    strings(w, at + 2, model::action_key(s), &s.actions);
    values(w, at + 2, model::resource_key(s), &s.resources);
    if !s.conditions.is_empty() {
        conditions(w, at + 2, &s.conditions);
    }
}

/// A trust policy statement as a sequence item at `at`.
fn trust_statement(w: &mut Writer, at: usize, t: &TrustStatement) {
    w.item_str(at, "Sid", &t.sid);
    w.str(at + 2, "Effect", "Allow");
    w.open(at + 2, "Principal");
    values(w, at + 4, t.principal_kind, &t.principals);
    if t.session_actions.is_empty() {
        w.str(at + 2, "Action", t.action);
    } else {
        w.open(at + 2, "Action");
        for action in t.actions() {
            w.item(at + 4, action);
        }
    }
    if !t.conditions.is_empty() {
        conditions(w, at + 2, &t.conditions);
    }
}

/// A statement as it stands in every template (indented under `Statement:`),
/// rendered once however many principals hold it.
pub fn statement_fragment(l: &Lowered) -> Arc<str> {
    let mut w = Writer::with_capacity(l.size * 2);
    statement(&mut w, STATEMENT_INDENT, l, None);
    w.finish().into()
}

/// Columns before a policy statement's `- Sid:` in a template.
const STATEMENT_INDENT: usize = 10;

/// A resource's first lines: `Logical:`, its `Type`, the retain policies
/// if `mode` retains, and `Properties:`.
fn resource(w: &mut Writer, mode: Mode, logical: &str, kind: &str) {
    w.open(2, logical);
    w.str(4, "Type", kind);
    if mode.retains() {
        w.str(4, "DeletionPolicy", "Retain");
        w.str(4, "UpdateReplacePolicy", "Retain");
    }
    w.open(4, "Properties");
}

/// A managed policy's `Description`.
fn policy_description(plan: &PrincipalPlan, part: &Part) -> String {
    match plan.kind {
        Kind::Policy => plan
            .doc
            .map(crate::iam::description::safe)
            .unwrap_or_else(|| format!("Managed policy {}, generated by iamc", plan.source)),
        _ => format!(
            "{} permissions of {} {}, generated by iamc",
            part.name,
            plan.kind.word(),
            plan.source
        ),
    }
}

/// A member's managed policies, then its role (with instance profile) or its
/// user (with group): those `mode` writes.
fn member_resources(
    w: &mut Writer,
    mode: Mode,
    plan: &PrincipalPlan,
    facts: &Facts,
    lowered: &LoweredProgram,
    fragments: &super::Fragments,
    params: &Params,
) {
    for (part, name) in plan.parts.iter().zip(&facts.names.policies) {
        let logical = logical_id(name);
        if !mode.writes(&logical) {
            continue;
        }
        resource(w, mode, &logical, "AWS::IAM::ManagedPolicy");
        w.str(6, "ManagedPolicyName", name);
        w.str(6, "Description", &policy_description(plan, part));
        w.str(6, "Path", "/");
        let holder = match plan.kind {
            Kind::Role => Some(("Roles", &facts.principal_logical)),
            Kind::User => Some(("Groups", &facts.group_logical)),
            Kind::Policy => None,
        };
        if let Some((key, holder)) = holder.filter(|(_, l)| mode.writes(l)) {
            w.open(6, key);
            w.item_tagged(8, "!Ref", holder);
        }
        w.open(6, "PolicyDocument");
        w.str(8, "Version", "2012-10-17");
        if part.statements.is_empty() {
            w.empty(8, "Statement", false);
            continue;
        }
        w.open(8, "Statement");
        for &i in &part.statements {
            match plan.grants.also.get(&i) {
                Some(also) => statement(w, STATEMENT_INDENT, &lowered.statements[i], Some(also)),
                None => w.verbatim(&fragments[i]),
            }
        }
    }
    if plan.kind != Kind::Policy {
        principal_resources(w, mode, plan, facts, params);
    }
}

/// The role (and instance profile) or the user (and group) of a principal:
/// those `mode` writes.
fn principal_resources(
    w: &mut Writer,
    mode: Mode,
    plan: &PrincipalPlan,
    facts: &Facts,
    params: &Params,
) {
    if plan.kind == Kind::User && mode.writes(&facts.group_logical) {
        resource(w, mode, &facts.group_logical, "AWS::IAM::Group");
        w.str(6, "GroupName", &facts.names.group);
        w.str(6, "Path", &facts.path);
    }
    if mode.writes(&facts.principal_logical) {
        principal_resource(w, mode, plan, facts, params);
    }
    if let Some(logical) = facts
        .instance_profile_logical
        .as_ref()
        .filter(|l| mode.writes(l))
    {
        resource(w, mode, logical, "AWS::IAM::InstanceProfile");
        w.str(6, "InstanceProfileName", &facts.names.instance_profile);
        w.str(6, "Path", &facts.path);
        w.open(6, "Roles");
        w.item_tagged(8, "!Ref", &facts.principal_logical);
    }
}

/// The `AWS::IAM::Role` or `AWS::IAM::User` itself.
fn principal_resource(
    w: &mut Writer,
    mode: Mode,
    plan: &PrincipalPlan,
    facts: &Facts,
    params: &Params,
) {
    let p = plan.principal;
    let (principal_type, name_key) = match plan.kind {
        Kind::Role => ("AWS::IAM::Role", "RoleName"),
        _ => ("AWS::IAM::User", "UserName"),
    };
    resource(w, mode, &facts.principal_logical, principal_type);
    w.str(6, name_key, &facts.names.principal);
    if plan.kind == Kind::Role {
        // A `description` is checked; a `///` doc comment is made safe.
        let description = match &p.description {
            Some(d) => Some(d.value.clone()),
            None => plan.doc.map(crate::iam::description::safe),
        };
        if let Some(d) = description {
            w.str(6, "Description", &d);
        }
    }
    w.str(6, "Path", &facts.path);
    if let Some(trust) = plan.trust {
        w.open(6, "AssumeRolePolicyDocument");
        w.str(8, "Version", "2012-10-17");
        if trust.is_empty() {
            w.empty(8, "Statement", false);
        } else {
            w.open(8, "Statement");
            for t in trust {
                trust_statement(w, STATEMENT_INDENT, t);
            }
        }
    }
    if plan.kind == Kind::User && mode.writes(&facts.group_logical) {
        w.open(6, "Groups");
        w.item_tagged(8, "!Ref", &facts.group_logical);
    }
    if !facts.aws_managed.is_empty() {
        values(w, 6, "ManagedPolicyArns", &facts.aws_managed);
    }
    if let Some(b) = &p.boundary {
        value_entry(
            w,
            6,
            "PermissionsBoundary",
            &Value::with_params(&b.value, params),
        );
    }
    if let Some(seconds) = p.max_session.map(|n| n.node) {
        w.int(6, "MaxSessionDuration", seconds);
    }
    if !p.tags.is_empty() {
        let mut tags: Vec<(&str, &str)> = p
            .tags
            .iter()
            .map(|(k, v)| (k.value.as_str(), v.value.as_str()))
            .collect();
        tags.sort();
        w.open(6, "Tags");
        for (k, v) in tags {
            w.item_str(8, "Key", k);
            value_entry(w, 10, "Value", &Value::with_params(v, params));
        }
    }
}

/// The declared params a template's strings use, sorted.
pub fn used_params(stack: &StackPlan, lowered: &LoweredProgram) -> Vec<String> {
    let mut used = BTreeSet::new();
    let note = |used: &mut BTreeSet<String>, v: &Value| {
        if v.sub {
            used.extend(vars::param_names(&v.text).map(str::to_string));
        }
    };
    for member in &stack.members {
        for part in member.parts {
            for &i in &part.statements {
                used.extend(lowered.statements[i].params.iter().cloned());
            }
        }
        for t in member.trust.unwrap_or(&[]) {
            let conditions = t.conditions.iter().flat_map(|c| &c.values);
            for v in t.principals.iter().chain(conditions) {
                note(&mut used, v);
            }
        }
        let p = member.principal;
        let tags = p.tags.iter().map(|(_, v)| v);
        for s in p.managed.iter().chain(p.boundary.iter()).chain(tags) {
            note(&mut used, &Value::with_params(&s.value, stack.params));
        }
    }
    used.into_iter().collect()
}

/// The `Parameters` section: each used param as a String with its `MaxLength`
/// (the length iamc counted it at).
fn parameters(w: &mut Writer, used: &[String], stack: &StackPlan) {
    let mut opened = false;
    for name in used {
        let Some((_, param)) = stack.param_decls.iter().find(|(n, _)| n == name) else {
            continue;
        };
        let Some(max) = stack.params.max_length(name) else {
            continue;
        };
        if !opened {
            w.open(0, "Parameters");
            opened = true;
        }
        w.open(2, name);
        w.str(4, "Type", "String");
        if let Some(d) = &param.description {
            w.str(4, "Description", &d.value);
        }
        if let Some(d) = &param.default {
            w.str(4, "Default", &d.value);
        }
        w.int(4, "MaxLength", max as u64);
    }
}

/// Renders a template as `mode` says. `fragments` holds each lowered
/// statement's rendering ([`statement_fragment`]).
pub fn render_yaml(
    stack: &StackPlan,
    lowered: &LoweredProgram,
    fragments: &super::Fragments,
    config: &Config,
    mode: Mode,
) -> String {
    let facts: Vec<Facts> = stack
        .members
        .iter()
        .map(|m| Facts::new(m, config, stack.params))
        .collect();
    let statements: usize = stack
        .members
        .iter()
        .flat_map(|m| m.parts)
        .map(|p| p.size)
        .sum();
    let mut w = Writer::with_capacity(statements * 5 / 2 + 2048 * stack.members.len() + 1024);
    w.verbatim(super::BANNER);
    w.verbatim("\n");
    if let Mode::Import { .. } = mode {
        w.comment(
            0,
            "For a CloudFormation resource import (written by `iamc adopt`): the resources that exist\nalready, retained; the template iamc build writes is deployed after it.",
        );
    }
    w.str(0, "AWSTemplateFormatVersion", "2010-09-09");
    let what = match stack.members.first() {
        Some(m) if !stack.is_stack => m.kind.word(),
        _ => "stack",
    };
    let mut description = format!("IAM {what} {}, generated by iamc", stack.source);
    if let Some(doc) = stack.doc.and_then(|d| d.lines().next()) {
        description.push_str(": ");
        description.push_str(&crate::iam::description::safe(doc));
    }
    if description.chars().count() > 1024 {
        description = description.chars().take(1024).collect();
    }
    w.str(0, "Description", &description);
    parameters(&mut w, &used_params(stack, lowered), stack);
    let has_resources = match mode {
        Mode::Build { .. } => stack
            .members
            .iter()
            .any(|m| m.kind != Kind::Policy || !m.parts.is_empty()),
        Mode::Import { these } => !these.is_empty(),
    };
    if has_resources {
        w.open(0, "Resources");
    } else {
        w.empty(0, "Resources", true);
    }
    for (member, facts) in stack.members.iter().zip(&facts) {
        member_resources(
            &mut w,
            mode,
            member,
            facts,
            lowered,
            fragments,
            stack.params,
        );
    }
    if let Mode::Import { .. } = mode {
        return w.finish();
    }
    let outputs: Vec<(String, String, Arn)> = stack
        .members
        .iter()
        .zip(&facts)
        .flat_map(|(member, facts)| facts.outputs(member))
        .collect();
    if outputs.is_empty() {
        w.empty(0, "Outputs", true);
    }
    for (i, (logical, what, arn)) in outputs.iter().enumerate() {
        if i == 0 {
            w.open(0, "Outputs");
        }
        let id = format!("{logical}Arn");
        w.open(2, &id);
        w.str(4, "Description", &format!("ARN of {what}"));
        match arn {
            Arn::Ref(logical) => w.tagged(4, "Value", "!Ref", logical),
            Arn::GetAtt(logical) => w.tagged(4, "Value", "!GetAtt", &format!("{logical}.Arn")),
        }
        w.open(4, "Export");
        w.tagged(6, "Name", "!Sub", &format!("${{AWS::StackName}}-{id}"));
    }
    w.finish()
}

/// The resource type an output's description names.
fn resource_type(what: &str) -> &'static str {
    match what.split(' ').next() {
        Some("role") => "AWS::IAM::Role",
        Some("user") => "AWS::IAM::User",
        Some("group") => "AWS::IAM::Group",
        Some("instance") => "AWS::IAM::InstanceProfile",
        _ => "AWS::IAM::ManagedPolicy",
    }
}

fn manifest_policies(
    plan: &PrincipalPlan,
    names: &[String],
    lowered: &LoweredProgram,
) -> Vec<ManifestPolicy> {
    plan.parts
        .iter()
        .zip(names)
        .map(|(part, name)| {
            let docs: Vec<serde_json::Value> = part
                .statements
                .iter()
                .map(|&i| lowered.statements[i].json())
                .collect();
            ManifestPolicy {
                name: name.clone(),
                path: "/".into(),
                size: part.size,
                document: document_json(&docs),
            }
        })
        .collect()
}

/// Every resource of a template, in the order it writes them.
pub fn resources(stack: &StackPlan, config: &Config) -> Vec<Resource> {
    let mut out = Vec::new();
    for plan in &stack.members {
        let facts = Facts::new(plan, config, stack.params);
        let member = |name: &str| (plan.kind.word(), name.to_string());
        let own = member(&facts.names.principal);
        let resource = |logical: &str, kind: &'static str, name: &str, path: &str| Resource {
            logical: logical.to_string(),
            kind,
            name: name.to_string(),
            path: path.to_string(),
            description: None,
            role: None,
            member: own.clone(),
        };
        for (part, name) in plan.parts.iter().zip(&facts.names.policies) {
            out.push(Resource {
                description: Some(policy_description(plan, part)),
                member: match plan.kind {
                    Kind::Policy => member(name),
                    _ => own.clone(),
                },
                ..resource(&logical_id(name), "AWS::IAM::ManagedPolicy", name, "/")
            });
        }
        match plan.kind {
            Kind::Role => {
                out.push(resource(
                    &facts.principal_logical,
                    "AWS::IAM::Role",
                    &facts.names.principal,
                    &facts.path,
                ));
                if let Some(logical) = &facts.instance_profile_logical {
                    out.push(Resource {
                        role: Some(facts.names.principal.clone()),
                        ..resource(
                            logical,
                            "AWS::IAM::InstanceProfile",
                            &facts.names.instance_profile,
                            &facts.path,
                        )
                    });
                }
            }
            Kind::User => {
                out.push(resource(
                    &facts.group_logical,
                    "AWS::IAM::Group",
                    &facts.names.group,
                    &facts.path,
                ));
                out.push(resource(
                    &facts.principal_logical,
                    "AWS::IAM::User",
                    &facts.names.principal,
                    &facts.path,
                ));
            }
            Kind::Policy => {}
        }
    }
    out
}

/// What a template grants, as data.
pub fn manifest(
    stack: &StackPlan,
    lowered: &LoweredProgram,
    config: &Config,
    file: &str,
) -> ManifestTemplate {
    let mut principals = Vec::new();
    let mut policies = Vec::new();
    let mut outputs = Vec::new();
    for plan in &stack.members {
        let facts = Facts::new(plan, config, stack.params);
        outputs.extend(
            facts
                .outputs(plan)
                .into_iter()
                .map(|(logical, what, _)| ManifestOutput {
                    name: format!("{logical}Arn"),
                    resource_type: resource_type(&what),
                    description: format!("ARN of {what}"),
                }),
        );
        let managed_policies = manifest_policies(plan, &facts.names.policies, lowered);
        if plan.kind == Kind::Policy {
            policies.extend(managed_policies);
            continue;
        }
        let trust_policy = plan.trust.map(|trust| {
            let statements: Vec<serde_json::Value> =
                trust.iter().map(TrustStatement::to_json).collect();
            json!({"Version": "2012-10-17", "Statement": statements})
        });
        principals.push(ManifestPrincipal {
            kind: plan.kind,
            source: plan.source.to_string(),
            name: facts.names.principal.clone(),
            path: facts.path.clone(),
            group: (plan.kind == Kind::User).then(|| facts.names.group.clone()),
            instance_profile: facts
                .instance_profile_logical
                .as_ref()
                .map(|_| facts.names.instance_profile.clone()),
            trust_policy,
            aws_managed_policies: facts.aws_managed.iter().map(|v| v.text.clone()).collect(),
            managed_policies,
        });
    }
    ManifestTemplate {
        file: file.to_string(),
        principals,
        policies,
        parameters: used_params(stack, lowered),
        exports: outputs.iter().map(|o| o.name.clone()).collect(),
        outputs,
    }
}
