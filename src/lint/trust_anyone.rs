//! L013 `trust-anyone`: a trust of `aws "*"` that no condition limits to known
//! principals.

use super::trust::{limits_on, trusts};
use super::{Context, Finding, Level, Lint};
use crate::ast::TrustKind;
use crate::diagnostics::LintCode;
use crate::iam::arn;
use crate::iam::pattern::is_wildcard;

pub const LINT: Lint = Lint {
    id: LintCode::TrustAnyone,
    summary: "a trust of `*` with no condition naming who may assume the role",
    default: Level::Deny,
    justifiable: false,
    doc: DOC,
    check,
};

/// Condition keys that say who the caller is: one of them, limited to values
/// that each pin an account or an organization, makes a trust of `*` a trust
/// of those principals.
pub const WHO: &[&str] = &[
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
];

/// Whether a value of a [`WHO`] key names one account or organization: an
/// account ID (or this account), in an ARN's account part for the ARN keys;
/// an organization ID with no wildcard; an organization path whose root is
/// written out. A wildcard or a variable there (`arn:aws:iam::*:role/ci`,
/// `${aws:PrincipalAccount}`) lets any account in: anyone can name a role `ci`.
fn pins_caller(key: &str, value: &str) -> bool {
    let literal = |v: &str| !is_wildcard(v) && !v.contains("${");
    let key = key.to_ascii_lowercase();
    match key.strip_prefix("aws:").unwrap_or(&key) {
        "principalarn" | "sourcearn" => arn::segments(value)
            .get(4)
            .is_some_and(|a| arn::names_account(a)),
        "principalaccount" | "sourceaccount" => arn::names_account(value),
        "principalorgid" | "sourceorgid" => !value.is_empty() && literal(value),
        _ => value
            .split(['*', '?'])
            .next()
            .and_then(|prefix| prefix.split_once('/'))
            .is_some_and(|(org, _)| org.starts_with("o-") && literal(org)),
    }
}

const DOC: &str = r#"## What it does

Flags a trust entry `aws "*"` unless one of its conditions limits who the caller is:
`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalOrgID`,
`aws:PrincipalOrgPaths`, `aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOrgID` or
`aws:SourceOrgPaths`, with an operator that holds only for the values it lists (not a
`...Not...` operator, not `...IfExists`, not `ForAllValues:`, not `Null`) and values
that each pin an account or an organization: a 12-digit account ID (or
`${AWS::AccountId}`), in the account part of an ARN for the ARN keys; an
organization ID with no wildcard; an organization path whose `o-...` root is written
out. `arn:aws:iam::*:role/ci` does not pin anything: anyone can create a role named
`ci` in an account of their own. Other conditions do not count: anyone can sign a
request with MFA, over TLS, from any region, with any tag on their own session.

## Why it matters

`aws "*"` is every principal of every AWS account, including accounts created by an
attacker a minute ago. With no condition naming who, anyone who learns the role's
ARN can assume it and act with its permissions.

## Example

```iam
policy ReadReports {
  allow s3:GetObject on "arn:aws:s3:::acme-reports/*"
}
role Reports {
  grants ReadReports
  trust {
    aws "*"
      when Bool "aws:MultiFactorAuthPresent" "true"
  }
}
```

## How to fix

Name the principals, or keep `*` and limit it to your organization:

```iam
policy ReadReports {
  allow s3:GetObject on "arn:aws:s3:::acme-reports/*"
}
role Reports {
  grants ReadReports
  trust {
    aws "*"
      when StringEquals "aws:PrincipalOrgID" "o-a1b2c3d4e5"
  }
}
```
"#;

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (name, trust) in trusts(cx) {
        for entry in &trust.entries {
            if entry.kind != TrustKind::Aws {
                continue;
            }
            let Some(anyone) = entry.principals.iter().find(|p| p.value == "*") else {
                continue;
            };
            let pinned = WHO.iter().any(|key| {
                limits_on(entry, key).any(|c| c.values.iter().all(|v| pins_caller(key, &v.value)))
            });
            if pinned {
                continue;
            }
            let mut d = LINT
                .diagnostic(format!("{name} lets any AWS principal assume the role"))
                .primary(anyone.span, "every principal of every AWS account");
            if let Some(c) = entry.conditions.first() {
                d = d.secondary(c.span, "does not limit who the caller is");
            }
            out.push(Finding {
                diagnostic: d
                    .note("anyone who knows the role's ARN can assume it")
                    .help("name the principals, or add `when StringEquals \"aws:PrincipalOrgID\" \"o-...\"`"),
                statements: Vec::new(),
            });
        }
    }
}
