//! Diagnostics as plain data, collected across a whole run: [`codes`] (the
//! code table), this module (the data), [`render`] (the one place that
//! renders them, as text through codespan-reporting or as JSON) and
//! [`suggest`] ("did you mean").

pub mod codes;
pub mod render;
pub mod suggest;

pub use codes::{Code, LintCode};
pub use render::line_column;
pub use suggest::{did_you_mean, edit_distance};

use crate::source::{Sources, Span};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
    pub primary: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// The label on the offending text.
    pub fn primary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: true,
        });
        self
    }

    /// A label on related text ("first defined here").
    pub fn secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The span diagnostics are sorted by: the first primary label.
    fn anchor(&self) -> Option<Span> {
        self.labels.iter().find(|l| l.primary).map(|l| l.span)
    }
}

/// How many diagnostics the text form shows in full.
pub const MAX_SHOWN: usize = 100;

/// All diagnostics of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Orders diagnostics by file name and position, so that output does not
    /// depend on the order in which files were read or checks ran.
    pub fn sort(&mut self, sources: &Sources) {
        // Borrowed keys: cloning two strings a diagnostic cost more than the
        // sort, which is stable as the cached-key sort was.
        type Key<'a> = (Option<&'a str>, Option<(usize, usize)>, Code, &'a str);
        fn key<'a>(d: &'a Diagnostic, sources: &'a Sources) -> Key<'a> {
            let anchor = d.anchor();
            let file = anchor
                .and_then(|s| sources.get(s.file))
                .map(|f| f.name.as_str());
            (
                file,
                anchor.map(|s| (s.start, s.end)),
                d.code,
                d.message.as_str(),
            )
        }
        self.0.sort_by(|a, b| key(a, sources).cmp(&key(b, sources)));
        self.0.dedup();
    }
}
