//! L008 `aws-managed-policy`: a role attaches a policy AWS writes and changes.

use super::{Context, Finding, Level, Lint};
use crate::ast::DeclKind;
use crate::diagnostics::LintCode;

pub const LINT: Lint = Lint {
    id: LintCode::AwsManagedPolicy,
    summary: "a principal attaches an AWS managed policy",
    default: Level::Warn,
    justifiable: false,
    doc: DOC,
    check,
};

/// AWS managed policies that are administrator access in all but name.
const ADMIN_LIKE: &[&str] = &["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

const DOC: &str = r#"## What it does

Flags each `managed "arn:aws:iam::aws:policy/..."` of a role: an attachment of a
policy that AWS writes, not the program. Policies of your own account
(`arn:aws:iam::123456789012:policy/...`) are not flagged.

## Why it matters

What an AWS managed policy grants is not in the program, so review of the `.iam`
files does not see it, and AWS changes these policies (adding actions as services
grow) without a change on your side. Many are far broader than their names suggest;
`AdministratorAccess`, `PowerUserAccess` and `IAMFullAccess` are called out in the
message.

## Example

```iam
policy BuildImages {
  allow ecr:BatchGetImage on "arn:aws:ecr:${AWS::Region}:${AWS::AccountId}:repository/builder"
}
trust Devserver { service "ec2.amazonaws.com" }
role Builder {
  grants BuildImages
  trust Devserver
  managed "arn:aws:iam::aws:policy/PowerUserAccess"
}
```

## How to fix

Write the permissions the role needs as a policy of the program. There is no
`because` on an attachment: once an attachment has been reviewed (say,
`CloudWatchAgentServerPolicy` on devservers), set the lint to `allow` in
`iamc.yaml` with a comment naming what was reviewed, as this repository does.

```iam
policy BuildImages {
  allow [ecr:GetDownloadUrlForLayer, ecr:BatchGetImage]
    on "arn:aws:ecr:${AWS::Region}:${AWS::AccountId}:repository/builder"
}
trust Devserver { service "ec2.amazonaws.com" }
role Builder {
  grants BuildImages
  trust Devserver
}
```
"#;

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for decl in &cx.program.decls {
        let (DeclKind::Role(p) | DeclKind::User(p)) = &decl.kind else {
            continue;
        };
        for arn in &p.managed {
            let Some(short) = crate::iam::arn::aws_managed_policy(&arn.value) else {
                continue;
            };
            let mut d = LINT
                .diagnostic(format!(
                    "`{}` attaches the AWS managed policy `{short}`",
                    decl.name.name
                ))
                .primary(arn.span, "written and changed by AWS, not by this program");
            if ADMIN_LIKE.contains(&short) {
                d = d.note(format!("`{short}` is administrator access in all but name"));
            }
            out.push(Finding {
                diagnostic: d.help("grant a policy of the program with the actions needed, or set `aws-managed-policy: allow` in iamc.yaml once the attachment is reviewed"),
                statements: Vec::new(),
            });
        }
    }
}
