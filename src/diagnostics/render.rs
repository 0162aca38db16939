//! The one renderer of diagnostics: text through codespan-reporting, or JSON.

use super::{Diagnostic, Diagnostics, MAX_SHOWN, Severity};
use crate::source::Sources;
use codespan_reporting::diagnostic as cs;
use codespan_reporting::term;
use serde::Serialize;

impl Diagnostics {
    /// Renders every diagnostic as text, the way a terminal shows it.
    /// At most [`MAX_SHOWN`] are shown in full, then how many more there are:
    /// 100,000 undefined names must not print 100,000 snippets.
    pub fn render_text(&self, sources: &Sources) -> String {
        self.render_text_in_color(sources, false)
    }

    /// [`Self::render_text`], with ANSI colours when `color` (for a terminal).
    pub fn render_text_in_color(&self, sources: &Sources, color: bool) -> String {
        let config = term::Config::default();
        let mut out = String::new();
        for d in self.0.iter().take(MAX_SHOWN) {
            let d = &long_lines_as_notes(d, sources);
            let shown = if color {
                let mut ansi = term::termcolor::Ansi::new(Vec::new());
                let shown = term::emit_to_write_style(&mut ansi, &config, sources, &to_codespan(d));
                out.push_str(&String::from_utf8_lossy(&ansi.into_inner()));
                shown
            } else {
                term::emit_to_string(&mut out, &config, sources, &to_codespan(d))
            };
            if let Err(e) = shown {
                out.push_str(&format!("error[{}]: {}\n", d.code.as_str(), d.message));
                out.push_str(&format!("  (could not show the source: {e})\n"));
            }
        }
        let errors = self.0.iter().filter(|d| d.is_error()).count();
        let warnings = self.0.len() - errors;
        if self.0.len() > MAX_SHOWN {
            out.push_str(&format!(
                "({} more not shown: `--format json` lists every one)\n",
                self.0.len() - MAX_SHOWN
            ));
        }
        if errors > 0 || warnings > 0 {
            out.push_str(&summary_line(errors, warnings));
        }
        out
    }

    /// Renders every diagnostic as one JSON document, for tools.
    pub fn render_json(&self, sources: &Sources) -> String {
        let list: Vec<JsonDiagnostic> = self.0.iter().map(|d| to_json(d, sources)).collect();
        let mut text = serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".to_string());
        text.push('\n');
        text
    }
}

/// The longest source line shown under a diagnostic, in bytes: a longer one
/// (a generated or minified file) would be printed whole for every label on it.
const MAX_SHOWN_LINE: usize = 1_000;

/// `d` with each label on a line longer than [`MAX_SHOWN_LINE`] turned into a
/// note that gives its position, so text output stays as short as the messages.
fn long_lines_as_notes(d: &Diagnostic, sources: &Sources) -> Diagnostic {
    let mut d = d.clone();
    let mut notes = Vec::new();
    d.labels.retain(|l| {
        let Some(file) = sources.get(l.span.file) else {
            return true;
        };
        let long = [l.span.start, l.span.end].iter().any(|&at| {
            file.line_range(file.line_index(at))
                .is_some_and(|r| r.len() > MAX_SHOWN_LINE)
        });
        if long {
            let (line, column) = line_column(sources, l.span.file, l.span.start);
            notes.push(format!(
                "at {}:{line}:{column}: {} (the line is too long to show)",
                file.name, l.message
            ));
        }
        !long
    });
    notes.append(&mut d.notes);
    d.notes = notes;
    d
}

fn summary_line(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, w) => format!("{} emitted\n", plural(w, "warning")),
        (e, 0) => format!("{} emitted\n", plural(e, "error")),
        (e, w) => format!(
            "{} and {} emitted\n",
            plural(e, "error"),
            plural(w, "warning")
        ),
    }
}

fn to_codespan(d: &Diagnostic) -> cs::Diagnostic<usize> {
    let severity = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    let labels = d
        .labels
        .iter()
        .map(|l| {
            let style = if l.primary {
                cs::LabelStyle::Primary
            } else {
                cs::LabelStyle::Secondary
            };
            cs::Label::new(style, l.span.file, l.span.range()).with_message(l.message.clone())
        })
        .collect();
    let mut notes: Vec<String> = d.notes.iter().map(|n| format!("note: {n}")).collect();
    if let Some(help) = &d.help {
        notes.push(format!("help: {help}"));
    }
    cs::Diagnostic::new(severity)
        .with_code(d.code.as_str())
        .with_message(d.message.clone())
        .with_labels(labels)
        .with_notes(notes)
}

#[derive(Serialize)]
struct JsonDiagnostic {
    code: &'static str,
    severity: Severity,
    message: String,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    labels: Vec<JsonLabel>,
    notes: Vec<String>,
    help: Option<String>,
}

#[derive(Serialize)]
struct JsonLabel {
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: String,
    primary: bool,
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(sources: &Sources, file: usize, byte: usize) -> (usize, usize) {
    let Some(f) = sources.get(file) else {
        return (1, 1);
    };
    let line = f.line_index(byte);
    let start = f.line_range(line).map(|r| r.start).unwrap_or(0);
    let column = f
        .text
        .get(start..byte.min(f.text.len()))
        .map(|s| s.chars().count())
        .unwrap_or(0);
    (line + 1, column + 1)
}

fn to_json(d: &Diagnostic, sources: &Sources) -> JsonDiagnostic {
    let labels: Vec<JsonLabel> = d
        .labels
        .iter()
        .map(|l| {
            let (line, column) = line_column(sources, l.span.file, l.span.start);
            let (end_line, end_column) = line_column(sources, l.span.file, l.span.end);
            JsonLabel {
                file: sources
                    .get(l.span.file)
                    .map(|f| f.name.clone())
                    .unwrap_or_default(),
                line,
                column,
                end_line,
                end_column,
                message: l.message.clone(),
                primary: l.primary,
            }
        })
        .collect();
    let primary = labels.iter().find(|l| l.primary);
    JsonDiagnostic {
        code: d.code.as_str(),
        severity: d.severity,
        message: d.message.clone(),
        file: primary.map(|l| l.file.clone()),
        line: primary.map(|l| l.line),
        column: primary.map(|l| l.column),
        notes: d.notes.clone(),
        help: d.help.clone(),
        labels,
    }
}
