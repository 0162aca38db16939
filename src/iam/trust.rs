//! Trust policies: the STS session actions a trust statement may allow
//! besides assuming the role, those a service needs to use a role at all,
//! and how a trusted principal is matched.

use super::principal::Aws;

/// The session actions a trust may name (`actions [...]` in a trust entry),
/// sorted: tagging the session, setting its source identity, setting its
/// context. Each takes effect only together with the assume action.
pub const SESSION_ACTIONS: &[&str] = &["sts:SetContext", "sts:SetSourceIdentity", "sts:TagSession"];

/// The session action `action` is, in its canonical casing (IAM compares
/// actions without case), or `None` for any other action or a pattern.
pub fn session_action(action: &str) -> Option<&'static str> {
    SESSION_ACTIONS
        .iter()
        .copied()
        .find(|a| a.eq_ignore_ascii_case(action))
}

/// The session actions a service principal needs besides assuming the role
/// (see the language reference, "trust"): without them the service cannot
/// use the role. EKS Pod Identity tags the session; IAM Roles Anywhere also
/// sets its source identity.
pub fn service_session_actions(service: &str) -> &'static [&'static str] {
    match service {
        "pods.eks.amazonaws.com" => &["sts:TagSession"],
        "rolesanywhere.amazonaws.com" => &["sts:SetSourceIdentity", "sts:TagSession"],
        _ => &[],
    }
}

/// Who a trusted principal is, as a string [`super::eval`] matches like a
/// resource (a trust's "resource" is who assumes the role):
/// `Service:ec2.amazonaws.com`; `AWS:arn:aws:iam::123456789012:*` for a
/// whole account (its root, in its own partition; an account ID alone, read
/// in `aws`); `*` for anyone.
pub fn as_resource(kind: &str, principal: &str) -> String {
    if principal == "*" {
        return "*".to_string();
    }
    if kind == "AWS" {
        match Aws::parse(principal) {
            Some(Aws::Account(account)) => return format!("AWS:arn:aws:iam::{account}:*"),
            Some(Aws::Root(root)) => {
                return format!("AWS:arn:{}:iam::{}:*", root.partition, root.account);
            }
            _ => {}
        }
    }
    format!("{kind}:{principal}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_actions_compare_without_case_and_refuse_patterns() {
        assert_eq!(session_action("STS:tagsession"), Some("sts:TagSession"));
        assert_eq!(session_action("sts:Tag*"), None);
        assert_eq!(session_action("sts:AssumeRole"), None);
        assert!(SESSION_ACTIONS.windows(2).all(|w| w[0] < w[1]));
        for service in ["pods.eks.amazonaws.com", "rolesanywhere.amazonaws.com"] {
            for a in service_session_actions(service) {
                assert_eq!(session_action(a), Some(*a));
            }
        }
    }
}
