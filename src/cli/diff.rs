//! `iamc diff [--base REV | --base-dir DIR] [--format text|markdown|json] [--exit-code]`

use super::{EXIT_ERROR, Format, ProjectArgs, project};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::review::{diff, diff_report, git};
use crate::source::Sources;
use clap::ValueEnum;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// Folder of .iam sources [default: `source` in iamc.yaml, else policies/]
    #[arg(long, value_name = "DIR")]
    pub(super) src: Option<PathBuf>,
    /// Settings file [default: iamc.yaml in the project root, if present]
    #[arg(long, value_name = "FILE")]
    pub(super) config: Option<PathBuf>,
    /// Git revision to compare with, read from git's objects [default: HEAD]
    #[arg(long, value_name = "REV", conflicts_with = "base_dir")]
    base: Option<String>,
    /// Folder of .iam sources to compare with, instead of a git revision
    #[arg(long, value_name = "DIR")]
    pub(super) base_dir: Option<PathBuf>,
    /// How to print the report (json also prints diagnostics as JSON)
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    /// Exit 1 when anything changed
    #[arg(long)]
    exit_code: bool,
    /// Exit 1 on a broadening line, a breaking change, any change (comma-separated)
    #[arg(long, value_enum, value_name = "KIND", value_delimiter = ',')]
    fail_on: Vec<FailOn>,
    /// Longest Markdown report, in characters: a longer one keeps its summary and
    /// the most concerning sections that fit (0: no limit)
    #[arg(long, value_name = "CHARS", default_value_t = diff_report::COMMENT_LIMIT)]
    max_length: usize,
}

/// What `--fail-on` fails on: the diff's own classification of its lines.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Broadening,
    Breaking,
    Any,
    None,
}

impl FailOn {
    fn found(self, report: &diff::Diff) -> bool {
        match self {
            FailOn::Broadening => report.broadening() + report.may_broaden() > 0,
            FailOn::Breaking => !report.breaking.is_empty(),
            FailOn::Any => !report.is_empty(),
            FailOn::None => false,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Text,
    Markdown,
    Json,
}

pub fn run(args: &DiffArgs) -> ExitCode {
    let mut timings = crate::Timings::start();
    let format = match args.format {
        ReportFormat::Json => Format::Json,
        _ => Format::Text,
    };
    let head_args = ProjectArgs {
        src: args.src.clone(),
        config: args.config.clone(),
        format,
    };
    let head = match project::load(&head_args) {
        Ok(p) => p,
        Err((sources, diagnostics)) => return fail(&diagnostics, &sources, format),
    };
    let (base_sources, base_config, base_label, head_label) = match &args.base_dir {
        Some(dir) => {
            let base_args = ProjectArgs {
                src: Some(dir.clone()),
                ..head_args.clone()
            };
            match project::load(&base_args) {
                Ok(p) => (
                    p.sources,
                    head.config.clone(),
                    dir.display().to_string(),
                    source_dir(&head_args, &head.config).display().to_string(),
                ),
                Err((sources, diagnostics)) => return fail(&diagnostics, &sources, format),
            }
        }
        None => {
            let rev = args.base.as_deref().unwrap_or("HEAD");
            let src = source_dir(&head_args, &head.config);
            let config_path = args.config.clone().or_else(|| {
                Path::new("iamc.yaml")
                    .is_file()
                    .then(|| PathBuf::from("iamc.yaml"))
            });
            let at = match git::read(&src, rev, config_path.as_deref()) {
                Ok(at) => at,
                Err(d) => return fail_one(d, format),
            };
            let config = match at.config {
                Some(text) => match Config::parse(&text, &format!("{rev}:iamc.yaml")) {
                    Ok(c) => c,
                    Err(d) => return fail_one(d, format),
                },
                // Not tracked at that revision: compare under today's settings.
                None => head.config.clone(),
            };
            // No program at the base (no commit yet, or no source folder
            // then): everything is new.
            let label = if at.sources.is_empty() {
                format!("{rev} (no program)")
            } else {
                rev.to_string()
            };
            (at.sources, config, label, "working tree".to_string())
        }
    };
    timings.phase("read");
    // The two programs are independent: compiled at once.
    let (base, head_compiled) = crate::par::join(
        || crate::compile(&base_sources, &base_config),
        || crate::compile(&head.sources, &head.config),
    );
    let base = match base {
        Ok(c) => c,
        Err(diagnostics) => {
            project::report(&diagnostics, &base_sources, format);
            eprintln!(
                "iamc diff: the program at {base_label} does not compile; nothing to compare"
            );
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let compiled = match head_compiled {
        Ok(c) => c,
        Err(diagnostics) => return fail(&diagnostics, &head.sources, format),
    };
    timings.phase("compile");
    let report = diff::diff(&base, &compiled, &base_label, &head_label);
    let text = match args.format {
        ReportFormat::Text => diff_report::text(&report),
        ReportFormat::Markdown => {
            let limit = if args.max_length == 0 {
                usize::MAX
            } else {
                args.max_length
            };
            diff_report::markdown_within(&report, limit)
        }
        ReportFormat::Json => diff_report::json(&report),
    };
    crate::cli::out!("{text}");
    timings.phase("report");
    // The process ends here: its memory goes back to the system at once,
    // which is faster than freeing two large programs piece by piece.
    std::mem::forget(base);
    std::mem::forget(compiled);
    let failed = args.fail_on.iter().any(|kind| kind.found(&report));
    if failed || (args.exit_code && !report.is_empty()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The source folder, as `project::load` finds it.
fn source_dir(args: &ProjectArgs, config: &Config) -> PathBuf {
    match (&args.src, &args.config) {
        (Some(src), _) => src.clone(),
        (None, Some(path)) => path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
            .join(&config.source),
        (None, None) => PathBuf::from(&config.source),
    }
}

fn fail(diagnostics: &Diagnostics, sources: &Sources, format: Format) -> ExitCode {
    project::report(diagnostics, sources, format);
    ExitCode::from(EXIT_ERROR)
}

fn fail_one(d: Diagnostic, format: Format) -> ExitCode {
    fail(&Diagnostics(vec![d]), &Sources::new(), format)
}
