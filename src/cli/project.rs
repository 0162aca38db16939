//! Loading a project: its settings and its sources, as the commands share them.

use super::{Format, ProjectArgs};
use crate::build::record::Report;
use crate::compiled::Compiled;
use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::{SourceFile, Sources};
use std::fs;
use std::path::{Path, PathBuf};

pub struct Project {
    pub config: Config,
    /// The output folder from the settings (a command's flag may override it).
    pub out: PathBuf,
    pub sources: Sources,
}

/// Reads the settings and every `.iam` file, sorted by path.
pub fn load(args: &ProjectArgs) -> Result<Project, (Sources, Diagnostics)> {
    let fail = |d: Diagnostic| (Sources::new(), Diagnostics(vec![d]));
    let (config, base) = match &args.config {
        Some(path) => (read_config(path).map_err(fail)?, parent(path)),
        None if Path::new("iamc.yaml").is_file() => (
            read_config(Path::new("iamc.yaml")).map_err(fail)?,
            PathBuf::new(),
        ),
        None => (Config::default(), PathBuf::new()),
    };
    let src = args
        .src
        .clone()
        .unwrap_or_else(|| base.join(&config.source));
    let out = base.join(&config.output);
    let sources = read_sources(&src).map_err(fail)?;
    Ok(Project {
        config,
        out,
        sources,
    })
}

/// Loads and compiles the project, printing diagnostics; `None` on errors.
pub fn compile(args: &ProjectArgs) -> Option<Compiled> {
    let project = match load(args) {
        Ok(p) => p,
        Err((sources, diagnostics)) => {
            report(&diagnostics, &sources, args.format);
            return None;
        }
    };
    match crate::compile(&project.sources, &project.config) {
        Ok(compiled) => Some(compiled),
        Err(diagnostics) => {
            report(&diagnostics, &project.sources, args.format);
            None
        }
    }
}

fn parent(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

fn read_config(path: &Path) -> Result<Config, Diagnostic> {
    let text = fs::read_to_string(path).map_err(|e| {
        Diagnostic::error(Code::Io, format!("could not read {}: {e}", path.display()))
    })?;
    Config::parse(&text, &path.display().to_string())
}

/// Every `*.iam` file below `dir`, named by its path relative to `dir`.
fn read_sources(dir: &Path) -> Result<Sources, Diagnostic> {
    let (paths, error) = crate::source::iam_files(dir);
    if let Some(e) = error {
        return Err(Diagnostic::error(
            Code::Io,
            format!("could not read the source folder {}: {e}", dir.display()),
        )
        .help("run iamc from the folder that holds policies/, or pass --src DIR"));
    }
    if paths.is_empty() {
        return Err(
            Diagnostic::error(Code::Io, format!("no .iam files in {}", dir.display()))
                .help("write the program in .iam files below this folder, or pass --src DIR"),
        );
    }
    let mut named: Vec<(String, PathBuf)> = paths
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(dir).unwrap_or(&p);
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            (name, p)
        })
        .collect();
    named.sort();
    let mut sources = Sources::new();
    for (name, path) in named {
        let bytes = fs::read(&path).map_err(|e| {
            Diagnostic::error(Code::Io, format!("could not read {}: {e}", path.display()))
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            Diagnostic::error(
                Code::Io,
                format!(
                    "{name} is not UTF-8 text (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            )
            .help("save the file as UTF-8")
        })?;
        sources.add(SourceFile::new(name, text));
    }
    Ok(sources)
}

/// Prints diagnostics: text on stderr, or JSON on stdout.
pub fn report(diagnostics: &Diagnostics, sources: &Sources, format: Format) {
    if format == Format::Text && super::color() && !diagnostics.is_empty() {
        eprint!("{}", diagnostics.render_text_in_color(sources, true));
        return;
    }
    print_report(&rendered(diagnostics, sources, format));
}

/// Diagnostics as [`report`] prints them.
pub fn rendered(diagnostics: &Diagnostics, sources: &Sources, format: Format) -> Report {
    match format {
        Format::Text if diagnostics.is_empty() => Report::default(),
        Format::Text => Report {
            stdout: String::new(),
            stderr: diagnostics.render_text(sources),
        },
        Format::Json => Report {
            stdout: diagnostics.render_json(sources),
            stderr: String::new(),
        },
    }
}

pub fn print_report(report: &Report) {
    crate::cli::out!("{}", report.stdout);
    eprint!("{}", report.stderr);
}
