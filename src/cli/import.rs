//! `iamc import FILE... [--out FILE.iam]`: existing IAM policies and
//! CloudFormation templates → `.iam` source, on standard output by default.
//! Diagnostics always go to standard error, so the source can be piped.

use super::{EXIT_ERROR, Format};
use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::Sources;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(
    files: &[PathBuf],
    out: Option<&Path>,
    config: Option<&Path>,
    format: Format,
    options: crate::import::Options,
) -> ExitCode {
    let mut diagnostics = Diagnostics::new();
    let config = match load_config(config) {
        Ok(c) => c,
        Err(d) => {
            report(&Diagnostics(vec![*d]), format);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let mut inputs = Vec::new();
    for path in files {
        let name = path.display().to_string();
        match fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => inputs.push((name, text)),
                Err(e) => diagnostics.push(
                    Diagnostic::error(
                        Code::ImportInvalid,
                        format!(
                            "{name}: not UTF-8 text (invalid byte at offset {})",
                            e.utf8_error().valid_up_to()
                        ),
                    )
                    .help("save the file as UTF-8"),
                ),
            },
            Err(e) => diagnostics.push(Diagnostic::error(
                Code::Io,
                format!("could not read {name}: {e}"),
            )),
        }
    }
    if diagnostics.has_errors() {
        report(&diagnostics, format);
        return ExitCode::from(EXIT_ERROR);
    }
    let imported = crate::import::import_with(&inputs, &config, options);
    report(&imported.diagnostics, format);
    if imported.diagnostics.has_errors() {
        return ExitCode::from(EXIT_ERROR);
    }
    match out {
        None => crate::cli::out!("{}", imported.source),
        Some(path) => {
            if let Err(e) = fs::write(path, &imported.source) {
                let d =
                    Diagnostic::error(Code::Io, format!("could not write {}: {e}", path.display()));
                report(&Diagnostics(vec![d]), format);
                return ExitCode::from(EXIT_ERROR);
            }
            // With `--format json`, standard error holds JSON only.
            if matches!(format, Format::Text) {
                eprintln!(
                    "imported {} {} into {}",
                    inputs.len(),
                    if inputs.len() == 1 { "file" } else { "files" },
                    path.display()
                );
            }
        }
    }
    ExitCode::SUCCESS
}

/// The settings whose naming patterns are read back: `--config`, else
/// `iamc.yaml` in the current folder, else the defaults.
fn load_config(path: Option<&Path>) -> Result<Config, Box<Diagnostic>> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None if Path::new("iamc.yaml").is_file() => PathBuf::from("iamc.yaml"),
        None => return Ok(Config::default()),
    };
    let text = fs::read_to_string(&path).map_err(|e| {
        Box::new(Diagnostic::error(
            Code::Io,
            format!("could not read {}: {e}", path.display()),
        ))
    })?;
    Config::parse(&text, &path.display().to_string()).map_err(Box::new)
}

fn report(diagnostics: &Diagnostics, format: Format) {
    if diagnostics.is_empty() {
        return;
    }
    let sources = Sources::new();
    match format {
        Format::Text => eprint!(
            "{}",
            diagnostics.render_text_in_color(&sources, super::color())
        ),
        Format::Json => eprint!("{}", diagnostics.render_json(&sources)),
    }
}
