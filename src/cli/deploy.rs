//! `iamc deploy [--base REV | --base-dir DIR] [--delete] [--dry-run]`: the
//! templates of the output folder that changed since the base, into
//! CloudFormation through the AWS CLI.

use super::{EXIT_ERROR, Format, project};
use crate::deploy::cloudformation::{self, AwsCli, Outcome};
use crate::deploy::{self, Action, Template};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::Sources;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct DeployArgs {
    /// The revision whose templates are deployed already (in CI, the commit before the push) [default: none: every template is new]
    #[arg(long, value_name = "REV", conflicts_with = "base_dir")]
    base: Option<String>,
    /// A folder holding the templates that are deployed already, instead of a revision
    #[arg(long, value_name = "DIR")]
    pub(super) base_dir: Option<PathBuf>,
    /// Print the plan and deploy nothing (no call to AWS)
    #[arg(long)]
    dry_run: bool,
    /// Also delete the stacks whose templates were removed since the base, after the others
    #[arg(long)]
    delete: bool,
    /// A value for a template parameter, as KEY=VALUE (repeatable) [default: the stack's current value, else the template's default]
    #[arg(long = "parameter", value_name = "KEY=VALUE", value_parser = key_value)]
    parameters: Vec<(String, String)>,
    /// The service role CloudFormation assumes to change the stacks
    #[arg(long, value_name = "ARN")]
    role_arn: Option<String>,
    /// The AWS CLI to run
    #[arg(long, value_name = "PROGRAM", default_value = "aws")]
    aws: String,
    /// How long to wait for one stack, in minutes
    #[arg(long, value_name = "MINUTES", default_value_t = 60)]
    timeout: u64,
    /// Output folder [default: `output` in iamc.yaml, else generated/]
    #[arg(long, value_name = "DIR")]
    pub(super) out: Option<PathBuf>,
    /// Settings file [default: iamc.yaml in the project root, if present]
    #[arg(long, value_name = "FILE")]
    pub(super) config: Option<PathBuf>,
    /// How to print the plan and what was deployed (json includes the diagnostics)
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// A step's result, as the report shows it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Result {
    Planned,
    Done(Outcome),
    Failed,
    NotAttempted,
}

impl Result {
    fn as_str(self) -> &'static str {
        match self {
            Result::Planned => "planned",
            Result::Done(outcome) => outcome.as_str(),
            Result::Failed => "failed",
            Result::NotAttempted => "not attempted",
        }
    }
}

pub fn run(args: &DeployArgs) -> ExitCode {
    let format = args.format;
    let fail = |d: Diagnostic| {
        report(&Diagnostics(vec![d]), format, None);
        ExitCode::from(EXIT_ERROR)
    };
    let out_dir = match output_folder(args) {
        Ok(dir) => dir,
        Err(d) => return fail(d),
    };
    let head = match read_folder(&out_dir) {
        Ok(t) => t,
        Err(d) => return fail(d),
    };
    // Empty (a run by hand without a base), or GitHub's `before` of a push
    // that created the branch (all zeros): nothing deployed yet.
    let base_rev = args
        .base
        .as_deref()
        .filter(|rev| !rev.bytes().all(|b| b == b'0'));
    let (base, label) = match (&args.base_dir, base_rev) {
        (Some(dir), _) => match read_folder(dir) {
            Ok(t) => (t, dir.display().to_string()),
            Err(d) => return fail(d),
        },
        (None, Some(rev)) => match crate::review::git::folder_at(&out_dir, rev, ".yaml") {
            Ok(files) => (templates(files), rev.to_string()),
            Err(d) => return fail(d),
        },
        (None, None) => (Vec::new(), "nothing (every template is new)".to_string()),
    };
    let plan = match deploy::plan(&base, &head, args.delete) {
        Ok(plan) => plan,
        Err(diagnostics) => {
            report(&diagnostics, format, None);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let mut results = vec![Result::Planned; plan.steps.len()];
    if args.dry_run || plan.steps.is_empty() {
        show(&plan, &label, &results, &Diagnostics::new(), args);
        if format == Format::Text {
            eprintln!(
                "{}",
                if args.dry_run {
                    "dry run: nothing deployed"
                } else {
                    "nothing to deploy"
                }
            );
        }
        return ExitCode::SUCCESS;
    }
    let parameters: BTreeMap<String, String> = args.parameters.iter().cloned().collect();
    if format == Format::Text {
        eprint!("{}", deploy::text(&plan, &label));
    }
    let options = cloudformation::Options {
        change_set: format!("iamc-{}", unix_seconds()),
        role_arn: args.role_arn.clone(),
        parameters,
        timeout: Duration::from_secs(args.timeout.saturating_mul(60)),
    };
    let mut cli = AwsCli {
        program: args.aws.clone(),
    };
    let texts: BTreeMap<&str, &str> = head
        .iter()
        .map(|t| (t.stack.as_str(), t.text.as_str()))
        .collect();
    let mut diagnostics = Diagnostics::new();
    for (i, step) in plan.steps.iter().enumerate() {
        let path = std::env::current_dir()
            .unwrap_or_default()
            .join(&out_dir)
            .join(format!("{}.yaml", step.stack));
        let declared = texts
            .get(step.stack.as_str())
            .map(|t| deploy::parameters(t))
            .unwrap_or_default();
        let stack = step.stack.clone();
        let mut progress = |line: &str| {
            if format == Format::Text {
                eprintln!("{stack}: {line}");
            }
        };
        progress(&format!("{}...", step.action.as_str()));
        match cloudformation::run_step(&mut cli, step, &path, &declared, &options, &mut progress) {
            Ok(outcome) => {
                results[i] = Result::Done(outcome);
                progress(outcome.as_str());
            }
            Err(reason) => {
                results[i] = Result::Failed;
                for later in &mut results[i + 1..] {
                    *later = Result::NotAttempted;
                }
                diagnostics.push(failure(&plan.steps, &results, i, &reason));
                break;
            }
        }
    }
    show(&plan, &label, &results, &diagnostics, args);
    if diagnostics.has_errors() {
        ExitCode::from(EXIT_ERROR)
    } else {
        ExitCode::SUCCESS
    }
}

fn failure(steps: &[deploy::Step], results: &[Result], at: usize, reason: &str) -> Diagnostic {
    let step = &steps[at];
    let names = |wanted: fn(Result) -> bool| -> Vec<String> {
        steps
            .iter()
            .zip(results)
            .filter(|(_, r)| wanted(**r))
            .map(|(s, _)| s.stack.clone())
            .collect()
    };
    let done = names(|r| matches!(r, Result::Done(_)));
    let skipped = names(|r| r == Result::NotAttempted);
    let mut d = Diagnostic::error(
        Code::DeployFailed,
        format!(
            "stack `{}` failed to {}: {reason}",
            step.stack,
            step.action.as_str()
        ),
    );
    if !done.is_empty() {
        d = d.note(format!("deployed before it: {}", done.join(", ")));
    }
    if !skipped.is_empty() {
        d = d.note(format!(
            "not attempted, so that nothing runs out of order: {}",
            skipped.join(", ")
        ));
    }
    let help = match step.action {
        Action::Delete => {
            "see the stack's events in the CloudFormation console; deploy again once it is fixed"
                .to_string()
        }
        _ => format!(
            "fix what CloudFormation says, then deploy again: stacks already done come out unchanged (`aws cloudformation describe-stack-events --stack-name {}` shows every event)",
            step.stack
        ),
    };
    d.help(help)
}

/// The plan and each step's result: text on standard output, or one JSON
/// object with the diagnostics.
fn show(
    plan: &deploy::Plan,
    base: &str,
    results: &[Result],
    diagnostics: &Diagnostics,
    args: &DeployArgs,
) {
    match args.format {
        Format::Text => {
            let done = results.iter().any(|r| *r != Result::Planned);
            if done {
                let mut out = String::new();
                let width = plan.steps.iter().map(|s| s.stack.len()).max().unwrap_or(0);
                for (step, result) in plan.steps.iter().zip(results) {
                    out.push_str(&format!(
                        "{:<6}  {:<width$}  {}\n",
                        step.action.as_str(),
                        step.stack,
                        result.as_str()
                    ));
                }
                super::write_stdout(&out);
            } else {
                super::write_stdout(&deploy::text(plan, base));
            }
            report(diagnostics, Format::Text, None);
        }
        Format::Json => {
            let steps: Vec<serde_json::Value> = plan
                .steps
                .iter()
                .zip(results)
                .map(|(step, result)| {
                    json!({
                        "stack": step.stack,
                        "action": step.action,
                        "after": step.after,
                        "result": result.as_str(),
                    })
                })
                .collect();
            let report = json!({
                "base": base,
                "dry_run": args.dry_run,
                "steps": steps,
                "kept": plan.kept,
                "unchanged": plan.unchanged,
            });
            self::report(diagnostics, Format::Json, Some(report));
        }
    }
}

/// Diagnostics as text on standard error, or, with `--format json`, the
/// report (when there is one) with its `diagnostics` on standard output.
fn report(diagnostics: &Diagnostics, format: Format, report: Option<serde_json::Value>) {
    if format == Format::Text {
        project::report(diagnostics, &Sources::new(), Format::Text);
        return;
    }
    let rendered: serde_json::Value =
        serde_json::from_str(&diagnostics.render_json(&Sources::new())).unwrap_or(json!([]));
    let mut value = report.unwrap_or_else(|| json!({}));
    value["diagnostics"] = rendered;
    super::outln!(
        "{}",
        serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".to_string())
    );
}

/// The output folder: `--out`, else the settings', else `generated`.
fn output_folder(args: &DeployArgs) -> std::result::Result<PathBuf, Diagnostic> {
    if let Some(out) = &args.out {
        return Ok(out.clone());
    }
    let settings = args.config.clone().or_else(|| {
        Path::new("iamc.yaml")
            .is_file()
            .then(|| PathBuf::from("iamc.yaml"))
    });
    let Some(path) = settings else {
        return Ok(PathBuf::from(crate::config::Config::default().output));
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Diagnostic::error(Code::Io, format!("could not read {}: {e}", path.display()))
    })?;
    let config = crate::config::Config::parse(&text, &path.display().to_string())?;
    Ok(path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
        .join(config.output))
}

/// The templates iamc wrote into `dir` (files with its banner), by stack.
fn read_folder(dir: &Path) -> std::result::Result<Vec<Template>, Diagnostic> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Diagnostic::error(
            Code::Io,
            format!("could not read the output folder {}: {e}", dir.display()),
        )
        .help("run iamc deploy where the templates are: after `iamc build`, in the project")
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| {
                Diagnostic::error(Code::Io, format!("could not read {}: {e}", dir.display()))
            })?
            .path();
        let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        if !name.ends_with(".yaml") || !path.is_file() {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| {
            Diagnostic::error(Code::Io, format!("could not read {}: {e}", path.display()))
        })?;
        files.push((name, bytes));
    }
    files.sort();
    Ok(templates(files))
}

/// The files with iamc's banner, as templates named by their stem.
fn templates(files: Vec<(String, Vec<u8>)>) -> Vec<Template> {
    files
        .into_iter()
        .filter(|(_, bytes)| crate::render::is_generated(bytes))
        .filter_map(|(name, bytes)| {
            let stack = name.strip_suffix(".yaml")?.to_string();
            let text = String::from_utf8(bytes).ok()?;
            Some(Template { stack, text })
        })
        .collect()
}

/// `KEY=VALUE`, for `--parameter`.
fn key_value(text: &str) -> std::result::Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err("write it as KEY=VALUE, e.g. CustomerBucketPrefix=acme-".to_string()),
    }
}

fn unix_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
