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

/// Renders a principal's template and its manifest entry.
pub fn render(
    plan: &PrincipalPlan,
    lowered: &LoweredProgram,
    config: &Config,
    file: &str,
) -> (String, ManifestTemplate) {
    let names = Names::new(plan, &config.naming);
    let p = plan.principal;
    let path = p
        .path
        .as_ref()
        .map(|s| s.value.clone())
        .unwrap_or_else(|| "/".into());
    let principal_logical = logical_id(&names.principal);
    let group_logical = logical_id(&names.group);
    let word = plan.kind.word();

    let mut resources: Vec<(String, Item)> = Vec::new();
    let mut outputs: Vec<(String, Item)> = Vec::new();
    let mut manifest_policies = Vec::new();
    for (part, name) in plan.parts.iter().zip(&names.policies) {
        let logical = logical_id(name);
        let statements: Vec<&Lowered> = part
            .statements
            .iter()
            .map(|&i| &lowered.statements[i as usize])
            .collect();
        let items = part
            .statements
            .iter()
            .zip(&statements)
            .map(|(i, l)| statement(l, plan.grants.also.get(i)))
            .collect();
        let (attach_key, attach_to) = match plan.kind {
            Kind::Role => ("Roles", &principal_logical),
            Kind::User => ("Groups", &group_logical),
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
            logical.clone(),
            Node::map(vec![
                ("Type", Node::str("AWS::IAM::ManagedPolicy")),
                ("Properties", properties),
            ])
            .into(),
        ));
        outputs.push(output(
            &logical,
            &format!("managed policy {name}"),
            Node::Tagged("!Ref", logical.clone()),
        ));
        let docs: Vec<serde_json::Value> =
            statements.iter().map(|l| l.statement.to_json()).collect();
        manifest_policies.push(ManifestPolicy {
            name: name.clone(),
            path: "/".into(),
            size: part.size,
            document: document_json(&docs),
        });
    }

    let aws_managed: Vec<Value> = {
        let mut v: Vec<Value> = p.managed.iter().map(|s| Value::new(&s.value)).collect();
        v.sort();
        v.dedup();
        v
    };
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
        Node::str(&names.principal),
    )];
    if plan.kind == Kind::Role
        && let Some(d) = &description
    {
        properties.push(("Description", Node::str(d)));
    }
    properties.push(("Path", Node::str(&path)));
    let trust_json = plan.trust.map(|trust| {
        let statements: Vec<serde_json::Value> =
            trust.iter().map(TrustStatement::to_json).collect();
        json!({"Version": "2012-10-17", "Statement": statements})
    });
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
            Node::seq([Node::Tagged("!Ref", group_logical.clone())]),
        ));
    }
    if !aws_managed.is_empty() {
        properties.push(("ManagedPolicyArns", values(&aws_managed)));
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
        properties.push((
            "Tags",
            Node::seq(
                tags.into_iter()
                    .map(|(k, v)| Node::map(vec![("Key", Node::str(k)), ("Value", Node::str(v))])),
            ),
        ));
    }

    if plan.kind == Kind::User {
        resources.push((
            group_logical.clone(),
            Node::map(vec![
                ("Type", Node::str("AWS::IAM::Group")),
                (
                    "Properties",
                    Node::map(vec![
                        ("GroupName", Node::str(&names.group)),
                        ("Path", Node::str(&path)),
                    ]),
                ),
            ])
            .into(),
        ));
        outputs.push(output(
            &group_logical,
            &format!("group {}", names.group),
            get_att_arn(&group_logical),
        ));
    }
    let principal_type = if plan.kind == Kind::Role {
        "AWS::IAM::Role"
    } else {
        "AWS::IAM::User"
    };
    resources.push((
        principal_logical.clone(),
        Node::map(vec![
            ("Type", Node::str(principal_type)),
            ("Properties", Node::map(properties)),
        ])
        .into(),
    ));
    outputs.push(output(
        &principal_logical,
        &format!("{word} {}", names.principal),
        get_att_arn(&principal_logical),
    ));
    let instance_profile = (plan.kind == Kind::Role && p.instance_profile.is_some()).then(|| {
        let logical = logical_id(&names.instance_profile);
        resources.push((
            logical.clone(),
            Node::map(vec![
                ("Type", Node::str("AWS::IAM::InstanceProfile")),
                (
                    "Properties",
                    Node::map(vec![
                        ("InstanceProfileName", Node::str(&names.instance_profile)),
                        ("Path", Node::str(&path)),
                        (
                            "Roles",
                            Node::seq([Node::Tagged("!Ref", principal_logical.clone())]),
                        ),
                    ]),
                ),
            ])
            .into(),
        ));
        outputs.push(output(
            &logical,
            &format!("instance profile {}", names.instance_profile),
            get_att_arn(&logical),
        ));
        names.instance_profile.clone()
    });

    let mut template_description = format!("IAM {word} {}, generated by iamc", plan.source);
    if let Some(doc) = plan.doc.and_then(|d| d.lines().next()) {
        template_description.push_str(": ");
        template_description.push_str(doc);
    }
    let template_description: String = template_description.chars().take(1024).collect();
    let exports = outputs.iter().map(|(id, _)| id.clone()).collect();
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
    let mut text = String::from(super::BANNER);
    text.push('\n');
    text.push_str(&yaml::emit(&root));

    let manifest = ManifestTemplate {
        file: file.to_string(),
        exports,
        principals: vec![ManifestPrincipal {
            kind: plan.kind,
            source: plan.source.to_string(),
            name: names.principal.clone(),
            path,
            group: (plan.kind == Kind::User).then(|| names.group.clone()),
            instance_profile,
            trust_policy: trust_json,
            aws_managed_policies: aws_managed.iter().map(|v| v.text.clone()).collect(),
            managed_policies: manifest_policies,
        }],
    };
    (text, manifest)
}
