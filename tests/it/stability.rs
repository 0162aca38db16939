//! Stability: adding, removing or renaming one policy of a group changes, for
//! each principal, only the managed policies holding that policy's service:
//! no other service's statements move. Measured on benchmark organisations
//! of 300, 1,000 and 10,000 roles.

use crate::support;
use iamc::config::Config;
use std::collections::{BTreeMap, BTreeSet};

/// A managed policy: its statements' Sids with their services.
type Document = Vec<(String, Option<String>)>;

/// Principal → managed-policy name → document.
fn documents(files: &[(String, String)]) -> BTreeMap<String, BTreeMap<String, Document>> {
    let sources = support::sources(files);
    let compiled = iamc::compile(&sources, &Config::default())
        .unwrap_or_else(|d| panic!("{}", d.render_text(&sources)));
    let lowered = compiled.lowered();
    compiled
        .managed_policies()
        .map(|(decl, parts)| {
            let name = compiled.program().decls[decl].name.name.clone();
            let docs = parts
                .iter()
                .map(|p| {
                    let doc = p
                        .statements
                        .iter()
                        .map(|&s| {
                            let l = &lowered.statements[s];
                            (l.sid.clone(), l.statement.service().map(str::to_string))
                        })
                        .collect();
                    (p.name.clone(), doc)
                })
                .collect();
            (name, docs)
        })
        .collect()
}

/// Compares two compilations; returns (principals affected, documents
/// changed → principals). Fails when a changed document holds no statement
/// of `service` before or after and is not a shared Misc policy.
fn compare(
    before: &[(String, String)],
    after: &[(String, String)],
    service: &str,
    what: &str,
) -> (usize, BTreeMap<usize, usize>) {
    let old = documents(before);
    let new = documents(after);
    let mut affected = 0;
    let mut histogram: BTreeMap<usize, usize> = BTreeMap::new();
    let mut collateral: BTreeMap<String, usize> = BTreeMap::new();
    for (principal, old_docs) in &old {
        let new_docs = &new[principal];
        let names: BTreeSet<&String> = old_docs.keys().chain(new_docs.keys()).collect();
        let changed: Vec<&String> = names
            .into_iter()
            .filter(|n| old_docs.get(*n) != new_docs.get(*n))
            .collect();
        if changed.is_empty() {
            continue;
        }
        affected += 1;
        *histogram.entry(changed.len()).or_default() += 1;
        for name in changed {
            let holds = |docs: &BTreeMap<String, Document>| {
                docs.get(name)
                    .is_some_and(|d| d.iter().any(|(_, s)| s.as_deref() == Some(service)))
            };
            if holds(old_docs) || holds(new_docs) {
                continue;
            }
            // Another service's statements moved: only the shared Misc
            // policies may be repacked; a service's own policies never move.
            assert!(
                name.starts_with("Misc"),
                "{what}: {principal}'s {name} changed but holds no {service} statement\n\
                 before: {:?}\nafter: {:?}",
                old_docs.get(name),
                new_docs.get(name)
            );
            *collateral.entry(principal.clone()).or_default() += 1;
        }
    }
    eprintln!(
        "{what}: {affected} principals affected; changed documents -> principals: \
         {histogram:?}; Misc repacked for {} principals",
        collateral.len()
    );
    (affected, histogram)
}

fn edit(
    files: &[(String, String)],
    file: &str,
    f: impl Fn(&str) -> String,
) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(n, t)| (n.clone(), if n == file { f(t) } else { t.clone() }))
        .collect()
}

/// The first team group's body and a policy member of it from `s3.iam`.
fn team_with_s3_member(files: &[(String, String)]) -> (String, String) {
    let s3 = &files.iter().find(|(n, _)| n == "s3.iam").unwrap().1;
    let groups = &files.iter().find(|(n, _)| n == "groups.iam").unwrap().1;
    for block in groups.split("\n\n") {
        if !block.starts_with("group Team") {
            continue;
        }
        for member in block.lines().skip(1).map(str::trim) {
            if s3.contains(&format!("policy {member} {{")) {
                return (block.to_string(), member.to_string());
            }
        }
    }
    panic!("no team group with an S3 policy");
}

#[test]
fn adding_removing_renaming_a_policy_moves_no_other_service_300_roles() {
    check_stability(300);
}

#[test]
fn adding_removing_renaming_a_policy_moves_no_other_service_1000_roles() {
    check_stability(1000);
}

#[test]
fn adding_removing_renaming_a_policy_moves_no_other_service_10000_roles() {
    check_stability(10_000);
}

fn check_stability(roles: usize) {
    let files = support::organisation(roles);
    let (block, member) = team_with_s3_member(&files);

    // Add a new S3 policy to the team.
    let added = edit(&files, "s3.iam", |t| {
        format!(
            "{t}\npolicy S3AddedForStability {{\n  allow s3:GetObject on \"arn:aws:s3:::stability-bucket/*\"\n}}\n"
        )
    });
    let added = edit(&added, "groups.iam", |t| {
        t.replacen(
            &block,
            &block.replacen('\n', "\n  S3AddedForStability\n", 1),
            1,
        )
    });
    let (affected, _) = compare(&files, &added, "s3", "add");
    assert!(affected > 0, "adding a policy changed nothing");

    // Remove the S3 member from the team.
    let removed = edit(&files, "groups.iam", |t| {
        t.replacen(
            &block,
            &block.replacen(&format!("\n  {member}\n"), "\n", 1),
            1,
        )
    });
    let (affected, _) = compare(&files, &removed, "s3", "remove");
    assert!(affected > 0, "removing a policy changed nothing");

    // Rename the S3 policy everywhere (its Sid changes).
    let renamed: Vec<(String, String)> = files
        .iter()
        .map(|(n, t)| {
            let text = t
                .replace(
                    &format!("policy {member} {{"),
                    "policy ZzRenamedForStability {",
                )
                .replace(&format!("  {member}\n"), "  ZzRenamedForStability\n")
                .replace(&format!(" {member},"), " ZzRenamedForStability,")
                .replace(&format!(" {member}\n"), " ZzRenamedForStability\n");
            (n.clone(), text)
        })
        .collect();
    let (affected, _) = compare(&files, &renamed, "s3", "rename");
    assert!(affected > 0, "renaming a policy changed nothing");
}
