//! `explain` as a simulator: policy variables are values, conditional Denies
//! make the decision depend on the request, `--context` decides it, AWS
//! managed policies are "not evaluated, may allow", unknown actions are E050.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

const PROGRAM: &str = r#"
policy Homes {
  allow s3:* on "arn:aws:s3:::homes/${aws:username}/*"
  deny s3:DeleteObject on "arn:aws:s3:::homes/${aws:username}/archive/*"
}
policy Keep {
  deny s3:* on not ["arn:aws:s3:::homes/${aws:username}/*", "arn:aws:s3:::shared/*"]
}
policy Guard {
  deny * on * when StringNotEquals "aws:RequestedRegion" ["eu-west-1"]
}
policy Shared { allow s3:GetObject on "arn:aws:s3:::*" }
user Jane { grants Homes, Guard, Keep, Shared }
role Ops {
  grants Homes
  trust {
    service ["ec2.amazonaws.com", "pods.eks.amazonaws.com"]
    aws "111122223333"
      actions sts:SetSourceIdentity
      when StringEquals "sts:ExternalId" "ops-1"
  }
  managed "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
"#;

fn dir() -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("iamc-explain-sim-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("p")).unwrap();
    fs::write(dir.join("p/main.iam"), PROGRAM).unwrap();
    dir
}

fn explain(args: &[&str]) -> (String, String, i32) {
    let dir = dir();
    let out = Command::new(env!("CARGO_BIN_EXE_iamc"))
        .current_dir(&dir)
        .arg("explain")
        .args(args)
        .args(["--src", "p"])
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn a_conditional_deny_makes_the_decision_depend_on_the_request() {
    let (out, _, code) = explain(&["Jane", "s3:GetObject", "arn:aws:s3:::homes/Jane/x"]);
    assert_eq!(code, 0);
    assert!(out.contains("decision: depends on the request"), "{out}");
    assert!(
        out.contains("depends on: Deny of Guard: StringNotEquals aws:RequestedRegion"),
        "{out}"
    );
    let (out, _, _) = explain(&[
        "Jane",
        "s3:GetObject",
        "arn:aws:s3:::homes/Jane/x",
        "--context",
        "aws:RequestedRegion=eu-west-1",
    ]);
    assert!(out.contains("decision: allowed by Homes"), "{out}");
    let (out, _, _) = explain(&[
        "Jane",
        "s3:GetObject",
        "arn:aws:s3:::homes/Jane/x",
        "--context",
        "aws:RequestedRegion=us-east-1",
    ]);
    assert!(
        out.contains("decision: denied: the explicit Deny of Guard"),
        "{out}"
    );
}

#[test]
fn a_users_name_is_a_value() {
    let ctx = ["--context", "aws:RequestedRegion=eu-west-1"];
    // Another user's archive: Jane's Deny on her own archive does not apply,
    // but her NotResource Deny (everything outside her home and shared/) does.
    let mut args = vec![
        "Jane",
        "s3:DeleteObject",
        "arn:aws:s3:::homes/bob/archive/x",
    ];
    args.extend(ctx);
    let (out, _, _) = explain(&args);
    assert!(
        out.contains("decision: denied: the explicit Deny of Keep"),
        "{out}"
    );
    let mut args = vec![
        "Jane",
        "s3:DeleteObject",
        "arn:aws:s3:::homes/Jane/archive/x",
    ];
    args.extend(ctx);
    let (out, _, _) = explain(&args);
    assert!(
        out.contains("decision: denied: the explicit Deny of Homes"),
        "{out}"
    );
    let mut args = vec!["Jane", "s3:GetObject", "arn:aws:s3:::shared/x"];
    args.extend(ctx);
    let (out, _, _) = explain(&args);
    assert!(out.contains("decision: allowed by Shared"), "{out}");
}

#[test]
fn aws_managed_policies_are_not_evaluated_and_may_allow() {
    let (out, _, _) = explain(&["Ops", "s3:GetObject", "arn:aws:s3:::data/x"]);
    assert!(out.contains("decision: depends on the request"), "{out}");
    assert!(
        out.contains(
            "AWS managed policy arn:aws:iam::aws:policy/ReadOnlyAccess: not evaluated, may allow"
        ),
        "{out}"
    );
}

#[test]
fn an_unknown_action_is_e050() {
    let (_, err, code) = explain(&["Jane", "s3:GetObjekt", "arn:aws:s3:::x"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("error[E050]"), "{err}");
    assert!(err.contains("did you mean `s3:GetObject`?"), "{err}");
}

#[test]
fn json_report() {
    let (out, _, code) = explain(&[
        "Jane",
        "s3:GetObject",
        "arn:aws:s3:::homes/Jane/x",
        "--format",
        "json",
        "--context",
        "aws:RequestedRegion=eu-west-1",
    ]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["simulation"]["decision"]["verdict"], "allowed");
}

/// A role's explanation says who may assume it and which session actions the
/// trust allows them: those it names and those a service needs (EKS Pod
/// Identity tags its sessions).
#[test]
fn a_role_shows_its_trust_with_the_session_actions() {
    let (out, err, code) = explain(&["Ops"]);
    assert_eq!(code, 0, "{err}");
    let trust = &out[out.find("trusted by").expect(&out)..];
    assert!(
        trust.contains("  Service ec2.amazonaws.com: sts:AssumeRole\n"),
        "{out}"
    );
    assert!(
        trust.contains("  Service pods.eks.amazonaws.com: sts:AssumeRole, sts:TagSession\n"),
        "{out}"
    );
    assert!(
        trust.contains(
            "  AWS 111122223333: sts:AssumeRole, sts:SetSourceIdentity when StringEquals sts:ExternalId \"ops-1\"\n"
        ),
        "{out}"
    );
    // Asked about one action, the role's own permissions only.
    let (out, _, _) = explain(&["Ops", "s3:GetObject"]);
    assert!(!out.contains("trusted by"), "{out}");
}
