//! `iamc graph [NAME] [--format mermaid|dot|json]`

use super::{EXIT_ERROR, Format, ProjectArgs, explain::compile, project};
use crate::ast::DeclKind;
use crate::diagnostics::Diagnostics;
use crate::review::{explain, graph};
use crate::source::Sources;
use clap::ValueEnum;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct GraphArgs {
    /// Draw only what this role, user or group reaches [default: the whole graph]
    name: Option<String>,
    /// The graph language
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    format: GraphFormat,
    /// Folder of .iam sources [default: `source` in iamc.yaml, else policies/]
    #[arg(long, value_name = "DIR")]
    pub(super) src: Option<PathBuf>,
    /// Settings file [default: iamc.yaml in the project root, if present]
    #[arg(long, value_name = "FILE")]
    pub(super) config: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Mermaid,
    Dot,
    Json,
}

pub fn run(args: &GraphArgs) -> ExitCode {
    let project_args = ProjectArgs {
        src: args.src.clone(),
        config: args.config.clone(),
        format: Format::Text,
    };
    let Some(compiled) = compile(&project_args) else {
        return ExitCode::from(EXIT_ERROR);
    };
    let program = compiled.program();
    let root = match &args.name {
        None => None,
        Some(name) => {
            let wanted = |k: &DeclKind| {
                matches!(
                    k,
                    DeclKind::Role(_) | DeclKind::User(_) | DeclKind::Group(_)
                )
            };
            match explain::find(program, name, wanted, "role, user or group") {
                Ok(id) => Some(id),
                Err(d) => {
                    project::report(&Diagnostics(vec![d]), &Sources::new(), Format::Text);
                    return ExitCode::from(EXIT_ERROR);
                }
            }
        }
    };
    let format = match args.format {
        GraphFormat::Mermaid => graph::Format::Mermaid,
        GraphFormat::Dot => graph::Format::Dot,
        GraphFormat::Json => graph::Format::Json,
    };
    crate::cli::out!("{}", graph::render(program, root, format));
    ExitCode::SUCCESS
}
