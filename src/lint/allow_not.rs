//! L007 `allow-not`: `allow not [...]` (NotAction) or `on not [...]` (NotResource).

use super::{Context, Finding, Level, Lint};
use crate::diagnostics::LintCode;

pub const LINT: Lint = Lint {
    id: LintCode::AllowNot,
    summary: "`allow` with `not` actions or `not` resources",
    default: Level::Warn,
    justifiable: true,
    doc: DOC,
    check,
};

const DOC: &str = r#"## What it does

Flags an `allow` statement written with `not`: `allow not [...]` (IAM's `NotAction`)
or `on not [...]` (IAM's `NotResource`). `deny not` is not flagged: it is the usual way
to write "deny everything except".

## Why it matters

`allow not [iam:*] on *` allows every other action of every service, including those
AWS adds later. An allow by exclusion grants far more than it reads as granting, and
the set it grants changes without any change to the program.

## Example

```iam
policy EverythingButIam {
  allow not iam:* on *
}
```

## How to fix

List what is allowed. To take something away from a broad grant, keep the allow
narrow and add a `deny`:

```iam
policy ReadCdn {
  allow s3:GetObject on "arn:aws:s3:::acme-cdn/*"
  deny s3:GetObject on "arn:aws:s3:::acme-cdn/private/*"
}
```
"#;

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (i, s) in cx.allows() {
        let st = &s.statement;
        let (what, span) = match (st.not_action, st.not_resource) {
            (false, false) => continue,
            (true, false) => ("every action but those listed", cx.effect_span(i)),
            (false, true) => ("every resource but those listed", cx.resources_span(i)),
            (true, true) => (
                "every action but those listed, on every resource but those listed",
                cx.effect_span(i),
            ),
        };
        out.push(Finding {
            diagnostic: LINT
                .diagnostic(format!("policy `{}` allows by exclusion", s.origin.policy))
                .primary(span, format!("allows {what}"))
                .note("what an allow by exclusion grants grows as AWS adds actions and resources")
                .help("list what is allowed; to carve out an exception, add a `deny`"),
            statements: vec![i],
        });
    }
}
