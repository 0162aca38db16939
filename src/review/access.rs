//! What each template's principals and standalone policies may do, in the
//! terms of the semantics core ([`crate::iam`]), from the queries of
//! [`Compiled`]: [`Compiled::policy_set`] and, for a role, who may assume it
//! ([`Compiled::trust_set`]).

use crate::compiled::Compiled;
use crate::iam::policy::PolicySet;

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

/// Every subject of template `i`.
pub fn subjects(compiled: &Compiled, i: usize) -> Vec<Subject> {
    let file = compiled.file_name(i);
    compiled
        .template_members(i)
        .filter_map(|(id, kind, _)| {
            Some(Subject {
                name: compiled.program().decls[id].name.name.clone(),
                kind: kind.word(),
                file: file.to_string(),
                permissions: compiled.policy_set(id)?,
                trust: compiled.trust_set(id),
            })
        })
        .collect()
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
