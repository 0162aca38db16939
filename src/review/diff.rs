//! `iamc diff`: who gains or loses what between two compiled programs.
//!
//! Both programs are reduced to what each principal holds, one action on one
//! resource at a time ([`grants::atoms`]), compared by content (never by Sid,
//! so renaming a policy changes nothing), then folded back: the grants of one
//! policy change read as one line per principal, and principals with the same
//! change share one block. Changes that widen access are flagged broadening;
//! changes that replace or remove CloudFormation resources are flagged breaking.

use super::access::{self, Subject};
use super::grants::{self, Condition, Holdings, Item, PrincipalHoldings};
use super::template_changes::{self, PropertyChange};
use crate::compiled::Compiled;
use crate::iam::compare::{self, Change};
use crate::iam::pattern::{self, is_wildcard};
use crate::iam::policy::{Effect, Statement};
use crate::render::template::{ManifestPrincipal, ManifestTemplate};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The comparison of two programs.
#[derive(Clone, Debug, Serialize)]
pub struct Diff {
    /// What the base is: `HEAD`, a revision, or a folder.
    pub base: String,
    /// What is compared with it: `working tree`, or a folder.
    pub head: String,
    /// Principals in either program.
    pub compared: usize,
    /// Every principal that changed, by name.
    pub principals: Vec<PrincipalChange>,
    /// Principals with the same change, together (what the report shows).
    pub groups: Vec<Group>,
    /// Changes that replace or remove deployed resources.
    pub breaking: Vec<Breaking>,
    /// Template properties that changed without changing what anyone may do
    /// (path, tags, session length, descriptions, outputs, Sids...).
    pub other: Vec<PropertyChange>,
}

/// What a principal (or standalone policy) may do, or who may assume a role,
/// compared by access: only changes that may grant something new are kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccessChange {
    /// `permissions` or `trust`.
    pub of: &'static str,
    #[serde(flatten)]
    pub change: Change,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Changed,
    Added,
    Removed,
    Renamed,
}

#[derive(Clone, Debug, Serialize)]
pub struct PrincipalChange {
    pub name: String,
    /// `role` or `user`.
    pub kind: &'static str,
    pub status: Status,
    /// For a renamed principal: its name in the base.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    pub lines: Vec<Line>,
    /// Where the change may grant new access (empty: proven it grants none).
    pub access: Vec<AccessChange>,
    /// Escalation paths it completes now and did not before.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub escalations: Vec<NewEscalation>,
}

/// A privilege-escalation path ([`crate::iam::escalation`]) a principal
/// completes after the change and did not before: broadening, by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewEscalation {
    /// In a group whose members differ: whose path it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// `codebuild-001`.
    pub path: &'static str,
    /// `iam:PassRole + codebuild:CreateProject + codebuild:StartBuild`.
    pub name: String,
    pub family: &'static str,
}

impl PrincipalChange {
    /// `JaneDoe`, `Krun (new user)`, `JaneDoe (removed role)`.
    pub fn label(&self) -> String {
        match self.status {
            Status::Changed => self.name.clone(),
            Status::Added => format!("{} (new {})", self.name, self.kind),
            Status::Removed => format!("{} (removed {})", self.name, self.kind),
            Status::Renamed => format!(
                "{} (renamed from {})",
                self.name,
                self.renamed_from.as_deref().unwrap_or("?")
            ),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Sign {
    #[serde(rename = "+")]
    Added,
    #[serde(rename = "-")]
    Removed,
}

impl Sign {
    pub fn as_str(self) -> &'static str {
        match self {
            Sign::Added => "+",
            Sign::Removed => "-",
        }
    }
}

/// Why a change widens access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Broadening {
    NewAllow,
    WildcardAction,
    WildcardResource,
    RemovedDeny,
    RemovedCondition,
    NewTrust,
    /// A trusted principal may now take a session action (`sts:TagSession`, ...).
    NewSessionAction,
    NewManagedPolicy,
}

impl Broadening {
    pub fn words(self) -> &'static str {
        match self {
            Broadening::NewAllow => "new Allow",
            Broadening::WildcardAction => "wildcard action",
            Broadening::WildcardResource => "wildcard resource",
            Broadening::RemovedDeny => "removed Deny",
            Broadening::RemovedCondition => "removed condition",
            Broadening::NewTrust => "new trusted principal",
            Broadening::NewSessionAction => "new session action",
            Broadening::NewManagedPolicy => "new AWS managed policy",
        }
    }
}

/// One folded change: `+ Allow [a, b] on [r1, r2] (policy P)`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Line {
    pub sign: Sign,
    pub item: Item,
    /// The source policies (or trust) the grants come from.
    pub policies: Vec<String>,
    pub broadening: Vec<Broadening>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Group {
    /// Labels of the principals ([`PrincipalChange::label`]), sorted.
    pub principals: Vec<String>,
    pub lines: Vec<Line>,
    /// What may be new: once for the group when the same for all, else
    /// per principal (`principal` set).
    pub access: Vec<GroupAccess>,
    /// New escalation paths, likewise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub escalations: Vec<NewEscalation>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupAccess {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    #[serde(flatten)]
    pub access: AccessChange,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Breaking {
    /// The template (stack) concerned.
    pub file: String,
    pub message: String,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.principals.is_empty() && self.breaking.is_empty() && self.other.is_empty()
    }

    /// Principals (and standalone policies) that gain access, proven.
    pub fn broadening(&self) -> usize {
        self.count(|c| matches!(c, Change::Broadens { .. }))
    }

    /// Principals that may gain access: iamc could not prove either way.
    pub fn may_broaden(&self) -> usize {
        self.count(|c| matches!(c, Change::MayBroaden { .. }))
    }

    fn count(&self, f: impl Fn(&Change) -> bool) -> usize {
        self.principals
            .iter()
            .filter(|p| p.access.iter().any(|a| f(&a.change)))
            .count()
    }
}

/// A template's fingerprint ([`Compiled::fingerprint`]): a BLAKE3 digest
/// that stands for its text, so that two different texts in practice never
/// share one (a shared one would hide a change).
type Fingerprint = [u8; blake3::OUT_LEN];

/// Every template of a program, fingerprinted: file name -> (index,
/// fingerprint). Templates are not rendered whole (a 10,000-role
/// organisation renders 160 MB a side), only their skeletons with a digest
/// for each statement; changed templates are rendered afterwards.
fn rendered(compiled: &Compiled) -> BTreeMap<String, (usize, Fingerprint)> {
    let digests = compiled.fragment_digests();
    let fingerprint = |i: &usize| compiled.fingerprint(*i, &digests);
    let indexes: Vec<usize> = (0..compiled.len()).collect();
    let hashes = if indexes.len() < 64 {
        indexes.iter().map(fingerprint).collect()
    } else {
        crate::par::map_uneven(&indexes, fingerprint)
    };
    hashes
        .into_iter()
        .enumerate()
        .map(|(i, (file, hash))| (file, (i, hash)))
        .collect()
}

/// Compares two compiled programs. Templates whose text did not change are
/// skipped whole: what they grant cannot have changed.
pub fn diff(base: &Compiled, head: &Compiled, base_label: &str, head_label: &str) -> Diff {
    let mut timings = crate::Timings::start();
    let (base_files, head_files) = crate::par::join(|| rendered(base), || rendered(head));
    timings.phase("fingerprint");
    let files: BTreeSet<&String> = base_files.keys().chain(head_files.keys()).collect();
    let changed: Vec<&String> = files
        .into_iter()
        .filter(|f| base_files.get(*f).map(|x| &x.1) != head_files.get(*f).map(|x| &x.1))
        .collect();
    let subjects = |compiled: &Compiled, files: &BTreeMap<String, (usize, Fingerprint)>| {
        let mut out: BTreeMap<String, Subject> = BTreeMap::new();
        for f in &changed {
            if let Some((i, _)) = files.get(*f) {
                for s in access::subjects(compiled, *i) {
                    out.insert(s.name.clone(), s);
                }
            }
        }
        out
    };
    let (before_subjects, after_subjects) =
        (subjects(base, &base_files), subjects(head, &head_files));
    let wanted = |n: &str| before_subjects.contains_key(n) || after_subjects.contains_key(n);
    let before = grants::holdings(base, wanted);
    let after = grants::holdings(head, wanted);
    let renames = renames(&before, &after);
    let renamed_to: BTreeMap<&str, &str> = renames
        .iter()
        .map(|(from, to)| (from.as_str(), to.as_str()))
        .collect();
    let renamed_from: BTreeMap<&str, &str> = renames
        .iter()
        .map(|(from, to)| (to.as_str(), from.as_str()))
        .collect();
    let empty = Holdings::default();
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let mut principals = Vec::new();
    for name in &names {
        if renamed_to.contains_key(name.as_str()) {
            continue;
        }
        let (old, new) = (before.get(*name), after.get(*name));
        let (status, kind, from) = match (old, new, renamed_from.get(name.as_str())) {
            (_, Some(n), Some(from)) => (Status::Renamed, n.kind, Some(from.to_string())),
            (Some(o), Some(_), None) => (Status::Changed, o.kind, None),
            (None, Some(n), None) => (Status::Added, n.kind, None),
            (Some(o), None, _) => (Status::Removed, o.kind, None),
            (None, None, _) => continue,
        };
        let old_name = from.as_deref().unwrap_or(name.as_str());
        let old_holdings = before.get(old_name).map(|p| &p.holdings);
        let mut lines = changes(
            old_holdings.unwrap_or(&empty),
            new.map(|p| &p.holdings).unwrap_or(&empty),
            status != Status::Removed,
        );
        let access = match after_subjects.get(name.as_str()) {
            Some(n) => access_changes(before_subjects.get(old_name), n),
            None => Vec::new(),
        };
        // A new path needs new access: only then is it looked for.
        let escalations = match after_subjects.get(name.as_str()) {
            Some(n) if !access.is_empty() => new_escalations(before_subjects.get(old_name), n),
            _ => Vec::new(),
        };
        // Line labels only where the whole says the principal may gain access.
        let flagged = |of: &str| access.iter().any(|a| a.of == of);
        for line in &mut lines {
            let of = match line.item {
                Item::Trust { .. } => "trust",
                _ => "permissions",
            };
            if !flagged(of) {
                line.broadening.clear();
            }
        }
        if lines.is_empty() && access.is_empty() && status == Status::Changed {
            continue;
        }
        principals.push(PrincipalChange {
            name: name.to_string(),
            kind,
            status,
            renamed_from: from,
            lines,
            access,
            escalations,
        });
    }
    timings.phase("access");
    let groups = groups(&principals);
    let mut breaking = breaking(
        &base.manifest_of(&changed),
        &head.manifest_of(&changed),
        &renames,
    );
    let mut other = Vec::new();
    for f in &changed {
        let (b, a) = (base_files.get(*f), head_files.get(*f));
        let (Some((bi, _)), Some((ai, _))) = (b, a) else {
            continue;
        };
        let (b, a) = (base.render(*bi).1, head.render(*ai).1);
        let (b, a) = (b.as_str(), a.as_str());
        let shown = after_subjects
            .values()
            .filter(|s| &&s.file == f)
            .any(|s| principals.iter().any(|p| p.name == s.name));
        for c in template_changes::changes(f, Some(b), Some(a)) {
            let document = matches!(
                c.property.as_str(),
                "PolicyDocument" | "AssumeRolePolicyDocument" | "ManagedPolicyArns"
            );
            if shown && document {
                continue;
            }
            if c.property == "Path"
                && matches!(
                    c.resource_type.as_str(),
                    "AWS::IAM::Role" | "AWS::IAM::InstanceProfile" | "AWS::IAM::ManagedPolicy"
                )
            {
                breaking.push(Breaking {
                    file: f.to_string(),
                    message: format!(
                        "Path of {} `{}` changed: CloudFormation must replace it, and cannot replace a resource with a custom name, so the update fails",
                        c.resource_type, c.name
                    ),
                });
            }
            other.push(c);
        }
    }
    breaking.sort();
    breaking.dedup();
    timings.phase("other");
    Diff {
        base: base_label.to_string(),
        head: head_label.to_string(),
        compared: count_subjects(base).max(count_subjects(head)),
        principals,
        groups,
        breaking,
        other,
    }
}

/// Principals and standalone policies of a program.
fn count_subjects(compiled: &Compiled) -> usize {
    (0..compiled.len())
        .map(|i| compiled.template_members(i).count())
        .sum()
}

/// Whether a subject may now do more, or be assumed by more, than before
/// (`None` before: it is new).
fn access_changes(before: Option<&Subject>, after: &Subject) -> Vec<AccessChange> {
    let mut out = Vec::new();
    let old = before
        .map(|b| b.permissions.clone())
        .unwrap_or_else(|| access::nothing(&after.permissions));
    match compare::compare(&old, &after.permissions) {
        Change::NoNewAccess => {}
        change => out.push(AccessChange {
            of: "permissions",
            change,
        }),
    }
    if let Some(new_trust) = &after.trust {
        let old_trust = before
            .and_then(|b| b.trust.clone())
            .unwrap_or_else(|| access::nothing(new_trust));
        match compare::compare(&old_trust, new_trust) {
            Change::NoNewAccess => {}
            change => out.push(AccessChange {
                of: "trust",
                change,
            }),
        }
    }
    out
}

/// The escalation paths a subject completes and did not before (`None`
/// before: it is new).
fn new_escalations(before: Option<&Subject>, after: &Subject) -> Vec<NewEscalation> {
    use crate::iam::escalation::find;
    let all = |_: &str| true;
    let old: Vec<&str> = before
        .map(|b| {
            find(&b.permissions, &all)
                .iter()
                .map(|f| f.path.id)
                .collect()
        })
        .unwrap_or_default();
    find(&after.permissions, &all)
        .into_iter()
        .filter(|f| !old.contains(&f.path.id))
        .map(|f| NewEscalation {
            principal: None,
            path: f.path.id,
            name: f.path.name(),
            family: f.path.family.as_str(),
        })
        .collect()
}

/// Principals that left one name and appeared under another, holding mostly
/// the same (at least half of what either holds is common): (old name, new
/// name). The most similar pairs are taken first.
fn renames(
    before: &BTreeMap<String, PrincipalHoldings>,
    after: &BTreeMap<String, PrincipalHoldings>,
) -> Vec<(String, String)> {
    let mut candidates: Vec<(std::cmp::Reverse<u64>, &String, &String)> = Vec::new();
    for (old, o) in before.iter().filter(|(n, _)| !after.contains_key(*n)) {
        for (new, n) in after.iter().filter(|(n, _)| !before.contains_key(*n)) {
            if n.kind != o.kind {
                continue;
            }
            let common = o
                .holdings
                .items
                .keys()
                .filter(|k| n.holdings.items.contains_key(*k))
                .count();
            let union = o.holdings.items.len() + n.holdings.items.len() - common;
            if union > 0 && common * 2 >= union {
                // Similarity in thousandths, most similar first.
                let score = (common * 1000 / union) as u64;
                candidates.push((std::cmp::Reverse(score), old, new));
            }
        }
    }
    candidates.sort();
    let (mut from_taken, mut to_taken) = (BTreeSet::new(), BTreeSet::new());
    let mut out = Vec::new();
    for (_, old, new) in candidates {
        if from_taken.contains(old) || to_taken.contains(new) {
            continue;
        }
        from_taken.insert(old);
        to_taken.insert(new);
        out.push((old.clone(), new.clone()));
    }
    out.sort();
    out
}

/// A statement item without its conditions: what it applies to.
fn target(item: &Item) -> Option<Item> {
    match item.key() {
        Item::Statement(mut s) => {
            s.conditions.clear();
            Some(Item::Statement(s))
        }
        _ => None,
    }
}

/// Whether an Allow was already granted, in full, by an Allow of `old`
/// without conditions: `s3:GetObject` on `arn:aws:s3:::b/*` after `s3:*` on `*`.
fn covered(old: &Holdings, item: &Item) -> bool {
    let Item::Statement(new) = item else {
        return false;
    };
    if new.not_action || new.not_resource {
        return false;
    }
    old.items.keys().any(|k| match k {
        Item::Statement(old) => {
            old.effect == Effect::Allow
                && !old.not_action
                && !old.not_resource
                && old.conditions.is_empty()
                && new
                    .actions
                    .iter()
                    .all(|a| old.actions.iter().any(|o| pattern::action_covers(o, a)))
                && new
                    .resources
                    .iter()
                    .all(|r| old.resources.iter().any(|o| pattern::resource_covers(o, r)))
        }
        _ => false,
    })
}

/// Whether `after` lets through a request that `before` stopped: a condition
/// (operator and key) dropped, or values added to one (values are ORed).
fn loosened(before: &[Condition], after: &[Condition]) -> bool {
    before.iter().any(|b| {
        match after
            .iter()
            .find(|a| a.operator == b.operator && a.key == b.key)
        {
            None => true,
            Some(a) => a.values.iter().any(|v| !b.values.contains(v)),
        }
    })
}

fn item_conditions(item: &Item) -> &[Condition] {
    match item {
        Item::Statement(Statement { conditions, .. }) | Item::Trust { conditions, .. } => {
            conditions
        }
        Item::ManagedPolicy { .. } => &[],
    }
}

/// The folded changes of one principal. `flag` is false for a removed
/// principal, whose losses widen nothing.
fn changes(old: &Holdings, new: &Holdings, flag: bool) -> Vec<Line> {
    let by_target = |h: &Holdings| {
        let mut m: BTreeMap<Item, Vec<Vec<Condition>>> = BTreeMap::new();
        for (key, _) in h.items.iter() {
            if let Some(t) = target(key) {
                m.entry(t).or_default().push(item_conditions(key).to_vec());
            }
        }
        m
    };
    let (old_targets, new_targets) = (by_target(old), by_target(new));
    let mut atoms: Vec<Line> = Vec::new();
    for (key, (item, policies)) in &new.items {
        if old.items.contains_key(key) {
            continue;
        }
        let mut flags = Vec::new();
        if flag {
            match item {
                Item::Statement(s) if s.effect == Effect::Allow => {
                    match target(key).and_then(|t| old_targets.get(&t)) {
                        Some(before) => {
                            if before.iter().any(|b| loosened(b, &s.conditions)) {
                                flags.push(Broadening::RemovedCondition);
                            }
                        }
                        None if covered(old, key) => {}
                        None => {
                            flags.push(Broadening::NewAllow);
                            if s.not_action || s.actions.iter().any(|a| is_wildcard(a)) {
                                flags.push(Broadening::WildcardAction);
                            }
                            if s.not_resource || s.resources.iter().any(|r| is_wildcard(r)) {
                                flags.push(Broadening::WildcardResource);
                            }
                        }
                    }
                }
                Item::Statement(_) => {}
                Item::Trust { action, .. }
                    if crate::iam::trust::session_action(action).is_some() =>
                {
                    flags.push(Broadening::NewSessionAction)
                }
                Item::Trust { .. } => flags.push(Broadening::NewTrust),
                Item::ManagedPolicy { .. } => flags.push(Broadening::NewManagedPolicy),
            }
        }
        atoms.push(Line {
            sign: Sign::Added,
            item: item.clone(),
            policies: policies.iter().cloned().collect(),
            broadening: flags,
        });
    }
    for (key, (item, policies)) in &old.items {
        if new.items.contains_key(key) {
            continue;
        }
        let mut flags = Vec::new();
        if flag
            && let Item::Statement(s) = item
            && s.effect == Effect::Deny
        {
            // A Deny that now applies more widely (fewer conditions) is no loss.
            let widened = target(key)
                .and_then(|t| new_targets.get(&t))
                .is_some_and(|after| after.iter().any(|a| loosened(item_conditions(key), a)));
            if !widened {
                flags.push(Broadening::RemovedDeny);
            }
        }
        atoms.push(Line {
            sign: Sign::Removed,
            item: item.clone(),
            policies: policies.iter().cloned().collect(),
            broadening: flags,
        });
    }
    fold(atoms)
}

/// Folds single grants back into statements: grants that differ only in
/// action or resource, from the same policies, with the same flags, become one
/// line, actions with identical resources sharing it.
fn fold(atoms: Vec<Line>) -> Vec<Line> {
    type Key = (
        Sign,
        Effect,
        bool,
        bool,
        Vec<Condition>,
        Vec<String>,
        Vec<Broadening>,
    );
    // (actions, resources) of each grant.
    type Units = Vec<(Vec<String>, Vec<String>)>;
    let mut statements: BTreeMap<Key, Units> = BTreeMap::new();
    let mut lines = Vec::new();
    for Line {
        sign,
        item,
        policies,
        broadening,
    } in atoms
    {
        match item {
            Item::Statement(s) => statements
                .entry((
                    sign,
                    s.effect,
                    s.not_action,
                    s.not_resource,
                    s.conditions,
                    policies,
                    broadening,
                ))
                .or_default()
                .push((s.actions, s.resources)),
            item => lines.push(Line {
                sign,
                item,
                policies,
                broadening,
            }),
        }
    }
    for ((sign, effect, not_action, not_resource, conditions, policies, broadening), units) in
        statements
    {
        // Resources of each action (list), then actions of each resource set.
        let mut per_action: BTreeMap<Vec<String>, BTreeSet<String>> = BTreeMap::new();
        for (actions, resources) in units {
            per_action.entry(actions).or_default().extend(resources);
        }
        let mut per_resources: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
        for (actions, resources) in per_action {
            per_resources
                .entry(resources.into_iter().collect())
                .or_default()
                .extend(actions);
        }
        for (resources, mut actions) in per_resources {
            actions.sort_by_cached_key(|a| (a.to_ascii_lowercase(), a.clone()));
            actions.dedup();
            lines.push(Line {
                sign,
                item: Item::Statement(Statement {
                    effect,
                    not_action,
                    actions,
                    not_resource,
                    resources,
                    conditions: conditions.clone(),
                }),
                policies: policies.clone(),
                broadening: broadening.clone(),
            });
        }
    }
    lines.sort_by(|a, b| line_order(a).cmp(&line_order(b)));
    lines
}

/// Lines in a fixed order: permissions (Allow, then Deny, by first action),
/// then trust, then AWS managed policies; a removal before the addition that
/// replaces it.
fn line_order(line: &Line) -> (u8, &'static str, String, String, bool) {
    let (kind, effect, first) = match &line.item {
        Item::Statement(s) => (
            0,
            s.effect.as_str(),
            s.actions
                .first()
                .map(|a| a.to_ascii_lowercase())
                .unwrap_or_default(),
        ),
        Item::Trust { .. } => (1, "", String::new()),
        Item::ManagedPolicy { .. } => (2, "", String::new()),
    };
    (
        kind,
        effect,
        first,
        format!(
            "{}\u{0}{}",
            grants::describe(&line.item),
            line.policies.join(",")
        ),
        line.sign == Sign::Added,
    )
}

/// Principals with identical lines, together; in order of their first name.
fn groups(principals: &[PrincipalChange]) -> Vec<Group> {
    let mut by_lines: BTreeMap<&[Line], Vec<&PrincipalChange>> = BTreeMap::new();
    for p in principals
        .iter()
        .filter(|p| !p.lines.is_empty() || !p.access.is_empty())
    {
        by_lines.entry(&p.lines).or_default().push(p);
    }
    let mut groups: Vec<Group> = by_lines
        .into_iter()
        .map(|(lines, mut members)| {
            members.sort_by_key(|p| p.label());
            let same = members
                .windows(2)
                .all(|w| w[0].access == w[1].access && w[0].escalations == w[1].escalations);
            let access = if same {
                members
                    .first()
                    .map(|p| &p.access)
                    .into_iter()
                    .flatten()
                    .map(|a| GroupAccess {
                        principal: None,
                        access: a.clone(),
                    })
                    .collect()
            } else {
                members
                    .iter()
                    .flat_map(|p| {
                        p.access.iter().map(|a| GroupAccess {
                            principal: Some(p.name.clone()),
                            access: a.clone(),
                        })
                    })
                    .collect()
            };
            let escalations = members
                .iter()
                .take(if same { 1 } else { members.len() })
                .flat_map(|p| {
                    p.escalations.iter().map(|e| NewEscalation {
                        principal: (!same).then(|| p.name.clone()),
                        ..e.clone()
                    })
                })
                .collect();
            Group {
                principals: members.iter().map(|p| p.label()).collect(),
                lines: lines.to_vec(),
                access,
                escalations,
            }
        })
        .collect();
    groups.sort_by(|a, b| a.principals.cmp(&b.principals));
    groups
}

/// Deployed resources replaced or removed: renamed roles, users, groups,
/// instance profiles and managed policies, removed principals, templates and
/// exports.
fn breaking(
    base: &[ManifestTemplate],
    head: &[ManifestTemplate],
    renames: &[(String, String)],
) -> Vec<Breaking> {
    fn by_source(templates: &[ManifestTemplate]) -> BTreeMap<&str, (&str, &ManifestPrincipal)> {
        templates
            .iter()
            .flat_map(|t| {
                t.principals
                    .iter()
                    .map(move |p| (p.source.as_str(), (t.file.as_str(), p)))
            })
            .collect()
    }
    let (before, after) = (by_source(base), by_source(head));
    let mut out = Vec::new();
    let mut push = |file: &str, message: String| {
        out.push(Breaking {
            file: file.to_string(),
            message,
        });
    };
    for (source, (file, p)) in &before {
        let kind = p.kind.word();
        let renamed = renames.iter().find(|(from, _)| from == source);
        let new = match renamed {
            Some((_, to)) => after.get(to.as_str()),
            None => after.get(source),
        };
        let Some((new_file, q)) = new else {
            let n = 1
                + p.managed_policies.len()
                + usize::from(p.instance_profile.is_some())
                + usize::from(p.group.is_some());
            push(
                file,
                format!(
                    "{kind} `{source}` removed: {n} {} deleted on deploy",
                    if n == 1 {
                        "resource is"
                    } else {
                        "resources are"
                    }
                ),
            );
            continue;
        };
        if let Some((_, to)) = renamed {
            push(
                file,
                format!(
                    "{kind} `{source}` renamed to `{to}` (now in {new_file}): its resources are replaced"
                ),
            );
        }
        let mut renamed_resource = |what: &str, from: Option<&String>, to: Option<&String>| {
            if let (Some(from), Some(to)) = (from, to)
                && from != to
            {
                push(
                    file,
                    format!(
                        "{what} `{from}` renamed to `{to}`: CloudFormation replaces it on deploy"
                    ),
                );
            }
        };
        renamed_resource(kind, Some(&p.name), Some(&q.name));
        renamed_resource(
            "instance profile",
            p.instance_profile.as_ref(),
            q.instance_profile.as_ref(),
        );
        renamed_resource("group", p.group.as_ref(), q.group.as_ref());
        let names = |p: &ManifestPrincipal| -> Vec<String> {
            p.managed_policies.iter().map(|m| m.name.clone()).collect()
        };
        let (old_policies, new_policies) = (names(p), names(q));
        let gone: Vec<&String> = old_policies
            .iter()
            .filter(|n| !new_policies.contains(n))
            .collect();
        let came: Vec<&String> = new_policies
            .iter()
            .filter(|n| !old_policies.contains(n))
            .collect();
        if gone.len() == came.len() {
            for (from, to) in gone.iter().zip(&came) {
                renamed_resource("managed policy", Some(from), Some(to));
            }
        } else {
            for name in gone {
                push(file, format!("managed policy `{name}` removed"));
            }
        }
    }
    for old in base {
        let lost: Vec<String> = match head.iter().find(|t| t.file == old.file) {
            Some(new) => old
                .exports
                .iter()
                .filter(|e| !new.exports.contains(e))
                .cloned()
                .collect(),
            None => old.exports.clone(),
        };
        if !lost.is_empty() {
            push(
                &old.file,
                format!(
                    "{} removed: stacks that import {} fail to update",
                    exports_phrase(&lost),
                    if lost.len() == 1 { "it" } else { "them" }
                ),
            );
        }
    }
    out.sort();
    out
}

/// "export `XArn`", "exports `XArn`, `YArn`".
fn exports_phrase(exports: &[String]) -> String {
    let names: Vec<String> = exports.iter().map(|e| format!("`{e}`")).collect();
    match names.len() {
        0 => "no export".into(),
        1 => format!("export {}", names[0]),
        _ => format!("exports {}", names.join(", ")),
    }
}
