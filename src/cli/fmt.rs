//! `iamc fmt [--check] [PATH...]`: rewrite `.iam` files in the canonical layout.

use super::{EXIT_ERROR, EXIT_STALE, ProjectArgs, project};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::{SourceFile, Sources};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(args: &ProjectArgs, paths: &[PathBuf], check: bool) -> ExitCode {
    let (sources, files, mut diagnostics) = match read(args, paths) {
        Ok(read) => read,
        Err((sources, diagnostics)) => {
            project::report(&diagnostics, &sources, args.format);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let mut changed = Vec::new();
    let mut diff = String::new();
    for ((id, source), path) in sources.iter().zip(&files) {
        let formatted = match crate::fmt::format_file(&sources, id) {
            Ok(text) => text,
            Err(errors) => {
                diagnostics.extend(errors);
                continue;
            }
        };
        if formatted == source.text {
            continue;
        }
        changed.push(source.name.clone());
        if check {
            diff.push_str(
                &similar::TextDiff::from_lines(&source.text, &formatted)
                    .unified_diff()
                    .header(&source.name, &format!("{} (formatted)", source.name))
                    .to_string(),
            );
        } else if let Err(e) = crate::build::write_whole(path, formatted.as_bytes()) {
            diagnostics.push(Diagnostic::error(
                Code::Io,
                format!("could not write {}: {e}", path.display()),
            ));
        }
    }
    diagnostics.sort(&sources);
    project::report(&diagnostics, &sources, args.format);
    crate::cli::out!("{diff}");
    let total = files.len();
    let files_word = |n: usize| if n == 1 { "file" } else { "files" };
    if check {
        if changed.is_empty() {
            let are = if total == 1 { "is" } else { "are" };
            eprintln!("{total} {} {are} already formatted", files_word(total));
        } else {
            eprintln!(
                "{} of {total} {} would be reformatted; run `iamc fmt`",
                changed.len(),
                files_word(total)
            );
        }
    } else if changed.is_empty() {
        let are = if total == 1 { "is" } else { "are" };
        eprintln!(
            "{total} {} {are} already formatted: nothing written",
            files_word(total)
        );
    } else {
        eprintln!(
            "reformatted {} of {total} {}",
            changed.len(),
            files_word(total)
        );
    }
    if diagnostics.has_errors() {
        ExitCode::from(EXIT_ERROR)
    } else if check && !changed.is_empty() {
        ExitCode::from(EXIT_STALE)
    } else {
        ExitCode::SUCCESS
    }
}

type Read = (Sources, Vec<PathBuf>, Diagnostics);

/// The files to format, named by their path: the source folder's (as the
/// other commands read it) when no path is given, else each path given
/// (a folder stands for every `.iam` file below it).
fn read(args: &ProjectArgs, paths: &[PathBuf]) -> Result<Read, (Sources, Diagnostics)> {
    let mut files: Vec<PathBuf> = Vec::new();
    if paths.is_empty() {
        let project = project::load(args)?;
        let base = args
            .config
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let src = args
            .src
            .clone()
            .unwrap_or_else(|| base.join(&project.config.source));
        files.extend(project.sources.iter().map(|(_, f)| src.join(&f.name)));
    } else {
        for path in paths {
            if path.is_dir() {
                let (found, error) = crate::source::iam_files(path);
                if let Some(e) = error {
                    return Err(io_error(path, &e));
                }
                files.extend(found);
            } else {
                files.push(path.clone());
            }
        }
    }
    let mut sources = Sources::new();
    for path in &files {
        let bytes = fs::read(path).map_err(|e| io_error(path, &e))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let d = Diagnostic::error(
                Code::Io,
                format!(
                    "{} is not UTF-8 text (invalid byte at offset {})",
                    path.display(),
                    e.utf8_error().valid_up_to()
                ),
            )
            .help("save the file as UTF-8");
            (Sources::new(), Diagnostics(vec![d]))
        })?;
        sources.add(SourceFile::new(path.display().to_string(), text));
    }
    Ok((sources, files, Diagnostics::new()))
}

fn io_error(path: &Path, e: &std::io::Error) -> (Sources, Diagnostics) {
    let d = Diagnostic::error(Code::Io, format!("could not read {}: {e}", path.display()));
    (Sources::new(), Diagnostics(vec![d]))
}
