//! `iamc deploy`: the committed templates of the output folder, into
//! CloudFormation.
//!
//! [`plan`] decides, from the templates as they were at a base (the last
//! deployed revision) and as they are now, which stacks to create, update or
//! delete, and in which order: only templates whose text changed; a stack
//! that exports a value before a stack that imports it, a stack that stops
//! importing a value before the stack that stops exporting it; deleted
//! principals' stacks last, and only when asked. It reads nothing but the
//! templates. [`cloudformation`] carries a plan out through the AWS CLI, one
//! change set per stack, and stops at the first stack that fails.

pub mod cloudformation;
mod links;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use links::Links;
pub use links::parameters;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// CloudFormation's limit on a template body sent with the request.
pub const TEMPLATE_BODY_LIMIT: usize = 51_200;

/// A template of the output folder: its stack (the file's stem) and text.
#[derive(Clone, Debug)]
pub struct Template {
    pub stack: String,
    pub text: String,
}

/// What a step does to its stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// The template is new since the base.
    Create,
    /// The template's text changed since the base.
    Update,
    /// The template was removed since the base (its principals were deleted).
    Delete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

/// One stack to deploy or delete.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    pub stack: String,
    pub action: Action,
    /// Why it comes after earlier steps: `Stack: export` for each value it
    /// waits for (an import) or lets go of first.
    pub after: Vec<String>,
}

/// The steps, in the order they run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Plan {
    pub steps: Vec<Step>,
    /// Stacks whose templates were removed, left in place (no `--delete`).
    pub kept: Vec<String>,
    /// Templates whose text is the same as at the base.
    pub unchanged: usize,
}

/// The plan that brings the stacks from `base` to `head`; `delete` deletes
/// the stacks of removed templates. An error when CloudFormation would refuse
/// it: an export removed while another stack still imports it, stacks that
/// import from each other, a template over [`TEMPLATE_BODY_LIMIT`].
pub fn plan(base: &[Template], head: &[Template], delete: bool) -> Result<Plan, Diagnostics> {
    let base: BTreeMap<&str, &Template> = base.iter().map(|t| (t.stack.as_str(), t)).collect();
    let head: BTreeMap<&str, &Template> = head.iter().map(|t| (t.stack.as_str(), t)).collect();
    let mut errors = Diagnostics::new();
    let links_of = |templates: &BTreeMap<&str, &Template>| -> BTreeMap<String, Links> {
        templates
            .iter()
            .map(|(stack, t)| (stack.to_string(), Links::of(stack, &t.text)))
            .collect()
    };
    let (old, new) = (links_of(&base), links_of(&head));
    let mut changed: BTreeMap<String, Action> = BTreeMap::new();
    let mut unchanged = 0;
    for (stack, t) in &head {
        match base.get(stack) {
            None => {
                changed.insert(stack.to_string(), Action::Create);
            }
            Some(b) if b.text != t.text => {
                changed.insert(stack.to_string(), Action::Update);
            }
            Some(_) => unchanged += 1,
        }
        if changed.contains_key(*stack) && t.text.len() > TEMPLATE_BODY_LIMIT {
            errors.push(
                Diagnostic::error(
                    Code::DeployPlan,
                    format!(
                        "the template of stack `{stack}` is {} bytes: CloudFormation takes at most {TEMPLATE_BODY_LIMIT} in a request",
                        t.text.len()
                    ),
                )
                .help("split the principals of this stack into smaller stacks, or deploy this template from S3 (`aws cloudformation deploy --s3-bucket`)"),
            );
        }
    }
    let removed: Vec<String> = base
        .keys()
        .filter(|stack| !head.contains_key(*stack))
        .map(|s| s.to_string())
        .collect();
    // Who exports what, now and at the base.
    let exporter = |links: &BTreeMap<String, Links>| -> BTreeMap<String, String> {
        links
            .iter()
            .flat_map(|(stack, l)| l.exports.iter().map(move |e| (e.clone(), stack.clone())))
            .collect()
    };
    let (old_exporter, new_exporter) = (exporter(&old), exporter(&new));
    // `before[b]` holds the steps that must run before `b`, with the reason.
    let mut before: BTreeMap<String, BTreeMap<String, String>> = changed
        .keys()
        .map(|s| (s.clone(), BTreeMap::new()))
        .collect();
    for (stack, links) in &new {
        for import in &links.imports {
            let exported_before = |from: &String| old_exporter.get(import) == Some(from);
            match new_exporter.get(import) {
                // A new export of a stack of this deployment: that one first.
                Some(from)
                    if changed.contains_key(from)
                        && changed.contains_key(stack)
                        && !exported_before(from) =>
                {
                    before
                        .entry(stack.clone())
                        .or_default()
                        .insert(from.clone(), format!("{from}: {import}"));
                }
                Some(_) => {}
                // Exported by one of these stacks at the base, by none now: an
                // error, unless that stack's template was removed and the stack is
                // kept (no `--delete`), exports and all.
                None => {
                    if let Some(from) = old_exporter.get(import) {
                        let removed = !head.contains_key(from.as_str());
                        if !removed || delete {
                            errors.push(still_imported(from, import, stack, removed));
                        }
                    }
                }
            }
        }
    }
    // A stack that stops importing a value goes before the one that stops exporting it.
    for (stack, links) in &old {
        let Some(now) = new.get(stack) else { continue };
        for import in links.imports.difference(&now.imports) {
            if let Some(from) = old_exporter.get(import)
                && !new_exporter.contains_key(import)
                && changed.contains_key(from)
                && changed.contains_key(stack)
            {
                before
                    .entry(from.clone())
                    .or_default()
                    .insert(stack.clone(), format!("{stack}: lets go of {import}"));
            }
        }
    }
    let mut steps = order(&changed, &before, &mut errors);
    let mut kept = Vec::new();
    if delete {
        // Deleted stacks: an importer before the stack it imports from.
        let deleted: BTreeMap<String, Action> = removed
            .iter()
            .map(|s| (s.clone(), Action::Delete))
            .collect();
        let mut before: BTreeMap<String, BTreeMap<String, String>> = deleted
            .keys()
            .map(|s| (s.clone(), BTreeMap::new()))
            .collect();
        for stack in &removed {
            for import in &old[stack].imports {
                if let Some(from) = old_exporter.get(import)
                    && deleted.contains_key(from)
                {
                    before
                        .entry(from.clone())
                        .or_default()
                        .insert(stack.clone(), format!("{stack}: lets go of {import}"));
                }
            }
        }
        steps.extend(order(&deleted, &before, &mut errors));
    } else {
        kept = removed;
    }
    if errors.has_errors() {
        return Err(errors);
    }
    Ok(Plan {
        steps,
        kept,
        unchanged,
    })
}

fn still_imported(from: &str, export: &str, importer: &str, removed: bool) -> Diagnostic {
    let what = if removed {
        format!("the template of stack `{from}` was removed")
    } else {
        format!("stack `{from}` no longer exports `{export}`")
    };
    Diagnostic::error(
        Code::DeployPlan,
        format!("{what}, but stack `{importer}` still imports `{export}`"),
    )
    .note("CloudFormation refuses to remove an export while a stack imports it")
    .help(format!(
        "change `{importer}` to stop importing `{export}` first, and deploy that"
    ))
}

/// The stacks of `steps` in an order where each comes after those
/// `before` names for it; among those free to go, by name. Stacks that wait
/// for each other are an error.
fn order(
    steps: &BTreeMap<String, Action>,
    before: &BTreeMap<String, BTreeMap<String, String>>,
    errors: &mut Diagnostics,
) -> Vec<Step> {
    let mut waiting: BTreeMap<&str, BTreeSet<&str>> = steps
        .keys()
        .map(|s| {
            let deps = before
                .get(s)
                .map(|d| d.keys().map(String::as_str).collect())
                .unwrap_or_default();
            (s.as_str(), deps)
        })
        .collect();
    let mut out = Vec::new();
    while !waiting.is_empty() {
        let Some(next) = waiting
            .iter()
            .find(|(_, deps)| deps.is_empty())
            .map(|(s, _)| *s)
        else {
            let stuck: Vec<&str> = waiting.keys().copied().collect();
            errors.push(
                Diagnostic::error(
                    Code::DeployPlan,
                    format!(
                        "stacks {} import from each other: no order deploys them",
                        stuck
                            .iter()
                            .map(|s| format!("`{s}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .help("deploy in two changes: first one side stops importing, then the other"),
            );
            break;
        };
        waiting.remove(next);
        for deps in waiting.values_mut() {
            deps.remove(next);
        }
        out.push(Step {
            stack: next.to_string(),
            action: steps[next],
            after: before
                .get(next)
                .map(|d| d.values().cloned().collect())
                .unwrap_or_default(),
        });
    }
    out
}

/// The plan as text: one line a step, then the stacks left in place.
pub fn text(plan: &Plan, base: &str) -> String {
    let mut out = format!(
        "deploy plan against {base}: {} {} to deploy, {} unchanged\n",
        plan.steps.len(),
        if plan.steps.len() == 1 {
            "stack"
        } else {
            "stacks"
        },
        plan.unchanged
    );
    let width = plan.steps.iter().map(|s| s.stack.len()).max().unwrap_or(0);
    for (i, step) in plan.steps.iter().enumerate() {
        out.push_str(&format!(
            "  {:>2}. {:<6}  {:<width$}",
            i + 1,
            step.action.as_str(),
            step.stack
        ));
        if !step.after.is_empty() {
            out.push_str(&format!("  (after {})", step.after.join(", ")));
        }
        out = out.trim_end().to_string();
        out.push('\n');
    }
    for stack in &plan.kept {
        out.push_str(&format!(
            "  kept: {stack} (its template was removed; --delete deletes the stack, after the others)\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests;
