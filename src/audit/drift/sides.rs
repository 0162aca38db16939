//! Each principal on both sides: the program's (what it deploys) and the
//! account's (what IAM holds), paired by IAM name, as sets of statements the
//! core decides, and what differs between them in words.

use super::access::{Boundary, Side, Wider};
use super::expected::Expected;
use super::{Access, Aspect, Difference, Drift, PrincipalDrift, Status, classify};
use crate::account::{self, Account, Document};
use crate::iam::policy::{PolicySet, Principal, PrincipalKind, Statement};
use crate::plan::Kind;
use crate::review::grants;
use std::collections::{BTreeMap, BTreeSet};

/// Statements with the policy each comes from.
type Held = Vec<(String, Statement)>;

/// A set of identity statements for the core (the one place that builds one).
fn policy_set(principal: &Principal, statements: Held, unseen: Vec<String>) -> PolicySet {
    PolicySet {
        principal: principal.clone(),
        statements,
        boundary: None,
        unseen,
    }
}

fn held(document: &Document, origin: &str) -> Held {
    account::statements(document)
        .map(|s| (origin.to_string(), s.clone()))
        .collect()
}

/// Where the statements of managed policies are found: the program's own
/// standalone policies first, then the account's.
struct Library<'a> {
    program: BTreeMap<String, &'a Document>,
    account: &'a Account,
}

impl Library<'_> {
    fn document(&self, arn: &str) -> Option<&Document> {
        self.program
            .get(arn)
            .copied()
            .or_else(|| self.account.policy(arn).map(|p| p.document()))
    }

    /// Statements of policies attached by ARN; those not found are unseen.
    fn attached(&self, arns: &[String], into: &mut Held, unseen: &mut Vec<String>) {
        for arn in arns {
            match self.document(arn) {
                Some(d) => into.extend(held(d, name_of(arn))),
                None => unseen.push(arn.clone()),
            }
        }
    }

    fn boundary(&self, arn: Option<&String>, principal: &Principal) -> Boundary {
        match arn {
            None => Boundary::None,
            Some(arn) => match self.document(arn) {
                Some(d) => Boundary::Known {
                    arn: arn.clone(),
                    set: policy_set(principal, held(d, name_of(arn)), Vec::new()),
                },
                None => Boundary::Unknown { arn: arn.clone() },
            },
        }
    }
}

/// `arn:aws:iam::aws:policy/job-function/ViewOnlyAccess` -> `ViewOnlyAccess`.
fn name_of(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// The ARN IAM gives a managed policy of this account.
fn policy_arn(account: &Account, path: &str, name: &str) -> String {
    format!(
        "arn:{}:iam::{}:policy{path}{name}",
        account.partition,
        account.id.as_deref().unwrap_or("${AWS::AccountId}")
    )
}

/// A trust policy's statements as the core compares them: each principal
/// as [`crate::iam::trust::as_resource`] spells it.
fn trust_set(document: &Document) -> PolicySet {
    let statements = account::statements(document)
        .map(|s| {
            let mut s = s.clone();
            s.resources = s
                .resources
                .iter()
                .map(|p| match p.split_once(':') {
                    Some((kind, value)) => crate::iam::trust::as_resource(kind, value),
                    None => p.clone(),
                })
                .collect();
            ("trust".to_string(), s)
        })
        .collect();
    policy_set(&Principal::anyone(), statements, Vec::new())
}

/// Lines for what one side holds and the other does not.
fn set_lines<T: Ord + Clone>(
    program: &[T],
    account: &[T],
    words: impl Fn(&T) -> String,
    lines: &mut Vec<String>,
) {
    let (p, a): (BTreeSet<&T>, BTreeSet<&T>) = (program.iter().collect(), account.iter().collect());
    for x in a.difference(&p) {
        lines.push(format!("+ {}", words(x)));
    }
    for x in p.difference(&a) {
        lines.push(format!("- {}", words(x)));
    }
}

/// A statement as compared by content: actions without case, lists sorted.
fn content(s: &Statement) -> Statement {
    let mut s = s.clone();
    s.actions = s.actions.iter().map(|a| a.to_ascii_lowercase()).collect();
    s.actions.sort();
    s.actions.dedup();
    s.resources.sort();
    s.resources.dedup();
    for c in &mut s.conditions {
        c.key = c.key.to_ascii_lowercase();
        c.values.sort();
        c.values.dedup();
    }
    s.conditions.sort();
    s
}

/// `Allow s3:GetObject on arn:aws:s3:::b/* when ...`.
pub fn statement_words(s: &Statement) -> String {
    let mut out = format!(
        "{:?} {}{} on {}{}",
        s.effect,
        if s.not_action { "not " } else { "" },
        grants::list(
            &s.actions
                .iter()
                .map(|a| crate::iam::catalog::cased_action(a).into_owned())
                .collect::<Vec<_>>()
        ),
        if s.not_resource { "not " } else { "" },
        grants::list(&s.resources)
    );
    if !s.conditions.is_empty() {
        out.push_str(" when ");
        out.push_str(&grants::conditions_text(&s.conditions));
    }
    out
}

/// Statement lines of one policy on both sides, by content (never by Sid:
/// two statements alike are two).
fn statement_lines(name: &str, program: &Document, account: &Document, lines: &mut Vec<String>) {
    // By content, each with how many times and one statement as written.
    let count = |d: &Document| {
        let mut m: BTreeMap<Statement, (usize, Statement)> = BTreeMap::new();
        for s in account::statements(d) {
            m.entry(content(s)).or_insert((0, s.clone())).0 += 1;
        }
        m
    };
    let (p, a) = (count(program), count(account));
    let times =
        |m: &BTreeMap<Statement, (usize, Statement)>, s: &Statement| m.get(s).map_or(0, |x| x.0);
    for (s, (n, shown)) in &a {
        for _ in times(&p, s)..*n {
            lines.push(format!("+ {} (policy {name})", statement_words(shown)));
        }
    }
    for (s, (n, shown)) in &p {
        for _ in times(&a, s)..*n {
            lines.push(format!("- {} (policy {name})", statement_words(shown)));
        }
    }
}

/// Tag keys some statement reads (`${aws:PrincipalTag/K}`, or the key
/// `aws:PrincipalTag/K`), lower-cased.
fn tags_read(sets: &[&Side]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut note = |text: &str| {
        let lower = text.to_ascii_lowercase();
        let mut rest = lower.as_str();
        while let Some(at) = rest.find("aws:principaltag/") {
            let tail = &rest[at + "aws:principaltag/".len()..];
            let end = tail.find(['}', ',', ' ']).unwrap_or(tail.len());
            out.insert(tail[..end].to_string());
            rest = &tail[end..];
        }
    };
    for side in sets {
        let mut statements: Vec<&Statement> = side.set.statements.iter().map(|(_, s)| s).collect();
        if let Boundary::Known { set, .. } = &side.boundary {
            statements.extend(set.statements.iter().map(|(_, s)| s));
        }
        for s in statements {
            s.resources.iter().for_each(|r| note(r));
            for c in &s.conditions {
                note(&c.key);
                c.values.iter().for_each(|v| note(v));
            }
        }
    }
    out
}

fn tag_lines(
    program: &BTreeMap<String, String>,
    account: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    let keys: BTreeSet<&String> = program.keys().chain(account.keys()).collect();
    keys.into_iter()
        .filter_map(|k| match (program.get(k), account.get(k)) {
            (Some(p), Some(a)) if p == a => None,
            (Some(p), Some(a)) => Some(format!(
                "~ tag {k}: {p:?} in the program, {a:?} in the account"
            )),
            (None, Some(a)) => Some(format!("+ tag {k} = {a:?}")),
            (Some(p), None) => Some(format!("- tag {k} = {p:?}")),
            (None, None) => None,
        })
        .map(|line| {
            (
                line.split(' ')
                    .nth(2)
                    .unwrap_or("")
                    .trim_end_matches(':')
                    .to_string(),
                line,
            )
        })
        .collect()
}

/// Both sides of a principal's permissions, and the lines of what differs.
struct Permissions {
    program: Side,
    account: Side,
    lines: Vec<String>,
}

fn principal_of(kind: PrincipalKind, name: &str, tags: &BTreeMap<String, String>) -> Principal {
    Principal {
        kind,
        user_name: (kind == PrincipalKind::User).then(|| name.to_string()),
        tags: tags.clone(),
    }
}

fn boundary_lines(program: Option<&String>, account: Option<&String>, lines: &mut Vec<String>) {
    match (program, account) {
        (Some(p), Some(a)) if p != a => lines.push(format!(
            "~ permissions boundary {p} in the program, {a} in the account"
        )),
        (Some(p), None) => lines.push(format!("- permissions boundary {p}")),
        (None, Some(a)) => lines.push(format!("+ permissions boundary {a}")),
        _ => {}
    }
}

/// The program's generated policies against the account's of the same
/// name: statements by content, and their versions.
fn policy_lines(
    e: &Expected,
    account: &Account,
    lines: &mut Vec<String>,
    versions: &mut Vec<String>,
) {
    for (name, doc) in &e.policies {
        let arn = policy_arn(account, "/", name);
        let Some(deployed) = account.policy(&arn) else {
            continue;
        };
        statement_lines(name, doc, deployed.document(), lines);
        version_lines(deployed, versions);
    }
    // The customer managed policies it names (its boundary, say): not the
    // program's to compare, but one version switch from other access.
    for arn in e.boundary.iter().chain(&e.managed) {
        if let Some(p) = account.policy(arn).filter(|p| !p.is_aws_managed()) {
            version_lines(p, versions);
        }
    }
}

/// A policy whose default version is not its newest: rolled back by hand
/// (CloudFormation makes each new version the default). The default is what
/// IAM applies, and what the rest compares.
fn version_lines(p: &account::ManagedPolicy, lines: &mut Vec<String>) {
    let number = |id: &str| id.trim_start_matches('v').parse::<u64>().unwrap_or(0);
    let newest = p.versions.iter().map(|v| number(&v.id)).max().unwrap_or(0);
    if number(&p.default_version) < newest {
        lines.push(format!(
            "~ policy {}: the default version is {}, not the newest (v{newest})",
            p.name, p.default_version
        ));
    }
}

fn role_permissions(
    e: &Expected,
    role: &account::Role,
    account: &Account,
    library: &Library,
) -> Permissions {
    let mut lines = Vec::new();
    let a_principal = principal_of(PrincipalKind::Role, &role.name, &role.tags);
    let mut a_held: Held = Vec::new();
    for i in &role.inline {
        a_held.extend(held(&i.document, &i.name));
        lines.push(format!("+ inline policy {} on the role", i.name));
    }
    let arns: Vec<String> = role.attached.iter().map(|a| a.arn.clone()).collect();
    let mut a_unseen = Vec::new();
    library.attached(&arns, &mut a_held, &mut a_unseen);
    let mut expected_arns: Vec<String> = e
        .policies
        .iter()
        .map(|(n, _)| policy_arn(account, "/", n))
        .collect();
    expected_arns.extend(e.managed.iter().cloned());
    set_lines(
        &expected_arns,
        &arns,
        |a| format!("managed policy {a} attached"),
        &mut lines,
    );
    boundary_lines(e.boundary.as_ref(), role.boundary.as_ref(), &mut lines);
    Permissions {
        program: program_side(e, library),
        account: Side {
            boundary: library.boundary(role.boundary.as_ref(), &a_principal),
            set: policy_set(&a_principal, a_held, a_unseen),
        },
        lines,
    }
}

fn user_permissions(
    e: &Expected,
    user: &account::User,
    account: &Account,
    library: &Library,
) -> Permissions {
    let mut lines = Vec::new();
    let a_principal = principal_of(PrincipalKind::User, &user.name, &user.tags);
    let mut a_held: Held = Vec::new();
    let mut a_unseen = Vec::new();
    for i in &user.inline {
        a_held.extend(held(&i.document, &i.name));
        lines.push(format!("+ inline policy {} on the user", i.name));
    }
    let arns: Vec<String> = user.attached.iter().map(|a| a.arn.clone()).collect();
    library.attached(&arns, &mut a_held, &mut a_unseen);
    set_lines(
        &e.managed,
        &arns,
        |a| format!("managed policy {a} attached to the user"),
        &mut lines,
    );
    let expected_groups: Vec<String> = e.group.iter().cloned().collect();
    set_lines(
        &expected_groups,
        &user.groups,
        |g| format!("member of group {g}"),
        &mut lines,
    );
    for g in &user.groups {
        let Some(group) = account.group(g) else {
            a_unseen.push(format!("group {g} (not in the file)"));
            continue;
        };
        for i in &group.inline {
            a_held.extend(held(&i.document, &i.name));
            lines.push(format!("+ inline policy {} on group {g}", i.name));
        }
        let arns: Vec<String> = group.attached.iter().map(|a| a.arn.clone()).collect();
        library.attached(&arns, &mut a_held, &mut a_unseen);
        if Some(g) == e.group.as_ref() {
            let expected_arns: Vec<String> = e
                .policies
                .iter()
                .map(|(n, _)| policy_arn(account, "/", n))
                .collect();
            set_lines(
                &expected_arns,
                &arns,
                |a| format!("managed policy {a} attached to group {g}"),
                &mut lines,
            );
        } else {
            for a in &arns {
                lines.push(format!("+ managed policy {a} attached to group {g}"));
            }
        }
    }
    boundary_lines(e.boundary.as_ref(), user.boundary.as_ref(), &mut lines);
    Permissions {
        program: program_side(e, library),
        account: Side {
            boundary: library.boundary(user.boundary.as_ref(), &a_principal),
            set: policy_set(&a_principal, a_held, a_unseen),
        },
        lines,
    }
}

/// The permissions difference, with tag lines where statements read tags,
/// and the tags difference apart where none does.
fn permissions_differences(
    mut perms: Permissions,
    program_tags: &BTreeMap<String, String>,
    account_tags: &BTreeMap<String, String>,
    out: &mut Vec<Difference>,
) {
    let read = tags_read(&[&perms.program, &perms.account]);
    let mut other_tags = Vec::new();
    for (key, line) in tag_lines(program_tags, account_tags) {
        if read.contains(&key.to_ascii_lowercase()) {
            perms.lines.push(line);
        } else {
            other_tags.push(line);
        }
    }
    let verdict = classify(&perms.program, &perms.account, true);
    if verdict.is_some() || !perms.lines.is_empty() {
        let (access, example, reasons) = verdict.unwrap_or((Access::Other, None, Vec::new()));
        out.push(Difference {
            of: Aspect::Permissions,
            access,
            example,
            reasons,
            lines: perms.lines,
        });
    }
    other(Aspect::Tags, other_tags, out);
}

/// A difference that changes no access.
fn other(of: Aspect, lines: Vec<String>, out: &mut Vec<Difference>) {
    if !lines.is_empty() {
        out.push(Difference {
            of,
            access: Access::Other,
            example: None,
            reasons: Vec::new(),
            lines,
        });
    }
}

fn trust_difference(program: Option<&Document>, account: &Document, out: &mut Vec<Difference>) {
    let p = Side {
        set: program
            .map(trust_set)
            .unwrap_or_else(|| policy_set(&Principal::anyone(), Vec::new(), Vec::new())),
        boundary: Boundary::None,
    };
    let a = Side {
        set: trust_set(account),
        boundary: Boundary::None,
    };
    let mut lines = Vec::new();
    let words = |s: &Statement| statement_words(s);
    let (ps, as_): (Vec<Statement>, Vec<Statement>) = (
        p.set.statements.iter().map(|(_, s)| content(s)).collect(),
        a.set.statements.iter().map(|(_, s)| content(s)).collect(),
    );
    set_lines(&ps, &as_, words, &mut lines);
    let verdict = classify(&p, &a, false);
    if verdict.is_some() || !lines.is_empty() {
        let (access, example, reasons) = verdict.unwrap_or((Access::Other, None, Vec::new()));
        out.push(Difference {
            of: Aspect::Trust,
            access,
            example,
            reasons,
            lines,
        });
    }
}

/// A principal in one side only: its access against nothing.
fn alone(side: &Side, access_if: Access, lines: Vec<String>) -> Difference {
    let nothing = side.nothing();
    let (access, example, reasons) = match access_if {
        Access::Narrower => match super::access::wider(&nothing, side, true) {
            Wider::Yes(w) => (Access::Narrower, Some(w), Vec::new()),
            _ => (Access::Narrower, None, Vec::new()),
        },
        _ => match super::access::wider(&nothing, side, true) {
            Wider::Yes(w) => (Access::Wider, Some(w), Vec::new()),
            Wider::Maybe { reasons, example } => (Access::MayBeWider, example, reasons),
            Wider::No => (Access::Other, None, Vec::new()),
        },
    };
    Difference {
        of: Aspect::Exists,
        access,
        example,
        reasons,
        lines,
    }
}

/// Everything, principal by principal.
pub fn compare(expected: &[Expected], account: &Account, notes: &mut Vec<String>) -> Drift {
    let library = Library {
        program: expected
            .iter()
            .filter(|e| e.kind == Kind::Policy)
            .flat_map(|e| {
                e.policies
                    .iter()
                    .map(|(n, d)| (policy_arn(account, &e.path, n), d))
            })
            .collect(),
        account,
    };
    let mut principals = Vec::new();
    let mut seen_roles = BTreeSet::new();
    let mut seen_users = BTreeSet::new();
    for e in expected {
        let mut differences = Vec::new();
        let mut drifted = |status: Status, differences: Vec<Difference>| {
            if !differences.is_empty() {
                principals.push(PrincipalDrift {
                    name: e.name.clone(),
                    kind: e.kind.word(),
                    source: Some(e.source.clone()),
                    status,
                    differences,
                });
            }
        };
        match e.kind {
            Kind::Role => {
                seen_roles.insert(e.name.clone());
                let Some(role) = account.role(&e.name) else {
                    let perms = program_side(e, &library);
                    drifted(
                        Status::Missing,
                        vec![alone(
                            &perms,
                            Access::Narrower,
                            vec![format!("- role {} is not in the account", e.name)],
                        )],
                    );
                    continue;
                };
                let perms = role_permissions(e, role, account, &library);
                permissions_differences(perms, &e.tags, &role.tags, &mut differences);
                trust_difference(e.trust.as_ref(), &role.trust, &mut differences);
                if e.path != role.path {
                    other(
                        Aspect::Path,
                        vec![format!(
                            "~ path {:?} in the program, {:?} in the account",
                            e.path, role.path
                        )],
                        &mut differences,
                    );
                }
                let want = e.max_session.unwrap_or(3600);
                if let Some(have) = role.max_session
                    && u64::from(have) != want
                {
                    other(
                        Aspect::Session,
                        vec![format!(
                            "~ MaxSessionDuration {want} s in the program, {have} s in the account"
                        )],
                        &mut differences,
                    );
                }
                let profiles: Vec<String> = role
                    .instance_profiles
                    .iter()
                    .map(|p| p.name.clone())
                    .collect();
                let wanted: Vec<String> = e.instance_profile.iter().cloned().collect();
                let mut lines = Vec::new();
                set_lines(
                    &wanted,
                    &profiles,
                    |p| format!("instance profile {p}"),
                    &mut lines,
                );
                other(Aspect::InstanceProfiles, lines, &mut differences);
                let (mut lines, mut versions) = (Vec::new(), Vec::new());
                policy_lines(e, account, &mut lines, &mut versions);
                merge_statement_lines(&mut differences, lines);
                other(Aspect::Versions, versions, &mut differences);
                drifted(Status::Changed, differences);
            }
            Kind::User => {
                seen_users.insert(e.name.clone());
                let Some(user) = account.user(&e.name) else {
                    let perms = program_side(e, &library);
                    drifted(
                        Status::Missing,
                        vec![alone(
                            &perms,
                            Access::Narrower,
                            vec![format!("- user {} is not in the account", e.name)],
                        )],
                    );
                    continue;
                };
                let perms = user_permissions(e, user, account, &library);
                permissions_differences(perms, &e.tags, &user.tags, &mut differences);
                if e.path != user.path {
                    other(
                        Aspect::Path,
                        vec![format!(
                            "~ path {:?} in the program, {:?} in the account",
                            e.path, user.path
                        )],
                        &mut differences,
                    );
                }
                let (mut lines, mut versions) = (Vec::new(), Vec::new());
                policy_lines(e, account, &mut lines, &mut versions);
                merge_statement_lines(&mut differences, lines);
                other(Aspect::Versions, versions, &mut differences);
                drifted(Status::Changed, differences);
            }
            Kind::Policy => {
                let Some((name, doc)) = e.policies.first() else {
                    continue;
                };
                let arn = policy_arn(account, &e.path, name);
                let anyone = Principal::anyone();
                let program =
                    Side::plain(anyone.clone(), account::statements(doc).cloned().collect());
                let Some(deployed) = account.policy(&arn) else {
                    drifted(
                        Status::Missing,
                        vec![alone(
                            &program,
                            Access::Narrower,
                            vec![format!("- managed policy {arn} is not in the account")],
                        )],
                    );
                    continue;
                };
                let theirs = Side::plain(
                    anyone,
                    account::statements(deployed.document()).cloned().collect(),
                );
                let mut lines = Vec::new();
                statement_lines(name, doc, deployed.document(), &mut lines);
                if let Some((access, example, reasons)) = classify(&program, &theirs, true) {
                    differences.push(Difference {
                        of: Aspect::Permissions,
                        access,
                        example,
                        reasons,
                        lines,
                    });
                } else {
                    other(Aspect::Permissions, lines, &mut differences);
                }
                let mut versions = Vec::new();
                version_lines(deployed, &mut versions);
                other(Aspect::Versions, versions, &mut differences);
                drifted(Status::Changed, differences);
            }
        }
    }
    let mut service_linked = 0;
    for role in &account.roles {
        if seen_roles.contains(&role.name) {
            continue;
        }
        if role.is_service_linked() {
            service_linked += 1;
            continue;
        }
        let principal = principal_of(PrincipalKind::Role, &role.name, &role.tags);
        let mut held_: Held = Vec::new();
        let mut unseen = Vec::new();
        let mut lines = vec![format!("+ role {} exists only in the account", role.name)];
        for i in &role.inline {
            held_.extend(held(&i.document, &i.name));
            lines.push(format!("+ inline policy {}", i.name));
        }
        let arns: Vec<String> = role.attached.iter().map(|a| a.arn.clone()).collect();
        library.attached(&arns, &mut held_, &mut unseen);
        lines.extend(
            arns.iter()
                .map(|a| format!("+ managed policy {a} attached")),
        );
        let side = Side {
            boundary: library.boundary(role.boundary.as_ref(), &principal),
            set: policy_set(&principal, held_, unseen),
        };
        let mut differences = vec![alone(&side, Access::Wider, lines)];
        trust_difference(None, &role.trust, &mut differences);
        principals.push(PrincipalDrift {
            name: role.name.clone(),
            kind: "role",
            source: None,
            status: Status::OnlyInAccount,
            differences,
        });
    }
    for user in &account.users {
        if seen_users.contains(&user.name) {
            continue;
        }
        let e = Expected {
            kind: Kind::User,
            source: String::new(),
            name: user.name.clone(),
            path: user.path.clone(),
            group: None,
            instance_profile: None,
            trust: None,
            managed: Vec::new(),
            policies: Vec::new(),
            boundary: None,
            max_session: None,
            tags: user.tags.clone(),
        };
        let perms = user_permissions(&e, user, account, &library);
        let mut lines = vec![format!("+ user {} exists only in the account", user.name)];
        lines.extend(perms.lines);
        principals.push(PrincipalDrift {
            name: user.name.clone(),
            kind: "user",
            source: None,
            status: Status::OnlyInAccount,
            differences: vec![alone(&perms.account, Access::Wider, lines)],
        });
    }
    if service_linked > 0 {
        notes.push(format!(
            "{service_linked} service-linked {} (path /aws-service-role/) set aside: AWS creates and manages them",
            if service_linked == 1 { "role" } else { "roles" }
        ));
    }
    if account.policies.is_empty() {
        notes.push("the files hold no `Policies` (get-account-authorization-details ran with --filter, or this is one page of several): the documents of managed policies are unknown, and what hangs on them may be wider".into());
    }
    if account.roles.iter().all(|r| r.max_session.is_none())
        && expected.iter().any(|e| e.kind == Kind::Role)
    {
        notes.push("session lengths not compared: get-account-authorization-details does not give MaxSessionDuration (add the output of `aws iam list-roles`)".into());
    }
    principals.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    Drift {
        account: account.id.clone(),
        region: None,
        compared: expected.len(),
        principals,
        notes: Vec::new(),
    }
}

/// The statement lines of generated policies go with the permissions.
fn merge_statement_lines(differences: &mut Vec<Difference>, lines: Vec<String>) {
    if lines.is_empty() {
        return;
    }
    match differences.iter_mut().find(|d| d.of == Aspect::Permissions) {
        Some(d) => d.lines.extend(lines),
        None => differences.insert(
            0,
            Difference {
                of: Aspect::Permissions,
                access: Access::Other,
                example: None,
                reasons: Vec::new(),
                lines,
            },
        ),
    }
}

/// The program's side of a principal.
fn program_side(e: &Expected, library: &Library) -> Side {
    let kind = if e.kind == Kind::User {
        PrincipalKind::User
    } else {
        PrincipalKind::Role
    };
    let principal = principal_of(kind, &e.name, &e.tags);
    let mut p_held: Held = Vec::new();
    for (name, doc) in &e.policies {
        p_held.extend(held(doc, name));
    }
    let mut unseen = Vec::new();
    library.attached(&e.managed, &mut p_held, &mut unseen);
    Side {
        boundary: library.boundary(e.boundary.as_ref(), &principal),
        set: policy_set(&principal, p_held, unseen),
    }
}
