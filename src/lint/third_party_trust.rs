//! L016 `third-party-trust`: another account's principal trusted without
//! `sts:ExternalId`.

use super::trust::{limits_on, other_account, trusts};
use super::{Context, Finding, Level, Lint};
use crate::ast::TrustKind;
use crate::diagnostics::LintCode;

pub const LINT: Lint = Lint {
    id: LintCode::ThirdPartyTrust,
    summary: "another account's principal trusted without `sts:ExternalId` or an organization condition",
    default: Level::Warn,
    justifiable: false,
    doc: DOC,
    check,
};

const DOC: &str = r#"## What it does

Flags a trust entry `aws "..."` naming a principal of another account (an account ID
written out, not `${AWS::AccountId}`) unless the entry has a `sts:ExternalId`
condition, or a condition limiting the caller to your organization
(`aws:PrincipalOrgID` or `aws:PrincipalOrgPaths`); each with an operator that holds
only for the values it lists (`StringEquals`, `StringLike`; not a `...Not...`
operator, not `...IfExists`).

How iamc recognises a third party: a program does not say which accounts are yours.
An account it names that no organization condition places in your organization is
treated as a third party, a vendor acting for many customers. If the account is
yours, the organization condition says so and protects the role if the account
ever leaves the organization; if it is a vendor's, the external ID is what the
vendor's documentation asks for.

## Why it matters

A vendor that assumes roles in its customers' accounts can be tricked into acting
on another customer's role: the attacker, also a customer, gives the vendor your
role's ARN (the "confused deputy"). The external ID, a value the vendor issues to you
alone and sends when it assumes your role, is what stops it.

## Example

```iam
policy ReadBilling {
  allow ce:GetCostAndUsage on *
}
role CostVendor {
  grants ReadBilling
  trust {
    aws "arn:aws:iam::111122223333:root"
      when Bool "aws:SecureTransport" "true"
  }
}
```

## How to fix

Add the external ID the vendor gave you:

```iam
policy ReadBilling {
  allow ce:GetCostAndUsage on *
}
role CostVendor {
  grants ReadBilling
  trust {
    aws "arn:aws:iam::111122223333:root"
      when StringEquals "sts:ExternalId" "acme-7f3a9c"
  }
}
```
"#;

/// Keys whose condition makes another account's principal safe to trust: the
/// external ID a vendor sends, or membership of the organization.
const KEYS: &[&str] = &[
    "sts:ExternalId",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
];

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (name, trust) in trusts(cx) {
        for entry in &trust.entries {
            if entry.kind != TrustKind::Aws
                || KEYS
                    .iter()
                    .any(|key| limits_on(entry, key).next().is_some())
            {
                continue;
            }
            for principal in &entry.principals {
                let Some(account) = other_account(&principal.value) else {
                    continue;
                };
                out.push(Finding {
                    diagnostic: LINT
                        .diagnostic(format!(
                            "{name} trusts account {account} with no `sts:ExternalId` condition"
                        ))
                        .primary(principal.span, "a principal of another account")
                        .note("a vendor acting for many customers can be tricked into assuming this role for another (the confused deputy)")
                        .help("add `when StringEquals \"sts:ExternalId\" \"...\"` with the ID the vendor gave you; if the account is yours, add `when StringEquals \"aws:PrincipalOrgID\" \"o-...\"`"),
                    statements: Vec::new(),
                });
            }
        }
    }
}
