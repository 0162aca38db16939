//! The syntax tree of a program. Every node carries the span of its source
//! text, and nodes compare equal regardless of spans (as Cedar's `Node<T>`):
//! two trees are equal exactly when they are the same program, however it
//! is laid out (`iamc fmt` relies on it). A span on its own is a
//! [`Spanned`] value or a field the equality below names as ignored.

use crate::iam::policy::Effect;
use crate::source::{Span, Spanned};

/// `PartialEq` and `Eq` on the fields listed, ignoring the spans listed
/// after `ignoring`. Every field is named one way or the other, so a field
/// added later is a compile error here until it is placed.
macro_rules! eq_ignoring_spans {
    ($ty:ident { $($field:ident),* } ignoring { $($span:ident),* }) => {
        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                let $ty { $($field,)* $($span: _,)* } = self;
                $(*$field == other.$field)&&*
            }
        }
        impl Eq for $ty {}
    };
}

/// A name as written: `TeamADev`.
#[derive(Clone, Debug)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}
eq_ignoring_spans!(Ident { name } ignoring { span });

/// A string literal, already unescaped.
#[derive(Clone, Debug)]
pub struct Str {
    pub value: String,
    pub span: Span,
}
eq_ignoring_spans!(Str { value } ignoring { span });

/// A declaration, wherever in the program it stands.
#[derive(Clone, Debug)]
pub struct Decl {
    pub name: Ident,
    /// The `///` lines above it, without the slashes.
    pub doc: Option<String>,
    pub kind: DeclKind,
    /// The whole declaration.
    pub span: Span,
    /// The keyword that opens it (`policy`, `group`, ...).
    pub keyword_span: Span,
}
eq_ignoring_spans!(Decl { name, doc, kind } ignoring { span, keyword_span });

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeclKind {
    Policy(Vec<Statement>),
    PolicyInstance(Instantiation),
    Template(Template),
    Group(Vec<Ident>),
    Trust(Trust),
    Param(Param),
    Role(Principal),
    User(Principal),
    Stack(Stack),
}

impl DeclKind {
    /// The kind's name in messages, as written in the source.
    pub fn keyword(&self) -> &'static str {
        match self {
            DeclKind::Policy(_) | DeclKind::PolicyInstance(_) => "policy",
            DeclKind::Template(_) => "template",
            DeclKind::Group(_) => "group",
            DeclKind::Trust(_) => "trust",
            DeclKind::Param(_) => "param",
            DeclKind::Role(_) => "role",
            DeclKind::User(_) => "user",
            DeclKind::Stack(_) => "stack",
        }
    }
}

/// `allow [not] ACTIONS on [not] RESOURCES when* because?`
#[derive(Clone, Debug)]
pub struct Statement {
    pub doc: Option<String>,
    pub span: Span,
    pub effect: Effect,
    pub effect_span: Span,
    /// `allow not [...]`: the actions are a `NotAction`.
    pub not_action: bool,
    pub actions: Vec<Action>,
    pub actions_span: Span,
    /// `on not [...]`: the resources are a `NotResource`.
    pub not_resource: bool,
    pub resources: Resources,
    pub resources_span: Span,
    pub conditions: Vec<Condition>,
    pub because: Option<Str>,
}
eq_ignoring_spans!(Statement {
    doc, effect, not_action, actions, not_resource, resources, conditions, because
} ignoring { span, effect_span, actions_span, resources_span });

/// `s3:GetObject`, `s3:Get*` or `*`, as written.
#[derive(Clone, Debug)]
pub struct Action {
    pub text: String,
    pub span: Span,
}
eq_ignoring_spans!(Action { text } ignoring { span });

#[derive(Clone, Debug)]
pub enum Resources {
    /// `on *`
    Any(Span),
    List(Vec<Str>),
}

impl PartialEq for Resources {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Resources::Any(_), Resources::Any(_)) => true,
            (Resources::List(a), Resources::List(b)) => a == b,
            (Resources::Any(_) | Resources::List(_), _) => false,
        }
    }
}

impl Eq for Resources {}

/// `when OPERATOR "key" VALUES`
#[derive(Clone, Debug)]
pub struct Condition {
    pub operator: Ident,
    pub key: Str,
    pub values: Vec<Str>,
    pub span: Span,
}
eq_ignoring_spans!(Condition { operator, key, values } ignoring { span });

/// `template Name(a, b) { statements }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pub params: Vec<Ident>,
    pub statements: Vec<Statement>,
}

/// `= Template(a: "x", b: "y")`
#[derive(Clone, Debug)]
pub struct Instantiation {
    pub template: Ident,
    pub arguments: Vec<(Ident, Str)>,
    pub span: Span,
}
eq_ignoring_spans!(Instantiation { template, arguments } ignoring { span });

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TrustKind {
    Service,
    Aws,
    Federated,
}

#[derive(Clone, Debug)]
pub struct Trust {
    pub entries: Vec<TrustEntry>,
    pub span: Span,
}
eq_ignoring_spans!(Trust { entries } ignoring { span });

/// `service "ec2.amazonaws.com"`, with its session actions and conditions.
#[derive(Clone, Debug)]
pub struct TrustEntry {
    pub kind: TrustKind,
    pub kind_span: Span,
    pub principals: Vec<Str>,
    /// `actions [sts:TagSession]`: session actions besides the assume action.
    pub actions: Vec<Action>,
    pub conditions: Vec<Condition>,
}
eq_ignoring_spans!(TrustEntry { kind, principals, actions, conditions } ignoring { kind_span });

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Param {
    pub default: Option<Str>,
    pub description: Option<Str>,
    pub max_length: Option<Spanned<u64>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrustRef {
    Named(Ident),
    Inline(Trust),
}

/// The body of a `role` or `user`. Properties given twice are reported by the
/// parser; the first one is kept. The span of `grants` and `trust` is the
/// whole property; that of a number, the number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Principal {
    pub grants: Option<Spanned<Vec<Ident>>>,
    pub trust: Option<Spanned<TrustRef>>,
    pub managed: Vec<Str>,
    /// `instance_profile`, where it is written.
    pub instance_profile: Option<Spanned<()>>,
    pub boundary: Option<Str>,
    pub path: Option<Str>,
    pub max_session: Option<Spanned<u64>>,
    pub tags: Vec<(Str, Str)>,
    pub description: Option<Str>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stack {
    pub roles: Vec<Ident>,
    pub users: Vec<Ident>,
    pub policies: Vec<Ident>,
}
