//! `iamc diff` as text for a terminal, Markdown for a pull-request comment,
//! or JSON for tools.

use super::diff::{Diff, Group, Line};
use super::grants::describe;

fn line_text(line: &Line) -> String {
    let mut s = format!("{} {}", line.sign.as_str(), describe(&line.item));
    if !line.policies.is_empty() {
        let what = match line.item {
            super::grants::Item::Trust { .. } => "trust",
            _ if line.policies.len() == 1 => "policy",
            _ => "policies",
        };
        s.push_str(&format!(" ({what} {})", line.policies.join(", ")));
    }
    if !line.broadening.is_empty() {
        let words: Vec<&str> = line.broadening.iter().map(|b| b.words()).collect();
        s.push_str(&format!("  [broadening: {}]", words.join(", ")));
    }
    s
}

/// `3 principals change (2 broadening lines), 1 breaking change`.
fn summary(diff: &Diff) -> String {
    if diff.is_empty() {
        return format!(
            "no change: {} {} compared, same grants, same resources",
            diff.compared,
            plural(diff.compared, "principal", "principals")
        );
    }
    let changed = diff.principals.len();
    let mut s = format!(
        "{changed} {} {}",
        plural(changed, "principal", "principals"),
        plural(changed, "changes", "change")
    );
    let broadening = diff.broadening();
    if broadening > 0 {
        s.push_str(&format!(
            ", {broadening} broadening {}",
            plural(broadening, "line", "lines")
        ));
    }
    if !diff.breaking.is_empty() {
        let n = diff.breaking.len();
        s.push_str(&format!(
            ", {n} breaking {}",
            plural(n, "change", "changes")
        ));
    }
    s
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

fn header(group: &Group) -> String {
    group.principals.join(", ")
}

pub fn text(diff: &Diff) -> String {
    let mut out = format!(
        "iamc diff {} -> {}: {}\n",
        diff.base,
        diff.head,
        summary(diff)
    );
    for group in &diff.groups {
        out.push_str(&format!("\n{}\n", header(group)));
        for line in &group.lines {
            out.push_str(&format!("  {}\n", line_text(line)));
        }
    }
    if !diff.breaking.is_empty() {
        out.push_str("\nbreaking\n");
        for b in &diff.breaking {
            out.push_str(&format!("  ! {}: {}\n", b.file, b.message));
        }
    }
    out
}

pub fn markdown(diff: &Diff) -> String {
    let mut out = format!(
        "### iamc diff `{}` → `{}`\n\n{}\n",
        diff.base,
        diff.head,
        capitalise(&summary(diff))
    );
    if diff.is_empty() {
        return out;
    }
    let broadening = diff.broadening();
    if broadening > 0 || !diff.breaking.is_empty() {
        out.push('\n');
    }
    if broadening > 0 {
        out.push_str(&format!(
            "> [!WARNING]\n> **Broadening**: {broadening} {} below widen access (marked `broadening`).\n",
            plural(broadening, "line", "lines")
        ));
    }
    if !diff.breaking.is_empty() {
        if broadening > 0 {
            out.push('\n');
        }
        out.push_str(
            "> [!CAUTION]\n> **Breaking**: deploying this replaces or removes resources.\n",
        );
    }
    for group in &diff.groups {
        let names: Vec<String> = group
            .principals
            .iter()
            .map(|p| match p.split_once(' ') {
                Some((name, status)) => format!("`{name}` {status}"),
                None => format!("`{p}`"),
            })
            .collect();
        out.push_str(&format!("\n**{}**\n\n```diff\n", names.join(", ")));
        for line in &group.lines {
            out.push_str(&line_text(line));
            out.push('\n');
        }
        out.push_str("```\n");
    }
    if !diff.breaking.is_empty() {
        out.push_str("\n**Breaking changes**\n\n");
        for b in &diff.breaking {
            out.push_str(&format!("- `{}`: {}\n", b.file, b.message));
        }
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

pub fn json(diff: &Diff) -> String {
    #[derive(serde::Serialize)]
    struct Report<'a> {
        changed: bool,
        broadening: usize,
        #[serde(flatten)]
        diff: &'a Diff,
    }
    let report = Report {
        changed: !diff.is_empty(),
        broadening: diff.broadening(),
        diff,
    };
    let mut text = serde_json::to_string_pretty(&report)
        .unwrap_or_else(|e| format!("{{\"error\": \"could not serialise the diff: {e}\"}}"));
    text.push('\n');
    text
}
