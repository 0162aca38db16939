//! `iamc adopt`: the program's templates deployed onto the roles, users,
//! groups, instance profiles and managed policies that already exist in the
//! account, through a CloudFormation resource import, so that nothing is
//! replaced. For each template, the resources the account holds (read from
//! its authorization details) are imported with a change set of type
//! `IMPORT`: a template of those resources alone, each with the retain
//! policies an import requires and no outputs (an import may add none), and
//! the resources-to-import list naming each by its identifier. What does not
//! exist yet is created by deploying the template `iamc build` wrote, after.
//!
//! An import does not change a resource: CloudFormation takes the template as
//! the truth without checking it. So a resource is adopted only when the
//! program says what the account holds: drift on its principal, or a path or
//! description that differs, is an error (E096) unless `allow_drift`.

use crate::account::Account;
use crate::audit::drift::{self, Access, PrincipalDrift, Status};
use crate::compiled::Compiled;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::render::template::Resource;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Adopt resources whose principal drifted, as warnings.
    pub allow_drift: bool,
    /// The region for `${AWS::Region}`, as `iamc drift` takes it.
    pub region: Option<String>,
}

/// One item of `--resources-to-import`, as `CreateChangeSet` takes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceToImport {
    pub resource_type: &'static str,
    pub logical_resource_id: String,
    /// The type's primary identifier and the resource's value of it.
    pub resource_identifier: BTreeMap<&'static str, String>,
}

/// What adopting one template takes: one change set of type `IMPORT`. (A
/// template holds at most 200 resources, one output each (E040), and an
/// import takes as many.)
#[derive(Clone, Debug)]
pub struct StackImport {
    /// The template's file in the output folder (`JaneDoe.yaml`).
    pub file: String,
    /// The stack name the commands use: the file name without `.yaml`.
    pub stack: String,
    /// The template for the change set: the resources it imports.
    pub template: String,
    /// What it imports.
    pub resources: Vec<ResourceToImport>,
    /// Resources of the template the account does not hold: the deploy
    /// after the import creates them.
    pub created: Vec<Resource>,
}

/// Every template with something to adopt.
#[derive(Clone, Debug, Default)]
pub struct Adoption {
    pub stacks: Vec<StackImport>,
    /// Templates none of whose resources exist: deployed as usual.
    pub new_stacks: Vec<String>,
    /// Problems adopted anyway (`allow_drift`), and what the reader noted.
    pub warnings: Diagnostics,
}

/// The identifier CloudFormation's resource schema gives a type
/// (`primaryIdentifier`), and the resource's value of it. `None` for a type
/// that cannot be imported.
fn identifier(r: &Resource, account: &Account) -> Option<(&'static str, String)> {
    match r.kind {
        "AWS::IAM::Role" => Some(("RoleName", r.name.clone())),
        "AWS::IAM::User" => Some(("UserName", r.name.clone())),
        "AWS::IAM::Group" => Some(("GroupName", r.name.clone())),
        "AWS::IAM::InstanceProfile" => Some(("InstanceProfileName", r.name.clone())),
        "AWS::IAM::ManagedPolicy" => Some(("PolicyArn", policy_arn(account, r))),
        _ => None,
    }
}

/// The ARN IAM gives a customer managed policy of this account.
fn policy_arn(account: &Account, r: &Resource) -> String {
    format!(
        "arn:{}:iam::{}:policy{}{}",
        account.partition,
        account.id.as_deref().unwrap_or("ACCOUNT"),
        r.path,
        r.name
    )
}

/// What the account holds of a resource of the program: `None` when it
/// holds nothing of that name, else the problems with adopting it (a path,
/// a description, a role that differ).
fn found(r: &Resource, account: &Account) -> Option<Vec<String>> {
    let path = |have: &str| {
        (have != r.path).then(|| {
            format!(
                "its path is {have:?} in the account, {:?} in the program",
                r.path
            )
        })
    };
    let problems: Vec<String> = match r.kind {
        "AWS::IAM::Role" => path(&account.role(&r.name)?.path).into_iter().collect(),
        "AWS::IAM::User" => path(&account.user(&r.name)?.path).into_iter().collect(),
        "AWS::IAM::Group" => path(&account.group(&r.name)?.path).into_iter().collect(),
        "AWS::IAM::InstanceProfile" => {
            let (role, profile) = account.roles.iter().find_map(|role| {
                role.instance_profiles
                    .iter()
                    .find(|p| p.name == r.name)
                    .map(|p| (role, p))
            })?;
            let mut out: Vec<String> = path(&profile.path).into_iter().collect();
            if r.role.as_deref() != Some(role.name.as_str()) {
                out.push(format!(
                    "it holds the role {} in the account, {} in the program",
                    role.name,
                    r.role.as_deref().unwrap_or("none")
                ));
            }
            out
        }
        "AWS::IAM::ManagedPolicy" => {
            let arn = policy_arn(account, r);
            match account.policy(&arn) {
                Some(p) => {
                    let mut out = Vec::new();
                    if p.description != r.description {
                        out.push(format!(
                            "its description is {} in the account, {} in the program (a description cannot change without replacing the policy)",
                            shown(p.description.as_deref()),
                            shown(r.description.as_deref())
                        ));
                    }
                    out
                }
                None => {
                    let other = account
                        .policies
                        .iter()
                        .find(|p| p.name == r.name && !p.is_aws_managed() && p.arn != arn)?;
                    path(&other.path).into_iter().collect()
                }
            }
        }
        _ => return None,
    };
    Some(problems)
}

fn shown(description: Option<&str>) -> String {
    description.map_or_else(|| "none".to_string(), |d| format!("{d:?}"))
}

/// The drifted member a resource belongs to, by the IAM name drift reports.
fn drifted<'a>(r: &Resource, drift: &[&'a PrincipalDrift]) -> Option<&'a PrincipalDrift> {
    let (kind, name) = &r.member;
    drift
        .iter()
        .copied()
        .find(|p| p.kind == *kind && p.name == *name)
}

/// What drift says of a principal, as notes.
fn drift_notes(p: &PrincipalDrift) -> Vec<String> {
    p.differences
        .iter()
        .flat_map(|d| {
            let access = match d.access {
                Access::Wider => "wider in the account",
                Access::MayBeWider => "may be wider in the account",
                Access::Narrower => "narrower in the account",
                Access::Other => "no change in access",
            };
            std::iter::once(format!("{}: {access}", d.of.words()))
                .chain(d.lines.iter().map(|l| format!("  {l}")))
        })
        .collect()
}

/// Works out every template's import. Errors when something the account
/// holds cannot be adopted as the program says it (unless `allow_drift`),
/// or when the account is not known well enough to tell.
pub fn adopt(
    compiled: &Compiled,
    account: &Account,
    options: &Options,
) -> Result<Adoption, Diagnostics> {
    let mut problems = Diagnostics::new();
    let mut adoption = Adoption::default();
    for w in &account.warnings {
        adoption
            .warnings
            .push(Diagnostic::warning(Code::EvidenceInvalid, w.clone()));
    }
    if account.id.is_none() {
        problems.push(
            Diagnostic::error(
                Code::EvidenceInvalid,
                "the files name no account: a managed policy's identifier is its ARN, which holds the account ID",
            )
            .help("give the output of `aws iam get-account-authorization-details` for the account to adopt"),
        );
    }
    let lists = account.lists;
    if !(lists.users && lists.groups && lists.roles && lists.policies) {
        problems.push(
            Diagnostic::error(
                Code::EvidenceInvalid,
                "the files lack some of the account's lists (`--filter` left out users, groups, roles or policies): iamc cannot tell what exists",
            )
            .help("give the output of `aws iam get-account-authorization-details` without `--filter`"),
        );
    }
    if problems.has_errors() {
        return Err(problems);
    }
    let drift_options = drift::Options {
        region: options.region.clone(),
    };
    let d = drift::drift(compiled, account, &drift_options).map_err(|d| Diagnostics(vec![d]))?;
    let changed: Vec<&PrincipalDrift> = d
        .principals
        .iter()
        .filter(|p| p.status == Status::Changed)
        .collect();

    for i in 0..compiled.len() {
        let file = compiled.file_name(i).to_string();
        let stack = file.trim_end_matches(".yaml").to_string();
        let mut imported = Vec::new();
        let mut created = Vec::new();
        let mut reported = BTreeSet::new();
        for r in compiled.resources(i) {
            let Some(mut why) = found(&r, account) else {
                created.push(r);
                continue;
            };
            if let Some(p) = drifted(&r, &changed)
                && reported.insert((p.kind, p.name.clone()))
            {
                let mut d = problem(
                    options.allow_drift,
                    format!(
                        "{file}: the {} {} differs from the account; an import would not change it",
                        p.kind, p.name
                    ),
                );
                for n in drift_notes(p) {
                    d = d.note(n);
                }
                push(&mut problems, &mut adoption, d);
            }
            for w in why.drain(..) {
                let d = problem(
                    options.allow_drift,
                    format!("{file}: cannot adopt {} `{}`: {w}", r.kind, r.logical),
                );
                push(&mut problems, &mut adoption, d);
            }
            imported.push(r);
        }
        if imported.is_empty() {
            adoption.new_stacks.push(file);
            continue;
        }
        let mut these = BTreeSet::new();
        let mut resources = Vec::new();
        for r in &imported {
            let Some((key, value)) = identifier(r, account) else {
                continue;
            };
            these.insert(r.logical.clone());
            resources.push(ResourceToImport {
                resource_type: r.kind,
                logical_resource_id: r.logical.clone(),
                resource_identifier: BTreeMap::from([(key, value)]),
            });
        }
        adoption.stacks.push(StackImport {
            template: compiled.render_import(i, &these),
            file,
            stack,
            resources,
            created,
        });
    }
    if problems.has_errors() {
        return Err(problems);
    }
    Ok(adoption)
}

fn problem(allowed: bool, message: String) -> Diagnostic {
    let d = if allowed {
        Diagnostic::warning(Code::CannotAdopt, message)
    } else {
        Diagnostic::error(Code::CannotAdopt, message)
    };
    d.help("make the program say what the account holds (`iamc import` of the same file writes such a program), adopt, then change the program; or pass --allow-drift to import it as the program says, which CloudFormation will believe")
}

fn push(problems: &mut Diagnostics, adoption: &mut Adoption, d: Diagnostic) {
    if d.is_error() {
        problems.push(d);
    } else {
        adoption.warnings.push(d);
    }
}

/// Over this many bytes, a template goes to CloudFormation through S3
/// (`--template-url`), not in the request (`--template-body`).
const MAX_TEMPLATE_BODY: usize = 51_200;

/// The shell commands of every import and the deploy after it: the stacks
/// named after their template files, the templates read from `dir` (the
/// import's) and `generated` (`iamc build`'s).
pub fn script(adoption: &Adoption, dir: &str, generated: &str, account: Option<&str>) -> String {
    let mut out = format!(
        "{}\n# The CloudFormation resource imports that put the existing IAM resources of account\n# {} under the stacks iamc generates, then the deploys that add what is new.\n# Run it from the project root with credentials for that account; review each change set first.\nset -eu\n",
        crate::render::BANNER,
        account.unwrap_or("(unknown)")
    );
    for s in &adoption.stacks {
        let n = s.resources.len();
        out.push_str(&format!(
            "\n# {}: {n} {} imported, {} created by the deploy after\n",
            s.file,
            if n == 1 { "resource" } else { "resources" },
            s.created.len()
        ));
        if s.template.len() > MAX_TEMPLATE_BODY {
            out.push_str(&format!(
                "# {}/{} is over {MAX_TEMPLATE_BODY} bytes: upload it to S3 and give --template-url instead of --template-body\n",
                dir,
                import_file(&s.stack)
            ));
        }
        out.push_str(&format!(
            "aws cloudformation create-change-set --stack-name {stack} --change-set-name iamc-adopt \\\n  --change-set-type IMPORT --capabilities CAPABILITY_NAMED_IAM \\\n  --template-body file://{dir}/{template} --resources-to-import file://{dir}/{resources}\naws cloudformation wait change-set-create-complete --stack-name {stack} --change-set-name iamc-adopt\naws cloudformation execute-change-set --stack-name {stack} --change-set-name iamc-adopt\naws cloudformation wait stack-import-complete --stack-name {stack}\n",
            stack = s.stack,
            template = import_file(&s.stack),
            resources = resources_file(&s.stack),
        ));
        out.push_str(&deploy(&s.stack, generated, &s.file));
    }
    for file in &adoption.new_stacks {
        out.push_str(&format!("\n# {file}: nothing to import\n"));
        out.push_str(&deploy(file.trim_end_matches(".yaml"), generated, file));
    }
    out
}

fn deploy(stack: &str, generated: &str, file: &str) -> String {
    format!(
        "aws cloudformation deploy --stack-name {stack} --capabilities CAPABILITY_NAMED_IAM --template-file {generated}/{file}\n"
    )
}

/// The import template of a stack, in the output folder.
pub fn import_file(stack: &str) -> String {
    format!("{stack}.import.yaml")
}

/// The resources-to-import file of a stack, in the output folder.
pub fn resources_file(stack: &str) -> String {
    format!("{stack}.resources.json")
}

/// Every file of the adoption: (name, contents).
pub fn files(adoption: &Adoption, script_text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for s in &adoption.stacks {
        out.push((import_file(&s.stack), s.template.clone()));
        let mut json =
            serde_json::to_string_pretty(&s.resources).unwrap_or_else(|_| "[]".to_string());
        json.push('\n');
        out.push((resources_file(&s.stack), json));
    }
    out.push(("adopt.sh".to_string(), script_text.to_string()));
    out
}
