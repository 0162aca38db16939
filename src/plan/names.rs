//! The names the naming patterns give: IAM names within IAM's length,
//! logical IDs distinct within a template, IAM names distinct across the
//! program.

use super::split::Part;
use super::{Kind, Plan};
use crate::ast::{Decl, DeclKind};
use crate::config::{Config, Naming};
use crate::diagnostics::{Code, Diagnostic};
use crate::hash;
use crate::iam::limits::IAM_MAX_NAME;
use crate::par;
use crate::resolve::Program;

/// Resource names of a member, after the naming patterns.
pub struct Names {
    pub principal: String,
    pub instance_profile: String,
    pub group: String,
    pub policies: Vec<String>,
}

impl Names {
    pub fn new(kind: Kind, name: &str, parts: &[Part], naming: &Naming) -> Names {
        let principal_pattern = match kind {
            Kind::Role => &naming.role,
            Kind::User => &naming.user,
            Kind::Policy => &naming.stack_policy,
        };
        let policies = match kind {
            // A standalone policy that fits one part keeps its plain name.
            Kind::Policy if parts.len() == 1 => {
                vec![Naming::apply(&naming.stack_policy, name, "")]
            }
            Kind::Policy => parts
                .iter()
                .map(|p| Naming::apply(&naming.stack_policy, name, &p.name))
                .collect(),
            _ => parts
                .iter()
                .map(|p| Naming::apply(&naming.managed_policy, name, &p.name))
                .collect(),
        };
        Names {
            principal: Naming::apply(principal_pattern, name, ""),
            instance_profile: Naming::apply(&naming.instance_profile, name, ""),
            group: Naming::apply(&naming.group, name, ""),
            policies,
        }
    }

    /// Every IAM name this member creates, with what it names.
    pub fn all(&self, kind: Kind, has_instance_profile: bool) -> Vec<(&'static str, &str)> {
        let mut out: Vec<(&'static str, &str)> = self
            .policies
            .iter()
            .map(|n| ("managed policy", n.as_str()))
            .collect();
        match kind {
            Kind::Role => {
                out.push(("role", &self.principal));
                if has_instance_profile {
                    out.push(("instance profile", &self.instance_profile));
                }
            }
            Kind::User => {
                out.push(("user", &self.principal));
                out.push(("group", &self.group));
            }
            Kind::Policy => {}
        }
        out
    }
}

/// A CloudFormation logical ID: the resource name without the characters
/// logical IDs do not allow.
pub fn logical_id(name: &str) -> String {
    if name.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return name.to_string();
    }
    name.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// Generated names must fit IAM's lengths, be distinct logical IDs within a
/// template, and be distinct IAM names across the whole program (IAM names
/// are unique per account, ignoring case). Each template's names are made
/// on every core; their uniqueness across the program is checked after.
pub fn problems(program: &Program, plans: &[Plan], config: &Config) -> Vec<Diagnostic> {
    let per_plan = par::map(plans, |plan| template_names(program, plan, config));
    let mut diagnostics = Vec::new();
    let mut iam_names: hash::HashMap<(&str, hash::NoCase), (&str, &Decl)> = Default::default();
    for (problems, names) in &per_plan {
        diagnostics.extend(problems.iter().cloned());
        for (what, name, decl) in names {
            // Roles, users, groups, instance profiles and managed policies
            // each have a namespace of their own.
            let kind = if *what == "managed policy" {
                "policy"
            } else {
                what
            };
            match iam_names.get(&(kind, hash::NoCase(name))) {
                Some((first, other)) if other.name.name != decl.name.name => diagnostics.push(
                    Diagnostic::error(
                        Code::NameCollision,
                        format!("two {} would be named `{name}`", plural(what)),
                    )
                    .primary(
                        decl.name.span,
                        format!("`{}` gets the {what} `{name}`", decl.name.name),
                    )
                    .secondary(
                        other.name.span,
                        format!("and so does `{}` (`{first}`)", other.name.name),
                    )
                    .note("IAM names are unique in an account, ignoring case")
                    .help("rename one of the two, or change the naming patterns in iamc.yaml"),
                ),
                Some(_) => {}
                None => {
                    iam_names.insert((kind, hash::NoCase(name)), (name, decl));
                }
            }
        }
    }
    diagnostics
}

/// One template's IAM names, with what each names and whose it is, and the
/// problems found within the template: names too long, logical IDs twice.
type TemplateNames<'p> = (Vec<Diagnostic>, Vec<(&'static str, String, &'p Decl)>);

fn template_names<'p>(program: &'p Program, plan: &Plan, config: &Config) -> TemplateNames<'p> {
    let mut diagnostics = Vec::new();
    let mut all = Vec::new();
    let mut logical: Vec<(String, &Decl)> = Vec::new();
    for member in &plan.members {
        let decl = &program.decls[member.decl];
        let names = Names::new(member.kind, &decl.name.name, &member.parts, &config.naming);
        for name in &names.policies {
            let len = name.chars().count();
            if len > IAM_MAX_NAME {
                diagnostics.push(
                    Diagnostic::error(
                        Code::NameTooLong,
                        format!("managed policy name `{name}` is {len} characters long"),
                    )
                    .primary(
                        decl.name.span,
                        format!(
                            "IAM allows at most {IAM_MAX_NAME} characters in a managed policy name"
                        ),
                    )
                    .note(format!(
                        "the name comes from the pattern `{}`",
                        config.naming.managed_policy
                    ))
                    .help(format!(
                        "shorten `{}` by {} characters, or change the pattern in iamc.yaml",
                        decl.name.name,
                        len - IAM_MAX_NAME
                    )),
                );
            }
        }
        for (what, name) in names.all(member.kind, has_instance_profile(decl)) {
            logical.push((logical_id(name), decl));
            all.push((what, name.to_string(), decl));
        }
    }
    logical.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(w) = logical.windows(2).find(|w| w[0].0 == w[1].0) {
        let (id, decl) = &w[0];
        diagnostics.push(
            Diagnostic::error(
                Code::NameTooLong,
                format!(
                    "two resources in `{}` would both have the logical ID `{id}`",
                    plan.file
                ),
            )
            .primary(
                decl.name.span,
                "the naming patterns give the same logical ID twice",
            )
            .help("make the naming patterns in iamc.yaml differ by more than punctuation"),
        );
    }
    (diagnostics, all)
}

fn plural(what: &str) -> String {
    match what {
        "managed policy" => "managed policies".to_string(),
        other => format!("{other}s"),
    }
}

fn has_instance_profile(decl: &Decl) -> bool {
    matches!(&decl.kind, DeclKind::Role(p) if p.instance_profile.is_some())
}
