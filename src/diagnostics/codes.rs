//! The code table: every diagnostic's stable code and title, and every
//! lint's code and name. One home for codes; nothing else spells them.

/// Every diagnostic iamc can emit, with its stable code. The book has a page per
/// code and `tests/ui/` has a test per code; `codes_are_documented_and_tested`
/// keeps the three in step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    Syntax,
    InvalidEscape,
    InvalidName,
    DuplicateName,
    UndefinedName,
    WrongKind,
    Cycle,
    EmptyGroup,
    EmptyPolicy,
    CaseCollision,
    MalformedAction,
    UnknownOperator,
    DuplicateConditionKey,
    DuplicateSid,
    NameTooLong,
    InvalidPath,
    TrustPolicyTooLarge,
    TooManyManagedPolicies,
    StatementTooLarge,
    CharacterNotAllowed,
    UnknownVariable,
    UnterminatedVariable,
    MissingProperty,
    DuplicateProperty,
    InvalidValue,
    MalformedResource,
    EmptyTrust,
    PropertyNotAllowed,
    StackMembership,
    TemplateArguments,
    StackLimit,
    NameCollision,
    PartialWildcardPrincipal,
    EmptyStack,
    UnknownAction,
    Config,
    Io,
    ForeignFile,
    Git,
    UnknownPrincipal,
    ImportInvalid,
    CannotImport,
    ImportWouldWiden,
    /// An evidence file for `iamc usage` or `iamc drift` is not what it should be.
    EvidenceInvalid,
    Internal,
    /// A finding of a lint; not in [`Code::ALL`]: the lints are
    /// [`LintCode::ALL`].
    Lint(LintCode),
}

impl Code {
    pub const ALL: &'static [Code] = &[
        Code::Syntax,
        Code::InvalidEscape,
        Code::InvalidName,
        Code::DuplicateName,
        Code::UndefinedName,
        Code::WrongKind,
        Code::Cycle,
        Code::EmptyGroup,
        Code::EmptyPolicy,
        Code::CaseCollision,
        Code::MalformedAction,
        Code::UnknownOperator,
        Code::DuplicateConditionKey,
        Code::DuplicateSid,
        Code::NameTooLong,
        Code::InvalidPath,
        Code::TrustPolicyTooLarge,
        Code::TooManyManagedPolicies,
        Code::StatementTooLarge,
        Code::CharacterNotAllowed,
        Code::UnknownVariable,
        Code::UnterminatedVariable,
        Code::MissingProperty,
        Code::DuplicateProperty,
        Code::InvalidValue,
        Code::MalformedResource,
        Code::EmptyTrust,
        Code::PropertyNotAllowed,
        Code::StackMembership,
        Code::TemplateArguments,
        Code::StackLimit,
        Code::NameCollision,
        Code::PartialWildcardPrincipal,
        Code::EmptyStack,
        Code::UnknownAction,
        Code::Config,
        Code::Io,
        Code::ForeignFile,
        Code::Git,
        Code::UnknownPrincipal,
        Code::ImportInvalid,
        Code::CannotImport,
        Code::ImportWouldWiden,
        Code::EvidenceInvalid,
        Code::Internal,
    ];

    /// The stable code printed as `error[E011]`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "E001",
            Code::InvalidEscape => "E003",
            Code::InvalidName => "E004",
            Code::DuplicateName => "E010",
            Code::UndefinedName => "E011",
            Code::WrongKind => "E012",
            Code::Cycle => "E013",
            Code::EmptyGroup => "E014",
            Code::EmptyPolicy => "E015",
            Code::CaseCollision => "E016",
            Code::MalformedAction => "E020",
            Code::UnknownOperator => "E021",
            Code::DuplicateConditionKey => "E022",
            Code::DuplicateSid => "E023",
            Code::NameTooLong => "E024",
            Code::InvalidPath => "E025",
            Code::TrustPolicyTooLarge => "E026",
            Code::TooManyManagedPolicies => "E027",
            Code::StatementTooLarge => "E028",
            Code::CharacterNotAllowed => "E029",
            Code::UnknownVariable => "E030",
            Code::UnterminatedVariable => "E031",
            Code::MissingProperty => "E032",
            Code::DuplicateProperty => "E033",
            Code::InvalidValue => "E034",
            Code::MalformedResource => "E035",
            Code::EmptyTrust => "E036",
            Code::PropertyNotAllowed => "E037",
            Code::Lint(lint) => lint.as_str(),
            Code::StackMembership => "E038",
            Code::TemplateArguments => "E039",
            Code::StackLimit => "E040",
            Code::NameCollision => "E041",
            Code::PartialWildcardPrincipal => "E042",
            Code::EmptyStack => "E043",
            Code::UnknownAction => "E050",
            Code::Config => "E080",
            Code::Io => "E081",
            Code::ForeignFile => "E082",
            Code::Git => "E083",
            Code::UnknownPrincipal => "E084",
            Code::ImportInvalid => "E090",
            Code::CannotImport => "E091",
            Code::ImportWouldWiden => "E092",
            Code::EvidenceInvalid => "E095",
            Code::Internal => "E999",
        }
    }

    /// A one-line title, used by the book's index of diagnostics.
    pub fn title(self) -> &'static str {
        match self {
            Code::Syntax => "syntax error",
            Code::InvalidEscape => "invalid escape in a string",
            Code::InvalidName => "invalid name",
            Code::DuplicateName => "name defined twice",
            Code::UndefinedName => "undefined name",
            Code::WrongKind => "reference to the wrong kind of declaration",
            Code::Cycle => "cycle in the group graph",
            Code::EmptyGroup => "empty group",
            Code::EmptyPolicy => "empty policy",
            Code::CaseCollision => "names differ only in case",
            Code::MalformedAction => "malformed action",
            Code::UnknownOperator => "unknown condition operator",
            Code::DuplicateConditionKey => "condition key repeated under one operator",
            Code::DuplicateSid => "two statements would share a Sid",
            Code::NameTooLong => "generated name too long or invalid",
            Code::InvalidPath => "invalid IAM path",
            Code::TrustPolicyTooLarge => "trust policy over the size limit",
            Code::TooManyManagedPolicies => "principal needs too many managed policies",
            Code::StatementTooLarge => "statement larger than a managed policy",
            Code::CharacterNotAllowed => "character IAM does not accept",
            Code::UnknownVariable => "unknown `${...}` variable",
            Code::UnterminatedVariable => "unterminated `${`",
            Code::MissingProperty => "required property missing",
            Code::DuplicateProperty => "property given twice",
            Code::InvalidValue => "value out of range",
            Code::MalformedResource => "malformed resource ARN",
            Code::EmptyTrust => "trust with no principal",
            Code::PropertyNotAllowed => "property not allowed here",
            Code::UnknownAction => "unknown service or action",
            Code::Lint(_) => "lint finding (see the lint's page)",
            Code::StackMembership => "principal or policy in two stacks",
            Code::TemplateArguments => "template parameters and arguments do not match",
            Code::StackLimit => "template over a CloudFormation limit",
            Code::NameCollision => "two resources would have the same IAM name",
            Code::PartialWildcardPrincipal => "wildcard inside a trusted principal",
            Code::EmptyStack => "stack with no principal or policy",
            Code::Config => "invalid iamc.yaml",
            Code::Io => "file could not be read or written",
            Code::ForeignFile => "output folder holds a file iamc did not write",
            Code::Git => "git revision could not be read",
            Code::UnknownPrincipal => "no declaration of that name and kind",
            Code::ImportInvalid => "import input is not a policy document or template",
            Code::CannotImport => "import cannot express part of the input",
            Code::ImportWouldWiden => "import would allow more than the input",
            Code::EvidenceInvalid => "evidence file cannot be read",
            Code::Internal => "internal error (a bug in iamc)",
        }
    }
}

/// Every lint, with its stable code and its name in `iamc.yaml`: the table
/// the lints' own files refer to (a lint's file never spells its code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LintCode {
    ActionWildcard,
    ServiceWildcard,
    ResourceWildcard,
    PassRoleWildcard,
    PrivilegeEscalation,
    EscalationCombination,
    AllowNot,
    AwsManagedPolicy,
    Unreachable,
    RedundantMember,
    ShadowedAction,
    ResourceTypeMismatch,
    TrustAnyone,
    TrustAccount,
    OidcTrust,
    ThirdPartyTrust,
}

impl LintCode {
    /// Every lint, in code order.
    pub const ALL: &'static [LintCode] = &[
        LintCode::ActionWildcard,
        LintCode::ServiceWildcard,
        LintCode::ResourceWildcard,
        LintCode::PassRoleWildcard,
        LintCode::PrivilegeEscalation,
        LintCode::EscalationCombination,
        LintCode::AllowNot,
        LintCode::AwsManagedPolicy,
        LintCode::Unreachable,
        LintCode::RedundantMember,
        LintCode::ShadowedAction,
        LintCode::ResourceTypeMismatch,
        LintCode::TrustAnyone,
        LintCode::TrustAccount,
        LintCode::OidcTrust,
        LintCode::ThirdPartyTrust,
    ];

    /// The stable code printed as `warning[L001]`.
    pub const fn as_str(self) -> &'static str {
        match self {
            LintCode::ActionWildcard => "L001",
            LintCode::ServiceWildcard => "L002",
            LintCode::ResourceWildcard => "L003",
            LintCode::PassRoleWildcard => "L004",
            LintCode::PrivilegeEscalation => "L005",
            LintCode::EscalationCombination => "L006",
            LintCode::AllowNot => "L007",
            LintCode::AwsManagedPolicy => "L008",
            LintCode::Unreachable => "L009",
            LintCode::RedundantMember => "L010",
            LintCode::ShadowedAction => "L011",
            LintCode::ResourceTypeMismatch => "L012",
            LintCode::TrustAnyone => "L013",
            LintCode::TrustAccount => "L014",
            LintCode::OidcTrust => "L015",
            LintCode::ThirdPartyTrust => "L016",
        }
    }

    /// The name `iamc.yaml` and `#[allow]`-style settings use.
    pub const fn name(self) -> &'static str {
        match self {
            LintCode::ActionWildcard => "action-wildcard",
            LintCode::ServiceWildcard => "service-wildcard",
            LintCode::ResourceWildcard => "resource-wildcard",
            LintCode::PassRoleWildcard => "pass-role-wildcard",
            LintCode::PrivilegeEscalation => "privilege-escalation",
            LintCode::EscalationCombination => "escalation-combination",
            LintCode::AllowNot => "allow-not",
            LintCode::AwsManagedPolicy => "aws-managed-policy",
            LintCode::Unreachable => "unreachable",
            LintCode::RedundantMember => "redundant-member",
            LintCode::ShadowedAction => "shadowed-action",
            LintCode::ResourceTypeMismatch => "resource-type-mismatch",
            LintCode::TrustAnyone => "trust-anyone",
            LintCode::TrustAccount => "trust-account",
            LintCode::OidcTrust => "oidc-trust",
            LintCode::ThirdPartyTrust => "third-party-trust",
        }
    }

    pub fn by_name(name: &str) -> Option<LintCode> {
        LintCode::ALL.iter().copied().find(|l| l.name() == name)
    }

    pub fn by_code(code: &str) -> Option<LintCode> {
        LintCode::ALL.iter().copied().find(|l| l.as_str() == code)
    }
}
