//! `iamc manifest`: what iamc computes, as JSON.

use super::{EXIT_ERROR, ProjectArgs, project};
use std::io::Write;
use std::process::ExitCode;

pub fn run(args: &ProjectArgs) -> ExitCode {
    let project = match project::load(args) {
        Ok(p) => p,
        Err((sources, diagnostics)) => {
            project::report(&diagnostics, &sources, args.format);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    match crate::compile(&project.sources, &project.config) {
        Ok(compiled) => match write_manifest(&compiled) {
            Ok(()) => ExitCode::SUCCESS,
            // The reader went away: end quietly, as `write_stdout` does.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(141),
            Err(e) => {
                eprintln!("error[E081]: could not write the manifest: {e}");
                ExitCode::from(EXIT_ERROR)
            }
        },
        Err(diagnostics) => {
            project::report(&diagnostics, &project.sources, args.format);
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Writes `{"templates": [...]}` one template at a time, so that a large
/// organisation's manifest is never all in memory.
fn write_manifest(compiled: &crate::compiled::Compiled) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    out.write_all(b"{\n  \"templates\": [")?;
    for i in 0..compiled.len() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        let json = serde_json::to_string_pretty(&compiled.manifest_template(i))
            .map_err(std::io::Error::other)?;
        for (n, line) in json.lines().enumerate() {
            if n > 0 {
                out.write_all(b"\n")?;
            }
            out.write_all(b"    ")?;
            out.write_all(line.as_bytes())?;
        }
    }
    out.write_all(if compiled.is_empty() {
        b"]\n}\n"
    } else {
        b"\n  ]\n}\n"
    })?;
    out.flush()
}
