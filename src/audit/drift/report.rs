//! `iamc drift` as text for a terminal, Markdown for a comment or an issue,
//! or JSON for tools: the same findings in the same order.

use super::access::{context_words, request_words};
use super::{Access, Difference, Drift, PrincipalDrift, Status};

/// `! permissions: wider: the account allows s3:GetObject on ... and the
/// program does not`.
fn headline(d: &Difference) -> String {
    let of = d.of.words();
    // A trust's request names who assumes the role (its "resource").
    let example = d.example.as_ref().map(|r| {
        if d.of == super::Aspect::Trust {
            format!("lets {} {}{}", r.resource, r.action, context_words(r))
        } else {
            format!("allows {}", request_words(r))
        }
    });
    match (d.access, example) {
        (Access::Wider, Some(e)) => format!("! {of}: wider: the account {e}, the program does not"),
        (Access::Wider, None) => format!("! {of}: wider"),
        (Access::MayBeWider, e) => {
            let mut s = format!("? {of}: may be wider");
            if let Some(e) = e {
                s.push_str(&format!(": the account's statements {e}"));
            }
            if !d.reasons.is_empty() {
                s.push_str(&format!(" ({})", d.reasons.join("; ")));
            }
            s
        }
        (Access::Narrower, Some(e)) => {
            format!("- {of}: narrower: the program {e}, the account does not")
        }
        (Access::Narrower, None) => format!("- {of}: narrower"),
        (Access::Other, _) => format!("~ {of}: no change in access"),
    }
}

fn label(p: &PrincipalDrift) -> String {
    let status = match p.status {
        Status::Changed => String::new(),
        Status::Missing => " (not in the account)".into(),
        Status::OnlyInAccount => " (only in the account)".into(),
    };
    match &p.source {
        Some(s) if *s != p.name => format!("{} {} ({s} in the program){status}", p.kind, p.name),
        _ => format!("{} {}{status}", p.kind, p.name),
    }
}

/// `3 principals drifted (1 wider, 2 narrower), 14 compared`.
fn summary(d: &Drift) -> String {
    let account = d.account.as_deref().unwrap_or("(unknown account)");
    if d.is_empty() {
        return format!(
            "no drift: account {account} holds what the program deploys ({} compared)",
            d.compared
        );
    }
    let n = d.principals.len();
    let mut counts = Vec::new();
    for (access, word) in [
        (Access::Wider, "wider"),
        (Access::MayBeWider, "may be wider"),
        (Access::Narrower, "narrower"),
    ] {
        let k = d.count(access);
        if k > 0 {
            counts.push(format!("{k} {word}"));
        }
    }
    let mut s = format!(
        "account {account}: {n} {} drifted",
        if n == 1 { "principal" } else { "principals" }
    );
    if !counts.is_empty() {
        s.push_str(&format!(" ({})", counts.join(", ")));
    }
    s.push_str(&format!(", {} compared", d.compared));
    s
}

pub fn text(d: &Drift) -> String {
    let mut out = format!("iamc drift: {}\n", summary(d));
    for n in &d.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    for p in &d.principals {
        out.push_str(&format!("\n{}\n", label(p)));
        for diff in &p.differences {
            out.push_str(&format!("  {}\n", headline(diff)));
            for line in &diff.lines {
                out.push_str(&format!("      {line}\n"));
            }
        }
    }
    out
}

/// The hidden first line of the Markdown report.
pub const MARKER: &str = "<!-- iamc-drift -->";

pub fn markdown(d: &Drift) -> String {
    let mut out = format!("{MARKER}\n### iamc drift\n\n{}\n", capitalise(&summary(d)));
    let wider = d.count(Access::Wider) + d.count(Access::MayBeWider);
    if wider > 0 {
        out.push_str(&format!(
            "\n> [!WARNING]\n> **Wider**: the account lets {wider} {} do more than the program says (marked `!` where proven, `?` where iamc could not decide).\n",
            if wider == 1 { "principal" } else { "principals" }
        ));
    }
    if !d.notes.is_empty() {
        out.push('\n');
        for n in &d.notes {
            out.push_str(&format!("- {n}\n"));
        }
    }
    for p in &d.principals {
        out.push_str(&format!("\n**{}**\n\n```diff\n", label(p)));
        for diff in &p.differences {
            out.push_str(&headline(diff));
            out.push('\n');
            for line in &diff.lines {
                out.push_str(&format!("    {line}\n"));
            }
        }
        out.push_str("```\n");
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub fn json(d: &Drift) -> String {
    #[derive(serde::Serialize)]
    struct Report<'a> {
        drifted: bool,
        wider: usize,
        may_be_wider: usize,
        narrower: usize,
        #[serde(flatten)]
        drift: &'a Drift,
    }
    let report = Report {
        drifted: !d.is_empty(),
        wider: d.count(Access::Wider),
        may_be_wider: d.count(Access::MayBeWider),
        narrower: d.count(Access::Narrower),
        drift: d,
    };
    let mut text = serde_json::to_string_pretty(&report)
        .unwrap_or_else(|e| format!("{{\"error\": \"could not serialise the drift: {e}\"}}"));
    text.push('\n');
    text
}
