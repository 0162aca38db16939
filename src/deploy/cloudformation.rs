//! Carrying out a deploy plan through the AWS CLI (`aws cloudformation ...`),
//! which brings the credentials, the region and the endpoint from its own
//! settings: one change set per stack, created, waited for, executed and
//! waited for, so that what CloudFormation refuses stops the run at that stack.

use super::{Action, Step};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How iamc talks to CloudFormation: the AWS CLI, or a stand-in in tests.
pub trait Cli {
    /// `aws cloudformation ARGS --output json`: the parsed answer (`Null` for
    /// none), or what the CLI printed on failure.
    fn cloudformation(&mut self, args: &[String]) -> Result<Value, String>;
    /// Waits between two looks at a change set or a stack.
    fn pause(&mut self, wait: Duration);
}

/// The AWS CLI, run as `program`.
pub struct AwsCli {
    pub program: String,
}

impl Cli for AwsCli {
    fn cloudformation(&mut self, args: &[String]) -> Result<Value, String> {
        let out = Command::new(&self.program)
            .arg("cloudformation")
            .args(args)
            .args(["--output", "json"])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("could not run `{}`: {e}", self.program))?;
        if !out.status.success() {
            let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
            return Err(if said.is_empty() {
                format!("`{} cloudformation {}` failed", self.program, args[0])
            } else {
                said
            });
        }
        let text = String::from_utf8_lossy(&out.stdout);
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).map_err(|e| format!("the AWS CLI's answer is not JSON: {e}"))
    }

    fn pause(&mut self, wait: Duration) {
        std::thread::sleep(wait);
    }
}

/// What deploying a step did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    /// CloudFormation found nothing to change.
    Unchanged,
    Deleted,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Unchanged => "unchanged",
            Outcome::Deleted => "deleted",
        }
    }
}

/// Settings of every change set of a run.
pub struct Options {
    /// The change set's name, the same for every stack of the run.
    pub change_set: String,
    /// The service role CloudFormation assumes (`--role-arn`).
    pub role_arn: Option<String>,
    /// Parameter values, for every template that declares the parameter.
    pub parameters: BTreeMap<String, String>,
    /// How long to wait for one stack.
    pub timeout: Duration,
}

/// Deploys (or deletes) one step's stack. `template` is the template's file;
/// `parameters`, the parameters it declares. `progress` hears each stage.
pub fn run_step(
    cli: &mut dyn Cli,
    step: &Step,
    template: &Path,
    parameters: &[String],
    options: &Options,
    progress: &mut dyn FnMut(&str),
) -> Result<Outcome, String> {
    let stack = step.stack.as_str();
    if step.action == Action::Delete {
        return delete(cli, stack, options, progress);
    }
    let mut state = describe(cli, stack)?;
    if let Some(found) = &state {
        match found.status.as_str() {
            // A first creation that failed leaves an empty stack that can only be deleted.
            "ROLLBACK_COMPLETE" => {
                progress(
                    "ROLLBACK_COMPLETE (an earlier creation failed): deleting the empty stack first",
                );
                delete(cli, stack, options, progress)?;
                state = None;
            }
            "REVIEW_IN_PROGRESS" => {}
            status if status.ends_with("_IN_PROGRESS") => {
                return Err(format!(
                    "the stack is busy ({status}); deploy again once it is done"
                ));
            }
            status if status.ends_with("_FAILED") => {
                return Err(format!(
                    "the stack is {status}: it needs attention in the CloudFormation console before it can be updated"
                ));
            }
            _ => {}
        }
    }
    let creating = state
        .as_ref()
        .is_none_or(|s| s.status == "REVIEW_IN_PROGRESS");
    let existing: &[String] = state.as_ref().map_or(&[], |s| &s.parameters);
    let mut args = strings(&[
        "create-change-set",
        "--stack-name",
        stack,
        "--change-set-name",
        &options.change_set,
        "--change-set-type",
        if creating { "CREATE" } else { "UPDATE" },
        "--template-body",
        &format!("file://{}", template.display()),
        "--capabilities",
        "CAPABILITY_NAMED_IAM",
        "--description",
        "iamc deploy",
    ]);
    if let Some(role) = &options.role_arn {
        args.extend(strings(&["--role-arn", role]));
    }
    // A value given wins; else a deployed stack keeps its value; else the default.
    let values: Vec<Value> = parameters
        .iter()
        .filter_map(|key| match options.parameters.get(key) {
            Some(value) => Some(json!({"ParameterKey": key, "ParameterValue": value})),
            None if existing.contains(key) => {
                Some(json!({"ParameterKey": key, "UsePreviousValue": true}))
            }
            None => None,
        })
        .collect();
    if !values.is_empty() {
        args.extend(strings(&[
            "--parameters",
            &Value::Array(values).to_string(),
        ]));
    }
    cli.cloudformation(&args)
        .map_err(|e| format!("CloudFormation refused the change set: {e}"))?;
    let change_set = strings(&[
        "describe-change-set",
        "--stack-name",
        stack,
        "--change-set-name",
        &options.change_set,
    ]);
    let described = wait(cli, options.timeout, |cli| {
        let answer = cli.cloudformation(&change_set)?;
        let status = text(&answer["Status"]);
        Ok(matches!(
            status.as_str(),
            "CREATE_COMPLETE" | "FAILED" | "DELETE_COMPLETE"
        )
        .then_some(answer))
    })?;
    if text(&described["Status"]) != "CREATE_COMPLETE" {
        let reason = text(&described["StatusReason"]);
        if reason.contains("didn't contain changes")
            || reason.contains("No updates are to be performed")
        {
            let mut delete = change_set.clone();
            delete[0] = "delete-change-set".to_string();
            // A change set left behind is harmless: its name is this run's alone.
            let _ = cli.cloudformation(&delete);
            return Ok(Outcome::Unchanged);
        }
        return Err(format!("the change set failed: {reason}"));
    }
    let changes = described["Changes"].as_array().map_or(0, Vec::len);
    progress(&format!(
        "change set ready ({changes} {}); executing",
        if changes == 1 { "change" } else { "changes" }
    ));
    let mut execute = change_set;
    execute[0] = "execute-change-set".to_string();
    cli.cloudformation(&execute)
        .map_err(|e| format!("executing the change set failed: {e}"))?;
    let done = wait(cli, options.timeout, |cli| {
        let state = describe(cli, stack)?.ok_or("the stack disappeared")?;
        Ok((!state.status.ends_with("_IN_PROGRESS")).then_some(state))
    })?;
    match done.status.as_str() {
        "CREATE_COMPLETE" => Ok(Outcome::Created),
        "UPDATE_COMPLETE" => Ok(Outcome::Updated),
        status => Err(format!("the stack ended {status}{}", failures(cli, stack))),
    }
}

fn delete(
    cli: &mut dyn Cli,
    stack: &str,
    options: &Options,
    progress: &mut dyn FnMut(&str),
) -> Result<Outcome, String> {
    if describe(cli, stack)?.is_none() {
        progress("no such stack: nothing to delete");
        return Ok(Outcome::Deleted);
    }
    let mut args = strings(&["delete-stack", "--stack-name", stack]);
    if let Some(role) = &options.role_arn {
        args.extend(strings(&["--role-arn", role]));
    }
    cli.cloudformation(&args)
        .map_err(|e| format!("CloudFormation refused to delete the stack: {e}"))?;
    let gone = wait(cli, options.timeout, |cli| {
        Ok(match describe(cli, stack)? {
            None => Some("DELETE_COMPLETE".to_string()),
            Some(s) if s.status.ends_with("_IN_PROGRESS") => None,
            Some(s) => Some(s.status),
        })
    })?;
    if gone == "DELETE_COMPLETE" {
        Ok(Outcome::Deleted)
    } else {
        Err(format!("the stack ended {gone}{}", failures(cli, stack)))
    }
}

/// A stack as `describe-stacks` shows it.
struct State {
    status: String,
    /// The keys of its parameters.
    parameters: Vec<String>,
}

/// `None` when the stack does not exist (or was deleted).
fn describe(cli: &mut dyn Cli, stack: &str) -> Result<Option<State>, String> {
    match cli.cloudformation(&strings(&["describe-stacks", "--stack-name", stack])) {
        Ok(answer) => {
            let found = &answer["Stacks"][0];
            let status = text(&found["StackStatus"]);
            if status.is_empty() || status == "DELETE_COMPLETE" {
                return Ok(None);
            }
            let parameters = found["Parameters"]
                .as_array()
                .map(|ps| ps.iter().map(|p| text(&p["ParameterKey"])).collect())
                .unwrap_or_default();
            Ok(Some(State { status, parameters }))
        }
        Err(e) if e.contains("does not exist") => Ok(None),
        Err(e) => Err(format!("could not read the stack: {e}")),
    }
}

/// The reasons CloudFormation gave for the resources that failed, oldest first.
fn failures(cli: &mut dyn Cli, stack: &str) -> String {
    let Ok(events) =
        cli.cloudformation(&strings(&["describe-stack-events", "--stack-name", stack]))
    else {
        return String::new();
    };
    let mut reasons: Vec<String> = Vec::new();
    for event in events["StackEvents"].as_array().into_iter().flatten().rev() {
        let status = text(&event["ResourceStatus"]);
        let reason = text(&event["ResourceStatusReason"]);
        let line = format!("{}: {reason}", text(&event["LogicalResourceId"]));
        if status.ends_with("_FAILED") && !reason.is_empty() && !reasons.contains(&line) {
            reasons.push(line);
        }
    }
    if reasons.is_empty() {
        String::new()
    } else {
        format!(": {}", reasons.join("; "))
    }
}

/// Asks `look` until it has an answer: at once, then after 2, 3, 5 and then
/// every 10 seconds, at most `timeout` in all.
fn wait<T>(
    cli: &mut dyn Cli,
    timeout: Duration,
    mut look: impl FnMut(&mut dyn Cli) -> Result<Option<T>, String>,
) -> Result<T, String> {
    let start = Instant::now();
    let mut pauses = [2, 3, 5].into_iter().chain(std::iter::repeat(10));
    loop {
        if let Some(answer) = look(cli)? {
            return Ok(answer);
        }
        if start.elapsed() >= timeout {
            return Err(format!(
                "still not done after {} seconds",
                timeout.as_secs()
            ));
        }
        cli.pause(Duration::from_secs(pauses.next().unwrap_or(10)));
    }
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}
