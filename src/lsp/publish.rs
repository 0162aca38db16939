//! iamc's diagnostics as the editor's: one per diagnostic, on its primary
//! label, its other labels as related information; and each "did you mean"
//! as a quick fix.

use super::position::{Encoding, range};
use super::uri;
use super::workspace::Analysis;
use crate::diagnostics::{Diagnostic, Severity};
use lsp_types as lsp;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every file's diagnostics, by path. Diagnostics with no place in a source
/// (a bad `iamc.yaml`) go on `fallback`.
pub fn by_file(
    analysis: &Analysis,
    fallback: &Path,
    encoding: Encoding,
) -> BTreeMap<PathBuf, Vec<lsp::Diagnostic>> {
    let mut files: BTreeMap<PathBuf, Vec<lsp::Diagnostic>> = BTreeMap::new();
    for d in &analysis.diagnostics {
        let (path, diagnostic) = match to_lsp(analysis, d, encoding) {
            Some((file, diagnostic)) => (analysis.paths[file].clone(), diagnostic),
            None => (fallback.to_path_buf(), unplaced(d)),
        };
        files.entry(path).or_default().push(diagnostic);
    }
    files
}

/// The message as the terminal shows it: the message, the label on the
/// text, the notes, the help.
fn text(d: &Diagnostic, label: &str) -> String {
    let mut text = d.message.clone();
    if !label.is_empty() {
        text.push_str(&format!("\n{label}"));
    }
    for note in &d.notes {
        text.push_str(&format!("\nnote: {note}"));
    }
    if let Some(help) = &d.help {
        text.push_str(&format!("\nhelp: {help}"));
    }
    text
}

fn severity(d: &Diagnostic) -> lsp::DiagnosticSeverity {
    match d.severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
    }
}

fn unplaced(d: &Diagnostic) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: lsp::Range::default(),
        severity: Some(severity(d)),
        code: Some(lsp::NumberOrString::String(d.code.as_str().to_string())),
        source: Some("iamc".to_string()),
        message: text(d, ""),
        ..lsp::Diagnostic::default()
    }
}

/// The diagnostic on its primary label's file, or `None` if it has none.
fn to_lsp(
    analysis: &Analysis,
    d: &Diagnostic,
    encoding: Encoding,
) -> Option<(usize, lsp::Diagnostic)> {
    let primary = d.labels.iter().find(|l| l.primary)?;
    let file = analysis.sources.get(primary.span.file)?;
    let message = text(d, &primary.message);
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter(|l| !l.primary)
        .filter_map(|l| {
            let f = analysis.sources.get(l.span.file)?;
            let uri = uri::from_path(analysis.paths.get(l.span.file)?)?;
            Some(lsp::DiagnosticRelatedInformation {
                location: lsp::Location::new(uri, range(f, l.span.start, l.span.end, encoding)),
                message: l.message.clone(),
            })
        })
        .collect();
    Some((
        primary.span.file,
        lsp::Diagnostic {
            range: range(file, primary.span.start, primary.span.end, encoding),
            related_information: (!related.is_empty()).then_some(related),
            message,
            ..unplaced(d)
        },
    ))
}

/// The quick fixes for diagnostics of `file` whose place overlaps bytes
/// `start..end`: each "did you mean `X`?" replaces the text it is about.
pub fn quick_fixes(
    analysis: &Analysis,
    file: usize,
    start: usize,
    end: usize,
    encoding: Encoding,
) -> Vec<lsp::CodeAction> {
    let mut actions = Vec::new();
    for d in &analysis.diagnostics {
        let Some(primary) = d.labels.iter().find(|l| l.primary) else {
            continue;
        };
        let span = primary.span;
        if span.file != file || span.end < start || span.start > end {
            continue;
        }
        let Some(suggestion) = d.help.as_deref().and_then(did_you_mean) else {
            continue;
        };
        let written = analysis.sources.text(span);
        if !fits(written, suggestion) {
            continue;
        }
        let (Some(source), Some(path)) = (analysis.sources.get(file), analysis.paths.get(file))
        else {
            continue;
        };
        let Some(uri) = uri::from_path(path) else {
            continue;
        };
        let edit = lsp::TextEdit::new(
            range(source, span.start, span.end, encoding),
            suggestion.to_string(),
        );
        actions.push(lsp::CodeAction {
            title: format!("Replace `{written}` with `{suggestion}`"),
            kind: Some(lsp::CodeActionKind::QUICKFIX),
            diagnostics: to_lsp(analysis, d, encoding).map(|(_, d)| vec![d]),
            edit: Some(lsp::WorkspaceEdit {
                changes: Some([(uri, vec![edit])].into_iter().collect()),
                ..lsp::WorkspaceEdit::default()
            }),
            is_preferred: Some(true),
            ..lsp::CodeAction::default()
        });
    }
    actions
}

/// `X` of a help text ending "did you mean `X`?".
pub fn did_you_mean(help: &str) -> Option<&str> {
    let rest = help.strip_suffix("`?")?;
    let at = rest.rfind("did you mean `")?;
    let suggestion = &rest[at + "did you mean `".len()..];
    (!suggestion.is_empty() && !suggestion.contains('`')).then_some(suggestion)
}

/// Whether the suggestion replaces the labelled text as a whole: a name for
/// a name, `${...}` for `${...}`, `{...}` for `{...}`; never a whole string
/// literal, whose quotes the suggestion does not carry.
fn fits(written: &str, suggestion: &str) -> bool {
    let shape = |s: &str| {
        if s.starts_with("${") {
            1
        } else if s.starts_with('{') {
            2
        } else if s.starts_with('"') {
            3
        } else {
            0
        }
    };
    written != suggestion && shape(written) == shape(suggestion) && shape(written) != 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_suggestion_of_a_help_text() {
        assert_eq!(did_you_mean("did you mean `TeamA`?"), Some("TeamA"));
        assert_eq!(
            did_you_mean(
                "the qualifiers are `ForAllValues:` and `ForAnyValue:`; did you mean `ForAnyValue:StringLike`?"
            ),
            Some("ForAnyValue:StringLike")
        );
        assert_eq!(did_you_mean("check the spelling"), None);
        assert!(fits("s3:GetObjekt", "s3:GetObject"));
        assert!(!fits("\"x\"", "\"y\""));
        assert!(!fits("${Envv}", "Env"));
    }
}
