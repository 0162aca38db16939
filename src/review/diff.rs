//! `iamc diff`: who gains or loses what between two compiled programs.
//!
//! Both programs are reduced to what each principal holds, one action on one
//! resource at a time ([`grants::atoms`]), compared by content (never by Sid,
//! so renaming a policy changes nothing), then folded back: the grants of one
//! policy change read as one line per principal, and principals with the same
//! change share one block. Changes that widen access are flagged broadening;
//! changes that replace or remove CloudFormation resources are flagged breaking.

use super::grants::{self, Condition, Holdings, Item, PrincipalHoldings};
use crate::compiled::Compiled;
use crate::iam::pattern::{self, is_wildcard};
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
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Breaking {
    /// The template (stack) concerned.
    pub file: String,
    pub message: String,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.principals.is_empty() && self.breaking.is_empty()
    }

    /// Broadening lines, as shown (once per group of principals).
    pub fn broadening(&self) -> usize {
        self.groups
            .iter()
            .flat_map(|g| &g.lines)
            .filter(|l| !l.broadening.is_empty())
            .count()
    }
}

/// Compares two compiled programs.
pub fn diff(base: &Compiled, head: &Compiled, base_label: &str, head_label: &str) -> Diff {
    let before = grants::holdings(base);
    let after = grants::holdings(head);
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
        let old_holdings = match &from {
            Some(from) => before.get(from).map(|p| &p.holdings),
            None => old.map(|p| &p.holdings),
        };
        let lines = changes(
            old_holdings.unwrap_or(&empty),
            new.map(|p| &p.holdings).unwrap_or(&empty),
            status != Status::Removed,
        );
        if lines.is_empty() && status == Status::Changed {
            continue;
        }
        principals.push(PrincipalChange {
            name: name.to_string(),
            kind,
            status,
            renamed_from: from,
            lines,
        });
    }
    let groups = groups(&principals);
    let breaking = breaking(
        &base.manifest().templates,
        &head.manifest().templates,
        &renames,
    );
    Diff {
        base: base_label.to_string(),
        head: head_label.to_string(),
        compared: names.len(),
        principals,
        groups,
        breaking,
    }
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
    match item {
        Item::Statement { .. } => {
            let mut t = item.key();
            if let Item::Statement { conditions, .. } = &mut t {
                conditions.clear();
            }
            Some(t)
        }
        _ => None,
    }
}

/// Whether an Allow was already granted, in full, by an Allow of `old`
/// without conditions: `s3:GetObject` on `arn:aws:s3:::b/*` after `s3:*` on `*`.
fn covered(old: &Holdings, item: &Item) -> bool {
    let Item::Statement {
        not_action: false,
        actions,
        not_resource: false,
        resources,
        ..
    } = item
    else {
        return false;
    };
    old.items.keys().any(|k| match k {
        Item::Statement {
            effect: "Allow",
            not_action: false,
            actions: old_actions,
            not_resource: false,
            resources: old_resources,
            conditions,
        } => {
            conditions.is_empty()
                && actions
                    .iter()
                    .all(|a| old_actions.iter().any(|o| pattern::action_covers(o, a)))
                && resources
                    .iter()
                    .all(|r| old_resources.iter().any(|o| pattern::resource_covers(o, r)))
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
        Item::Statement { conditions, .. } | Item::Trust { conditions, .. } => conditions,
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
                Item::Statement {
                    effect: "Allow",
                    not_action,
                    actions,
                    not_resource,
                    resources,
                    conditions,
                } => match target(key).and_then(|t| old_targets.get(&t)) {
                    Some(before) => {
                        if before.iter().any(|b| loosened(b, conditions)) {
                            flags.push(Broadening::RemovedCondition);
                        }
                    }
                    None if covered(old, key) => {}
                    None => {
                        flags.push(Broadening::NewAllow);
                        if *not_action || actions.iter().any(|a| is_wildcard(a)) {
                            flags.push(Broadening::WildcardAction);
                        }
                        if *not_resource || resources.iter().any(|r| is_wildcard(r)) {
                            flags.push(Broadening::WildcardResource);
                        }
                    }
                },
                Item::Statement { .. } => {}
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
        if flag && let Item::Statement { effect: "Deny", .. } = item {
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
        &'static str,
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
            Item::Statement {
                effect,
                not_action,
                actions,
                not_resource,
                resources,
                conditions,
            } => statements
                .entry((
                    sign,
                    effect,
                    not_action,
                    not_resource,
                    conditions,
                    policies,
                    broadening,
                ))
                .or_default()
                .push((actions, resources)),
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
                item: Item::Statement {
                    effect,
                    not_action,
                    actions,
                    not_resource,
                    resources,
                    conditions: conditions.clone(),
                },
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
        Item::Statement {
            effect, actions, ..
        } => (
            0,
            *effect,
            actions
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
    let mut by_lines: BTreeMap<&[Line], Vec<String>> = BTreeMap::new();
    for p in principals.iter().filter(|p| !p.lines.is_empty()) {
        by_lines.entry(&p.lines).or_default().push(p.label());
    }
    let mut groups: Vec<Group> = by_lines
        .into_iter()
        .map(|(lines, mut principals)| {
            principals.sort();
            Group {
                principals,
                lines: lines.to_vec(),
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
