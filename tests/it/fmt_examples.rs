//! What a newcomer copies is in `iamc fmt` layout: the example program, the
//! README's `.iam` blocks and the book's, so that a team that turns on the
//! `iamc-fmt` hook gets no rewrite on its first commit.

use crate::support;
use std::fs;
use std::path::Path;

/// Every ` ```iam ` block (plain, or `iam,config`) of a Markdown text, with its
/// line; none inside a four-backtick fence (what an editor shows, quoted).
fn iam_blocks(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    let mut quoted = false;
    for (n, line) in text.lines().enumerate() {
        if line.starts_with("````") {
            quoted = !quoted;
            continue;
        }
        if quoted {
            continue;
        }
        match &mut current {
            None if line == "```iam" || line == "```iam,config" => {
                current = Some((n + 1, String::new()));
            }
            Some(_) if line == "```" => out.extend(current.take()),
            Some((_, block)) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    out
}

fn unformatted(name: &str, text: &str) -> Option<String> {
    match iamc::fmt::format_text(name, text) {
        Ok(formatted) if formatted == text => None,
        Ok(formatted) => Some(
            similar::TextDiff::from_lines(text, &formatted)
                .unified_diff()
                .header(name, "formatted")
                .to_string(),
        ),
        Err(_) => Some(format!("{name}: does not format (a syntax error?)")),
    }
}

fn markdown_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            markdown_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

#[test]
fn the_example_program_the_readme_and_the_book_are_in_fmt_layout() {
    let repo = support::repo();
    let mut failures = Vec::new();
    let mut checked = 0;
    for entry in fs::read_dir(repo.join("policies")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "iam") {
            checked += 1;
            let name = path.strip_prefix(&repo).unwrap().display().to_string();
            failures.extend(unformatted(&name, &fs::read_to_string(&path).unwrap()));
        }
    }
    let mut pages = vec![repo.join("README.md")];
    markdown_files(&repo.join("book/src"), &mut pages);
    pages.sort();
    for page in pages {
        let name = page.strip_prefix(&repo).unwrap().display().to_string();
        for (i, (line, block)) in iam_blocks(&fs::read_to_string(&page).unwrap())
            .into_iter()
            .enumerate()
        {
            // The fmt chapter's first example is the unformatted input it then formats.
            if name == "book/src/fmt.md" && i == 0 {
                assert!(
                    unformatted(&name, &block).is_some(),
                    "fmt.md's input is formatted"
                );
                continue;
            }
            checked += 1;
            failures.extend(unformatted(&format!("{name}:{line}"), &block));
        }
    }
    assert!(checked > 50, "only {checked} files and blocks checked");
    assert!(
        failures.is_empty(),
        "{} not in `iamc fmt` layout:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
