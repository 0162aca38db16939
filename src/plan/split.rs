//! Step 6, split: a principal's statements → managed policies, each within
//! IAM's size limit. By service first: a service that fills at least half a
//! policy gets its own (`S3`, `S3Part2`, ...); smaller services share `Misc`
//! policies, packed whole in a fixed order, so a change to one service moves
//! no other service's statements. A service's last policy that would be
//! less than half full (`S3` just over one policy) goes to the `Misc`
//! policies too, as a unit in the service's place.

use crate::lower::{LoweredProgram, PartNameId, StatementId};
use crate::model::DOCUMENT_OVERHEAD;

/// One managed policy of a principal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// `S3`, `SecretsManager`, `Misc`, `Misc2`, `S3Part2`...
    pub name: String,
    /// The lowered statements, sorted by Sid.
    pub statements: Vec<StatementId>,
    /// Characters of the document as IAM counts them (deploy-time values at their longest).
    pub size: usize,
}

/// The principal needs more managed policies than allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooMany {
    pub needed: usize,
    pub allowed: usize,
    /// Characters of statements beyond what the allowed policies can hold.
    pub over: usize,
    pub total: usize,
}

/// Splits statements (sorted by Sid) into parts under `policy_size` characters.
/// When giving large services parts of their own would need more parts than
/// allowed, every service is packed into `Misc` parts instead: the limit is
/// an error only when the statements cannot fit at all.
pub fn split(
    statements: &[StatementId],
    lowered: &LoweredProgram,
    policy_size: usize,
    max_parts: usize,
) -> Result<Vec<Part>, TooMany> {
    let parts = pack(statements, lowered, policy_size, true);
    if parts.len() <= max_parts {
        return Ok(parts);
    }
    let compact = pack(statements, lowered, policy_size, false);
    if compact.len() <= max_parts {
        return Ok(compact);
    }
    let room = policy_size - DOCUMENT_OVERHEAD + 1;
    let total: usize = statements
        .iter()
        .map(|&i| lowered.keys[i].size as usize + 1)
        .sum();
    Err(TooMany {
        needed: compact.len(),
        allowed: max_parts,
        over: total.saturating_sub(max_parts * room),
        total,
    })
}

/// Packs statements into parts; with `dedicate`, a service filling half a
/// policy or more gets parts of its own.
fn pack(
    statements: &[StatementId],
    lowered: &LoweredProgram,
    policy_size: usize,
    dedicate: bool,
) -> Vec<Part> {
    // Each statement costs its size plus a comma; so does the room, to match.
    let room = policy_size - DOCUMENT_OVERHEAD + 1;
    let keys = &lowered.keys;
    debug_assert!(
        statements
            .windows(2)
            .all(|w| keys[w[0]].rank < keys[w[1]].rank),
        "statements to split must be in Sid order"
    );
    let cost = |position: u32| keys[statements[position as usize]].size as usize + 1;

    // Positions of the statements (which are in Sid order), grouped by the
    // part name of their service, in name order; the mixed-service ones
    // (empty name, Misc) first.
    let mut order: Vec<(PartNameId, u32)> = (0..statements.len() as u32)
        .map(|p| (keys[statements[p as usize]].part, p))
        .collect();
    order.sort_unstable();

    let mut parts: Vec<(&str, usize, usize, Vec<u32>)> = Vec::new();
    let mut misc: Vec<(usize, Vec<u32>)> = Vec::new();
    for group in order.chunk_by(|a, b| a.0 == b.0) {
        let name: &str = lowered.part_names.get(group[0].0).map_or("", |n| n);
        let list: Vec<u32> = group.iter().map(|&(_, p)| p).collect();
        let weight: usize = list.iter().map(|&p| cost(p)).sum();
        if !dedicate || name.is_empty() || name == "Misc" || weight * 2 < room {
            // Bins are filled with whole services, in part-name order; the
            // mixed-service statements (empty name) come first.
            if weight <= room {
                first_fit(&mut misc, weight, list, room);
            } else {
                // Only mixed-service statements can outgrow one policy here.
                misc.extend(next_fit(list, room, cost));
            }
            continue;
        }
        let mut own = next_fit(list, room, cost);
        // A nearly empty last part of a large service: its statements join
        // the shared ones rather than take a policy of their own.
        if own.len() > 1
            && own.last().is_some_and(|(used, _)| used * 2 < room)
            && let Some((weight, tail)) = own.pop()
        {
            first_fit(&mut misc, weight, tail, room);
        }
        for (n, (used, list)) in own.into_iter().enumerate() {
            parts.push((name, n + 1, used, list));
        }
    }
    parts.extend(
        misc.into_iter()
            .enumerate()
            .map(|(n, (used, list))| ("Misc", n + 1, used, list)),
    );
    parts
        .into_iter()
        .map(|(service, n, used, mut positions)| {
            // Back to Sid order, and from positions to statements.
            positions.sort_unstable();
            let list = positions.iter().map(|&p| statements[p as usize]).collect();
            part(service, n, list, used)
        })
        .collect()
}

/// Puts statements that fit in one policy, together, into the first bin
/// with room for them, or a new bin.
fn first_fit(bins: &mut Vec<(usize, Vec<u32>)>, weight: usize, list: Vec<u32>, room: usize) {
    match bins.iter_mut().find(|(used, _)| used + weight <= room) {
        Some(bin) => {
            bin.0 += weight;
            bin.1.extend(list);
        }
        None => bins.push((weight, list)),
    }
}

/// Fills bins in order, starting a new one when the next statement does not fit.
fn next_fit(list: Vec<u32>, room: usize, cost: impl Fn(u32) -> usize) -> Vec<(usize, Vec<u32>)> {
    let mut bins: Vec<(usize, Vec<u32>)> = Vec::new();
    for i in list {
        match bins.last_mut() {
            Some(bin) if bin.0 + cost(i) <= room => {
                bin.0 += cost(i);
                bin.1.push(i);
            }
            _ => bins.push((cost(i), vec![i])),
        }
    }
    bins
}

fn part(service: &str, n: usize, statements: Vec<StatementId>, used: usize) -> Part {
    let name = if n == 1 {
        service.to_string()
    } else if service == "Misc" {
        format!("Misc{n}")
    } else {
        format!("{service}Part{n}")
    };
    Part {
        name,
        statements,
        size: DOCUMENT_OVERHEAD + used.saturating_sub(1),
    }
}
