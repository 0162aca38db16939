//! The repository needs nothing beside it: no test or script reads a folder
//! outside the clone, and the synthetic organisations the tests and the
//! benchmark use come from the project's own generator, the same every time.

use crate::support;
use std::fs;
use std::path::Path;

/// Every file below `dir` whose name ends with one of `extensions`.
fn files(dir: &Path, extensions: &[&str], out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" {
                files(&path, extensions, out);
            }
        } else if extensions.iter().any(|e| name.ends_with(e)) {
            out.push(path);
        }
    }
}

#[test]
fn no_test_or_script_reads_outside_the_repository() {
    let repo = support::repo();
    let mut found = Vec::new();
    for dir in ["tests", "scripts", "src", "fuzz", "examples"] {
        if repo.join(dir).is_dir() {
            files(
                &repo.join(dir),
                &[".rs", ".py", ".sh", ".toml", ".yml", ".yaml"],
                &mut found,
            );
        }
    }
    assert!(found.len() > 20, "too few files: {}", found.len());
    // Spelled in two pieces so that this file does not find itself.
    let outside = ["../", "sha", "red"].concat();
    let absolute = ["/work/", "sha", "red"].concat();
    let offenders: Vec<String> = found
        .iter()
        .filter(|p| {
            let text = fs::read_to_string(p).unwrap_or_default();
            text.contains(&outside) || text.contains(&absolute)
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "read outside the clone: {offenders:?}"
    );
}

#[test]
fn the_generator_is_deterministic_and_grows_linearly() {
    let a = support::org::generate(200, 7);
    assert_eq!(
        a,
        support::org::generate(200, 7),
        "same arguments, other files"
    );
    assert_ne!(
        a,
        support::org::generate(200, 8),
        "the seed changes nothing"
    );
    let count = |files: &[(String, String)], word: &str| -> usize {
        files
            .iter()
            .map(|(_, t)| t.lines().filter(|l| l.starts_with(word)).count())
            .sum()
    };
    for roles in [1, 10, 200, 2000] {
        let files = support::org::generate(roles, 7);
        assert_eq!(count(&files, "role "), roles);
        assert_eq!(count(&files, "policy "), (roles * 3).max(10));
        let groups = count(&files, "group ");
        assert!(
            groups >= 6 && groups <= 6 + roles * 2 / 5,
            "{roles}: {groups} groups"
        );
    }
}

#[test]
fn a_generated_organisation_compiles_to_a_template_a_role() {
    let files = support::organisation(100);
    let templates = support::compile(&files, &iamc::config::Config::default());
    assert_eq!(templates.len(), 100);
}
