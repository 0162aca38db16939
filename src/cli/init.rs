//! `iamc init`: a new project in the current folder.
//!
//! Writes a commented starter program that builds and lints clean, the
//! settings file and the pull-request workflow; it refuses, and writes
//! nothing, when any of them (or a `policies/` folder) already exists.

use super::EXIT_ERROR;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::Sources;
use std::path::Path;
use std::process::ExitCode;

/// The starter program, `policies/main.iam`.
pub const STARTER: &str = include_str!("init_files/starter.iam");
/// The settings file, `iamc.yaml`.
pub const SETTINGS: &str = include_str!("init_files/iamc.yaml");
/// The pull-request workflow, `.github/workflows/iam.yml`.
pub const WORKFLOW: &str = include_str!("init_files/iam.yml");

pub fn run(ci: bool) -> ExitCode {
    let mut files = vec![("policies/main.iam", STARTER), ("iamc.yaml", SETTINGS)];
    if ci {
        files.push((".github/workflows/iam.yml", WORKFLOW));
    }
    let taken: Vec<&str> = std::iter::once("policies")
        .chain(files.iter().map(|(path, _)| *path))
        .filter(|path| Path::new(path).exists())
        .collect();
    if !taken.is_empty() {
        let d = Diagnostic::error(
            Code::Io,
            format!(
                "this folder already holds {}: iamc init overwrites nothing",
                taken.join(", ")
            ),
        )
        .help("run iamc init in an empty folder, or move these away first");
        return fail(d);
    }
    for (path, text) in &files {
        let path = Path::new(path);
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
    eprintln!("next: iamc build   (compiles policies/ into generated/)");
    ExitCode::SUCCESS
}

fn fail(d: Diagnostic) -> ExitCode {
    super::project::report(&Diagnostics(vec![d]), &Sources::new(), super::Format::Text);
    ExitCode::from(EXIT_ERROR)
}
