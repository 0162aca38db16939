//! The book test: the book under `book/src/` cannot drift from the tool.
//!
//! Code blocks, by their info string:
//!
//! - ` ```iam ` compiles alone (one file, `example.iam`) with `Config::default()`;
//! - ` ```iam,error=E011 ` must fail, with `E011` among its diagnostics;
//! - ` ```iam,config ` (or `iam,error=EXXX,config`) is compiled with the nearest
//!   ` ```yaml ` block above it as `iamc.yaml`;
//! - a ` ```yaml ` block whose first line is `# iamc.yaml` must be valid settings, or,
//!   as ` ```yaml,error=E080 `, must be rejected with E080.
//!
//! Shown output, one mechanism for all of it: a fenced block right after a line
//! `<!-- generated: NAME -->` holds exactly what this test produces for NAME, and
//! `UPDATE_EXPECT=1 cargo test --test it book::` rewrites the block in place. NAME is:
//!
//! - `build`: what `iamc build` prints for the nearest ` ```iam ` (or settings) block
//!   above, compiled as described;
//! - `yaml FILE`: the template `FILE` that the nearest ` ```iam ` block above compiles to;
//! - `grammar RULE...`: those rules, verbatim, from `grammar/iam.pest`;
//! - `help [COMMAND]`: `iamc [COMMAND] --help`;
//! - `tutorial-N-source|check|stale|diff`: step N of the tutorial (see [`STEPS`]), run
//!   with the real binary on a copy of the example program: the source diff, the
//!   `iamc build --check` diff (stdout), its last line on stderr, and `iamc diff`;
//! - `run SCENARIO`: a command run by the real binary in a temporary project (see
//!   [`scenario`]), shown as a terminal would.
//!
//! Pages written by other tests (`<!-- output: NAME -->` blocks of `tests/it/review.rs`,
//! the import page of `tests/it/import.rs`, the lint pages of `tests/it/lint_docs.rs`) are
//! checked there. Besides the blocks, this test checks that every diagnostic code has
//! a page linked from SUMMARY.md and the index, with an example that triggers it, that
//! every relative link and `{{#include}}` of the book points at an existing file (and
//! heading), and that every command of `iamc --help` is in the CLI reference.

use crate::support::{self, copy_dir, write};
use iamc::config::Config;
use iamc::diagnostics::{Code, Diagnostics};
use iamc::source::{SourceFile, Sources};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

// ------------------------------------------------------------------ pages

fn book_src() -> PathBuf {
    support::repo().join("book/src")
}

/// Every `.md` page under book/src, by path relative to it (with `/`).
fn pages() -> Vec<(String, String)> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                let rel = path.strip_prefix(base).unwrap().to_string_lossy();
                out.push((rel.replace('\\', "/"), fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&book_src(), &book_src(), &mut out);
    out.sort();
    out
}

/// A fenced code block of a page.
#[derive(Clone, Debug)]
struct Block {
    /// 1-based line of the opening fence.
    line: usize,
    info: String,
    body: String,
    /// Line indexes (0-based) of the first body line and of the closing fence.
    body_start: usize,
    close: usize,
    /// NAME of a `<!-- generated: NAME -->` line right above the fence.
    generated: Option<String>,
}

impl Block {
    fn lang(&self) -> &str {
        self.info.split(',').next().unwrap_or("").trim()
    }

    /// `key=value` or bare `key` attributes after the language.
    fn attr(&self, key: &str) -> Option<&str> {
        self.info.split(',').skip(1).find_map(|a| {
            let a = a.trim();
            match a.split_once('=') {
                Some((k, v)) if k == key => Some(v),
                None if a == key => Some(""),
                _ => None,
            }
        })
    }

    fn is_settings(&self) -> bool {
        self.lang() == "yaml" && self.body.starts_with("# iamc.yaml")
    }
}

/// An opening fence: three backticks or more, and an info string without any
/// (CommonMark), so that ``` ```` ```mermaid ```` ``` in prose is not one.
fn is_fence(line: &str) -> bool {
    let ticks = line.chars().take_while(|&c| c == '`').count();
    ticks >= 3 && !line[ticks..].contains('`')
}

fn blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let trimmed = lines[i].trim_start();
        if !is_fence(trimmed) {
            i += 1;
            continue;
        }
        let ticks = trimmed.chars().take_while(|&c| c == '`').count();
        let fence = "`".repeat(ticks);
        let info = trimmed[ticks..].trim().to_string();
        let close = (i + 1..lines.len())
            .find(|&j| lines[j].trim() == fence)
            .unwrap_or_else(|| panic!("unclosed code block at line {}", i + 1));
        let body: String = lines[i + 1..close]
            .iter()
            .map(|l| format!("{l}\n"))
            .collect();
        let generated = lines[..i]
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .and_then(|l| {
                l.trim()
                    .strip_prefix("<!-- generated:")?
                    .strip_suffix("-->")
                    .map(|n| n.trim().to_string())
            });
        out.push(Block {
            line: i + 1,
            info,
            body,
            body_start: i + 1,
            close,
            generated,
        });
        i = close + 1;
    }
    out
}

// ------------------------------------------------------------------ compiling blocks

/// A block's program, compiled alone, as `iamc build` would print its diagnostics.
struct Compiled {
    result: Result<Vec<(String, String)>, Diagnostics>,
    text: String,
}

fn settings(page: &str, blocks: &[Block], index: usize) -> Config {
    let block = &blocks[index];
    if block.attr("config").is_none() {
        return Config::default();
    }
    let yaml = blocks[..index]
        .iter()
        .rev()
        .find(|b| b.lang() == "yaml")
        .unwrap_or_else(|| panic!("{page}:{}: `config` but no ```yaml block above", block.line));
    Config::parse(&yaml.body, "iamc.yaml")
        .unwrap_or_else(|d| panic!("{page}:{}: {}", yaml.line, d.message))
}

fn compile_block(page: &str, blocks: &[Block], index: usize) -> Compiled {
    let config = settings(page, blocks, index);
    let mut sources = Sources::new();
    sources.add(SourceFile::new("example.iam", blocks[index].body.clone()));
    match iamc::compile(&sources, &config) {
        Ok(output) => Compiled {
            text: output.diagnostics.render_text(&sources),
            result: Ok(output.files()),
        },
        Err(diagnostics) => Compiled {
            text: diagnostics.render_text(&sources),
            result: Err(diagnostics),
        },
    }
}

#[test]
fn iam_blocks_compile_or_fail_as_marked() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (page, text) in pages() {
        let blocks = blocks(&text);
        for (i, block) in blocks.iter().enumerate() {
            if block.is_settings() {
                let parsed = Config::parse(&block.body, "iamc.yaml");
                match (block.attr("error"), parsed) {
                    (None, Err(d)) => failures.push(format!(
                        "{page}:{}: invalid settings: {}",
                        block.line, d.message
                    )),
                    (Some(code), Ok(_)) => failures.push(format!(
                        "{page}:{}: settings marked error={code} are valid",
                        block.line
                    )),
                    (Some(code), Err(d)) if d.code.as_str() != code => failures.push(format!(
                        "{page}:{}: expected {code}, got {}",
                        block.line,
                        d.code.as_str()
                    )),
                    _ => {}
                }
                continue;
            }
            if block.lang() != "iam" {
                continue;
            }
            count += 1;
            let compiled = compile_block(&page, &blocks, i);
            match (block.attr("error"), &compiled.result) {
                (None, Err(_)) => failures.push(format!(
                    "{page}:{}: does not compile:\n{}",
                    block.line, compiled.text
                )),
                (Some(code), Ok(_)) => failures.push(format!(
                    "{page}:{}: marked error={code} but compiles",
                    block.line
                )),
                (Some(code), Err(d)) => {
                    if !d.iter().any(|d| d.code.as_str() == code && d.is_error()) {
                        failures.push(format!(
                            "{page}:{}: marked error={code}, but iamc reports:\n{}",
                            block.line, compiled.text
                        ));
                    }
                }
                (None, Ok(_)) => {}
            }
        }
    }
    assert!(count > 50, "only {count} iam blocks found in the book");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ------------------------------------------------------------------ diagnostics pages

/// Codes no `.iam` source can trigger: their pages describe a scenario instead.
const NO_SOURCE_EXAMPLE: &[&str] = &[
    "E080", "E081", "E082", "E083", "E084", "E090", "E091", "E092", "E095", "E096", "E999",
];

#[test]
fn every_code_has_a_page_with_an_example() {
    let summary = fs::read_to_string(book_src().join("SUMMARY.md")).unwrap();
    let index = fs::read_to_string(book_src().join("diagnostics/index.md")).unwrap();
    let mut failures = Vec::new();
    for &entry in Code::ALL {
        let code = entry.as_str();
        let file = format!("diagnostics/{code}.md");
        let Ok(text) = fs::read_to_string(book_src().join(&file)) else {
            failures.push(format!("{file} is missing"));
            continue;
        };
        let title = format!("# {code}: {}\n", entry.title());
        if !text.starts_with(&title) {
            failures.push(format!("{file} does not start with `{}`", title.trim()));
        }
        if !summary.contains(&format!("]({file})")) {
            failures.push(format!("SUMMARY.md does not link {file}"));
        }
        if !index.contains(&format!("]({code}.md)")) {
            failures.push(format!("diagnostics/index.md does not link {code}.md"));
        }
        let marked = format!("iam,error={code}");
        let has_example = blocks(&text).iter().any(|b| b.info.starts_with(&marked));
        if !NO_SOURCE_EXAMPLE.contains(&code) && !has_example {
            failures.push(format!("{file} has no ```{marked} example"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ------------------------------------------------------------------ links

/// mdBook's id for a heading: lower case, spaces to `-`, other punctuation dropped.
fn heading_id(heading: &str) -> String {
    heading
        .trim()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c.to_ascii_lowercase())
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// The text of a page outside its code blocks and inline code spans.
fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(f) = &fence {
            if trimmed.trim_end() == f {
                fence = None;
            }
            continue;
        }
        if is_fence(trimmed) {
            fence = Some(trimmed.chars().take_while(|&c| c == '`').collect());
            continue;
        }
        let mut in_code = false;
        for c in line.chars() {
            if c == '`' {
                in_code = !in_code;
            } else if !in_code {
                out.push(c);
            }
        }
        out.push('\n');
    }
    out
}

fn anchors(text: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut fence = false;
    for line in text.lines() {
        if is_fence(line.trim_start()) {
            fence = !fence;
        }
        if fence || !line.starts_with('#') {
            continue;
        }
        let id = heading_id(line.trim_start_matches('#').replace('`', "").as_str());
        let n = seen.entry(id.clone()).or_insert(0);
        ids.insert(if *n == 0 {
            id.clone()
        } else {
            format!("{id}-{n}")
        });
        *n += 1;
    }
    ids
}

/// `(target, line)` of every `](target)` link and `{{#include target}}`.
fn links(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (n, line) in prose(text).lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let end = after.find(')').unwrap_or(after.len());
            out.push((after[..end].trim().to_string(), n + 1));
            rest = &after[end..];
        }
    }
    for (n, line) in text.lines().enumerate() {
        if let Some(at) = line.find("{{#include ") {
            let after = &line[at + 11..];
            let end = after.find("}}").unwrap_or(after.len());
            let target = after[..end].trim().split(':').next().unwrap_or("");
            out.push((target.to_string(), n + 1));
        }
    }
    out
}

#[test]
fn every_relative_link_resolves() {
    let pages = pages();
    let texts: BTreeMap<&str, &str> = pages
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let mut failures = Vec::new();
    for (page, text) in &pages {
        for (target, line) in links(text) {
            if target.contains("://") || target.starts_with("mailto:") || target.is_empty() {
                continue;
            }
            let (path, fragment) = match target.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (target.as_str(), None),
            };
            let dir = Path::new(page).parent().unwrap_or(Path::new(""));
            let joined = if path.is_empty() {
                PathBuf::from(page)
            } else {
                dir.join(path)
            };
            let resolved = normalize(&joined);
            if !book_src().join(&resolved).exists() {
                failures.push(format!("{page}:{line}: `{target}` does not exist"));
                continue;
            }
            if let Some(fragment) = fragment {
                let key = resolved.to_string_lossy().replace('\\', "/");
                if let Some(target_text) = texts.get(key.as_str())
                    && !anchors(target_text).contains(fragment)
                {
                    failures.push(format!(
                        "{page}:{line}: `{key}` has no heading `#{fragment}`"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Resolves `..` and `.` without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<String> = Vec::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                if out.last().is_some_and(|p| p != "..") {
                    out.pop();
                } else {
                    out.push("..".into());
                }
            }
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    out.iter().collect()
}

// ------------------------------------------------------------------ generated blocks

fn iamc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Runs and checks the exit code.
fn run(dir: &Path, args: &[&str], code: i32) -> Output {
    let out = iamc(dir, args);
    assert_eq!(
        out.status.code(),
        Some(code),
        "iamc {} in {}\nstdout:\n{}\nstderr:\n{}",
        args.join(" "),
        dir.display(),
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

fn temp_dir(name: &str) -> support::TempDir {
    support::TempDir::new(&format!("book-{name}"))
}

/// `grammar RULE...`: the rules, verbatim from grammar/iam.pest, blank line between.
fn grammar(rules: &[&str]) -> String {
    let pest = fs::read_to_string(support::repo().join("grammar/iam.pest")).unwrap();
    let lines: Vec<&str> = pest.lines().collect();
    let mut out = Vec::new();
    for rule in rules {
        let start = lines
            .iter()
            .position(|l| l.starts_with(&format!("{rule} =")))
            .unwrap_or_else(|| panic!("grammar/iam.pest has no rule `{rule}`"));
        // The rule ends where its braces balance (outside string literals).
        let mut depth = 0i32;
        let mut opened = false;
        let mut end = start;
        'lines: for (j, line) in lines.iter().enumerate().skip(start) {
            let mut chars = line.chars();
            while let Some(c) = chars.next() {
                match c {
                    '"' => {
                        while let Some(s) = chars.next() {
                            if s == '\\' {
                                chars.next();
                            } else if s == '"' {
                                break;
                            }
                        }
                    }
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if opened && depth == 0 {
                end = j;
                break 'lines;
            }
        }
        out.push(lines[start..=end].join("\n"));
    }
    format!("{}\n", out.join("\n"))
}

/// `help [COMMAND]`.
fn help(command: Option<&str>) -> String {
    let dir = support::repo();
    let mut args: Vec<&str> = command.into_iter().collect();
    args.push("--help");
    text(&run(&dir, &args, 0).stdout)
}

/// The commands `iamc --help` lists.
fn commands() -> Vec<String> {
    let top = help(None);
    top.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

// ------------------------------------------------------------------ the tutorial

/// One edit of a source file: replace `find` (which must occur once) by `with`, or,
/// with an empty `find`, append `with` to the file.
struct Edit {
    file: &'static str,
    find: &'static str,
    with: &'static str,
}

/// The tutorial's scenarios, each applied on top of the previous one.
const STEPS: &[&[Edit]] = &[
    // 1. Add S3 read to a team.
    &[
        Edit {
            file: "s3.iam",
            find: "",
            with: "
/// Read the features/ prefix of ml-data, where the feature pipeline writes.
policy S3AllowReadOnBucketMldataPrefixFeatures {
  allow s3:ListBucket on \"arn:aws:s3:::ml-data\"
    when StringLike \"s3:prefix\" [\"features/*\"]
  allow [s3:GetObject, s3:GetObjectVersion] on \"arn:aws:s3:::ml-data/features/*\"
}
",
        },
        Edit {
            file: "groups.iam",
            find: "  S3AllowReadOnBucketMldataPrefixStreaming\n}",
            with: "  S3AllowReadOnBucketMldataPrefixStreaming\n  S3AllowReadOnBucketMldataPrefixFeatures\n}",
        },
    ],
    // 2. The tech lead needs a special permission.
    &[
        Edit {
            file: "secrets.iam",
            find: "",
            with: "
/// Rotate the API key of the labelling vendor: the ML tech lead's job.
policy SecretsRotateMlLabelling {
  allow [
    secretsmanager:DescribeSecret,
    secretsmanager:GetSecretValue,
    secretsmanager:PutSecretValue,
  ] on \"arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:ml/labelling-*\"
}
",
        },
        Edit {
            file: "groups.iam",
            find: "  S3AllowWriteOnBucketMldataPrefixStreaming\n}",
            with: "  S3AllowWriteOnBucketMldataPrefixStreaming\n  SecretsRotateMlLabelling\n}",
        },
    ],
    // 3. Delegate a subset of the lead's permissions to a team member.
    &[
        Edit {
            file: "groups.iam",
            find: "group JohnDoeGroup {
  TeamMl
  S3AllowWriteOnBucketMldataPrefixStreaming
  SecretsRotateMlLabelling
}",
            with: "group JohnDoeGroup {
  TeamMl
  MlPublishStreaming
  SecretsRotateMlLabelling
}

/// Publishing curated data: the lead's, delegated to MaryMajor.
group MlPublishStreaming { S3AllowWriteOnBucketMldataPrefixStreaming }",
        },
        Edit {
            file: "roles.iam",
            find: "role MaryMajor {\n  grants TeamMl\n",
            with: "role MaryMajor {\n  grants TeamMl, MlPublishStreaming\n",
        },
    ],
    // 4. A new team needs a subset of an existing team's permissions.
    &[
        Edit {
            file: "groups.iam",
            find: "  S3AllowReadOnBucketMldataPrefixStreaming
  S3AllowReadOnBucketMldataPrefixFeatures
}",
            with: "  MlDataRead
}

/// Reading the ML data: shared by the ML and data science teams.
group MlDataRead {
  S3AllowReadOnBucketMldataPrefixStreaming
  S3AllowReadOnBucketMldataPrefixFeatures
}

/// The data science team: the ML data, without the devserver scratch space.
group TeamDs { Base, MlDataRead }",
        },
        Edit {
            file: "roles.iam",
            find: "",
            with: "
/// Engineer on the data science team.
role AliceSmith {
  grants TeamDs
  trust Devserver
  managed \"arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy\"
  instance_profile
  tag Owner \"alicesmith\"
}
",
        },
    ],
];

fn apply(dir: &Path, edit: &Edit) {
    let path = dir.join(edit.file);
    let old = fs::read_to_string(&path).unwrap_or_default();
    let new = if edit.find.is_empty() {
        format!("{old}{}", edit.with)
    } else {
        assert_eq!(
            old.matches(edit.find).count(),
            1,
            "tutorial: policies/{} should hold this text once:\n{}",
            edit.file,
            edit.find
        );
        old.replacen(edit.find, edit.with, 1)
    };
    fs::write(path, new).unwrap();
}

/// Every output of the tutorial, by name.
fn tutorial(outputs: &mut BTreeMap<String, String>) {
    let dir = temp_dir("tutorial");
    copy_dir(&support::repo().join("policies"), &dir.join("policies"));
    let settings = support::repo().join("iamc.yaml");
    if settings.exists() {
        fs::copy(settings, dir.join("iamc.yaml")).unwrap();
    }
    run(&dir, &["build"], 0);
    for (n, edits) in STEPS.iter().enumerate() {
        let n = n + 1;
        let base = dir.join("base");
        let _ = fs::remove_dir_all(&base);
        copy_dir(&dir.join("policies"), &base);
        let mut files: Vec<&str> = edits.iter().map(|e| e.file).collect();
        files.sort();
        files.dedup();
        for edit in *edits {
            apply(&dir.join("policies"), edit);
        }
        let mut source = String::new();
        for file in files {
            let old = fs::read_to_string(base.join(file)).unwrap();
            let new = fs::read_to_string(dir.join("policies").join(file)).unwrap();
            source.push_str(
                &similar::TextDiff::from_lines(&old, &new)
                    .unified_diff()
                    .context_radius(2)
                    .header(&format!("a/policies/{file}"), &format!("b/policies/{file}"))
                    .to_string(),
            );
        }
        outputs.insert(format!("tutorial-{n}-source"), source);
        let check = run(&dir, &["build", "--check"], 1);
        outputs.insert(format!("tutorial-{n}-check"), text(&check.stdout));
        let stderr = text(&check.stderr);
        let last = stderr.lines().last().unwrap_or("");
        outputs.insert(format!("tutorial-{n}-stale"), format!("{last}\n"));
        let diff = run(&dir, &["diff", "--base-dir", "base"], 0);
        outputs.insert(format!("tutorial-{n}-diff"), text(&diff.stdout));
        run(&dir, &["build"], 0);
    }
}

// ------------------------------------------------------------------ scenarios

const QUICKSTART: &str = "/// Read the static files of the website bucket.
policy S3ReadWebsite {
  allow s3:ListBucket on \"arn:aws:s3:::example-website\"
  allow s3:GetObject on \"arn:aws:s3:::example-website/*\"
}

trust Ec2 { service \"ec2.amazonaws.com\" }

role AliceExample {
  grants S3ReadWebsite
  trust Ec2
}
";

/// stderr then stdout, as a terminal shows a command whose output is short.
fn terminal(out: &Output) -> String {
    format!("{}{}", text(&out.stderr), text(&out.stdout))
}

/// `run SCENARIO`: a command in a temporary project, as a terminal shows it.
fn scenario(name: &str) -> String {
    let dir = temp_dir(&format!("run-{name}"));
    let out = match name {
        "build" => {
            write(&dir, "policies/website.iam", QUICKSTART);
            run(&dir, &["build"], 0)
        }
        "build-check-fresh" => {
            write(&dir, "policies/website.iam", QUICKSTART);
            run(&dir, &["build"], 0);
            run(&dir, &["build", "--check"], 0)
        }
        "build-check-stale" => {
            write(&dir, "policies/website.iam", QUICKSTART);
            run(&dir, &["build"], 0);
            let edited =
                QUICKSTART.replace("s3:GetObject on", "[s3:GetObject, s3:GetObjectVersion] on");
            write(&dir, "policies/website.iam", &edited);
            run(&dir, &["build", "--check"], 1)
        }
        "build-error" | "build-error-json" => {
            let broken = QUICKSTART.replace("grants S3ReadWebsite", "grants S3ReadWebsit");
            write(&dir, "policies/website.iam", &broken);
            if name == "build-error" {
                run(&dir, &["build"], 2)
            } else {
                run(&dir, &["build", "--format", "json"], 2)
            }
        }
        "manifest" => {
            write(&dir, "policies/website.iam", QUICKSTART);
            run(&dir, &["manifest"], 0)
        }
        "lint" => {
            write(&dir, "policies/website.iam", QUICKSTART);
            run(&dir, &["lint"], 0)
        }
        "outputs" => {
            write(&dir, "policies/website.iam", QUICKSTART);
            run(&dir, &["outputs"], 0)
        }
        "E080" => {
            write(&dir, "policies/website.iam", QUICKSTART);
            write(&dir, "iamc.yaml", "limits:\n  max_managed_polices: 4\n");
            run(&dir, &["build"], 2)
        }
        "E081" => run(&dir, &["build"], 2),
        "E082" => {
            write(&dir, "policies/website.iam", QUICKSTART);
            write(
                &dir,
                "generated/AliceExample.yaml",
                "# Written by hand.\nResources: {}\n",
            );
            run(&dir, &["build"], 2)
        }
        other => panic!("no scenario `{other}` in tests/it/book.rs"),
    };
    terminal(&out)
}

// ------------------------------------------------------------------ checking blocks

/// What a `<!-- generated: NAME -->` block of `page` must hold.
fn expected(
    page: &str,
    blocks: &[Block],
    index: usize,
    name: &str,
    tutorial: &BTreeMap<String, String>,
) -> String {
    let nearest_program = || {
        (0..index)
            .rev()
            .find(|&i| blocks[i].lang() == "iam" || blocks[i].is_settings())
            .unwrap_or_else(|| panic!("{page}: `{name}` has no ```iam block above"))
    };
    let (kind, arg) = name.split_once(' ').unwrap_or((name, ""));
    match kind {
        "build" => {
            let i = nearest_program();
            if blocks[i].is_settings() {
                match Config::parse(&blocks[i].body, "iamc.yaml") {
                    Ok(_) => String::new(),
                    Err(d) => Diagnostics(vec![d]).render_text(&Sources::new()),
                }
            } else {
                compile_block(page, blocks, i).text
            }
        }
        "yaml" => {
            let i = nearest_program();
            let compiled = compile_block(page, blocks, i);
            let files = compiled
                .result
                .unwrap_or_else(|_| panic!("{page}: `{name}`: {}", compiled.text));
            files
                .into_iter()
                .find(|(f, _)| f == arg)
                .map(|(_, t)| t)
                .unwrap_or_else(|| panic!("{page}: `{name}`: no template {arg}"))
        }
        "grammar" => grammar(&arg.split_whitespace().collect::<Vec<_>>()),
        "help" => help(Some(arg).filter(|a| !a.is_empty())),
        "run" => scenario(arg),
        _ if kind.starts_with("tutorial-") => tutorial
            .get(kind)
            .cloned()
            .unwrap_or_else(|| panic!("{page}: the tutorial has no output `{kind}`")),
        _ => panic!("{page}: unknown generated block `{name}`"),
    }
}

#[test]
fn shown_output_is_what_iamc_prints() {
    let mut tutorial_outputs = BTreeMap::new();
    tutorial(&mut tutorial_outputs);
    let mut used = BTreeSet::new();
    let mut failures = Vec::new();
    let mut count = 0;
    for (page, text) in pages() {
        let blocks = blocks(&text);
        let mut replacements: Vec<(usize, usize, String)> = Vec::new();
        for (i, block) in blocks.iter().enumerate() {
            let Some(name) = &block.generated else {
                continue;
            };
            count += 1;
            used.insert(name.clone());
            let actual = expected(&page, &blocks, i, name, &tutorial_outputs);
            if block.body != actual {
                if support::updating() {
                    replacements.push((block.body_start, block.close, actual));
                } else {
                    let diff = similar::TextDiff::from_lines(&block.body, &actual)
                        .unified_diff()
                        .header(&format!("{page}:{} (shown)", block.line), "iamc")
                        .to_string();
                    failures.push(format!("{page}:{}: `{name}` differs:\n{diff}", block.line));
                }
            }
        }
        if !replacements.is_empty() {
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            for (start, close, actual) in replacements.into_iter().rev() {
                let new: Vec<String> = actual.lines().map(str::to_string).collect();
                lines.splice(start..close, new);
            }
            fs::write(book_src().join(&page), format!("{}\n", lines.join("\n"))).unwrap();
        }
    }
    for name in tutorial_outputs.keys() {
        if !used.contains(name) {
            failures.push(format!("the tutorial's `{name}` is shown nowhere"));
        }
    }
    assert!(count > 20, "only {count} generated blocks in the book");
    assert!(
        failures.is_empty(),
        "{} (UPDATE_EXPECT=1 cargo test --test it book:: rewrites the blocks)",
        failures.join("\n\n")
    );
}

#[test]
fn cli_reference_covers_every_command() {
    let cli = fs::read_to_string(book_src().join("cli.md")).unwrap();
    let shown: BTreeSet<String> = blocks(&cli)
        .iter()
        .filter_map(|b| b.generated.clone())
        .collect();
    let mut missing = Vec::new();
    for command in commands() {
        if !shown.contains(&format!("help {command}")) {
            missing.push(command);
        }
    }
    assert!(
        missing.is_empty(),
        "cli.md shows no `<!-- generated: help COMMAND -->` for {missing:?}"
    );
}

/// The test itself: a block that does not compile, or fails with another code, is
/// caught; a broken link is caught; a stale generated block is caught.
#[test]
fn the_checks_can_fail() {
    let page = "```iam\npolicy P {}\n```\n\n```iam,error=E011\npolicy P { allow s3:GetObject on \"arn:aws:s3:::b/*\" }\n```\n";
    let parsed = blocks(page);
    assert!(compile_block("t.md", &parsed, 0).result.is_err());
    assert!(compile_block("t.md", &parsed, 1).result.is_ok());
    assert_eq!(
        links("[a](missing.md) `[b](code.md)`\n```\n[c](block.md)\n```\n"),
        vec![("missing.md".to_string(), 1)]
    );
    assert_eq!(heading_id("E011: `undefined` name!"), "e011-undefined-name");
    let shown = "<!-- generated: grammar because -->\n```text\nstale\n```\n";
    let b = blocks(shown);
    assert_eq!(b[0].generated.as_deref(), Some("grammar because"));
    assert_ne!(b[0].body, grammar(&["because"]));
}
