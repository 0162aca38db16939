//! The characters IAM accepts.

/// A character IAM accepts in a policy document, a description or a tag:
/// tab, line feed, carriage return and U+0020 to U+00FF.
pub fn is_iam_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FF}')
}

/// A character IAM allows in names: letters, digits and `_+=,.@-`.
pub fn is_iam_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}
