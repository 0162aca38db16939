//! Same program, same bytes: whatever the order files are read in, their names,
//! or how declarations are spread over files; and run after run.

use crate::support;
use std::fs;
use std::path::PathBuf;

/// Every program the tests know: the golden cases and the example program.
fn programs() -> Vec<(PathBuf, Vec<(String, String)>)> {
    let root = support::repo();
    let mut dirs: Vec<PathBuf> = fs::read_dir(root.join("tests/golden"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.push(root.clone());
    dirs.sort();
    dirs.into_iter()
        .filter(|d| d.join("policies").is_dir())
        .map(|d| {
            let files = support::load_sources(&d.join("policies"));
            (d, files)
        })
        .collect()
}

/// Splits a file's text into declarations, each with the comments above it.
fn declarations(text: &str) -> Vec<String> {
    let starts_decl = |line: &str| {
        [
            "policy ",
            "group ",
            "trust ",
            "role ",
            "user ",
            "template ",
            "param ",
            "stack ",
        ]
        .iter()
        .any(|k| line.starts_with(k))
    };
    let mut decls: Vec<String> = vec![String::new()];
    let mut pending = String::new();
    for line in text.lines() {
        if line.starts_with("//") {
            pending.push_str(line);
            pending.push('\n');
            continue;
        }
        if starts_decl(line) {
            decls.push(std::mem::take(&mut pending));
        } else {
            let last = decls.last_mut().unwrap();
            last.push_str(&std::mem::take(&mut pending));
        }
        let last = decls.last_mut().unwrap();
        last.push_str(line);
        last.push('\n');
    }
    decls.last_mut().unwrap().push_str(&pending);
    decls.retain(|d| !d.trim().is_empty());
    decls
}

#[test]
fn output_ignores_file_order_names_and_layout() {
    for (dir, files) in programs() {
        let config = support::config(&dir);
        let reference = support::compile(&files, &config);
        let again = support::compile(&files, &config);
        assert_eq!(reference, again, "{}: two runs differ", dir.display());

        let mut reversed = files.clone();
        reversed.reverse();
        let renamed: Vec<(String, String)> = files
            .iter()
            .enumerate()
            .map(|(i, (_, text))| {
                (
                    format!("z{}/renamed-{}.iam", files.len() - i, i),
                    text.clone(),
                )
            })
            .collect();
        let one_file = vec![(
            "all.iam".to_string(),
            files
                .iter()
                .map(|(_, t)| t.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        )];
        let mut one_per_decl: Vec<(String, String)> = files
            .iter()
            .flat_map(|(_, t)| declarations(t))
            .enumerate()
            .map(|(i, text)| (format!("d{:04}.iam", (i * 7919) % 10007), text))
            .collect();
        one_per_decl.sort();
        assert!(one_per_decl.len() >= files.len());
        for (layout, variant) in [
            ("reversed", reversed),
            ("renamed", renamed),
            ("one file", one_file),
            ("one declaration per file", one_per_decl),
        ] {
            let output = support::compile(&variant, &config);
            assert!(
                output == reference,
                "{}: output differs with files {layout}",
                dir.display()
            );
        }
    }
}
