//! The command line: arguments → library calls → exit code.

mod adopt;
mod build;
mod diff;
mod drift;
mod explain;
mod fmt;
mod graph;
mod import;
mod init;
mod lint;
mod lsp;
mod manifest;
mod outputs;
mod project;
mod root;
mod usage;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Examples:
  iamc init                          start a project in the current folder
  iamc build                         compile policies/ into generated/
  iamc build --check                 exit 1 and show the diff if generated/ is stale
  iamc lint --format sarif           the security lints, for code scanning
  iamc diff --base origin/main       who gains or loses what against a revision
  iamc explain JaneDoe s3:GetObject  every path by which a principal holds an action
  iamc -C infra/iam build            run in another folder

iamc runs in the project root: the nearest folder, this one or above it, that
holds iamc.yaml or policies/ (as git finds .git). Paths given on the command line
are relative to where you stand.

Exit codes:
  0  success
  1  a difference: `build --check` or `fmt --check` found the output stale,
     `diff --exit-code` found a change, `diff --fail-on` found what it names
  2  compile errors, a `deny` lint finding, an unreadable file or bad usage

Colour: --color auto (the default) colours diagnostics on a terminal unless
NO_COLOR is set; always or never decide for it.";

#[derive(Parser, Debug)]
#[command(
    name = "iamc",
    version,
    about = "Compile IAM-as-code (.iam files) into CloudFormation templates",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// Run as if iamc was started in DIR (then find the project root from there)
    #[arg(short = 'C', value_name = "DIR")]
    directory: Option<PathBuf>,
    /// Settings file, for any command [default: iamc.yaml in the project root, if present]
    #[arg(long = "config", id = "global_config", value_name = "FILE")]
    config: Option<PathBuf>,
    /// When to colour diagnostics [auto: on a terminal, unless NO_COLOR is set]
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

static COLOR: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether diagnostics on standard error are coloured (`--color`, `NO_COLOR`).
pub fn color() -> bool {
    COLOR.load(std::sync::atomic::Ordering::Relaxed)
}

fn decide_color(choice: ColorChoice) -> bool {
    use std::io::IsTerminal;
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal()
        }
    }
}

/// Where the program is and how it is configured (shared by every command).
#[derive(clap::Args, Debug, Clone)]
pub struct ProjectArgs {
    /// Folder of .iam sources [default: `source` in iamc.yaml, else policies/]
    #[arg(long, value_name = "DIR")]
    src: Option<PathBuf>,
    /// Settings file [default: iamc.yaml in the project root, if present]
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
        /// Settings file [default: iamc.yaml in the project root, if present]
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
        /// Import a policy or principal even if a restriction of it (a Deny, a
        /// boundary, a trust Deny, a resource Condition) cannot be carried over;
        /// the source says what was lost in a comment
        #[arg(long)]
        lossy: bool,
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
    /// Draw the group graph: whole, what one declaration reaches, or who receives a policy
    Graph(graph::GraphArgs),
    /// Start a project in the current folder: policies/, iamc.yaml and a CI workflow
    Init {
        /// Leave out .github/workflows/iam.yml, the pull-request workflow
        #[arg(long)]
        no_ci: bool,
    },
    /// Print a shell completion script for bash, zsh, fish, elvish or PowerShell
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), generated from this command line
    Man,
    /// Serve editors over the Language Server Protocol on stdin and stdout
    Lsp,
    /// Compare what principals hold with what evidence (CloudTrail, last-accessed reports) shows they used
    Usage(Box<usage::UsageArgs>),
    /// Compare the account's IAM (get-account-authorization-details) with the program, by access
    Drift(drift::DriftArgs),
    /// Write the CloudFormation resource imports that put the account's existing IAM resources under the program's stacks
    Adopt(adopt::AdoptArgs),
}

/// Exit codes: 0 success, 1 `--check` found the output stale (or `diff` a
/// difference it was asked to fail on), 2 errors or bad usage.
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
    let mut cli = Cli::parse();
    let color = decide_color(cli.color);
    COLOR.store(color, std::sync::atomic::Ordering::Relaxed);
    // `iamc --config FILE build` is `iamc build --config FILE`; the latter wins.
    if let (Some(config), Some(slot)) = (cli.config.take(), cli.command.config_mut())
        && slot.is_none()
    {
        *slot = Some(config);
    }
    let inside = if cli.command.in_project() {
        root::enter(cli.directory.as_deref())
    } else {
        match &cli.directory {
            Some(dir) => std::env::set_current_dir(dir)
                .map(|()| PathBuf::new())
                .map_err(|e| {
                    crate::diagnostics::Diagnostic::error(
                        crate::diagnostics::Code::Io,
                        format!("could not enter {} (-C): {e}", dir.display()),
                    )
                }),
            None => Ok(PathBuf::new()),
        }
    };
    let inside = match inside {
        Ok(inside) => inside,
        Err(d) => {
            let diagnostics = crate::diagnostics::Diagnostics(vec![d]);
            project::report(&diagnostics, &crate::source::Sources::new(), Format::Text);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    for path in cli.command.paths_mut() {
        *path = root::rebase(&inside, path);
    }
    match cli.command {
        Command::Init { no_ci } => init::run(!no_ci),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "iamc", &mut script);
            write_stdout(&String::from_utf8_lossy(&script));
            ExitCode::SUCCESS
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            let mut page = Vec::new();
            match clap_mangen::Man::new(command).render(&mut page) {
                Ok(()) => {
                    write_stdout(&String::from_utf8_lossy(&page));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: could not render the manual page: {e}");
                    ExitCode::from(EXIT_ERROR)
                }
            }
        }
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
            lossy,
        } => import::run(
            &files,
            out.as_deref(),
            config.as_deref(),
            format,
            crate::import::Options { lossy },
        ),
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
        Command::Lsp => lsp::run(),
        Command::Usage(args) => usage::run(&args),
        Command::Drift(args) => drift::run(&args),
        Command::Adopt(args) => adopt::run(&args),
    }
}
