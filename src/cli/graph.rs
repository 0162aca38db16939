//! `iamc graph [NAME] [--receivers NAME] [--format mermaid|dot|json]`

use super::{EXIT_ERROR, Format, ProjectArgs, project};
use crate::ast::DeclKind;
use crate::diagnostics::Diagnostics;
use crate::review::{explain, graph};
use crate::source::Sources;
use clap::ValueEnum;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct GraphArgs {
    /// Draw only what this stack, role, user or group reaches [default: the whole graph]
    #[arg(conflicts_with = "receivers")]
    name: Option<String>,
    /// Draw who receives this policy or group: the groups on the way, the
    /// principals and stacks that end up holding it
    #[arg(long, value_name = "NAME")]
    receivers: Option<String>,
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
    let Some(compiled) = project::compile(&project_args) else {
        return ExitCode::from(EXIT_ERROR);
    };
    let program = compiled.program();
    let found = match (&args.name, &args.receivers) {
        (Some(name), _) => {
            let wanted = |k: &DeclKind| {
                matches!(
                    k,
                    DeclKind::Stack(_) | DeclKind::Role(_) | DeclKind::User(_) | DeclKind::Group(_)
                )
            };
            explain::find(program, name, wanted, "stack, role, user or group")
                .map(graph::View::From)
        }
        (None, Some(name)) => {
            let wanted = |k: &DeclKind| {
                matches!(
                    k,
                    DeclKind::Policy(_) | DeclKind::PolicyInstance(_) | DeclKind::Group(_)
                )
            };
            explain::find(program, name, wanted, "policy or group").map(graph::View::Receivers)
        }
        (None, None) => Ok(graph::View::Whole),
    };
    let view = match found {
        Ok(view) => view,
        Err(d) => {
            project::report(&Diagnostics(vec![d]), &Sources::new(), Format::Text);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    if let graph::View::Receivers(id) = view
        && graph::receivers(program, id).is_empty()
    {
        eprintln!(
            "note: no principal or stack receives `{}`",
            program.decls[id].name.name
        );
    }
    let format = match args.format {
        GraphFormat::Mermaid => graph::Format::Mermaid,
        GraphFormat::Dot => graph::Format::Dot,
        GraphFormat::Json => graph::Format::Json,
    };
    crate::cli::out!("{}", graph::render(program, view, format));
    ExitCode::SUCCESS
}
