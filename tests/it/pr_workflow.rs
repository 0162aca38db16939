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

/// The file `iamc init --only PART` writes in `dir`.
fn init_part(dir: &Path, part: &str, file: &str) -> String {
    let out = iamc(dir, &["init", "--only", part]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    fs::read_to_string(dir.join(file)).unwrap()
}

fn step<'a>(steps: &'a [serde_yaml::Value], name: &str) -> &'a serde_yaml::Value {
    steps
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step `{name}` in {steps:?}"))
}

#[test]
fn the_workflow_iamc_init_writes_installs_the_pinned_iamc_and_runs_the_review_script() {
    let dir = support::TempDir::new("pr-init-workflow");
    git(&dir, &["init", "-q"]);
    let written = init_part(&dir, "workflow", ".github/workflows/iam.yml");
    let workflow: serde_yaml::Value = serde_yaml::from_str(&written).unwrap();
    assert_eq!(workflow["env"]["IAMC_VERSION"], env!("CARGO_PKG_VERSION"));
    let job = &workflow["jobs"]["review"];
    let steps = job["steps"].as_sequence().unwrap();
    // Nothing is fetched from a repository: only GitHub's own actions.
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert_eq!(
        uses,
        [
            "actions/checkout@v4",
            "actions/cache@v4",
            "github/codeql-action/upload-sarif@v3"
        ]
    );
    // The pinned crate, cached under a key that names it.
    let cache = steps
        .iter()
        .find(|s| s["uses"] == "actions/cache@v4")
        .unwrap();
    let key = cache["with"]["key"].as_str().unwrap();
    assert!(key.contains("${{ env.IAMC_VERSION }}"), "{key}");
    let install = step(steps, "Install iamc ${{ env.IAMC_VERSION }}");
    assert_eq!(
        install["run"],
        "cargo install iamc --version \"$IAMC_VERSION\" --locked --root ~/.iamc"
    );
    assert_eq!(
        install["if"], "steps.cache.outputs.cache-hit != 'true'",
        "a cache hit must skip the install"
    );
    // The review is the script the tests above run, whole.
    let script = fs::read_to_string(support::repo().join("scripts/ci/pr-review.sh")).unwrap();
    assert_eq!(step(steps, "Review")["run"].as_str().unwrap(), script);
    assert_eq!(job["defaults"]["run"]["working-directory"], ".");
    // Code scanning only when asked for; a note otherwise.
    let upload = step(steps, "Upload the lint findings to code scanning");
    assert!(
        upload["if"]
            .as_str()
            .unwrap()
            .contains("vars.IAMC_CODE_SCANNING == 'true'")
    );
    assert_eq!(upload["with"]["sarif_file"], "iamc.sarif");
    assert!(
        step(steps, "Note where the lint findings are")["if"]
            .as_str()
            .unwrap()
            .contains("vars.IAMC_CODE_SCANNING != 'true'")
    );
    assert_eq!(job["permissions"]["pull-requests"], "write");
    assert_eq!(workflow["permissions"]["contents"], "read");
    // After a merge: the deploy job, on the default branch only, with the same iamc.
    assert_eq!(
        workflow["on"]["push"]["paths"][0], "generated/**",
        "deploys when templates change"
    );
    let deploy = &workflow["jobs"]["deploy"];
    assert!(
        deploy["if"]
            .as_str()
            .unwrap()
            .contains("github.ref_name == github.event.repository.default_branch")
    );
    assert_eq!(deploy["permissions"]["id-token"], "write");
    assert_eq!(deploy["concurrency"]["cancel-in-progress"], false);
    let deploy_steps = deploy["steps"].as_sequence().unwrap();
    assert_eq!(
        step(deploy_steps, "Install iamc ${{ env.IAMC_VERSION }}")["run"],
        install["run"]
    );
    assert_eq!(
        step(
            deploy_steps,
            "Check that generated/ is what the sources compile to"
        )["run"],
        "iamc build --check"
    );
    let plan = step(deploy_steps, "Plan")["run"].as_str().unwrap();
    assert!(
        plan.starts_with("iamc deploy ") && plan.ends_with(" --dry-run"),
        "{plan}"
    );
    let run = step(deploy_steps, "Deploy");
    assert_eq!(run["if"], "env.DEPLOY_ROLE != ''");
    assert_eq!(
        format!("{} --dry-run", run["run"].as_str().unwrap()),
        plan,
        "the plan shown is the one deployed"
    );
    let credentials = deploy_steps
        .iter()
        .find(|s| s["uses"] == "aws-actions/configure-aws-credentials@v4")
        .unwrap();
    assert_eq!(credentials["if"], "env.DEPLOY_ROLE != ''");
    assert_eq!(deploy["env"]["DEPLOY_ROLE"], "${{ vars.IAMC_DEPLOY_ROLE }}");
    // The plan step's shell line, run as the workflow runs it, with and without a base.
    for (base, delete, wanted) in [
        ("", "", "deploy --dry-run"),
        ("abc123", "", "deploy --base abc123 --dry-run"),
        (
            "abc123",
            "--delete",
            "deploy --base abc123 --delete --dry-run",
        ),
    ] {
        let out = Command::new("bash")
            .args(["-c", &plan.replacen("iamc ", "echo ", 1)])
            .env("BASE", base)
            .env("DELETE", delete)
            .output()
            .unwrap();
        assert_eq!(text(&out.stdout).trim(), wanted);
    }
    // Again: refused, the file untouched.
    let out = iamc(&dir, &["init", "--only", "workflow"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains(".github/workflows/iam.yml"));
}

#[test]
fn a_project_in_a_folder_gets_the_workflow_at_the_root_and_sarif_paths_from_the_root() {
    let repo = support::TempDir::new("pr-subfolder");
    git(&repo, &["init", "-q"]);
    let project = repo.join("infra/iam");
    fs::create_dir_all(&project).unwrap();
    let out = iamc(&project, &["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(project.join("policies/main.iam").is_file());
    assert!(!project.join(".github").exists());
    let workflow: serde_yaml::Value =
        serde_yaml::from_str(&fs::read_to_string(repo.join(".github/workflows/iam.yml")).unwrap())
            .unwrap();
    let paths: Vec<&str> = workflow["on"]["pull_request"]["paths"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "infra/iam/policies/**",
            "infra/iam/generated/**",
            "infra/iam/iamc.yaml",
            ".github/workflows/iam.yml"
        ]
    );
    let job = &workflow["jobs"]["review"];
    assert_eq!(job["defaults"]["run"]["working-directory"], "infra/iam");
    assert_eq!(workflow["on"]["push"]["paths"][0], "infra/iam/generated/**");
    assert_eq!(
        workflow["jobs"]["deploy"]["defaults"]["run"]["working-directory"],
        "infra/iam"
    );
    let steps = job["steps"].as_sequence().unwrap();
    let upload = step(steps, "Upload the lint findings to code scanning");
    assert_eq!(upload["with"]["sarif_file"], "infra/iam/iamc.sarif");

    // A finding, so that SARIF names a file: a wildcard resource.
    fs::write(
        project.join("policies/wide.iam"),
        "policy Wide {\n  allow s3:GetObject on \"*\"\n}\n\ntrust WideEc2 {\n  service \"ec2.amazonaws.com\"\n}\n\nrole Wider {\n  grants Wide\n  trust WideEc2\n}\n",
    )
    .unwrap();
    // From the project's folder, from its policies/, and from the root with -C.
    for (dir, args) in [
        (project.clone(), vec!["lint", "--format", "sarif"]),
        (project.join("policies"), vec!["lint", "--format", "sarif"]),
        (
            repo.to_path_buf(),
            vec!["-C", "infra/iam", "lint", "--format", "sarif"],
        ),
    ] {
        let out = iamc(&dir, &args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let uris: Vec<&str> = sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        assert!(!uris.is_empty(), "no finding");
        for uri in uris {
            assert_eq!(uri, "infra/iam/policies/wide.iam", "from {}", dir.display());
            assert!(repo.join(uri).is_file());
        }
    }

    // The hooks, from the root: they name the project's folder.
    let hooks = init_part(&project, "hooks", "../../.pre-commit-config.yaml");
    assert!(
        hooks.contains("entry: iamc -C infra/iam build --check"),
        "{hooks}"
    );
    assert!(
        hooks.contains("files: ^infra/iam/policies/.*\\.iam$"),
        "{hooks}"
    );
    let out = iamc(&project, &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = iamc(&repo, &["-C", "infra/iam", "build", "--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn the_hooks_install_the_pinned_iamc_and_their_commands_work_on_a_project() {
    let dir = support::TempDir::new("pr-hooks");
    git(&dir, &["init", "-q"]);
    assert!(iamc(&dir, &["init", "--no-ci"]).status.success());
    let hooks = init_part(&dir, "hooks", ".pre-commit-config.yaml");
    let config: serde_yaml::Value = serde_yaml::from_str(&hooks).unwrap();
    let repo = &config["repos"][0];
    assert_eq!(repo["repo"], "local");
    let hooks = repo["hooks"].as_sequence().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["iamc-fmt", "iamc-check"]);
    assert!(iamc(&dir, &["build"]).status.success());
    let pinned = format!("cli:iamc:{}", env!("CARGO_PKG_VERSION"));
    for hook in hooks {
        let id = hook["id"].as_str().unwrap();
        assert_eq!(hook["language"], "rust", "{id}");
        assert_eq!(hook["additional_dependencies"][0], pinned.as_str(), "{id}");
        let entry: Vec<&str> = hook["entry"].as_str().unwrap().split(' ').collect();
        assert_eq!(entry[0], "iamc");
        let mut args: Vec<&str> = entry[1..].to_vec();
        let files = regex::Regex::new(hook["files"].as_str().unwrap()).unwrap();
        if hook["pass_filenames"].as_bool() != Some(false) {
            assert!(files.is_match("policies/main.iam"), "{id}");
            args.push("policies/main.iam");
        }
        assert!(
            !files.is_match("src/main.iam") || id == "iamc-check",
            "{id}"
        );
        let out = iamc(&dir, &args);
        assert_eq!(out.status.code(), Some(0), "{id}: {}", text(&out.stderr));
    }
    // The hooks of iamc's own repository (for `repo:` naming a clone of it) are the
    // same two commands, built from that clone.
    let own: serde_yaml::Value = serde_yaml::from_str(
        &fs::read_to_string(support::repo().join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    for (mine, local) in own.as_sequence().unwrap().iter().zip(hooks) {
        assert_eq!(mine["id"], local["id"]);
        assert_eq!(mine["entry"], local["entry"]);
        assert_eq!(mine["language"], "rust");
    }
}

#[test]
fn the_action_builds_from_its_own_files_under_a_key_of_them() {
    let repo = support::repo();
    let page = fs::read_to_string(repo.join("book/src/ci.md")).unwrap();
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
    assert_eq!(action["inputs"]["sarif"]["default"], "false", "opt-in");
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let runs: String = steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(runs.contains("scripts/ci/pr-review.sh"), "{runs}");
    assert!(runs.contains("cargo install --locked --path"), "{runs}");
    let cache = steps
        .iter()
        .find(|s| s["uses"] == "actions/cache@v4")
        .unwrap();
    assert_eq!(cache["with"]["key"], "${{ steps.key.outputs.key }}");
    // The key: the fingerprint step, run on iamc's own files, names the version
    // and changes with any file that is built.
    let fingerprint = step(steps, "Fingerprint what the action builds")["run"]
        .as_str()
        .unwrap()
        .replace("${{ runner.os }}", "Linux")
        .replace("${{ runner.arch }}", "X64");
    let key_of = |dir: &Path| {
        let output = support::TempDir::new("pr-action-key-out");
        let out = Command::new("bash")
            .args(["-c", &fingerprint])
            .current_dir(dir)
            .env("GITHUB_OUTPUT", output.join("out"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        fs::read_to_string(output.join("out")).unwrap()
    };
    let copy = support::TempDir::new("pr-action-key");
    for part in ["Cargo.toml", "Cargo.lock"] {
        fs::copy(repo.join(part), copy.join(part)).unwrap();
    }
    copy_dir(&repo.join("src"), &copy.join("src"));
    copy_dir(&repo.join("grammar"), &copy.join("grammar"));
    let before = key_of(&copy);
    assert!(
        before.starts_with(&format!("key=iamc-{}-", env!("CARGO_PKG_VERSION"))),
        "{before}"
    );
    assert!(before.trim_end().ends_with("-Linux-X64"), "{before}");
    fs::write(copy.join("grammar/extra.pest"), "// changed\n").unwrap();
    assert_ne!(key_of(&copy), before);
    assert!(
        steps
            .iter()
            .filter_map(|s| s["uses"].as_str())
            .any(|u| u.starts_with("github/codeql-action/upload-sarif"))
    );
}

/// Any `OWNER/iamc@REF` or `github.com/OWNER/iamc`: iamc's repository is not
/// known, so nothing a user copies may name one.
#[test]
fn no_file_names_a_repository_of_iamc() {
    let repo = support::repo();
    let listed = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(&repo)
        .output()
        .unwrap();
    assert!(listed.status.success());
    let pattern =
        regex::Regex::new(r"(?i)[\w.-]+/iamc@|github\.com[/:][\w.-]+/iamc\b|repo: .*/iamc\b")
            .unwrap();
    let this = file!();
    let mut found = Vec::new();
    let mut read = 0;
    for name in listed.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name).into_owned();
        if name == this {
            continue;
        }
        let Ok(content) = fs::read_to_string(repo.join(&name)) else {
            continue; // binary, or removed in the working tree
        };
        read += 1;
        for (n, line) in content.lines().enumerate() {
            if pattern.is_match(line) {
                found.push(format!("{name}:{}: {line}", n + 1));
            }
        }
    }
    assert!(read > 100, "only {read} files read");
    assert!(found.is_empty(), "{}", found.join("\n"));
    // The pattern catches what it is for.
    for line in [
        "      - uses: acme/iamc@main",
        "  - repo: https://github.com/acme/iamc",
    ] {
        assert!(pattern.is_match(line), "{line}");
    }
    assert!(!pattern.is_match("repo:acme/site:ref:refs/heads/main"));
}
