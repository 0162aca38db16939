//! What each principal holds, as comparable items: one action on one resource
//! with its conditions, one trusted principal, one AWS managed policy. Each
//! item remembers the source policies it comes from.

use crate::ast::DeclKind;
use crate::compiled::Compiled;
use crate::iam::policy::Statement;
use crate::model::Value;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

pub use crate::iam::policy::Condition;

/// A compiled statement's conditions with their values as text.
pub fn conditions(conditions: &[Condition<Value>]) -> Vec<Condition> {
    conditions
        .iter()
        .map(|c| c.map(|v| v.text.clone()))
        .collect()
}

/// One thing a principal holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Item {
    /// A permission. Before folding: one action on one resource, except that
    /// a `NotAction` keeps its whole list of actions and a `NotResource` its
    /// whole list of resources (they mean "all but these").
    Statement(Statement),
    /// Someone who may assume the role (`action` the assume action), or take
    /// one of its session actions (`sts:TagSession`, ...).
    Trust {
        principal_kind: &'static str,
        principal: String,
        action: &'static str,
        conditions: Vec<Condition>,
    },
    /// An AWS managed policy attached by ARN.
    ManagedPolicy { arn: String },
}

impl Item {
    /// The item as compared: actions ignore case, as IAM's do.
    pub fn key(&self) -> Item {
        match self {
            Item::Statement(s) => Item::Statement(Statement {
                actions: s.actions.iter().map(|a| a.to_ascii_lowercase()).collect(),
                ..s.clone()
            }),
            other => other.clone(),
        }
    }
}

/// The items of one statement.
pub fn atoms(s: &Statement<Value>) -> Vec<Item> {
    let conditions = conditions(&s.conditions);
    let actions: Vec<Vec<String>> = if s.not_action {
        vec![s.actions.clone()]
    } else {
        s.actions.iter().map(|a| vec![a.clone()]).collect()
    };
    let resources: Vec<Vec<String>> = if s.not_resource {
        vec![s.resources.iter().map(|r| r.text.clone()).collect()]
    } else {
        s.resources.iter().map(|r| vec![r.text.clone()]).collect()
    };
    let mut out = Vec::with_capacity(actions.len() * resources.len());
    for a in &actions {
        for r in &resources {
            out.push(Item::Statement(Statement {
                effect: s.effect,
                not_action: s.not_action,
                actions: a.clone(),
                not_resource: s.not_resource,
                resources: r.clone(),
                conditions: conditions.clone(),
            }));
        }
    }
    out
}

/// What one principal holds: each item (by its key) with its display form and
/// the policies it comes from.
#[derive(Clone, Debug, Default)]
pub struct Holdings {
    pub items: BTreeMap<Item, (Item, BTreeSet<String>)>,
}

impl Holdings {
    fn add(&mut self, item: Item, policies: impl IntoIterator<Item = String>) {
        let entry = self
            .items
            .entry(item.key())
            .or_insert_with(|| (item, BTreeSet::new()));
        entry.1.extend(policies);
    }
}

/// A principal of a compiled program.
#[derive(Clone, Debug)]
pub struct PrincipalHoldings {
    pub name: String,
    /// `role` or `user`.
    pub kind: &'static str,
    pub holdings: Holdings,
}

/// The holdings of every principal and standalone stack policy whose name
/// `wanted` accepts, by name.
pub fn holdings(
    compiled: &Compiled,
    wanted: impl Fn(&str) -> bool,
) -> BTreeMap<String, PrincipalHoldings> {
    let program = compiled.program();
    let lowered = compiled.lowered();
    let mut out = BTreeMap::new();
    for i in 0..compiled.len() {
        for (id, _, grants) in compiled.template_members(i) {
            let decl = &program.decls[id];
            if !wanted(&decl.name.name) {
                continue;
            }
            let (kind, principal) = match &decl.kind {
                DeclKind::Role(p) => ("role", Some(p)),
                DeclKind::User(p) => ("user", Some(p)),
                _ => ("policy", None),
            };
            let mut holdings = Holdings::default();
            for &i in &grants.statements {
                let l = &lowered.statements[i];
                let mut policies = vec![l.origin.policy.clone()];
                policies.extend(grants.also.get(&i).into_iter().flatten().cloned());
                for atom in atoms(&l.statement) {
                    holdings.add(atom, policies.iter().cloned());
                }
            }
            if let Some((written, trust)) = compiled.trust(id) {
                // A trust declared on its own is named; an inline one is the role's.
                let from = (written != id).then(|| program.decls[written].name.name.clone());
                for t in trust {
                    for p in &t.principals {
                        for action in t.actions() {
                            let item = Item::Trust {
                                principal_kind: t.principal_kind,
                                principal: p.text.clone(),
                                action,
                                conditions: conditions(&t.conditions),
                            };
                            holdings.add(item, from.clone());
                        }
                    }
                }
            }
            for arn in principal.iter().flat_map(|p| &p.managed) {
                holdings.add(
                    Item::ManagedPolicy {
                        arn: arn.value.clone(),
                    },
                    None,
                );
            }
            out.insert(
                decl.name.name.clone(),
                PrincipalHoldings {
                    name: decl.name.name.clone(),
                    kind,
                    holdings,
                },
            );
        }
    }
    out
}

/// `[a, b]`, or `a` alone.
pub fn list(items: &[String]) -> String {
    match items {
        [one] => one.clone(),
        _ => format!("[{}]", items.join(", ")),
    }
}

/// `StringLike s3:prefix "devserver/*" and Bool aws:SecureTransport "true"`.
pub fn conditions_text(conditions: &[Condition]) -> String {
    conditions
        .iter()
        .map(|c| {
            let values: Vec<String> = c.values.iter().map(|v| format!("\"{v}\"")).collect();
            format!("{} {} {}", c.operator, c.key, list(&values))
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// A statement in words: `Allow s3:GetObject on arn:aws:s3:::cdn/* when ...`.
pub fn describe_statement<V: AsRef<str>>(s: &Statement<V>) -> String {
    let resources: Vec<String> = s.resources.iter().map(|r| r.as_ref().to_string()).collect();
    format!(
        "{} {}{} on {}{}",
        s.effect.as_str(),
        if s.not_action { "not " } else { "" },
        list(&s.actions),
        if s.not_resource { "not " } else { "" },
        list(&resources)
    )
}

/// An item in words: `Allow s3:GetObject on arn:aws:s3:::cdn/* when ...`.
pub fn describe(item: &Item) -> String {
    match item {
        Item::Statement(statement) => {
            let mut s = describe_statement(statement);
            if !statement.conditions.is_empty() {
                s.push_str(" when ");
                s.push_str(&conditions_text(&statement.conditions));
            }
            s
        }
        Item::Trust {
            principal_kind,
            principal,
            action,
            conditions,
        } => {
            let mut s = format!("trust {principal_kind} {principal}");
            if *action != "sts:AssumeRole" {
                s.push_str(&format!(" with {action}"));
            }
            if !conditions.is_empty() {
                s.push_str(" when ");
                s.push_str(&conditions_text(conditions));
            }
            s
        }
        Item::ManagedPolicy { arn } => format!("AWS managed policy {arn}"),
    }
}
