//! L014 `trust-account`: a trust of a whole account with no condition.

use super::trust::{trusts, whole_account};
use super::{Context, Finding, Level, Lint};
use crate::ast::TrustKind;
use crate::diagnostics::LintCode;

pub const LINT: Lint = Lint {
    id: LintCode::TrustAccount,
    summary: "a trust of a whole account with no condition",
    default: Level::Warn,
    justifiable: false,
    doc: DOC,
    check,
};

const DOC: &str = r#"## What it does

Flags a trust entry naming a whole account (`aws "111122223333"`,
`aws "arn:aws:iam::111122223333:root"`, or this account,
`"arn:aws:iam::${AWS::AccountId}:root"`) with no condition.

## Why it matters

Trusting an account delegates the decision to that account's identity policies:
every role and user there whose policies allow `sts:AssumeRole` on this role (or on
`*`) may assume it, today's and tomorrow's. For another account, that is whoever its
administrators choose; for this account, any principal granted `sts:AssumeRole` on
`*`. The trust reads as "the account" and means "anyone the account lets in".

## Example

```iam
policy ReadReports {
  allow s3:GetObject on "arn:aws:s3:::acme-reports/*"
}
role Reports {
  grants ReadReports
  trust {
    aws "arn:aws:iam::111122223333:root"
  }
}
```

## How to fix

Name the roles that may assume it, or add a condition saying which principals of
the account may:

```iam
policy ReadReports {
  allow s3:GetObject on "arn:aws:s3:::acme-reports/*"
}
role Reports {
  grants ReadReports
  trust {
    aws "arn:aws:iam::111122223333:role/ReportReader"
  }
}
```
"#;

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (name, trust) in trusts(cx) {
        for entry in &trust.entries {
            if entry.kind != TrustKind::Aws || !entry.conditions.is_empty() {
                continue;
            }
            for account in entry.principals.iter().filter(|p| whole_account(&p.value)) {
                out.push(Finding {
                    diagnostic: LINT
                        .diagnostic(format!(
                            "{name} lets any principal of an account assume the role"
                        ))
                        .primary(account.span, "a whole account, with no condition")
                        .note("every principal the account's policies allow `sts:AssumeRole` may assume it")
                        .help("name the roles that may assume it, or add a condition such as `when ArnLike \"aws:PrincipalArn\" \"arn:aws:iam::ACCOUNT:role/...\"`"),
                    statements: Vec::new(),
                });
            }
        }
    }
}
