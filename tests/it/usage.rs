//! `iamc usage` through the real binary, on the fixtures of `tests/usage/`:
//! every evidence format (CloudTrail log file gzip, lookup-events with a
//! NextToken, action-level and service-level last-accessed reports, the
//! `-with-entities` form), malformed files (E095, nothing written), and
//! `--suggest`, whose result `iamc diff` must show as narrowing only.

use crate::support;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NOW: &str = "2026-11-23T00:00:00Z";
const TRAIL: &str = "evidence/123456789012_CloudTrail_us-east-1_20261120T1200Z_a1b2c3d4.json.gz";
const EVIDENCE: &[&str] = &[
    TRAIL,
    "evidence/lookup-events.json",
    "evidence/PersonalRoleIdle.last-accessed.json",
    "evidence/ecs.entities.json",
];

fn fixtures() -> PathBuf {
    support::repo().join("tests/usage")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iamc-usage-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn iamc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamc"))
        .args(args)
        .current_dir(fixtures())
        .output()
        .unwrap()
}

fn usage(extra: &[&str], evidence: &[&str]) -> Output {
    let mut args = vec!["usage", "--src", "program", "--now", NOW];
    // The trail fixture starts on 2026-11-20: a window starting earlier would
    // make CloudTrail's silence prove nothing.
    if !extra.contains(&"--since") {
        args.extend_from_slice(&["--since", "2026-11-20"]);
    }
    args.extend_from_slice(extra);
    args.extend_from_slice(evidence);
    iamc(&args)
}

fn report(extra: &[&str]) -> Value {
    let mut args = vec!["--report", "json"];
    args.extend_from_slice(extra);
    let out = usage(&args, EVIDENCE);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn principal<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no principal {name}"))
}

/// The verdict of one action of one policy for a principal.
fn verdict(r: &Value, who: &str, policy: &str, action: &str) -> String {
    let p = principal(r, who);
    let g = p["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["policy"] == policy && g["action"] == action)
        .unwrap_or_else(|| panic!("{who} holds no {action} of {policy}"));
    g["verdict"].as_str().unwrap().to_string()
}

fn actions(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_format_is_read_and_judged() {
    let r = report(&[]);
    let formats: Vec<&str> = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["format"].as_str().unwrap())
        .collect();
    assert_eq!(
        formats,
        [
            "CloudTrail",
            "CloudTrail",
            "last-accessed",
            "last-accessed with entities"
        ]
    );
    // CloudTrail (gzip): a role attributed through its session issuer.
    assert_eq!(
        verdict(&r, "Deployer", "EcsDeploy", "ecs:UpdateService"),
        "used"
    );
    assert_eq!(
        verdict(&r, "Deployer", "EcrAdmin", "ecr:DeleteRepository"),
        "unused"
    );
    // An error other than a denial comes after authorization: a use.
    assert_eq!(
        verdict(&r, "Deployer", "EcrAdmin", "ecr:CreateRepository"),
        "used"
    );
    // No event of its own: kept however silent the trail is.
    assert_eq!(
        verdict(&r, "Deployer", "HandRoles", "iam:PassRole"),
        "unknown"
    );
    // A role with a path; a data event is not proof of non-use.
    assert_eq!(verdict(&r, "Reader", "S3Read", "s3:GetObject"), "unknown");
    assert_eq!(
        verdict(&r, "Reader", "S3Read", "s3:GetBucketLocation"),
        "used"
    );
    // Used only before the window: unused within it.
    assert_eq!(
        verdict(&r, "Reader", "EcsDeploy", "ecs:UpdateService"),
        "unused"
    );
    // Action-level last-accessed: tracked and used, tracked and not, service never used.
    assert_eq!(verdict(&r, "Idle", "S3Read", "s3:GetObject"), "used");
    assert_eq!(
        verdict(&r, "Idle", "S3Read", "s3:GetBucketTagging"),
        "unused"
    );
    assert_eq!(
        verdict(&r, "Idle", "EcsDeploy", "ecs:ListServices"),
        "unused"
    );
    // -with-entities: the ecs service used by the deployer.
    assert_eq!(
        verdict(&r, "Deployer", "EcsDeploy", "ecs:ListServices"),
        "used"
    );
    // lookup-events: a user's calls; NotAction is never judged unused.
    assert_eq!(
        verdict(&r, "Auditor", "Broad", "[iam:*, organizations:*]"),
        "used"
    );
    // Tried and denied, and used without a .iam grant.
    let deployer = principal(&r, "Deployer");
    assert_eq!(
        actions(&deployer["denied"]),
        ["iam:PassRole", "lambda:CreateFunction"]
    );
    assert_eq!(actions(&deployer["not_granted"]), ["s3:ListAllMyBuckets"]);
    assert_eq!(
        actions(&principal(&r, "Reader")["denied"]),
        ["ec2:DescribeInstances"]
    );
    assert_eq!(
        actions(&principal(&r, "Auditor")["denied"]),
        ["iam:ListUsers"]
    );
    // The unused grant names its policy and path.
    let unused = deployer["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["action"] == "ecr:DeleteRepository")
        .unwrap();
    assert_eq!(unused["paths"][0], "Deployer ← Deployers ← EcrAdmin");
    assert_eq!(r["not_in_program"][0], "PersonalRoleGhost");
    assert_eq!(r["unattributed_records"], 1);
    assert_eq!(
        r["records_outside_window"], 1,
        "the reader's UpdateService of 2026-01-01"
    );
    let warnings = r["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("NextToken"))
    );
}

#[test]
fn text_and_markdown_reports_are_pinned() {
    for (format, file) in [("text", "report.txt"), ("markdown", "report.md")] {
        let out = usage(&["--report", format], EVIDENCE);
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        let path = fixtures().join("expected").join(file);
        if support::updating() {
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, &text).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&path).unwrap_or_default();
        assert!(
            expected == text,
            "{file} differs; UPDATE_EXPECT=1 rewrites it:\n{text}"
        );
    }
}

#[test]
fn truncated_and_service_level_reports_warn() {
    let out = usage(
        &["--report", "json"],
        &[TRAIL, "evidence/PersonalRoleReader.last-accessed.json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("IsTruncated"), "{stderr}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Service-level use of ecs keeps every ecs grant of the reader.
    assert_eq!(
        verdict(&r, "Reader", "EcsDeploy", "ecs:UpdateService"),
        "used"
    );
}

#[test]
fn the_window_excludes_old_records() {
    let out = usage(&["--report", "json", "--since", "2026-11-21"], &[TRAIL]);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The deployer's records are all of 2026-11-20: none in the window.
    assert!(r["records_outside_window"].as_u64().unwrap() >= 7);
    assert_ne!(
        verdict(&r, "Deployer", "EcsDeploy", "ecs:UpdateService"),
        "used"
    );
}

/// The suggestion, compared with the original by `iamc diff`: only removals.
fn assert_narrowing_only(dir: &Path) -> Value {
    let out = iamc(&[
        "diff",
        "--base-dir",
        "program",
        "--src",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let diff: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let groups = diff["groups"].as_array().unwrap();
    assert!(!groups.is_empty(), "the suggestion changes nothing");
    for line in groups.iter().flat_map(|g| g["lines"].as_array().unwrap()) {
        assert_eq!(line["sign"], "-", "not a removal: {line}");
        assert!(line["broadening"].as_array().unwrap().is_empty(), "{line}");
    }
    diff
}

#[test]
fn suggest_removes_only_what_every_holder_left_unused() {
    let dir = temp_dir("suggest");
    let out_dir = dir.join("narrowed");
    let out = usage(&["--suggest", out_dir.to_str().unwrap()], EVIDENCE);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("remove ecr:DeleteRepository from EcrAdmin"),
        "{stdout}"
    );
    assert!(
        stdout.contains("remove s3:GetBucketTagging from S3Read"),
        "{stdout}"
    );
    // Shared and used by the deployer: guidance, not an edit.
    assert!(
        stdout.contains("guidance: Idle, Reader left ecs:ListServices"),
        "{stdout}"
    );
    let text = fs::read_to_string(out_dir.join("usage.iam")).unwrap();
    assert!(!text.contains("ecr:DeleteRepository"));
    assert!(text.contains("ecs:ListServices"));
    assert!(
        text.contains("iam:PassRole"),
        "PassRole is kept without --trust-absence"
    );
    let diff = assert_narrowing_only(&out_dir);
    let changed: Vec<&str> = diff["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["Deployer", "Idle", "Reader"]);
}

#[test]
fn trust_absence_removes_more_and_still_only_narrows() {
    let dir = temp_dir("trust");
    let out_dir = dir.join("narrowed");
    let out = usage(
        &["--trust-absence", "--suggest", out_dir.to_str().unwrap()],
        EVIDENCE,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    // HandRoles holds nothing else: guidance to drop the policy, no empty policy.
    assert!(
        stdout.contains("every grant of policy HandRoles is unused"),
        "{stdout}"
    );
    assert_narrowing_only(&out_dir);
}

#[test]
fn suggest_refuses_a_folder_that_is_not_empty() {
    let dir = temp_dir("full");
    fs::write(dir.join("keep.iam"), "// mine\n").unwrap();
    let out = usage(&["--suggest", dir.to_str().unwrap()], EVIDENCE);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        fs::read_to_string(dir.join("keep.iam")).unwrap(),
        "// mine\n"
    );
}

/// Malformed evidence: E095 naming the file and the JSON path; nothing written.
#[test]
fn malformed_evidence_is_e095_and_writes_nothing() {
    for name in [
        "bad-record.json",
        "cut-short.json",
        "not-evidence.json",
        "PersonalRoleIdle.last-accessed.json",
        "lookup-bad-inner.json",
        "corrupt.json.gz",
    ] {
        let dir = temp_dir("malformed");
        let out_dir = dir.join("narrowed");
        let file = format!("malformed/{name}");
        let out = usage(&["--suggest", out_dir.to_str().unwrap()], &[TRAIL, &file]);
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(out.stdout.is_empty(), "{name}: a report was printed");
        assert!(!out_dir.exists(), "{name}: something was written");
        let stem = name.split('.').next().unwrap();
        let expected = support::repo().join(format!("tests/cli/expected/usage_{stem}.stderr"));
        if support::updating() {
            fs::write(&expected, &stderr).unwrap();
            continue;
        }
        assert_eq!(
            fs::read_to_string(&expected).unwrap_or_default(),
            stderr,
            "{name}"
        );
        assert!(
            stderr.contains("E095") && stderr.contains(&file),
            "{stderr}"
        );
    }
}

fn drift(file: &str) -> (i32, String) {
    let out = iamc(&["drift", "--src", "program", "--exit-code", file]);
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn drift_finds_console_edits_hand_attachments_and_missing_roles() {
    let (code, text) = drift("drift/details.json");
    assert_eq!(code, 1, "--exit-code: drift found");
    let path = fixtures().join("expected/drift.txt");
    if support::updating() {
        fs::write(&path, &text).unwrap();
        return;
    }
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
    // The deployer's documents are URL-encoded (raw API), the others decoded
    // (AWS CLI): both are read, and only the edited statement is reported.
    assert!(
        text.contains("+ Allow [ecs:DescribeServices, ecs:ListServices, ecs:UpdateService, ecs:DeleteService] on * (policy PersonalPolicyMiscDeployer)"),
        "{text}"
    );
    assert!(text.contains("+ managed policy arn:aws:iam::aws:policy/AdministratorAccess attached"));
    assert!(text.contains("+ inline policy console-fix on the role"));
    assert!(text.contains("! permissions: wider: the account allows s3:"));
    assert!(text.contains("- role PersonalRoleIdle is not in the account"));
    assert!(text.contains("+ role PersonalRoleStray exists only in the account"));
    assert!(
        !text.contains("Reader:") && !text.contains("Auditor:"),
        "{text}"
    );
}

#[test]
fn drift_warns_on_one_page_and_rejects_other_files() {
    let out = iamc(&["drift", "--src", "program", "drift/details-page1.json"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("the answer is cut short"), "{text}");
    assert!(text.contains("hold no `Policies`"), "{text}");
    let out = iamc(&["drift", "--src", "program", "evidence/lookup-events.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E095"));
}

#[test]
fn a_trail_that_starts_after_the_window_proves_no_non_use() {
    let out = usage(&["--report", "json", "--since", "90d"], &[TRAIL]);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        verdict(&r, "Deployer", "EcrAdmin", "ecr:DeleteRepository"),
        "unknown"
    );
    assert_eq!(
        verdict(&r, "Deployer", "EcsDeploy", "ecs:UpdateService"),
        "used"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("run from 2026-11-20 to 2026-11-21"),
        "{stderr}"
    );
}
