//! The project the server serves: its folder, its settings, the text of
//! every `.iam` file (an open buffer's text in place of the file's), and the
//! compiler's answer for that text.

use super::index::Index;
use super::parses::Parses;
use crate::ast::Decl;
use crate::compiled::Compiled;
use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic};
use crate::resolve::{self, Program};
use crate::source::{FileId, SourceFile, Sources};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The folder that holds `iamc.yaml` or `policies/`, found from `start`
/// (a folder or a file) or one of its ancestors.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join("iamc.yaml").is_file() || dir.join("policies").is_dir())
        .map(Path::to_path_buf)
}

pub struct Workspace {
    pub root: PathBuf,
    pub config: Config,
    /// Why `iamc.yaml` could not be used (the defaults are used instead).
    pub config_error: Option<Diagnostic>,
    /// The folder of `.iam` sources.
    pub src: PathBuf,
    /// Every `.iam` file below `src` as read from disk, by path.
    disk: BTreeMap<PathBuf, String>,
    /// Open buffers, which override the disk.
    open: BTreeMap<PathBuf, String>,
    /// Each file's last parse, parsed again only when its text changes.
    parses: Parses,
}

impl Workspace {
    pub fn load(root: PathBuf) -> Workspace {
        let config_path = root.join("iamc.yaml");
        let (config, config_error) = match std::fs::read_to_string(&config_path) {
            Ok(text) => match Config::parse(&text, "iamc.yaml") {
                Ok(config) => (config, None),
                Err(d) => (Config::default(), Some(d)),
            },
            Err(_) => (Config::default(), None),
        };
        let src = root.join(&config.source);
        let mut workspace = Workspace {
            root,
            config,
            config_error,
            src,
            disk: BTreeMap::new(),
            open: BTreeMap::new(),
            parses: Parses::default(),
        };
        workspace.reload_disk();
        workspace
    }

    /// Reads every `.iam` file below the source folder again.
    pub fn reload_disk(&mut self) {
        self.disk.clear();
        // A folder that cannot be read is left out; the rest is read.
        let (paths, _) = crate::source::iam_files(&self.src);
        for path in paths {
            if let Ok(text) = std::fs::read_to_string(&path) {
                self.disk.insert(path, text);
            }
        }
    }

    /// Whether `path` is a source of this project.
    pub fn owns(&self, path: &Path) -> bool {
        is_iam(path) && path.starts_with(&self.src)
    }

    pub fn open(&mut self, path: PathBuf, text: String) {
        self.open.insert(path, text);
    }

    /// The paths of the open buffers.
    pub fn open_paths(&self) -> impl Iterator<Item = &Path> {
        self.open.keys().map(PathBuf::as_path)
    }

    /// The open buffers (to keep when the project is read again).
    pub fn open_buffers(&self) -> Vec<(PathBuf, String)> {
        self.open
            .iter()
            .map(|(p, t)| (p.clone(), t.clone()))
            .collect()
    }

    pub fn text(&self, path: &Path) -> Option<&str> {
        self.open
            .get(path)
            .or_else(|| self.disk.get(path))
            .map(String::as_str)
    }

    /// Closes a buffer: the file on disk counts again (if it is there).
    pub fn close(&mut self, path: &Path) {
        self.open.remove(path);
        match std::fs::read_to_string(path) {
            Ok(text) if self.owns(path) => {
                self.disk.insert(path.to_path_buf(), text);
            }
            _ => {
                self.disk.remove(path);
            }
        }
    }

    /// Every source of the project, named as `iamc build` names them (the
    /// path below the source folder), sorted by that name, with its path.
    pub fn sources(&self) -> (Sources, Vec<PathBuf>) {
        let mut files: BTreeMap<String, (&Path, &str)> = BTreeMap::new();
        for (path, text) in self.disk.iter().chain(&self.open) {
            if self.owns(path) {
                files.insert(self.name(path), (path, text));
            }
        }
        let mut sources = Sources::new();
        let mut paths = Vec::new();
        for (name, (path, text)) in files {
            sources.add(SourceFile::new(name, text));
            paths.push(path.to_path_buf());
        }
        (sources, paths)
    }

    /// The name of a source in diagnostics: its path below the source folder.
    pub fn name(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.src).unwrap_or(path);
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Compiles and lints the project as it is now.
    pub fn analyze(&mut self) -> Analysis {
        let (sources, paths) = self.sources();
        let config_error = self.config_error.clone();
        Analysis::new(sources, paths, &self.config, config_error, &mut self.parses)
    }
}

fn is_iam(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "iam")
}

/// What the compiler says of the project's current text.
pub struct Analysis {
    pub sources: Sources,
    /// The path of each source, by file id.
    pub paths: Vec<PathBuf>,
    /// The build's result, when it succeeds.
    pub compiled: Option<Compiled>,
    /// The resolved program, when the build fails (parsed and resolved as
    /// the build does, for navigation).
    resolved: Option<Program>,
    /// Every error, warning and lint finding, as `iamc build` reports them.
    pub diagnostics: Vec<Diagnostic>,
    /// Which files have a syntax error (and so no declarations).
    pub broken: Vec<bool>,
    pub index: Index,
}

impl Analysis {
    pub fn new(
        sources: Sources,
        paths: Vec<PathBuf>,
        config: &Config,
        config_error: Option<Diagnostic>,
        parses: &mut Parses,
    ) -> Analysis {
        let mut diagnostics: Vec<Diagnostic> = config_error.into_iter().collect();
        let (compiled, resolved) = if sources.is_empty() {
            (None, Some(Program::default()))
        } else {
            let (decls, parsed) = parses.parse(&sources);
            match crate::compile_parsed(&sources, config, decls, parsed) {
                Ok(compiled) => {
                    diagnostics.extend(compiled.diagnostics.iter().cloned());
                    diagnostics.extend(crate::lint::run(&compiled, &sources).diagnostics.0);
                    (Some(compiled), None)
                }
                Err(errors) => {
                    diagnostics.extend(errors.0);
                    // The build's program is gone with its errors:
                    // resolve again, from the parse kept.
                    let decls = parses.parse(&sources).0;
                    (None, Some(resolve::resolve(decls, &sources).0))
                }
            }
        };
        let mut broken = vec![false; sources.len()];
        for d in diagnostics.iter().filter(|d| d.code == Code::Syntax) {
            if let Some(label) = d.labels.first()
                && let Some(b) = broken.get_mut(label.span.file)
            {
                *b = true;
            }
        }
        let mut analysis = Analysis {
            sources,
            paths,
            compiled,
            resolved,
            diagnostics,
            broken,
            index: Index::default(),
        };
        analysis.index = Index::new(analysis.program(), &analysis.sources);
        analysis
    }

    /// The resolved program (declarations in canonical order).
    pub fn program(&self) -> &Program {
        match (&self.compiled, &self.resolved) {
            (Some(c), _) => c.program(),
            (None, Some(p)) => p,
            (None, None) => &EMPTY,
        }
    }

    pub fn file_of(&self, path: &Path) -> Option<FileId> {
        self.paths.iter().position(|p| p == path)
    }

    /// Whether the file at `path` is a source with a syntax error.
    pub fn is_broken(&self, path: &Path) -> bool {
        self.file_of(path)
            .is_some_and(|file| self.broken.get(file).copied().unwrap_or(false))
    }

    /// The declarations of the file at `path`, if it is a source without a
    /// syntax error.
    pub fn decls_if_good(&self, path: &Path) -> Option<Vec<Decl>> {
        let file = self.file_of(path)?;
        if self.broken.get(file).copied().unwrap_or(true) {
            return None;
        }
        let decls = self.program().decls.iter().filter(|d| d.span.file == file);
        Some(decls.cloned().collect())
    }
}

static EMPTY: std::sync::LazyLock<Program> = std::sync::LazyLock::new(Program::default);
