//! `iamc adopt DETAILS.json... [--out DIR] [--allow-drift]`: the files of a
//! CloudFormation resource import that puts the account's existing IAM
//! resources under the program's stacks (see [`crate::audit::adopt`]).

use super::{EXIT_ERROR, Format, ProjectArgs, project};
use crate::audit::adopt::{self, Adoption};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::render::is_generated;
use crate::source::Sources;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct AdoptArgs {
    /// The output of `aws iam get-account-authorization-details` (whole, or its
    /// pages), and optionally of `aws iam list-roles`
    #[arg(required = true, value_name = "DETAILS.json")]
    pub(super) details: Vec<PathBuf>,
    /// Folder to write the import templates, resources-to-import files and
    /// adopt.sh to [default: adopt/ in the project root]
    #[arg(long, value_name = "DIR")]
    pub(super) out: Option<PathBuf>,
    /// Import a resource that differs from the program as the program says
    /// it (a warning, not an error): CloudFormation will believe the template
    #[arg(long)]
    allow_drift: bool,
    /// The region the stacks go to, for `${AWS::Region}` [default: read off the account]
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    #[command(flatten)]
    pub(super) project: ProjectArgs,
}

pub fn run(args: &AdoptArgs) -> ExitCode {
    let format = args.project.format;
    let Ok(loaded) = project::load(&args.project).map_err(|(sources, d)| {
        project::report(&d, &sources, format);
    }) else {
        return ExitCode::from(EXIT_ERROR);
    };
    let compiled = match crate::compile(&loaded.sources, &loaded.config) {
        Ok(c) => c,
        Err(d) => {
            project::report(&d, &loaded.sources, format);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let mut files = Vec::new();
    for path in &args.details {
        let shown = path.display().to_string();
        match fs::read_to_string(path) {
            Ok(text) => files.push((shown, text)),
            Err(e) => return fail(io(format!("could not read {shown}: {e}")), format),
        }
    }
    let account = match crate::account::read(&files) {
        Ok(a) => a,
        Err(d) => return fail(d, format),
    };
    let options = adopt::Options {
        allow_drift: args.allow_drift,
        region: args.region.clone(),
    };
    let adoption = match adopt::adopt(&compiled, &account, &options) {
        Ok(a) => a,
        Err(d) => return fail(d, format),
    };
    let mut shown = compiled.diagnostics.clone();
    shown.extend(adoption.warnings.iter().cloned());
    if !shown.is_empty() {
        project::report(&shown, &loaded.sources, format);
    }
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("adopt"));
    let dir = out.display().to_string();
    let generated = loaded.out.display().to_string();
    let script = adopt::script(&adoption, &dir, &generated, account.id.as_deref());
    let written = adopt::files(&adoption, &script);
    if let Err(d) = write(&out, &written) {
        return fail(d, format);
    }
    if format == Format::Text {
        eprintln!("{}", summary(&adoption, &dir));
    }
    ExitCode::SUCCESS
}

/// `adopted 5 resources of 3 templates into adopt/ ...`.
fn summary(adoption: &Adoption, dir: &str) -> String {
    let imported: usize = adoption.stacks.iter().map(|s| s.resources.len()).sum();
    let created: usize = adoption.stacks.iter().map(|s| s.created.len()).sum();
    format!(
        "iamc adopt: {imported} existing {} of {} {} to import, {created} to create after; {} with nothing to import. Wrote {dir}/: review it, then run {dir}/adopt.sh",
        if imported == 1 {
            "resource"
        } else {
            "resources"
        },
        adoption.stacks.len(),
        if adoption.stacks.len() == 1 {
            "template"
        } else {
            "templates"
        },
        match adoption.new_stacks.len() {
            1 => "1 template".to_string(),
            n => format!("{n} templates"),
        }
    )
}

/// Whether a file in the output folder is one `iamc adopt` wrote: its YAML
/// and script start with the banner; a resources file stands beside an
/// import template that does.
fn written_by_adopt(dir: &Path, name: &str) -> std::io::Result<bool> {
    let path = dir.join(name);
    if name.ends_with(".yaml") || name.ends_with(".sh") {
        let head = fs::read(&path)?;
        return Ok(is_generated(&head));
    }
    let Some(stack) = name.strip_suffix(".resources.json") else {
        return Ok(false);
    };
    let template = dir.join(adopt::import_file(stack));
    match fs::read(template) {
        Ok(head) => Ok(is_generated(&head)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Replaces what an earlier `iamc adopt` wrote in `dir` with `files`;
/// refuses, writing nothing, when `dir` holds a file it did not write.
fn write(dir: &Path, files: &[(String, String)]) -> Result<(), Diagnostics> {
    let mut old = Vec::new();
    match fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries {
                let entry =
                    entry.map_err(|e| io(format!("could not read {}: {e}", dir.display())))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let ours = written_by_adopt(dir, &name).map_err(|e| {
                    io(format!("could not read {}: {e}", dir.join(&name).display()))
                })?;
                if !ours {
                    return Err(Diagnostics(vec![
                        Diagnostic::error(
                            Code::ForeignFile,
                            format!(
                                "{} was not written by iamc adopt",
                                dir.join(&name).display()
                            ),
                        )
                        .note("iamc adopt replaces only the files it wrote before")
                        .help("give another folder with --out, or move the file away"),
                    ]));
                }
                old.push(name);
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(format!("could not read {}: {e}", dir.display()))),
    }
    for name in old {
        let path = dir.join(&name);
        fs::remove_file(&path)
            .map_err(|e| io(format!("could not remove {}: {e}", path.display())))?;
    }
    fs::create_dir_all(dir).map_err(|e| io(format!("could not create {}: {e}", dir.display())))?;
    for (name, text) in files {
        let path = dir.join(name);
        fs::write(&path, text)
            .map_err(|e| io(format!("could not write {}: {e}", path.display())))?;
    }
    Ok(())
}

fn io(message: String) -> Diagnostics {
    Diagnostics(vec![Diagnostic::error(Code::Io, message)])
}

fn fail(diagnostics: Diagnostics, format: Format) -> ExitCode {
    project::report(&diagnostics, &Sources::new(), format);
    ExitCode::from(EXIT_ERROR)
}
