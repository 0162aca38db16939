//! What an action looks like: `service:Action`, where the service prefix is
//! lower-case letters, digits and `-`, and the name is letters and digits
//! with the wildcards `*` and `?`.

/// A service prefix as IAM writes it: `s3`, `route53-recovery-control`.
pub fn is_service_prefix(service: &str) -> bool {
    !service.is_empty()
        && service
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// An action name, perhaps with wildcards: `GetObject`, `Get*`, `?et*`.
pub fn is_action_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '*' || c == '?')
}

/// `service:Action`, as the language writes it (`*` alone is not one).
pub fn is_action(text: &str) -> bool {
    text.split_once(':')
        .is_some_and(|(service, name)| is_service_prefix(service) && is_action_name(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions() {
        assert!(is_action("s3:GetObject"));
        assert!(is_action("route53-recovery-control:Get*"));
        assert!(is_action("ec2:?escribe*"));
        assert!(!is_action("S3:GetObject"));
        assert!(!is_action("s3:"));
        assert!(!is_action(":GetObject"));
        assert!(!is_action("s3:Get-Object"));
        assert!(!is_action("*"));
        assert!(!is_action("s3"));
    }
}
