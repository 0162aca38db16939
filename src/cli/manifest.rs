//! `iamc manifest`: what iamc computes, as JSON.

use super::{EXIT_ERROR, ProjectArgs, project};
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
        Ok(compiled) => match serde_json::to_string_pretty(&compiled.manifest()) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error[E999]: could not serialise the manifest: {e}");
                ExitCode::from(EXIT_ERROR)
            }
        },
        Err(diagnostics) => {
            project::report(&diagnostics, &project.sources, args.format);
            ExitCode::from(EXIT_ERROR)
        }
    }
}
