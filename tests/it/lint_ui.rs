//! Lint UI tests: each case in `tests/lint/` is a program that compiles, beside
//! exactly what `iamc lint` prints for it. A case is `NAME.iam`, or a folder
//! `NAME/` with `.iam` files and optionally an `iamc.yaml` (to set levels); its
//! expectation is `NAME.stderr`. Lines `// expect: L001 2` and
//! `// expect-justified: L001 1` in the sources say how many findings of a lint
//! the case must produce (a lint a case names but does not expect must produce
//! none), so a rewritten expectation cannot hide a lint that stopped firing.
//! `UPDATE_EXPECT=1 cargo test --test it lint_ui::` rewrites expectations.

use crate::support;
use iamc::config::Config;
use iamc::lint::{self, LINTS};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    support::repo().join("tests/lint")
}

fn cases() -> Vec<(String, PathBuf)> {
    let mut cases: Vec<(String, PathBuf)> = fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_string();
            let name = if p.is_dir() {
                name
            } else {
                name.strip_suffix(".iam")?.to_string()
            };
            Some((name, p))
        })
        .collect();
    cases.sort();
    cases
}

/// `// expect: L001 2` lines: lint code -> (findings, justified).
fn expectations(files: &[(String, String)]) -> BTreeMap<String, (usize, usize)> {
    let mut out = BTreeMap::new();
    for (_, text) in files {
        for line in text.lines() {
            let (rest, justified) = if let Some(r) = line.trim().strip_prefix("// expect: ") {
                (r, false)
            } else if let Some(r) = line.trim().strip_prefix("// expect-justified: ") {
                (r, true)
            } else {
                continue;
            };
            let (code, n) = rest.split_once(' ').unwrap();
            let entry = out.entry(code.to_string()).or_insert((0, 0));
            let n: usize = n.trim().parse().unwrap();
            if justified {
                entry.1 = n;
            } else {
                entry.0 = n;
            }
        }
    }
    out
}

/// Findings and justified grants expected of each lint code.
type Counts = BTreeMap<String, (usize, usize)>;

fn run(path: &Path) -> Result<(String, Counts), String> {
    let (files, config) = if path.is_dir() {
        let config = match fs::read_to_string(path.join("iamc.yaml")) {
            Ok(text) => Config::parse(&text, "iamc.yaml").map_err(|d| d.message)?,
            Err(_) => Config::default(),
        };
        (support::load_sources(path), config)
    } else {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        (
            vec![(name, fs::read_to_string(path).unwrap())],
            Config::default(),
        )
    };
    let sources = support::sources(&files);
    let compiled = iamc::compile(&sources, &config)
        .map_err(|d| format!("does not compile:\n{}", d.render_text(&sources)))?;
    let report = lint::run(&compiled, &sources);
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for d in report.diagnostics.iter() {
        counts.entry(d.code.as_str().to_string()).or_default().0 += 1;
    }
    for j in &report.justified {
        counts.entry(j.lint.code().to_string()).or_default().1 += 1;
    }
    let expected = expectations(&files);
    for (code, want) in &expected {
        let got = counts.get(code).copied().unwrap_or_default();
        if got != *want {
            return Err(format!(
                "{code}: expected {} findings and {} justified, got {} and {}\n{}",
                want.0,
                want.1,
                got.0,
                got.1,
                report.render_text(&sources)
            ));
        }
    }
    Ok((report.render_text(&sources), expected))
}

#[test]
fn lint_ui() {
    let updating = support::updating();
    let mut failures = Vec::new();
    let mut covered: BTreeMap<String, usize> = BTreeMap::new();
    for (name, path) in cases() {
        let (actual, expected) = match run(&path) {
            Ok(r) => r,
            Err(why) => {
                failures.push(format!("{name}: {why}"));
                continue;
            }
        };
        for code in expected.keys() {
            *covered.entry(code.clone()).or_default() += 1;
        }
        let expected_path = dir().join(format!("{name}.stderr"));
        if updating {
            fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        match fs::read_to_string(&expected_path) {
            Ok(e) if e == actual => {}
            Ok(e) => failures.push(format!(
                "{name}: output differs\n{}",
                similar::TextDiff::from_lines(&e, &actual).unified_diff()
            )),
            Err(_) => failures.push(format!(
                "{name}: no {name}.stderr; run with UPDATE_EXPECT=1"
            )),
        }
    }
    // Every lint: a case where it fires and is silenced or not, and a case
    // setting its level in iamc.yaml.
    for l in LINTS {
        let n = covered.get(l.code()).copied().unwrap_or(0);
        if n < 2 {
            failures.push(format!(
                "{} ({}): {n} cases expect it; want one at the default level and one with iamc.yaml",
                l.code(), l.name()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
