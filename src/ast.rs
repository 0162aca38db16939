//! The syntax tree of a program. Every node carries the span of its source text;
//! nodes compare equal regardless of spans only where that is needed (fmt tests).

use crate::source::Span;

/// A name as written: `TeamADev`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A string literal, already unescaped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Str {
    pub value: String,
    pub span: Span,
}

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

#[derive(Clone, Debug)]
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Effect {
    Allow,
    Deny,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
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

/// `s3:GetObject`, `s3:Get*` or `*`, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Resources {
    /// `on *`
    Any(Span),
    List(Vec<Str>),
}

/// `when OPERATOR "key" VALUES`
#[derive(Clone, Debug)]
pub struct Condition {
    pub operator: Ident,
    pub key: Str,
    pub values: Vec<Str>,
    pub span: Span,
}

/// `template Name(a, b) { statements }`
#[derive(Clone, Debug)]
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

#[derive(Clone, Debug, Default)]
pub struct Param {
    pub default: Option<Str>,
    pub description: Option<Str>,
    pub max_length: Option<(u64, Span)>,
}

#[derive(Clone, Debug)]
pub enum TrustRef {
    Named(Ident),
    Inline(Trust),
}

/// The body of a `role` or `user`. Properties given twice are reported by the
/// parser; the first one is kept.
#[derive(Clone, Debug, Default)]
pub struct Principal {
    pub grants: Option<(Span, Vec<Ident>)>,
    pub trust: Option<(Span, TrustRef)>,
    pub managed: Vec<Str>,
    pub instance_profile: Option<Span>,
    pub boundary: Option<Str>,
    pub path: Option<Str>,
    pub max_session: Option<(u64, Span)>,
    pub tags: Vec<(Str, Str)>,
    pub description: Option<Str>,
}

#[derive(Clone, Debug, Default)]
pub struct Stack {
    pub roles: Vec<Ident>,
    pub users: Vec<Ident>,
    pub policies: Vec<Ident>,
}
