//! Condition operators: the bases IAM defines, with their `IfExists` and
//! `ForAllValues:`/`ForAnyValue:` forms; what each one means for a request
//! ([`holds`]) and when one condition is at least as strict as another
//! ([`implies`]).

use super::pattern::{self, Case, Token};

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

/// The qualifiers of a condition on a multi-valued key, written before the
/// operator and a colon: `ForAllValues:StringLike`.
pub const QUALIFIERS: &[&str] = &["ForAllValues", "ForAnyValue"];

/// Whether a base operator has an `...IfExists` form: every one but `Null`,
/// which tests whether the key exists.
pub fn has_if_exists(base: &str) -> bool {
    base != "Null"
}

/// Every operator without a qualifier: each base, then its `IfExists` form.
pub fn unqualified_operators() -> impl Iterator<Item = String> {
    OPERATOR_BASES.iter().flat_map(|base| {
        std::iter::once(base.to_string())
            .chain(has_if_exists(base).then(|| format!("{base}IfExists")))
    })
}

/// Whether `op` is an operator IAM knows: a base, perhaps `...IfExists`,
/// perhaps after a qualifier.
pub fn is_known_operator(op: &str) -> bool {
    let bare = match op.split_once(':') {
        Some((qualifier, bare)) if QUALIFIERS.contains(&qualifier) => bare,
        Some(_) => return false,
        None => op,
    };
    match bare.strip_suffix("IfExists") {
        Some(base) => has_if_exists(base) && OPERATOR_BASES.contains(&base),
        None => OPERATOR_BASES.contains(&bare),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Qualifier {
    None,
    /// `ForAllValues:`: every request value matches; true when there is none.
    ForAll,
    /// `ForAnyValue:`: some request value matches; false when there is none.
    ForAny,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compare {
    Equals,
    LessThan,
    LessThanEquals,
    GreaterThan,
    GreaterThanEquals,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    String,
    StringIgnoreCase,
    StringLike,
    Numeric(Compare),
    Date(Compare),
    Bool,
    Binary,
    IpAddress,
    /// `ArnEquals` and `ArnLike` both take wildcards.
    Arn,
    Null,
}

/// A parsed operator: `ForAnyValue:StringNotLikeIfExists`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operator {
    pub qualifier: Qualifier,
    pub family: Family,
    /// `...Not...`: holds when the request value matches none of the values.
    pub negated: bool,
    pub if_exists: bool,
}

impl Operator {
    pub fn parse(text: &str) -> Option<Operator> {
        let (qualifier, rest) = if let Some(r) = text.strip_prefix("ForAllValues:") {
            (Qualifier::ForAll, r)
        } else if let Some(r) = text.strip_prefix("ForAnyValue:") {
            (Qualifier::ForAny, r)
        } else {
            (Qualifier::None, text)
        };
        let (rest, if_exists) = match rest.strip_suffix("IfExists") {
            Some(r) => (r, true),
            None => (rest, false),
        };
        let cmp = |s: &str| match s {
            "Equals" => Some((Compare::Equals, false)),
            "NotEquals" => Some((Compare::Equals, true)),
            "LessThan" => Some((Compare::LessThan, false)),
            "LessThanEquals" => Some((Compare::LessThanEquals, false)),
            "GreaterThan" => Some((Compare::GreaterThan, false)),
            "GreaterThanEquals" => Some((Compare::GreaterThanEquals, false)),
            _ => None,
        };
        let (family, negated) = match rest {
            "StringEquals" => (Family::String, false),
            "StringNotEquals" => (Family::String, true),
            "StringEqualsIgnoreCase" => (Family::StringIgnoreCase, false),
            "StringNotEqualsIgnoreCase" => (Family::StringIgnoreCase, true),
            "StringLike" => (Family::StringLike, false),
            "StringNotLike" => (Family::StringLike, true),
            "Bool" => (Family::Bool, false),
            "BinaryEquals" => (Family::Binary, false),
            "IpAddress" => (Family::IpAddress, false),
            "NotIpAddress" => (Family::IpAddress, true),
            "ArnEquals" | "ArnLike" => (Family::Arn, false),
            "ArnNotEquals" | "ArnNotLike" => (Family::Arn, true),
            "Null" if !if_exists && qualifier == Qualifier::None => (Family::Null, false),
            other => {
                if let Some(c) = other.strip_prefix("Numeric").and_then(cmp) {
                    (Family::Numeric(c.0), c.1)
                } else if let Some(c) = other.strip_prefix("Date").and_then(cmp) {
                    (Family::Date(c.0), c.1)
                } else {
                    return None;
                }
            }
        };
        Some(Operator {
            qualifier,
            family,
            negated,
            if_exists,
        })
    }

    /// Whether the condition holds only where the request carries a value
    /// matching one of those listed: not negated (`StringNotEquals` holds
    /// for every other value), not `Null`, not `...IfExists` (true when the
    /// key is missing) and not `ForAllValues:` (true when the key is missing
    /// or empty).
    pub fn holds_only_for_listed(&self) -> bool {
        !self.negated
            && !self.if_exists
            && self.family != Family::Null
            && self.qualifier != Qualifier::ForAll
    }

    /// Whether its values are patterns with the wildcards `*` and `?`:
    /// `StringLike`, `ArnLike` and `ArnEquals` (and their negations).
    pub fn takes_wildcards(&self) -> bool {
        self.reading().1
    }

    /// How values of this operator are read: with wildcards, with case.
    pub fn reading(&self) -> (Case, bool) {
        match self.family {
            Family::StringLike => (Case::Exact, true),
            Family::Arn => (Case::Arn, true),
            Family::StringIgnoreCase | Family::Bool => (Case::Fold, false),
            _ => (Case::Exact, false),
        }
    }
}

/// A value's text, when it holds no wildcard or unknown.
fn text(tokens: &[Token]) -> Option<String> {
    tokens
        .iter()
        .map(|t| match t {
            Token::Char(c) => Some(*c),
            _ => None,
        })
        .collect()
}

/// Whether one policy value (as tokens) matches one request value.
fn value_matches(family: Family, policy: &[Token], request: &str) -> bool {
    match family {
        Family::StringLike | Family::Arn => {
            pattern::matches(policy, &pattern::literal(request, Case::Exact))
        }
        Family::String | Family::Binary => policy == pattern::literal(request, Case::Exact),
        Family::StringIgnoreCase | Family::Bool => policy == pattern::literal(request, Case::Fold),
        Family::Numeric(c) => match (
            text(policy).and_then(|p| p.trim().parse::<f64>().ok()),
            request.trim().parse::<f64>(),
        ) {
            (Some(p), Ok(r)) => compare(c, r.partial_cmp(&p)),
            _ => false,
        },
        Family::Date(c) => match text(policy) {
            Some(p) => compare(c, Some(date_key(request).cmp(&date_key(&p)))),
            None => false,
        },
        Family::IpAddress => match (text(policy).and_then(|p| cidr(&p)), ipv4(request.trim())) {
            (Some((net, bits)), Some(ip)) => in_network(ip, net, bits),
            _ => false,
        },
        Family::Null => false,
    }
}

fn compare(c: Compare, ord: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::*;
    matches!(
        (c, ord),
        (Compare::Equals, Some(Equal))
            | (Compare::LessThan, Some(Less))
            | (Compare::LessThanEquals, Some(Less | Equal))
            | (Compare::GreaterThan, Some(Greater))
            | (Compare::GreaterThanEquals, Some(Greater | Equal))
    )
}

/// Dates as epoch seconds (a number) or ISO 8601 text: numbers first, then
/// text in order.
fn date_key(s: &str) -> (u8, i128, String) {
    match s.trim().parse::<i128>() {
        Ok(n) => (0, n, String::new()),
        Err(_) => (1, 0, s.trim().to_string()),
    }
}

fn ipv4(s: &str) -> Option<u32> {
    let mut out = 0u32;
    let mut n = 0;
    for part in s.split('.') {
        out = (out << 8) | u32::from(part.parse::<u8>().ok()?);
        n += 1;
    }
    (n == 4).then_some(out)
}

fn cidr(s: &str) -> Option<(u32, u32)> {
    let (ip, bits) = match s.trim().split_once('/') {
        Some((ip, bits)) => (ip, bits.parse::<u32>().ok().filter(|b| *b <= 32)?),
        None => (s.trim(), 32),
    };
    Some((ipv4(ip)?, bits))
}

fn in_network(ip: u32, net: u32, bits: u32) -> bool {
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    ip & mask == net & mask
}

/// Whether a condition holds for a request's values of its key (`None`:
/// the key is missing). `values` are the policy's values as tokens, a value
/// whose variable is missing from the request already left out.
pub fn holds(op: &Operator, values: &[Vec<Token>], request: Option<&[String]>) -> bool {
    let present = request.filter(|r| !r.is_empty());
    if op.family == Family::Null {
        let text = |v: &Vec<Token>| -> String {
            v.iter()
                .filter_map(|t| match t {
                    Token::Char(c) => Some(c.to_ascii_lowercase()),
                    _ => None,
                })
                .collect()
        };
        return values.iter().any(|v| match text(v).as_str() {
            "true" => present.is_none(),
            "false" => present.is_some(),
            _ => false,
        });
    }
    let Some(request) = present else {
        return match op.qualifier {
            Qualifier::ForAll => true,
            Qualifier::ForAny => false,
            Qualifier::None => op.if_exists || op.negated,
        };
    };
    let matched = |r: &String| values.iter().any(|v| value_matches(op.family, v, r));
    let satisfied = |r: &String| matched(r) != op.negated;
    match op.qualifier {
        Qualifier::ForAll => request.iter().all(satisfied),
        Qualifier::ForAny => request.iter().any(satisfied),
        Qualifier::None if op.negated => request.iter().all(satisfied),
        Qualifier::None => request.iter().any(satisfied),
    }
}

/// Whether every request value `small` matches, `big` matches too.
fn value_included(family: Family, big: &[Token], small: &[Token]) -> bool {
    match family {
        Family::StringLike | Family::Arn => pattern::includes(big, small),
        Family::IpAddress => {
            match (
                text(big).and_then(|b| cidr(&b)),
                text(small).and_then(|s| cidr(&s)),
            ) {
                (Some((bn, bb)), Some((sn, sb))) => sb >= bb && in_network(sn, bn, bb),
                _ => big == small,
            }
        }
        _ => big == small,
    }
}

/// Whether condition `strong` (operator, values) holds only where `weak`
/// holds, for the same key. Sound: `true` is a proof; `false` means "not
/// proven".
pub fn implies(strong: (&Operator, &[Vec<Token>]), weak: (&Operator, &[Vec<Token>])) -> bool {
    let ((s, sv), (w, wv)) = (strong, weak);
    let same_shape = s.qualifier == w.qualifier && s.family == w.family && s.negated == w.negated;
    // IfExists only widens: the strong side may lack it, not the weak side.
    if !same_shape || (s.if_exists && !w.if_exists) {
        return false;
    }
    if s.family == Family::Null {
        return sv == wv;
    }
    if s.negated {
        // Holds where the value matches none: the strong side excludes more.
        wv.iter().all(|w_value| {
            sv.iter()
                .any(|s_value| value_included(s.family, s_value, w_value))
        })
    } else {
        sv.iter().all(|s_value| {
            wv.iter()
                .any(|w_value| value_included(s.family, w_value, s_value))
        })
    }
}

/// A condition's operator and its values as patterns, read by the
/// operator's rules (case, wildcards), each `${...}` an unknown; `None` for
/// an operator iamc does not know.
pub fn read<'a>(
    operator: &str,
    values: impl IntoIterator<Item = &'a str>,
) -> Option<(Operator, Vec<Vec<Token>>)> {
    let op = Operator::parse(operator)?;
    let (case, glob) = op.reading();
    let values = values
        .into_iter()
        .map(|v| pattern::tokens(v, case, glob, |_| Ok(None)).unwrap_or_default())
        .collect();
    Some((op, values))
}

/// Whether a statement with the conditions `strong` (all holding) applies
/// only where one with `weak` does: each condition of `weak` is implied by
/// one of `strong` on the same key (key names without case). Values are read
/// by each operator's rules, their `${...}` the same unknown on both sides.
/// Sound: `true` is a proof; an operator iamc does not know is implied only
/// by the same condition, word for word.
pub fn conditions_imply<V: AsRef<str> + PartialEq>(
    strong: &[super::policy::Condition<V>],
    weak: &[super::policy::Condition<V>],
) -> bool {
    let read = |c: &super::policy::Condition<V>| read(&c.operator, c.values.iter().map(V::as_ref));
    weak.iter().all(|w| {
        strong.iter().any(|s| {
            s.key.eq_ignore_ascii_case(&w.key)
                && (s == w
                    || match (read(s), read(w)) {
                        (Some((so, sv)), Some((wo, wv))) => implies((&so, &sv), (&wo, &wv)),
                        _ => false,
                    })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(op: &Operator, v: &[&str]) -> Vec<Vec<Token>> {
        let (case, glob) = op.reading();
        v.iter()
            .filter_map(|s| pattern::tokens(s, case, glob, |_| Ok(None)))
            .collect()
    }

    fn holds_for(op: &str, v: &[&str], r: Option<&[&str]>) -> bool {
        let op = Operator::parse(op).unwrap_or_else(|| unreachable!());
        let r: Option<Vec<String>> = r.map(|r| r.iter().map(|s| s.to_string()).collect());
        holds(&op, &vals(&op, v), r.as_deref())
    }

    #[test]
    fn known_operators_are_the_ones_that_parse() {
        for op in [
            "StringEquals",
            "StringLikeIfExists",
            "ForAllValues:StringLike",
            "ForAnyValue:ArnLikeIfExists",
            "Null",
            "NumericLessThanEquals",
        ] {
            assert!(is_known_operator(op), "{op}");
        }
        for op in [
            "NullIfExists",
            "IfExists",
            "ForSomeValues:StringLike",
            "StringLike:",
            "stringequals",
            "String",
        ] {
            assert!(!is_known_operator(op), "{op}");
        }
        assert_eq!(
            unqualified_operators().count(),
            2 * OPERATOR_BASES.len() - 1
        );
        for op in unqualified_operators() {
            assert!(is_known_operator(&op), "{op}");
            assert!(Operator::parse(&op).is_some(), "{op}");
            for q in QUALIFIERS.iter().filter(|_| !op.starts_with("Null")) {
                let qualified = format!("{q}:{op}");
                assert!(is_known_operator(&qualified), "{qualified}");
                assert!(Operator::parse(&qualified).is_some(), "{qualified}");
            }
        }
    }

    #[test]
    fn missing_keys_follow_iam() {
        assert!(!holds_for("StringEquals", &["a"], None));
        assert!(holds_for("StringNotEquals", &["a"], None));
        assert!(holds_for("StringEqualsIfExists", &["a"], None));
        assert!(holds_for("ForAllValues:StringEquals", &["a"], None));
        assert!(!holds_for("ForAnyValue:StringEquals", &["a"], None));
        assert!(holds_for("Null", &["true"], None));
        assert!(!holds_for("Null", &["true"], Some(&["x"])));
    }

    #[test]
    fn negated_operators_need_no_value_to_match() {
        assert!(!holds_for("StringNotEquals", &["a", "b"], Some(&["b"])));
        assert!(holds_for("StringNotEquals", &["a", "b"], Some(&["c"])));
        assert!(holds_for("StringLike", &["a*"], Some(&["abc"])));
        assert!(!holds_for("StringEquals", &["a*"], Some(&["abc"])));
        assert!(holds_for("IpAddress", &["10.0.0.0/8"], Some(&["10.1.2.3"])));
        assert!(holds_for("NumericLessThan", &["5"], Some(&["3"])));
        assert!(holds_for("Bool", &["true"], Some(&["TRUE"])));
    }

    #[test]
    fn implication_of_value_lists() {
        let p = |o: &str| Operator::parse(o).unwrap_or_else(|| unreachable!());
        let ne = p("StringNotEquals");
        // Deny unless region in [a, b] -> Deny unless region in [a]: stricter exception.
        assert!(implies(
            (&ne, &vals(&ne, &["a", "b"])),
            (&ne, &vals(&ne, &["a"]))
        ));
        assert!(!implies(
            (&ne, &vals(&ne, &["a"])),
            (&ne, &vals(&ne, &["a", "b"]))
        ));
        let like = p("StringLike");
        assert!(implies(
            (&like, &vals(&like, &["repo:acme/app:*"])),
            (&like, &vals(&like, &["repo:acme/*"]))
        ));
        assert!(!implies(
            (&like, &vals(&like, &["repo:*"])),
            (&like, &vals(&like, &["repo:acme/*"]))
        ));
        let ip = p("IpAddress");
        assert!(implies(
            (&ip, &vals(&ip, &["10.1.0.0/16"])),
            (&ip, &vals(&ip, &["10.0.0.0/8"]))
        ));
    }
}
