//! A brute-force IAM evaluator for the differential test, written from AWS's
//! documented evaluation logic and sharing no code with iamc: its own
//! wildcard matcher, its own condition operators, its own variables. It
//! decides concrete requests over a small finite universe, and a random
//! generator builds programs (as data and as `.iam` text) over that universe.

use std::collections::BTreeMap;

/// `*` any run, `?` one character; `fold` compares without case.
pub fn glob(pattern: &str, text: &str, fold: bool) -> bool {
    // The universe is ASCII: bytes are characters.
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let eq = |a: u8, b: u8| {
        if fold {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    // Classic two-pointer matcher with backtracking on the last star.
    let (mut i, mut j, mut star, mut mark) = (0usize, 0usize, None::<usize>, 0usize);
    while j < t.len() {
        if i < p.len() && p[i] == b'*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if i < p.len() && (p[i] == b'?' || eq(p[i], t[j])) {
            i += 1;
            j += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    while i < p.len() && p[i] == b'*' {
        i += 1;
    }
    i == p.len()
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cond {
    pub op: String,
    pub key: String,
    pub values: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct St {
    pub deny: bool,
    pub not_action: bool,
    pub actions: Vec<String>,
    pub not_resource: bool,
    pub resources: Vec<String>,
    pub conds: Vec<Cond>,
}

/// Who asks: the user Alice, or the role Bob (with its Owner tag).
#[derive(Clone, Debug)]
pub struct Who {
    pub user_name: Option<String>,
    pub owner_tag: Option<String>,
}

pub type Context = BTreeMap<String, String>;

/// A policy variable's value for this principal and request; `None`:
/// missing, so the string containing it matches nothing.
fn variable(name: &str, who: &Who, ctx: &Context) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    if lower == "aws:username" {
        return who.user_name.clone();
    }
    if lower == "aws:principaltag/owner" {
        return who.owner_tag.clone();
    }
    ctx.get(&lower).cloned()
}

/// Replaces `${...}` with values; `None` when one is missing.
fn substitute(s: &str, who: &Who, ctx: &Context) -> Option<String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('}')? + at;
        out.push_str(&variable(&rest[at + 2..end], who, ctx)?);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

fn ip(s: &str) -> Option<u32> {
    let parts: Vec<u32> = s
        .split('.')
        .map(|p| p.parse::<u32>().ok())
        .collect::<Option<_>>()?;
    (parts.len() == 4).then(|| parts.iter().fold(0, |a, p| (a << 8) | p))
}

fn in_cidr(addr: &str, cidr: &str) -> bool {
    let (net, bits) = cidr.split_once('/').unwrap_or((cidr, "32"));
    let (Some(a), Some(n), Ok(b)) = (ip(addr), ip(net), bits.parse::<u32>()) else {
        return false;
    };
    let mask = if b == 0 { 0 } else { u32::MAX << (32 - b) };
    a & mask == n & mask
}

/// Condition evaluation, from the IAM User Guide's operator table.
pub fn cond_holds(c: &Cond, who: &Who, ctx: &Context) -> bool {
    let key = c.key.to_ascii_lowercase();
    let request: Option<String> = if key == "aws:username" {
        who.user_name.clone()
    } else if key == "aws:principaltag/owner" {
        who.owner_tag.clone()
    } else {
        ctx.get(&key).cloned()
    };
    let (qualifier, op) = match c.op.split_once(':') {
        Some((q, op)) => (q, op),
        None => ("", c.op.as_str()),
    };
    let (op, if_exists) = match op.strip_suffix("IfExists") {
        Some(o) => (o, true),
        None => (op, false),
    };
    if op == "Null" {
        // Values are alternatives: "true" holds when missing, "false" when present.
        return c.values.iter().any(|v| (v == "true") == request.is_none());
    }
    let values: Vec<String> = c
        .values
        .iter()
        .filter_map(|v| substitute(v, who, ctx))
        .collect();
    let negated = op.contains("Not");
    let Some(r) = request else {
        return match qualifier {
            "ForAllValues" => true,
            "ForAnyValue" => false,
            _ => negated || if_exists,
        };
    };
    let one = |v: &String| -> bool {
        match op {
            "StringEquals" | "StringNotEquals" => *v == r,
            "StringEqualsIgnoreCase" | "StringNotEqualsIgnoreCase" => v.eq_ignore_ascii_case(&r),
            "StringLike" | "StringNotLike" | "ArnLike" | "ArnNotLike" | "ArnEquals" => {
                glob(v, &r, false)
            }
            "Bool" => v.eq_ignore_ascii_case(&r),
            "IpAddress" | "NotIpAddress" => in_cidr(&r, v),
            "NumericLessThan" => {
                matches!((r.parse::<f64>(), v.parse::<f64>()), (Ok(a), Ok(b)) if a < b)
            }
            _ => false,
        }
    };
    let any = values.iter().any(one);
    // One request value: ForAllValues / ForAnyValue reduce to the plain test.
    if negated { !any } else { any }
}

fn applies(s: &St, who: &Who, action: &str, resource: &str, ctx: &Context) -> bool {
    let action_hit = s.actions.iter().any(|a| glob(a, action, true));
    if action_hit == s.not_action {
        return false;
    }
    let resource_hit = s
        .resources
        .iter()
        .filter_map(|r| substitute(r, who, ctx))
        .any(|r| glob(&r, resource, false));
    if resource_hit == s.not_resource {
        return false;
    }
    s.conds.iter().all(|c| cond_holds(c, who, ctx))
}

/// What AWS decides for identity policies `statements`, AWS managed policies
/// `managed` (their statements), and a boundary's statements if any.
pub fn allowed(
    statements: &[St],
    managed: &[St],
    boundary: Option<&[St]>,
    who: &Who,
    action: &str,
    resource: &str,
    ctx: &Context,
) -> bool {
    let all = statements.iter().chain(managed);
    let b = boundary.unwrap_or(&[]);
    if all
        .clone()
        .chain(b)
        .any(|s| s.deny && applies(s, who, action, resource, ctx))
    {
        return false;
    }
    let identity = all
        .filter(|s| !s.deny)
        .any(|s| applies(s, who, action, resource, ctx));
    let bounded = boundary.is_none()
        || b.iter()
            .any(|s| !s.deny && applies(s, who, action, resource, ctx));
    identity && bounded
}

/// Every context over the keys (each missing, or one of its values).
pub fn contexts<'a>(keys: impl IntoIterator<Item = &'a (&'a str, &'a [&'a str])>) -> Vec<Context> {
    let mut out = vec![Context::new()];
    for (key, values) in keys {
        let mut next = Vec::new();
        for c in &out {
            next.push(c.clone());
            for v in values.iter() {
                let mut c = c.clone();
                c.insert(key.to_string(), v.to_string());
                next.push(c);
            }
        }
        out = next;
    }
    out
}

/// A small deterministic random source (xorshift).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}
