//! The book's lint pages are generated from the lints' own documentation
//! (`UPDATE_EXPECT=1 cargo test --test it lint_docs::` rewrites them), and every
//! example in that documentation does what it says: the first `iam` block
//! fires the lint, the last one (the fix) does not.

use crate::support;
use iamc::config::Config;
use iamc::lint::{self, LINTS, Lint};
use std::fs;

fn page(l: &Lint) -> String {
    format!(
        "# {} `{}`\n\n{}\n\n| code | name | default level | silenced by `because` |\n|---|---|---|---|\n| `{}` | `{}` | `{}` | {} |\n\n{}",
        l.code(),
        l.name(),
        l.summary,
        l.code(),
        l.name(),
        l.default.as_str(),
        if l.justifiable { "yes" } else { "no" },
        l.doc
    )
}

fn index() -> String {
    let mut out = String::from(
        "# Lints\n\n\
         iamc's lints flag the grants a security reviewer would question. `iamc build` runs\n\
         them after compiling: a finding at level `warn` is printed as a warning, one at\n\
         `deny` is an error and the build writes nothing. `iamc lint` runs them alone, and\n\
         prints `text`, `json` or `sarif` (for GitHub code scanning).\n\n\
         Set a lint's level by name in `iamc.yaml`:\n\n\
         ```yaml\nlints:\n  service-wildcard: deny\n  aws-managed-policy: allow\n```\n\n\
         A statement's `because \"...\"` says why a broad grant is needed. It silences the\n\
         lints marked below for that statement (for a combination, every statement of it\n\
         must say why); `iamc lint` lists the justified grants with their reasons, SARIF\n\
         records them as suppressions, and the template carries the reason as a comment.\n\n\
         Codes are stable: `L001`, `L002`, ... in the order lints were added, never reused.\n\n\
         | code | name | default | `because` | what it flags |\n|---|---|---|---|---|\n",
    );
    for l in LINTS {
        out.push_str(&format!(
            "| `{}` | [`{}`]({}.md) | `{}` | {} | {} |\n",
            l.code(),
            l.name(),
            l.name(),
            l.default.as_str(),
            if l.justifiable { "yes" } else { "no" },
            l.summary
        ));
    }
    out
}

#[test]
fn book_pages_are_generated_from_the_lints() {
    let dir = support::repo().join("book/src/lints");
    let summary = fs::read_to_string(support::repo().join("book/src/SUMMARY.md")).unwrap();
    let mut pages = vec![("index.md".to_string(), index())];
    pages.extend(LINTS.iter().map(|l| (format!("{}.md", l.name()), page(l))));
    let mut stale = Vec::new();
    for (file, text) in &pages {
        let path = dir.join(file);
        if support::updating() {
            fs::create_dir_all(&dir).unwrap();
            fs::write(&path, text).unwrap();
        } else if fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(file.clone());
        }
        assert!(
            summary.contains(&format!("(lints/{file})")),
            "book/src/SUMMARY.md does not link lints/{file}"
        );
    }
    assert!(
        stale.is_empty(),
        "stale book pages {stale:?}; run UPDATE_EXPECT=1 cargo test --test it lint_docs::"
    );
    let mut on_disk: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut wanted: Vec<String> = pages.into_iter().map(|(f, _)| f).collect();
    wanted.sort();
    assert_eq!(on_disk, wanted, "book/src/lints holds a page no lint has");
}

/// The ```iam blocks of a doc.
fn examples(doc: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match &mut current {
            None if line == "```iam" => current = Some(String::new()),
            Some(_) if line == "```" => out.push(current.take().unwrap()),
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    out
}

fn findings(l: &Lint, source: &str) -> usize {
    let sources = support::sources(&[("example.iam".to_string(), source.to_string())]);
    let compiled = iamc::compile(&sources, &Config::default()).unwrap_or_else(|d| {
        panic!(
            "{}: example does not compile:\n{}",
            l.name(),
            d.render_text(&sources)
        )
    });
    let report = lint::run(&compiled, &sources);
    report
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == l.code())
        .count()
}

#[test]
fn doc_examples_fire_and_fixes_do_not() {
    for l in LINTS {
        for heading in [
            "## What it does",
            "## Why it matters",
            "## Example",
            "## How to fix",
        ] {
            assert!(
                l.doc.contains(heading),
                "{}: doc has no `{heading}`",
                l.name()
            );
        }
        let blocks = examples(l.doc);
        assert!(
            blocks.len() >= 2,
            "{}: doc needs an example and a fix",
            l.name()
        );
        assert!(
            findings(l, &blocks[0]) > 0,
            "{}: the example does not fire the lint",
            l.name()
        );
        assert_eq!(
            findings(l, blocks.last().unwrap()),
            0,
            "{}: the fix still fires the lint",
            l.name()
        );
    }
}

#[test]
fn codes_and_names_are_unique_and_well_formed() {
    let mut codes: Vec<&str> = LINTS.iter().map(|l| l.code()).collect();
    let mut names: Vec<&str> = LINTS.iter().map(|l| l.name()).collect();
    for (i, l) in LINTS.iter().enumerate() {
        assert_eq!(l.code(), format!("L{:03}", i + 1), "codes are in order");
        assert!(l.name().chars().all(|c| c.is_ascii_lowercase() || c == '-'));
    }
    codes.dedup();
    names.sort();
    names.dedup();
    assert_eq!(codes.len(), LINTS.len());
    assert_eq!(names.len(), LINTS.len());
}

/// The catalog page's figures are the embedded catalog's.
#[test]
fn catalog_page_matches_the_catalog() {
    let repo = support::repo();
    let catalog = iamc::iam::catalog::catalog();
    let page = fs::read_to_string(repo.join("book/src/catalog.md")).unwrap();
    let with_commas = |n: usize| {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    assert!(page.contains(&format!("| services | {} |", catalog.services().len())));
    assert!(page.contains(&format!(
        "| actions | {} |",
        with_commas(catalog.action_count())
    )));
    assert!(
        page.contains(
            catalog
                .source
                .trim_start_matches("source: ")
                .split(',')
                .next()
                .unwrap()
        )
    );
}

/// Each page of the escalation families: its first example completes a path
/// of that family (reported by L005 or L006), its fix completes none.
#[test]
fn escalation_family_pages_trip_and_fix() {
    let dir = support::repo().join("book/src/escalation");
    let escalation: Vec<&Lint> = LINTS
        .iter()
        .copied()
        .filter(|l| matches!(l.code(), "L005" | "L006"))
        .collect();
    let mut pages: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    pages.sort();
    assert_eq!(pages.len(), 4, "one page per family");
    for page in pages {
        let family = page.file_stem().unwrap().to_str().unwrap().to_string();
        let text = fs::read_to_string(&page).unwrap();
        let blocks = examples(&text);
        assert!(blocks.len() >= 2, "{family}: an example and a fix");
        let messages = |source: &str| -> Vec<String> {
            let sources = support::sources(&[("example.iam".to_string(), source.to_string())]);
            let compiled = iamc::compile(&sources, &Config::default()).unwrap();
            lint::run(&compiled, &sources)
                .diagnostics
                .iter()
                .filter(|d| escalation.iter().any(|l| d.code.as_str() == l.code()))
                .map(|d| d.message.clone())
                .collect()
        };
        let of_family = iamc::iam::escalation::paths()
            .iter()
            .filter(|p| p.family.as_str() == family)
            .collect::<Vec<_>>();
        let tripped = messages(&blocks[0]);
        assert!(
            tripped.iter().any(
                |m| of_family.iter().any(|p| m.contains(&format!("{} ", p.id))
                    || m.ends_with(p.id)
                    || m.contains(&format!("{},", p.id)))
            ),
            "{family}: the example completes no path of the family: {tripped:?}"
        );
        assert_eq!(
            messages(blocks.last().unwrap()),
            Vec::<String>::new(),
            "{family}: the fix"
        );
    }
}
