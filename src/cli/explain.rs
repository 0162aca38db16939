//! `iamc explain PRINCIPAL [ACTION [RESOURCE]]`

use super::{EXIT_ERROR, ProjectArgs, project};
use crate::diagnostics::Diagnostics;
use crate::review::explain::{self, Query};
use crate::review::simulate;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// The role or user
    principal: String,
    /// An action, or a pattern such as `s3:Get*` [default: every statement]
    action: Option<String>,
    /// A resource ARN, or a pattern [default: any resource]
    resource: Option<String>,
    /// A condition key's value in the request (repeatable): the decision
    /// evaluates conditions and policy variables with exactly these keys
    #[arg(long, value_name = "KEY=VALUE")]
    context: Vec<String>,
    #[command(flatten)]
    pub(super) project: ProjectArgs,
}

pub fn run(args: &ExplainArgs) -> ExitCode {
    let Some(compiled) = project::compile(&args.project) else {
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
    let fail = |d| {
        project::report(
            &Diagnostics(vec![d]),
            &crate::source::Sources::new(),
            args.project.format,
        );
        ExitCode::from(EXIT_ERROR)
    };
    if let Some(action) = &args.action
        && let Err(d) = simulate::check_action(action)
    {
        return fail(d);
    }
    let context = if args.context.is_empty() {
        None
    } else {
        match simulate::context(&args.context) {
            Ok(c) => Some(c),
            Err(d) => return fail(d),
        }
    };
    let query = Query {
        action: args.action.clone(),
        resource: args.resource.clone(),
    };
    let simulation = match (&args.action, &args.resource) {
        (Some(a), Some(r)) => simulate::simulate(&compiled, id, a, r, context),
        _ => None,
    };
    let explanation = explain::explain(&compiled, id, query);
    if args.project.format == super::Format::Json {
        let report = serde_json::json!({
            "principal": explanation.principal,
            "kind": explanation.kind,
            "action": args.action,
            "resource": args.resource,
            "statements": explanation
                .matches
                .iter()
                .map(|m| serde_json::json!({"policy": m.policy, "sid": m.sid}))
                .collect::<Vec<_>>(),
            "simulation": simulation,
            "not_evaluated": explanation.unseen,
        });
        crate::cli::out!(
            "{}\n",
            serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".to_string())
        );
        return ExitCode::SUCCESS;
    }
    let decision = simulation.as_ref().map(simulate::text);
    crate::cli::out!("{}", explain::text(&explanation, decision.as_deref()));
    ExitCode::SUCCESS
}
