//! Step 1, parse: `.iam` text → syntax tree. No pest type leaves this folder.

mod build;
mod expected;
mod fast;
pub mod keywords;
pub mod lex;

use crate::ast::Decl;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::par;
use crate::source::{FileId, Sources, Span};
use pest::Parser;

pub use keywords::{Keyword, Role};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/iam.pest"]
struct IamParser;

/// pest's error detail is a global switch: only one failed file at a time turns
/// it on, so every syntax error is reported with the detail it needs.
static DETAIL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Parses every file, largest first, on every core; declarations and
/// diagnostics come back in file order.
pub fn parse_all(sources: &Sources, diagnostics: &mut Diagnostics) -> Vec<Decl> {
    let mut files: Vec<(FileId, usize)> =
        sources.iter().map(|(id, f)| (id, f.text.len())).collect();
    files.sort_by_key(|&(_, len)| std::cmp::Reverse(len));
    let mut parsed: Vec<(FileId, _)> = files
        .iter()
        .map(|&(id, _)| id)
        .zip(par::map_uneven(&files, |&(id, _)| parse_file(sources, id)))
        .collect();
    parsed.sort_by_key(|(id, _)| *id);
    let mut decls = Vec::new();
    for (_, (file_decls, file_diagnostics)) in parsed {
        decls.extend(file_decls);
        diagnostics.extend(file_diagnostics);
    }
    decls
}

/// Parses one file: by the fast path ([`fast`]) when it accepts the file,
/// otherwise by pest. On a syntax error the file yields no declarations and one
/// diagnostic; problems found while building the tree (bad escapes, names,
/// repeated properties) are reported alongside the declarations.
pub fn parse_file(sources: &Sources, file: FileId) -> (Vec<Decl>, Vec<Diagnostic>) {
    let Some(source) = sources.get(file) else {
        return (Vec::new(), Vec::new());
    };
    if let Some(parsed) = fast::parse(file, &source.text) {
        return parsed;
    }
    parse_with_pest(file, &source.text)
}

/// Parses one file by the fast path only, or `None` where it gives up (for
/// tests: [`parse_file`] falls back to pest then).
pub fn parse_fast(file: FileId, text: &str) -> Option<(Vec<Decl>, Vec<Diagnostic>)> {
    fast::parse(file, text)
}

/// Parses one file with the pest parser only: what [`parse_file`] does when
/// its fast path gives up, and the reference the fast path is tested against.
pub fn parse_with_pest(file: FileId, text: &str) -> (Vec<Decl>, Vec<Diagnostic>) {
    // pest parses first without its detailed error tracking; a file that
    // fails is parsed again with it, for a precise message.
    let parsed = IamParser::parse(Rule::program, text).or_else(|_| {
        let _only_one = DETAIL.lock();
        pest::set_error_detail(true);
        let again = IamParser::parse(Rule::program, text);
        pest::set_error_detail(false);
        again
    });
    match parsed {
        Ok(mut pairs) => {
            let mut builder = build::Builder::new(file, text);
            let decls = match pairs.next() {
                Some(program) => builder.program(program),
                None => Vec::new(),
            };
            (decls, builder.finish())
        }
        Err(error) => (Vec::new(), vec![syntax_error(file, text, &error)]),
    }
}

/// Turns pest's error into a diagnostic that says, in words, what was expected.
fn syntax_error(file: FileId, text: &str, error: &pest::error::Error<Rule>) -> Diagnostic {
    let pos = match error.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    if let Some(end) = expected::unterminated_string(text, pos) {
        return Diagnostic::error(Code::Syntax, "this string is not closed")
            .primary(Span::new(file, pos, end), "no closing `\"` on this line")
            .help(
                "end the string with `\"` on the same line; write \\n for a line break inside it",
            );
    }
    // At the end of the file, point just after the last token rather than at
    // an empty last line.
    let at_end = text.get(pos..).is_none_or(|rest| rest.trim().is_empty());
    let (pos, found) = if at_end {
        (text.trim_end().len(), String::new())
    } else {
        (pos, expected::found_at(text, pos))
    };
    let end = pos + found.len();
    let expected = expected::describe(error);
    let found_words = if found.is_empty() {
        "the end of the file".to_string()
    } else {
        format!("`{}`", expected::show(&found))
    };
    let message = match &expected {
        Some(e) => format!("expected {e}, found {found_words}"),
        None => format!("unexpected {found_words}"),
    };
    let label = match &expected {
        Some(e) => format!("expected {e}"),
        None => "not expected here".to_string(),
    };
    let mut d = Diagnostic::error(Code::Syntax, message).primary(Span::new(file, pos, end), label);
    if let Some(help) = expected::help(text, pos, &found, expected.as_deref()) {
        d = d.help(help);
    }
    d
}
