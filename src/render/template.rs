//! One template: the managed policies of each member, the roles (with trust
//! policy and instance profile), the users (with their groups), standalone
//! managed policies of a `stack`, the CloudFormation parameters they use, and
//! an exported output for every ARN.

use super::yaml::{self, Item, Node};
use crate::ast::{Param, Principal};
use crate::config::{Config, Naming};
use crate::flatten::Grants;
use crate::lower::{Lowered, LoweredProgram};
use crate::model::{ConditionBlock, TrustStatement, Value, document_json};
use crate::split::Part;
use crate::vars::{self, Params};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::Arc;

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

/// Everything needed to render one member of a template: a principal, or a
/// stack's standalone policy.
pub struct PrincipalPlan<'a> {
    pub kind: Kind,
    pub source: &'a str,
    pub doc: Option<&'a str>,
    pub principal: &'a Principal,
    pub parts: Vec<Part>,
    pub grants: Grants,
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

/// Resource names of a member, after the naming patterns.
pub struct Names {
    pub principal: String,
    pub instance_profile: String,
    pub group: String,
    pub policies: Vec<String>,
}

impl Names {
    pub fn new(plan: &PrincipalPlan, naming: &Naming) -> Names {
        let name = plan.source;
        let principal_pattern = match plan.kind {
            Kind::Role => &naming.role,
            Kind::User => &naming.user,
            Kind::Policy => &naming.stack_policy,
        };
        let policies = match plan.kind {
            // A standalone policy that fits one part keeps its plain name.
            Kind::Policy if plan.parts.len() == 1 => {
                vec![Naming::apply(&naming.stack_policy, name, "")]
            }
            Kind::Policy => plan
                .parts
                .iter()
                .map(|p| Naming::apply(&naming.stack_policy, name, &p.name))
                .collect(),
            _ => plan
                .parts
                .iter()
                .map(|p| Naming::apply(&naming.managed_policy, name, &p.name))
                .collect(),
        };
        Names {
            principal: Naming::apply(principal_pattern, name, ""),
            instance_profile: Naming::apply(&naming.instance_profile, name, ""),
            group: Naming::apply(&naming.group, name, ""),
            policies,
        }
    }

    /// Every IAM name this member creates, with what it names.
    pub fn all(&self, plan: &PrincipalPlan) -> Vec<(&'static str, &str)> {
        let mut out: Vec<(&'static str, &str)> = self
            .policies
            .iter()
            .map(|n| ("managed policy", n.as_str()))
            .collect();
        match plan.kind {
            Kind::Role => {
                out.push(("role", &self.principal));
                if plan.principal.instance_profile.is_some() {
                    out.push(("instance profile", &self.instance_profile));
                }
            }
            Kind::User => {
                out.push(("user", &self.principal));
                out.push(("group", &self.group));
            }
            Kind::Policy => {}
        }
        out
    }
}

/// A CloudFormation logical ID: the resource name without the characters
/// logical IDs do not allow.
pub fn logical_id(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).collect()
}

fn value(v: &Value) -> Node {
    if v.sub {
        Node::Tagged("!Sub", v.sub_text())
    } else {
        Node::Str(v.text.clone())
    }
}

fn values(list: &[Value]) -> Node {
    Node::Seq(list.iter().map(|v| value(v).into()).collect())
}

fn conditions(blocks: &[ConditionBlock]) -> Node {
    Node::Map(
        blocks
            .iter()
            .map(|b| {
                let keys = b
                    .keys
                    .iter()
                    .map(|(k, v)| (k.clone(), values(v).into()))
                    .collect();
                (b.operator.clone(), Node::Map(keys).into())
            })
            .collect(),
    )
}

/// A statement with comments naming its policy, its doc and its justification.
fn statement(l: &Lowered, also: Option<&Vec<String>>) -> Item {
    let s = &l.statement;
    let mut comment = format!("policy {}", l.origin.policy);
    if let Some(others) = also {
        comment.push_str(&format!(" (also granted as {})", others.join(", ")));
    }
    if let Some(doc) = &l.origin.doc {
        comment.push_str(": ");
        comment.push_str(doc);
    }
    let mut comments = vec![comment];
    if let Some(because) = &l.origin.because {
        comments.push(format!("because: {because}"));
    }
    let mut entries = vec![
        ("Sid", Node::str(&s.sid)),
        ("Effect", Node::str(s.effect.as_str())),
        (
            if s.not_action { "NotAction" } else { "Action" },
            Node::seq(s.actions.iter().map(Node::str)),
        ),
        (
            if s.not_resource {
                "NotResource"
            } else {
                "Resource"
            },
            values(&s.resources),
        ),
    ];
    if !s.conditions.is_empty() {
        entries.push(("Condition", conditions(&s.conditions)));
    }
    Item {
        comments,
        node: Node::map(entries),
    }
}

fn trust_statement(t: &TrustStatement) -> Node {
    let mut entries = vec![
        ("Sid", Node::str(&t.sid)),
        ("Effect", Node::str("Allow")),
        (
            "Principal",
            Node::map(vec![(t.principal_kind, values(&t.principals))]),
        ),
        ("Action", Node::str(t.action)),
    ];
    if !t.conditions.is_empty() {
        entries.push(("Condition", conditions(&t.conditions)));
    }
    Node::map(entries)
}

fn document(statements: Vec<Item>) -> Node {
    Node::map(vec![
        ("Version", Node::str("2012-10-17")),
        ("Statement", Node::Seq(statements)),
    ])
}

fn output(logical: &str, what: &str, value: Node) -> (String, Item) {
    let id = format!("{logical}Arn");
    let node = Node::map(vec![
        ("Description", Node::str(format!("ARN of {what}"))),
        ("Value", value),
        (
            "Export",
            Node::map(vec![(
                "Name",
                Node::Tagged("!Sub", format!("${{AWS::StackName}}-{id}")),
            )]),
        ),
    ]);
    (id, node.into())
}

fn get_att_arn(logical: &str) -> Node {
    Node::Tagged("!GetAtt", format!("{logical}.Arn"))
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
        let names = Names::new(plan, &config.naming);
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
    fn outputs(&self, plan: &PrincipalPlan) -> Vec<(String, String, Node)> {
        let mut out = Vec::new();
        for name in &self.names.policies {
            let logical = logical_id(name);
            out.push((
                logical.clone(),
                format!("managed policy {name}"),
                Node::Tagged("!Ref", logical),
            ));
        }
        if plan.kind == Kind::User {
            let what = format!("group {}", self.names.group);
            out.push((
                self.group_logical.clone(),
                what,
                get_att_arn(&self.group_logical),
            ));
        }
        if plan.kind != Kind::Policy {
            let what = format!("{} {}", plan.kind.word(), self.names.principal);
            out.push((
                self.principal_logical.clone(),
                what,
                get_att_arn(&self.principal_logical),
            ));
        }
        if let Some(logical) = &self.instance_profile_logical {
            let what = format!("instance profile {}", self.names.instance_profile);
            out.push((logical.clone(), what, get_att_arn(logical)));
        }
        out
    }
}

/// A statement as it stands in every template (indented under `Statement:`),
/// rendered once however many principals hold it.
pub fn statement_fragment(l: &Lowered) -> Arc<str> {
    yaml::emit_seq_items(&[statement(l, None)], STATEMENT_INDENT).into()
}

/// Columns before a policy statement's `- Sid:` in a template.
const STATEMENT_INDENT: usize = 10;

/// A member's resources and outputs, appended to the template's.
fn member_resources(
    plan: &PrincipalPlan,
    stack: &StackPlan,
    lowered: &LoweredProgram,
    fragments: &[Arc<str>],
    config: &Config,
    resources: &mut Vec<(String, Item)>,
    outputs: &mut Vec<(String, Item)>,
) {
    let facts = Facts::new(plan, config, stack.params);
    let word = plan.kind.word();
    for (part, name) in plan.parts.iter().zip(&facts.names.policies) {
        let items = part
            .statements
            .iter()
            .map(|&i| match plan.grants.also.get(&i) {
                Some(also) => statement(&lowered.statements[i as usize], Some(also)),
                None => Node::Verbatim(fragments[i as usize].clone()).into(),
            })
            .collect();
        let description = match plan.kind {
            Kind::Policy => plan
                .doc
                .filter(|d| d.chars().count() <= 1000 && d.chars().all(crate::check::is_iam_char))
                .map(str::to_string)
                .unwrap_or_else(|| format!("Managed policy {}, generated by iamc", plan.source)),
            _ => format!(
                "{} permissions of {word} {}, generated by iamc",
                part.name, plan.source
            ),
        };
        let mut properties = vec![
            ("ManagedPolicyName", Node::str(name)),
            ("Description", Node::str(description)),
            ("Path", Node::str("/")),
        ];
        match plan.kind {
            Kind::Role => properties.push((
                "Roles",
                Node::seq([Node::Tagged("!Ref", facts.principal_logical.clone())]),
            )),
            Kind::User => properties.push((
                "Groups",
                Node::seq([Node::Tagged("!Ref", facts.group_logical.clone())]),
            )),
            Kind::Policy => {}
        }
        properties.push(("PolicyDocument", document(items)));
        resources.push((
            logical_id(name),
            Node::map(vec![
                ("Type", Node::str("AWS::IAM::ManagedPolicy")),
                ("Properties", Node::map(properties)),
            ])
            .into(),
        ));
    }
    if plan.kind != Kind::Policy {
        principal_resources(plan, &facts, stack.params, resources);
    }
    outputs.extend(
        facts
            .outputs(plan)
            .into_iter()
            .map(|(logical, what, v)| output(&logical, &what, v)),
    );
}

/// The role (and instance profile) or the user (and group) of a principal.
fn principal_resources(
    plan: &PrincipalPlan,
    facts: &Facts,
    params: &Params,
    resources: &mut Vec<(String, Item)>,
) {
    let p = plan.principal;
    let description = p
        .description
        .as_ref()
        .map(|d| d.value.clone())
        .or_else(|| plan.doc.map(str::to_string));
    let mut properties: Vec<(&str, Node)> = vec![(
        if plan.kind == Kind::Role {
            "RoleName"
        } else {
            "UserName"
        },
        Node::str(&facts.names.principal),
    )];
    if plan.kind == Kind::Role
        && let Some(d) = &description
    {
        properties.push(("Description", Node::str(d)));
    }
    properties.push(("Path", Node::str(&facts.path)));
    if let Some(trust) = plan.trust {
        properties.push((
            "AssumeRolePolicyDocument",
            Node::map(vec![
                ("Version", Node::str("2012-10-17")),
                ("Statement", Node::seq(trust.iter().map(trust_statement))),
            ]),
        ));
    }
    if plan.kind == Kind::User {
        properties.push((
            "Groups",
            Node::seq([Node::Tagged("!Ref", facts.group_logical.clone())]),
        ));
    }
    if !facts.aws_managed.is_empty() {
        properties.push(("ManagedPolicyArns", values(&facts.aws_managed)));
    }
    if let Some(b) = &p.boundary {
        properties.push((
            "PermissionsBoundary",
            value(&Value::with_params(&b.value, params)),
        ));
    }
    if let Some((seconds, _)) = p.max_session {
        properties.push(("MaxSessionDuration", Node::Int(seconds)));
    }
    if !p.tags.is_empty() {
        let mut tags: Vec<(&str, &str)> = p
            .tags
            .iter()
            .map(|(k, v)| (k.value.as_str(), v.value.as_str()))
            .collect();
        tags.sort();
        let tags = tags
            .into_iter()
            .map(|(k, v)| Node::map(vec![("Key", Node::str(k)), ("Value", Node::str(v))]));
        properties.push(("Tags", Node::seq(tags)));
    }
    if plan.kind == Kind::User {
        let group = Node::map(vec![
            ("GroupName", Node::str(&facts.names.group)),
            ("Path", Node::str(&facts.path)),
        ]);
        resources.push((
            facts.group_logical.clone(),
            Node::map(vec![
                ("Type", Node::str("AWS::IAM::Group")),
                ("Properties", group),
            ])
            .into(),
        ));
    }
    let principal_type = if plan.kind == Kind::Role {
        "AWS::IAM::Role"
    } else {
        "AWS::IAM::User"
    };
    resources.push((
        facts.principal_logical.clone(),
        Node::map(vec![
            ("Type", Node::str(principal_type)),
            ("Properties", Node::map(properties)),
        ])
        .into(),
    ));
    if let Some(logical) = &facts.instance_profile_logical {
        let profile = Node::map(vec![
            (
                "InstanceProfileName",
                Node::str(&facts.names.instance_profile),
            ),
            ("Path", Node::str(&facts.path)),
            (
                "Roles",
                Node::seq([Node::Tagged("!Ref", facts.principal_logical.clone())]),
            ),
        ]);
        resources.push((
            logical.clone(),
            Node::map(vec![
                ("Type", Node::str("AWS::IAM::InstanceProfile")),
                ("Properties", profile),
            ])
            .into(),
        ));
    }
}

/// The declared params a template's strings use, sorted.
pub fn used_params(stack: &StackPlan, lowered: &LoweredProgram) -> Vec<String> {
    let mut used = BTreeSet::new();
    let mut note = |v: &Value| {
        if v.sub {
            used.extend(vars::param_names(&v.text).map(str::to_string));
        }
    };
    for member in &stack.members {
        for part in &member.parts {
            for &i in &part.statements {
                let s = &lowered.statements[i as usize].statement;
                s.resources.iter().for_each(&mut note);
                s.conditions
                    .iter()
                    .flat_map(|b| &b.keys)
                    .flat_map(|(_, v)| v)
                    .for_each(&mut note);
            }
        }
        for t in member.trust.unwrap_or(&[]) {
            t.principals.iter().for_each(&mut note);
            t.conditions
                .iter()
                .flat_map(|b| &b.keys)
                .flat_map(|(_, v)| v)
                .for_each(&mut note);
        }
        let p = member.principal;
        for s in p.managed.iter().chain(p.boundary.iter()) {
            note(&Value::with_params(&s.value, stack.params));
        }
    }
    used.into_iter().collect()
}

/// The `Parameters` section: each used param as a String with its `MaxLength`
/// (the length iamc counted it at).
fn parameters(used: &[String], stack: &StackPlan) -> Vec<(String, Item)> {
    used.iter()
        .filter_map(|name| {
            let (_, param) = stack.param_decls.iter().find(|(n, _)| n == name)?;
            let max = stack.params.max_length(name)?;
            let mut entries = vec![("Type", Node::str("String"))];
            if let Some(d) = &param.description {
                entries.push(("Description", Node::str(&d.value)));
            }
            if let Some(d) = &param.default {
                entries.push(("Default", Node::str(&d.value)));
            }
            entries.push(("MaxLength", Node::Int(max as u64)));
            Some((name.clone(), Node::map(entries).into()))
        })
        .collect()
}

/// Renders a template. `fragments` holds each lowered statement's rendering
/// ([`statement_fragment`]).
pub fn render_yaml(
    stack: &StackPlan,
    lowered: &LoweredProgram,
    fragments: &[Arc<str>],
    config: &Config,
) -> String {
    let mut resources: Vec<(String, Item)> = Vec::new();
    let mut outputs: Vec<(String, Item)> = Vec::new();
    for member in &stack.members {
        member_resources(
            member,
            stack,
            lowered,
            fragments,
            config,
            &mut resources,
            &mut outputs,
        );
    }
    let what = match stack.members.first() {
        Some(m) if !stack.is_stack => m.kind.word(),
        _ => "stack",
    };
    let mut template_description = format!("IAM {what} {}, generated by iamc", stack.source);
    if let Some(doc) = stack.doc.and_then(|d| d.lines().next()) {
        template_description.push_str(": ");
        template_description.push_str(doc);
    }
    let template_description: String = template_description.chars().take(1024).collect();
    let mut root = vec![
        (
            "AWSTemplateFormatVersion".to_string(),
            Node::str("2010-09-09").into(),
        ),
        (
            "Description".to_string(),
            Node::str(template_description).into(),
        ),
    ];
    let parameters = parameters(&used_params(stack, lowered), stack);
    if !parameters.is_empty() {
        root.push(("Parameters".to_string(), Node::Map(parameters).into()));
    }
    root.push(("Resources".to_string(), Node::Map(resources).into()));
    root.push(("Outputs".to_string(), Node::Map(outputs).into()));
    let mut text = String::with_capacity(16 * 1024);
    text.push_str(super::BANNER);
    text.push('\n');
    yaml::emit_into(&mut text, &root);
    text
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
                .map(|&i| lowered.statements[i as usize].statement.to_json())
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
