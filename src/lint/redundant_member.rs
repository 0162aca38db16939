//! L010 `redundant-member`: a group member (or a grant) that another member
//! already includes.

use super::{Context, Finding, Level, Lint};
use crate::ast::DeclKind;
use crate::resolve::DeclId;
use std::collections::HashMap;

pub const LINT: Lint = Lint {
    code: "L010",
    name: "redundant-member",
    summary: "a group member or grant already included through another member",
    default: Level::Warn,
    justifiable: false,
    doc: DOC,
    check,
};

const DOC: &str = r#"## What it does

Flags a member of a `group`, or a name in a role's or user's `grants`, that another
member of the same list already includes through the group graph.

## Why it matters

The redundant name changes nothing today (iamc grants each policy once), but it hides
the structure: removing the policy from the group that includes it no longer removes
it from the principal, because the redundant grant keeps it.

## Example

```iam
policy ReadCdn { allow s3:GetObject on "arn:aws:s3:::acme-cdn/*" }
group Base { ReadCdn }
group Web { Base, ReadCdn }
trust Devserver { service "ec2.amazonaws.com" }
role Frontend {
  grants Web
  trust Devserver
}
```

## How to fix

Remove the redundant member:

```iam
policy ReadCdn { allow s3:GetObject on "arn:aws:s3:::acme-cdn/*" }
group Base { ReadCdn }
group Web { Base }
trust Devserver { service "ec2.amazonaws.com" }
role Frontend {
  grants Web
  trust Devserver
}
```
"#;

/// Everything a declaration reaches (groups and policies), memoised.
struct Reach<'a> {
    cx: &'a Context<'a>,
    memo: HashMap<DeclId, Vec<DeclId>>,
}

impl Reach<'_> {
    fn of(&mut self, root: DeclId) -> &[DeclId] {
        if !self.memo.contains_key(&root) {
            let edges = &self.cx.program.edges;
            let mut seen = vec![false; edges.len()];
            let mut stack: Vec<DeclId> = edges[root].iter().map(|e| e.target).collect();
            let mut all = Vec::new();
            while let Some(id) = stack.pop() {
                if !std::mem::replace(&mut seen[id], true) {
                    all.push(id);
                    stack.extend(edges[id].iter().map(|e| e.target));
                }
            }
            all.sort_unstable();
            self.memo.insert(root, all);
        }
        self.memo.get(&root).map(Vec::as_slice).unwrap_or(&[])
    }
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let mut reach = Reach {
        cx,
        memo: HashMap::new(),
    };
    for (id, decl) in cx.program.decls.iter().enumerate() {
        let whose = match decl.kind {
            DeclKind::Group(_) => format!("group `{}`", decl.name.name),
            DeclKind::Role(_) => format!("role `{}`", decl.name.name),
            DeclKind::User(_) => format!("user `{}`", decl.name.name),
            _ => continue,
        };
        let members = &cx.program.edges[id];
        for member in members {
            let through = members.iter().find(|other| {
                other.target != member.target
                    && reach.of(other.target).binary_search(&member.target).is_ok()
            });
            let Some(through) = through else {
                continue;
            };
            let name = cx.name(member.target);
            let via = cx.path(through.target, member.target);
            out.push(Finding {
                diagnostic: LINT
                    .diagnostic(format!(
                        "`{name}` is already in {whose} through `{}`",
                        cx.name(through.target)
                    ))
                    .primary(member.span, "redundant")
                    .secondary(through.span, format!("already includes `{name}`"))
                    .note(format!("path: {via}"))
                    .help(format!("remove `{name}` from this list")),
                statements: Vec::new(),
            });
        }
    }
}
