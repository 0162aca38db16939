//! The pull-request workflow: `diff` with no program at the base, `--fail-on`,
//! the Markdown report's marker, folding and length cap, and the action's
//! script (scripts/ci/pr-review.sh) run on the example program with a fake
//! `gh` on PATH: the first pull request, one that changes nothing, one that
//! broadens, one that breaks.

use crate::support::{self, copy_dir};
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const MARKER: &str = "<!-- iamc-diff -->";

fn run(dir: &Path, program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_BASE_REF")
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap()
}

fn iamc(dir: &Path, args: &[&str]) -> Output {
    run(dir, env!("CARGO_BIN_EXE_iamc"), args)
}

fn git(dir: &Path, args: &[&str]) {
    let mut full = vec![
        "-c",
        "user.name=Test",
        "-c",
        "user.email=test@example.com",
        "-c",
        "init.defaultBranch=main",
        "-c",
        "commit.gpgsign=false",
    ];
    full.extend_from_slice(args);
    let out = run(dir, "git", &full);
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Broadens: a new role granted `Base` (every engineer's group).
fn add_role(dir: &Path, name: &str) {
    let role = format!("role {name} {{\n  grants Base\n  trust Devserver\n}}\n");
    fs::write(dir.join("policies/new.iam"), role).unwrap();
}

/// Breaks: the role RichardRoe (the last of roles.iam) removed, its stack deleted.
fn remove_a_role(dir: &Path) {
    let roles = fs::read_to_string(dir.join("policies/roles.iam")).unwrap();
    let start = roles.find("role RichardRoe").unwrap();
    fs::write(dir.join("policies/roles.iam"), &roles[..start]).unwrap();
}

#[test]
fn diff_with_no_commit_yet_or_no_program_at_the_base_shows_everything_new() {
    let dir = support::TempDir::new("pr-first");
    git(&dir, &["init", "-q"]);
    copy_dir(&support::repo().join("policies"), &dir.join("policies"));
    fs::copy(support::repo().join("iamc.yaml"), dir.join("iamc.yaml")).unwrap();
    // No commit yet.
    let out = iamc(&dir, &["diff", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["base"], "HEAD (no program)");
    let principals = report["principals"].as_array().unwrap();
    assert!(principals.len() >= 7, "{principals:?}");
    assert!(principals.iter().all(|p| p["status"] == "added"));
    // A commit without policies/: the same.
    fs::write(dir.join("README"), "hello\n").unwrap();
    git(&dir, &["add", "README"]);
    git(&dir, &["commit", "-q", "-m", "first"]);
    let out = iamc(&dir, &["diff", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let again: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(again["principals"], report["principals"]);
    // A revision that does not exist is still an error, not an empty base.
    let out = iamc(&dir, &["diff", "--base", "mian"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn fail_on_keys_off_the_diffs_classification() {
    let dir = support::TempDir::new("pr-fail-on");
    copy_dir(&support::repo().join("policies"), &dir.join("base"));
    copy_dir(&support::repo().join("policies"), &dir.join("policies"));
    fs::copy(support::repo().join("iamc.yaml"), dir.join("iamc.yaml")).unwrap();
    let code = |args: &[&str]| {
        let mut full = vec!["diff", "--base-dir", "base"];
        full.extend_from_slice(args);
        let out = iamc(&dir, &full);
        assert_ne!(out.status.code(), Some(2), "{}", text(&out.stderr));
        out.status.code().unwrap()
    };
    // Nothing changed: nothing fails.
    for kind in [
        "broadening",
        "breaking",
        "any",
        "none",
        "broadening,breaking",
    ] {
        assert_eq!(code(&["--fail-on", kind]), 0, "{kind}");
    }
    // Only narrower: a policy leaves a group (JaneDoe and others lose it).
    let groups = fs::read_to_string(dir.join("policies/groups.iam")).unwrap();
    fs::write(
        dir.join("policies/groups.iam"),
        groups.replacen("  EcrBrowse\n", "", 1),
    )
    .unwrap();
    assert_eq!(code(&["--fail-on", "broadening"]), 0);
    assert_eq!(code(&["--fail-on", "breaking"]), 0);
    assert_eq!(code(&["--fail-on", "any"]), 1);
    // Broadening: a new role.
    add_role(&dir, "NewHire");
    assert_eq!(code(&["--fail-on", "broadening"]), 1);
    assert_eq!(code(&["--fail-on", "breaking"]), 0);
    assert_eq!(code(&["--fail-on", "none"]), 0);
    // Breaking: a role removed (its stack is deleted).
    remove_a_role(&dir);
    assert_eq!(code(&["--fail-on", "breaking"]), 1);
    assert_eq!(code(&["--fail-on", "breaking,broadening"]), 1);
}

#[test]
fn the_markdown_report_has_a_marker_folds_long_groups_and_fits_a_comment() {
    let dir = support::TempDir::new("pr-markdown");
    git(&dir, &["init", "-q"]);
    fs::create_dir_all(dir.join("policies")).unwrap();
    for (name, source) in support::organisation(300) {
        fs::write(dir.join("policies").join(name), source).unwrap();
    }
    let full = iamc(&dir, &["diff", "--format", "markdown", "--max-length", "0"]);
    assert_eq!(full.status.code(), Some(0), "{}", text(&full.stderr));
    let full = text(&full.stdout);
    assert!(full.starts_with(&format!("{MARKER}\n")));
    assert!(
        full.len() > 65_536,
        "the test needs a report over the limit"
    );
    assert!(full.contains("<details><summary>"), "no group was folded");
    assert!(!full.contains("Cut to fit"));

    let cut = iamc(&dir, &["diff", "--format", "markdown"]);
    let cut = text(&cut.stdout);
    assert!(cut.len() <= 65_536, "{} characters", cut.len());
    assert!(cut.starts_with(&format!("{MARKER}\n")));
    // The summary counts everything, and the cut says so and where the rest is.
    let summary = full.lines().nth(3).unwrap();
    assert_eq!(cut.lines().nth(3).unwrap(), summary);
    assert!(cut.contains("> [!WARNING]"));
    assert!(
        cut.contains("Cut to fit a comment"),
        "{}",
        &cut[cut.len() - 500..]
    );
    assert!(cut.contains("the workflow run's summary"));

    let small = iamc(
        &dir,
        &["diff", "--format", "markdown", "--max-length", "3000"],
    );
    let small = text(&small.stdout);
    assert!(small.len() <= 3000, "{}", small.len());
    assert!(small.contains("Cut to fit a comment: "));
}

/// A fake `gh`: comments are files of `$FAKE_GH/comments` named by id; it
/// answers the script's three calls (list, update, post) as GitHub would.
const FAKE_GH: &str = r#"#!/usr/bin/env bash
set -eu
echo "$*" >>"$FAKE_GH/log"
comments="$FAKE_GH/comments"
mkdir -p "$comments"
if [[ "$1 $2" == "api --paginate" ]]; then
    # --jq '.[] | select(.body | startswith(MARKER)) | .id', in id order
    for id in $(ls "$comments" | sort -n); do
        if [[ "$(head -c 18 "$comments/$id")" == '<!-- iamc-diff -->' ]]; then echo "$id"; fi
    done
elif [[ "$1 $2 $3" == "api --method PATCH" ]]; then
    cp "${6#body=@}" "$comments/${4##*/}"
elif [[ "$1 $2" == "pr comment" ]]; then
    id=$(( $(ls "$comments" | wc -l) + 100 ))
    cp "$5" "$comments/$id"
else
    echo "fake gh: unexpected call: $*" >&2
    exit 1
fi
"#;

struct Review {
    code: i32,
    stdout: String,
}

fn review(dir: &Path, fake: &Path, base: &str, fail_on: &str) -> Review {
    let path = format!(
        "{}:{}",
        fake.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg(support::repo().join("scripts/ci/pr-review.sh"))
        .current_dir(dir)
        .env("PATH", path)
        .env("FAKE_GH", fake)
        .env("IAMC", env!("CARGO_BIN_EXE_iamc"))
        .env("IAMC_BASE", base)
        .env("IAMC_FAIL_ON", fail_on)
        .env("PR_NUMBER", "7")
        .env("GITHUB_REPOSITORY", "acme/infra")
        .env("GITHUB_STEP_SUMMARY", fake.join("summary.md"))
        .env_remove("GITHUB_BASE_REF")
        .output()
        .unwrap();
    Review {
        code: out.status.code().unwrap(),
        stdout: text(&out.stdout) + &text(&out.stderr),
    }
}

/// The script exited `code` and said `said`.
fn expect(review: Review, code: i32, said: &str) {
    assert_eq!(review.code, code, "{}", review.stdout);
    assert!(review.stdout.contains(said), "{}", review.stdout);
}

fn comments(fake: &Path) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = fs::read_dir(fake.join("comments"))
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let id = path.file_name().unwrap().to_string_lossy().into_owned();
            (id, fs::read_to_string(path).unwrap())
        })
        .collect();
    list.sort_by_key(|(id, _)| id.parse::<u64>().unwrap());
    list
}

/// Commits the working tree on a new branch `name` from main.
fn pull_request(dir: &Path, name: &str, change: impl Fn(&Path)) {
    git(dir, &["checkout", "-q", "main"]);
    git(dir, &["checkout", "-q", "-b", name]);
    change(dir);
    let out = iamc(dir, &["build"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", name]);
}

#[test]
fn the_actions_script_reviews_pull_requests_and_keeps_one_comment() {
    let dir = support::TempDir::new("pr-action");
    let fake = support::TempDir::new("pr-action-gh");
    fs::create_dir_all(fake.join("bin")).unwrap();
    fs::create_dir_all(fake.join("comments")).unwrap();
    let gh = fake.join("bin/gh");
    fs::write(&gh, FAKE_GH).unwrap();
    assert!(
        run(&fake, "chmod", &["+x", gh.to_str().unwrap()])
            .status
            .success()
    );
    // A reviewer's comment, which the bot must never touch.
    fs::write(fake.join("comments/50"), "LGTM once the diff is green\n").unwrap();

    git(&dir, &["init", "-q"]);
    fs::write(dir.join("README"), "infra\n").unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "start"]);

    // The first pull request: iamc arrives; no program at the base.
    pull_request(&dir, "first", |d| {
        copy_dir(&support::repo().join("policies"), &d.join("policies"));
        fs::copy(support::repo().join("iamc.yaml"), d.join("iamc.yaml")).unwrap();
    });
    let first = review(&dir, &fake, "main", "none");
    assert_eq!(first.code, 0, "{}", first.stdout);
    let posted = comments(&fake);
    assert_eq!(posted.len(), 2, "{posted:?}");
    assert_eq!(
        posted[0],
        ("50".into(), "LGTM once the diff is green\n".into())
    );
    assert_eq!(posted[1].0, "101");
    assert!(posted[1].1.starts_with(MARKER));
    assert!(
        posted[1].1.contains("`main (no program)`"),
        "{}",
        posted[1].1
    );
    assert!(
        fs::read_to_string(fake.join("summary.md"))
            .unwrap()
            .contains(MARKER)
    );
    assert!(dir.join("iamc.sarif").is_file());
    let sarif: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("iamc.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    // The same with --fail-on broadening: everything is new, so it fails.
    expect(
        review(&dir, &fake, "main", "broadening"),
        1,
        "::error::iamc diff",
    );
    git(&dir, &["checkout", "-q", "main"]);
    git(&dir, &["merge", "-q", "--ff-only", "first"]);

    // A pull request that changes nothing IAM can see: the comment is updated.
    pull_request(&dir, "docs", |d| {
        fs::write(d.join("README"), "infra, documented\n").unwrap()
    });
    let docs = review(&dir, &fake, "main", "any");
    assert_eq!(docs.code, 0, "{}", docs.stdout);
    let after = comments(&fake);
    assert_eq!(after.len(), 2, "a second comment was posted: {after:?}");
    assert!(after[1].1.contains("No change"), "{}", after[1].1);
    assert_eq!(after[0].1, "LGTM once the diff is green\n");

    // One that broadens: a new role.
    pull_request(&dir, "broadens", |d| add_role(d, "NewHire"));
    let broadens = review(&dir, &fake, "main", "broadening,breaking");
    assert_eq!(broadens.code, 1, "{}", broadens.stdout);
    let body = &comments(&fake)[1].1;
    assert!(
        body.contains("`NewHire` (new role)") && body.contains("[!WARNING]"),
        "{body}"
    );
    assert_eq!(review(&dir, &fake, "main", "breaking").code, 0);

    // One that breaks: a role removed.
    pull_request(&dir, "breaks", remove_a_role);
    let breaks = review(&dir, &fake, "main", "breaking");
    assert_eq!(breaks.code, 1, "{}", breaks.stdout);
    let body = &comments(&fake)[1].1;
    assert!(body.contains("[!CAUTION]"), "{body}");
    assert_eq!(comments(&fake).len(), 2);

    // generated/ left stale: the check fails, and the comment is still updated.
    add_role(&dir, "Stale");
    expect(
        review(&dir, &fake, "main", "none"),
        1,
        "generated/ is stale",
    );
    assert!(comments(&fake)[1].1.contains("`Stale` (new role)"));
    let log = fs::read_to_string(fake.join("log")).unwrap();
    assert_eq!(log.matches("pr comment").count(), 1, "{log}");
}

/// The fenced blocks of `info` in a Markdown page.
fn blocks(page: &str, info: &str) -> Vec<String> {
    let fence = format!("```{info}\n");
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(start) = rest.find(&fence) {
        let body = &rest[start + fence.len()..];
        let end = body.find("```").unwrap();
        out.push(body[..end].to_string());
        rest = &body[end..];
    }
    out
}

#[test]
fn the_ci_chapter_uses_the_action_and_the_hooks_that_exist() {
    let repo = support::repo();
    let page = fs::read_to_string(repo.join("book/src/ci.md")).unwrap();
    let yaml = blocks(&page, "yaml");
    // The workflow is the one `iamc init` writes, and it uses the action.
    let init = fs::read_to_string(repo.join("src/cli/init_files/iam.yml")).unwrap();
    assert_eq!(
        yaml[0], init,
        "ci.md's workflow is not what iamc init writes"
    );
    let workflow: serde_yaml::Value = serde_yaml::from_str(&yaml[0]).unwrap();
    let steps = workflow["jobs"]["iam"]["steps"].as_sequence().unwrap();
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert!(uses.iter().any(|u| u.ends_with("/iamc@main")), "{uses:?}");
    assert_eq!(
        workflow["permissions"]["security-events"], "write",
        "SARIF upload needs it"
    );

    // The action: its inputs are the ones the page lists, and it runs the script.
    let action: serde_yaml::Value =
        serde_yaml::from_str(&fs::read_to_string(repo.join("action.yml")).unwrap()).unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    for input in ["base", "fail-on", "working-directory", "comment", "sarif"] {
        assert!(action["inputs"][input].is_mapping(), "no input {input}");
        assert!(
            page.contains(&format!("| `{input}` |")),
            "ci.md lacks {input}"
        );
    }
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let runs: String = steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(runs.contains("scripts/ci/pr-review.sh"), "{runs}");
    assert!(runs.contains("cargo install --locked --path"), "{runs}");
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert!(uses.contains(&"actions/cache@v4"), "{uses:?}");
    assert!(
        uses.iter()
            .any(|u| u.starts_with("github/codeql-action/upload-sarif"))
    );
    assert!(repo.join("scripts/ci/pr-review.sh").is_file());

    // The hooks: the page's ids exist, and their commands work on a project.
    let hooks: serde_yaml::Value =
        serde_yaml::from_str(&fs::read_to_string(repo.join(".pre-commit-hooks.yaml")).unwrap())
            .unwrap();
    let hooks = hooks.as_sequence().unwrap();
    let config: serde_yaml::Value = serde_yaml::from_str(&yaml[1]).unwrap();
    let wanted = config["repos"][0]["hooks"].as_sequence().unwrap();
    let dir = support::TempDir::new("pr-hooks");
    assert!(iamc(&dir, &["init", "--no-ci"]).status.success());
    assert!(iamc(&dir, &["build"]).status.success());
    for hook in wanted {
        let id = hook["id"].as_str().unwrap();
        let found = hooks.iter().find(|h| h["id"] == id).unwrap();
        assert_eq!(found["language"], "rust");
        let entry: Vec<&str> = found["entry"].as_str().unwrap().split(' ').collect();
        assert_eq!(entry[0], "iamc");
        let mut args: Vec<&str> = entry[1..].to_vec();
        if found["pass_filenames"].as_bool() != Some(false) {
            args.push("policies/main.iam");
        }
        let out = iamc(&dir, &args);
        assert_eq!(out.status.code(), Some(0), "{id}: {}", text(&out.stderr));
    }
}
