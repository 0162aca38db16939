//! Hover: on a name, its declaration, doc comment and what it comes to
//! (a principal's flattened grants and managed policies with their sizes;
//! who receives a policy or group); on an action, what the catalog knows of
//! it and what a wildcard expands to.

use super::navigate::receivers;
use super::workspace::Analysis;
use crate::ast::{Action, DeclKind, Statement};
use crate::iam::catalog;
use crate::iam::policy;
use crate::model::Value;
use crate::resolve::DeclId;
use crate::source::{FileId, Span};
use std::fmt::Write;

/// How many statements, actions or names a hover lists before "and N more".
const SHOWN: usize = 25;
/// How many actions a wildcard's hover names.
const SHOWN_ACTIONS: usize = 200;

/// The hover text (Markdown) at `offset`, and the span it is about.
pub fn hover(analysis: &Analysis, file: FileId, offset: usize) -> Option<(String, Span)> {
    let program = analysis.program();
    if let Some((span, id)) = analysis.index.at(program, file, offset) {
        return Some((declaration(analysis, id), span));
    }
    let action = action_at(analysis, file, offset)?;
    Some((action_text(&action.text), action.span))
}

fn declaration(analysis: &Analysis, id: DeclId) -> String {
    let program = analysis.program();
    let decl = &program.decls[id];
    let mut out = format!("```iam\n{} {}\n```\n", decl.kind.keyword(), decl.name.name);
    if let Some(doc) = &decl.doc {
        let _ = write!(out, "\n{}\n", doc.trim());
    }
    let file = analysis
        .sources
        .get(decl.name.span.file)
        .map(|f| f.name.as_str())
        .unwrap_or("");
    let line = analysis
        .sources
        .get(decl.name.span.file)
        .map(|f| f.line_index(decl.name.span.start) + 1)
        .unwrap_or(0);
    let _ = write!(out, "\n*declared in `{file}`, line {line}*\n");
    match &decl.kind {
        DeclKind::Role(_) | DeclKind::User(_) => principal(analysis, id, &mut out),
        DeclKind::Policy(_) | DeclKind::PolicyInstance(_) | DeclKind::Group(_) => {
            let who = receivers(analysis, id);
            let _ = write!(
                out,
                "\n**Received by** {} principal{}{}\n",
                who.len(),
                if who.len() == 1 { "" } else { "s" },
                names(&who)
            );
        }
        _ => {}
    }
    out
}

/// `: A, B, C and 3 more`, or nothing for no names.
fn names(names: &[&str]) -> String {
    if names.is_empty() {
        return String::new();
    }
    let shown: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    let more = names.len().saturating_sub(SHOWN);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!(": {}{more}", shown.join(", "))
}

/// A role's or user's flattened grants and managed policies, as the build
/// computed them.
fn principal(analysis: &Analysis, id: DeclId, out: &mut String) {
    let Some(compiled) = &analysis.compiled else {
        out.push_str(
            "\n*Grants and managed policies are shown once the program builds without errors.*\n",
        );
        return;
    };
    let limit = compiled.config().limits.policy_size;
    if let Some((_, grants)) = compiled.principals().find(|(d, _)| *d == id) {
        let statements = &compiled.lowered().statements;
        let _ = write!(
            out,
            "\n**Grants** ({} statement{}, flattened)\n\n",
            grants.statements.len(),
            if grants.statements.len() == 1 {
                ""
            } else {
                "s"
            }
        );
        for &i in grants.statements.iter().take(SHOWN) {
            let s = &statements[i];
            let _ = writeln!(
                out,
                "- {} *(from `{}`)*",
                statement(&s.statement),
                s.origin.policy
            );
        }
        if grants.statements.len() > SHOWN {
            let _ = writeln!(out, "- and {} more", grants.statements.len() - SHOWN);
        }
    }
    if let Some((_, parts)) = compiled.managed_policies().find(|(d, _)| *d == id) {
        let _ = write!(
            out,
            "\n**Managed policies** ({}; each at most {limit} characters)\n\n",
            parts.len()
        );
        for part in parts {
            let _ = writeln!(
                out,
                "- `{}`: {} / {limit} characters ({}%)",
                part.name,
                part.size,
                part.size * 100 / limit.max(1)
            );
        }
    }
    if let DeclKind::Role(p) | DeclKind::User(p) = &compiled.program().decls[id].kind {
        for m in &p.managed {
            let _ = writeln!(out, "- `{}` (attached, not sized by iamc)", m.value);
        }
    }
}

/// One statement on a line: `Allow s3:GetObject on arn:... when ...`.
fn statement(s: &policy::Statement<Value>) -> String {
    let list = |items: Vec<&str>| {
        let shown: Vec<String> = items.iter().take(6).map(|i| format!("`{i}`")).collect();
        match items.len() {
            n if n > 6 => format!("{} and {} more", shown.join(", "), n - 6),
            _ => shown.join(", "),
        }
    };
    let mut text = format!(
        "{}{} {} on{} {}",
        s.effect.as_str(),
        if s.not_action { " not" } else { "" },
        list(s.actions.iter().map(String::as_str).collect()),
        if s.not_resource { " not" } else { "" },
        list(s.resources.iter().map(|r| r.text.as_str()).collect()),
    );
    for c in &s.conditions {
        let values: Vec<&str> = c.values.iter().map(|v| v.text.as_str()).collect();
        let _ = write!(text, " when {} `{}` {}", c.operator, c.key, list(values));
    }
    text
}

/// The action written at `offset`, if any.
fn action_at(analysis: &Analysis, file: FileId, offset: usize) -> Option<&Action> {
    let inside = |s: &Span| s.file == file && s.start <= offset && offset <= s.end;
    analysis
        .program()
        .decls
        .iter()
        .filter(|d| inside(&d.span))
        .filter_map(|d| statements(&d.kind))
        .flatten()
        .flat_map(|s| &s.actions)
        .find(|a| inside(&a.span))
}

fn statements(kind: &DeclKind) -> Option<&[Statement]> {
    match kind {
        DeclKind::Policy(s) => Some(s),
        DeclKind::Template(t) => Some(&t.statements),
        _ => None,
    }
}

/// What the catalog says of an action or action pattern.
pub fn action_text(pattern: &str) -> String {
    let catalog = catalog::catalog();
    let matched = catalog.expand(pattern);
    let mut out = format!("```iam\n{pattern}\n```\n");
    let wildcard = crate::iam::pattern::is_wildcard(pattern);
    if matched.is_empty() {
        let _ = write!(
            out,
            "\nThe catalog has no action {} `{pattern}`.\n",
            if wildcard { "matching" } else { "named" }
        );
        return out;
    }
    if wildcard {
        let _ = write!(
            out,
            "\nMatches **{} action{}** of the catalog: {}.\n\n",
            matched.len(),
            if matched.len() == 1 { "" } else { "s" },
            by_level(&matched)
        );
        let names: Vec<String> = matched
            .iter()
            .take(SHOWN_ACTIONS)
            .map(|(service, action)| format!("`{}:{}`", service.prefix, action.name))
            .collect();
        out.push_str(&names.join(", "));
        if matched.len() > SHOWN_ACTIONS {
            let _ = write!(out, " and {} more", matched.len() - SHOWN_ACTIONS);
        }
        out.push('\n');
    } else if let Some((service, action)) = matched.first() {
        let types: Vec<&str> = service.types_of(action).collect();
        let _ = write!(out, "\n`{}:{}`", service.prefix, action.name);
        match action.access {
            Some(level) => {
                let _ = writeln!(out, " — **{level}**");
            }
            None => out.push_str(" — *access level unknown: only cfn-lint's data lists it*\n"),
        }
        if !action.description.is_empty() {
            let _ = write!(out, "\nGrants permission to {}.\n", action.description);
        }
        if types.is_empty() {
            out.push_str("\nSupports no resource-level permissions: it needs `on *`.\n");
        } else {
            let _ = write!(out, "\nResource types: {}\n", types.join(", "));
        }
        let keys: Vec<String> = service.keys_of(action).map(|k| format!("`{k}`")).collect();
        if !keys.is_empty() {
            let _ = write!(out, "\nCondition keys: {}\n", keys.join(", "));
        }
    }
    let _ = write!(
        out,
        "\n*Catalog: {}, generated {}*\n",
        catalog.source_names(),
        catalog.generated.trim_start_matches("generated: ")
    );
    out
}

/// How many matched actions each access level has: `Read 40, List 12`,
/// in the order of the Service Authorization Reference.
fn by_level(matched: &[(&catalog::Service, &catalog::Action)]) -> String {
    let mut parts: Vec<String> = catalog::AccessLevel::ALL
        .iter()
        .filter_map(|&level| {
            let n = matched
                .iter()
                .filter(|(_, a)| a.access == Some(level))
                .count();
            (n > 0).then(|| format!("{level} {n}"))
        })
        .collect();
    let unknown = matched.iter().filter(|(_, a)| a.access.is_none()).count();
    if unknown > 0 {
        parts.push(format!("access level unknown {unknown}"));
    }
    parts.join(", ")
}
