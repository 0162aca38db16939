//! L009 `unreachable`: policies and groups no role or user receives.

use super::{Context, Finding, Level, Lint};
use crate::ast::DeclKind;
use crate::diagnostics::LintCode;
use crate::id::IdVec;
use crate::resolve::DeclId;

pub const LINT: Lint = Lint {
    id: LintCode::Unreachable,
    summary: "a policy or group that no role or user receives",
    default: Level::Warn,
    justifiable: false,
    doc: DOC,
    check,
};

const DOC: &str = r#"## What it does

Flags each `policy` and `group` that no `role` or `user` reaches through its
`grants`, directly or through groups. A policy a `stack` lists under `policies` is
deployed on its own and counts as reached. A program with no role and no user at all (a
library of policies) is not checked.

## Why it matters

An unreachable policy is dead code that still reads as a grant: a reviewer has to
work out that it does nothing, and the next person to add it to a group may not
review it as carefully as new code. Often it is a grant that was meant to be given
and was forgotten.

## Example

```iam
policy ReadCdn { allow s3:GetObject on "arn:aws:s3:::acme-cdn/*" }
policy ReadLogs { allow s3:GetObject on "arn:aws:s3:::acme-logs/*" }
trust Devserver { service "ec2.amazonaws.com" }
role Web {
  grants ReadCdn
  trust Devserver
}
```

## How to fix

Grant it to the principal that needs it, or remove it:

```iam
policy ReadCdn { allow s3:GetObject on "arn:aws:s3:::acme-cdn/*" }
trust Devserver { service "ec2.amazonaws.com" }
role Web {
  grants ReadCdn
  trust Devserver
}
```
"#;

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let program = cx.program;
    let mut reached: IdVec<DeclId, bool> = IdVec::filled(false, program.decls.len());
    let mut stack: Vec<DeclId> = Vec::new();
    let mut principals = 0;
    for (id, decl) in program.decls.iter_enumerated() {
        match &decl.kind {
            DeclKind::Role(_) | DeclKind::User(_) => {
                principals += 1;
                stack.extend(program.edges[id].iter().map(|e| e.target));
            }
            // A stack's `policies` are deployed as managed policies of their own.
            DeclKind::Stack(s) => {
                stack.extend(s.policies.iter().filter_map(|p| program.names.get(&p.name)));
            }
            _ => {}
        }
    }
    if principals == 0 {
        return;
    }
    while let Some(id) = stack.pop() {
        if !std::mem::replace(&mut reached[id], true) {
            stack.extend(program.edges[id].iter().map(|e| e.target));
        }
    }
    // Thousands of findings in a large program: no `format!` for each.
    for (id, decl) in program.decls.iter_enumerated() {
        let (kind, help) = match decl.kind {
            DeclKind::Policy(_) => (
                "policy",
                "add it to a group or a principal's `grants`, or remove the policy",
            ),
            DeclKind::Group(_) => (
                "group",
                "add it to a group or a principal's `grants`, or remove the group",
            ),
            _ => continue,
        };
        if reached[id] {
            continue;
        }
        out.push(Finding {
            diagnostic: LINT
                .diagnostic(
                    [
                        kind,
                        " `",
                        &decl.name.name,
                        "` is granted to no role or user",
                    ]
                    .concat(),
                )
                .primary(decl.name.span, "nothing reaches this")
                .help(help),
            statements: Vec::new(),
        });
    }
}
