//! Golden output: every case in `tests/golden/NAME/` (sources in `policies/`,
//! settings in an optional `iamc.yaml`) compiles to exactly `expected/`, and the
//! example program `policies/` compiles to exactly the committed `generated/`.
//! `UPDATE_EXPECT=1 cargo test --test it golden::` rewrites the cases' `expected/`.

use crate::support;
use std::fs;

#[test]
fn golden_cases() {
    let root = support::repo().join("tests/golden");
    let mut cases: Vec<_> = fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no golden cases in {}", root.display());
    let mut failures = String::new();
    for case in cases {
        let files = support::load_sources(&case.join("policies"));
        let output = support::compile(&files, &support::config(&case));
        for (name, text) in &output {
            // serde_yaml rejects duplicate keys, which CloudFormation would too.
            if let Err(e) = serde_yaml::from_str::<serde_yaml::Value>(text) {
                failures.push_str(&format!(
                    "case {}: {name} is not valid YAML: {e}\n",
                    case.display()
                ));
            }
        }
        let expected = case.join("expected");
        if support::updating() {
            support::write_folder(&expected, &output);
            continue;
        }
        let diff = support::compare_folder(&expected, &output);
        if !diff.is_empty() {
            failures.push_str(&format!("case {}:\n{diff}\n", case.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "golden output differs (UPDATE_EXPECT=1 to accept):\n{failures}"
    );
}
#[test]
fn example_program_matches_committed_generated() {
    let repo = support::repo();
    let files = support::load_sources(&repo.join("policies"));
    let output = support::compile(&files, &support::config(&repo));
    let diff = support::compare_folder(&repo.join("generated"), &output);
    assert!(
        diff.is_empty(),
        "generated/ is stale: run `cargo run --release -- build` and commit the result\n{diff}"
    );
}
