//! L010 `redundant-member`: a group member (or a grant) that another member
//! already includes.

use super::{Context, Finding, Level, Lint};
use crate::ast::DeclKind;
use crate::diagnostics::LintCode;
use crate::id::IdVec;
use crate::resolve::{DeclId, Edge};

pub const LINT: Lint = Lint {
    id: LintCode::RedundantMember,
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

/// Everything a group reaches (groups and policies), memoised.
struct Reach<'a> {
    edges: &'a IdVec<DeclId, Vec<Edge>>,
    memo: IdVec<DeclId, Option<Vec<DeclId>>>,
    /// For each declaration, the root of the walk that last saw it.
    seen: IdVec<DeclId, Option<DeclId>>,
    stack: Vec<DeclId>,
}

impl Reach<'_> {
    /// Whether `target` is reached from `root`.
    fn includes(&mut self, root: DeclId, target: DeclId) -> bool {
        !self.edges[root].is_empty() && self.of(root).binary_search(&target).is_ok()
    }

    /// What `root` reaches, sorted.
    fn of(&mut self, root: DeclId) -> &[DeclId] {
        if self.memo[root].is_none() {
            let mut all = Vec::new();
            self.stack.push(root);
            while let Some(id) = self.stack.pop() {
                for edge in &self.edges[id] {
                    let target = edge.target;
                    if self.seen[target] != Some(root) {
                        self.seen[target] = Some(root);
                        all.push(target);
                        if !self.edges[target].is_empty() {
                            self.stack.push(target);
                        }
                    }
                }
            }
            all.sort_unstable();
            self.memo[root] = Some(all);
        }
        self.memo[root].as_deref().unwrap_or(&[])
    }
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let edges = &cx.program.edges;
    let mut reach = Reach {
        edges,
        memo: IdVec::filled(None, edges.len()),
        seen: IdVec::filled(None, edges.len()),
        stack: Vec::new(),
    };
    for (id, decl) in cx.program.decls.iter_enumerated() {
        let kind = match decl.kind {
            DeclKind::Group(_) => "group",
            DeclKind::Role(_) => "role",
            DeclKind::User(_) => "user",
            _ => continue,
        };
        let members = &edges[id];
        for member in members {
            let through = members.iter().find(|other| {
                other.target != member.target && reach.includes(other.target, member.target)
            });
            let Some(through) = through else {
                continue;
            };
            let name = cx.name(member.target);
            let via = cx.path(through.target, member.target);
            out.push(Finding {
                diagnostic: LINT
                    .diagnostic(format!(
                        "`{name}` is already in {kind} `{}` through `{}`",
                        decl.name.name,
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
