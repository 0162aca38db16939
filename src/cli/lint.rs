//! `iamc lint [--format text|json|sarif]`: the security lints, at the levels
//! `iamc.yaml` sets. Exit 0 unless a finding is at `deny` (or the program does
//! not compile): then 2.

use super::{EXIT_ERROR, Format, ProjectArgs, project};
use crate::diagnostics::{Diagnostic, Severity, line_column};
use crate::lint::{self, Justified, Level, Report};
use crate::source::{Sources, Span};
use clap::ValueEnum;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LintFormat {
    Text,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning
    Sarif,
}

pub fn run(src: Option<PathBuf>, config: Option<PathBuf>, format: LintFormat) -> ExitCode {
    let args = ProjectArgs {
        src: src.clone(),
        config: config.clone(),
        format: match format {
            LintFormat::Json => Format::Json,
            _ => Format::Text,
        },
    };
    let project = match project::load(&args) {
        Ok(p) => p,
        Err((sources, diagnostics)) => {
            project::report(&diagnostics, &sources, Format::Text);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let compiled = match crate::compile(&project.sources, &project.config) {
        Ok(c) => c,
        Err(diagnostics) => {
            project::report(&diagnostics, &project.sources, Format::Text);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let report = lint::run(&compiled, &project.sources);
    match format {
        LintFormat::Text => {
            let text = report.render_text(&project.sources);
            if text.is_empty() {
                eprintln!("no findings");
            } else {
                eprint!("{text}");
            }
        }
        LintFormat::Json => {
            crate::cli::outln!("{}", pretty(&json_report(&report, &project.sources)))
        }
        LintFormat::Sarif => {
            let base = source_base(src.as_deref(), config.as_deref(), &project.config.source);
            crate::cli::outln!(
                "{}",
                pretty(&sarif(&report, &project.sources, &base, &project.config))
            );
        }
    }
    if report.has_errors() {
        ExitCode::from(EXIT_ERROR)
    } else {
        ExitCode::SUCCESS
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".to_string())
}

/// The source folder as a relative URI prefix (`policies/`), so SARIF
/// locations name files from the folder iamc runs in (the repository root).
fn source_base(src: Option<&Path>, config: Option<&Path>, configured: &str) -> String {
    let dir = match (src, config) {
        (Some(src), _) => src.to_path_buf(),
        (None, Some(config)) => config
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
            .join(configured),
        (None, None) => PathBuf::from(configured),
    };
    let dir = match std::env::current_dir() {
        Ok(cwd) => dir.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(dir),
        Err(_) => dir,
    };
    let parts: Vec<String> = dir
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let joined = parts.join("/");
    if joined.is_empty() {
        joined
    } else {
        format!("{}/", joined.trim_start_matches('/'))
    }
}

/// `{"findings": [...], "justified": [...]}`.
fn json_report(report: &Report, sources: &Sources) -> Value {
    let findings: Value = serde_json::from_str(&report.diagnostics.render_json(sources))
        .unwrap_or_else(|_| json!([]));
    let justified: Vec<Value> = report
        .justified
        .iter()
        .map(|j| {
            let (line, column) = line_column(sources, j.span.file, j.span.start);
            json!({
                "code": j.lint.code(),
                "lint": j.lint.name(),
                "message": j.message,
                "file": file_name(sources, j.span),
                "line": line,
                "column": column,
                "because": j.because,
            })
        })
        .collect();
    json!({ "findings": findings, "justified": justified })
}

fn file_name(sources: &Sources, span: Span) -> String {
    sources
        .get(span.file)
        .map(|f| f.name.clone())
        .unwrap_or_default()
}

/// A SARIF `region`: 1-based lines and columns (in characters).
fn region(sources: &Sources, span: Span) -> Value {
    let (start_line, start_column) = line_column(sources, span.file, span.start);
    let (end_line, end_column) = line_column(sources, span.file, span.end);
    json!({
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    })
}

fn location(sources: &Sources, base: &str, span: Span, message: Option<&str>) -> Value {
    let mut loc = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": format!("{base}{}", file_name(sources, span)) },
            "region": region(sources, span),
        }
    });
    if let Some(m) = message {
        loc["message"] = json!({ "text": m });
    }
    loc
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Allow => "none",
        Level::Warn => "warning",
        Level::Deny => "error",
    }
}

/// The whole log: one run, every lint a rule, every finding a result
/// (justified ones carry an in-source suppression with the `because` text).
pub fn sarif(
    report: &Report,
    sources: &Sources,
    base: &str,
    config: &crate::config::Config,
) -> Value {
    let rules: Vec<Value> = lint::LINTS
        .iter()
        .map(|l| {
            json!({
                "id": l.code(),
                "name": l.name(),
                "shortDescription": { "text": l.summary },
                "fullDescription": { "text": l.summary },
                "help": { "text": l.summary, "markdown": l.doc },
                "defaultConfiguration": { "level": sarif_level(lint::level(l, config)) },
            })
        })
        .collect();
    let rule_index = |code: &str| lint::LINTS.iter().position(|l| l.code() == code);
    let mut results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| result(d, sources, base, rule_index(d.code.as_str())))
        .collect();
    results.extend(
        report
            .justified
            .iter()
            .map(|j| justified(j, sources, base, rule_index(j.lint.code()))),
    );
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "iamc",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn result(d: &Diagnostic, sources: &Sources, base: &str, rule: Option<usize>) -> Value {
    let mut text = d.message.clone();
    for note in &d.notes {
        text.push_str(&format!("\nnote: {note}"));
    }
    if let Some(help) = &d.help {
        text.push_str(&format!("\nhelp: {help}"));
    }
    let primary: Vec<Value> = d
        .labels
        .iter()
        .filter(|l| l.primary)
        .map(|l| location(sources, base, l.span, None))
        .collect();
    let related: Vec<Value> = d
        .labels
        .iter()
        .filter(|l| !l.primary)
        .enumerate()
        .map(|(id, l)| {
            let mut loc = location(sources, base, l.span, Some(&l.message));
            loc["id"] = json!(id);
            loc
        })
        .collect();
    let mut r = json!({
        "ruleId": d.code.as_str(),
        "level": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "message": { "text": text },
        "locations": primary,
    });
    if let Some(i) = rule {
        r["ruleIndex"] = json!(i);
    }
    if !related.is_empty() {
        r["relatedLocations"] = json!(related);
    }
    with_escalation_paths(&mut r, &d.message);
    r
}

/// A finding about escalation paths carries their ids (`iam-009`, as the
/// book's escalation table names them) in the result's properties.
fn with_escalation_paths(r: &mut Value, message: &str) {
    let ids: Vec<&str> = message
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| crate::iam::escalation::path(w).is_some())
        .collect();
    if !ids.is_empty() {
        r["properties"] = json!({ "escalationPaths": ids });
    }
}

fn justified(j: &Justified, sources: &Sources, base: &str, rule: Option<usize>) -> Value {
    let mut r = json!({
        "ruleId": j.lint.code(),
        "level": "note",
        "message": { "text": j.message },
        "locations": [location(sources, base, j.span, None)],
        "suppressions": [{
            "kind": "inSource",
            "justification": j.because.join("; "),
        }],
    });
    if let Some(i) = rule {
        r["ruleIndex"] = json!(i);
    }
    with_escalation_paths(&mut r, &j.message);
    r
}
