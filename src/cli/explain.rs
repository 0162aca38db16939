//! `iamc explain PRINCIPAL [ACTION [RESOURCE]]`

use super::{EXIT_ERROR, ProjectArgs, project};
use crate::compiled::Compiled;
use crate::diagnostics::Diagnostics;
use crate::review::explain::{self, Query};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// The role or user
    principal: String,
    /// An action, or a pattern such as `s3:Get*` [default: every statement]
    action: Option<String>,
    /// A resource ARN, or a pattern [default: any resource]
    resource: Option<String>,
    #[command(flatten)]
    pub(super) project: ProjectArgs,
}

pub fn run(args: &ExplainArgs) -> ExitCode {
    let Some(compiled) = compile(&args.project) else {
        return ExitCode::from(EXIT_ERROR);
    };
    let id = match explain::find_principal(compiled.program(), &args.principal) {
        Ok(id) => id,
        Err(d) => {
            project::report(
                &Diagnostics(vec![d]),
                &crate::source::Sources::new(),
                args.project.format,
            );
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let query = Query {
        action: args.action.clone(),
        resource: args.resource.clone(),
    };
    let explanation = explain::explain(&compiled, id, query);
    crate::cli::out!("{}", explain::text(&explanation));
    ExitCode::SUCCESS
}

/// Loads and compiles the project, printing diagnostics; `None` on errors.
pub(super) fn compile(args: &ProjectArgs) -> Option<Compiled> {
    let project = match project::load(args) {
        Ok(p) => p,
        Err((sources, diagnostics)) => {
            project::report(&diagnostics, &sources, args.format);
            return None;
        }
    };
    match crate::compile(&project.sources, &project.config) {
        Ok(compiled) => Some(compiled),
        Err(diagnostics) => {
            project::report(&diagnostics, &project.sources, args.format);
            None
        }
    }
}
