//! What an ARN is: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, its
//! segments, the partitions AWS has and what an account ID looks like. The
//! resource part may hold more colons (`log-group:name:*`); a `${...}` may
//! hold colons too (`${aws:username}`) and is never split.

/// The partitions AWS has, as the AWS SDKs list them (`partitions.json` of
/// the SDKs' endpoint rules): the commercial regions, China, GovCloud (US),
/// the isolated regions, and the European Sovereign Cloud. AWS's ARN page
/// names the first three; each partition has its own IAM, so an ARN of one
/// is never valid in another.
pub const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// The partition a template is deployed in, as CloudFormation writes it.
pub const THIS_PARTITION: &str = "${AWS::Partition}";

/// The account a template is deployed in, as CloudFormation writes it.
pub const THIS_ACCOUNT: &str = "${AWS::AccountId}";

/// Whether `partition` is one AWS has (exactly: partitions are lower case).
pub fn is_partition(partition: &str) -> bool {
    PARTITIONS.contains(&partition)
}

/// An account ID as IAM writes it: twelve digits, no hyphens.
pub fn is_account_id(account: &str) -> bool {
    account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())
}

/// An account named in a policy: an account ID written out, or the account
/// the template is deployed in (`${AWS::AccountId}`).
pub fn names_account(account: &str) -> bool {
    account == THIS_ACCOUNT || is_account_id(account)
}

/// The byte offsets of the colons that separate an ARN's segments: a colon
/// inside `${...}` does not (the first `}` closes it, as in IAM and
/// CloudFormation); after a `${` that is never closed, none does.
fn separators(arn: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = arn.as_bytes();
    let mut inside = false;
    (0..bytes.len()).filter(move |&i| match bytes[i] {
        b'{' if i > 0 && bytes[i - 1] == b'$' => {
            inside = true;
            false
        }
        b'}' => {
            inside = false;
            false
        }
        b':' => !inside,
        _ => false,
    })
}

/// An ARN's colon-separated segments, all of them (the resource part split
/// too); a `${...}` stays whole.
pub fn segments(arn: &str) -> Vec<&str> {
    let mut out = Vec::with_capacity(8);
    let mut start = 0;
    for at in separators(arn) {
        out.push(&arn[start..at]);
        start = at + 1;
    }
    out.push(&arn[start..]);
    out
}

/// An ARN read into its parts. Each part may be empty (`arn:aws:s3:::b` has
/// no region or account) or hold wildcards and `${...}`: this is the shape,
/// not a judgement of the values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    /// Everything after the fifth separator, colons included:
    /// `log-group:name:*`, `role/path/Name`.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// `text` read as an ARN: `arn:` and at least six segments; `None`
    /// otherwise.
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        let mut at = separators(text);
        let cuts: [usize; 5] = [at.next()?, at.next()?, at.next()?, at.next()?, at.next()?];
        if &text[..cuts[0]] != "arn" {
            return None;
        }
        let part = |i: usize| &text[cuts[i] + 1..cuts[i + 1]];
        Some(Arn {
            partition: part(0),
            service: part(1),
            region: part(2),
            account: part(3),
            resource: &text[cuts[4] + 1..],
        })
    }
}

/// What is wrong with a resource ARN, if anything (a resource of a policy:
/// `*` is not one; wildcards and `${...}` may stand in every part but the
/// service).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// It does not start with `arn:`.
    NotArn,
    /// Fewer than six parts.
    TooFewParts,
    /// The partition is empty.
    NoPartition,
    /// The service is empty or a wildcard.
    Service,
}

/// What is wrong with `arn` as a resource ARN, if anything.
pub fn problem(arn: &str) -> Option<Problem> {
    let segments = segments(arn);
    if segments[0] != "arn" {
        return Some(Problem::NotArn);
    }
    if segments.len() < 6 {
        return Some(Problem::TooFewParts);
    }
    if segments[1].is_empty() {
        return Some(Problem::NoPartition);
    }
    if segments[2].is_empty() || super::pattern::is_wildcard(segments[2]) {
        return Some(Problem::Service);
    }
    None
}

/// A managed policy ARN: `arn:PARTITION:iam::ACCOUNT:policy/NAME` (the
/// account `aws` for a policy AWS manages).
pub fn is_managed_policy(arn: &str) -> bool {
    Arn::parse(arn).is_some_and(|a| a.service == "iam" && a.resource.starts_with("policy/"))
}

/// The name of the AWS managed policy an ARN names
/// (`arn:aws:iam::aws:policy/job-function/ViewOnlyAccess` ->
/// `ViewOnlyAccess`), in any partition; `None` for any other ARN.
pub fn aws_managed_policy(arn: &str) -> Option<&str> {
    let a = Arn::parse(arn)?;
    if a.service != "iam" || !a.region.is_empty() || a.account != "aws" {
        return None;
    }
    let path = a.resource.strip_prefix("policy/")?;
    path.rsplit('/').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arn(text: &str) -> Arn<'_> {
        Arn::parse(text).unwrap_or_else(|| panic!("{text} is an ARN"))
    }

    #[test]
    fn every_partition_parses_and_is_known() {
        for p in PARTITIONS {
            let text = format!("arn:{p}:iam::123456789012:role/x");
            let a = arn(&text);
            assert_eq!(a.partition, *p);
            assert!(is_partition(a.partition));
            assert_eq!(
                (a.service, a.region, a.account),
                ("iam", "", "123456789012")
            );
        }
        for not in [
            "",
            "AWS",
            "aws-CN",
            "aws-us",
            "aws-iso-z",
            "*",
            THIS_PARTITION,
            "aws ",
        ] {
            assert!(!is_partition(not), "{not}");
        }
    }

    #[test]
    fn parts_may_be_empty_and_the_resource_keeps_its_colons() {
        let a = arn("arn:aws:s3:::bucket/key");
        assert_eq!((a.region, a.account, a.resource), ("", "", "bucket/key"));
        let a = arn("arn:aws:logs:us-east-1:123456789012:log-group:g:*");
        assert_eq!(a.resource, "log-group:g:*");
        let a = arn("arn:::::");
        assert_eq!(
            (a.partition, a.service, a.region, a.account, a.resource),
            ("", "", "", "", "")
        );
    }

    #[test]
    fn not_arns() {
        for text in [
            "",
            "*",
            "arn",
            "arn:aws:s3::",
            "arn:aws:s3::b",
            "ARN:aws:s3:::b",
            " arn:aws:s3:::b",
            "urn:aws:s3:::b",
            "s3:::b:c:d",
            "123456789012",
        ] {
            assert_eq!(Arn::parse(text), None, "{text}");
        }
        // Six parts, the last one empty, is an ARN's shape.
        assert_eq!(arn("arn:aws:s3:::").resource, "");
    }

    #[test]
    fn wildcards_and_variables_stand_in_any_part() {
        let a = arn("arn:*:s3:?:*:b*");
        assert_eq!(
            (a.partition, a.region, a.account, a.resource),
            ("*", "?", "*", "b*")
        );
        let a = arn("arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:q");
        assert_eq!(a.partition, THIS_PARTITION);
        assert_eq!(a.region, "${AWS::Region}");
        assert_eq!(a.account, THIS_ACCOUNT);
        assert_eq!(a.resource, "q");
        // A policy variable's colon does not split.
        let a = arn("arn:aws:s3:::home/${aws:username}/*");
        assert_eq!(a.resource, "home/${aws:username}/*");
        assert_eq!(
            segments("arn:aws:s3:::${aws:PrincipalTag/a:b}:x"),
            ["arn", "aws", "s3", "", "", "${aws:PrincipalTag/a:b}", "x"]
        );
        // The first `}` closes a variable; a `${` never closed keeps the rest whole.
        assert_eq!(segments("a:${b${c}:d}:e"), ["a", "${b${c}", "d}", "e"]);
        assert_eq!(segments("a:${b:c:d"), ["a", "${b:c:d"]);
        assert_eq!(segments("a:$:{b:c}"), ["a", "$", "{b", "c}"]);
        assert_eq!(segments("a:}:b"), ["a", "}", "b"]);
        assert!(Arn::parse("arn:aws:s3:${AWS::Region:x:y:z").is_none());
    }

    #[test]
    fn case_is_kept_and_matters() {
        // IAM compares ARNs with case: `ARN:` is not an ARN, `AWS` no partition.
        let a = arn("arn:AWS:IAM::123456789012:Role/X");
        assert_eq!(
            (a.partition, a.service, a.resource),
            ("AWS", "IAM", "Role/X")
        );
        assert!(!is_partition(a.partition));
        assert!(Arn::parse("Arn:aws:iam::1:root").is_none());
    }

    #[test]
    fn account_ids_are_twelve_digits() {
        assert!(is_account_id("123456789012"));
        assert!(is_account_id("000000000000"));
        for not in [
            "",
            "12345678901",
            "1234567890123",
            "1234-5678-9012",
            "12345678901a",
            "*",
            "aws",
            "１２３４５６７８９０１２",
            THIS_ACCOUNT,
        ] {
            assert!(!is_account_id(not), "{not}");
        }
        assert!(names_account(THIS_ACCOUNT));
        assert!(names_account("123456789012"));
        assert!(!names_account("${AWS::AccountID}"));
        assert!(!names_account("*"));
    }

    #[test]
    fn problems_of_resources() {
        assert_eq!(problem("arn:aws:s3:::b"), None);
        assert_eq!(problem("arn:aws-cn:s3:::b"), None);
        assert_eq!(problem("arn:*:s3:::b"), None);
        assert_eq!(problem("arn:${AWS::Partition}:s3:::b"), None);
        assert_eq!(problem("arn:aws:s3:::b:c:d"), None);
        assert_eq!(problem("bucket/key"), Some(Problem::NotArn));
        assert_eq!(problem(""), Some(Problem::NotArn));
        assert_eq!(problem("arn:aws:s3::b"), Some(Problem::TooFewParts));
        assert_eq!(problem("arn::s3:::b"), Some(Problem::NoPartition));
        assert_eq!(problem("arn:aws::::b"), Some(Problem::Service));
        assert_eq!(problem("arn:aws:s*:::b"), Some(Problem::Service));
        assert_eq!(problem("arn:aws:?3:::b"), Some(Problem::Service));
        assert_eq!(problem("arn:aws:${x:y}:::b"), None);
    }

    #[test]
    fn managed_policies_in_every_partition() {
        for p in PARTITIONS {
            let text = format!("arn:{p}:iam::aws:policy/job-function/ViewOnlyAccess");
            assert!(is_managed_policy(&text));
            assert_eq!(aws_managed_policy(&text), Some("ViewOnlyAccess"));
        }
        let own = "arn:aws:iam::123456789012:policy/Mine";
        assert!(is_managed_policy(own));
        assert_eq!(aws_managed_policy(own), None);
        assert!(is_managed_policy(
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/P"
        ));
        for not in [
            "arn:aws:iam::aws:role/x",
            "arn:aws:s3:::policy/x",
            "arn:aws:iam::aws",
            "policy/x",
        ] {
            assert!(!is_managed_policy(not), "{not}");
            assert_eq!(aws_managed_policy(not), None, "{not}");
        }
    }
}
