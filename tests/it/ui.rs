//! UI tests: every failing input in `tests/ui/` beside the exact diagnostics
//! `iamc build` prints for it. A case is `NAME.iam`, or a folder `NAME/` with
//! several `.iam` files and optionally an `iamc.yaml`; its expectation is
//! `NAME.stderr`. `UPDATE_EXPECT=1 cargo test --test it ui::` rewrites expectations.

use crate::support;
use iamc::config::Config;
use iamc::diagnostics::{Code, Diagnostics};
use iamc::source::{SourceFile, Sources};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Codes no `.iam` input can produce: they come from the file system, and are
/// pinned by the CLI tests (`tests/it/cli.rs`), whose expected stderr lives in
/// `tests/cli/expected/`.
const CLI_CODES: &[Code] = &[
    Code::Io,
    Code::ForeignFile,
    Code::Git,
    Code::UnknownPrincipal,
    Code::EvidenceInvalid,
    Code::CannotAdopt,
];

/// Codes of `iamc import`, whose inputs are JSON and YAML: pinned by
/// `tests/it/import.rs`, whose expected stderr lives in `tests/import/expected/`.
const IMPORT_CODES: &[Code] = &[
    Code::ImportInvalid,
    Code::CannotImport,
    Code::ImportWouldWiden,
];

fn ui_dir() -> PathBuf {
    support::repo().join("tests/ui")
}

/// A case: its name and where its input is.
struct Case {
    name: String,
    input: PathBuf,
}

fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = fs::read_dir(ui_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|path| {
            let file_name = path.file_name()?.to_str()?.to_string();
            let name = if path.is_dir() {
                file_name
            } else {
                file_name.strip_suffix(".iam")?.to_string()
            };
            Some(Case { name, input: path })
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

/// What `iamc build` prints on stderr for the case, or why the case is wrong.
fn run(case: &Case) -> Result<String, String> {
    let (files, config) = if case.input.is_dir() {
        let config_path = case.input.join("iamc.yaml");
        let config = match fs::read_to_string(&config_path) {
            Ok(text) => match Config::parse(&text, "iamc.yaml") {
                Ok(config) => config,
                Err(d) => return Ok(Diagnostics(vec![d]).render_text(&Sources::new())),
            },
            Err(_) => Config::default(),
        };
        (support::load_sources(&case.input), config)
    } else {
        let text = fs::read_to_string(&case.input).unwrap();
        (
            vec![(format!("{}.iam", case.name), text)],
            Config::default(),
        )
    };
    let mut sources = Sources::new();
    for (name, text) in files {
        sources.add(SourceFile::new(name, text));
    }
    match iamc::compile(&sources, &config) {
        Ok(output) => Err(format!(
            "compiled without errors; every UI case must fail\n{}",
            output.diagnostics.render_text(&sources)
        )),
        Err(diagnostics) if !diagnostics.has_errors() => Err(format!(
            "compilation failed without an error\n{}",
            diagnostics.render_text(&sources)
        )),
        Err(diagnostics) => Ok(diagnostics.render_text(&sources)),
    }
}

fn diff(name: &str, expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("tests/ui/{name}.stderr (expected)"),
            &format!("{name} (actual)"),
        )
        .to_string()
}

#[test]
fn ui() {
    let updating = support::updating();
    let cases = cases();
    assert!(!cases.is_empty(), "no cases in {}", ui_dir().display());
    let mut failures = Vec::new();
    for case in &cases {
        let expected_path = ui_dir().join(format!("{}.stderr", case.name));
        let actual = match run(case) {
            Ok(actual) => actual,
            Err(why) => {
                failures.push(format!("{}: {why}", case.name));
                continue;
            }
        };
        if updating {
            fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        match fs::read_to_string(&expected_path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!(
                "{}: output differs\n{}",
                case.name,
                diff(&case.name, &expected, &actual)
            )),
            Err(_) => failures.push(format!(
                "{}: {} is missing; run with UPDATE_EXPECT=1 to create it. Output:\n{actual}",
                case.name,
                expected_path.display()
            )),
        }
    }
    let names: BTreeSet<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    for orphan in stderr_files(&ui_dir()) {
        let stem = orphan.file_stem().unwrap().to_string_lossy().into_owned();
        if !names.contains(stem.as_str()) {
            failures.push(format!(
                "{}: no `{stem}.iam` or `{stem}/` case for this expectation",
                orphan.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} UI cases failed (UPDATE_EXPECT=1 rewrites expectations):\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn stderr_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "stderr"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The codes shown as `error[EXXX]` or `warning[EXXX]` in the `.stderr` files of a folder.
fn codes_in(dir: &Path) -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    for path in stderr_files(dir) {
        let text = fs::read_to_string(&path).unwrap();
        for (i, _) in text.match_indices("error[E") {
            if let Some(code) = text.get(i + 6..i + 10) {
                codes.insert(code.to_string());
            }
        }
        for (i, _) in text.match_indices("warning[E") {
            if let Some(code) = text.get(i + 8..i + 12) {
                codes.insert(code.to_string());
            }
        }
    }
    codes
}

#[test]
fn every_code_has_a_ui_test() {
    let ui = codes_in(&ui_dir());
    let cli = codes_in(&support::repo().join("tests/cli/expected"));
    let import = codes_in(&support::repo().join("tests/import/expected"));
    let mut missing = Vec::new();
    for &code in Code::ALL {
        let (covered, place) = if code == Code::Internal {
            continue;
        } else if CLI_CODES.contains(&code) {
            (cli.contains(code.as_str()), "tests/cli/expected/")
        } else if IMPORT_CODES.contains(&code) {
            (import.contains(code.as_str()), "tests/import/expected/")
        } else {
            (ui.contains(code.as_str()), "tests/ui/")
        };
        if !covered {
            missing.push(format!("{} ({}) in {place}", code.as_str(), code.title()));
        }
    }
    assert!(
        missing.is_empty(),
        "codes with no test showing them:\n{}",
        missing.join("\n")
    );
    // Every code shown is a real one, so a renamed code cannot hide here.
    let known: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    let unknown: Vec<&String> = ui
        .union(&cli)
        .filter(|c| !known.contains(c.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "unknown codes in expectations: {unknown:?}"
    );
}
