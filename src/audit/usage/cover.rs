//! Whether a grant covers what the evidence shows: the one question `iamc
//! usage` asks of IAM's matching, kept in one place so that it can move onto
//! the IAM evaluator. It uses the project's one pattern matcher.

use crate::iam::pattern as glob;

/// Whether an Allow's action pattern (`s3:Get*`) covers an action the
/// evidence shows used (`s3:GetObject`), or overlaps a pattern of use
/// (`s3:*` when a report says only that the service was used).
pub fn grant_covers(grant: &str, used: &str) -> bool {
    glob::action_matches(grant, used)
}

/// The same for `allow not [...]` (`NotAction`): every action but those.
pub fn not_action_covers(excluded: &[String], used: &str) -> bool {
    !excluded.iter().any(|p| glob::action_covers(p, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_like_iam() {
        assert!(grant_covers("s3:Get*", "s3:GetObject"));
        assert!(grant_covers("S3:GETOBJECT", "s3:getobject"));
        assert!(grant_covers("*", "ec2:RunInstances"));
        assert!(grant_covers("s3:GetObject", "s3:*"), "service-level use");
        assert!(!grant_covers("s3:GetObject", "s3:GetObjectAcl"));
        assert!(!grant_covers("s3:Put*", "s3:GetObject"));
        assert!(not_action_covers(&["iam:*".into()], "s3:GetObject"));
        assert!(!not_action_covers(&["iam:*".into()], "IAM:PassRole"));
    }
}
