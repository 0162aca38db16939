//! What the trust lints share: every trust of the program, and what its
//! conditions pin down.

use super::Context;
use crate::ast::{Condition, DeclKind, Trust, TrustEntry, TrustRef};
use crate::iam::arn;
use crate::iam::condition::Operator;
use crate::iam::principal::Aws;
use crate::source::Spanned;

/// Every trust of the program, named (`trust Devserver`) or written inline in
/// a role, with the words a message names it by.
pub fn trusts<'a>(cx: &'a Context) -> impl Iterator<Item = (String, &'a Trust)> {
    cx.program.decls.iter().filter_map(|decl| match &decl.kind {
        DeclKind::Trust(t) => Some((format!("trust `{}`", decl.name.name), t)),
        DeclKind::Role(p) | DeclKind::User(p) => match &p.trust {
            Some(Spanned {
                node: TrustRef::Inline(t),
                ..
            }) => Some((format!("the trust of `{}`", decl.name.name), t)),
            _ => None,
        },
        _ => None,
    })
}

/// Whether a condition holds only for the values it lists: an operator iamc
/// reads that [holds only for listed values](Operator::holds_only_for_listed),
/// and no value is `*` alone.
pub fn limits(condition: &Condition) -> bool {
    Operator::parse(&condition.operator.name).is_some_and(|op| op.holds_only_for_listed())
        && !condition.values.is_empty()
        && condition.values.iter().all(|v| v.value != "*")
}

/// The conditions of an entry on a key (key names compare without case) that
/// limit it to the values they list.
pub fn limits_on<'a>(entry: &'a TrustEntry, key: &str) -> impl Iterator<Item = &'a Condition> {
    entry
        .conditions
        .iter()
        .filter(move |c| c.key.value.eq_ignore_ascii_case(key) && limits(c))
}

/// The account a principal belongs to, when it is another account written
/// out (`111122223333`, `arn:aws:iam::111122223333:role/x`); not this
/// account (`${AWS::AccountId}`), a parameter or a service.
pub fn other_account(principal: &str) -> Option<&str> {
    Aws::parse(principal)?
        .account()
        .filter(|a| arn::is_account_id(a))
}

/// Whether a principal is a whole account: `111122223333` or an account's
/// root, `arn:PARTITION:iam::111122223333:root`.
pub fn whole_account(principal: &str) -> bool {
    Aws::parse(principal).is_some_and(|p| p.is_whole_account())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_account_is_an_account_id_or_its_root() {
        for whole in [
            "111122223333",
            "arn:aws:iam::111122223333:root",
            "arn:aws-cn:iam::111122223333:root",
            "arn:aws-us-gov:iam::111122223333:root",
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:root",
        ] {
            assert!(whole_account(whole), "{whole}");
        }
        // `:root` at the end of another ARN is not an account's root.
        for not in [
            "arn:aws:sts::111122223333:root",
            "arn:aws:iam::111122223333:user/x:root",
            "arn:aws:iam::111122223333:role/root",
            "*",
        ] {
            assert!(!whole_account(not), "{not}");
        }
    }

    #[test]
    fn another_account_is_written_out() {
        assert_eq!(other_account("111122223333"), Some("111122223333"));
        assert_eq!(
            other_account("arn:aws-us-gov:iam::111122223333:role/x"),
            Some("111122223333")
        );
        assert_eq!(other_account("arn:aws:iam::${AWS::AccountId}:root"), None);
        assert_eq!(other_account("*"), None);
    }
}
