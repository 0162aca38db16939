//! Who a trust policy may name: an AWS principal (`*`, an account, an ARN of
//! a role, a user or a session) or a service principal
//! (`ec2.amazonaws.com`), and which of them stand for a whole account.

use super::arn::{self, Arn};

/// An AWS principal (`"AWS": ...` in a policy, `aws "..."` in a trust),
/// read into the form IAM gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aws<'a> {
    /// `*`: every principal of every account.
    Anyone,
    /// `111122223333`: the account, which IAM reads as its root.
    Account(&'a str),
    /// `arn:PARTITION:iam::111122223333:root`: the account.
    Root(Arn<'a>),
    /// `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`, with its name.
    Role(Arn<'a>, &'a str),
    /// `arn:PARTITION:iam::ACCOUNT:user/PATH/NAME`, with its name.
    User(Arn<'a>, &'a str),
    /// `arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION`: one session
    /// of a role, with the role's name.
    AssumedRole(Arn<'a>, &'a str),
    /// Any other ARN.
    Other(Arn<'a>),
}

impl<'a> Aws<'a> {
    /// `text` read as an AWS principal: `*`, an account ID or an ARN; `None`
    /// for anything else.
    pub fn parse(text: &'a str) -> Option<Aws<'a>> {
        if text == "*" {
            return Some(Aws::Anyone);
        }
        if arn::is_account_id(text) {
            return Some(Aws::Account(text));
        }
        let a = Arn::parse(text)?;
        let last = |path: &'a str| path.rsplit('/').next().unwrap_or(path);
        Some(match (a.service, a.resource.split_once('/')) {
            ("iam", None) if a.resource == "root" => Aws::Root(a),
            ("iam", Some(("role", path))) => Aws::Role(a, last(path)),
            ("iam", Some(("user", path))) => Aws::User(a, last(path)),
            ("sts", Some(("assumed-role", rest))) => {
                Aws::AssumedRole(a, rest.split('/').next().unwrap_or(rest))
            }
            _ => Aws::Other(a),
        })
    }

    /// The account the principal belongs to as written (`111122223333`,
    /// `${AWS::AccountId}`, or whatever an ARN's account part holds); `None`
    /// for `*`.
    pub fn account(&self) -> Option<&'a str> {
        match self {
            Aws::Anyone => None,
            Aws::Account(a) => Some(a),
            Aws::Root(a)
            | Aws::Role(a, _)
            | Aws::User(a, _)
            | Aws::AssumedRole(a, _)
            | Aws::Other(a) => Some(a.account),
        }
    }

    /// Whether the principal is a whole account (an account ID or its root),
    /// which delegates to the account's own policies.
    pub fn is_whole_account(&self) -> bool {
        matches!(self, Aws::Account(_) | Aws::Root(_))
    }
}

/// The name of the role or user an IAM ARN names
/// (`arn:aws:iam::1:role/path/Name` -> `Name`), in any partition; `None` for
/// any other ARN, or an empty name.
pub fn role_or_user_name(arn: &str) -> Option<&str> {
    match Aws::parse(arn)? {
        Aws::Role(_, name) | Aws::User(_, name) => Some(name).filter(|n| !n.is_empty()),
        _ => None,
    }
}

/// The DNS suffixes of AWS service principals: `ec2.amazonaws.com`, the
/// China regions' `ec2.amazonaws.com.cn`, and a few older `.amazon.com` ones.
pub const SERVICE_PRINCIPAL_SUFFIXES: &[&str] =
    &[".amazonaws.com", ".amazonaws.com.cn", ".amazon.com"];

/// Whether `text` looks like a service principal: a host name of letters,
/// digits, `.` and `-` under one of [`SERVICE_PRINCIPAL_SUFFIXES`].
pub fn is_service_principal(text: &str) -> bool {
    let known_suffix = SERVICE_PRINCIPAL_SUFFIXES
        .iter()
        .any(|suffix| text.len() > suffix.len() && text.ends_with(suffix));
    known_suffix
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::arn::PARTITIONS;

    #[test]
    fn forms_of_an_aws_principal() {
        assert_eq!(Aws::parse("*"), Some(Aws::Anyone));
        assert_eq!(
            Aws::parse("111122223333"),
            Some(Aws::Account("111122223333"))
        );
        for text in [
            "",
            "**",
            "1111-2222-3333",
            "11112222333",
            "root",
            "arn:aws:iam::1",
        ] {
            assert_eq!(Aws::parse(text), None, "{text}");
        }
        let named = |text| match Aws::parse(text) {
            Some(Aws::Role(_, n) | Aws::User(_, n) | Aws::AssumedRole(_, n)) => Some(n),
            _ => None,
        };
        assert_eq!(named("arn:aws:iam::1:role/Deployer"), Some("Deployer"));
        assert_eq!(
            named("arn:aws:iam::1:role/team/a/Deployer"),
            Some("Deployer")
        );
        assert_eq!(named("arn:aws:iam::1:user/JohnDoe"), Some("JohnDoe"));
        assert_eq!(named("arn:aws:sts::1:assumed-role/R/session"), Some("R"));
        assert_eq!(named("arn:aws:iam::1:group/G"), None);
        assert_eq!(named("arn:aws:sts::1:role/R"), None);
        assert!(matches!(
            Aws::parse("arn:aws:iam::1:oidc-provider/x"),
            Some(Aws::Other(_))
        ));
    }

    #[test]
    fn account_roots_in_every_partition() {
        for p in PARTITIONS {
            let root = format!("arn:{p}:iam::111122223333:root");
            let read = Aws::parse(&root);
            assert!(
                matches!(read, Some(Aws::Root(a)) if a.partition == *p),
                "{root}"
            );
            assert!(read.is_some_and(|r| r.is_whole_account()));
            assert_eq!(read.and_then(|r| r.account()), Some("111122223333"));
        }
        let this = "arn:${AWS::Partition}:iam::${AWS::AccountId}:root";
        assert!(Aws::parse(this).is_some_and(|r| r.is_whole_account()));
        assert_eq!(
            Aws::parse(this).and_then(|r| r.account()),
            Some(arn::THIS_ACCOUNT)
        );
        assert!(Aws::parse("111122223333").is_some_and(|r| r.is_whole_account()));
        // Not roots: another service, another resource, another case.
        for not in [
            "arn:aws:sts::111122223333:root",
            "arn:aws:iam::111122223333:role/root",
            "arn:aws:iam::111122223333:x:root",
            "arn:aws:iam::111122223333:Root",
            "arn:aws-us-gov:iam::111122223333:user/root",
            "*",
        ] {
            assert!(
                !Aws::parse(not).is_some_and(|r| r.is_whole_account()),
                "{not}"
            );
        }
        assert_eq!(Aws::Anyone.account(), None);
    }

    #[test]
    fn role_and_user_names_in_every_partition() {
        for p in PARTITIONS {
            let role = format!("arn:{p}:iam::123456789012:role/team/a/PersonalRoleJaneDoe");
            assert_eq!(role_or_user_name(&role), Some("PersonalRoleJaneDoe"));
        }
        assert_eq!(
            role_or_user_name("arn:aws:iam::123456789012:user/JohnDoe"),
            Some("JohnDoe")
        );
        for not in [
            "arn:aws:sts::123456789012:assumed-role/R/s",
            "arn:aws:iam::123456789012:group/G",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role/a/",
            "arn:aws:iam::123456789012:root",
            "arn:aws:iam::123456789012:rolex/R",
            "role/R",
        ] {
            assert_eq!(role_or_user_name(not), None, "{not}");
        }
    }

    #[test]
    fn service_principals() {
        for yes in [
            "ec2.amazonaws.com",
            "pods.eks.amazonaws.com",
            "ec2.amazonaws.com.cn",
            "ssm-guiconnect.amazon.com",
        ] {
            assert!(is_service_principal(yes), "{yes}");
        }
        for not in [
            "amazonaws.com",
            ".amazonaws.com",
            "ec2",
            "ec2.example.com",
            "ec2 .amazonaws.com",
            "*.amazonaws.com",
            "arn:aws:iam::1:root",
        ] {
            assert!(!is_service_principal(not), "{not}");
        }
    }
}
