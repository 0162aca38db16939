//! An `Allow` larger than a managed policy can hold is split into several
//! statements, each with a share of its `Action` (else `Resource`) list: the
//! union of their grants is the original's. Never a `NotAction` or
//! `NotResource` list (fewer items there would allow more), never a Deny's
//! (a Deny the compiler rejects refuses its principals, see `widening`).

use crate::iam::limits::IAM_POLICY_SIZE;
use crate::iam::policy::{Effect, Statement};

/// Room a share of a list may take: half a policy, so that the shares pack
/// well beside the statement's other parts.
const ROOM: usize = IAM_POLICY_SIZE / 2;

/// What the document around a statement and its other keys take, at most
/// for a statement worth keeping whole.
const AROUND: usize = 400;

/// The characters a list takes in a policy: each item quoted, with a comma.
fn size(items: &[String]) -> usize {
    items.iter().map(|i| i.len() + 3).sum()
}

fn chunks(items: &[String]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut room = 0;
    for item in items {
        let needs = item.len() + 3;
        match out.last_mut() {
            Some(last) if room >= needs => {
                last.push(item.clone());
                room -= needs;
            }
            _ => {
                out.push(vec![item.clone()]);
                room = ROOM.saturating_sub(needs);
            }
        }
    }
    out
}

/// Roughly the characters a statement takes in a policy.
fn statement_size(s: &Statement) -> usize {
    let conditions: usize = s
        .conditions
        .iter()
        .map(|c| c.operator.len() + c.key.len() + size(&c.values) + 8)
        .sum();
    size(&s.actions) + size(&s.resources) + conditions + AROUND
}

/// The statement, or its shares when it is an Allow too large for one policy.
pub fn split(statement: Statement) -> Vec<Statement> {
    let splittable =
        statement.effect == Effect::Allow && statement_size(&statement) > IAM_POLICY_SIZE;
    if splittable && !statement.not_action && size(&statement.actions) > ROOM {
        return chunks(&statement.actions)
            .into_iter()
            .flat_map(|actions| {
                split(Statement {
                    actions,
                    ..statement.clone()
                })
            })
            .collect();
    }
    if splittable && !statement.not_resource && size(&statement.resources) > ROOM {
        return chunks(&statement.resources)
            .into_iter()
            .map(|resources| Statement {
                resources,
                ..statement.clone()
            })
            .collect();
    }
    vec![statement]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(effect: Effect, not_action: bool, actions: usize) -> Statement {
        Statement {
            effect,
            not_action,
            actions: (0..actions)
                .map(|i| format!("ec2:DescribeThing{i:04}"))
                .collect(),
            not_resource: false,
            resources: vec!["*".to_string()],
            conditions: Vec::new(),
        }
    }

    #[test]
    fn a_large_allow_is_split_into_shares_of_its_actions() {
        let big = statement(Effect::Allow, false, 1000);
        let parts = split(big.clone());
        assert!(parts.len() > 1);
        let mut all: Vec<String> = parts.iter().flat_map(|p| p.actions.clone()).collect();
        all.sort();
        let mut want = big.actions.clone();
        want.sort();
        assert_eq!(all, want);
        assert!(parts.iter().all(|p| size(&p.actions) <= ROOM));
    }

    #[test]
    fn not_lists_denies_and_small_statements_stay_whole() {
        for s in [
            statement(Effect::Allow, true, 1000),
            statement(Effect::Deny, false, 1000),
            statement(Effect::Allow, false, 10),
        ] {
            assert_eq!(split(s.clone()), vec![s]);
        }
    }
}
