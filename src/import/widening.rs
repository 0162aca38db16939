//! Import never widens: a policy or principal that would lose something that
//! restricts access (a Deny, a boundary, a trust Deny, a resource `Condition`)
//! is left out with an error, and so is every principal granted such a
//! policy; with `--lossy` it is imported with a warning, and the written
//! source says what was lost (see `write`).

use super::model::{Lost, Model, PrincipalKind};
use super::write::{Dropped, Entity};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::iam::policy::Effect;

const HELP: &str = "fix the input so that import can carry the restriction over, or pass `--lossy` to import it without it (the written source then says what was lost)";

fn kind(model: &Model, i: usize) -> &'static str {
    match model.principals[i].kind {
        PrincipalKind::Role => "role",
        PrincipalKind::User => "user",
    }
}

fn report(lost: &Lost, what: String, lossy: bool, diagnostics: &mut Diagnostics) {
    let message = format!(
        "{}: cannot carry over a restriction: {}",
        lost.origin, lost.why
    );
    diagnostics.push(if lossy {
        Diagnostic::warning(Code::ImportWouldWiden, message).note(format!(
            "{what} is imported without it (`--lossy`): it may allow more than the input"
        ))
    } else {
        Diagnostic::error(Code::ImportWouldWiden, message)
            .note(format!(
                "{what} is not imported: without this it would allow more than the input"
            ))
            .help(HELP)
    });
}

/// The principals granted group `g`, not yet left out.
fn granted(model: &Model, g: usize, dropped: &Dropped) -> Vec<usize> {
    (0..model.principals.len())
        .filter(|&i| !dropped.contains(&Entity::Principal(i)))
        .filter(|&i| model.principals[i].groups.contains(&g))
        .collect()
}

/// Leaves out (or, `lossy`, reports) every group and principal with a lost
/// restriction, and every principal granted such a group.
pub fn refuse(model: &Model, lossy: bool, dropped: &mut Dropped, diagnostics: &mut Diagnostics) {
    for (g, group) in model.groups.iter().enumerate() {
        if group.lost.is_empty() {
            continue;
        }
        let principals = granted(model, g, dropped);
        let mut what = format!("the policy `{}`", group.wanted);
        if !principals.is_empty() {
            let names: Vec<String> = principals
                .iter()
                .map(|&i| format!("{} `{}`", kind(model, i), model.principals[i].wanted))
                .collect();
            what = format!("{what}, granted to {},", names.join(", "));
        }
        for lost in &group.lost {
            report(lost, what.clone(), lossy, diagnostics);
        }
        if !lossy {
            dropped.insert(Entity::Group(g));
            dropped.extend(principals.into_iter().map(Entity::Principal));
        }
    }
    for (i, principal) in model.principals.iter().enumerate() {
        if principal.lost.is_empty() || dropped.contains(&Entity::Principal(i)) {
            continue;
        }
        let what = format!("the {} `{}`", kind(model, i), principal.wanted);
        for lost in &principal.lost {
            report(lost, what.clone(), lossy, diagnostics);
        }
        if !lossy {
            dropped.insert(Entity::Principal(i));
        }
    }
}

/// After the compiler made import leave `entity` out: if it held a Deny,
/// the policies holding it and the principals granted them would allow
/// more, so they are left out too (or, `lossy`, reported).
pub fn after_drop(
    model: &mut Model,
    entity: Entity,
    lossy: bool,
    dropped: &mut Dropped,
    diagnostics: &mut Diagnostics,
) {
    let is_deny = |p: usize| model.policies[p].statement.effect == Effect::Deny;
    let groups: Vec<usize> = match entity {
        Entity::Policy(p) if is_deny(p) => (0..model.groups.len())
            .filter(|&g| model.groups[g].members.contains(&p))
            .collect(),
        Entity::Group(g) if model.groups[g].members.iter().any(|&p| is_deny(p)) => vec![g],
        _ => Vec::new(),
    };
    for g in groups {
        let lost = Lost {
            origin: model.groups[g].origin.clone(),
            why: "a Deny of this policy, which the compiler rejects (see the warning above)"
                .to_string(),
        };
        // The policy itself, without its Deny, would allow more than the
        // input wherever it is granted later: it goes too.
        if matches!(entity, Entity::Policy(_)) && !dropped.contains(&Entity::Group(g)) {
            let what = format!("the policy `{}`", model.groups[g].wanted);
            report(&lost, what, lossy, diagnostics);
            if lossy {
                model.groups[g].lost.push(lost.clone());
            } else {
                dropped.insert(Entity::Group(g));
            }
        }
        for i in granted(model, g, dropped) {
            let what = format!("the {} `{}`", kind(model, i), model.principals[i].wanted);
            report(&lost, what, lossy, diagnostics);
            if lossy {
                model.principals[i].lost.push(lost.clone());
            } else {
                dropped.insert(Entity::Principal(i));
            }
        }
    }
}
