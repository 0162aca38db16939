//! `iamc outputs [--format text|json]`: every template's outputs and the names
//! they are exported under, for the stacks and modules that import them.

use super::{EXIT_ERROR, Format, ProjectArgs, project};
use serde::Serialize;
use std::process::ExitCode;

/// `--format json` prints the outputs (and any diagnostics) as JSON.
#[derive(clap::Args, Debug)]
pub struct OutputsArgs {
    #[command(flatten)]
    pub(super) project: ProjectArgs,
}

#[derive(Serialize)]
struct Stack {
    template: String,
    /// The stack name the export names below assume: the template's file stem.
    stack: String,
    outputs: Vec<Output>,
}

#[derive(Serialize)]
struct Output {
    name: String,
    /// As written in the template.
    export_pattern: String,
    /// With the stack deployed under `stack`.
    export: String,
    resource_type: &'static str,
    description: String,
}

pub fn run(args: &OutputsArgs) -> ExitCode {
    let project = match project::load(&args.project) {
        Ok(p) => p,
        Err((sources, diagnostics)) => {
            project::report(&diagnostics, &sources, args.project.format);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let compiled = match crate::compile(&project.sources, &project.config) {
        Ok(c) => c,
        Err(diagnostics) => {
            project::report(&diagnostics, &project.sources, args.project.format);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let stacks: Vec<Stack> = compiled
        .manifest()
        .templates
        .into_iter()
        .map(|t| {
            let stack = t.file.trim_end_matches(".yaml").to_string();
            let outputs = t
                .outputs
                .into_iter()
                .map(|o| Output {
                    export_pattern: format!("${{AWS::StackName}}-{}", o.name),
                    export: format!("{stack}-{}", o.name),
                    name: o.name,
                    resource_type: o.resource_type,
                    description: o.description,
                })
                .collect();
            Stack {
                template: t.file,
                stack,
                outputs,
            }
        })
        .collect();
    match args.project.format {
        Format::Json => match serde_json::to_string_pretty(&stacks) {
            Ok(json) => crate::cli::outln!("{json}"),
            Err(e) => {
                eprintln!("error[E999]: could not serialise the outputs: {e}");
                return ExitCode::from(EXIT_ERROR);
            }
        },
        Format::Text => crate::cli::out!("{}", text(&stacks)),
    }
    ExitCode::SUCCESS
}

/// One block per stack: each output with its export name, aligned.
fn text(stacks: &[Stack]) -> String {
    let mut out = String::new();
    for stack in stacks {
        out.push_str(&format!(
            "{} (deployed as stack `{}`)\n",
            stack.template, stack.stack
        ));
        let width = stack
            .outputs
            .iter()
            .map(|o| o.name.len())
            .max()
            .unwrap_or(0);
        for o in &stack.outputs {
            out.push_str(&format!("  {:<width$}  exported as {}\n", o.name, o.export));
        }
    }
    out
}
