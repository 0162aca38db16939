//! The code table: every diagnostic's stable code and title, and every
//! lint's code and name. One home for codes; nothing else spells them. A new
//! code is one row of `codes!` (a lint, one row of `lints!`).

/// Defines [`Code`] from its table, one row a diagnostic: its stable code,
/// its variant and its one-line title, in the enum's order.
macro_rules! codes {
    ($($(#[$doc:meta])* $code:ident $variant:ident $title:literal;)*) => {
        /// Every diagnostic iamc can emit, with its stable code. The book has a page per
        /// code and `tests/ui/` has a test per code; `codes_are_documented_and_tested`
        /// keeps the three in step.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
            /// A finding of a lint; not in [`Code::ALL`]: the lints are
            /// [`LintCode::ALL`].
            Lint(LintCode),
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable code printed as `error[E011]`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => stringify!($code),)*
                    Code::Lint(lint) => lint.as_str(),
                }
            }

            /// A one-line title, used by the book's index of diagnostics.
            pub fn title(self) -> &'static str {
                match self {
                    $(Code::$variant => $title,)*
                    Code::Lint(_) => "lint finding (see the lint's page)",
                }
            }
        }
    };
}

codes! {
    E001 Syntax "syntax error";
    E003 InvalidEscape "invalid escape in a string";
    E004 InvalidName "invalid name";
    E010 DuplicateName "name defined twice";
    E011 UndefinedName "undefined name";
    E012 WrongKind "reference to the wrong kind of declaration";
    E013 Cycle "cycle in the group graph";
    E014 EmptyGroup "empty group";
    E015 EmptyPolicy "empty policy";
    E016 CaseCollision "names differ only in case";
    E020 MalformedAction "malformed action";
    E021 UnknownOperator "unknown condition operator";
    E022 DuplicateConditionKey "condition key repeated under one operator";
    E023 DuplicateSid "two statements would share a Sid";
    E024 NameTooLong "generated name too long or invalid";
    E025 InvalidPath "invalid IAM path";
    E026 TrustPolicyTooLarge "trust policy over the size limit";
    E027 TooManyManagedPolicies "principal needs too many managed policies";
    E028 StatementTooLarge "statement larger than a managed policy";
    E029 CharacterNotAllowed "character IAM does not accept";
    E030 UnknownVariable "unknown `${...}` variable";
    E031 UnterminatedVariable "unterminated `${`";
    E032 MissingProperty "required property missing";
    E033 DuplicateProperty "property given twice";
    E034 InvalidValue "value out of range";
    E035 MalformedResource "malformed resource ARN";
    E036 EmptyTrust "trust with no principal";
    E037 PropertyNotAllowed "property not allowed here";
    E038 StackMembership "principal or policy in two stacks";
    E039 TemplateArguments "template parameters and arguments do not match";
    E040 StackLimit "template over a CloudFormation limit";
    E041 NameCollision "two resources would have the same IAM name";
    E042 PartialWildcardPrincipal "wildcard inside a trusted principal";
    E043 EmptyStack "stack with no principal or policy";
    /// An action in a trust entry's `actions` that is not an STS session action.
    E044 TrustActionNotAllowed "action a trust cannot name";
    E050 UnknownAction "unknown service or action";
    E051 UnknownConditionKey "unknown condition key";
    E080 Config "invalid iamc.yaml";
    E081 Io "file could not be read or written";
    E082 ForeignFile "output folder holds a file iamc did not write";
    E083 Git "git revision could not be read";
    E084 UnknownPrincipal "no declaration of that name and kind";
    E090 ImportInvalid "import input is not a policy document or template";
    E091 CannotImport "import cannot express part of the input";
    E092 ImportWouldWiden "import would allow more than the input";
    /// An evidence file for `iamc usage` or `iamc drift` is not what it should be.
    E095 EvidenceInvalid "evidence file cannot be read";
    /// `iamc adopt`: a resource the account holds differs from the program's.
    E096 CannotAdopt "resource cannot be adopted as the program says it";
    E999 Internal "internal error (a bug in iamc)";
}

/// Defines [`LintCode`] from its table, one row a lint: its stable code, its
/// variant and its name in `iamc.yaml`, in code order.
macro_rules! lints {
    ($($code:ident $variant:ident $name:literal;)*) => {
        /// Every lint, with its stable code and its name in `iamc.yaml`: the table
        /// the lints' own files refer to (a lint's file never spells its code).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum LintCode {
            $($variant,)*
        }

        impl LintCode {
            /// Every lint, in code order.
            pub const ALL: &'static [LintCode] = &[$(LintCode::$variant),*];

            /// The stable code printed as `warning[L001]`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(LintCode::$variant => stringify!($code),)*
                }
            }

            /// The name `iamc.yaml` and `#[allow]`-style settings use.
            pub const fn name(self) -> &'static str {
                match self {
                    $(LintCode::$variant => $name,)*
                }
            }
        }
    };
}

lints! {
    L001 ActionWildcard "action-wildcard";
    L002 ServiceWildcard "service-wildcard";
    L003 ResourceWildcard "resource-wildcard";
    L004 PassRoleWildcard "pass-role-wildcard";
    L005 PrivilegeEscalation "privilege-escalation";
    L006 EscalationCombination "escalation-combination";
    L007 AllowNot "allow-not";
    L008 AwsManagedPolicy "aws-managed-policy";
    L009 Unreachable "unreachable";
    L010 RedundantMember "redundant-member";
    L011 ShadowedAction "shadowed-action";
    L012 ResourceTypeMismatch "resource-type-mismatch";
    L013 TrustAnyone "trust-anyone";
    L014 TrustAccount "trust-account";
    L015 OidcTrust "oidc-trust";
    L016 ThirdPartyTrust "third-party-trust";
    L017 EscalationChain "escalation-chain";
}

impl LintCode {
    pub fn by_name(name: &str) -> Option<LintCode> {
        LintCode::ALL.iter().copied().find(|l| l.name() == name)
    }

    pub fn by_code(code: &str) -> Option<LintCode> {
        LintCode::ALL.iter().copied().find(|l| l.as_str() == code)
    }
}
