//! Diagnostics only the command line can produce (the file system's: E080 for a
//! bad `iamc.yaml`, E081 for unreadable sources, E082 for a hand-written file in
//! the output folder), run through the real binary. The expected stderr of each
//! is `tests/cli/expected/NAME.stderr`, rewritten by `UPDATE_EXPECT=1`;
//! `tests/it/ui.rs` checks that these files show every code the UI cases cannot.

use crate::support::{self, iamc, write};
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

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
fn expect(name: &str, dir: &Path, out: &Output, code: i32) {
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

// ------------------------------------------------------------------ iamc deploy

/// A template of iamc's (its banner) for the stack of one role, exporting
/// `export` and importing `import`.
fn deploy_template(role: &str, export: Option<&str>, import: Option<&str>) -> String {
    let mut text = format!(
        "{}\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: {role}\n",
        iamc::render::BANNER
    );
    if let Some(import) = import {
        text.push_str(&format!(
            "      Tags:\n        - Key: imported\n          Value: !ImportValue '{import}'\n"
        ));
    }
    if let Some(export) = export {
        text.push_str(&format!(
            "Outputs:\n  RoleArn:\n    Value: !GetAtt Role.Arn\n    Export:\n      Name: !Sub '${{AWS::StackName}}-{export}'\n"
        ));
    }
    text
}

#[test]
fn deploy_refuses_to_drop_an_export_still_imported_e085() {
    let dir = temp_dir("deploy-e085");
    for folder in ["base", "generated"] {
        write(
            &dir,
            &format!("{folder}/Importer.yaml"),
            deploy_template("ImporterRole", None, Some("Exporter-RoleArn")),
        );
    }
    write(
        &dir,
        "base/Exporter.yaml",
        deploy_template("ExporterRole", Some("RoleArn"), None),
    );
    write(
        &dir,
        "generated/Exporter.yaml",
        deploy_template("ExporterRole2", None, None),
    );
    // Refused before AWS is called: the AWS CLI named does not exist.
    let out = iamc(
        &dir,
        &["deploy", "--base-dir", "base", "--aws", "/nonexistent/aws"],
    );
    expect("deploy_dropped_export", &dir, &out, 2);
    support::book_block(
        "diagnostics/E085.md",
        "deploy-dropped-export",
        &String::from_utf8_lossy(&out.stderr),
    );
}

/// A stand-in for the AWS CLI: a stack is a file of `$FAKE_AWS` holding its
/// status; the stack `Bad` cannot be created (its role's name is taken).
const FAKE_AWS: &str = r#"#!/usr/bin/env bash
set -u
echo "$*" >>"$FAKE_AWS/log"
command=$2
shift 2
stack=""
while [[ $# -gt 0 ]]; do
    if [[ $1 == --stack-name ]]; then stack=$2; fi
    shift
done
case $command in
describe-stacks)
    if [[ -f "$FAKE_AWS/$stack" ]]; then
        echo "{\"Stacks\": [{\"StackName\": \"$stack\", \"StackStatus\": \"$(cat "$FAKE_AWS/$stack")\"}]}"
    else
        echo "An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id $stack does not exist" >&2
        exit 255
    fi
    ;;
create-change-set) echo '{"Id": "x"}' ;;
describe-change-set) echo '{"Status": "CREATE_COMPLETE", "Changes": [{"Type": "Resource"}]}' ;;
execute-change-set)
    if [[ $stack == Bad ]]; then
        echo "An error occurred (EntityAlreadyExists) when calling the ExecuteChangeSet operation: Role with name TakenRole already exists." >&2
        exit 255
    fi
    echo CREATE_COMPLETE >"$FAKE_AWS/$stack"
    ;;
*)
    echo "fake aws: unexpected $command" >&2
    exit 1
    ;;
esac
"#;

#[test]
fn deploy_stops_at_the_stack_that_fails_e086() {
    let dir = temp_dir("deploy-e086");
    let fake = dir.join("aws");
    fs::create_dir_all(&fake).unwrap();
    write(&dir, "aws/bin/aws", FAKE_AWS);
    let chmod = Command::new("chmod")
        .args(["+x", "aws/bin/aws"])
        .current_dir(&dir)
        .status()
        .unwrap();
    assert!(chmod.success());
    // Zzz exports what Aaa imports: Zzz first, whatever the names say.
    write(
        &dir,
        "generated/Aaa.yaml",
        deploy_template("AaaRole", None, Some("Zzz-RoleArn")),
    );
    write(
        &dir,
        "generated/Zzz.yaml",
        deploy_template("ZzzRole", Some("RoleArn"), None),
    );
    let run = |args: &[&str]| {
        let mut full = vec!["deploy", "--aws"];
        let program = fake.join("bin/aws").display().to_string();
        full.push(&program);
        full.extend_from_slice(args);
        Command::new(env!("CARGO_BIN_EXE_iamc"))
            .args(&full)
            .current_dir(&dir)
            .env("FAKE_AWS", &fake)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "create  Zzz  created\ncreate  Aaa  created\n"
    );
    let log = fs::read_to_string(fake.join("log")).unwrap();
    let first = log.find("--stack-name Zzz").unwrap();
    assert!(first < log.find("--stack-name Aaa").unwrap(), "{log}");
    assert!(
        log.contains("create-change-set --stack-name Zzz --change-set-name iamc-")
            && log.contains("--change-set-type CREATE")
            && log.contains("--capabilities CAPABILITY_NAMED_IAM"),
        "{log}"
    );
    // Two new stacks after those: the first fails, the second is not attempted.
    fs::create_dir_all(dir.join("base")).unwrap();
    for stack in ["Aaa", "Zzz"] {
        fs::copy(
            dir.join(format!("generated/{stack}.yaml")),
            dir.join(format!("base/{stack}.yaml")),
        )
        .unwrap();
    }
    write(
        &dir,
        "generated/Bad.yaml",
        deploy_template("TakenRole", None, None),
    );
    write(
        &dir,
        "generated/Later.yaml",
        deploy_template("LaterRole", None, None),
    );
    let out = run(&["--base-dir", "base"]);
    expect("deploy_failed", &dir, &out, 2);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "create  Bad    failed\ncreate  Later  not attempted\n"
    );
    assert!(!fake.join("Later").exists());
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&fake.display().to_string(), "FAKE");
    support::book_block("deploy.md", "deploy-failed-run", &stderr);
    let error = &stderr[stderr.find("error[E086]").unwrap()..];
    support::book_block("diagnostics/E086.md", "deploy-failed", error);
}

#[test]
fn deploy_plans_the_example_programs_change_against_a_revision() {
    let dir = temp_dir("deploy-plan");
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args([
                "-c",
                "user.name=Test",
                "-c",
                "user.email=test@example.com",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    let repo = support::repo();
    for entry in fs::read_dir(repo.join("policies")).unwrap() {
        let path = entry.unwrap().path();
        write(
            &dir,
            &format!("policies/{}", path.file_name().unwrap().to_string_lossy()),
            fs::read(&path).unwrap(),
        );
    }
    fs::copy(repo.join("iamc.yaml"), dir.join("iamc.yaml")).unwrap();
    assert!(iamc(&dir, &["build"]).status.success());
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "first"]);
    // A group loses a policy, a role is added, another removed.
    let groups = fs::read_to_string(dir.join("policies/groups.iam")).unwrap();
    write(
        &dir,
        "policies/groups.iam",
        groups.replacen("  EcrBrowse\n", "", 1),
    );
    write(
        &dir,
        "policies/new.iam",
        "role NewHire {\n  grants Base\n  trust Devserver\n}\n",
    );
    let roles = fs::read_to_string(dir.join("policies/roles.iam")).unwrap();
    write(
        &dir,
        "policies/roles.iam",
        &roles[..roles.find("role RichardRoe").unwrap()],
    );
    assert!(iamc(&dir, &["build"]).status.success());
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "second"]);
    let out = iamc(&dir, &["deploy", "--base", "HEAD~1", "--dry-run"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = format!(
        "$ iamc deploy --base HEAD~1 --dry-run\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    support::book_block("deploy.md", "deploy-plan", &shown);
    assert!(shown.contains("create  NewHire"), "{shown}");
    assert!(shown.contains("kept: RichardRoe"), "{shown}");
    // The same, as JSON, with the diagnostics.
    let out = iamc(
        &dir,
        &[
            "deploy",
            "--base",
            "HEAD~1",
            "--dry-run",
            "--format",
            "json",
        ],
    );
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["kept"], serde_json::json!(["RichardRoe"]));
    assert_eq!(plan["diagnostics"], serde_json::json!([]));
    assert!(
        plan["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["result"] == "planned")
    );
    // GitHub's `before` of a new branch (all zeros) and an empty base: nothing deployed yet.
    for base in ["0000000000000000000000000000000000000000", ""] {
        let out = iamc(
            &dir,
            &["deploy", "--base", base, "--dry-run", "--format", "json"],
        );
        let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let steps = plan["steps"].as_array().unwrap();
        assert!(steps.iter().all(|s| s["action"] == "create"), "{plan}");
        assert_eq!(
            steps.len(),
            fs::read_dir(dir.join("generated"))
                .unwrap()
                .filter(|e| e
                    .as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "yaml"))
                .count()
        );
    }
}
