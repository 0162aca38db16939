//! The heart of `iamc import`: iamc's own output imports back into a program
//! that grants every principal exactly the same permissions. For the example
//! program and every golden case: compile, write the templates, import them,
//! compile the imported source, and compare the two manifests principal by
//! principal — the set of effective statements (Sids aside), the trust policy,
//! the AWS-managed policies, the path and the instance profile.

use crate::support;
use iamc::config::Config;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What must survive the round trip, for one principal.
#[derive(Debug, PartialEq, Eq)]
struct Facts {
    kind: String,
    name: String,
    path: String,
    instance_profile: Option<String>,
    statements: BTreeSet<String>,
    trust: BTreeSet<String>,
    aws_managed: BTreeSet<String>,
}

/// A statement as canonical JSON, without its Sid.
fn canonical(statement: &Value) -> String {
    let mut s = statement.clone();
    if let Some(map) = s.as_object_mut() {
        map.remove("Sid");
    }
    serde_json::to_string(&s).unwrap()
}

fn statements(document: &Value) -> Vec<&Value> {
    document["Statement"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// Every principal of a compiled program, by its source name.
fn facts(compiled: &iamc::Compiled) -> BTreeMap<String, Facts> {
    let manifest = serde_json::to_value(compiled.manifest()).unwrap();
    let mut out = BTreeMap::new();
    for template in manifest["templates"].as_array().unwrap() {
        for p in template["principals"].as_array().unwrap() {
            let mut all = BTreeSet::new();
            for policy in p["managed_policies"].as_array().unwrap() {
                all.extend(statements(&policy["document"]).into_iter().map(canonical));
            }
            let trust = statements(&p["trust_policy"])
                .into_iter()
                .map(canonical)
                .collect();
            let aws_managed = p["aws_managed_policies"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            let source = p["source"].as_str().unwrap().to_string();
            let facts = Facts {
                kind: p["kind"].as_str().unwrap().to_string(),
                name: p["name"].as_str().unwrap().to_string(),
                path: p["path"].as_str().unwrap().to_string(),
                instance_profile: p["instance_profile"].as_str().map(str::to_string),
                statements: all,
                trust,
                aws_managed,
            };
            assert!(
                out.insert(source.clone(), facts).is_none(),
                "{source} twice"
            );
        }
    }
    out
}

fn compile(files: &[(String, String)], config: &Config) -> iamc::Compiled {
    let sources = support::sources(files);
    match iamc::compile(&sources, config) {
        Ok(c) => c,
        Err(d) => panic!("compile failed:\n{}", d.render_text(&sources)),
    }
}

/// Imports a program's own output and checks it grants the same.
fn round_trip(name: &str, dir: &Path, config: &Config) {
    let original = compile(&support::load_sources(dir), config);
    let templates = original.files();
    assert!(!templates.is_empty(), "{name}: no templates");
    let imported = iamc::import::import(&templates, config);
    let warnings = imported
        .diagnostics
        .render_text(&iamc::source::Sources::new());
    assert!(
        !imported.diagnostics.has_errors(),
        "{name}: import failed:\n{warnings}"
    );
    let again = compile(
        &[("imported.iam".to_string(), imported.source.clone())],
        config,
    );
    let before = facts(&original);
    let after = facts(&again);
    let names = |m: &BTreeMap<String, Facts>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&before),
        names(&after),
        "{name}: principals differ\n{}",
        imported.source
    );
    for (principal, facts) in &before {
        assert_eq!(
            facts, &after[principal],
            "{name}: `{principal}` differs after import\nimported source:\n{}\nwarnings:\n{warnings}",
            imported.source
        );
    }
}

fn cases() -> Vec<(String, PathBuf, Config)> {
    let repo = support::repo();
    let mut cases = vec![(
        "policies".to_string(),
        repo.join("policies"),
        support::config(&repo),
    )];
    let mut golden: Vec<PathBuf> = std::fs::read_dir(repo.join("tests/golden"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("policies").is_dir())
        .collect();
    golden.sort();
    for dir in golden {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        cases.push((name, dir.join("policies"), support::config(&dir)));
    }
    cases
}

#[test]
fn own_output_imports_to_the_same_permissions() {
    let cases = cases();
    assert!(
        cases.len() > 5,
        "expected the example program and the golden cases"
    );
    for (name, dir, config) in cases {
        round_trip(&name, &dir, &config);
    }
}

/// iamc's own output imports with no warning but one: a stack's standalone
/// managed policies (`stack { policies ... }`) are attached to no principal, and
/// import does not rebuild stacks yet, so it reports them.
#[test]
fn own_output_imports_without_warnings() {
    for (name, dir, config) in cases() {
        let original = compile(&support::load_sources(&dir), &config);
        let imported = iamc::import::import(&original.files(), &config);
        let unexpected: Vec<_> = imported
            .diagnostics
            .iter()
            .filter(|d| {
                !d.message
                    .contains("it is attached to no role or user imported")
            })
            .cloned()
            .collect();
        let shown = iamc::diagnostics::Diagnostics(unexpected.clone())
            .render_text(&iamc::source::Sources::new());
        assert!(unexpected.is_empty(), "{name}: import reported\n{shown}");
    }
}
