//! The dependency rule: every module of `src/` may use the modules before it
//! in the pipeline order below, never one after it. Shared vocabulary sits at
//! the bottom and imports nothing above it; a later stage may use an earlier
//! one, never the reverse. A new top-level module must be placed in the
//! table. (The book's contributor page explains the layout.)

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Every top-level module of the crate, bottom first, with what it is.
/// `lib` stands for the crate root's own items (`compile`, `Timings`).
const ORDER: &[(&str, &str)] = &[
    // Shared vocabulary and machinery.
    ("hash", "the project's hasher"),
    ("id", "typed indexes and the tables they index"),
    ("par", "work on every core, results in input order"),
    ("source", "source files and spans"),
    (
        "diagnostics",
        "diagnostics as data, the code table, the renderer",
    ),
    (
        "iam",
        "what iamc knows of IAM: limits, characters, actions, patterns, catalog",
    ),
    ("config", "iamc.yaml"),
    ("ast", "the syntax tree"),
    ("vars", "`${...}` variables and params"),
    ("model", "IAM statements as data"),
    (
        "account",
        "an AWS account's IAM, read from its authorization details",
    ),
    // The pipeline, in the order `compile` runs it.
    ("syntax", "1. parse"),
    ("resolve", "2. bind names"),
    ("expand", "3. instantiate templates"),
    ("check", "4. validate"),
    ("lower", "5. build IAM statements"),
    ("plan", "6. flatten, split, names, CloudFormation limits"),
    ("render", "7. YAML templates and the manifest"),
    ("compiled", "the result of a build and its queries"),
    ("lib", "compile(): the pipeline"),
    // What builds on a compiled program.
    ("build", "writing generated/ and the build record"),
    ("lint", "lints over a compiled program"),
    ("review", "diff, explain, graph"),
    ("fmt", "the formatter"),
    ("import", "CloudFormation and IAM JSON to .iam"),
    ("lsp", "the language server"),
    (
        "audit",
        "the program against the deployed account: usage, drift, adopt",
    ),
    ("cli", "the command line"),
];

fn rank(module: &str) -> Option<usize> {
    ORDER.iter().position(|(m, _)| *m == module)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`lib` for `lib.rs`, none for
/// `main.rs`, which is the binary).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next()?.as_os_str().to_str()?;
    match first.strip_suffix(".rs").unwrap_or(first) {
        "main" => None,
        m => Some(m.to_string()),
    }
}

/// The top-level modules a file's code names through `crate::`: in `use`
/// lines and in paths alike (comments skipped).
fn used_modules(text: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                // Items of the crate root (`compile`, `Compiled`, `Timings`).
                let module = if rank(&name).is_some() {
                    name
                } else if name == "Compiled" || name == "Manifest" {
                    "compiled".to_string()
                } else {
                    "lib".to_string()
                };
                used.insert(module);
            }
            rest = after;
        }
    }
    used
}

#[test]
fn every_module_uses_only_modules_before_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    for file in &files {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        let Some(own) = rank(&module) else {
            problems.push(format!(
                "module `{module}` is not in tests/it/architecture.rs's ORDER: place it there"
            ));
            continue;
        };
        let text = fs::read_to_string(file).unwrap();
        for used in used_modules(&text) {
            let Some(theirs) = rank(&used) else {
                problems.push(format!("{}: uses unknown module `{used}`", file.display()));
                continue;
            };
            if theirs > own {
                problems.push(format!(
                    "{}: `{module}` ({}) uses `{used}` ({}), which comes after it",
                    file.strip_prefix(&src).unwrap().display(),
                    ORDER[own].1,
                    ORDER[theirs].1,
                ));
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "dependencies must point down the pipeline:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_check_sees_a_backward_use() {
    let used = used_modules("use crate::lint::Level;\nfn f() { crate::compile(); }\n// crate::cli");
    assert_eq!(
        used,
        BTreeSet::from(["lint".to_string(), "lib".to_string()])
    );
    assert!(rank("config") < rank("lint"));
}
