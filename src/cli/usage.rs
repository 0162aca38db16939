//! `iamc usage EVIDENCE...`: what each principal holds against what the
//! evidence shows it used; `--suggest DIR` writes the narrowed sources.

use super::{EXIT_ERROR, ProjectArgs, project};
use crate::audit::usage::analyse::{self, Options};
use crate::audit::usage::evidence::{Evidence, Naming, Window};
use crate::audit::usage::{report, suggest, time};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::Sources;
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
    /// How to print the report
    #[arg(long = "report", value_enum, default_value_t = UsageFormat::Text)]
    report: UsageFormat,
    #[command(flatten)]
    pub(super) project: ProjectArgs,
}

fn fail(d: Diagnostic, args: &ProjectArgs) -> ExitCode {
    project::report(&Diagnostics(vec![d]), &Sources::new(), args.format);
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
    let window = match window(&args.since, args.now.as_deref()) {
        Ok(w) => w,
        Err(d) => return fail(d, &args.project),
    };
    let loaded = match project::load(&args.project) {
        Ok(p) => p,
        Err((sources, diagnostics)) => {
            project::report(&diagnostics, &sources, args.project.format);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let compiled = match crate::compile(&loaded.sources, &loaded.config) {
        Ok(c) => c,
        Err(diagnostics) => {
            project::report(&diagnostics, &loaded.sources, args.project.format);
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
            return fail(d, &args.project);
        }
    }
    let options = Options {
        trust_absence: args.trust_absence,
    };
    let r = analyse::analyse(&compiled, &evidence, options);
    for w in &r.warnings {
        eprintln!("warning: {w}");
    }
    let mut out = match args.report {
        UsageFormat::Text => report::text(&r),
        UsageFormat::Markdown => report::markdown(&r),
        UsageFormat::Json => report::json(&r),
    };
    if let Some(dir) = &args.suggest {
        let s = suggest::suggest(&compiled, &loaded.sources, &r);
        if let Err(d) = write_suggestion(dir, &s) {
            return fail(d, &args.project);
        }
        if args.report != UsageFormat::Json {
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
