//! `iamc drift`: what the account holds (read by [`crate::account`])
//! against what the program deploys ([`expected`]), principal by principal,
//! by access ([`access`]): statements with their conditions and variables,
//! trusts, boundaries, attachments of roles, users and groups, group
//! memberships, inline policies on anyone, the tags policies read, and every
//! role or user that exists only in the account. Each difference says
//! whether the account is wider (with a request it allows and the program
//! does not), narrower, or other (path, session length, instance profiles,
//! tags nothing reads, policy versions). [`report`] prints it.

pub mod access;
pub mod expected;
pub mod report;
mod sides;

use crate::account::Account;
use crate::compiled::Compiled;
use crate::diagnostics::Diagnostic;
use crate::iam::eval::Request;
use access::{Side, Wider};
use serde::Serialize;

/// What the command line adds.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The region the stacks were deployed in (`${AWS::Region}`); read off
    /// the account when not given.
    pub region: Option<String>,
}

/// The comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Drift {
    /// The account ID the files name.
    pub account: Option<String>,
    /// The region `${AWS::Region}` stood for, if any.
    pub region: Option<String>,
    /// Roles, users and standalone policies compared.
    pub compared: usize,
    /// Every principal that drifted, by IAM name.
    pub principals: Vec<PrincipalDrift>,
    /// What the reader and the comparison could not do, in words.
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PrincipalDrift {
    /// Its IAM name.
    pub name: String,
    /// `role`, `user` or `policy`.
    pub kind: &'static str,
    /// Its name in the program, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub status: Status,
    pub differences: Vec<Difference>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// In both, different.
    Changed,
    /// In the program, not in the account.
    Missing,
    /// In the account only.
    OnlyInAccount,
}

/// One difference of a principal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub of: Aspect,
    pub access: Access,
    /// For `wider`: a request the account allows and the program does not;
    /// for `narrower`, the reverse; for `may_be_wider`, one the statements
    /// iamc sees allow, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<Request>,
    /// Why iamc could not decide.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// What differs, `+` in the account only, `-` in the program only, `~`
    /// changed.
    pub lines: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Aspect {
    /// The principal itself: in one of the two only.
    Exists,
    /// What it may do: its policies, boundary, groups and the tags they read.
    Permissions,
    /// Who may assume the role.
    Trust,
    Tags,
    Path,
    Session,
    InstanceProfiles,
    Versions,
}

impl Aspect {
    pub fn words(self) -> &'static str {
        match self {
            Aspect::Exists => "existence",
            Aspect::Permissions => "permissions",
            Aspect::Trust => "trust",
            Aspect::Tags => "tags",
            Aspect::Path => "path",
            Aspect::Session => "session length",
            Aspect::InstanceProfiles => "instance profiles",
            Aspect::Versions => "policy versions",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// The account allows a request the program does not (proven).
    Wider,
    /// It may: iamc could not prove either way.
    MayBeWider,
    /// The program allows a request the account does not, and the account
    /// allows nothing new.
    Narrower,
    /// No change in access (or none iamc could show).
    Other,
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.principals.is_empty()
    }

    /// Principals with a difference of this access.
    pub fn count(&self, access: Access) -> usize {
        self.principals
            .iter()
            .filter(|p| p.differences.iter().any(|d| d.access == access))
            .count()
    }
}

/// The access difference of two sides, if any: wider, else narrower.
pub(crate) fn classify(
    program: &Side,
    account: &Side,
    readable: bool,
) -> Option<(Access, Option<Request>, Vec<String>)> {
    match access::wider(program, account, readable) {
        Wider::Yes(w) => Some((Access::Wider, Some(w), Vec::new())),
        Wider::Maybe { reasons, example } => Some((Access::MayBeWider, example, reasons)),
        Wider::No => match access::wider(account, program, readable) {
            Wider::Yes(w) => Some((Access::Narrower, Some(w), Vec::new())),
            Wider::Maybe { .. } | Wider::No => None,
        },
    }
}

/// Compares the account with the program.
pub fn drift(
    compiled: &Compiled,
    account: &Account,
    options: &Options,
) -> Result<Drift, Diagnostic> {
    let mut values = expected::Values::new(compiled, account, options.region.as_deref());
    let mut expected = expected::expected(compiled, &values)?;
    let mut notes = account.warnings.clone();
    let mut region = options.region.clone();
    if region.is_none() && mentions_region(&expected) {
        region = expected::infer_region(&expected, account);
        match &region {
            Some(r) => {
                values.0.insert("AWS::Region".into(), r.clone());
                expected = expected::expected(compiled, &values)?;
                notes.push(format!(
                    "${{AWS::Region}} read as {r}, the region the account's policies name (--region to say)"
                ));
            }
            None => notes.push(
                "the program uses ${AWS::Region} and nothing in the account tells which region: give --region".into(),
            ),
        }
    }
    let mut d = sides::compare(&expected, account, &mut notes);
    d.region = region;
    d.notes = notes;
    Ok(d)
}

fn mentions_region(expected: &[expected::Expected]) -> bool {
    expected.iter().any(|e| {
        e.policies
            .iter()
            .flat_map(|(_, d)| crate::account::statements(d))
            .any(|s| {
                s.resources.iter().any(|r| r.contains("${AWS::Region}"))
                    || s.conditions
                        .iter()
                        .any(|c| c.values.iter().any(|v| v.contains("${AWS::Region}")))
            })
    })
}
