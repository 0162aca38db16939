//! The command line: arguments → library calls → exit code.

mod build;
mod diff;
mod explain;
mod fmt;
mod graph;
mod import;
mod lint;
mod manifest;
mod outputs;
mod project;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "iamc",
    version,
    about = "Compile IAM-as-code (.iam files) into CloudFormation templates"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the program is and how it is configured (shared by every command).
#[derive(clap::Args, Debug, Clone)]
pub struct ProjectArgs {
    /// Folder of .iam sources [default: `source` in iamc.yaml, else policies/]
    #[arg(long, value_name = "DIR")]
    src: Option<PathBuf>,
    /// Settings file [default: iamc.yaml in the current folder, if present]
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Compile the sources and write the templates into the output folder
    Build {
        #[command(flatten)]
        project: ProjectArgs,
        /// Output folder [default: `output` in iamc.yaml, else generated/]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Write nothing; exit 1 and show the diff if the output folder is stale
        #[arg(long)]
        check: bool,
    },
    /// Run the security lints and print their findings (exit 2 on a `deny` finding)
    Lint {
        /// Folder of .iam sources [default: `source` in iamc.yaml, else policies/]
        #[arg(long, value_name = "DIR")]
        src: Option<PathBuf>,
        /// Settings file [default: iamc.yaml in the current folder, if present]
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// How to print the findings
        #[arg(long, value_enum, default_value_t = lint::LintFormat::Text)]
        format: lint::LintFormat,
    },
    /// Read IAM policy JSON and CloudFormation templates; write .iam source for them
    Import {
        /// Policy documents (JSON) and CloudFormation templates (JSON or YAML)
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Write the source to this file [default: standard output]
        #[arg(long, short = 'o', value_name = "FILE.iam")]
        out: Option<PathBuf>,
        /// Settings whose naming patterns are read back [default: iamc.yaml in the current folder, if present]
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// How to print diagnostics (always on standard error)
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List every template's outputs and the names they are exported under
    Outputs(outputs::OutputsArgs),
    /// Rewrite .iam files in the canonical layout, keeping every comment
    Fmt {
        #[command(flatten)]
        project: ProjectArgs,
        /// Write nothing; exit 1 and show the diff if a file is not formatted
        #[arg(long)]
        check: bool,
        /// Files or folders to format [default: the source folder]
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Print, as JSON, every template, principal and policy document iamc computes
    Manifest {
        #[command(flatten)]
        project: ProjectArgs,
    },
    /// Compare with a git revision or a folder: who gains or loses what
    Diff(diff::DiffArgs),
    /// Show every path by which a principal receives the statements matching an action
    Explain(explain::ExplainArgs),
    /// Draw the group graph, whole or from one principal, as Mermaid or Graphviz DOT
    Graph(graph::GraphArgs),
}

/// Exit codes: 0 success, 1 `--check` found the output stale, 2 errors or bad usage.
pub const EXIT_STALE: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Writes to standard output. When the reader has gone away (`iamc fmt
/// --check | head -1`), iamc ends quietly with status 141, which is 128 +
/// SIGPIPE: what a shell reports for a Unix tool that SIGPIPE ended.
/// (Restoring SIGPIPE's default action would need `unsafe`, which the crate
/// forbids.) Any other failure to write is reported, with status 1.
pub fn write_stdout(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(141),
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            std::process::exit(1)
        }
    }
}

/// `print!` through [`write_stdout`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(&format!($($arg)*))
    };
}

/// `println!` through [`write_stdout`].
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(&format!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {out, outln};

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            project,
            out,
            check,
        } => build::run(&project, out.as_deref(), check),
        Command::Lint {
            src,
            config,
            format,
        } => lint::run(src, config, format),
        Command::Import {
            files,
            out,
            config,
            format,
        } => import::run(&files, out.as_deref(), config.as_deref(), format),
        Command::Manifest { project } => manifest::run(&project),
        Command::Fmt {
            project,
            check,
            paths,
        } => fmt::run(&project, &paths, check),
        Command::Outputs(args) => outputs::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Graph(args) => graph::run(&args),
    }
}
