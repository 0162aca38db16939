//! What import found, before it is named and written: statements, the source
//! policies that group them, and the principals with their trusts.

use crate::ast::TrustKind;
use crate::iam::policy::{Condition, Statement};
use std::collections::HashMap;

/// One line of a trust: a kind of principal, who, the session actions it
/// may take besides assuming the role, and under which conditions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustEntry {
    pub kind: TrustKind,
    pub principals: Vec<String>,
    /// STS session actions (`sts:TagSession`, ...), sorted, canonical casing.
    pub actions: Vec<&'static str>,
    pub conditions: Vec<Condition>,
}

/// Where something came from, for messages: `file: path`.
pub type Origin = String;

#[derive(Clone, Debug)]
pub struct Policy {
    /// The name it would like (from its Sid, or derived); made unique later.
    pub wanted: String,
    pub statement: Statement,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct Group {
    pub wanted: String,
    pub doc: Option<String>,
    pub members: Vec<usize>,
    pub origin: Origin,
    /// What restricted access in the source policy and cannot be carried
    /// over (a Deny, a resource `Condition`): importing the group without it
    /// would allow more than the input, so it is refused unless `--lossy`.
    pub lost: Vec<Lost>,
}

/// A restriction of the input import cannot write: where, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lost {
    /// `file: path`.
    pub origin: Origin,
    pub why: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalKind {
    Role,
    User,
}

#[derive(Clone, Debug)]
pub struct Principal {
    pub kind: PrincipalKind,
    pub wanted: String,
    pub groups: Vec<usize>,
    pub trust: Vec<TrustEntry>,
    pub managed: Vec<String>,
    pub instance_profile: bool,
    pub boundary: Option<String>,
    pub path: Option<String>,
    pub max_session: Option<u64>,
    pub tags: Vec<(String, String)>,
    pub description: Option<String>,
    pub origin: Origin,
    /// Restrictions of the principal that cannot be carried over (a trust
    /// Deny, a boundary, a resource `Condition`): see [`Group::lost`].
    pub lost: Vec<Lost>,
}

impl Principal {
    pub fn new(kind: PrincipalKind, wanted: String, origin: Origin) -> Principal {
        Principal {
            kind,
            wanted,
            groups: Vec::new(),
            trust: Vec::new(),
            managed: Vec::new(),
            instance_profile: false,
            boundary: None,
            path: None,
            max_session: None,
            tags: Vec::new(),
            description: None,
            origin,
            lost: Vec::new(),
        }
    }
}

/// A CloudFormation parameter of type `String`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub default: Option<String>,
    pub description: Option<String>,
    pub max_length: Option<u64>,
}

/// Everything imported from every input.
#[derive(Debug, Default)]
pub struct Model {
    pub policies: Vec<Policy>,
    /// The same statement under the same wanted name (iamc's own output repeats
    /// a shared policy in every template that grants it) is one policy.
    seen: HashMap<(String, Statement), usize>,
    pub groups: Vec<Group>,
    pub principals: Vec<Principal>,
    pub params: Vec<Param>,
    /// Files the model was read from, in order.
    pub files: Vec<String>,
}

impl Model {
    pub fn add_policy(&mut self, wanted: String, statement: Statement, origin: Origin) -> usize {
        let key = (wanted.to_ascii_lowercase(), statement.clone());
        if let Some(&i) = self.seen.get(&key) {
            return i;
        }
        self.policies.push(Policy {
            wanted,
            statement,
            origin,
        });
        let i = self.policies.len() - 1;
        self.seen.insert(key, i);
        i
    }

    pub fn add_group(&mut self, group: Group) -> usize {
        self.groups.push(group);
        self.groups.len() - 1
    }
}
