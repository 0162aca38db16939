//! `iamc import`: existing IAM — policy JSON documents and CloudFormation
//! templates, JSON or YAML — read back into `.iam` source. One policy per
//! statement, a group per source policy, roles and users with their trusts.
//! Whatever the language cannot express is reported (E091), never dropped
//! silently; unreadable input is an error (E090). The text written is
//! compiled before it is returned, so it is always a valid program.

pub mod document;
pub mod model;
pub mod names;
pub mod node;
mod oversized;
pub mod template;
mod widening;
pub mod write;

use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::{SourceFile, Sources};
use model::{Model, PrincipalKind};
use names::Namer;
use node::{Node, Path};
use write::{Entity, Plan};

/// The result of an import: the program (empty when `diagnostics` has errors)
/// and every problem found.
pub struct Imported {
    pub source: String,
    pub diagnostics: Diagnostics,
}

/// Collects the problems of one input file, each with its place in the file.
pub struct Report {
    file: String,
    diagnostics: Vec<Diagnostic>,
    /// The parameters the file declares, which its strings may use.
    pub params: document::Names,
}

impl Report {
    fn new(file: &str) -> Report {
        Report {
            file: file.to_string(),
            diagnostics: Vec::new(),
            params: document::Names::new(),
        }
    }

    /// Something at `path` the language cannot express, and what import did
    /// about it.
    pub fn cannot(&mut self, path: &Path, what: &str, consequence: &str) {
        self.diagnostics.push(
            Diagnostic::warning(
                Code::CannotImport,
                format!("{}: {path}: cannot import {what}", self.file),
            )
            .note(consequence),
        );
    }

    /// Something at `path` import reads in a way the reviewer should know.
    pub fn said(&mut self, path: &Path, what: &str, how: &str) {
        self.diagnostics.push(
            Diagnostic::warning(Code::CannotImport, format!("{}: {path}: {what}", self.file))
                .note(how),
        );
    }

    /// A restriction at `path` that cannot be carried over, and why.
    pub fn lost(&self, path: &Path, why: &str) -> model::Lost {
        model::Lost {
            origin: self.origin(path),
            why: why.to_string(),
        }
    }

    /// `file: path`, naming where an imported thing came from.
    pub fn origin(&self, path: &Path) -> String {
        format!("{}: {path}", self.file)
    }
}

fn invalid(file: &str, why: &str) -> Diagnostic {
    Diagnostic::error(Code::ImportInvalid, format!("{file}: {why}")).help(
        "import reads IAM policy documents (JSON) and CloudFormation templates (JSON or YAML)",
    )
}

/// What a file holds, judged by its top-level keys.
enum Input {
    Template,
    PolicyDocument,
}

fn classify(node: &Node) -> Option<Input> {
    if node.get("Resources").is_some() || node.get("AWSTemplateFormatVersion").is_some() {
        Some(Input::Template)
    } else if node.get("Statement").is_some() {
        Some(Input::PolicyDocument)
    } else {
        None
    }
}

/// The file name without folders and extension: `policies/read-only.json` →
/// `read-only`.
fn stem(name: &str) -> &str {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.split_once('.').map(|(s, _)| s).unwrap_or(base)
}

/// The name of the file the compiler checks the written program as.
pub const OUTPUT_NAME: &str = "imported.iam";

/// Imports every input, `(file name, text)`, in order, refusing whatever it
/// cannot carry over without allowing more than the input (see [`import_with`]).
pub fn import(inputs: &[(String, String)], config: &Config) -> Imported {
    import_with(inputs, config, Options::default())
}

/// How to import.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Import a policy or principal even when a restriction of it (a Deny, a
    /// boundary, a trust Deny, a resource `Condition`) cannot be carried over:
    /// a warning, and a comment at the spot in the source, instead of an error.
    pub lossy: bool,
}

/// Imports every input, `(file name, text)`, in order. Principal names made by
/// the naming patterns of `config` are read back to the `{Name}` they came
/// from, so that iamc's own output imports under its source names.
///
/// Import never widens: a policy (group) or principal that loses a
/// restriction is left out with an error (E092), and so is every principal
/// granted such a policy, unless `options.lossy`.
pub fn import_with(inputs: &[(String, String)], config: &Config, options: Options) -> Imported {
    let mut model = Model::default();
    let mut diagnostics = Diagnostics::new();
    for (file, text) in inputs {
        model.files.push(file.clone());
        let mut report = Report::new(file);
        match Node::parse(text) {
            Err(why) => diagnostics.push(invalid(file, &why)),
            Ok(node) => match classify(&node) {
                Some(Input::Template) => template::read(&node, &mut model, &config.naming, &mut report),
                Some(Input::PolicyDocument) => {
                    template::read_document(&node, stem(file), &mut model, &mut report)
                }
                None => diagnostics.push(invalid(
                    file,
                    "neither a policy document (no `Statement`) nor a CloudFormation template (no `Resources`)",
                )),
            },
        }
        diagnostics.extend(report.diagnostics);
    }
    if diagnostics.has_errors() {
        return Imported {
            source: String::new(),
            diagnostics,
        };
    }
    let mut dropped = write::Dropped::new();
    widening::refuse(&model, options.lossy, &mut dropped, &mut diagnostics);
    for (i, p) in model.principals.iter().enumerate() {
        if dropped.contains(&Entity::Principal(i)) {
            continue;
        }
        if p.kind == PrincipalKind::Role && p.trust.is_empty() {
            diagnostics.push(
                Diagnostic::warning(
                    Code::CannotImport,
                    format!("{}: cannot import the role `{}`: nobody may assume it", p.origin, p.wanted),
                )
                .note("its trust policy has no statement iamc can express (see the warnings above), and a role needs a trust"),
            );
            dropped.insert(Entity::Principal(i));
        }
    }
    for (g, group) in model.groups.iter().enumerate() {
        if dropped.contains(&Entity::Group(g)) {
            continue;
        }
        let granted = model
            .principals
            .iter()
            .enumerate()
            .any(|(i, p)| !dropped.contains(&Entity::Principal(i)) && p.groups.contains(&g));
        if !granted {
            diagnostics.push(
                Diagnostic::warning(
                    Code::CannotImport,
                    format!("{}: cannot attach `{}`: it is attached to no role or user imported", group.origin, group.wanted),
                )
                .note("it is imported as a group that nothing is granted yet; iamc writes a policy only for the principals granted it"),
            );
        }
    }

    // Principals first: they keep the names they had, whatever policies are called.
    let mut namer = Namer::default();
    for p in &model.params {
        namer.name(&p.name);
    }
    let principal_names: Vec<String> = model
        .principals
        .iter()
        .map(|p| namer.name(&p.wanted))
        .collect();
    let group_names: Vec<String> = model.groups.iter().map(|g| namer.name(&g.wanted)).collect();
    let policy_names: Vec<String> = model
        .policies
        .iter()
        .map(|p| namer.name(&p.wanted))
        .collect();
    let header = format!(
        "// Imported by `iamc import` from {}.\n// Review it, and every warning the import printed, before building.\n",
        model.files.join(", ")
    );

    // Compile what is written; a declaration the compiler rejects is left out
    // and reported, until the program compiles.
    loop {
        let plan = Plan {
            model: &model,
            policy_names: &policy_names,
            group_names: &group_names,
            principal_names: &principal_names,
            dropped: &dropped,
            lossy: options.lossy,
        };
        let (text, ranges) = write::write(&plan, &header);
        let mut sources = Sources::new();
        let file = sources.add(SourceFile::new(OUTPUT_NAME.to_string(), text.clone()));
        let errors = match crate::compile(&sources, config) {
            // Laid out by the one printer of `.iam`, `iamc fmt`'s; it
            // keeps every token and comment, so what compiled is what is
            // written.
            Ok(_) => {
                return Imported {
                    source: crate::fmt::format_text(OUTPUT_NAME, &text).unwrap_or(text),
                    diagnostics,
                };
            }
            Err(errors) => errors,
        };
        let mut progress = false;
        for e in errors.iter().filter(|d| d.is_error()) {
            let at = e.labels.iter().find(|l| l.primary && l.span.file == file);
            let entity = at.and_then(|l| {
                ranges
                    .iter()
                    .find(|(r, _)| r.contains(&l.span.start))
                    .map(|(_, entity)| *entity)
            });
            let Some(entity) = entity.filter(|e| !dropped.contains(e)) else {
                continue;
            };
            let (what, name, origin) = match entity {
                Entity::Param(i) => ("parameter", &model.params[i].name, &model.files.join(", ")),
                Entity::Policy(i) => ("statement", &policy_names[i], &model.policies[i].origin),
                Entity::Group(i) => ("policy", &group_names[i], &model.groups[i].origin),
                Entity::Principal(i) => (
                    match model.principals[i].kind {
                        PrincipalKind::Role => "role",
                        PrincipalKind::User => "user",
                    },
                    &principal_names[i],
                    &model.principals[i].origin,
                ),
            };
            let mut d = Diagnostic::warning(
                Code::CannotImport,
                format!("{origin}: cannot import the {what} `{name}`: {}", e.message),
            )
            .note(format!(
                "iamc rejects it with {}; it is left out",
                e.code.as_str()
            ));
            if let Some(label) = at {
                d = d.note(label.message.clone());
            }
            diagnostics.push(d);
            dropped.insert(entity);
            widening::after_drop(
                &mut model,
                entity,
                options.lossy,
                &mut dropped,
                &mut diagnostics,
            );
            progress = true;
        }
        if !progress {
            diagnostics.push(
                Diagnostic::error(
                    Code::Internal,
                    "internal error: the imported program does not compile",
                )
                .note(errors.render_text(&sources))
                .help("this is a bug in iamc; please report it with the input that caused it"),
            );
            return Imported {
                source: String::new(),
                diagnostics,
            };
        }
    }
}
