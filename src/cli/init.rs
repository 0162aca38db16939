//! `iamc init [--only PART,...]`: a new project in the current folder, or the
//! parts an existing one lacks.
//!
//! The parts: a commented starter program that builds and lints clean
//! (`starter`), the settings file (`config`), the pull-request workflow
//! (`workflow`) and the pre-commit hooks (`hooks`, only when asked). Each part
//! is written only if its file (for the starter, a `policies/` folder) does
//! not exist yet; when any chosen part exists, nothing is written.
//!
//! The workflow reviews pull requests and, after a merge into the default
//! branch, deploys the templates that changed (`iamc deploy`). It installs
//! the iamc that wrote it, from crates.io, and holds
//! the review script (`scripts/ci/pr-review.sh`) whole, so it names no
//! repository to fetch iamc or the script from. GitHub reads workflows only
//! from the repository's root: in a project below it, the workflow goes there,
//! with the project's folder as its working directory and in its paths.

use super::EXIT_ERROR;
use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::Sources;
use clap::ValueEnum;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The starter program, `policies/main.iam`.
pub const STARTER: &str = include_str!("init_files/starter.iam");
/// The settings file, `iamc.yaml`.
pub const SETTINGS: &str = include_str!("init_files/iamc.yaml");
/// The pull-request workflow, before [`workflow`] fills it in.
const WORKFLOW: &str = include_str!("init_files/iam.yml");
/// The review the workflow runs, as the GitHub Action runs it.
const REVIEW: &str = include_str!("../../scripts/ci/pr-review.sh");
/// The pre-commit hooks, before [`hooks`] fills them in.
const HOOKS: &str = include_str!("init_files/pre-commit-config.yaml");

/// A part of a project that `iamc init` writes.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    // policies/main.iam, a starter program
    Starter,
    // iamc.yaml, the settings
    Config,
    // .github/workflows/iam.yml, the pull-request workflow
    Workflow,
    // .pre-commit-config.yaml, the hooks that format and check before a commit
    Hooks,
}

/// The parts written without `--only`.
pub const DEFAULT: [Part; 3] = [Part::Starter, Part::Config, Part::Workflow];

pub fn run(parts: &[Part]) -> ExitCode {
    let mut parts = parts.to_vec();
    parts.sort();
    parts.dedup();
    let here = match std::env::current_dir() {
        Ok(here) => here,
        Err(e) => {
            return fail(Diagnostic::error(
                Code::Io,
                format!("could not read the current folder: {e}"),
            ));
        }
    };
    // The folders the workflow and hooks watch: the settings' when there are some.
    let config = match std::fs::read_to_string("iamc.yaml") {
        Ok(text) => match Config::parse(&text, "iamc.yaml") {
            Ok(config) => config,
            Err(d) => return fail(d),
        },
        Err(_) => Config::default(),
    };
    let layout = Layout::find(&here, &config);
    let files: Vec<(PathBuf, String)> = parts
        .iter()
        .map(|part| match part {
            Part::Starter => (PathBuf::from("policies/main.iam"), STARTER.to_string()),
            Part::Config => (PathBuf::from("iamc.yaml"), SETTINGS.to_string()),
            Part::Workflow => (
                layout.repository.join(".github/workflows/iam.yml"),
                workflow(&layout),
            ),
            Part::Hooks => (
                layout.repository.join(".pre-commit-config.yaml"),
                hooks(&layout),
            ),
        })
        .collect();
    let starter = parts
        .contains(&Part::Starter)
        .then_some(Path::new("policies"));
    let taken: Vec<String> = starter
        .into_iter()
        .chain(files.iter().map(|(path, _)| path.as_path()))
        .filter(|path| path.exists())
        .map(|path| path.display().to_string())
        .collect();
    if !taken.is_empty() {
        let d = Diagnostic::error(
            Code::Io,
            format!(
                "this folder already holds {}: iamc init overwrites nothing",
                taken.join(", ")
            ),
        )
        .help("move these away first, or choose the parts to write: iamc init --only workflow,config,starter,hooks");
        return fail(d);
    }
    for (path, text) in &files {
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(path, text));
        if let Err(e) = written {
            return fail(Diagnostic::error(
                Code::Io,
                format!("could not write {}: {e}", path.display()),
            ));
        }
        eprintln!("wrote {}", path.display());
    }
    if parts.contains(&Part::Starter) {
        eprintln!("next: iamc build   (compiles policies/ into generated/)");
    }
    ExitCode::SUCCESS
}

/// Where the project sits in its git repository.
pub struct Layout {
    /// The repository's root, relative to the project (`.`, or `../..`).
    pub repository: PathBuf,
    /// The project's folder, relative to the repository's root, with `/`
    /// (`.` at the root).
    pub project: String,
    pub source: String,
    pub output: String,
}

impl Layout {
    /// The repository holding `here`; `here` itself when there is none (the
    /// user will `git init` there).
    pub fn find(here: &Path, config: &Config) -> Layout {
        let inside = super::root::repository(here)
            .map(|(_, inside)| super::root::slashed(&inside))
            .unwrap_or_default();
        let (repository, project) = if inside.is_empty() {
            (PathBuf::from("."), ".".to_string())
        } else {
            (inside.split('/').map(|_| "..").collect(), inside)
        };
        Layout {
            repository,
            project,
            source: config.source.trim_end_matches('/').to_string(),
            output: config.output.trim_end_matches('/').to_string(),
        }
    }

    /// `name`, a path in the project, as a path from the repository's root.
    fn in_repository(&self, name: &str) -> String {
        if self.project == "." {
            name.to_string()
        } else {
            format!("{}/{name}", self.project)
        }
    }
}

/// The workflow `iamc init` writes for a project laid out as `layout`.
pub fn workflow(layout: &Layout) -> String {
    let paths = [
        format!("{}/**", layout.source),
        format!("{}/**", layout.output),
        "iamc.yaml".to_string(),
    ]
    .iter()
    .map(|p| format!("\"{}\"", layout.in_repository(p)))
    .chain(std::iter::once("\".github/workflows/iam.yml\"".to_string()))
    .collect::<Vec<_>>()
    .join(", ");
    let review: String = REVIEW
        .lines()
        .map(|line| {
            if line.is_empty() {
                "\n".to_string()
            } else {
                format!("          {line}\n")
            }
        })
        .collect();
    let deploy_paths = format!(
        "[\"{}\"]",
        layout.in_repository(&format!("{}/**", layout.output))
    );
    WORKFLOW
        .replace("@PATHS@", &format!("[{paths}]"))
        .replace("@DEPLOY_PATHS@", &deploy_paths)
        .replace("@VERSION@", env!("CARGO_PKG_VERSION"))
        .replace("@DIR@", &layout.project)
        .replace("@SARIF@", &layout.in_repository("iamc.sarif"))
        .replace("@REVIEW@\n", &review)
}

/// The pre-commit configuration `iamc init --only hooks` writes.
pub fn hooks(layout: &Layout) -> String {
    let project = if layout.project == "." {
        String::new()
    } else {
        format!("-C {} ", layout.project)
    };
    let watched = if layout.project == "." {
        String::new()
    } else {
        format!("{}/", regex_escape(&layout.project))
    };
    HOOKS
        .replace("@VERSION@", env!("CARGO_PKG_VERSION"))
        .replace("@C@", &project)
        .replace("@SOURCE@", &regex_escape(&layout.source))
        .replace("@PROJECT@", &watched)
        .replace("@OUTPUT@", &regex_escape(&layout.output))
}

fn regex_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn fail(d: Diagnostic) -> ExitCode {
    super::project::report(&Diagnostics(vec![d]), &Sources::new(), super::Format::Text);
    ExitCode::from(EXIT_ERROR)
}
