//! The book's `iamc fmt` page cannot drift: its `.iam` examples compile, and
//! the diff, the message and the formatted file it shows are what the real
//! binary prints and writes.

use crate::support;
use std::fs;
use std::process::Command;

/// The contents of every fenced block with this info string.
fn blocks(text: &str, info: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match &mut current {
            None if line == format!("```{info}") => current = Some(String::new()),
            Some(block) if line == "```" => {
                out.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    out
}

fn page() -> String {
    fs::read_to_string(support::repo().join("book/src/fmt.md")).unwrap()
}

#[test]
fn every_iam_example_compiles() {
    let examples = blocks(&page(), "iam");
    assert_eq!(examples.len(), 2);
    for example in examples {
        support::compile(
            &[("web.iam".to_string(), example)],
            &iamc::config::Config::default(),
        );
    }
}

#[test]
fn the_example_is_what_iamc_fmt_prints_and_writes() {
    let page = page();
    let iam = blocks(&page, "iam");
    let (before, after) = (&iam[0], &iam[1]);
    let dir = support::TempDir::new("fmt-book");
    fs::create_dir_all(dir.join("policies")).unwrap();
    let file = dir.join("policies/web.iam");
    fs::write(&file, before).unwrap();
    let iamc = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_iamc"))
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
    };

    let check = iamc(&["fmt", "--check"]);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&check.stdout),
        blocks(&page, "diff")[0]
    );
    let stderr = String::from_utf8_lossy(&check.stderr).into_owned();
    assert!(
        blocks(&page, "text").contains(&stderr),
        "the book does not show this message:\n{stderr}"
    );

    let write = iamc(&["fmt"]);
    assert_eq!(write.status.code(), Some(0));
    assert_eq!(&fs::read_to_string(&file).unwrap(), after);
}
