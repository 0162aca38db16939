//! CloudFormation's limits on a template.

use super::{Kind, Plan};
use crate::ast::DeclKind;
use crate::diagnostics::{Code, Diagnostic};
use crate::resolve::Program;

/// (Only large templates are rendered, to measure them: `render_len(i)` is
/// the length of template `i`.)
/// CloudFormation's limits on a template: 500 resources, 200 outputs and 1 MB
/// of body; over 51,200 bytes it must be uploaded to S3. (Its 200 parameters
/// cannot be reached first: each parameter is used by a resource.)
pub fn stack_limits(
    program: &Program,
    plans: &[Plan],
    render_len: impl Fn(usize) -> usize,
) -> Vec<Diagnostic> {
    const MAX_OUTPUTS: usize = 200;
    const MAX_BODY: usize = 1024 * 1024;
    const MAX_DIRECT_BODY: usize = 51_200;
    let mut diagnostics = Vec::new();
    for (i, plan) in plans.iter().enumerate() {
        let decl = &program.decls[plan.decl];
        let policies: usize = plan.members.iter().map(|m| m.parts.len()).sum();
        let outputs = policies
            + plan
                .members
                .iter()
                .map(|m| match m.kind {
                    Kind::Role => 1 + usize::from(matches!(&program.decls[m.decl].kind, DeclKind::Role(p) if p.instance_profile.is_some())),
                    Kind::User => 2,
                    Kind::Policy => 0,
                })
                .sum::<usize>();
        // Every resource has exactly one output, so the limit of 200 outputs
        // is always reached before the limit of 500 resources.
        if outputs > MAX_OUTPUTS {
            diagnostics.push(
                Diagnostic::error(Code::StackLimit, format!("`{}` would have {outputs} outputs", plan.file))
                    .primary(decl.name.span, format!("CloudFormation allows {MAX_OUTPUTS} outputs (one per resource) in a template"))
                    .help("split the stack in two"),
            );
        }
        // Only large templates are rendered here, to measure them.
        let estimate: usize = plan
            .members
            .iter()
            .flat_map(|m| &m.parts)
            .map(|p| p.size)
            .sum();
        if estimate * 3 + 4096 * plan.members.len() < MAX_DIRECT_BODY {
            continue;
        }
        let bytes = render_len(i);
        if bytes > MAX_BODY {
            diagnostics.push(
                Diagnostic::error(
                    Code::StackLimit,
                    format!("`{}` would be {bytes} bytes long", plan.file),
                )
                .primary(
                    decl.name.span,
                    "CloudFormation accepts templates of at most 1 MB",
                )
                .help("split the stack in two"),
            );
        } else if bytes > MAX_DIRECT_BODY {
            diagnostics.push(
                Diagnostic::warning(
                    Code::StackLimit,
                    format!("`{}` is {bytes} bytes long", plan.file),
                )
                .primary(
                    decl.name.span,
                    "over 51,200 bytes, so it must be uploaded to S3 to deploy",
                )
                .help("deploy it with `aws cloudformation deploy --s3-bucket ...`, or split it"),
            );
        }
    }
    diagnostics
}
