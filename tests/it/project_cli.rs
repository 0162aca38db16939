//! The command line where people stand: the project root found upward,
//! `-C`, a global `--config`, `--color`, completions, the manual page and
//! `iamc init`.

use crate::support;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const PROGRAM: &str = "policy Read {\n  allow s3:GetObject on \"arn:aws:s3:::b/*\"\n}\n\ntrust Ec2 {\n  service \"ec2.amazonaws.com\"\n}\n\nrole Reader {\n  grants Read\n  trust Ec2\n}\n";

fn iamc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamc"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A project with `policies/main.iam` and a folder below it.
fn project(name: &str) -> support::TempDir {
    let dir = support::TempDir::new(&format!("project-{name}"));
    fs::create_dir_all(dir.join("policies/team")).unwrap();
    fs::write(dir.join("policies/main.iam"), PROGRAM).unwrap();
    dir
}

#[test]
fn commands_run_in_the_project_root_from_any_folder_below_it() {
    let dir = project("below");
    let out = iamc(&dir.join("policies/team"), &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.join("generated/Reader.yaml").is_file());
    assert!(!dir.join("policies/team/generated").exists());
    // `--src .` inside policies/ is policies/, and the output stays at the root.
    let out = iamc(&dir.join("policies"), &["build", "--src", ".", "--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!dir.join("policies/generated").exists());
    // A path is relative to where the user stands.
    fs::write(
        dir.join("policies/team/messy.iam"),
        "policy   Extra{allow s3:GetObject on \"arn:aws:s3:::c/*\"}\n",
    )
    .unwrap();
    let out = iamc(&dir.join("policies/team"), &["fmt", "messy.iam"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        fs::read_to_string(dir.join("policies/team/messy.iam"))
            .unwrap()
            .starts_with("policy Extra {\n")
    );
    // iamc.yaml marks the root too, and its folders are read from there.
    fs::write(dir.join("iamc.yaml"), "output: out\n").unwrap();
    let out = iamc(&dir.join("policies/team"), &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.join("out/Reader.yaml").is_file());
}

#[test]
fn minus_c_and_a_global_config() {
    let dir = project("minus-c");
    let elsewhere = support::TempDir::new("project-minus-c-elsewhere");
    let out = iamc(&elsewhere, &["-C", dir.to_str().unwrap(), "build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.join("generated/Reader.yaml").is_file());
    fs::write(dir.join("other.yaml"), "output: other\n").unwrap();
    let out = iamc(&dir, &["--config", "other.yaml", "build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.join("other/Reader.yaml").is_file());
    // Relative to where the user stands, like every path.
    let out = iamc(
        &dir.join("policies"),
        &["--config", "../other.yaml", "build", "--check"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = iamc(&elsewhere, &["-C", "no-such-folder", "build"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("error[E081]"), "{}", stderr(&out));
}

#[test]
fn summaries_say_what_was_written() {
    let dir = project("summary");
    let out = iamc(&dir, &["build"]);
    assert!(
        stderr(&out).contains("wrote 1 template to generated (0 unchanged, 0 removed)"),
        "{}",
        stderr(&out)
    );
    let out = iamc(&dir, &["build"]);
    assert!(
        stderr(&out).contains("generated is up to date (1 template): nothing written"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("wrote"), "{}", stderr(&out));
}

#[test]
fn color_follows_the_flag_and_no_color() {
    let dir = project("color");
    fs::write(dir.join("policies/main.iam"), "group G { Missing }\n").unwrap();
    let escape = "\u{1b}[";
    let always = iamc(&dir, &["--color", "always", "build"]);
    assert_eq!(always.status.code(), Some(2));
    assert!(stderr(&always).contains(escape), "{}", stderr(&always));
    let never = iamc(&dir, &["build", "--color", "never"]);
    assert!(!stderr(&never).contains(escape));
    assert!(stderr(&never).contains("error[E011]"));
    // Not a terminal: auto is plain, and NO_COLOR keeps it so.
    let auto = iamc(&dir, &["build"]);
    assert_eq!(stderr(&auto), stderr(&never));
    let out = Command::new(env!("CARGO_BIN_EXE_iamc"))
        .args(["build"])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(stderr(&out), stderr(&never));
}

#[test]
fn completions_and_the_manual_page_come_from_the_command_line() {
    let dir = support::TempDir::new("project-completions");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = iamc(&dir, &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        for command in ["build", "lint", "diff", "init", "explain"] {
            assert!(script.contains(command), "{shell}: no {command}");
        }
    }
    let out = iamc(&dir, &["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains(".TH iamc 1"), "{page}");
    assert!(page.contains("Exit codes"), "the page lacks the exit codes");
    let help = iamc(&dir, &["--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("Examples:") && help.contains("Exit codes:"),
        "{help}"
    );
}

#[test]
fn init_starts_a_project_that_builds_and_lints_clean_and_overwrites_nothing() {
    let dir = support::TempDir::new("project-init");
    let out = iamc(&dir, &["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for file in [
        "policies/main.iam",
        "iamc.yaml",
        ".github/workflows/iam.yml",
    ] {
        assert!(dir.join(file).is_file(), "{file}");
    }
    let out = iamc(&dir, &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let out = iamc(&dir, &["lint"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "no findings\n");
    let out = iamc(&dir, &["fmt", "--check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the starter is not formatted: {}",
        stderr(&out)
    );

    // Again: refused, nothing touched.
    fs::write(dir.join("iamc.yaml"), "# mine\n").unwrap();
    let out = iamc(&dir, &["init"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("overwrites nothing"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        fs::read_to_string(dir.join("iamc.yaml")).unwrap(),
        "# mine\n"
    );

    // --no-ci leaves the workflow out; a lone policies/ folder is refused.
    let bare = support::TempDir::new("project-init-bare");
    let out = iamc(&bare, &["init", "--no-ci"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!bare.join(".github").exists());
    let taken = support::TempDir::new("project-init-taken");
    fs::create_dir_all(taken.join("policies")).unwrap();
    let out = iamc(&taken, &["init"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!taken.join("iamc.yaml").exists());
}
