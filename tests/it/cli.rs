//! Diagnostics only the command line can produce (the file system's: E080 for a
//! bad `iamc.yaml`, E081 for unreadable sources, E082 for a hand-written file in
//! the output folder), run through the real binary. The expected stderr of each
//! is `tests/cli/expected/NAME.stderr`, rewritten by `UPDATE_EXPECT=1`;
//! `tests/it/ui.rs` checks that these files show every code the UI cases cannot.

use crate::support::{self, iamc, write};
use std::fs;
use std::path::Path;
use std::process::Output;

const PROGRAM: &str = r#"
policy S3ReadCdn { allow s3:GetObject on "arn:aws:s3:::cdn/*" }
trust Ec2 { service "ec2.amazonaws.com" }
role Devserver {
  grants S3ReadCdn
  trust Ec2
}
"#;

/// A fresh, empty folder for one test.
fn temp_dir(name: &str) -> support::TempDir {
    support::TempDir::new(&format!("cli-{name}"))
}

/// Checks the exit code and that stderr is exactly `tests/cli/expected/NAME.stderr`
/// (with the test's folder written `$DIR`).
pub(crate) fn expect(name: &str, dir: &Path, out: &Output, code: i32) {
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&dir.display().to_string(), "$DIR");
    assert_eq!(out.status.code(), Some(code), "{name}: stderr:\n{stderr}");
    let path = support::repo().join(format!("tests/cli/expected/{name}.stderr"));
    if support::updating() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, &stderr).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_default();
    if expected != stderr {
        let diff = similar::TextDiff::from_lines(&expected, &stderr)
            .unified_diff()
            .header(&format!("{} (expected)", path.display()), "stderr (actual)")
            .to_string();
        panic!("{name}: stderr differs (UPDATE_EXPECT=1 rewrites it)\n{diff}");
    }
}

#[test]
fn missing_source_folder_is_e081() {
    let dir = temp_dir("no-sources");
    let out = iamc(&dir, &["build"]);
    expect("missing_source_folder", &dir, &out, 2);
    assert!(!dir.join("generated").exists());
}

#[test]
fn non_utf8_source_is_e081() {
    let dir = temp_dir("non-utf8");
    write(&dir, "policies/main.iam", PROGRAM);
    write(
        &dir,
        "policies/legacy/latin1.iam",
        b"// Caf\xe9 team\npolicy S3ReadCafe { allow s3:GetObject on \"arn:aws:s3:::cafe/*\" }\n",
    );
    let out = iamc(&dir, &["build"]);
    expect("non_utf8_source", &dir, &out, 2);
    assert!(!dir.join("generated").exists());
}

#[test]
fn hand_written_output_file_is_e082_and_stays_untouched() {
    let dir = temp_dir("foreign");
    write(&dir, "policies/main.iam", PROGRAM);
    let hand_written = "# Written by hand for the old Devserver stack.\nResources: {}\n";
    write(&dir, "generated/Devserver.yaml", hand_written);
    let out = iamc(&dir, &["build"]);
    expect("foreign_output_file", &dir, &out, 2);
    assert_eq!(
        fs::read_to_string(dir.join("generated/Devserver.yaml")).unwrap(),
        hand_written
    );
    let names: Vec<String> = fs::read_dir(dir.join("generated"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["Devserver.yaml"], "nothing else is written");
}

#[test]
fn unknown_config_key_is_e080() {
    let dir = temp_dir("config");
    write(&dir, "policies/main.iam", PROGRAM);
    write(
        &dir,
        "iamc.yaml",
        "source: policies\nlimits:\n  max_managed_policy: 12\n",
    );
    let out = iamc(&dir, &["build"]);
    expect("unknown_config_key", &dir, &out, 2);
    assert!(!dir.join("generated").exists());
}

/// Two paths to one group (a diamond) is not a cycle: the build succeeds and
/// the policy reached twice is granted once.
#[test]
fn diamond_is_not_a_cycle() {
    let dir = temp_dir("diamond");
    write(
        &dir,
        "policies/main.iam",
        r#"
policy S3ReadCdn { allow s3:GetObject on "arn:aws:s3:::cdn/*" }
policy DeployProd { allow cloudformation:DescribeStacks on "*" }
group Base { S3ReadCdn }
group TeamADev { Base }
group TeamBDev { Base }
group Lead { TeamADev, TeamBDev, DeployProd }
trust Ec2 { service "ec2.amazonaws.com" }
role JaneDoe {
  grants Lead
  trust Ec2
}
"#,
    );
    let out = iamc(&dir, &["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
    let template = fs::read_to_string(dir.join("generated/JaneDoe.yaml")).unwrap();
    assert_eq!(template.matches("Sid: S3ReadCdn").count(), 1, "{template}");
}
