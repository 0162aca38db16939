//! The imported model as `.iam` text: policies, then groups, then roles and
//! users, each sorted by name. Records where each declaration stands, so that
//! a problem the compiler finds in it can be traced back to what was imported.

use super::model::{Lost, Model, PrincipalKind, TrustEntry};
use crate::iam::policy::{Condition, Effect, Statement};
use crate::syntax::lex::quote;
use std::ops::Range;

/// What a declaration of the written text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Entity {
    Param(usize),
    Policy(usize),
    Group(usize),
    Principal(usize),
}

/// The parts of the model left out.
pub type Dropped = std::collections::BTreeSet<Entity>;

/// The model's names, and which of its parts are left out.
pub struct Plan<'a> {
    pub model: &'a Model,
    pub policy_names: &'a [String],
    pub group_names: &'a [String],
    pub principal_names: &'a [String],
    pub dropped: &'a Dropped,
    /// Whether restrictions import could not carry over are imported
    /// without (`--lossy`), said in a comment above the declaration.
    pub lossy: bool,
}

impl Plan<'_> {
    fn keeps(&self, e: Entity) -> bool {
        !self.dropped.contains(&e)
    }

    /// The names of the policies a group keeps, sorted.
    fn group_members(&self, g: usize) -> Vec<&str> {
        let mut members: Vec<&str> = self.model.groups[g]
            .members
            .iter()
            .filter(|&&p| self.keeps(Entity::Policy(p)))
            .map(|&p| self.policy_names[p].as_str())
            .collect();
        members.sort();
        members.dedup();
        members
    }

    /// A group is written when it is kept and keeps at least one policy.
    fn group_written(&self, g: usize) -> bool {
        self.keeps(Entity::Group(g))
            && self.model.groups[g]
                .members
                .iter()
                .any(|&p| self.keeps(Entity::Policy(p)))
    }
}

/// `[a, b]`, or a single item without brackets. The layout (where a long
/// list breaks) is `iamc fmt`'s, applied to the whole text.
fn list(items: &[String]) -> String {
    match items {
        [one] => one.clone(),
        _ => format!("[{}]", items.join(", ")),
    }
}

/// What `--lossy` imported without: a comment at the spot, for the reviewer.
fn lost_comment(out: &mut String, lost: &[Lost]) {
    for l in lost {
        let text = format!("{}: {}", l.origin, l.why).replace(['\n', '\r'], " ");
        out.push_str(&format!(
            "// LOST by `iamc import --lossy`, so this may allow more than the input: {text}\n"
        ));
    }
}

fn doc_comment(out: &mut String, doc: &str, indent: &str) {
    for line in doc.lines() {
        out.push_str(&format!("{indent}/// {line}\n"));
    }
}

fn conditions(out: &mut String, conditions: &[Condition], indent: &str) {
    for c in conditions {
        let values: Vec<String> = c.values.iter().map(|v| quote(v)).collect();
        let head = format!("{indent}when {} {} ", c.operator, quote(&c.key));
        out.push_str(&format!("{head}{}\n", list(&values)));
    }
}

fn statement(out: &mut String, s: &Statement) {
    let effect = match s.effect {
        Effect::Allow => "allow",
        Effect::Deny => "deny",
    };
    let not_action = if s.not_action { "not " } else { "" };
    let not_resource = if s.not_resource { "not " } else { "" };
    let quoted: Vec<String> = s.resources.iter().map(|r| quote(r)).collect();
    let resources = if s.resources == ["*"] {
        "*".to_string()
    } else {
        list(&quoted)
    };
    let actions = list(&s.actions);
    out.push_str(&format!(
        "  {effect} {not_action}{actions} on {not_resource}{resources}"
    ));
    out.push('\n');
    conditions(out, &s.conditions, "    ");
}

fn trust(out: &mut String, entries: &[TrustEntry]) {
    out.push_str("  trust {\n");
    for e in entries {
        let kind = crate::syntax::keywords::trust_principal(e.kind).word();
        let principals: Vec<String> = e.principals.iter().map(|p| quote(p)).collect();
        out.push_str(&format!("    {kind} {}\n", list(&principals)));
        if !e.actions.is_empty() {
            let actions: Vec<String> = e.actions.iter().map(|a| a.to_string()).collect();
            out.push_str(&format!("      actions {}\n", list(&actions)));
        }
        conditions(out, &e.conditions, "      ");
    }
    out.push_str("  }\n");
}

/// The program text, and the byte range of each declaration in it.
pub fn write(plan: &Plan, header: &str) -> (String, Vec<(Range<usize>, Entity)>) {
    let model = plan.model;
    let mut out = String::new();
    let mut ranges = Vec::new();
    out.push_str(header);

    let mut params: Vec<usize> = (0..model.params.len())
        .filter(|&i| plan.keeps(Entity::Param(i)))
        .collect();
    params.sort_by(|&a, &b| model.params[a].name.cmp(&model.params[b].name));
    for i in params {
        let p = &model.params[i];
        out.push('\n');
        let start = out.len();
        out.push_str(&format!("param {} {{\n", p.name));
        if let Some(d) = &p.default {
            out.push_str(&format!("  default {}\n", quote(d)));
        }
        if let Some(d) = &p.description {
            out.push_str(&format!("  description {}\n", quote(d)));
        }
        if let Some(n) = p.max_length {
            out.push_str(&format!("  max_length {n}\n"));
        }
        out.push_str("}\n");
        ranges.push((start..out.len(), Entity::Param(i)));
    }

    // Each group once: which are written, and the policies they hold.
    let written: Vec<bool> = (0..model.groups.len())
        .map(|g| plan.group_written(g))
        .collect();
    let mut in_written = vec![false; model.policies.len()];
    for (g, group) in model.groups.iter().enumerate() {
        if written[g] {
            for &p in &group.members {
                in_written[p] = true;
            }
        }
    }
    let mut policies: Vec<usize> = (0..model.policies.len())
        .filter(|&p| plan.keeps(Entity::Policy(p)) && in_written[p])
        .collect();
    policies.sort_by(|&a, &b| plan.policy_names[a].cmp(&plan.policy_names[b]));
    for p in policies {
        out.push('\n');
        let start = out.len();
        out.push_str(&format!("policy {} {{\n", plan.policy_names[p]));
        statement(&mut out, &model.policies[p].statement);
        out.push_str("}\n");
        ranges.push((start..out.len(), Entity::Policy(p)));
    }

    let mut groups: Vec<usize> = (0..model.groups.len()).filter(|&g| written[g]).collect();
    groups.sort_by(|&a, &b| plan.group_names[a].cmp(&plan.group_names[b]));
    for g in groups {
        out.push('\n');
        let start = out.len();
        if plan.lossy {
            lost_comment(&mut out, &model.groups[g].lost);
        }
        if let Some(doc) = &model.groups[g].doc {
            doc_comment(&mut out, doc, "");
        }
        out.push_str(&format!("group {} {{\n", plan.group_names[g]));
        for member in plan.group_members(g) {
            out.push_str(&format!("  {member}\n"));
        }
        out.push_str("}\n");
        ranges.push((start..out.len(), Entity::Group(g)));
    }

    let mut principals: Vec<usize> = (0..model.principals.len())
        .filter(|&p| plan.keeps(Entity::Principal(p)))
        .collect();
    principals.sort_by(|&a, &b| {
        (model.principals[a].kind, &plan.principal_names[a])
            .cmp(&(model.principals[b].kind, &plan.principal_names[b]))
    });
    for i in principals {
        let p = &model.principals[i];
        out.push('\n');
        let start = out.len();
        if plan.lossy {
            lost_comment(&mut out, &p.lost);
        }
        let keyword = match p.kind {
            PrincipalKind::Role => "role",
            PrincipalKind::User => "user",
        };
        out.push_str(&format!("{keyword} {} {{\n", plan.principal_names[i]));
        let mut grants: Vec<&str> = p
            .groups
            .iter()
            .filter(|&&g| written[g])
            .map(|&g| plan.group_names[g].as_str())
            .collect();
        grants.sort();
        grants.dedup();
        let grants: Vec<String> = grants.into_iter().map(str::to_string).collect();
        let shown = if grants.is_empty() {
            "[]".to_string()
        } else {
            list(&grants)
        };
        out.push_str(&format!("  grants {shown}\n"));
        if p.kind == PrincipalKind::Role {
            trust(&mut out, &p.trust);
        }
        let mut managed: Vec<String> = p.managed.iter().map(|m| quote(m)).collect();
        managed.sort();
        managed.dedup();
        if !managed.is_empty() {
            out.push_str(&format!("  managed {}\n", list(&managed)));
        }
        if p.instance_profile {
            out.push_str("  instance_profile\n");
        }
        if let Some(b) = &p.boundary {
            out.push_str(&format!("  boundary {}\n", quote(b)));
        }
        if let Some(path) = &p.path {
            out.push_str(&format!("  path {}\n", quote(path)));
        }
        if let Some(s) = p.max_session {
            out.push_str(&format!("  max_session {s}\n"));
        }
        for (k, v) in &p.tags {
            out.push_str(&format!("  tag {} {}\n", quote(k), quote(v)));
        }
        if let Some(d) = &p.description {
            out.push_str(&format!("  description {}\n", quote(d)));
        }
        out.push_str("}\n");
        ranges.push((start..out.len(), Entity::Principal(i)));
    }
    (out, ranges)
}
