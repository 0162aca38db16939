//! The one keyword table: every word of the language, where it stands, and
//! whether it is reserved (cannot be a name). The parsers, the formatter,
//! `iamc import`'s names and the language server's completion all read it;
//! `tests/it/editor.rs` checks that the pest grammar, the TextMate grammar and
//! the book's highlighter name the same words.

/// Where a keyword stands in a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Opens a declaration: `policy`, `role`, ...
    Declaration,
    /// Opens a statement: `allow`, `deny`.
    Effect,
    /// Inside a statement's first line: `not`, `on`.
    Statement,
    /// A line under a statement: `when`, `because`.
    StatementClause,
    /// Opens a trust entry, naming the kind of principal: `service`, `aws`, `federated`.
    TrustPrincipal,
    /// A line under a trust entry: `actions`, `when`.
    TrustClause,
    /// A property of a role or user.
    PrincipalProperty,
    /// A property of a param.
    ParamProperty,
    /// A property of a stack.
    StackProperty,
}

/// A keyword, as the parsers match it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keyword {
    Policy,
    Template,
    Group,
    Trust,
    Param,
    Role,
    User,
    Stack,
    Allow,
    Deny,
    Not,
    On,
    When,
    Because,
    Grants,
    Managed,
    InstanceProfile,
    Boundary,
    Path,
    MaxSession,
    Tag,
    Service,
    Aws,
    Federated,
    Default,
    Description,
    MaxLength,
    Roles,
    Users,
    Policies,
    Actions,
}

/// One row of the table.
pub struct Entry {
    pub keyword: Keyword,
    pub word: &'static str,
    /// A reserved word is a keyword wherever it stands (the grammar's
    /// `keyword` rule), so it cannot be a name; the others are keywords only
    /// where their role puts them, and stay free as names.
    pub reserved: bool,
    pub roles: &'static [Role],
}

const fn entry(keyword: Keyword, word: &'static str, roles: &'static [Role]) -> Entry {
    Entry {
        keyword,
        word,
        reserved: true,
        roles,
    }
}

use crate::ast::TrustKind;
use crate::iam::policy::Effect;
use Role::*;

/// Every keyword, in the order of [`Keyword`]. The reserved ones are in the
/// order of the grammar's `keyword` rule, whose ordered choice the fast parser
/// resolves with it.
pub const TABLE: &[Entry] = &[
    entry(Keyword::Policy, "policy", &[Declaration]),
    entry(Keyword::Template, "template", &[Declaration]),
    entry(Keyword::Group, "group", &[Declaration]),
    entry(Keyword::Trust, "trust", &[Declaration, PrincipalProperty]),
    entry(Keyword::Param, "param", &[Declaration]),
    entry(Keyword::Role, "role", &[Declaration]),
    entry(Keyword::User, "user", &[Declaration]),
    entry(Keyword::Stack, "stack", &[Declaration]),
    entry(Keyword::Allow, "allow", &[Effect]),
    entry(Keyword::Deny, "deny", &[Effect]),
    entry(Keyword::Not, "not", &[Statement]),
    entry(Keyword::On, "on", &[Statement]),
    entry(Keyword::When, "when", &[StatementClause, TrustClause]),
    entry(Keyword::Because, "because", &[StatementClause]),
    entry(Keyword::Grants, "grants", &[PrincipalProperty]),
    entry(Keyword::Managed, "managed", &[PrincipalProperty]),
    entry(
        Keyword::InstanceProfile,
        "instance_profile",
        &[PrincipalProperty],
    ),
    entry(Keyword::Boundary, "boundary", &[PrincipalProperty]),
    entry(Keyword::Path, "path", &[PrincipalProperty]),
    entry(Keyword::MaxSession, "max_session", &[PrincipalProperty]),
    entry(Keyword::Tag, "tag", &[PrincipalProperty]),
    entry(Keyword::Service, "service", &[TrustPrincipal]),
    entry(Keyword::Aws, "aws", &[TrustPrincipal]),
    entry(Keyword::Federated, "federated", &[TrustPrincipal]),
    entry(Keyword::Default, "default", &[ParamProperty]),
    entry(
        Keyword::Description,
        "description",
        &[PrincipalProperty, ParamProperty],
    ),
    entry(Keyword::MaxLength, "max_length", &[ParamProperty]),
    entry(Keyword::Roles, "roles", &[StackProperty]),
    entry(Keyword::Users, "users", &[StackProperty]),
    entry(Keyword::Policies, "policies", &[StackProperty]),
    // Added after the language contract: not reserved, so that no program
    // with a name `actions` breaks.
    Entry {
        keyword: Keyword::Actions,
        word: "actions",
        reserved: false,
        roles: &[TrustClause],
    },
];

impl Keyword {
    /// The word as written. (The table is in the enum's order.)
    pub fn word(self) -> &'static str {
        TABLE.get(self as usize).map_or("", |e| e.word)
    }

    /// The keyword `word` is, in any role.
    pub fn from_word(word: &str) -> Option<Keyword> {
        TABLE.iter().find(|e| e.word == word).map(|e| e.keyword)
    }
}

/// The effect its keyword opens a statement with.
pub fn effect_of(keyword: Option<Keyword>) -> Effect {
    match keyword {
        Some(Keyword::Deny) => Effect::Deny,
        _ => Effect::Allow,
    }
}

/// The kind of principal its keyword opens a trust entry with.
pub fn trust_kind_of(keyword: Option<Keyword>) -> TrustKind {
    match keyword {
        Some(Keyword::Aws) => TrustKind::Aws,
        Some(Keyword::Federated) => TrustKind::Federated,
        _ => TrustKind::Service,
    }
}

/// The keyword that opens a trust entry of this kind: `service`, `aws`, `federated`.
pub fn trust_principal(kind: TrustKind) -> Keyword {
    match kind {
        TrustKind::Service => Keyword::Service,
        TrustKind::Aws => Keyword::Aws,
        TrustKind::Federated => Keyword::Federated,
    }
}

/// The words of a role, in the table's order.
pub fn words(role: Role) -> impl Iterator<Item = &'static str> + Clone {
    TABLE
        .iter()
        .filter(move |e| e.roles.contains(&role))
        .map(|e| e.word)
}

/// The keywords of a role, in the table's order.
pub fn keywords(role: Role) -> impl Iterator<Item = Keyword> + Clone {
    TABLE
        .iter()
        .filter(move |e| e.roles.contains(&role))
        .map(|e| e.keyword)
}

/// Whether `word` is a keyword in `role`.
pub fn has(role: Role, word: &str) -> bool {
    words(role).any(|w| w == word)
}

/// The reserved words, in the grammar's order: they cannot be names.
pub fn reserved() -> impl Iterator<Item = &'static str> + Clone {
    TABLE.iter().filter(|e| e.reserved).map(|e| e.word)
}

/// Whether `word` is reserved.
pub fn is_reserved(word: &str) -> bool {
    reserved().any(|w| w == word)
}

/// Every word of the table, reserved or not: what editors highlight.
pub fn all() -> impl Iterator<Item = &'static str> + Clone {
    TABLE.iter().map(|e| e.word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_and_keyword_is_in_the_table_once() {
        for (i, e) in TABLE.iter().enumerate() {
            assert_eq!(e.keyword as usize, i, "{} out of the enum's order", e.word);
            assert!(TABLE[..i].iter().all(|f| f.word != e.word), "{}", e.word);
            assert!(TABLE[..i].iter().all(|f| f.keyword != e.keyword));
            assert_eq!(Keyword::from_word(e.word), Some(e.keyword));
            assert_eq!(e.keyword.word(), e.word);
            assert!(!e.roles.is_empty());
        }
    }

    #[test]
    fn every_keyword_has_its_row() {
        // `Actions` is the enum's last variant: every variant has a row.
        assert_eq!(TABLE.len(), Keyword::Actions as usize + 1);
    }

    #[test]
    fn reserved_words_come_first() {
        let first_free = TABLE.iter().position(|e| !e.reserved);
        let n = first_free.unwrap_or(TABLE.len());
        assert!(TABLE[n..].iter().all(|e| !e.reserved));
        assert!(!is_reserved("actions") && is_reserved("policy"));
        for kind in [TrustKind::Service, TrustKind::Aws, TrustKind::Federated] {
            assert!(has(TrustPrincipal, trust_principal(kind).word()));
            assert_eq!(trust_kind_of(Some(trust_principal(kind))), kind);
        }
    }
}
