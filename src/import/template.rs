//! CloudFormation templates: managed and inline policies become groups of
//! policies; roles and users become principals granted the groups attached to
//! them; IAM groups pass their policies on to their member users.

use super::Report;
use super::document::{self, string};
use super::model::{Group, Lost, Model, Param, Principal, PrincipalKind};
use super::names;
use super::node::{Node, Path};
use crate::config::Naming;
use std::collections::BTreeMap;

/// What one IAM resource of the template is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Policy,
    Role,
    User,
    Group,
    InstanceProfile,
}

/// Attachments found on either side: policies name principals (`Roles`), and
/// principals name policies (`ManagedPolicyArns: [!Ref P]`).
#[derive(Default)]
struct Links {
    /// Logical ID of a role, user or IAM group → the import groups it receives.
    grants: BTreeMap<String, Vec<usize>>,
    /// Logical ID of a policy resource → its import group, if it imported any.
    policy_group: BTreeMap<String, Option<usize>>,
}

pub fn read(template: &Node, model: &mut Model, naming: &Naming, report: &mut Report) {
    let root = Path::root();
    if let Node::Map(entries) = template {
        for (key, _) in entries {
            match key.as_str() {
                "AWSTemplateFormatVersion"
                | "Description"
                | "Resources"
                | "Outputs"
                | "Metadata"
                | "Parameters" => {}
                other => report.cannot(
                    &root.key(other),
                    &format!("the template section `{other}`"),
                    "it is not imported; values that refer to it are reported where they are used",
                ),
            }
        }
    }
    parameters(template, model, report);
    let Some(Node::Map(resources)) = template.get("Resources") else {
        report.cannot(
            &root.key("Resources"),
            "a template without resources",
            "nothing is imported from it",
        );
        return;
    };
    let rpath = root.key("Resources");
    let mut kinds: BTreeMap<String, Kind> = BTreeMap::new();
    let mut iam: Vec<(String, Kind, &Node)> = Vec::new();
    // Resources that exist only when a template condition holds: importing
    // them unconditionally may allow more than the input.
    let mut conditional: BTreeMap<String, Lost> = BTreeMap::new();
    for (logical, resource) in resources {
        let here = rpath.key(logical);
        let kind = match resource.get("Type") {
            Some(Node::Str(t)) => match t.as_str() {
                "AWS::IAM::ManagedPolicy" | "AWS::IAM::Policy" => Kind::Policy,
                "AWS::IAM::Role" => Kind::Role,
                "AWS::IAM::User" => Kind::User,
                "AWS::IAM::Group" => Kind::Group,
                "AWS::IAM::InstanceProfile" => Kind::InstanceProfile,
                other => {
                    report.cannot(
                        &here.key("Type"),
                        &format!("a resource of type `{other}`"),
                        "it is not imported",
                    );
                    continue;
                }
            },
            _ => {
                report.cannot(&here, "a resource without a `Type`", "it is not imported");
                continue;
            }
        };
        if let Node::Map(keys) = resource {
            for (key, _) in keys {
                match key.as_str() {
                    "Type" | "Properties" | "DependsOn" | "Metadata" => {}
                    "Condition" if kind != Kind::InstanceProfile => {
                        let why = format!(
                            "a resource that exists only when the template condition {} holds (iamc has no conditional resources)",
                            shown(resource.get("Condition").unwrap_or(&Node::Null))
                        );
                        conditional
                            .insert(logical.clone(), report.lost(&here.key("Condition"), &why));
                    }
                    other => report.cannot(
                        &here.key(other),
                        &format!("the resource attribute `{other}`"),
                        "it is not imported",
                    ),
                }
            }
        }
        kinds.insert(logical.clone(), kind);
        iam.push((logical.clone(), kind, resource));
    }
    let props = |r: &Node| {
        r.get("Properties")
            .cloned()
            .unwrap_or(Node::Map(Vec::new()))
    };
    let mut links = Links::default();
    // Policies first: principals refer to the groups they become.
    for (logical, kind, resource) in &iam {
        if *kind == Kind::Policy {
            let here = rpath.key(logical).key("Properties");
            policy_resource(
                logical,
                &props(resource),
                &here,
                &kinds,
                model,
                &mut links,
                report,
            );
            if let (Some(lost), Some(Some(g))) =
                (conditional.get(logical), links.policy_group.get(logical))
                && let Some(group) = model.groups.get_mut(*g)
            {
                group.lost.push(lost.clone());
            }
        }
    }
    let mut profiles: BTreeMap<String, usize> = BTreeMap::new();
    for (logical, kind, resource) in &iam {
        if *kind == Kind::InstanceProfile {
            let here = rpath.key(logical).key("Properties");
            for (role, _) in refs(
                &props(resource),
                "Roles",
                &here,
                &kinds,
                &[Kind::Role],
                report,
            ) {
                *profiles.entry(role).or_default() += 1;
            }
            expect_keys(
                &props(resource),
                &here,
                &["Roles", "InstanceProfileName", "Path"],
                report,
            );
        }
    }
    // IAM groups: their permissions pass to their members.
    let mut iam_groups: BTreeMap<String, IamGroup> = BTreeMap::new();
    for (logical, kind, resource) in &iam {
        if *kind == Kind::Group {
            let here = rpath.key(logical).key("Properties");
            let p = props(resource);
            expect_keys(
                &p,
                &here,
                &["GroupName", "Path", "ManagedPolicyArns", "Policies"],
                report,
            );
            let mut g = IamGroup {
                name: literal(&p, "GroupName"),
                path: here.clone(),
                members: Vec::new(),
                ..IamGroup::default()
            };
            g.grants = inline_policies(&p, &here, logical, model, report);
            if let Some(lost) = conditional.get(logical) {
                for &i in &g.grants {
                    if let Some(group) = model.groups.get_mut(i) {
                        group.lost.push(lost.clone());
                    }
                }
                g.lost = Some(lost.clone());
            }
            let mut principal = Principal::new(PrincipalKind::User, String::new(), String::new());
            managed_arns(
                &p,
                &here,
                &kinds,
                &mut principal,
                &mut links,
                logical,
                report,
            );
            g.managed = principal.managed;
            iam_groups.insert(logical.clone(), g);
        }
    }
    let first = model.principals.len();
    let mut principal_ids = Vec::new();
    for (logical, kind, resource) in &iam {
        let pkind = match kind {
            Kind::Role => PrincipalKind::Role,
            Kind::User => PrincipalKind::User,
            _ => continue,
        };
        let here = rpath.key(logical).key("Properties");
        let p = props(resource);
        let principal = principal_resource(
            pkind,
            logical,
            &p,
            &here,
            &kinds,
            naming,
            &mut links,
            &mut iam_groups,
            profiles.get(logical).copied().unwrap_or(0),
            model,
            report,
        );
        let mut principal = principal;
        principal.lost.extend(conditional.get(logical).cloned());
        model.principals.push(principal);
        principal_ids.push(logical.clone());
    }
    // Grants found on the policies' side, now that every principal exists.
    for (offset, logical) in principal_ids.iter().enumerate() {
        let mut grants = links.grants.get(logical).cloned().unwrap_or_default();
        if let Some(principal) = model.principals.get_mut(first + offset) {
            for group in user_groups(logical, &iam_groups) {
                grants.extend(links.grants.get(&group).cloned().unwrap_or_default());
            }
            principal.groups.extend(grants);
            principal.groups.sort();
            principal.groups.dedup();
        }
    }
    for (logical, g) in &iam_groups {
        let naming_ok = g.members.len() == 1
            && g.name.as_deref() == Some(&Naming::apply(&naming.group, &g.members[0].1, ""))
            && g.grants.is_empty()
            && g.managed.is_empty();
        if naming_ok {
            continue;
        }
        let members: Vec<&str> = g.members.iter().map(|(_, n)| n.as_str()).collect();
        let consequence = if members.is_empty() {
            "it has no member user in this template, so its policies are imported as groups granted to nobody".to_string()
        } else {
            format!(
                "its policies are granted to each member user ({}); iamc gives every user a group of its own",
                members.join(", ")
            )
        };
        report.cannot(&g.path, &format!("the IAM group `{logical}`"), &consequence);
    }
    read_outputs(template, &kinds, report);
}

#[derive(Default)]
struct IamGroup {
    name: Option<String>,
    path: Path,
    /// (logical ID, principal name) of each member user.
    members: Vec<(String, String)>,
    /// Import groups from its inline policies.
    grants: Vec<usize>,
    /// Why the group exists only under a template condition.
    lost: Option<Lost>,
    managed: Vec<String>,
}

fn user_groups(user: &str, groups: &BTreeMap<String, IamGroup>) -> Vec<String> {
    groups
        .iter()
        .filter(|(_, g)| g.members.iter().any(|(l, _)| l == user))
        .map(|(l, _)| l.clone())
        .collect()
}

fn literal(props: &Node, key: &str) -> Option<String> {
    match props.get(key) {
        Some(Node::Str(s)) => Some(s.clone()),
        _ => None,
    }
}

fn expect_keys(props: &Node, path: &Path, known: &[&str], report: &mut Report) {
    if let Node::Map(entries) = props {
        for (key, _) in entries {
            if !known.contains(&key.as_str()) {
                report.cannot(
                    &path.key(key),
                    &format!("the property `{key}`"),
                    "it is not imported",
                );
            }
        }
    }
}

/// `!Ref X` items of a list property, X a resource of one of the kinds.
fn refs(
    props: &Node,
    key: &str,
    path: &Path,
    kinds: &BTreeMap<String, Kind>,
    allowed: &[Kind],
    report: &mut Report,
) -> Vec<(String, Path)> {
    let Some(list) = props.get(key) else {
        return Vec::new();
    };
    let kpath = path.key(key);
    let mut out = Vec::new();
    for (i, item) in list.items().into_iter().enumerate() {
        let here = kpath.item(list, i);
        match item {
            Node::Fn(f, arg) if f == "Ref" => match &**arg {
                Node::Str(target) if kinds.get(target).is_some_and(|k| allowed.contains(k)) => {
                    out.push((target.clone(), here));
                }
                other => report.cannot(
                    &here,
                    &format!("`Ref {}`, which is not a resource of this template iamc can attach", match other {
                        Node::Str(s) => s.clone(),
                        o => o.describe(),
                    }),
                    "this attachment is not imported",
                ),
            },
            other => report.cannot(
                &here,
                &format!("{} naming a principal outside this template", shown(other)),
                "this attachment is not imported: iamc attaches policies only to the principals it defines",
            ),
        }
    }
    out
}

fn shown(node: &Node) -> String {
    match node {
        Node::Str(s) => format!("`{s}`"),
        other => other.describe(),
    }
}

/// `AWS::IAM::ManagedPolicy` or `AWS::IAM::Policy`: one group of policies,
/// granted to the principals it names.
fn policy_resource(
    logical: &str,
    props: &Node,
    path: &Path,
    kinds: &BTreeMap<String, Kind>,
    model: &mut Model,
    links: &mut Links,
    report: &mut Report,
) {
    expect_keys(
        props,
        path,
        &[
            "ManagedPolicyName",
            "PolicyName",
            "Description",
            "Path",
            "PolicyDocument",
            "Roles",
            "Users",
            "Groups",
        ],
        report,
    );
    if let Some(p) = props.get("Path")
        && p != &Node::Str("/".into())
    {
        report.cannot(
            &path.key("Path"),
            "a managed policy path other than `/`",
            "iamc writes every managed policy at `/`",
        );
    }
    let name = literal(props, "ManagedPolicyName")
        .or_else(|| literal(props, "PolicyName"))
        .unwrap_or_else(|| logical.to_string());
    let doc = literal(props, "Description").filter(|d| !d.ends_with(", generated by iamc"));
    let group = match props.get("PolicyDocument") {
        Some(d) => import_document(d, &path.key("PolicyDocument"), &name, doc, model, report),
        None => {
            report.cannot(
                path,
                "a policy without `PolicyDocument`",
                "it is not imported",
            );
            None
        }
    };
    links.policy_group.insert(logical.to_string(), group);
    let mut targets = Vec::new();
    targets.extend(refs(props, "Roles", path, kinds, &[Kind::Role], report));
    targets.extend(refs(props, "Users", path, kinds, &[Kind::User], report));
    targets.extend(refs(props, "Groups", path, kinds, &[Kind::Group], report));
    if let Some(g) = group {
        for (target, _) in targets {
            links.grants.entry(target).or_default().push(g);
        }
    }
}

/// A policy document as a group of one-statement policies.
fn import_document(
    doc: &Node,
    path: &Path,
    policy_name: &str,
    group_doc: Option<String>,
    model: &mut Model,
    report: &mut Report,
) -> Option<usize> {
    let mut lost = Vec::new();
    let statements = document::identity_statements(doc, path, report, &mut lost);
    let base = names::sanitize(policy_name, "Policy");
    let mut members = Vec::new();
    let spath = path.key("Statement");
    for (i, sid, statement) in statements {
        let wanted = match sid {
            Some(sid) => names::sanitize(&sid, "Statement"),
            None => format!("{base}Statement{}", i + 1),
        };
        let origin = match doc.get("Statement") {
            Some(list) => report.origin(&spath.item(list, i)),
            None => report.origin(&spath),
        };
        for share in super::oversized::split(statement) {
            members.push(model.add_policy(wanted.clone(), share, origin.clone()));
        }
    }
    if members.is_empty() && lost.is_empty() {
        report.cannot(
            path,
            &format!("the policy `{policy_name}` has no statement iamc can import"),
            "no group is imported for it",
        );
        return None;
    }
    members.sort();
    members.dedup();
    Some(model.add_group(Group {
        wanted: base,
        doc: group_doc,
        members,
        origin: report.origin(path),
        lost,
    }))
}

/// A bare policy document file: one group named after the file.
pub fn read_document(doc: &Node, stem: &str, model: &mut Model, report: &mut Report) {
    import_document(doc, &Path::root(), stem, None, model, report);
}

/// `Policies: [{PolicyName, PolicyDocument}]` of a role, user or group.
fn inline_policies(
    props: &Node,
    path: &Path,
    owner: &str,
    model: &mut Model,
    report: &mut Report,
) -> Vec<usize> {
    let Some(list) = props.get("Policies") else {
        return Vec::new();
    };
    let lpath = path.key("Policies");
    let mut out = Vec::new();
    for (i, p) in list.items().into_iter().enumerate() {
        let here = lpath.item(list, i);
        let name = match literal(p, "PolicyName") {
            Some(n) => format!("{owner}{}", names::sanitize(&n, "Policy")),
            None => format!("{owner}Policy{}", i + 1),
        };
        match p.get("PolicyDocument") {
            Some(d) => out.extend(import_document(
                d,
                &here.key("PolicyDocument"),
                &name,
                None,
                model,
                report,
            )),
            None => report.cannot(
                &here,
                "an inline policy without `PolicyDocument`",
                "it is not imported",
            ),
        }
    }
    out
}

/// `ManagedPolicyArns`: `!Ref` of a policy of the template is an attachment,
/// anything else an AWS-managed (or otherwise external) policy ARN.
fn managed_arns(
    props: &Node,
    path: &Path,
    kinds: &BTreeMap<String, Kind>,
    principal: &mut Principal,
    links: &mut Links,
    owner: &str,
    report: &mut Report,
) {
    let Some(list) = props.get("ManagedPolicyArns") else {
        return;
    };
    let lpath = path.key("ManagedPolicyArns");
    for (i, item) in list.items().into_iter().enumerate() {
        let here = lpath.item(list, i);
        if let Node::Fn(f, arg) = item
            && f == "Ref"
            && let Node::Str(target) = &**arg
            && kinds.get(target) == Some(&Kind::Policy)
        {
            if let Some(Some(g)) = links.policy_group.get(target) {
                links.grants.entry(owner.to_string()).or_default().push(*g);
            }
            continue;
        }
        match string(item, &here, &report.params.clone()) {
            Ok(arn) => principal.managed.push(arn),
            Err(u) => report.cannot(&u.path, &u.why, "this managed policy is not attached"),
        }
    }
}

#[allow(
    clippy::too_many_arguments,
    reason = "one call site; the reader's state, spelled out"
)]
fn principal_resource(
    kind: PrincipalKind,
    logical: &str,
    props: &Node,
    path: &Path,
    kinds: &BTreeMap<String, Kind>,
    naming: &Naming,
    links: &mut Links,
    iam_groups: &mut BTreeMap<String, IamGroup>,
    profiles: usize,
    model: &mut Model,
    report: &mut Report,
) -> Principal {
    let (name_key, pattern, known): (&str, &str, &[&str]) = match kind {
        PrincipalKind::Role => (
            "RoleName",
            &naming.role,
            &[
                "RoleName",
                "Description",
                "Path",
                "AssumeRolePolicyDocument",
                "ManagedPolicyArns",
                "PermissionsBoundary",
                "MaxSessionDuration",
                "Tags",
                "Policies",
            ],
        ),
        PrincipalKind::User => (
            "UserName",
            &naming.user,
            &[
                "UserName",
                "Path",
                "Groups",
                "ManagedPolicyArns",
                "PermissionsBoundary",
                "Tags",
                "Policies",
            ],
        ),
    };
    expect_keys(props, path, known, report);
    let physical = literal(props, name_key);
    let wanted = physical
        .as_deref()
        .and_then(|n| names::strip_pattern(pattern, n))
        .unwrap_or_else(|| names::sanitize(physical.as_deref().unwrap_or(logical), "Principal"));
    let derived = Naming::apply(pattern, &wanted, "");
    if physical.as_deref() != Some(derived.as_str()) {
        report.cannot(
            &path.key(name_key),
            &format!(
                "the {} name {}",
                if kind == PrincipalKind::Role { "role" } else { "user" },
                physical.as_deref().map(|n| format!("`{n}`")).unwrap_or_else(|| "CloudFormation generates".into())
            ),
            &format!("it is imported as `{wanted}`, which iamc names `{derived}` (the pattern `{pattern}`); deploying it creates a new principal"),
        );
    }
    let mut principal = Principal::new(kind, wanted.clone(), report.origin(path));
    principal.groups = inline_policies(props, path, &wanted, model, report);
    managed_arns(props, path, kinds, &mut principal, links, logical, report);
    if let Some(d) = props.get("AssumeRolePolicyDocument") {
        principal.trust = document::trust_entries(
            d,
            &path.key("AssumeRolePolicyDocument"),
            report,
            &mut principal.lost,
        );
    } else if kind == PrincipalKind::Role {
        report.cannot(
            path,
            "a role without `AssumeRolePolicyDocument`",
            "the role cannot be imported",
        );
    }
    if let Some(b) = props.get("PermissionsBoundary") {
        match string(b, &path.key("PermissionsBoundary"), &report.params.clone()) {
            Ok(arn) => principal.boundary = Some(arn),
            Err(u) => principal.lost.push(report.lost(&u.path, &u.why)),
        }
    }
    match props.get("Path") {
        Some(Node::Str(p)) if p != "/" => principal.path = Some(p.clone()),
        Some(Node::Str(_)) | None => {}
        Some(other) => report.cannot(
            &path.key("Path"),
            &format!("a path given as {}", other.describe()),
            "the path is not imported",
        ),
    }
    match props.get("MaxSessionDuration") {
        Some(Node::Number(n)) => match n.parse::<u64>() {
            Ok(v) => principal.max_session = Some(v),
            Err(_) => report.cannot(
                &path.key("MaxSessionDuration"),
                &format!("`{n}`"),
                "the session duration is not imported",
            ),
        },
        Some(Node::Str(n)) if n.parse::<u64>().is_ok() => principal.max_session = n.parse().ok(),
        Some(other) => report.cannot(
            &path.key("MaxSessionDuration"),
            &other.describe(),
            "the session duration is not imported",
        ),
        None => {}
    }
    if let Some(Node::Str(d)) = props.get("Description") {
        principal.description = Some(d.clone());
    }
    if let Some(tags) = props.get("Tags") {
        let tpath = path.key("Tags");
        for (i, t) in tags.items().into_iter().enumerate() {
            let here = tpath.item(tags, i);
            match (
                t.get("Key"),
                t.get("Value")
                    .map(|v| string(v, &here.key("Value"), &report.params.clone())),
            ) {
                (Some(Node::Str(k)), Some(Ok(v))) => principal.tags.push((k.clone(), v)),
                (_, Some(Err(u))) => report.cannot(&u.path, &u.why, "this tag is not imported"),
                _ => report.cannot(
                    &here,
                    "a tag without a literal `Key` and `Value`",
                    "this tag is not imported",
                ),
            }
        }
    }
    if kind == PrincipalKind::Role {
        principal.instance_profile = profiles > 0;
        if profiles > 1 {
            report.cannot(
                path,
                &format!("{profiles} instance profiles holding the role `{logical}`"),
                "iamc writes one instance profile per role",
            );
        }
    }
    if kind == PrincipalKind::User {
        for (group, _) in refs(props, "Groups", path, kinds, &[Kind::Group], report) {
            if let Some(g) = iam_groups.get_mut(&group) {
                g.members.push((logical.to_string(), wanted.clone()));
                principal.groups.extend(g.grants.iter().copied());
                principal.managed.extend(g.managed.iter().cloned());
                principal.lost.extend(g.lost.clone());
            }
        }
    }
    principal
}

/// Outputs that export an ARN of an imported resource are what iamc writes
/// anyway; any other output is reported.
fn read_outputs(template: &Node, kinds: &BTreeMap<String, Kind>, report: &mut Report) {
    let Some(Node::Map(outputs)) = template.get("Outputs") else {
        return;
    };
    let opath = Path::root().key("Outputs");
    for (name, output) in outputs {
        let target = match output.get("Value") {
            Some(Node::Fn(f, arg)) if f == "Ref" => match &**arg {
                Node::Str(t) => Some(t.clone()),
                _ => None,
            },
            Some(Node::Fn(f, arg)) if f == "GetAtt" => match &**arg {
                Node::Seq(items) if items.get(1) == Some(&Node::Str("Arn".into())) => {
                    match items.first() {
                        Some(Node::Str(t)) => Some(t.clone()),
                        _ => None,
                    }
                }
                _ => None,
            },
            _ => None,
        };
        if !target.is_some_and(|t| kinds.contains_key(&t)) {
            report.cannot(
                &opath.key(name),
                &format!("the output `{name}`"),
                "it is not imported; iamc exports the ARN of every resource it writes, and nothing else",
            );
        }
    }
}

/// `Parameters` of type `String` become `param` declarations, and strings may
/// refer to them (`${Name}`, `!Ref Name`); any other parameter is reported.
fn parameters(template: &Node, model: &mut Model, report: &mut Report) {
    let Some(Node::Map(params)) = template.get("Parameters") else {
        return;
    };
    let ppath = Path::root().key("Parameters");
    for (name, spec) in params {
        let here = ppath.key(name);
        if names::strip_pattern("{Name}", name).as_deref() != Some(name.as_str()) {
            report.cannot(
                &here,
                &format!("the parameter `{name}`, whose name is not an identifier"),
                "it is not imported; strings that use it are reported",
            );
            continue;
        }
        if spec.get("Type") != Some(&Node::Str("String".into())) {
            report.cannot(
                &here.key("Type"),
                &format!("the parameter `{name}`, which is not of type `String`"),
                "it is not imported; strings that use it are reported",
            );
            continue;
        }
        expect_keys(
            spec,
            &here,
            &["Type", "Default", "Description", "MaxLength"],
            report,
        );
        let text = |key: &str| match spec.get(key) {
            Some(Node::Str(s)) | Some(Node::Number(s)) => Some(s.clone()),
            _ => None,
        };
        let default = text("Default");
        // iamc counts a param without `max_length` at 128 characters; a
        // longer default is counted (and limited) at its own length.
        let default_length = default.as_ref().map_or(0, |d| d.chars().count() as u64);
        let max_length = match text("MaxLength").and_then(|n| n.parse::<u64>().ok()) {
            Some(n) => Some(n.max(default_length)),
            None if default_length > crate::vars::DEFAULT_PARAM_MAX_LENGTH as u64 => {
                Some(default_length)
            }
            None => None,
        };
        let param = Param {
            name: name.clone(),
            default,
            description: text("Description"),
            max_length,
        };
        match model.params.iter().find(|p| p.name == *name) {
            Some(existing) if *existing != param => {
                report.cannot(
                    &here,
                    &format!("a second, different parameter `{name}`"),
                    "the first one read is kept",
                );
            }
            Some(_) => {}
            None => model.params.push(param),
        }
        report.params.insert(name.clone());
    }
}
