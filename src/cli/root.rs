//! Where iamc runs: `-C DIR` first, then the project root, found upward from
//! the current folder as git and cargo find theirs.
//!
//! The root is the nearest folder, the current one or above it, that holds
//! `iamc.yaml` or a `policies/` folder; the search stops at the top of a git
//! repository. iamc then runs in the root, so the settings, the sources and the
//! output folder are where they would be had it been started there, and every
//! path the user named on the command line (relative to where they stand) is
//! rewritten relative to the root. With no root found, iamc runs where it was
//! started.

use super::Command;
use crate::diagnostics::{Code, Diagnostic};
use std::path::{Component, Path, PathBuf};

/// Enters `-C DIR`, then the project root; returns where the user stands,
/// relative to the root (empty when they stand in it).
pub fn enter(directory: Option<&Path>) -> Result<PathBuf, Diagnostic> {
    if let Some(dir) = directory {
        std::env::set_current_dir(dir).map_err(|e| {
            Diagnostic::error(
                Code::Io,
                format!("could not enter {} (-C): {e}", dir.display()),
            )
        })?;
    }
    let here = std::env::current_dir().map_err(|e| {
        Diagnostic::error(Code::Io, format!("could not read the current folder: {e}"))
    })?;
    let Some(root) = find_root(&here) else {
        return Ok(PathBuf::new());
    };
    let inside = here
        .strip_prefix(&root)
        .unwrap_or(Path::new(""))
        .to_path_buf();
    if !inside.as_os_str().is_empty() {
        std::env::set_current_dir(&root).map_err(|e| {
            Diagnostic::error(
                Code::Io,
                format!("could not enter the project root {}: {e}", root.display()),
            )
        })?;
    }
    Ok(inside)
}

/// The nearest folder at or above `here` that holds `iamc.yaml` or `policies/`.
pub fn find_root(here: &Path) -> Option<PathBuf> {
    for dir in here.ancestors() {
        if dir.join("iamc.yaml").is_file() || dir.join("policies").is_dir() {
            return Some(dir.to_path_buf());
        }
        if dir.join(".git").exists() {
            return None;
        }
    }
    None
}

/// `path`, named relative to `inside`, as a path relative to the root: `.`
/// and `..` resolved where they can be, an absolute path kept as it is.
pub fn rebase(inside: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() || inside.as_os_str().is_empty() {
        return path.to_path_buf();
    }
    let mut parts: Vec<Component> = Vec::new();
    for part in inside.components().chain(path.components()) {
        match part {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return PathBuf::from(".");
    }
    parts.iter().collect()
}

impl Command {
    /// The settings file of the command, if it takes one.
    pub(super) fn config_mut(&mut self) -> Option<&mut Option<PathBuf>> {
        match self {
            Command::Build { project, .. }
            | Command::Fmt { project, .. }
            | Command::Manifest { project } => Some(&mut project.config),
            Command::Outputs(args) => Some(&mut args.project.config),
            Command::Explain(args) => Some(&mut args.project.config),
            Command::Lint { config, .. } | Command::Import { config, .. } => Some(config),
            Command::Diff(args) => Some(&mut args.config),
            Command::Graph(args) => Some(&mut args.config),
            Command::Usage(args) => Some(&mut args.project.config),
            Command::Drift(args) => Some(&mut args.config),
            Command::Adopt(args) => Some(&mut args.project.config),
            Command::Init { .. } | Command::Completions { .. } | Command::Man | Command::Lsp => {
                None
            }
        }
    }

    /// Every path the user named on the command line, settings file included.
    pub(super) fn paths_mut(&mut self) -> Vec<&mut PathBuf> {
        let mut paths: Vec<&mut PathBuf> = Vec::new();
        match self {
            Command::Build { project, out, .. } => {
                paths.extend(project.src.iter_mut());
                paths.extend(project.config.iter_mut());
                paths.extend(out.iter_mut());
            }
            Command::Fmt {
                project, paths: p, ..
            } => {
                paths.extend(project.src.iter_mut());
                paths.extend(project.config.iter_mut());
                paths.extend(p.iter_mut());
            }
            Command::Manifest { project } => {
                paths.extend(project.src.iter_mut());
                paths.extend(project.config.iter_mut());
            }
            Command::Outputs(args) => {
                paths.extend(args.project.src.iter_mut());
                paths.extend(args.project.config.iter_mut());
            }
            Command::Explain(args) => {
                paths.extend(args.project.src.iter_mut());
                paths.extend(args.project.config.iter_mut());
            }
            Command::Lint { src, config, .. } => {
                paths.extend(src.iter_mut());
                paths.extend(config.iter_mut());
            }
            Command::Import {
                files, out, config, ..
            } => {
                paths.extend(files.iter_mut());
                paths.extend(out.iter_mut());
                paths.extend(config.iter_mut());
            }
            Command::Diff(args) => {
                paths.extend(args.src.iter_mut());
                paths.extend(args.config.iter_mut());
                paths.extend(args.base_dir.iter_mut());
            }
            Command::Graph(args) => {
                paths.extend(args.src.iter_mut());
                paths.extend(args.config.iter_mut());
            }
            Command::Usage(args) => {
                let args = &mut **args;
                paths.extend(args.project.src.iter_mut());
                paths.extend(args.project.config.iter_mut());
                paths.extend(args.evidence.iter_mut());
                paths.extend(args.suggest.iter_mut());
            }
            Command::Drift(args) => {
                paths.extend(args.src.iter_mut());
                paths.extend(args.config.iter_mut());
                paths.extend(args.details.iter_mut());
            }
            Command::Adopt(args) => {
                paths.extend(args.project.src.iter_mut());
                paths.extend(args.project.config.iter_mut());
                paths.extend(args.details.iter_mut());
                paths.extend(args.out.iter_mut());
            }
            Command::Init { .. } | Command::Completions { .. } | Command::Man | Command::Lsp => {}
        }
        paths
    }

    /// Whether the command works on a project (and so runs in its root).
    /// `import` reads the files named and writes where it is told, and names
    /// its inputs as given: it runs where it was started. The language server
    /// finds its project from the files the editor opens.
    pub(super) fn in_project(&self) -> bool {
        !matches!(
            self,
            Command::Init { .. }
                | Command::Completions { .. }
                | Command::Man
                | Command::Import { .. }
                | Command::Lsp
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_rebased_onto_the_root() {
        let inside = Path::new("policies");
        assert_eq!(rebase(inside, Path::new(".")), PathBuf::from("policies"));
        assert_eq!(
            rebase(inside, Path::new("a.iam")),
            PathBuf::from("policies/a.iam")
        );
        assert_eq!(
            rebase(inside, Path::new("../iamc.yaml")),
            PathBuf::from("iamc.yaml")
        );
        assert_eq!(rebase(inside, Path::new("..")), PathBuf::from("."));
        assert_eq!(rebase(inside, Path::new("../../x")), PathBuf::from("../x"));
        assert_eq!(
            rebase(Path::new(""), Path::new("./x")),
            PathBuf::from("./x")
        );
        assert_eq!(rebase(inside, Path::new("/abs")), PathBuf::from("/abs"));
    }
}
