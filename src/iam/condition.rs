//! Condition operators: the bases IAM defines, with their `IfExists` and
//! `ForAllValues:`/`ForAnyValue:` forms.

/// Every base operator.
pub const OPERATOR_BASES: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/// Whether `op` is an operator IAM knows (`Null` has no `IfExists` form).
pub fn is_known_operator(op: &str) -> bool {
    let bare = match op.split_once(':') {
        Some(("ForAllValues" | "ForAnyValue", bare)) => bare,
        Some(_) => return false,
        None => op,
    };
    let base = bare.strip_suffix("IfExists").unwrap_or(bare);
    OPERATOR_BASES.contains(&base) && !(base == "Null" && bare != base)
}
