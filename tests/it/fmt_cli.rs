//! `iamc fmt` through the real binary: which files it reads, what it writes
//! (only files that change), `--check`, and files it must leave alone.

use crate::support::{self, iamc, write};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

const MESSY: &str = "policy S3ReadCdn{allow s3:GetObject on \"arn:aws:s3:::cdn/*\"} // read\ntrust Ec2 { service \"ec2.amazonaws.com\" }\n";
const TIDY: &str = "policy S3ReadCdn {\n  allow s3:GetObject on \"arn:aws:s3:::cdn/*\"\n} // read\n\ntrust Ec2 {\n  service \"ec2.amazonaws.com\"\n}\n";
const ROLE: &str = "role Devserver {\n  grants S3ReadCdn\n  trust Ec2\n}\n";

fn temp_dir(name: &str) -> support::TempDir {
    support::TempDir::new(&format!("fmt-{name}"))
}

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_shows_the_diff_exits_1_and_writes_nothing() {
    let dir = temp_dir("check");
    write(&dir, "policies/a.iam", MESSY);
    write(&dir, "policies/roles.iam", ROLE);
    let out = iamc(&dir, &["fmt", "--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("--- policies/a.iam\n+++ policies/a.iam (formatted)\n"));
    assert!(stdout.contains("+  allow s3:GetObject on \"arn:aws:s3:::cdn/*\"\n"));
    assert!(
        !stdout.contains("roles.iam"),
        "a formatted file shows no diff"
    );
    assert_eq!(
        text(&out.stderr),
        "1 of 2 files would be reformatted; run `iamc fmt`\n"
    );
    assert_eq!(read(&dir, "policies/a.iam"), MESSY);
    assert_eq!(fs::read_dir(dir.join("policies")).unwrap().count(), 2);
}

#[test]
fn fmt_rewrites_only_the_files_that_change() {
    let dir = temp_dir("write");
    write(&dir, "policies/a.iam", MESSY);
    write(&dir, "policies/team/roles.iam", ROLE);
    let inode = |name: &str| fs::metadata(dir.join(name)).unwrap().ino();
    let role_inode = inode("policies/team/roles.iam");
    let out = iamc(&dir, &["fmt"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "reformatted 1 of 2 files\n");
    assert_eq!(read(&dir, "policies/a.iam"), TIDY);
    assert_eq!(
        inode("policies/team/roles.iam"),
        role_inode,
        "an unchanged file is not rewritten"
    );
    let names: Vec<String> = fs::read_dir(dir.join("policies"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file is left: {names:?}");

    let again = iamc(&dir, &["fmt", "--check"]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(text(&again.stdout), "");
    assert_eq!(text(&again.stderr), "2 files are already formatted\n");
}

#[test]
fn without_paths_fmt_reads_the_source_folder_of_iamc_yaml() {
    let dir = temp_dir("config");
    write(&dir, "iamc.yaml", "source: iam\n");
    write(&dir, "iam/a.iam", MESSY);
    write(&dir, "policies/other.iam", MESSY);
    let out = iamc(&dir, &["fmt"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(read(&dir, "iam/a.iam"), TIDY);
    assert_eq!(
        read(&dir, "policies/other.iam"),
        MESSY,
        "not the source folder"
    );

    let out = iamc(&dir, &["fmt", "--src", "policies"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(read(&dir, "policies/other.iam"), TIDY);
}

#[test]
fn paths_may_be_files_or_folders() {
    let dir = temp_dir("paths");
    write(&dir, "one.iam", MESSY);
    write(&dir, "more/two.iam", MESSY);
    write(&dir, "more/deeper/three.iam", MESSY);
    write(&dir, "untouched.iam", MESSY);
    let out = iamc(&dir, &["fmt", "one.iam", "more"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "reformatted 3 of 3 files\n");
    for name in ["one.iam", "more/two.iam", "more/deeper/three.iam"] {
        assert_eq!(read(&dir, name), TIDY, "{name}");
    }
    assert_eq!(read(&dir, "untouched.iam"), MESSY);
}

/// A file that does not parse gets the compiler's diagnostic and exit 2 and
/// stays as it is; the other files are still formatted.
#[test]
fn a_file_with_a_syntax_error_is_reported_and_left_alone() {
    let dir = temp_dir("syntax");
    let broken = "policy Broken {\n  allow s3:GetObject on \"arn:aws:s3:::cdn/*\";\n}\n";
    write(&dir, "policies/broken.iam", broken);
    write(&dir, "policies/good.iam", MESSY);
    let out = iamc(&dir, &["fmt"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error[E001]: expected `when`, `because`, a statement"),
        "{stderr}"
    );
    assert!(stderr.contains("┌─ policies/broken.iam:2:45"), "{stderr}");
    assert_eq!(read(&dir, "policies/broken.iam"), broken);
    assert_eq!(read(&dir, "policies/good.iam"), TIDY);

    let check = iamc(&dir, &["fmt", "--check", "policies/broken.iam"]);
    assert_eq!(
        check.status.code(),
        Some(2),
        "errors win over a clean check"
    );
}

#[test]
fn a_missing_path_is_an_error() {
    let dir = temp_dir("missing");
    let out = iamc(&dir, &["fmt", "nowhere.iam"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("could not read nowhere.iam"));
    let out = iamc(&dir, &["fmt"]);
    assert_eq!(out.status.code(), Some(2), "no source folder");
}

/// The comment-heavy fixture through the binary gives the library's result.
#[test]
fn the_comment_heavy_fixture_formats_the_same_through_the_cli() {
    let dir = temp_dir("comments");
    let fixture = support::repo().join("tests/fmt/comments.iam");
    write(
        &dir,
        "policies/comments.iam",
        fs::read_to_string(fixture).unwrap(),
    );
    let out = iamc(&dir, &["fmt"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let expected =
        fs::read_to_string(support::repo().join("tests/fmt/comments.expected.iam")).unwrap();
    assert_eq!(read(&dir, "policies/comments.iam"), expected);
}
