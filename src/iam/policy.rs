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

impl Effect {
    /// `Allow` or `Deny`, as a policy document writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// `StringLike "s3:prefix" ["home/*"]`: one key of one operator block. The
/// values are alternatives (OR); the conditions of a statement all hold (AND).
/// `V` is what a value is, as for [`Statement`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Condition<V = String> {
    pub operator: String,
    pub key: String,
    pub values: Vec<V>,
}

impl<V> Condition<V> {
    /// The same condition, each value through `f`.
    pub fn map<W>(&self, f: impl Fn(&V) -> W) -> Condition<W> {
        Condition {
            operator: self.operator.clone(),
            key: self.key.clone(),
            values: self.values.iter().map(f).collect(),
        }
    }
}

/// One statement of a policy, in IAM's terms: what lowering builds, import
/// reads, the lints and review look at, and [`super::eval`] decides (for a
/// trust, of who may assume a role: the "resource" is then the trusted
/// principal). Its Sid and where it comes from are kept beside it by whoever
/// holds it.
///
/// `V` is what a resource or condition value is: a `String` where the
/// statement is decided on (deploy-time values already at their deployed
/// value, or left as `${...}`), the compiled model's `Value` (the text with
/// what rendering and sizing need of its deploy-time parts) in a build.
/// [`Statement::map`] turns the one into the other.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Statement<V = String> {
    pub effect: Effect,
    pub not_action: bool,
    pub actions: Vec<String>,
    pub not_resource: bool,
    pub resources: Vec<V>,
    /// Sorted by operator, then key; one entry per key of an operator.
    pub conditions: Vec<Condition<V>>,
}

impl<V> Statement<V> {
    /// The same statement, each resource and condition value through `f`.
    pub fn map<W>(&self, f: impl Fn(&V) -> W) -> Statement<W> {
        Statement {
            effect: self.effect,
            not_action: self.not_action,
            actions: self.actions.clone(),
            not_resource: self.not_resource,
            resources: self.resources.iter().map(&f).collect(),
            conditions: self.conditions.iter().map(|c| c.map(&f)).collect(),
        }
    }

    /// The service the statement's actions all belong to (`s3`), or `None`
    /// when they span several services (or `*`).
    pub fn service(&self) -> Option<&str> {
        let mut services = self
            .actions
            .iter()
            .map(|a| a.split(':').next().unwrap_or(""));
        let first = services.next()?;
        if first == "*" || self.actions.iter().any(|a| !a.contains(':')) {
            return None;
        }
        services.all(|s| s == first).then_some(first)
    }
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
    /// already at their deployed values, each after the name of the policy
    /// it comes from (for reports: "the Deny of DenyProdDelete").
    pub statements: Vec<(String, Statement)>,
    /// The permissions boundary, by ARN: iamc does not see its statements.
    pub boundary: Option<String>,
    /// AWS managed policies attached by ARN: not evaluated, may allow.
    pub unseen: Vec<String>,
}
