//! Condition keys: the global `aws:` keys IAM documents, the cross-service
//! keys, and a check of a written key against them and the catalog's
//! service keys (E051).

use super::catalog;
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::source::Span;

/// The global condition context keys of the IAM User Guide ("AWS global
/// condition context keys"), with the cross-service keys it lists, and the
/// few keys AWS's managed policies use that no list has. `${...}` is a
/// variable part, matched by any non-empty text.
pub const GLOBAL_KEYS: &[&str] = &[
    // Properties of the principal.
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalOrgID",
    "aws:PrincipalTag/${TagKey}",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList",
    "aws:PrincipalType",
    "aws:userid",
    "aws:username",
    // Properties of a role session.
    "aws:AssumedRoot",
    "aws:FederatedProvider",
    "aws:TokenIssueTime",
    "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent",
    "aws:ChatbotSourceArn",
    "aws:Ec2InstanceSourceVpc",
    "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:SourceIdentity",
    "ec2:RoleDelivery",
    "ec2:SourceInstanceArn",
    "glue:RoleAssumedBy",
    "glue:CredentialIssuingService",
    "identitystore:UserId",
    "lambda:SourceFunctionArn",
    "ssm:SourceInstanceArn",
    // Properties of the network.
    "aws:SourceIp",
    "aws:SourceVpc",
    "aws:SourceVpcArn",
    "aws:SourceVpce",
    "aws:VpceAccount",
    "aws:VpceOrgID",
    "aws:VpceOrgPaths",
    "aws:VpcSourceIp",
    // Properties of the resource.
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",
    "aws:ResourceTag/${TagKey}",
    // Properties of the request.
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "aws:ViaAWSService",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:referer",
    "aws:RequestedRegion",
    "aws:RequestTag/${TagKey}",
    "aws:TagKeys",
    "aws:SecureTransport",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:UserAgent",
    // Still honoured by SNS and SQS resource policies, though no longer listed.
    "aws:SourceOwner",
    // Used by AWS's own managed policies (all 1,594 documents checked, 605
    // distinct keys), though neither the guide nor the catalog lists them.
    "aws:IsMcpServiceAction",
    "aws:PrincipalOrgMasterAccountId",
    "lakeformation:GlueARN",
];

/// Whether a written key matches a catalog key, as IAM compares key names:
/// without case; a `${...}` part of the catalog key matches any non-empty text.
pub fn key_matches(pattern: &str, key: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    let key = key.to_ascii_lowercase();
    let mut pieces = Vec::new();
    let mut rest = pattern.as_str();
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        pieces.push(&rest[..start]);
        rest = &rest[start + len + 1..];
    }
    pieces.push(rest);
    let [first, middle @ .., last] = pieces.as_slice() else {
        return pattern == key;
    };
    let Some(mut text) = key.strip_prefix(first) else {
        return false;
    };
    for piece in middle {
        // A variable part takes at least one character, then the literal.
        let Some(at) = text.get(1..).and_then(|t| t.find(piece)) else {
            return false;
        };
        text = &text[1 + at + piece.len()..];
    }
    text.len() > last.len() && text.ends_with(last)
}

/// The keys a written key is checked against, or `None` when iamc cannot
/// tell: a prefix that names no catalog service with keys (`saml:aud`,
/// `token.actions.githubusercontent.com:sub`) is never questioned.
fn known_keys(prefix: &str) -> Option<Vec<&'static str>> {
    let lower = prefix.to_ascii_lowercase();
    let mut keys: Vec<&'static str> = GLOBAL_KEYS
        .iter()
        .copied()
        .filter(|k| k.split(':').next().is_some_and(|p| p == lower))
        .collect();
    if lower != "aws" {
        let service = catalog().service(&lower)?;
        let own = service.condition_keys().iter().copied().filter(|k| {
            k.split(':')
                .next()
                .is_some_and(|p| p.eq_ignore_ascii_case(&lower))
        });
        keys.extend(own);
        if keys.is_empty() {
            return None;
        }
    }
    Some(keys)
}

/// A condition key no documented global key and no key of its service
/// matches, as a warning (E051) with a "did you mean".
pub fn unknown_condition_key(key: &str, span: Span) -> Option<Diagnostic> {
    let (prefix, name) = key.split_once(':')?;
    let known = known_keys(prefix)?;
    if known.iter().any(|k| key_matches(k, key)) {
        return None;
    }
    let where_from = if prefix.eq_ignore_ascii_case("aws") {
        "not a global condition key IAM documents".to_string()
    } else {
        format!("`{prefix}` has no condition key of this name")
    };
    let mut d = Diagnostic::warning(
        Code::UnknownConditionKey,
        format!("unknown condition key `{key}`"),
    )
    .primary(span, where_from)
    .note(
        "IAM accepts any key, but a key no request carries is missing: the condition is then false (true under a negated operator or `...IfExists`)",
    );
    // `aws:RequstTag/team` -> `aws:RequestTag/team`: a variable part is
    // offered with the text written in its place.
    let tail = name.split_once('/').map(|(_, t)| t);
    let candidates: Vec<String> = known
        .iter()
        .map(|k| match (k.split_once("${"), tail) {
            (Some((head, _)), Some(tail)) if head.ends_with('/') && !tail.is_empty() => {
                format!("{head}{tail}")
            }
            _ => (*k).to_string(),
        })
        .collect();
    if let Some(fix) = did_you_mean(key, candidates.iter().map(String::as_str)) {
        d = d.help(format!("did you mean `{fix}`?"));
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_parts_match_any_text() {
        assert!(key_matches(
            "aws:RequestTag/${TagKey}",
            "aws:requesttag/team"
        ));
        assert!(key_matches(
            "aws:RequestTag/${TagKey}",
            "AWS:RequestTag/a/b"
        ));
        assert!(!key_matches("aws:RequestTag/${TagKey}", "aws:RequestTag/"));
        assert!(!key_matches("aws:RequestTag/${TagKey}", "aws:RequestTags"));
        assert!(key_matches("aws:SourceIp", "AWS:SOURCEIP"));
        assert!(!key_matches("aws:SourceIp", "aws:SourceIps"));
        assert!(key_matches(
            "kms:EncryptionContext:${EncryptionContextKey}",
            "kms:EncryptionContext:purpose"
        ));
        assert!(key_matches("a:${X}.auth.${Y}", "a:b.auth.c"));
        assert!(!key_matches("a:${X}.auth.${Y}", "a:.auth.c"));
        assert!(!key_matches("a:${X}.auth.${Y}", "a:b.auth."));
    }

    #[test]
    fn unknown_keys_warn_with_a_suggestion() {
        let span = Span::new(0, 0, 0);
        let help = |k: &str| unknown_condition_key(k, span).map(|d| d.help);
        for known in [
            "s3:prefix",
            "S3:Prefix",
            "aws:SecureTransport",
            "aws:PrincipalTag/team",
            "iam:PassedToService",
            "kms:ViaService",
            "s3:ExistingObjectTag/owner",
            "sts:ExternalId",
            "ec2:SourceInstanceARN",
            "token.actions.githubusercontent.com:sub",
            "saml:aud",
        ] {
            assert_eq!(help(known), None, "{known}");
        }
        assert_eq!(
            help("s3:prefx"),
            Some(Some("did you mean `s3:prefix`?".into()))
        );
        assert_eq!(
            help("aws:SecureTransprot"),
            Some(Some("did you mean `aws:SecureTransport`?".into()))
        );
        assert_eq!(
            help("aws:RequstTag/team"),
            Some(Some("did you mean `aws:RequestTag/team`?".into()))
        );
        assert!(help("aws:NoSuchKeyAtAll").is_some());
    }
}
