//! The statements iamc reasons about, in IAM's own terms, independent of how
//! the program spelled them: what [`super::eval`] decides and
//! [`super::compare`] compares.

use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// `StringLike "s3:prefix" ["home/*"]`: one key of one operator block. The
/// values are alternatives (OR); the conditions of a statement all hold (AND).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Condition {
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
}

/// One statement of an identity policy (or, for a trust, of who may assume
/// a role: the "resource" is then the trusted principal).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Statement {
    pub effect: Effect,
    pub not_action: bool,
    pub actions: Vec<String>,
    pub not_resource: bool,
    pub resources: Vec<String>,
    pub conditions: Vec<Condition>,
    /// Where the statement comes from, for reports (a policy name).
    pub origin: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    Role,
    User,
    /// A standalone policy: whoever attaches it.
    Anyone,
}

/// What the program fixes about the principal making requests: the values of
/// `${aws:username}` and `${aws:PrincipalTag/K}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Principal {
    pub kind: PrincipalKind,
    /// The IAM user name (`aws:username`); only users have one.
    pub user_name: Option<String>,
    /// Tags, by key.
    pub tags: BTreeMap<String, String>,
}

/// The value of a key as the principal fixes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fixed {
    /// This value, for every request.
    Value(String),
    /// Never present in a request of this principal.
    Missing,
    /// Not fixed by the principal: the request says.
    Open,
}

impl Principal {
    pub fn anyone() -> Principal {
        Principal {
            kind: PrincipalKind::Anyone,
            user_name: None,
            tags: BTreeMap::new(),
        }
    }

    /// The principal's own value of a condition key (compared without case).
    pub fn fixed(&self, key: &str) -> Fixed {
        let key = key.to_ascii_lowercase();
        if self.kind == PrincipalKind::Anyone {
            return Fixed::Open;
        }
        if key == "aws:username" {
            return match &self.user_name {
                Some(name) => Fixed::Value(name.clone()),
                None => Fixed::Missing,
            };
        }
        if let Some(tag) = key.strip_prefix("aws:principaltag/") {
            return match self.tags.iter().find(|(k, _)| k.eq_ignore_ascii_case(tag)) {
                Some((_, v)) => Fixed::Value(v.clone()),
                None => Fixed::Missing,
            };
        }
        Fixed::Open
    }
}

/// A key filled in at deploy time, the same for every request
/// (`AWS::AccountId`, a template parameter without a default): no colon, or
/// CloudFormation's `::`.
pub fn is_deploy_time(key: &str) -> bool {
    key.contains("::") || !key.contains(':')
}

/// Everything that decides what one principal may do.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PolicySet {
    pub principal: Principal,
    /// Identity-policy statements (inline or customer managed), params
    /// already at their deployed values.
    pub statements: Vec<Statement>,
    /// The permissions boundary, by ARN: iamc does not see its statements.
    pub boundary: Option<String>,
    /// AWS managed policies attached by ARN: not evaluated, may allow.
    pub unseen: Vec<String>,
}
