//! `iamc diff` as text for a terminal, Markdown for a pull-request comment,
//! or JSON for tools.

use super::diff::{AccessChange, Diff, Group, GroupAccess, Line, NewEscalation};
use super::grants::describe;
use super::template_changes::PropertyChange;
use crate::iam::compare::Change;
use crate::iam::eval::Request;

/// `s3:PutObject on arn:aws:s3:::b/k with aws:SecureTransport=false`.
fn request_text(r: &Request, trust: bool) -> String {
    // The catalog's spelling of the action (the core compares without case).
    let action = r
        .action
        .split_once(':')
        .and_then(|(service, name)| {
            let service = crate::iam::catalog::catalog().service(service)?;
            Some(format!("{}:{}", service.prefix, service.action(name)?.name))
        })
        .unwrap_or_else(|| r.action.clone());
    let mut s = if trust {
        format!("{} may now {action}", r.resource)
    } else {
        format!("now allows {action} on {}", r.resource)
    };
    if !r.context.is_empty() {
        let pairs: Vec<String> = r
            .context
            .iter()
            .map(|(k, v)| format!("{k}={}", v.join("|")))
            .collect();
        s.push_str(&format!(" with {}", pairs.join(", ")));
    }
    s
}

/// `! broadens permissions: now allows ...` or `? may broaden trust: why`.
fn access_text(a: &AccessChange) -> String {
    match &a.change {
        Change::NoNewAccess => format!("= no new access ({})", a.of),
        Change::Broadens { witness } => format!(
            "! broadens {}: {}",
            a.of,
            request_text(witness, a.of == "trust")
        ),
        Change::MayBroaden { reasons, example } => {
            let mut s = format!("? may broaden {}: ", a.of);
            if let Some(e) = example {
                s.push_str(&request_text(e, a.of == "trust"));
                s.push_str("; ");
            }
            s.push_str(&reasons.join("; "));
            s
        }
    }
}

/// `! new escalation path lambda-003 `lambda:UpdateFunctionCode` (existing-passrole)`.
fn escalation_text(e: &NewEscalation) -> String {
    let who = e
        .principal
        .as_ref()
        .map(|p| format!(" {p}:"))
        .unwrap_or_default();
    format!(
        "!{who} new escalation path {} `{}` ({})",
        e.path, e.name, e.family
    )
}

/// An access line of a group, naming the principal when members differ.
fn group_access_text(g: &GroupAccess) -> String {
    let text = access_text(&g.access);
    match &g.principal {
        Some(p) => format!("{} {p}:{}", &text[..1], &text[1..]),
        None => text,
    }
}

/// `~ PersonalRoleJaneDoe (AWS::IAM::Role) Path`.
fn other_text(c: &PropertyChange) -> String {
    let mut s = format!("~ {}", c.section);
    if !c.name.is_empty() {
        s.push_str(&format!(" {}", c.name));
    }
    if !c.resource_type.is_empty() {
        s.push_str(&format!(" ({})", c.resource_type));
    }
    if !c.property.is_empty() {
        s.push_str(&format!(" {}", c.property));
    }
    s
}

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
    if changed == 0 && diff.breaking.is_empty() {
        let n = diff.other.len();
        return format!(
            "no change in access: {} {} compared, {n} other {}",
            diff.compared,
            plural(diff.compared, "principal", "principals"),
            plural(n, "change", "changes")
        );
    }
    let mut s = format!(
        "{changed} {} {}",
        plural(changed, "principal", "principals"),
        plural(changed, "changes", "change")
    );
    let broadening = diff.broadening();
    if broadening > 0 {
        s.push_str(&format!(", {broadening} broadening"));
    }
    let may = diff.may_broaden();
    if may > 0 {
        s.push_str(&format!(", {may} may broaden"));
    }
    if !diff.breaking.is_empty() {
        let n = diff.breaking.len();
        s.push_str(&format!(
            ", {n} breaking {}",
            plural(n, "change", "changes")
        ));
    }
    if !diff.other.is_empty() {
        let n = diff.other.len();
        s.push_str(&format!(", {n} other {}", plural(n, "change", "changes")));
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
        for a in &group.access {
            out.push_str(&format!("  {}\n", group_access_text(a)));
        }
        for e in &group.escalations {
            out.push_str(&format!("  {}\n", escalation_text(e)));
        }
    }
    if !diff.breaking.is_empty() {
        out.push_str("\nbreaking\n");
        for b in &diff.breaking {
            out.push_str(&format!("  ! {}: {}\n", b.file, b.message));
        }
    }
    if !diff.other.is_empty() {
        out.push_str("\nother changes (no change in access)\n");
        for c in &diff.other {
            out.push_str(&format!("  {}: {}\n", c.file, other_text(c)));
        }
    }
    out
}

/// The hidden first line of the Markdown report, by which a bot finds (and
/// updates) its own comment rather than whichever it posted last.
pub const MARKER: &str = "<!-- iamc-diff -->";
/// GitHub's limit on a comment, in characters.
pub const COMMENT_LIMIT: usize = 65_536;
/// A group of principals with more lines than this is folded in `<details>`.
const FOLD_LINES: usize = 12;

/// The whole Markdown report.
pub fn markdown(diff: &Diff) -> String {
    markdown_within(diff, usize::MAX)
}

/// The Markdown report in at most `limit` bytes (so at most `limit`
/// characters). When the whole report is longer, the summary and the warnings
/// stay, the sections follow in order of concern (breaking changes, then the
/// groups with a broadening line, then the rest) while they fit, and a last
/// line says how many were left out and where the full report is.
pub fn markdown_within(diff: &Diff, limit: usize) -> String {
    let head = markdown_head(diff);
    let sections = markdown_sections(diff);
    let whole: usize = head.len() + sections.iter().map(|(_, s)| s.len()).sum::<usize>();
    if whole <= limit {
        let mut out = head;
        for (_, section) in sections {
            out.push_str(&section);
        }
        return out;
    }
    let mut ordered: Vec<&(u8, String)> = sections.iter().collect();
    ordered.sort_by_key(|(concern, _)| *concern);
    let total = ordered.len();
    let rev = diff.base.split(' ').next().unwrap_or("HEAD");
    let note = |shown: usize| {
        format!(
            "\n> [!NOTE]\n> Cut to fit a comment: {shown} of {total} sections shown, the most \
             concerning first. The full report is in the workflow run's summary; locally, run \
             `iamc diff --base {rev}`.\n"
        )
    };
    let mut out = head;
    let mut shown = 0;
    for (_, section) in ordered {
        if out.len() + section.len() + note(total).len() <= limit {
            out.push_str(section);
            shown += 1;
        }
    }
    out.push_str(&note(shown));
    out
}

/// The marker, the title, the summary and the warnings.
fn markdown_head(diff: &Diff) -> String {
    let mut out = format!(
        "{MARKER}\n### iamc diff `{}` → `{}`\n\n{}\n",
        diff.base,
        diff.head,
        capitalise(&summary(diff))
    );
    if diff.is_empty() {
        return out;
    }
    let broadening = diff.broadening() + diff.may_broaden();
    if broadening > 0 || !diff.breaking.is_empty() {
        out.push('\n');
    }
    if broadening > 0 {
        out.push_str(&format!(
            "> [!WARNING]\n> **Broadening**: {broadening} {} below may gain access (marked `!` where proven, `?` where iamc could not decide).\n",
            plural(broadening, "principal", "principals")
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
    out
}

/// Each group of principals, then the breaking changes, with how much each
/// concerns a reviewer (0 most: breaking, 1 broadening, 2 the rest).
fn markdown_sections(diff: &Diff) -> Vec<(u8, String)> {
    let mut sections = Vec::new();
    for group in &diff.groups {
        let names: Vec<String> = group
            .principals
            .iter()
            .map(|p| match p.split_once(' ') {
                Some((name, status)) => format!("`{name}` {status}"),
                None => format!("`{p}`"),
            })
            .collect();
        let broadening = group
            .lines
            .iter()
            .filter(|l| !l.broadening.is_empty())
            .count()
            .max(group.access.len());
        let mut body = String::from("```diff\n");
        for line in &group.lines {
            body.push_str(&line_text(line));
            body.push('\n');
        }
        for a in &group.access {
            body.push_str(&group_access_text(a));
            body.push('\n');
        }
        for e in &group.escalations {
            body.push_str(&escalation_text(e));
            body.push('\n');
        }
        body.push_str("```\n");
        let section = if group.lines.len() > FOLD_LINES {
            let mut what = format!("{} lines", group.lines.len());
            if broadening > 0 {
                what.push_str(&format!(", {broadening} broadening"));
            }
            format!(
                "\n<details><summary><b>{}</b>: {what}</summary>\n\n{body}\n</details>\n",
                html_names(&group.principals)
            )
        } else {
            format!("\n**{}**\n\n{body}", names.join(", "))
        };
        sections.push((if broadening > 0 { 1 } else { 2 }, section));
    }
    if !diff.breaking.is_empty() {
        let mut section = String::from("\n**Breaking changes**\n\n");
        for b in &diff.breaking {
            section.push_str(&format!("- `{}`: {}\n", b.file, b.message));
        }
        sections.push((0, section));
    }
    if !diff.other.is_empty() {
        let mut section = String::from("\n**Other changes** (no change in access)\n\n");
        for c in &diff.other {
            section.push_str(&format!("- `{}`: {}\n", c.file, other_text(c)));
        }
        sections.push((3, section));
    }
    sections
}

/// Principal labels for HTML (inside `<summary>`, where Markdown is not read).
fn html_names(labels: &[String]) -> String {
    let escaped: Vec<String> = labels
        .iter()
        .map(|p| {
            let p = p
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            match p.split_once(' ') {
                Some((name, status)) => format!("<code>{name}</code> {status}"),
                None => format!("<code>{p}</code>"),
            }
        })
        .collect();
    escaped.join(", ")
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
        may_broaden: usize,
        #[serde(flatten)]
        diff: &'a Diff,
    }
    let report = Report {
        changed: !diff.is_empty(),
        broadening: diff.broadening(),
        may_broaden: diff.may_broaden(),
        diff,
    };
    let mut text = serde_json::to_string_pretty(&report)
        .unwrap_or_else(|e| format!("{{\"error\": \"could not serialise the diff: {e}\"}}"));
    text.push('\n');
    text
}
