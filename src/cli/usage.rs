//! `iamc usage EVIDENCE...`: what each principal holds against what the
//! evidence shows it used; `--suggest DIR` writes the narrowed sources.

use super::{EXIT_ERROR, Format, ProjectArgs, project};
use crate::audit::usage::analyse::{self, Options};
use crate::audit::usage::evidence::{Evidence, Naming, Window};
use crate::audit::usage::{report, suggest, time};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::Sources;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum UsageFormat {
    Text,
    Markdown,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct UsageArgs {
    /// Evidence files: CloudTrail logs (.json or .json.gz), lookup-events output, last-accessed reports
    #[arg(required = true, value_name = "EVIDENCE")]
    pub(super) evidence: Vec<PathBuf>,
    /// The window: a duration (90d, 12h, 4w) before --now, or a date
    #[arg(long, default_value = "90d", value_name = "WHEN")]
    since: String,
    /// The end of the window [default: the current time]; fixed in tests
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
    /// The role or user ARN the last-accessed reports were generated for [default: from the file name NAME.last-accessed.json]
    #[arg(long, value_name = "ARN")]
    arn: Option<String>,
    /// The service of -with-entities reports [default: from the file name SERVICE.entities.json]
    #[arg(long, value_name = "SERVICE")]
    service_namespace: Option<String>,
    /// Count no evidence as non-use even where the evidence cannot show use (data events, iam:PassRole, untracked actions)
    #[arg(long)]
    trust_absence: bool,
    /// Write the narrowed sources into this new folder and print the change as a diff
    #[arg(long, value_name = "DIR")]
    pub(super) suggest: Option<PathBuf>,
    /// How to print the report (json includes the diagnostics)
    #[arg(long, value_enum, default_value_t = UsageFormat::Text)]
    format: UsageFormat,
    /// Deprecated spelling of --format
    #[arg(long, value_enum, hide = true, conflicts_with = "format")]
    report: Option<UsageFormat>,
    #[command(flatten)]
    pub(super) project: SourceArgs,
}

/// Where the program is, for the commands whose `--format` is their own.
#[derive(clap::Args, Debug, Clone)]
pub struct SourceArgs {
    /// Folder of .iam sources [default: `source` in iamc.yaml, else policies/]
    #[arg(long, value_name = "DIR")]
    pub(super) src: Option<PathBuf>,
    /// Settings file [default: iamc.yaml in the project root, if present]
    #[arg(long, value_name = "FILE")]
    pub(super) config: Option<PathBuf>,
}

impl SourceArgs {
    /// The arguments of `project::load`, diagnostics printed as `format` says.
    fn project(&self, format: Format) -> ProjectArgs {
        ProjectArgs {
            src: self.src.clone(),
            config: self.config.clone(),
            format,
        }
    }
}

/// Diagnostics as text on standard error, or as `{"diagnostics": [...]}`
/// on standard output: what a JSON report holds when there is no report.
fn report_failure(diagnostics: &Diagnostics, sources: &Sources, format: Format) {
    match format {
        Format::Text => project::report(diagnostics, sources, Format::Text),
        Format::Json => super::outln!("{}", with_diagnostics(json!({}), diagnostics, sources)),
    }
}

/// `report` (a JSON object) with its `diagnostics`, pretty-printed.
fn with_diagnostics(mut report: Value, diagnostics: &Diagnostics, sources: &Sources) -> String {
    let rendered: Value =
        serde_json::from_str(&diagnostics.render_json(sources)).unwrap_or(json!([]));
    if let Some(map) = report.as_object_mut() {
        map.insert("diagnostics".into(), rendered);
    }
    serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".to_string())
}

fn fail(d: Diagnostic, format: Format) -> ExitCode {
    report_failure(&Diagnostics(vec![d]), &Sources::new(), format);
    ExitCode::from(EXIT_ERROR)
}

pub(super) fn window(since: &str, now: Option<&str>) -> Result<Window, Diagnostic> {
    let now = match now {
        Some(text) => time::parse(text).ok_or_else(|| {
            Diagnostic::error(Code::EvidenceInvalid, format!("--now {text} is not a time"))
                .help("write it as 2026-11-30T12:00:00Z or 2026-11-30")
        })?,
        None => time::now(),
    };
    let since = time::since(since, now).ok_or_else(|| {
        Diagnostic::error(
            Code::EvidenceInvalid,
            format!("--since {since} is neither a duration nor a time"),
        )
        .help("write it as 90d, 12h, 4w or a date such as 2026-09-01")
    })?;
    Ok(Window { since, now })
}

pub fn run(args: &UsageArgs) -> ExitCode {
    let chosen = match args.report {
        Some(old) => {
            eprintln!("warning: --report is deprecated; use --format (the same values)");
            old
        }
        None => args.format,
    };
    let format = if chosen == UsageFormat::Json {
        Format::Json
    } else {
        Format::Text
    };
    let window = match window(&args.since, args.now.as_deref()) {
        Ok(w) => w,
        Err(d) => return fail(d, format),
    };
    let loaded = match project::load(&args.project.project(format)) {
        Ok(p) => p,
        Err((sources, diagnostics)) => {
            report_failure(&diagnostics, &sources, format);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let compiled = match crate::compile(&loaded.sources, &loaded.config) {
        Ok(c) => c,
        Err(diagnostics) => {
            report_failure(&diagnostics, &loaded.sources, format);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let naming = Naming {
        arn: args.arn.clone(),
        service_namespace: args.service_namespace.clone(),
    };
    let mut evidence = Evidence::new(window);
    for path in &args.evidence {
        if let Err(d) = evidence.read(path, &naming) {
            return fail(d, format);
        }
    }
    let options = Options {
        trust_absence: args.trust_absence,
    };
    let r = analyse::analyse(&compiled, &evidence, options);
    for w in &r.warnings {
        eprintln!("warning: {w}");
    }
    let mut out = match chosen {
        UsageFormat::Text => report::text(&r),
        UsageFormat::Markdown => report::markdown(&r),
        UsageFormat::Json => {
            let value: Value = serde_json::from_str(&report::json(&r)).unwrap_or(json!({}));
            format!(
                "{}\n",
                with_diagnostics(value, &compiled.diagnostics, &loaded.sources)
            )
        }
    };
    if chosen != UsageFormat::Json && !compiled.diagnostics.is_empty() {
        project::report(&compiled.diagnostics, &loaded.sources, Format::Text);
    }
    if let Some(dir) = &args.suggest {
        let s = suggest::suggest(&compiled, &loaded.sources, &r);
        if let Err(d) = write_suggestion(dir, &s) {
            return fail(d, format);
        }
        if chosen != UsageFormat::Json {
            out.push_str(&suggestion_text(&s, dir, &loaded.config.source));
        }
    }
    super::write_stdout(&out);
    ExitCode::SUCCESS
}

fn suggestion_text(s: &suggest::Suggestion, dir: &std::path::Path, folder: &str) -> String {
    let mut out = String::from("\nsuggested change:\n");
    if s.removed.is_empty() {
        out.push_str("  nothing to remove: no grant is unused by every principal holding it\n");
    } else {
        for r in &s.removed {
            out.push_str(&format!("  remove {r}\n"));
        }
        out.push_str(&format!(
            "  the narrowed sources are in {} (nothing else was changed); review with `iamc diff --base-dir SRC --src {}`\n",
            dir.display(),
            dir.display()
        ));
        out.push_str(&suggest::patch(s, folder));
    }
    for g in &s.guidance {
        out.push_str(&format!("  guidance: {g}\n"));
    }
    out
}

fn write_suggestion(dir: &std::path::Path, s: &suggest::Suggestion) -> Result<(), Diagnostic> {
    let Some(sources) = &s.sources else {
        return Ok(());
    };
    let io = |e: std::io::Error| {
        Diagnostic::error(Code::Io, format!("could not write {}: {e}", dir.display()))
    };
    if dir.exists() && std::fs::read_dir(dir).map_err(io)?.next().is_some() {
        return Err(Diagnostic::error(
            Code::Io,
            format!(
                "{} is not empty: --suggest writes into a new folder",
                dir.display()
            ),
        )
        .help("name a folder that does not exist yet"));
    }
    for (_, file) in sources.iter() {
        let path = dir.join(&file.name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&path, &file.text).map_err(io)?;
    }
    Ok(())
}
