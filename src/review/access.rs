//! What each template's principals and standalone policies may do, in the
//! terms of the semantics core ([`crate::iam`]): statements with params at
//! their defaults, the principal's user name and tags, its boundary and the
//! AWS managed policies it attaches; and, for a role, who may assume it.

use crate::ast::DeclKind;
use crate::compiled::Compiled;
use crate::config::Naming;
use crate::iam::policy::{Effect, PolicySet, Principal, PrincipalKind, Statement};
use crate::iam::principal::Aws;
use crate::model::{TrustStatement, Value};
use crate::render::template::Kind;
use std::collections::BTreeMap;

/// A role, a user or a standalone policy of one template.
#[derive(Clone, Debug)]
pub struct Subject {
    pub name: String,
    /// `role`, `user` or `policy`.
    pub kind: &'static str,
    pub file: String,
    pub permissions: PolicySet,
    /// For a role: who may assume it (each trusted principal a "resource").
    pub trust: Option<PolicySet>,
}

/// `${Name}` of each param with a default, and that default: what is
/// deployed unless the deployer overrides it.
pub fn param_defaults(compiled: &Compiled) -> BTreeMap<String, String> {
    compiled
        .program()
        .decls
        .iter()
        .filter_map(|d| match &d.kind {
            DeclKind::Param(p) => p
                .default
                .as_ref()
                .map(|v| (d.name.name.clone(), v.value.clone())),
            _ => None,
        })
        .collect()
}

/// A string as deployed: params replaced by their defaults.
fn deployed(text: &str, defaults: &BTreeMap<String, String>) -> String {
    if !text.contains("${") {
        return text.to_string();
    }
    let mut out = text.to_string();
    for (name, value) in defaults {
        out = out.replace(&format!("${{{name}}}"), value);
    }
    out
}

/// A statement of the model with its params at their defaults.
pub fn statement(s: &Statement<Value>, defaults: &BTreeMap<String, String>) -> Statement {
    s.map(|v| deployed(&v.text, defaults))
}

/// Who a trusted principal is, as a string the core matches like a
/// resource: `Service:ec2.amazonaws.com`; `AWS:arn:aws:iam::123456789012:*`
/// for a whole account (its root, in its own partition; an account ID
/// alone, read in `aws`); `*` for anyone.
pub fn trusted(kind: &str, principal: &str) -> String {
    if principal == "*" {
        return "*".to_string();
    }
    if kind == "AWS" {
        match Aws::parse(principal) {
            Some(Aws::Account(account)) => return format!("AWS:arn:aws:iam::{account}:*"),
            Some(Aws::Root(root)) => {
                return format!("AWS:arn:{}:iam::{}:*", root.partition, root.account);
            }
            _ => {}
        }
    }
    format!("{kind}:{principal}")
}

/// Who may assume a role, as Allows of the assume action on the trusted
/// principals, with the session actions each statement allows besides
/// (`sts:TagSession`, ...: those the trust names and those its service needs).
pub fn trust_set(
    trust: &[TrustStatement],
    origin: &str,
    defaults: &BTreeMap<String, String>,
) -> PolicySet {
    PolicySet {
        principal: Principal::anyone(),
        statements: trust
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
                        .map(|p| trusted(t.principal_kind, &deployed(&p.text, defaults)))
                        .collect(),
                    conditions: t
                        .conditions
                        .iter()
                        .map(|c| c.map(|v| deployed(&v.text, defaults)))
                        .collect(),
                };
                (origin.to_string(), statement)
            })
            .collect(),
        boundary: None,
        unseen: Vec::new(),
    }
}

/// Every subject of template `i`.
pub fn subjects(compiled: &Compiled, i: usize) -> Vec<Subject> {
    let program = compiled.program();
    let lowered = compiled.lowered();
    let naming: &Naming = &compiled.config().naming;
    let defaults = param_defaults(compiled);
    let file = compiled.file_name(i).to_string();
    let mut out = Vec::new();
    for (id, kind, grants, trust) in compiled.template_members(i) {
        let decl = &program.decls[id];
        let name = decl.name.name.clone();
        let statements = grants
            .statements
            .iter()
            .map(|&s| {
                let l = &lowered.statements[s];
                (l.origin.policy.clone(), statement(&l.statement, &defaults))
            })
            .collect();
        let (word, principal_kind, ast) = match (&decl.kind, kind) {
            (DeclKind::Role(p), Kind::Role) => ("role", PrincipalKind::Role, Some(p)),
            (DeclKind::User(p), Kind::User) => ("user", PrincipalKind::User, Some(p)),
            _ => ("policy", PrincipalKind::Anyone, None),
        };
        let principal = Principal {
            kind: principal_kind,
            user_name: (principal_kind == PrincipalKind::User)
                .then(|| crate::config::Naming::apply(&naming.user, &name, "")),
            tags: ast
                .map(|p| {
                    p.tags
                        .iter()
                        .map(|(k, v)| (k.value.clone(), deployed(&v.value, &defaults)))
                        .collect()
                })
                .unwrap_or_default(),
        };
        let permissions = PolicySet {
            principal,
            statements,
            boundary: ast
                .and_then(|p| p.boundary.as_ref())
                .map(|b| deployed(&b.value, &defaults)),
            unseen: ast
                .map(|p| {
                    p.managed
                        .iter()
                        .map(|m| deployed(&m.value, &defaults))
                        .collect()
                })
                .unwrap_or_default(),
        };
        let trust = (principal_kind == PrincipalKind::Role).then(|| {
            let origin = trust
                .map(|t| program.decls[t].name.name.clone())
                .unwrap_or_else(|| name.clone());
            let statements = trust
                .and_then(|t| lowered.trusts.get(&t))
                .or_else(|| lowered.trusts.get(&id))
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            trust_set(statements, &origin, &defaults)
        });
        out.push(Subject {
            name,
            kind: word,
            file: file.clone(),
            permissions,
            trust,
        });
    }
    out
}

/// An empty set for the same principal: what a new subject is compared with.
pub fn nothing(like: &PolicySet) -> PolicySet {
    PolicySet {
        principal: like.principal.clone(),
        statements: Vec::new(),
        boundary: None,
        unseen: Vec::new(),
    }
}
