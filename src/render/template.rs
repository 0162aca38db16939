//! One principal → one CloudFormation template: its managed policies, the role
//! (with trust policy and instance profile) or the user (with its group), and an
//! exported output for every ARN.

use super::yaml::{self, Item, Node};
use crate::ast::Principal;
use crate::config::{Config, Naming};
use crate::flatten::Grants;
use crate::lower::{Lowered, LoweredProgram};
use crate::model::{ConditionBlock, TrustStatement, Value, document_json};
use crate::split::Part;
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Role,
    User,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Role => "role",
            Kind::User => "user",
        }
    }
}

/// Everything needed to render one principal.
pub struct PrincipalPlan<'a> {
    pub kind: Kind,
    pub source: &'a str,
    pub doc: Option<&'a str>,
    pub principal: &'a Principal,
    pub parts: Vec<Part>,
    pub grants: Grants,
    pub trust: Option<&'a [TrustStatement]>,
}

/// What the manifest says of one template.
#[derive(Clone, Debug, Serialize)]
pub struct ManifestTemplate {
    pub file: String,
    pub principals: Vec<ManifestPrincipal>,
    pub exports: Vec<String>,
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

/// Resource names of a principal, after the naming patterns.
pub struct Names {
    pub principal: String,
    pub instance_profile: String,
    pub group: String,
    pub policies: Vec<String>,
}

impl Names {
    pub fn new(plan: &PrincipalPlan, naming: &Naming) -> Names {
        let name = plan.source;
        Names {
            principal: Naming::apply(
                if plan.kind == Kind::Role {
                    &naming.role
                } else {
                    &naming.user
                },
                name,
                "",
            ),
            instance_profile: Naming::apply(&naming.instance_profile, name, ""),
            group: Naming::apply(&naming.group, name, ""),
            policies: plan
                .parts
                .iter()
                .map(|p| Naming::apply(&naming.managed_policy, name, &p.name))
                .collect(),
        }
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
    fn new(plan: &PrincipalPlan, config: &Config) -> Facts {
        let names = Names::new(plan, &config.naming);
        let p = plan.principal;
        let mut aws_managed: Vec<Value> = p.managed.iter().map(|s| Value::new(&s.value)).collect();
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
        let what = format!("{} {}", plan.kind.word(), self.names.principal);
        out.push((
            self.principal_logical.clone(),
            what,
            get_att_arn(&self.principal_logical),
        ));
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

/// Renders a principal's template. `fragments` holds each lowered statement's
/// rendering ([`statement_fragment`]).
pub fn render_yaml(
    plan: &PrincipalPlan,
    lowered: &LoweredProgram,
    fragments: &[Arc<str>],
    config: &Config,
) -> String {
    let facts = Facts::new(plan, config);
    let p = plan.principal;
    let word = plan.kind.word();
    let mut resources: Vec<(String, Item)> = Vec::new();
    for (part, name) in plan.parts.iter().zip(&facts.names.policies) {
        let items = part
            .statements
            .iter()
            .map(|&i| match plan.grants.also.get(&i) {
                Some(also) => statement(&lowered.statements[i as usize], Some(also)),
                None => Node::Verbatim(fragments[i as usize].clone()).into(),
            })
            .collect();
        let (attach_key, attach_to) = match plan.kind {
            Kind::Role => ("Roles", &facts.principal_logical),
            Kind::User => ("Groups", &facts.group_logical),
        };
        let properties = Node::map(vec![
            ("ManagedPolicyName", Node::str(name)),
            (
                "Description",
                Node::str(format!(
                    "{} permissions of {word} {}, generated by iamc",
                    part.name, plan.source
                )),
            ),
            ("Path", Node::str("/")),
            (
                attach_key,
                Node::seq([Node::Tagged("!Ref", attach_to.clone())]),
            ),
            ("PolicyDocument", document(items)),
        ]);
        resources.push((
            logical_id(name),
            Node::map(vec![
                ("Type", Node::str("AWS::IAM::ManagedPolicy")),
                ("Properties", properties),
            ])
            .into(),
        ));
    }

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
        properties.push(("PermissionsBoundary", value(&Value::new(&b.value))));
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
    let outputs = facts
        .outputs(plan)
        .into_iter()
        .map(|(logical, what, v)| output(&logical, &what, v))
        .collect();

    let mut template_description = format!("IAM {word} {}, generated by iamc", plan.source);
    if let Some(doc) = plan.doc.and_then(|d| d.lines().next()) {
        template_description.push_str(": ");
        template_description.push_str(doc);
    }
    let template_description: String = template_description.chars().take(1024).collect();
    let root = vec![
        (
            "AWSTemplateFormatVersion".to_string(),
            Node::str("2010-09-09").into(),
        ),
        (
            "Description".to_string(),
            Node::str(template_description).into(),
        ),
        ("Resources".to_string(), Node::Map(resources).into()),
        ("Outputs".to_string(), Node::Map(outputs).into()),
    ];
    let mut text = String::with_capacity(16 * 1024);
    text.push_str(super::BANNER);
    text.push('\n');
    yaml::emit_into(&mut text, &root);
    text
}

/// What a principal's template grants, as data.
pub fn manifest(
    plan: &PrincipalPlan,
    lowered: &LoweredProgram,
    config: &Config,
    file: &str,
) -> ManifestTemplate {
    let facts = Facts::new(plan, config);
    let managed_policies = plan
        .parts
        .iter()
        .zip(&facts.names.policies)
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
        .collect();
    let trust_policy = plan.trust.map(|trust| {
        let statements: Vec<serde_json::Value> =
            trust.iter().map(TrustStatement::to_json).collect();
        json!({"Version": "2012-10-17", "Statement": statements})
    });
    ManifestTemplate {
        file: file.to_string(),
        exports: facts
            .outputs(plan)
            .into_iter()
            .map(|(logical, _, _)| format!("{logical}Arn"))
            .collect(),
        principals: vec![ManifestPrincipal {
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
        }],
    }
}
