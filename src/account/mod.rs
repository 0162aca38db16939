//! An AWS account's IAM as `aws iam get-account-authorization-details` gives
//! it: users, groups, roles and managed policies, typed, their documents
//! decoded (URL-encoded or not) into [`Statement`]s. [`read`] reads one or
//! more files (a whole answer, or its pages) and says what is wrong with a
//! bad one by its JSON path; nothing here knows of a program. `iamc drift`
//! compares an account with a program; `iamc import` reads one into source.

mod document;
mod json;
mod read;

pub use document::{Document, Entry, Kind, literal_variables};
pub use read::{read, read_all};

use crate::iam::policy::Statement;
use serde::Serialize;
use std::collections::BTreeMap;

/// What the files hold, merged.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Account {
    /// The account ID, from the ARNs (`None` when the files hold none).
    pub id: Option<String>,
    /// `aws`, `aws-cn`, `aws-us-gov`: from the ARNs, else `aws`.
    pub partition: String,
    /// Sorted by name, as every list below.
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub roles: Vec<Role>,
    /// Customer managed policies, and the AWS managed policies the files list
    /// (an unfiltered dump lists those attached to someone).
    pub policies: Vec<ManagedPolicy>,
    /// Which lists the files hold at all (`--filter` leaves some out).
    pub lists: Lists,
    /// What the reader noticed without refusing the files (a cut answer).
    pub warnings: Vec<String>,
}

/// Which of the answer's lists were present.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Lists {
    pub users: bool,
    pub groups: bool,
    pub roles: bool,
    pub policies: bool,
}

/// A policy embedded in its principal (`PutRolePolicy`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InlinePolicy {
    pub name: String,
    pub document: Document,
}

/// A managed policy attached to a principal, by ARN.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Attached {
    pub name: String,
    pub arn: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    pub name: String,
    pub arn: String,
    pub path: String,
    /// The groups the user is in, by name.
    pub groups: Vec<String>,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<Attached>,
    /// The permissions boundary's ARN.
    pub boundary: Option<String>,
    pub tags: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Group {
    pub name: String,
    pub arn: String,
    pub path: String,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<Attached>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Role {
    pub name: String,
    pub arn: String,
    pub path: String,
    /// The trust policy (`AssumeRolePolicyDocument`): each statement's
    /// "resources" are its principals, `KIND:VALUE` (`Service:ec2.amazonaws.com`,
    /// `AWS:arn:aws:iam::123456789012:root`, `Federated:...`), or `*` for
    /// `"Principal": "*"`; `NotPrincipal` sets `not_resource`.
    pub trust: Document,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<Attached>,
    pub boundary: Option<String>,
    pub tags: BTreeMap<String, String>,
    /// Seconds. Not in get-account-authorization-details; `list-roles`
    /// output gives it ([`Account::add_role_list`]).
    pub max_session: Option<u32>,
    /// Not in get-account-authorization-details either.
    pub description: Option<String>,
    pub instance_profiles: Vec<InstanceProfile>,
    pub last_used: Option<LastUsed>,
}

impl Role {
    /// A role AWS creates and manages for a service (`/aws-service-role/`):
    /// no one writes it in a program.
    pub fn is_service_linked(&self) -> bool {
        self.path.starts_with("/aws-service-role/")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InstanceProfile {
    pub name: String,
    pub arn: String,
    pub path: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LastUsed {
    /// As the file writes it (`2026-11-30T12:00:00Z`), if ever used.
    pub date: Option<String>,
    pub region: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ManagedPolicy {
    pub name: String,
    pub arn: String,
    pub path: String,
    pub description: Option<String>,
    /// The version IAM applies (`DefaultVersionId`); always one of `versions`.
    pub default_version: String,
    pub versions: Vec<PolicyVersion>,
}

impl ManagedPolicy {
    /// Whether AWS owns it (`arn:aws:iam::aws:policy/...`).
    pub fn is_aws_managed(&self) -> bool {
        crate::iam::arn::aws_managed_policy(&self.arn).is_some()
    }

    /// The document IAM applies: the default version's.
    pub fn document(&self) -> &Document {
        self.versions
            .iter()
            .find(|v| v.id == self.default_version)
            .or(self.versions.first())
            .map_or(&EMPTY, |v| &v.document)
    }
}

/// What a policy without versions holds (the reader refuses one; this is
/// only the fallback of [`ManagedPolicy::document`]).
static EMPTY: Document = Document {
    version: None,
    statements: Vec::new(),
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyVersion {
    /// `v1`, `v2`, ...
    pub id: String,
    pub document: Document,
}

impl Account {
    pub fn user(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|u| u.name == name)
    }

    pub fn group(&self, name: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.name == name)
    }

    pub fn role(&self, name: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.name == name)
    }

    pub fn policy(&self, arn: &str) -> Option<&ManagedPolicy> {
        self.policies.iter().find(|p| p.arn == arn)
    }

    /// Fills in what `aws iam list-roles` says and the authorization details
    /// do not: each role's `MaxSessionDuration` and `Description`.
    pub fn add_role_list(&mut self, list: &[RoleListing]) {
        for l in list {
            if let Some(role) = self.roles.iter_mut().find(|r| r.arn == l.arn) {
                role.max_session = l.max_session.or(role.max_session);
                role.description = l.description.clone().or(role.description.take());
            }
        }
    }
}

/// One role of `aws iam list-roles` output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleListing {
    pub arn: String,
    pub max_session: Option<u32>,
    pub description: Option<String>,
}

/// A policy document (a JSON object, or URL-encoded JSON text) read as
/// `kind`; a problem names where in the document it is (`$.Statement[1]`).
pub fn read_document(value: &serde_json::Value, kind: Kind) -> Result<Document, (String, String)> {
    document::read(value, &json::Path::root(), kind).map_err(|(path, why)| (path.to_string(), why))
}

/// The statements of a document, each as the core reads it.
pub fn statements(document: &Document) -> impl Iterator<Item = &Statement> {
    document.statements.iter().map(|e| &e.statement)
}
