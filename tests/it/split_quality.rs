//! Split quality: every principal of the benchmark organisations gets at most
//! one managed policy more than the lower bound, and adversarial principals
//! (a 40,000-character S3 principal, six services at 55% of a policy) split
//! as the book's "Limits and splitting" chapter promises.

use crate::support;
use iamc::config::Config;
use iamc::model::DOCUMENT_OVERHEAD;
use std::collections::BTreeMap;

/// For each principal: (parts, lower bound). The bound is the larger of
/// ⌈total / room⌉ and, for the services that must have parts of their own
/// (at least half a policy), the sum of ⌈service / room⌉.
fn parts_and_bounds(files: &[(String, String)], config: &Config) -> Vec<(usize, usize)> {
    let sources = support::sources(files);
    let compiled =
        iamc::compile(&sources, config).unwrap_or_else(|d| panic!("{}", d.render_text(&sources)));
    let room = config.limits.policy_size - DOCUMENT_OVERHEAD + 1;
    let lowered = compiled.lowered();
    compiled
        .managed_policies()
        .map(|(_, parts)| {
            let mut services: BTreeMap<Option<String>, usize> = BTreeMap::new();
            for p in parts {
                assert!(p.size <= config.limits.policy_size, "{} is too big", p.name);
                for &s in &p.statements {
                    let st = &lowered.statements[s];
                    *services
                        .entry(st.statement.service().map(str::to_string))
                        .or_default() += st.size + 1;
                }
            }
            let total: usize = services.values().sum();
            let own: usize = services
                .iter()
                .filter(|(name, w)| name.is_some() && **w * 2 >= room)
                .map(|(_, w)| w.div_ceil(room))
                .sum();
            (parts.len(), total.div_ceil(room).max(own))
        })
        .collect()
}

fn check_organisation(roles: usize) {
    let results = parts_and_bounds(&support::organisation(roles), &Config::default());
    let mut distribution: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for &(parts, bound) in &results {
        *distribution.entry((bound, parts)).or_default() += 1;
    }
    eprintln!("{roles} roles: (lower bound, parts) -> principals: {distribution:?}");
    let worst = results.iter().map(|&(p, b)| p as isize - b as isize).max();
    assert!(worst <= Some(1), "{roles} roles: {distribution:?}");
}

#[test]
fn benchmark_organisation_100_within_one_of_the_bound() {
    check_organisation(100);
}

#[test]
fn benchmark_organisation_1000_within_one_of_the_bound() {
    check_organisation(1000);
}

#[test]
fn benchmark_organisation_10000_within_one_of_the_bound() {
    check_organisation(10_000);
}

/// `count` policies of one service, each one statement of about `size` characters.
fn service_policies(service: &str, action: &str, count: usize, size: usize) -> String {
    let mut text = String::new();
    for i in 0..count {
        let pad = "x".repeat(size.saturating_sub(120));
        text.push_str(&format!(
            "policy {service}{i:03} {{\n  allow {action} on \"arn:aws:{service}:::{pad}-{i}\"\n}}\n"
        ));
    }
    text
}

fn one_role(policies: &str, names: impl Iterator<Item = String>) -> Vec<(String, String)> {
    let grants: Vec<String> = names.collect();
    let roles = format!(
        "group All {{ {} }}\ntrust Ec2 {{ service \"ec2.amazonaws.com\" }}\nrole Big {{\n  grants All\n  trust Ec2\n}}\n",
        grants.join(", ")
    );
    vec![
        ("policies.iam".into(), policies.to_string()),
        ("roles.iam".into(), roles),
    ]
}

#[test]
fn forty_thousand_characters_of_s3_fit_in_seven_parts() {
    // Statements of uneven sizes (150 to 900 characters), 40,000 in all.
    let mut policies = String::new();
    let mut names = Vec::new();
    let mut total = 0;
    let mut i = 0;
    while total < 40_000 {
        let size = 150 + (i * 397) % 750;
        let pad = "x".repeat(size - 100);
        policies.push_str(&format!(
            "policy S3Read{i:03} {{\n  allow s3:GetObject on \"arn:aws:s3:::{pad}/{i}/*\"\n}}\n"
        ));
        names.push(format!("S3Read{i:03}"));
        total += size;
        i += 1;
    }
    let files = one_role(&policies, names.into_iter());
    let results = parts_and_bounds(&files, &Config::default());
    let (parts, bound) = results[0];
    eprintln!("40,000 characters of S3: {parts} parts, lower bound {bound}");
    assert!(parts <= 7, "{parts} parts");
}

#[test]
fn six_services_at_55_percent_each_get_a_part_each() {
    let services = [
        ("sqs", "sqs:SendMessage"),
        ("sns", "sns:Publish"),
        ("kms", "kms:Decrypt"),
        ("logs", "logs:PutLogEvents"),
        ("ecr", "ecr:BatchGetImage"),
        ("lambda", "lambda:InvokeFunction"),
    ];
    let mut policies = String::new();
    let mut names = Vec::new();
    for (service, action) in services {
        // 11 statements of about 320 characters: 55-60% of a policy.
        policies.push_str(&service_policies(service, action, 11, 335));
        names.extend((0..11).map(|i| format!("{service}{i:03}")));
    }
    let files = one_role(&policies, names.into_iter());
    let results = parts_and_bounds(&files, &Config::default());
    let (parts, bound) = results[0];
    eprintln!("six services at 55%: {parts} parts, lower bound {bound}");
    assert_eq!(parts, 6);
    assert!(parts <= bound + 1);
}

#[test]
fn a_service_just_over_one_policy_shares_its_last_statements() {
    // S3 at about 1.03 policies, and a small SecretsManager: the S3
    // statements that do not fit its policy join Misc instead of a nearly
    // empty S3Part2.
    let mut policies = service_policies("s3", "s3:GetObject", 23, 300);
    policies.push_str(&service_policies(
        "secretsmanager",
        "secretsmanager:GetSecretValue",
        5,
        300,
    ));
    let names = (0..23)
        .map(|i| format!("s3{i:03}"))
        .chain((0..5).map(|i| format!("secretsmanager{i:03}")));
    let files = one_role(&policies, names);
    let sources = support::sources(&files);
    let compiled = iamc::compile(&sources, &Config::default())
        .unwrap_or_else(|d| panic!("{}", d.render_text(&sources)));
    let lowered = compiled.lowered();
    let (_, parts) = compiled.managed_policies().next().unwrap();
    let layout: Vec<(&str, Vec<&str>)> = parts
        .iter()
        .map(|p| {
            let sids = p
                .statements
                .iter()
                .map(|&s| lowered.statements[s].sid.as_str())
                .collect();
            (p.name.as_str(), sids)
        })
        .collect();
    assert_eq!(layout.len(), 2, "{layout:?}");
    assert_eq!(layout[0].0, "S3");
    assert!(layout[0].1.iter().all(|s| s.starts_with("s3")));
    assert_eq!(layout[1].0, "Misc");
    assert!(
        layout[1].1.iter().any(|s| s.starts_with("s3")),
        "{layout:?}"
    );
    assert!(layout[1].1.iter().any(|s| s.starts_with("secretsmanager")));
}
