//! `iamc drift DETAILS.json... [--region R] [--format text|markdown|json] [--fail-on KIND]`

use super::diff::ReportFormat;
use super::{EXIT_ERROR, EXIT_STALE, Format, project};
use crate::audit::drift::{self, Access, report};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::Sources;
use clap::ValueEnum;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct DriftArgs {
    /// The output of `aws iam get-account-authorization-details` (whole, or its
    /// pages), and optionally of `aws iam list-roles` (for session lengths)
    #[arg(required = true, value_name = "DETAILS.json")]
    pub(super) details: Vec<PathBuf>,
    /// The region the stacks were deployed in, for `${AWS::Region}` [default: read off the account]
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// How to print the report (json also prints diagnostics as JSON)
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    /// Exit 1 when anything drifted
    #[arg(long)]
    exit_code: bool,
    /// Exit 1 when the account is wider (or may be), narrower, or differs at all (comma-separated)
    #[arg(long, value_enum, value_name = "KIND", value_delimiter = ',')]
    fail_on: Vec<FailOn>,
    /// Folder of .iam sources [default: `source` in iamc.yaml, else policies/]
    #[arg(long, value_name = "DIR")]
    pub(super) src: Option<PathBuf>,
    /// Settings file [default: iamc.yaml in the project root, if present]
    #[arg(long, value_name = "FILE")]
    pub(super) config: Option<PathBuf>,
}

/// What `--fail-on` fails on.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    // The account allows what the program does not (or may).
    Wider,
    // The program allows what the account does not.
    Narrower,
    Any,
    None,
}

impl FailOn {
    fn found(self, d: &drift::Drift) -> bool {
        match self {
            FailOn::Wider => d.count(Access::Wider) + d.count(Access::MayBeWider) > 0,
            FailOn::Narrower => d.count(Access::Narrower) > 0,
            FailOn::Any => !d.is_empty(),
            FailOn::None => false,
        }
    }
}

pub fn run(args: &DriftArgs) -> ExitCode {
    let format = match args.format {
        ReportFormat::Json => Format::Json,
        _ => Format::Text,
    };
    let project_args = super::ProjectArgs {
        src: args.src.clone(),
        config: args.config.clone(),
        format,
    };
    let Some(compiled) = super::project::compile(&project_args) else {
        return ExitCode::from(EXIT_ERROR);
    };
    let mut files = Vec::new();
    for path in &args.details {
        let shown = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => files.push((shown, text)),
            Err(e) => {
                return fail(
                    Diagnostics(vec![Diagnostic::error(
                        Code::Io,
                        format!("could not read {shown}: {e}"),
                    )]),
                    format,
                );
            }
        }
    }
    let account = match crate::account::read(&files) {
        Ok(a) => a,
        Err(d) => return fail(d, format),
    };
    let options = drift::Options {
        region: args.region.clone(),
    };
    let d = match drift::drift(&compiled, &account, &options) {
        Ok(d) => d,
        Err(diag) => return fail(Diagnostics(vec![diag]), format),
    };
    let text = match args.format {
        ReportFormat::Text => report::text(&d),
        ReportFormat::Markdown => report::markdown(&d),
        ReportFormat::Json => report::json(&d),
    };
    super::write_stdout(&text);
    let failed = args.fail_on.iter().any(|kind| kind.found(&d));
    if failed || (args.exit_code && !d.is_empty()) {
        ExitCode::from(EXIT_STALE)
    } else {
        ExitCode::SUCCESS
    }
}

fn fail(diagnostics: Diagnostics, format: Format) -> ExitCode {
    project::report(&diagnostics, &Sources::new(), format);
    ExitCode::from(EXIT_ERROR)
}
