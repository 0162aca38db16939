//! The differential test of `diff` and `explain`: random programs and random
//! edits over a small universe; an independent brute-force evaluator
//! (`support/oracle.rs`) enumerates every request of the universe. Whenever
//! it finds a request allowed after the edit and not before, `diff` must say
//! the principal broadens or may broaden (zero misses); every witness `diff`
//! gives must be one the oracle confirms; `explain`'s decisions must agree
//! with the oracle's. `IAMC_DIFF_CASES=N` runs N cases (default 10,000),
//! `IAMC_DIFF_SEED` picks the seed.

use crate::support;
use iamc::config::Config;
use iamc::iam::compare::Change;
use iamc::iam::eval::{self, Request, Verdict};
use iamc::review::{access, diff};
use std::collections::BTreeMap;
use support::oracle::{self, Cond, Context, Rng, St, Who};

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "ec2:RunInstances",
    "iam:PassRole",
];
const ACTION_PATTERNS: &[&str] = &["s3:*", "s3:Get*", "*", "s3:?utObject", "s3:*Object"];
const RESOURCES: &[&str] = &[
    "arn:aws:s3:::data/a",
    "arn:aws:s3:::data/b",
    "arn:aws:s3:::logs/a",
    "arn:aws:s3:::homes/Alice/x",
    "arn:aws:s3:::homes/bob/x",
    "arn:aws:s3:::data",
];
const RESOURCE_PATTERNS: &[&str] = &[
    "arn:aws:s3:::data/*",
    "arn:aws:s3:::*",
    "*",
    "arn:aws:s3:::homes/${aws:username}/*",
    "arn:aws:s3:::homes/${aws:PrincipalTag/Owner}/*",
    "arn:aws:s3:::${Prefix}*",
    "arn:aws:s3:::homes/*/x",
];
/// Condition keys and the values a request may carry (or none).
const KEYS: &[(&str, &[&str])] = &[
    ("aws:requestedregion", &["us-east-1", "eu-west-1"]),
    ("aws:securetransport", &["true", "false"]),
    ("s3:prefix", &["Alice/", "bob/"]),
    ("aws:sourceip", &["10.0.0.1", "192.168.1.1"]),
];
const BOUNDARIES: &[&str] = &[
    "arn:aws:iam::123456789012:policy/BoundaryS3",
    "arn:aws:iam::123456789012:policy/BoundaryAll",
];
const MANAGED: &str = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
const GITHUB: &str = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const SUB: &str = "token.actions.githubusercontent.com:sub";
const AUD: &str = "token.actions.githubusercontent.com:aud";

/// The statements the oracle gives what iamc cannot see.
fn boundary_statements(i: usize) -> Vec<St> {
    let action = if i == 0 { "s3:*" } else { "*" };
    vec![st(false, &[action], &["*"])]
}

fn managed_statements() -> Vec<St> {
    vec![st(false, &["s3:Get*"], &["*"])]
}

fn st(deny: bool, actions: &[&str], resources: &[&str]) -> St {
    St {
        deny,
        not_action: false,
        actions: actions.iter().map(|s| s.to_string()).collect(),
        not_resource: false,
        resources: resources.iter().map(|s| s.to_string()).collect(),
        conds: Vec::new(),
    }
}

#[derive(Clone, Debug)]
struct TrustEntry {
    kind: &'static str,
    principal: String,
    /// `actions [...]`: session actions named besides the assume action.
    session: Vec<&'static str>,
    conds: Vec<Cond>,
}

/// The session actions a trust entry may name.
const SESSION_ACTIONS: &[&str] = &["sts:TagSession", "sts:SetSourceIdentity"];

#[derive(Clone, Debug)]
struct Prog {
    policies: Vec<Vec<St>>,
    alice: Vec<usize>,
    bob: Vec<usize>,
    owner_tag: Option<String>,
    prefix: String,
    boundary: Option<usize>,
    managed: bool,
    trust: Vec<TrustEntry>,
}

fn gen_condition(rng: &mut Rng) -> Cond {
    let c = |op: &str, key: &str, values: Vec<&str>| Cond {
        op: op.into(),
        key: key.into(),
        values: values.into_iter().map(String::from).collect(),
    };
    let subset = |rng: &mut Rng, items: &[&'static str]| -> Vec<&'static str> {
        let mut out: Vec<&str> = items.iter().copied().filter(|_| rng.chance(50)).collect();
        if out.is_empty() {
            out.push(*rng.pick(items));
        }
        out
    };
    match rng.below(4) {
        0 => {
            let op = *rng.pick(&[
                "StringEquals",
                "StringNotEquals",
                "StringLike",
                "StringNotLike",
                "StringEqualsIfExists",
                "StringNotEqualsIfExists",
                "ForAnyValue:StringEquals",
                "ForAllValues:StringEquals",
            ]);
            c(
                op,
                "aws:RequestedRegion",
                subset(rng, &["us-east-1", "eu-west-1", "us-*"]),
            )
        }
        1 => {
            if rng.chance(70) {
                c(
                    "Bool",
                    "aws:SecureTransport",
                    vec![*rng.pick(&["true", "false"])],
                )
            } else {
                c(
                    "Null",
                    "aws:SecureTransport",
                    vec![*rng.pick(&["true", "false"])],
                )
            }
        }
        2 => c(
            ["StringLike", "StringNotLike"][rng.below(2)],
            "s3:prefix",
            subset(rng, &["Alice/*", "bob/*", "${aws:username}/*"]),
        ),
        _ => c(
            ["IpAddress", "NotIpAddress"][rng.below(2)],
            "aws:SourceIp",
            subset(rng, &["10.0.0.0/8", "192.168.0.0/16"]),
        ),
    }
}

fn gen_list(rng: &mut Rng, exact: &[&str], patterns: &[&str]) -> Vec<String> {
    let n = 1 + rng.below(2);
    let mut out: Vec<String> = (0..n)
        .map(|_| {
            if rng.chance(50) {
                rng.pick(exact).to_string()
            } else {
                rng.pick(patterns).to_string()
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn gen_statement(rng: &mut Rng) -> St {
    St {
        deny: rng.chance(30),
        not_action: rng.chance(10),
        actions: gen_list(rng, ACTIONS, ACTION_PATTERNS),
        not_resource: rng.chance(10),
        resources: gen_list(rng, RESOURCES, RESOURCE_PATTERNS),
        conds: (0..rng.below(3).saturating_sub(1))
            .map(|_| gen_condition(rng))
            .collect(),
    }
}

fn gen_trust(rng: &mut Rng) -> TrustEntry {
    let plain = |kind: &'static str, p: &str| TrustEntry {
        kind,
        principal: p.into(),
        session: Vec::new(),
        conds: Vec::new(),
    };
    let mut entry = match rng.below(7) {
        0 => plain("service", "ec2.amazonaws.com"),
        6 => plain("service", "pods.eks.amazonaws.com"),
        1 => plain("service", "lambda.amazonaws.com"),
        2 => plain("aws", "arn:aws:iam::111111111111:root"),
        3 => plain("aws", "arn:aws:iam::111111111111:role/ci"),
        4 => plain("aws", "arn:aws:iam::222222222222:root"),
        _ => {
            let mut conds = Vec::new();
            if rng.chance(80) {
                let mut subs: Vec<String> = ["repo:acme/*", "repo:acme/app:*"]
                    .iter()
                    .filter(|_| rng.chance(60))
                    .map(|s| s.to_string())
                    .collect();
                if subs.is_empty() {
                    subs.push("repo:acme/app:*".into());
                }
                conds.push(Cond {
                    op: "StringLike".into(),
                    key: SUB.into(),
                    values: subs,
                });
            }
            if rng.chance(50) {
                conds.push(Cond {
                    op: "StringEquals".into(),
                    key: AUD.into(),
                    values: vec!["sts.amazonaws.com".into()],
                });
            }
            TrustEntry {
                kind: "federated",
                principal: GITHUB.into(),
                session: Vec::new(),
                conds,
            }
        }
    };
    entry.session = SESSION_ACTIONS
        .iter()
        .copied()
        .filter(|_| rng.chance(20))
        .collect();
    entry
}

fn gen_program(rng: &mut Rng) -> Prog {
    let n = 1 + rng.below(3);
    let policies: Vec<Vec<St>> = (0..n)
        .map(|_| (0..1 + rng.below(2)).map(|_| gen_statement(rng)).collect())
        .collect();
    let grants = |rng: &mut Rng| {
        let mut g: Vec<usize> = (0..n).filter(|_| rng.chance(60)).collect();
        if g.is_empty() {
            g.push(rng.below(n));
        }
        g
    };
    Prog {
        alice: grants(rng),
        bob: grants(rng),
        policies,
        owner_tag: rng
            .chance(70)
            .then(|| rng.pick(&["bob", "Alice"]).to_string()),
        prefix: rng.pick(&["data", "logs", "", "homes/"]).to_string(),
        boundary: rng.chance(25).then(|| rng.below(2)),
        managed: rng.chance(15),
        trust: (0..1 + rng.below(2)).map(|_| gen_trust(rng)).collect(),
    }
}

/// One small random edit (sometimes two).
fn edit(p: &Prog, rng: &mut Rng) -> Prog {
    let mut q = p.clone();
    for _ in 0..1 + usize::from(rng.chance(20)) {
        let pi = rng.below(q.policies.len());
        let si = rng.below(q.policies[pi].len());
        let s = &mut q.policies[pi][si];
        match rng.below(17) {
            0 => s.deny = !s.deny,
            1 => s.not_action = !s.not_action,
            2 => s.not_resource = !s.not_resource,
            3 => s.actions = gen_list(rng, ACTIONS, ACTION_PATTERNS),
            4 => s.resources = gen_list(rng, RESOURCES, RESOURCE_PATTERNS),
            5 => s.conds.push(gen_condition(rng)),
            6 if !s.conds.is_empty() => {
                let i = rng.below(s.conds.len());
                s.conds.remove(i);
            }
            7 if !s.conds.is_empty() => {
                // Add or remove one value of one condition.
                let i = rng.below(s.conds.len());
                let fresh = gen_condition(rng);
                let c = &mut s.conds[i];
                if c.values.len() > 1 && rng.chance(50) {
                    let v = rng.below(c.values.len());
                    c.values.remove(v);
                } else if fresh.key == c.key {
                    c.values.extend(fresh.values);
                    c.values.sort();
                    c.values.dedup();
                } else if c.op == "Bool" || c.op == "Null" {
                    c.values = vec![
                        if c.values[0] == "true" {
                            "false"
                        } else {
                            "true"
                        }
                        .into(),
                    ];
                }
            }
            8 => q.policies[pi].push(gen_statement(rng)),
            9 if q.policies[pi].len() > 1 => {
                q.policies[pi].remove(si);
            }
            10 => {
                q.owner_tag = rng
                    .chance(70)
                    .then(|| rng.pick(&["bob", "Alice", "carol"]).to_string())
            }
            11 => q.prefix = rng.pick(&["data", "logs", "", "homes/"]).to_string(),
            12 => q.boundary = rng.chance(50).then(|| rng.below(2)),
            13 => q.managed = !q.managed,
            14 => {
                let who = if rng.chance(50) {
                    &mut q.alice
                } else {
                    &mut q.bob
                };
                let n = q.policies.len();
                let i = rng.below(n);
                if who.contains(&i) && who.len() > 1 {
                    who.retain(|x| *x != i);
                } else if !who.contains(&i) {
                    who.push(i);
                    who.sort();
                }
            }
            15 => {
                if q.trust.len() > 1 && rng.chance(50) {
                    let i = rng.below(q.trust.len());
                    q.trust.remove(i);
                } else {
                    q.trust.push(gen_trust(rng));
                }
            }
            _ if rng.chance(50) => {
                // One session action named or dropped, the principal kept.
                let i = rng.below(q.trust.len());
                let a = SESSION_ACTIONS[rng.below(SESSION_ACTIONS.len())];
                let session = &mut q.trust[i].session;
                if session.contains(&a) {
                    session.retain(|x| *x != a);
                } else {
                    session.push(a);
                }
            }
            _ => {
                let i = rng.below(q.trust.len());
                q.trust[i] = gen_trust(rng);
            }
        }
    }
    q
}

fn quoted(items: &[String]) -> String {
    let q: Vec<String> = items.iter().map(|s| format!("\"{s}\"")).collect();
    format!("[{}]", q.join(", "))
}

fn render(p: &Prog) -> String {
    let mut out = String::new();
    let uses_prefix = p
        .policies
        .iter()
        .flatten()
        .any(|s| s.resources.iter().any(|r| r.contains("${Prefix}")));
    if uses_prefix {
        out.push_str(&format!(
            "param Prefix {{\n  default \"{}\"\n}}\n\n",
            p.prefix
        ));
    }
    for (i, statements) in p.policies.iter().enumerate() {
        out.push_str(&format!("policy P{i} {{\n"));
        for s in statements {
            out.push_str(&format!(
                "  {} {}[{}] on {}{}\n",
                if s.deny { "deny" } else { "allow" },
                if s.not_action { "not " } else { "" },
                s.actions.join(", "),
                if s.not_resource { "not " } else { "" },
                quoted(&s.resources)
            ));
            for c in &s.conds {
                out.push_str(&format!(
                    "    when {} \"{}\" {}\n",
                    c.op,
                    c.key,
                    quoted(&c.values)
                ));
            }
        }
        out.push_str("}\n\n");
    }
    out.push_str("trust BobTrust {\n");
    for t in &p.trust {
        out.push_str(&format!("  {} \"{}\"", t.kind, t.principal));
        if !t.session.is_empty() {
            out.push_str(&format!("\n    actions [{}]", t.session.join(", ")));
        }
        for c in &t.conds {
            out.push_str(&format!(
                "\n    when {} \"{}\" {}",
                c.op,
                c.key,
                quoted(&c.values)
            ));
        }
        out.push('\n');
    }
    out.push_str("}\n\n");
    let names = |g: &[usize]| {
        g.iter()
            .map(|i| format!("P{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    out.push_str(&format!(
        "user Alice {{\n  grants {}\n}}\n\n",
        names(&p.alice)
    ));
    out.push_str(&format!(
        "role Bob {{\n  grants {}\n  trust BobTrust\n",
        names(&p.bob)
    ));
    if let Some(t) = &p.owner_tag {
        out.push_str(&format!("  tag Owner \"{t}\"\n"));
    }
    if let Some(b) = p.boundary {
        out.push_str(&format!("  boundary \"{}\"\n", BOUNDARIES[b]));
    }
    if p.managed {
        out.push_str(&format!("  managed \"{MANAGED}\"\n"));
    }
    out.push_str("}\n");
    out
}

/// The identity statements of a principal, params at their default.
fn statements_of(p: &Prog, grants: &[usize]) -> Vec<St> {
    grants
        .iter()
        .flat_map(|i| p.policies[*i].iter().cloned())
        .map(|mut s| {
            for r in &mut s.resources {
                *r = r.replace("${Prefix}", &p.prefix);
            }
            s
        })
        .collect()
}

fn who(p: &Prog, user: bool) -> Who {
    if user {
        Who {
            user_name: Some("Alice".into()),
            owner_tag: None,
        }
    } else {
        Who {
            user_name: None,
            owner_tag: p.owner_tag.clone(),
        }
    }
}

fn keys_named(progs: &[&Prog]) -> Vec<&'static (&'static str, &'static [&'static str])> {
    KEYS.iter()
        .filter(|(k, _)| {
            progs
                .iter()
                .flat_map(|p| p.policies.iter().flatten())
                .flat_map(|s| &s.conds)
                .any(|c| c.key.eq_ignore_ascii_case(k))
        })
        .collect()
}

/// What the oracle knows of one principal of one program.
struct Model {
    statements: Vec<St>,
    managed: Vec<St>,
    boundary: Option<Vec<St>>,
    who: Who,
}

fn model(p: &Prog, user: bool) -> Model {
    Model {
        statements: statements_of(p, if user { &p.alice } else { &p.bob }),
        managed: if !user && p.managed {
            managed_statements()
        } else {
            Vec::new()
        },
        boundary: if user {
            None
        } else {
            p.boundary.map(boundary_statements)
        },
        who: who(p, user),
    }
}

fn decide_model(m: &Model, action: &str, resource: &str, ctx: &Context) -> bool {
    oracle::allowed(
        &m.statements,
        &m.managed,
        m.boundary.as_deref(),
        &m.who,
        action,
        resource,
        ctx,
    )
}

fn decide_oracle(p: &Prog, user: bool, action: &str, resource: &str, ctx: &Context) -> bool {
    decide_model(&model(p, user), action, resource, ctx)
}

/// A request allowed by `after` and not by `before`, if any.
fn new_access(before: &Prog, after: &Prog, user: bool) -> Option<(String, String, Context)> {
    let (b, a) = (model(before, user), model(after, user));
    for ctx in oracle::contexts(keys_named(&[before, after])) {
        for action in ACTIONS {
            for resource in RESOURCES {
                if decide_model(&a, action, resource, &ctx)
                    && !decide_model(&b, action, resource, &ctx)
                {
                    return Some((action.to_string(), resource.to_string(), ctx));
                }
            }
        }
    }
    None
}

const TRUSTED: &[(&str, &str)] = &[
    ("service", "ec2.amazonaws.com"),
    ("service", "lambda.amazonaws.com"),
    ("service", "pods.eks.amazonaws.com"),
    ("aws", "arn:aws:iam::111111111111:role/ci"),
    ("aws", "arn:aws:iam::222222222222:role/x"),
    ("federated", GITHUB),
];

/// Whether the trust lets `principal` take `action`: the assume action of
/// its kind, a session action its entry names, or `sts:TagSession`, which
/// AWS documents that EKS Pod Identity needs (iamc adds it).
fn trust_allows(p: &Prog, kind: &str, principal: &str, action: &str, ctx: &Context) -> bool {
    let nobody = Who {
        user_name: None,
        owner_tag: None,
    };
    p.trust.iter().any(|t| {
        let who_matches = t.kind == kind
            && match t.principal.strip_suffix(":root") {
                // A whole account: every principal in it.
                Some(account) => principal.starts_with(&format!("{account}:")),
                None => t.principal == principal,
            };
        let action_matches = action == "assume"
            || t.session.contains(&action)
            || (t.principal == "pods.eks.amazonaws.com" && action == "sts:TagSession");
        who_matches && action_matches && t.conds.iter().all(|c| oracle::cond_holds(c, &nobody, ctx))
    })
}

fn new_trust(before: &Prog, after: &Prog) -> bool {
    let subs = [
        "repo:acme/app:ref:refs/heads/main",
        "repo:acme/other:x",
        "repo:evil/app:x",
    ];
    for (kind, principal) in TRUSTED {
        let mut ctxs = vec![Context::new()];
        if *kind == "federated" {
            for s in subs {
                for aud in [None, Some("sts.amazonaws.com"), Some("other")] {
                    let mut c = Context::new();
                    c.insert(SUB.to_ascii_lowercase(), s.into());
                    if let Some(a) = aud {
                        c.insert(AUD.to_ascii_lowercase(), a.into());
                    }
                    ctxs.push(c);
                }
            }
        }
        for c in &ctxs {
            for action in ["assume", "sts:TagSession", "sts:SetSourceIdentity"] {
                if trust_allows(after, kind, principal, action, c)
                    && !trust_allows(before, kind, principal, action, c)
                {
                    return true;
                }
            }
        }
    }
    false
}

fn compile(text: &str) -> Option<iamc::Compiled> {
    let sources = support::sources(&[("main.iam".to_string(), text.to_string())]);
    iamc::compile(&sources, &Config::default()).ok()
}

/// iamc's witness, checked by the oracle: allowed after, not before.
fn witness_holds(before: &Prog, after: &Prog, user: bool, w: &Request) -> bool {
    let ctx: Context = w
        .context
        .iter()
        .filter_map(|(k, v)| v.first().map(|v| (k.clone(), v.clone())))
        .collect();
    decide_oracle(after, user, &w.action, &w.resource, &ctx)
        && !decide_oracle(before, user, &w.action, &w.resource, &ctx)
}

#[derive(Default, Debug)]
struct Tally {
    cases: usize,
    skipped: usize,
    new_access: usize,
    flagged: usize,
    proven: usize,
    false_alarms: usize,
    explain_checks: usize,
}

#[test]
fn diff_never_misses_new_access_and_explain_agrees_with_the_oracle() {
    let cases: usize = std::env::var("IAMC_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let seed: u64 = std::env::var("IAMC_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x1a4c_2026);
    let mut rng = Rng(seed | 1);
    let mut t = Tally::default();
    let mut failures: Vec<String> = Vec::new();
    let start = std::time::Instant::now();
    let mut timing = [0f64; 3];
    let mut base: Option<(Prog, String, Option<iamc::Compiled>)> = None;
    while t.cases < cases {
        // Each base program is edited four times, compiled once.
        if t.cases % 4 == 0 || base.is_none() {
            let p = gen_program(&mut rng);
            let text = render(&p);
            let compiled = compile(&text);
            base = Some((p, text, compiled));
        }
        let Some((before, b_text, b)) = &base else {
            continue;
        };
        let after = edit(before, &mut rng);
        let a_text = render(&after);
        let t0 = std::time::Instant::now();
        let compiled = (b.as_ref(), compile(&a_text));
        timing[0] += t0.elapsed().as_secs_f64();
        let (Some(b), Some(a)) = compiled else {
            base = None;
            t.skipped += 1;
            if t.skipped > cases {
                panic!("too many programs do not compile; last:\n{a_text}");
            }
            continue;
        };
        t.cases += 1;
        let t0 = std::time::Instant::now();
        let d = diff::diff(b, &a, "before", "after");
        timing[1] += t0.elapsed().as_secs_f64();
        let t0 = std::time::Instant::now();
        let access_of = |name: &str, of: &str| -> Option<Change> {
            d.principals
                .iter()
                .find(|p| p.name == name)
                .and_then(|p| p.access.iter().find(|x| x.of == of))
                .map(|x| x.change.clone())
        };
        for (name, user) in [("Alice", true), ("Bob", false)] {
            let found = new_access(before, &after, user);
            let flag = access_of(name, "permissions");
            if found.is_some() {
                t.new_access += 1;
            }
            match (&found, &flag) {
                (Some(w), None) => failures.push(format!(
                    "MISS: {name} newly allowed {w:?}\n--- before\n{b_text}--- after\n{a_text}"
                )),
                (None, Some(Change::MayBroaden { .. })) => t.false_alarms += 1,
                _ => {}
            }
            if flag.is_some() {
                t.flagged += 1;
            }
            if let Some(Change::Broadens { witness }) = &flag {
                t.proven += 1;
                if !witness_holds(before, &after, user, witness) {
                    failures.push(format!(
                        "WRONG WITNESS: {name} {witness:?}\n--- before\n{b_text}--- after\n{a_text}"
                    ));
                }
            }
        }
        if new_trust(before, &after) && access_of("Bob", "trust").is_none() {
            failures.push(format!(
                "MISS (trust): Bob\n--- before\n{b_text}--- after\n{a_text}"
            ));
        }
        timing[2] += t0.elapsed().as_secs_f64();
        // explain: the core's decision on the compiled program against the
        // oracle's, for a few requests with a full context.
        let subjects: BTreeMap<String, access::Subject> = (0..a.len())
            .flat_map(|i| access::subjects(&a, i))
            .map(|s| (s.name.clone(), s))
            .collect();
        for (name, user) in [("Alice", true), ("Bob", false)] {
            let Some(subject) = subjects.get(name) else {
                failures.push(format!("no subject {name}"));
                continue;
            };
            for _ in 0..3 {
                let action = *rng.pick(ACTIONS);
                let resource = *rng.pick(RESOURCES);
                let mut ctx = Context::new();
                for (k, values) in KEYS {
                    if rng.chance(70) {
                        ctx.insert(k.to_string(), rng.pick(values).to_string());
                    }
                }
                let request = Request {
                    action: action.into(),
                    resource: resource.into(),
                    context: ctx
                        .iter()
                        .map(|(k, v)| (k.clone(), vec![v.clone()]))
                        .collect(),
                    open: false,
                };
                let got = eval::decide(&subject.permissions, &request).verdict;
                let want = decide_oracle(&after, user, action, resource, &ctx);
                t.explain_checks += 1;
                let agrees = match got {
                    Verdict::Allowed => want,
                    Verdict::Denied => !want,
                    // Only what iamc cannot see (boundary, AWS managed) may leave it open.
                    Verdict::Depends => !user && (after.boundary.is_some() || after.managed),
                };
                if !agrees {
                    failures.push(format!(
                        "EXPLAIN: {name} {action} {resource} {ctx:?}: iamc {got:?}, oracle allowed={want}\n{a_text}"
                    ));
                }
            }
        }
        if failures.len() > 5 {
            break;
        }
    }
    let precision = if t.flagged == 0 {
        1.0
    } else {
        1.0 - t.false_alarms as f64 / t.flagged as f64
    };
    eprintln!(
        "differential: {} cases ({} skipped) in {:.1}s; principals with new access {}, flagged {} ({} proven by a witness), flags without new access {} (precision {:.3}); explain checks {}",
        t.cases,
        t.skipped,
        start.elapsed().as_secs_f64(),
        t.new_access,
        t.flagged,
        t.proven,
        t.false_alarms,
        precision,
        t.explain_checks
    );
    eprintln!("timing compile/diff/oracle: {timing:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        t.new_access > cases / 10,
        "the generator must produce broadening edits: {t:?}"
    );
}
