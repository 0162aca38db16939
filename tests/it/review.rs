//! The review commands (`iamc diff`, `iamc explain`, `iamc graph`) run through
//! the real binary, on the example program and on edge cases. The book's
//! pages show output produced here: each block after a `<!-- output: NAME -->`
//! line must equal what the command prints (`UPDATE_EXPECT=1` rewrites them).

use crate::support::{self, copy_dir, iamc, write};
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn temp_dir(name: &str) -> support::TempDir {
    support::TempDir::new(&format!("review-{name}"))
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// Runs and checks the exit code, showing stderr on failure.
fn run(dir: &Path, args: &[&str], code: i32) -> String {
    let out = iamc(dir, args);
    assert_eq!(
        out.status.code(),
        Some(code),
        "iamc {}\nstdout:\n{}\nstderr:\n{}",
        args.join(" "),
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

fn book_block(page: &str, name: &str, actual: &str) {
    support::book_block(page, name, actual);
}

/// Expected stderr of a diagnostic only the CLI produces (see tests/it/cli.rs).
fn expect_stderr(name: &str, dir: &Path, out: &Output) {
    let actual = stderr(out).replace(&dir.display().to_string(), "$DIR");
    let path = support::repo().join(format!("tests/cli/expected/{name}.stderr"));
    if support::updating() {
        fs::write(&path, &actual).unwrap();
        return;
    }
    assert_eq!(
        fs::read_to_string(&path).unwrap_or_default(),
        actual,
        "{name}"
    );
}

/// Replaces `old` (which must be there) in a file.
fn edit(dir: &Path, file: &str, old: &str, new: &str) {
    let path = dir.join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(old),
        "{file} no longer contains {old:?}: update the scenario"
    );
    fs::write(&path, text.replacen(old, new, 1)).unwrap();
}

/// The example program in `dir/policies` and, with a pull request's worth of
/// edits, in `dir/pr/policies`; returns the edits as a unified diff.
fn example_pull_request(dir: &Path) -> String {
    let repo = support::repo();
    copy_dir(&repo.join("policies"), &dir.join("policies"));
    let head = dir.join("pr/policies");
    copy_dir(&repo.join("policies"), &head);
    edit(
        &head,
        "s3.iam",
        "    when StringEquals \"s3:x-amz-server-side-encryption\" \"aws:kms\"\n    when Bool \"aws:SecureTransport\" \"true\"\n",
        "    when StringEquals \"s3:x-amz-server-side-encryption\" \"aws:kms\"\n",
    );
    edit(&head, "groups.iam", "  EcsDenyDeleteOnClusterProd\n", "");
    edit(
        &head,
        "groups.iam",
        "group TeamMl {\n  Base\n",
        "group TeamMl {\n  Base\n  S3ReadOpsDataReports\n",
    );
    edit(
        &head,
        "s3.iam",
        "/// Read the data of client krun",
        "/// Read the weekly reports every ML engineer needs.\npolicy S3ReadOpsDataReports {\n  allow [s3:GetObject, s3:GetObjectVersion] on \"arn:aws:s3:::ops-data/reports/*\"\n}\n\n/// Read the data of client krun",
    );
    edit(
        &head,
        "roles.iam",
        "role RichardRoe {",
        "role RichardRoeSre {",
    );
    let mut patch = String::new();
    for file in ["groups.iam", "roles.iam", "s3.iam"] {
        let old = fs::read_to_string(repo.join("policies").join(file)).unwrap();
        let new = fs::read_to_string(head.join(file)).unwrap();
        patch.push_str(
            &similar::TextDiff::from_lines(&old, &new)
                .unified_diff()
                .context_radius(1)
                .header(&format!("a/policies/{file}"), &format!("b/policies/{file}"))
                .to_string(),
        );
    }
    patch
}

#[test]
fn diff_of_the_example_pull_request() {
    let dir = temp_dir("example-pr");
    let patch = example_pull_request(&dir);
    book_block("diff.md", "example-patch", &patch);
    let args = |format: &'static str| {
        vec![
            "diff",
            "--base-dir",
            "policies",
            "--src",
            "pr/policies",
            "--format",
            format,
        ]
    };
    let text = run(&dir, &args("text"), 0);
    book_block("diff.md", "example-text", &text);
    assert!(text.contains("[broadening: removed Deny]"), "{text}");
    assert!(text.contains("[broadening: removed condition]"), "{text}");
    assert!(
        text.contains("RichardRoeSre (renamed from RichardRoe)"),
        "{text}"
    );
    assert!(text.contains("role `PersonalRoleRichardRoe` renamed to `PersonalRoleRichardRoeSre`"));
    // One policy reaching two principals reads as one line for both.
    assert_eq!(
        text.matches("(policy S3ReadOpsDataReports)").count(),
        1,
        "{text}"
    );
    let markdown = run(&dir, &args("markdown"), 0);
    book_block("diff.md", "example-markdown", &markdown);
    assert!(markdown.contains("```diff\n"));

    let json: serde_json::Value = serde_json::from_str(&run(&dir, &args("json"), 0)).unwrap();
    assert_eq!(json["changed"], true);
    let renamed = json["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "RichardRoeSre")
        .unwrap();
    assert_eq!(renamed["status"], "renamed");
    assert_eq!(renamed["renamed_from"], "RichardRoe");
    let mut exit = args("text");
    exit.push("--exit-code");
    run(&dir, &exit, 1);
}

const PROGRAM: &str = r#"
/// Read the CDN.
policy S3ReadCdn { allow s3:GetObject on "arn:aws:s3:::cdn/*" }
policy S3DenyDelete { deny s3:DeleteObject on "arn:aws:s3:::cdn/*" }
group Base { S3ReadCdn, S3DenyDelete }
trust Ec2 { service "ec2.amazonaws.com" }
role Devserver {
  grants Base
  trust Ec2
}
"#;

/// The same program, drowned in comments, reordered and with a policy renamed.
const PROGRAM_COMMENTED: &str = r#"
// ---------------------------------------------------------------------------
// Devserver permissions. This file is mostly comments, on purpose.
// ---------------------------------------------------------------------------

// The role comes first now; order never matters.
role Devserver { // the engineer's box
  // what it may do
  grants Base // see below
  // who may wear it
  trust Ec2
}

/// Read the static files of the CDN (a longer doc comment than before).
/// It spans two lines.
policy S3ReadCdnObjects {
  // one statement
  allow s3:GetObject on "arn:aws:s3:::cdn/*" // objects only
}

// Nobody deletes.
policy S3DenyDelete { deny s3:DeleteObject on "arn:aws:s3:::cdn/*" }

group Base {
  S3ReadCdnObjects // renamed policy: same statement
  S3DenyDelete
}

// trust
trust Ec2 { service "ec2.amazonaws.com" } // ec2 only
"#;

#[test]
fn comments_reordering_and_policy_renames_change_nothing() {
    let dir = temp_dir("comments");
    write(&dir, "base/main.iam", PROGRAM);
    write(&dir, "head/main.iam", PROGRAM_COMMENTED);
    // The templates differ (a Sid and a comment): never "no change", but no
    // change in access either.
    let out = run(&dir, &["diff", "--base-dir", "base", "--src", "head"], 0);
    assert_eq!(
        out,
        "iamc diff base -> head: no change in access: 1 principal compared, 1 other change\n\n\
         other changes (no change in access)\n  \
         Devserver.yaml: ~ Resources PersonalPolicyMiscDevserver (AWS::IAM::ManagedPolicy) PolicyDocument\n"
    );
    // Comments and order alone change nothing at all.
    write(&dir, "same/main.iam", PROGRAM_COMMENTED.replace("S3ReadCdnObjects", "S3ReadCdn").replace("/// Read the static files of the CDN (a longer doc comment than before).\n/// It spans two lines.\n", "/// Read the CDN.\n"));
    let out = run(
        &dir,
        &["diff", "--base-dir", "base", "--src", "same", "--exit-code"],
        0,
    );
    assert_eq!(
        out,
        "iamc diff base -> same: no change: 1 principal compared, same grants, same resources\n"
    );
    let json = run(
        &dir,
        &[
            "diff",
            "--base-dir",
            "base",
            "--src",
            "head",
            "--format",
            "json",
        ],
        0,
    );
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["changed"], true);
    assert_eq!(json["broadening"], 0);
    assert_eq!(json["may_broaden"], 0);
    assert_eq!(json["principals"], serde_json::json!([]));
    // explain reads the commented program too.
    let explained = run(
        &dir,
        &["explain", "Devserver", "s3:GetObject", "--src", "head"],
        0,
    );
    assert!(
        explained.contains("via Devserver ← Base ← S3ReadCdnObjects"),
        "{explained}"
    );
}

#[test]
fn a_renamed_principal_is_breaking_and_changes_no_grant() {
    let dir = temp_dir("rename");
    write(&dir, "base/main.iam", PROGRAM);
    write(
        &dir,
        "head/main.iam",
        PROGRAM.replace("role Devserver", "role Buildbox"),
    );
    let out = run(
        &dir,
        &["diff", "--base-dir", "base", "--src", "head", "--exit-code"],
        1,
    );
    assert_eq!(
        out,
        "iamc diff base -> head: 1 principal changes, 4 breaking changes

breaking
  ! Devserver.yaml: exports `PersonalPolicyMiscDevserverArn`, `PersonalRoleDevserverArn` removed: stacks that import them fail to update
  ! Devserver.yaml: managed policy `PersonalPolicyMiscDevserver` renamed to `PersonalPolicyMiscBuildbox`: CloudFormation replaces it on deploy
  ! Devserver.yaml: role `Devserver` renamed to `Buildbox` (now in Buildbox.yaml): its resources are replaced
  ! Devserver.yaml: role `PersonalRoleDevserver` renamed to `PersonalRoleBuildbox`: CloudFormation replaces it on deploy
"
    );
}

#[test]
fn broadening_flags() {
    let dir = temp_dir("broadening");
    write(&dir, "base/main.iam", PROGRAM);
    let head = PROGRAM
        .replace(
            "group Base { S3ReadCdn, S3DenyDelete }",
            "group Base { S3ReadCdn }",
        )
        .replace(
            r#"allow s3:GetObject on "arn:aws:s3:::cdn/*""#,
            r#"allow [s3:GetObject, s3:Put*] on ["arn:aws:s3:::cdn/*", "*"]"#,
        );
    write(&dir, "head/main.iam", &head);
    let out = run(&dir, &["diff", "--base-dir", "base", "--src", "head"], 0);
    assert!(out.contains("+ Allow s3:Put* on * (policy S3ReadCdn)  [broadening: new Allow, wildcard action, wildcard resource]"), "{out}");
    assert!(out.contains("+ Allow s3:GetObject on * (policy S3ReadCdn)  [broadening: new Allow, wildcard resource]"), "{out}");
    assert!(out.contains("- Deny s3:DeleteObject on arn:aws:s3:::cdn/* (policy S3DenyDelete)  [broadening: removed Deny]"), "{out}");
    // Narrowing: the reverse flags nothing.
    let back = run(&dir, &["diff", "--base-dir", "head", "--src", "base"], 0);
    assert!(!back.contains("broadening"), "{back}");
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=iamc", "-c", "user.email=iamc@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

#[test]
fn diff_reads_the_base_from_git_objects() {
    let dir = temp_dir("git");
    write(&dir, "infra/policies/main.iam", PROGRAM);
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    let head = PROGRAM.replace("S3ReadCdn, S3DenyDelete", "S3ReadCdn");
    write(&dir, "infra/policies/main.iam", &head);
    let infra = dir.join("infra");
    let out = run(&infra, &["diff", "--exit-code"], 1);
    assert!(
        out.starts_with("iamc diff HEAD -> working tree: 1 principal changes"),
        "{out}"
    );
    assert!(out.contains("- Deny s3:DeleteObject"), "{out}");
    // From a subfolder, with --src.
    let sub = run(&infra.join("policies"), &["diff", "--src", "."], 0);
    assert_eq!(sub, out);
    git(&dir, &["commit", "-q", "-am", "head"]);
    let out = run(&infra, &["diff", "--base", "HEAD~1", "--format", "json"], 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["base"], "HEAD~1");
    assert_eq!(json["changed"], true);
    let none = run(&infra, &["diff", "--exit-code"], 0);
    assert!(none.contains("no change"), "{none}");
}

#[test]
fn unknown_revision_is_e083() {
    let dir = temp_dir("git-bad-rev");
    write(&dir, "policies/main.iam", PROGRAM);
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    let out = iamc(&dir, &["diff", "--base", "mian"]);
    assert_eq!(out.status.code(), Some(2));
    expect_stderr("diff_unknown_revision", &dir, &out);
    book_block("diagnostics/E083.md", "unknown-revision", &stderr(&out));
}

#[test]
fn outside_git_is_e083() {
    let dir = temp_dir("no-git");
    write(&dir, "policies/main.iam", PROGRAM);
    let out = iamc(&dir, &["diff"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with("error[E083]: policies is not inside a git repository"),
        "{err}"
    );
    assert!(err.contains("--base-dir"), "{err}");
}

#[test]
fn explain_the_example() {
    let repo = support::repo();
    let out = run(
        &repo,
        &[
            "explain",
            "JaneDoe",
            "s3:GetObject",
            "arn:aws:s3:::acme-cdn/logo.png",
        ],
        0,
    );
    book_block("explain.md", "example-allow", &out);
    // The diamond: Base reaches JaneDoe through both teams.
    assert!(out.contains("via JaneDoe ← TeamAProd ← TeamADev ← Base ← S3ReadCdn\n"));
    assert!(out.contains("via JaneDoe ← TeamBDev ← Base ← S3ReadCdn\n"));
    let out = run(
        &repo,
        &[
            "explain",
            "JaneDoe",
            "s3:DeleteObject",
            "arn:aws:s3:::ops-data/logs/1.gz",
        ],
        0,
    );
    book_block("explain.md", "example-deny", &out);
    assert!(out.contains("decision: denied: the explicit Deny of S3DenyDeleteOnBucketOpsdata"));
    let out = run(&repo, &["explain", "JohnDoe", "s3:PutObject"], 0);
    book_block("explain.md", "example-conditions", &out);
}

/// The `iam` block of a book page, compiled alone.
fn page_program(page: &str) -> support::TempDir {
    let text = fs::read_to_string(support::repo().join("book/src").join(page)).unwrap();
    let start = text.find("```iam\n").unwrap() + "```iam\n".len();
    let end = start + text[start..].find("```").unwrap();
    let dir = temp_dir(&page.replace('.', "-"));
    write(&dir, "policies/main.iam", &text[start..end]);
    dir
}

#[test]
fn explain_deny_overrides_and_not_action() {
    let dir = page_program("explain.md");
    let show = |args: &[&str], name: &str| {
        let out = run(&dir, args, 0);
        book_block("explain.md", name, &out);
        out
    };
    let out = show(
        &[
            "explain",
            "Ci",
            "s3:DeleteObject",
            "arn:aws:s3:::prod-assets/a.js",
        ],
        "deny-overrides",
    );
    assert!(
        out.contains("overridden by the Deny of DenyProdDelete"),
        "{out}"
    );
    assert!(out.contains("decision: denied"), "{out}");
    let out = run(
        &dir,
        &[
            "explain",
            "Ci",
            "s3:DeleteObject",
            "arn:aws:s3:::dev-assets/a.js",
        ],
        0,
    );
    assert!(
        out.contains("decision: allowed by NotIam, S3Everything\n"),
        "{out}"
    );
    assert!(!out.contains("DenyProdDelete"), "{out}");
    // Without a resource: the Allow on * is wider than the Deny.
    let out = run(&dir, &["explain", "Ci", "S3:deleteobject"], 0);
    assert!(
        out.contains("decision: allowed by NotIam, S3Everything (on the resources above)"),
        "{out}"
    );
    // NotAction: everything but IAM.
    let out = show(&["explain", "Ci", "iam:PassRole"], "not-action");
    assert!(out.contains("decision: denied implicitly"), "{out}");
    let out = run(&dir, &["explain", "Ci", "ec2:RunInstances"], 0);
    assert!(out.contains("Allow not iam:* on *"), "{out}");
}

#[test]
fn explain_counts_paths_beyond_those_shown() {
    let dir = temp_dir("many-paths");
    // Four diamonds in a row: 2^4 = 16 paths from the role to the policy.
    let mut program =
        String::from("policy P { allow s3:GetObject on \"arn:aws:s3:::b/*\" }\ngroup G0 { P }\n");
    for i in 1..=4 {
        program.push_str(&format!(
            "group L{i} {{ G{} }}\ngroup R{i} {{ G{} }}\ngroup G{i} {{ L{i}, R{i} }}\n",
            i - 1,
            i - 1
        ));
    }
    program
        .push_str("trust T { service \"ec2.amazonaws.com\" }\nrole Top { grants G4\n trust T }\n");
    write(&dir, "policies/main.iam", &program);
    let out = run(&dir, &["explain", "Top"], 0);
    assert_eq!(out.matches("  via Top ← G4 ← ").count(), 8, "{out}");
    assert!(out.contains("  and 8 more paths\n"), "{out}");
}

#[test]
fn unknown_principal_is_e084_with_did_you_mean() {
    let repo = support::repo();
    let out = iamc(&repo, &["explain", "JaneDo", "s3:GetObject"]);
    assert_eq!(out.status.code(), Some(2));
    expect_stderr("explain_unknown_principal", &repo, &out);
    book_block("diagnostics/E084.md", "unknown-principal", &stderr(&out));
    let out = iamc(&repo, &["explain", "Base"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error[E084]: `Base` is a group, not a role or user"));
    book_block("diagnostics/E084.md", "wrong-kind", &stderr(&out));
    let out = iamc(&repo, &["graph", "TeamMI"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `TeamMl`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn graph_of_the_example() {
    let repo = support::repo();
    let mermaid = run(&repo, &["graph"], 0);
    book_block("graph.md", "example-mermaid", &mermaid);
    let dot = run(&repo, &["graph", "--format", "dot"], 0);
    assert!(dot.starts_with("digraph iam {\n"));
    assert!(dot.contains("  \"TeamAProd\" -> \"TeamADev\";\n"));
    let jane = run(&repo, &["graph", "JaneDoe", "--format", "mermaid"], 0);
    book_block("graph.md", "janedoe-mermaid", &jane);
    assert!(jane.contains("r_JaneDoe --> g_TeamAProd"));
    assert!(
        !jane.contains("TeamMl") && !jane.contains("MaryMajor"),
        "{jane}"
    );
    assert!(
        jane.contains("t_Devserver -.->|assumes| r_JaneDoe"),
        "{jane}"
    );
    let ecr = run(&repo, &["graph", "--receivers", "EcrLogin"], 0);
    book_block("graph.md", "ecrlogin-receivers", &ecr);
    assert!(ecr.contains("r_RichardRoe --> g_TeamBProd"), "{ecr}");
    assert!(!ecr.contains("MaryMajor"), "{ecr}");
    // The committed picture is the example's current graph.
    let script = fs::read_to_string(repo.join("scripts/graph-svg.sh")).unwrap();
    assert!(script.contains("iamc graph --format dot"));
}

#[test]
fn graph_ids_cannot_clash_with_mermaid_keywords() {
    let dir = temp_dir("graph-keywords");
    write(
        &dir,
        "policies/main.iam",
        r#"
policy end { allow s3:GetObject on "arn:aws:s3:::b/*" }
group class { end }
trust T { service "ec2.amazonaws.com" }
role subgraph { grants class
 trust T }
"#,
    );
    let text = run(&dir, &["graph"], 0);
    assert!(
        text.contains("  r_subgraph --> g_class\n  g_class --> p_end\n"),
        "{text}"
    );
}
