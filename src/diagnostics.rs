//! Diagnostics as plain data, collected across a whole run, and the one place
//! that renders them (as text through codespan-reporting, or as JSON).

use crate::source::{Sources, Span};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::term;
use serde::Serialize;

/// Every diagnostic iamc can emit, with its stable code. The book has a page per
/// code and `tests/ui/` has a test per code; `codes_are_documented_and_tested`
/// keeps the three in step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    Syntax,
    InvalidEscape,
    InvalidName,
    DuplicateName,
    UndefinedName,
    WrongKind,
    Cycle,
    EmptyGroup,
    EmptyPolicy,
    CaseCollision,
    MalformedAction,
    UnknownOperator,
    DuplicateConditionKey,
    DuplicateSid,
    NameTooLong,
    InvalidPath,
    TrustPolicyTooLarge,
    TooManyManagedPolicies,
    StatementTooLarge,
    CharacterNotAllowed,
    UnknownVariable,
    UnterminatedVariable,
    MissingProperty,
    DuplicateProperty,
    InvalidValue,
    MalformedResource,
    EmptyTrust,
    PropertyNotAllowed,
    StackMembership,
    TemplateArguments,
    StackLimit,
    NameCollision,
    UnknownAction,
    Config,
    Io,
    ForeignFile,
    Git,
    UnknownPrincipal,
    ImportInvalid,
    CannotImport,
    Internal,
    /// A finding of a lint, by its number (1 for `L001`); not in [`Code::ALL`]:
    /// the lints are listed by [`crate::lint::LINTS`].
    Lint(u16),
}

impl Code {
    pub const ALL: &'static [Code] = &[
        Code::Syntax,
        Code::InvalidEscape,
        Code::InvalidName,
        Code::DuplicateName,
        Code::UndefinedName,
        Code::WrongKind,
        Code::Cycle,
        Code::EmptyGroup,
        Code::EmptyPolicy,
        Code::CaseCollision,
        Code::MalformedAction,
        Code::UnknownOperator,
        Code::DuplicateConditionKey,
        Code::DuplicateSid,
        Code::NameTooLong,
        Code::InvalidPath,
        Code::TrustPolicyTooLarge,
        Code::TooManyManagedPolicies,
        Code::StatementTooLarge,
        Code::CharacterNotAllowed,
        Code::UnknownVariable,
        Code::UnterminatedVariable,
        Code::MissingProperty,
        Code::DuplicateProperty,
        Code::InvalidValue,
        Code::MalformedResource,
        Code::EmptyTrust,
        Code::PropertyNotAllowed,
        Code::StackMembership,
        Code::TemplateArguments,
        Code::StackLimit,
        Code::NameCollision,
        Code::UnknownAction,
        Code::Config,
        Code::Io,
        Code::ForeignFile,
        Code::Git,
        Code::UnknownPrincipal,
        Code::ImportInvalid,
        Code::CannotImport,
        Code::Internal,
    ];

    /// The stable code printed as `error[E011]`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "E001",
            Code::InvalidEscape => "E003",
            Code::InvalidName => "E004",
            Code::DuplicateName => "E010",
            Code::UndefinedName => "E011",
            Code::WrongKind => "E012",
            Code::Cycle => "E013",
            Code::EmptyGroup => "E014",
            Code::EmptyPolicy => "E015",
            Code::CaseCollision => "E016",
            Code::MalformedAction => "E020",
            Code::UnknownOperator => "E021",
            Code::DuplicateConditionKey => "E022",
            Code::DuplicateSid => "E023",
            Code::NameTooLong => "E024",
            Code::InvalidPath => "E025",
            Code::TrustPolicyTooLarge => "E026",
            Code::TooManyManagedPolicies => "E027",
            Code::StatementTooLarge => "E028",
            Code::CharacterNotAllowed => "E029",
            Code::UnknownVariable => "E030",
            Code::UnterminatedVariable => "E031",
            Code::MissingProperty => "E032",
            Code::DuplicateProperty => "E033",
            Code::InvalidValue => "E034",
            Code::MalformedResource => "E035",
            Code::EmptyTrust => "E036",
            Code::PropertyNotAllowed => "E037",
            Code::Lint(n) => crate::lint::code_str(n),
            Code::StackMembership => "E038",
            Code::TemplateArguments => "E039",
            Code::StackLimit => "E040",
            Code::NameCollision => "E041",
            Code::UnknownAction => "E050",
            Code::Config => "E080",
            Code::Io => "E081",
            Code::ForeignFile => "E082",
            Code::Git => "E083",
            Code::UnknownPrincipal => "E084",
            Code::ImportInvalid => "E090",
            Code::CannotImport => "E091",
            Code::Internal => "E999",
        }
    }

    /// A one-line title, used by the book's index of diagnostics.
    pub fn title(self) -> &'static str {
        match self {
            Code::Syntax => "syntax error",
            Code::InvalidEscape => "invalid escape in a string",
            Code::InvalidName => "invalid name",
            Code::DuplicateName => "name defined twice",
            Code::UndefinedName => "undefined name",
            Code::WrongKind => "reference to the wrong kind of declaration",
            Code::Cycle => "cycle in the group graph",
            Code::EmptyGroup => "empty group",
            Code::EmptyPolicy => "empty policy",
            Code::CaseCollision => "names differ only in case",
            Code::MalformedAction => "malformed action",
            Code::UnknownOperator => "unknown condition operator",
            Code::DuplicateConditionKey => "condition key repeated under one operator",
            Code::DuplicateSid => "two statements would share a Sid",
            Code::NameTooLong => "generated name too long or invalid",
            Code::InvalidPath => "invalid IAM path",
            Code::TrustPolicyTooLarge => "trust policy over the size limit",
            Code::TooManyManagedPolicies => "principal needs too many managed policies",
            Code::StatementTooLarge => "statement larger than a managed policy",
            Code::CharacterNotAllowed => "character IAM does not accept",
            Code::UnknownVariable => "unknown `${...}` variable",
            Code::UnterminatedVariable => "unterminated `${`",
            Code::MissingProperty => "required property missing",
            Code::DuplicateProperty => "property given twice",
            Code::InvalidValue => "value out of range",
            Code::MalformedResource => "malformed resource ARN",
            Code::EmptyTrust => "trust with no principal",
            Code::PropertyNotAllowed => "property not allowed here",
            Code::UnknownAction => "unknown service or action",
            Code::Lint(_) => "lint finding (see the lint's page)",
            Code::StackMembership => "principal or policy in two stacks",
            Code::TemplateArguments => "template parameters and arguments do not match",
            Code::StackLimit => "template over a CloudFormation limit",
            Code::NameCollision => "two resources would have the same IAM name",
            Code::Config => "invalid iamc.yaml",
            Code::Io => "file could not be read or written",
            Code::ForeignFile => "output folder holds a file iamc did not write",
            Code::Git => "git revision could not be read",
            Code::UnknownPrincipal => "no declaration of that name and kind",
            Code::ImportInvalid => "import input is not a policy document or template",
            Code::CannotImport => "import cannot express part of the input",
            Code::Internal => "internal error (a bug in iamc)",
        }
    }
}

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

    /// Renders every diagnostic as text, the way a terminal shows it.
    /// At most [`MAX_SHOWN`] are shown in full, then how many more there are:
    /// 100,000 undefined names must not print 100,000 snippets.
    pub fn render_text(&self, sources: &Sources) -> String {
        let config = term::Config::default();
        let mut out = String::new();
        for d in self.0.iter().take(MAX_SHOWN) {
            let d = &long_lines_as_notes(d, sources);
            if let Err(e) = term::emit_to_string(&mut out, &config, sources, &to_codespan(d)) {
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

/// "did you mean" for a misspelt name: the closest candidate, if close enough.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    let limit = (name.len() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| c.len().abs_diff(name.len()) <= limit)
        .map(|c| (edit_distance(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Edit distance by characters, where swapping two neighbours counts as one
/// edit (optimal string alignment): `Raed` is one edit from `Read`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, row) in d.chunks_mut(width).enumerate() {
        row[0] = i;
    }
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j - 1] + cost)
                .min(d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}
