//! `iamc usage --suggest`: the smallest `.iam` edit that removes what was not
//! used. An action comes out of a policy only when every principal holding
//! the policy left it unused; otherwise the report gives per-principal
//! guidance. The edit only ever deletes actions from `allow` statements (or a
//! whole `allow` statement); it is compiled and compared with the original,
//! and dropped if `iamc diff` would show anything but narrowing.

use super::analyse::{Report, Verdict};
use crate::Compiled;
use crate::ast::{DeclKind, Statement};
use crate::iam::policy::Effect;
use crate::lower::Lowered;
use crate::review::diff::{self, Sign};
use crate::source::{SourceFile, Sources};
use std::collections::{BTreeMap, BTreeSet};

/// The proposed change.
#[derive(Debug, Default)]
pub struct Suggestion {
    /// Each edited file: its name (relative to the source folder), the text
    /// before and after.
    pub files: Vec<(String, String, String)>,
    /// What the edit removes, in words.
    pub removed: Vec<String>,
    /// Unused grants iamc does not remove, and why.
    pub guidance: Vec<String>,
    /// The full source set after the edit (every file), when there is one.
    pub sources: Option<Sources>,
}

/// (policy, Sid, lower-case action) -> verdict per holder.
type Verdicts = BTreeMap<(String, String, String), Vec<(String, bool, String)>>;

fn verdicts(report: &Report) -> Verdicts {
    let mut out: Verdicts = BTreeMap::new();
    for p in &report.principals {
        for g in &p.grants {
            if g.not_action {
                continue;
            }
            let unused = matches!(g.verdict, Verdict::Unused { .. });
            out.entry((
                g.policy.clone(),
                g.sid.clone(),
                g.action.to_ascii_lowercase(),
            ))
            .or_default()
            .push((p.name.clone(), unused, g.action.clone()));
        }
    }
    out
}

pub fn suggest(compiled: &Compiled, sources: &Sources, report: &Report) -> Suggestion {
    let mut s = Suggestion::default();
    let verdicts = verdicts(report);
    // Per-principal guidance where a shared policy is used by some holders.
    for ((policy, sid, _), holders) in &verdicts {
        let action = holders.first().map_or("", |h| h.2.as_str());
        let unused: Vec<&str> = holders
            .iter()
            .filter(|h| h.1)
            .map(|h| h.0.as_str())
            .collect();
        if !unused.is_empty() && unused.len() < holders.len() {
            let others: Vec<&str> = holders
                .iter()
                .filter(|h| !h.1)
                .map(|h| h.0.as_str())
                .collect();
            s.guidance.push(format!(
                "{} left {action} (statement {sid} of {policy}) unused, but {} may use it: give {} a narrower policy instead of {policy}, or remove the group membership it comes through",
                unused.join(", "),
                others.join(", "),
                if unused.len() == 1 { "it" } else { "them" }
            ));
        }
    }
    let removable: BTreeSet<&(String, String, String)> = verdicts
        .iter()
        .filter(|(_, holders)| !holders.is_empty() && holders.iter().all(|h| h.1))
        .map(|(k, _)| k)
        .collect();
    if removable.is_empty() {
        return s;
    }
    let program = compiled.program();
    let lowered = compiled.lowered();
    // Edits by file: byte ranges to delete.
    let mut cuts: BTreeMap<usize, Vec<std::ops::Range<usize>>> = BTreeMap::new();
    for (id, decl) in program.decls.iter_enumerated() {
        let name = &decl.name.name;
        let statements: &[Statement] = match &decl.kind {
            DeclKind::Policy(statements) => statements,
            DeclKind::PolicyInstance(_) => {
                let any = removable.iter().any(|(p, _, _)| p == name);
                if any {
                    s.guidance.push(format!(
                        "{name} is an instance of a template: remove its unused actions from the template by hand if no other instance needs them"
                    ));
                }
                continue;
            }
            _ => continue,
        };
        // The lowered statements of each source statement, by span.
        let mut by_span: BTreeMap<(usize, usize), Vec<&Lowered>> = BTreeMap::new();
        for i in lowered.of_policy(id) {
            let l = &lowered.statements[i];
            let r = l.origin.span.range();
            by_span.entry((r.start, r.end)).or_default().push(l);
        }
        let mut plan: Vec<(usize, Vec<usize>)> = Vec::new(); // statement index, action indexes
        for (si, st) in statements.iter().enumerate() {
            if st.effect != Effect::Allow || st.not_action {
                continue;
            }
            let r = st.span.range();
            let Some(lowered_of) = by_span.get(&(r.start, r.end)) else {
                continue;
            };
            let mut gone = Vec::new();
            for (ai, action) in st.actions.iter().enumerate() {
                let key = action.text.to_ascii_lowercase();
                let holding: Vec<_> = lowered_of
                    .iter()
                    .filter(|l| {
                        l.statement
                            .actions
                            .iter()
                            .any(|a| a.eq_ignore_ascii_case(&key))
                    })
                    .collect();
                let all_unused = !holding.is_empty()
                    && holding
                        .iter()
                        .all(|l| removable.contains(&(name.clone(), l.sid.clone(), key.clone())));
                if all_unused {
                    gone.push(ai);
                }
            }
            if !gone.is_empty() {
                plan.push((si, gone));
            }
        }
        if plan.is_empty() {
            continue;
        }
        let emptied = plan
            .iter()
            .filter(|(si, gone)| gone.len() == statements[*si].actions.len())
            .count();
        if emptied == statements.len() {
            s.guidance.push(format!(
                "every grant of policy {name} is unused by every principal holding it: remove {name} from the groups that hold it"
            ));
            continue;
        }
        let file = decl.span.file;
        for (si, gone) in plan {
            let st = &statements[si];
            let Some(src) = sources.get(file) else {
                continue;
            };
            if gone.len() == st.actions.len() {
                cuts.entry(file)
                    .or_default()
                    .push(statement_cut(&src.text, st));
                s.removed.push(format!(
                    "statement `{}` of {name}",
                    src.text[st.span.range()]
                        .lines()
                        .next()
                        .unwrap_or("")
                        .trim()
                ));
            } else {
                for ai in gone {
                    cuts.entry(file)
                        .or_default()
                        .push(list_item_cut(&src.text, st.actions[ai].span.range()));
                    s.removed
                        .push(format!("{} from {name}", st.actions[ai].text));
                }
            }
        }
    }
    if cuts.is_empty() {
        return s;
    }
    let mut edited = Sources::new();
    for (id, file) in sources.iter() {
        let text = match cuts.get(&id) {
            Some(ranges) => {
                let after = apply(&file.text, ranges);
                s.files
                    .push((file.name.clone(), file.text.clone(), after.clone()));
                after
            }
            None => file.text.clone(),
        };
        edited.add(SourceFile::new(file.name.clone(), text));
    }
    // The safety net: the edit compiles, and narrows only.
    match crate::compile(&edited, compiled.config()) {
        Ok(head) => {
            let d = diff::diff(compiled, &head, "before", "suggested");
            let widens = d
                .groups
                .iter()
                .flat_map(|g| &g.lines)
                .any(|l| l.sign == Sign::Added || !l.broadening.is_empty());
            if widens {
                s.guidance
                    .push("iamc dropped its edit: `iamc diff` showed more than narrowing (a bug in iamc; please report it)".into());
                s.files.clear();
                s.removed.clear();
            } else {
                s.sources = Some(edited);
            }
        }
        Err(_) => {
            s.guidance.push(
                "iamc dropped its edit: the edited program does not compile (remove the unused actions by hand)".into(),
            );
            s.files.clear();
            s.removed.clear();
        }
    }
    s
}

/// Deletes ranges (which may not overlap) from a text.
fn apply(text: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut ranges = ranges.to_vec();
    ranges.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        if r.start < at {
            continue;
        }
        out.push_str(&text[at..r.start]);
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

/// An item of a `[a, b, c]` list with its comma: the following one when
/// there is one, else the preceding one.
fn list_item_cut(text: &str, item: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let bytes = text.as_bytes();
    let mut end = item.end;
    while end < bytes.len() && bytes[end].is_ascii_whitespace() {
        end += 1;
    }
    if bytes.get(end) == Some(&b',') {
        end += 1;
        while end < bytes.len() && bytes[end].is_ascii_whitespace() {
            end += 1;
        }
        return item.start..end;
    }
    let mut start = item.start;
    while start > 0 && bytes[start - 1].is_ascii_whitespace() {
        start -= 1;
    }
    if start > 0 && bytes[start - 1] == b',' {
        return start - 1..item.end;
    }
    item
}

/// A whole statement, with its `///` lines and its line when it has it alone.
fn statement_cut(text: &str, st: &Statement) -> std::ops::Range<usize> {
    let r = st.span.range();
    let line_start = text[..r.start].rfind('\n').map_or(0, |i| i + 1);
    let mut start = if text[line_start..r.start].trim().is_empty() {
        line_start
    } else {
        r.start
    };
    // Doc lines directly above.
    while start > 0 {
        let prev_start = text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
        if text[prev_start..start].trim_start().starts_with("///") {
            start = prev_start;
        } else {
            break;
        }
    }
    let mut end = r.end;
    let rest = &text[end..];
    let line_end = rest.find('\n').map_or(text.len(), |i| end + i + 1);
    if text[end..line_end].trim().is_empty() {
        end = line_end;
    }
    start..end
}

/// The edit as a unified diff, paths as `a/NAME` and `b/NAME` under the
/// source folder.
pub fn patch(s: &Suggestion, folder: &str) -> String {
    let mut out = String::new();
    for (name, before, after) in &s.files {
        let diff = similar::TextDiff::from_lines(before, after);
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(2)
                .header(&format!("a/{folder}/{name}"), &format!("b/{folder}/{name}"))
                .to_string(),
        );
    }
    out
}
