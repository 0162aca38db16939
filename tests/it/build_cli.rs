//! `iamc build` as a user runs it: exit codes, `--check`, and what it does to
//! the output folder (nothing on failure, only its own files, no needless writes).

use crate::support;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const PROGRAM: &str = r#"
policy Read { allow s3:GetObject on "arn:aws:s3:::b/*" }
policy Write { allow s3:PutObject on "arn:aws:s3:::b/*" }
group Team { Read }
trust Ec2 { service "ec2.amazonaws.com" }
role Alice { grants Team
  trust Ec2 }
role Bob { grants Team, Write
  trust Ec2 }
"#;

/// A fresh project folder with `policies/main.iam`.
fn project(name: &str, program: &str) -> support::TempDir {
    let dir = support::TempDir::new(&format!("build-cli-{name}"));
    fs::create_dir_all(dir.join("policies")).unwrap();
    fs::write(dir.join("policies/main.iam"), program).unwrap();
    dir
}

/// The iamc binary, run in `dir`.
fn command(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_iamc"));
    command.current_dir(dir);
    command
}

fn iamc(dir: &Path, args: &[&str]) -> Output {
    command(dir).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every file of a folder with its contents and modification time (not its
/// folders: iamc's build record lives in `.iamc-cache/`).
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>, std::time::SystemTime)> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            let meta = e.metadata().unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
                meta.modified().unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn build_writes_one_template_per_principal_and_check_passes() {
    let dir = project("basic", PROGRAM);
    let out = iamc(&dir, &["build"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let names: Vec<String> = snapshot(&dir.join("generated"))
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(names, ["Alice.yaml", "Bob.yaml"]);
    let check = iamc(&dir, &["build", "--check"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
}

#[test]
fn noop_rebuild_rewrites_nothing() {
    let dir = project("noop", PROGRAM);
    assert!(iamc(&dir, &["build"]).status.success());
    let before = snapshot(&dir.join("generated"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let out = iamc(&dir, &["build"]);
    assert!(out.status.success());
    assert_eq!(
        snapshot(&dir.join("generated")),
        before,
        "a no-op build touched files"
    );
    assert!(
        text(&out.stderr).contains("nothing written"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_template_cut_short_by_an_interrupted_build_is_reported_and_replaced() {
    // New templates are written in place (see src/build/output.rs): an interrupted
    // build can leave one cut short, with iamc's banner.
    let dir = project("truncated", PROGRAM);
    assert!(iamc(&dir, &["build"]).status.success());
    let path = dir.join("generated/Alice.yaml");
    let whole = fs::read_to_string(&path).unwrap();
    fs::write(&path, &whole[..whole.len() / 2]).unwrap();
    let check = iamc(&dir, &["build", "--check"]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    assert!(text(&check.stdout).contains("Alice.yaml"));
    assert!(iamc(&dir, &["build"]).status.success());
    assert_eq!(fs::read_to_string(&path).unwrap(), whole);
}

#[test]
fn check_reports_a_stale_output_with_a_diff_and_exit_1() {
    let dir = project("stale", PROGRAM);
    assert!(iamc(&dir, &["build"]).status.success());
    fs::write(
        dir.join("policies/main.iam"),
        PROGRAM.replace("s3:PutObject", "s3:DeleteObject"),
    )
    .unwrap();
    let before = snapshot(&dir.join("generated"));
    let check = iamc(&dir, &["build", "--check"]);
    assert_eq!(check.status.code(), Some(1));
    let diff = text(&check.stdout);
    assert!(diff.contains("-              - s3:PutObject"), "{diff}");
    assert!(diff.contains("+              - s3:DeleteObject"), "{diff}");
    assert!(diff.contains("generated/Bob.yaml"), "{diff}");
    assert_eq!(
        snapshot(&dir.join("generated")),
        before,
        "--check wrote files"
    );
}

#[test]
fn a_failing_build_leaves_generated_byte_identical() {
    let dir = project("failing", PROGRAM);
    assert!(iamc(&dir, &["build"]).status.success());
    let before = snapshot(&dir.join("generated"));
    // One good change and one error: nothing at all may be written.
    let broken = PROGRAM
        .replace("s3:PutObject", "s3:DeleteObject")
        .replace("group Team { Read }", "group Team { Raed }");
    fs::write(dir.join("policies/main.iam"), broken).unwrap();
    let out = iamc(&dir, &["build"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error[E011]") && stderr.contains("did you mean `Read`?"),
        "{stderr}"
    );
    assert_eq!(snapshot(&dir.join("generated")), before);
}

#[test]
fn removed_principals_lose_their_templates_and_foreign_files_stay() {
    let dir = project("removal", PROGRAM);
    assert!(iamc(&dir, &["build"]).status.success());
    let handwritten = "# my notes, not iamc's\nResources: {}\n";
    fs::write(dir.join("generated/Notes.yaml"), handwritten).unwrap();
    fs::write(dir.join("generated/README.md"), "hand-written\n").unwrap();
    let without_bob = PROGRAM.replace("role Bob { grants Team, Write\n  trust Ec2 }", "");
    fs::write(dir.join("policies/main.iam"), without_bob).unwrap();
    let check = iamc(&dir, &["build", "--check"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(
        text(&check.stdout).contains("+++ /dev/null"),
        "{}",
        text(&check.stdout)
    );
    assert!(iamc(&dir, &["build"]).status.success());
    let names: Vec<String> = snapshot(&dir.join("generated"))
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(names, ["Alice.yaml", "Notes.yaml", "README.md"]);
    assert_eq!(
        fs::read_to_string(dir.join("generated/Notes.yaml")).unwrap(),
        handwritten
    );
}

#[test]
fn writes_leave_no_temporary_files() {
    let dir = project("temp", PROGRAM);
    assert!(iamc(&dir, &["build"]).status.success());
    fs::write(dir.join("policies/main.iam"), PROGRAM.replace("b/*", "c/*")).unwrap();
    assert!(iamc(&dir, &["build"]).status.success());
    let names: Vec<String> = snapshot(&dir.join("generated"))
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(
        names,
        ["Alice.yaml", "Bob.yaml"],
        "temporary files left behind"
    );
}

#[test]
fn json_diagnostics_for_tools() {
    let dir = project("json", "group Empty {}\n");
    let out = iamc(&dir, &["build", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &json[0];
    assert_eq!(first["code"], "E014");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["file"], "main.iam");
    assert_eq!(first["line"], 1);
    assert_eq!(first["column"], 7);
    assert!(
        first["help"]
            .as_str()
            .unwrap()
            .contains("list its policies")
    );
}

#[test]
fn bad_usage_exits_2() {
    let dir = project("usage", PROGRAM);
    assert_eq!(
        iamc(&dir, &["build", "--no-such-flag"]).status.code(),
        Some(2)
    );
    assert_eq!(iamc(&dir, &["frobnicate"]).status.code(), Some(2));
}

#[test]
fn src_and_out_flags_and_config_folders() {
    let dir = project("flags", PROGRAM);
    fs::rename(dir.join("policies"), dir.join("iam")).unwrap();
    fs::write(dir.join("iamc.yaml"), "source: iam\noutput: cfn\n").unwrap();
    assert!(iamc(&dir, &["build"]).status.success());
    assert!(dir.join("cfn/Alice.yaml").is_file());
    let out = iamc(&dir, &["build", "--src", "iam", "--out", "elsewhere"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.join("elsewhere/Bob.yaml").is_file());
    let manifest = iamc(&dir, &["manifest"]);
    let json: serde_json::Value = serde_json::from_slice(&manifest.stdout).unwrap();
    assert_eq!(
        json["templates"][0]["principals"][0]["name"],
        "PersonalRoleAlice"
    );
}

// ---------------------------------------------------------------- the build record

/// `iamc build` with phase timings, which say whether it compiled.
fn timed_build(dir: &Path, args: &[&str]) -> Output {
    command(dir)
        .arg("build")
        .args(args)
        .env("IAMC_TIMINGS", "1")
        .output()
        .unwrap()
}

/// Whether a build compiled (rather than answered from its record).
fn compiled(out: &Output) -> bool {
    text(&out.stderr).contains("iamc timing: parse")
}

/// stderr without the timing lines.
fn shown(out: &Output) -> String {
    text(&out.stderr)
        .lines()
        .filter(|l| !l.starts_with("iamc timing:"))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn a_rebuild_with_nothing_changed_is_answered_from_the_record() {
    // An unreachable policy: a warning, which the record prints again.
    let program =
        format!("{PROGRAM}\npolicy Unused {{ allow s3:GetObject on \"arn:aws:s3:::u/*\" }}\n");
    let dir = project("record", &program);
    let first = timed_build(&dir, &[]);
    assert!(
        first.status.success() && compiled(&first),
        "{}",
        text(&first.stderr)
    );
    assert!(shown(&first).contains("warning[L009]"), "{}", shown(&first));
    let before = snapshot(&dir.join("generated"));
    let again = timed_build(&dir, &[]);
    assert!(again.status.success());
    assert!(!compiled(&again), "a build with nothing changed compiled");
    assert_eq!(
        shown(&again),
        shown(&first).replace(
            "wrote 2 templates to generated (0 unchanged, 0 removed)",
            "generated is up to date (2 templates): nothing written"
        )
    );
    assert_eq!(snapshot(&dir.join("generated")), before);
}

#[test]
fn any_change_to_what_a_build_reads_or_wrote_is_a_full_build() {
    let dir = project("record-changes", PROGRAM);
    assert!(iamc(&dir, &["build"]).status.success());
    let generated = dir.join("generated");
    let full = |what: &str| {
        let out = timed_build(&dir, &[]);
        assert!(out.status.success(), "{what}: {}", text(&out.stderr));
        assert!(compiled(&out), "{what}: answered from the record");
        // And then the record holds again.
        assert!(
            !compiled(&timed_build(&dir, &[])),
            "{what}: no record after"
        );
    };
    // A source edited, even where it changes no output.
    fs::write(
        dir.join("policies/main.iam"),
        format!("{PROGRAM}// a comment\n"),
    )
    .unwrap();
    full("a comment added");
    // A setting.
    fs::write(dir.join("iamc.yaml"), "lints:\n  unreachable: allow\n").unwrap();
    full("iamc.yaml written");
    // A template touched, edited, removed; a template-like file added.
    let alice = generated.join("Alice.yaml");
    let file = fs::OpenOptions::new().write(true).open(&alice).unwrap();
    file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(60))
        .unwrap();
    full("a template touched");
    fs::write(&alice, "# Generated by iamc, then edited\n").unwrap();
    full("a template edited");
    assert_ne!(
        fs::read_to_string(&alice).unwrap(),
        "# Generated by iamc, then edited\n"
    );
    fs::remove_file(&alice).unwrap();
    full("a template removed");
    assert!(alice.exists());
    fs::write(
        generated.join("Old.yaml"),
        "# Generated by iamc from the .iam sources.\n",
    )
    .unwrap();
    full("an old template added");
    assert!(!generated.join("Old.yaml").exists());
    // Other options.
    let json = timed_build(&dir, &["--format", "json"]);
    assert!(
        compiled(&json),
        "--format json answered from a text build's record"
    );
}

#[test]
fn a_record_of_another_format_is_a_full_build_not_an_error() {
    let dir = project("record-old", PROGRAM);
    assert!(iamc(&dir, &["build"]).status.success());
    let record = dir.join("generated/.iamc-cache/build.json");
    let current = fs::read_to_string(&record).unwrap();
    // Version 1 fingerprinted with two 64-bit numbers; then a record cut
    // short, and one that is not JSON at all.
    let (_, rest) = current.split_once("\"report\"").unwrap();
    let old = format!("{{\"version\":1,\"inputs\":[1,2],\"report\"{rest}");
    for (what, bytes) in [
        ("a version 1 record", old.as_str()),
        ("a record cut short", &current[..current.len() / 2]),
        ("not JSON", "\u{0}garbage"),
    ] {
        fs::write(&record, bytes).unwrap();
        let out = timed_build(&dir, &[]);
        assert!(out.status.success(), "{what}: {}", text(&out.stderr));
        assert!(compiled(&out), "{what}: answered from the record");
        assert!(!shown(&out).contains("error"), "{what}: {}", shown(&out));
        assert!(
            !compiled(&timed_build(&dir, &[])),
            "{what}: no record after"
        );
    }
}

#[test]
fn check_compares_every_byte_whatever_the_record_says() {
    let dir = project("record-check", PROGRAM);
    assert!(iamc(&dir, &["build"]).status.success());
    // An edit that keeps the size and the modification time: the record
    // cannot see it (build trusts size and time, as make does); --check can.
    let alice = dir.join("generated/Alice.yaml");
    let meta = fs::metadata(&alice).unwrap();
    let edited = fs::read_to_string(&alice)
        .unwrap()
        .replace("s3:GetObject", "s3:GetObjecT");
    fs::write(&alice, &edited).unwrap();
    let file = fs::OpenOptions::new().write(true).open(&alice).unwrap();
    file.set_modified(meta.modified().unwrap()).unwrap();
    assert!(!compiled(&timed_build(&dir, &[])));
    let check = timed_build(&dir, &["--check"]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    assert!(text(&check.stdout).contains("s3:GetObjecT"));
}

#[test]
fn the_record_is_never_committed() {
    let dir = project("record-git", PROGRAM);
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    };
    git(&["init", "-q"]);
    assert!(iamc(&dir, &["build"]).status.success());
    assert!(dir.join("generated/.iamc-cache/build.json").is_file());
    let untracked = git(&["status", "--porcelain", "--untracked-files=all"]);
    assert!(untracked.contains("generated/Alice.yaml"), "{untracked}");
    assert!(!untracked.contains(".iamc-cache"), "{untracked}");
}
