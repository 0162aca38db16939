//! `iamc import` on hand-written inputs: each file of `tests/import/cases/`
//! imports to `tests/import/expected/NAME.iam`, with the diagnostics in
//! `NAME.stderr` (`UPDATE_EXPECT=1` rewrites both); a case named `lossy_*` is
//! imported with `--lossy`. The book's import page
//! shows a run these tests make, and the CLI is run for real.

use crate::support::{self, blocks, iamc};
use iamc::config::Config;
use iamc::import::{Imported, Options, import, import_with};
use iamc::source::Sources;
use std::fs;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    support::repo().join("tests/import")
}

fn import_case(file: &str) -> (Imported, String) {
    let text = fs::read_to_string(dir().join("cases").join(file)).unwrap();
    let options = Options {
        lossy: file.starts_with("lossy_"),
    };
    let imported = import_with(&[(file.to_string(), text)], &Config::default(), options);
    let stderr = imported.diagnostics.render_text(&Sources::new());
    (imported, stderr)
}

fn compare(path: &Path, actual: &str, failures: &mut Vec<String>) {
    if support::updating() {
        fs::write(path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(path).unwrap_or_default();
    if expected != actual {
        let diff = similar::TextDiff::from_lines(&expected, actual)
            .unified_diff()
            .header(&format!("{} (expected)", path.display()), "actual")
            .to_string();
        failures.push(diff);
    }
}

#[test]
fn cases_import_as_expected() {
    let mut names: Vec<String> = fs::read_dir(dir().join("cases"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 5);
    let mut failures = Vec::new();
    for file in &names {
        let stem = file.split_once('.').unwrap().0;
        let (imported, stderr) = import_case(file);
        let expected = dir().join("expected");
        compare(
            &expected.join(format!("{stem}.iam")),
            &imported.source,
            &mut failures,
        );
        compare(
            &expected.join(format!("{stem}.stderr")),
            &stderr,
            &mut failures,
        );
        if !imported.diagnostics.has_errors() {
            let files = vec![("imported.iam".to_string(), imported.source.clone())];
            support::compile(&files, &Config::default());
        }
        // One printer of `.iam`: what import writes is already formatted.
        let formatted = iamc::fmt::format_text("imported.iam", &imported.source).unwrap();
        if formatted != imported.source {
            failures.push(format!(
                "{file}: the imported source is not in `iamc fmt` layout"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "UPDATE_EXPECT=1 rewrites expectations\n{}",
        failures.join("\n")
    );
}

#[test]
fn single_strings_stand_for_lists() {
    let (imported, stderr) = import_case("single_strings.json");
    assert!(
        imported.diagnostics.iter().all(|d| !d.is_error()),
        "{stderr}"
    );
    let s = &imported.source;
    assert!(
        s.contains("policy ReadReports {\n  allow s3:GetObject on \"arn:aws:s3:::reports/*\"\n}"),
        "{s}"
    );
    // No Sid: a name derived from the file and the statement's place.
    assert!(
        s.contains("policy SingleStringsStatement2 {\n  deny not [s3:Get*, s3:List*] on *"),
        "{s}"
    );
    assert!(
        s.contains("when Bool \"aws:SecureTransport\" \"false\""),
        "{s}"
    );
    assert!(s.contains("\"arn:aws:s3:::home/${aws:username}/*\""), "{s}");
    assert!(
        s.contains("group SingleStrings {\n  OwnHome\n  ReadReports\n  SingleStringsStatement2\n}"),
        "{s}"
    );
}

#[test]
fn what_cannot_be_expressed_is_reported_with_its_place() {
    let (imported, stderr) = import_case("cloudformation.json");
    let s = &imported.source;
    // Fn::Join: reported at its JSON path, and only its statement is skipped.
    assert!(stderr.contains(
        "cloudformation.json: Resources.AppRole.Properties.Policies[0].PolicyDocument.Statement[1].Resource: cannot import `Fn::Join`"
    ), "{stderr}");
    assert!(!s.contains("arn:aws:s3:::"), "{s}");
    assert!(s.contains("logs:PutLogEvents"), "{s}");
    // Principal "*": reported, the other trust statement kept.
    assert!(
        stderr.contains("Statement[1].Principal: cannot import `Principal: *`"),
        "{stderr}"
    );
    // A session action is written, not reported.
    assert!(!stderr.contains("sts:TagSession"), "{stderr}");
    assert!(
        s.contains(
            "  trust {\n    service \"lambda.amazonaws.com\"\n      actions sts:TagSession\n  }"
        ),
        "{s}"
    );
    // The role gets its inline policy, the AWS::IAM::Policy naming it and the
    // managed policy it names; the AWS-managed ARN stays a `managed`.
    assert!(s.contains("grants [AppQueue, AppRoleLogs, Params]"), "{s}");
    assert!(
        s.contains("managed \"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole\""),
        "{s}"
    );
    assert!(
        stderr.contains("cannot import a resource of type `AWS::S3::Bucket`"),
        "{stderr}"
    );
    assert!(stderr.contains("the role name `app-role`"), "{stderr}");
}

#[test]
fn short_form_tags_are_read() {
    let (imported, stderr) = import_case("short_forms.yaml");
    let s = &imported.source;
    assert!(
        s.contains("\"arn:aws:s3:::${AWS::AccountId}-home/${aws:username}/*\""),
        "{s}"
    );
    assert!(
        s.contains("boundary \"arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/Boundary\""),
        "{s}"
    );
    assert!(s.contains("  instance_profile\n"), "{s}");
    // `uploader` is the `{Name}` of the default user pattern: the name is kept.
    assert!(
        s.contains("user uploader {\n  grants UploadersUpload\n}"),
        "{s}"
    );
    assert!(stderr.contains("`Ref AWS::NoValue`"), "{stderr}");
    // A String parameter is a `param`, and `${UploadBucket}` stays a reference to it.
    assert!(
        s.contains("param UploadBucket {\n  default \"acme-uploads\"\n"),
        "{s}"
    );
    assert!(s.contains("\"arn:aws:s3:::${UploadBucket}/*\""), "{s}");
    assert!(
        stderr.contains("Parameters.Secret.NoEcho: cannot import the property `NoEcho`"),
        "{stderr}"
    );
    assert!(stderr.contains("the output `Bucket`"), "{stderr}");
    assert!(!stderr.contains("the output `BuilderArn`"), "{stderr}");
}

#[test]
fn invalid_input_is_an_error_and_imports_nothing() {
    for file in ["invalid_json.json", "invalid_yaml.yaml", "not_iam.json"] {
        let (imported, stderr) = import_case(file);
        assert!(imported.diagnostics.has_errors(), "{file}: {stderr}");
        assert!(stderr.contains("error[E090]"), "{file}: {stderr}");
        assert!(imported.source.is_empty());
    }
}

#[test]
fn cli_prints_to_stdout_or_writes_the_file() {
    let cases = dir().join("cases");
    let out = iamc(&cases, &["import", "single_strings.json"]);
    assert_eq!(out.status.code(), Some(0));
    let expected = fs::read_to_string(dir().join("expected/single_strings.iam")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);

    let target = std::env::temp_dir().join(format!("iamc-import-{}.iam", std::process::id()));
    let path = target.display().to_string();
    let out = iamc(&cases, &["import", "single_strings.json", "-o", &path]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert_eq!(fs::read_to_string(&target).unwrap(), expected);
    let _ = fs::remove_file(&target);

    let out = iamc(&cases, &["import", "single_strings.json", "not_iam.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stdout.is_empty(),
        "nothing is imported when an input is invalid"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[E090]: not_iam.json"));

    let out = iamc(&cases, &["import", "missing.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("error[E081]: could not read missing.json")
    );
}

/// The book's example run cannot drift: importing its JSON gives its `.iam`
/// and its warnings, exactly.
#[test]
fn book_page_shows_a_real_run() {
    let page = fs::read_to_string(support::repo().join("book/src/import.md")).unwrap();
    let input = blocks(&page, "json").remove(0);
    let shown_source = blocks(&page, "iam").remove(0);
    let shown_warnings = blocks(&page, "text").remove(0);
    let imported = import(&[("app-role.json".to_string(), input)], &Config::default());
    let warnings = imported.diagnostics.render_text(&Sources::new());
    assert_eq!(
        shown_source, imported.source,
        "book/src/import.md: the .iam block is not what import writes"
    );
    assert_eq!(
        shown_warnings, warnings,
        "book/src/import.md: the warnings are not what import prints"
    );
}

/// A trust statement's STS session actions come back as the entry's
/// `actions`, and the built trust allows exactly what the input did; any
/// other action is reported and dropped (the trust allows less, never more).
#[test]
fn trust_session_actions_are_imported_and_other_actions_dropped() {
    let template = r#"{
      "Resources": {
        "Partner": {
          "Type": "AWS::IAM::Role",
          "Properties": {
            "AssumeRolePolicyDocument": {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Effect": "Allow",
                  "Principal": {"AWS": "arn:aws:iam::111122223333:role/Partner"},
                  "Action": ["sts:AssumeRole", "STS:tagsession", "sts:SetSourceIdentity"],
                  "Condition": {"StringEquals": {"sts:ExternalId": "partner-7"}}
                },
                {
                  "Effect": "Allow",
                  "Principal": {"Service": ["pods.eks.amazonaws.com", "ec2.amazonaws.com"]},
                  "Action": ["sts:AssumeRole", "sts:TagSession", "s3:GetObject"]
                }
              ]
            },
            "Policies": [{"PolicyName": "read", "PolicyDocument": {"Version": "2012-10-17",
              "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}]
          }
        }
      }
    }"#;
    let imported = import(
        &[("partner.json".to_string(), template.to_string())],
        &Config::default(),
    );
    let stderr = imported.diagnostics.render_text(&Sources::new());
    let s = &imported.source;
    assert!(
        s.contains(
            "    aws \"arn:aws:iam::111122223333:role/Partner\"\n      actions [sts:SetSourceIdentity, sts:TagSession]\n      when StringEquals \"sts:ExternalId\" \"partner-7\"\n"
        ),
        "{s}"
    );
    // Both services were allowed to tag: written, though EKS needs it anyway.
    assert!(
        s.contains(
            "    service [\"pods.eks.amazonaws.com\", \"ec2.amazonaws.com\"]\n      actions sts:TagSession\n"
        ),
        "{s}"
    );
    assert!(
        stderr.contains("Statement[1].Action[2]: cannot import the trust action `s3:GetObject`"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("TagSession") && !stderr.contains("tagsession"),
        "{stderr}"
    );
    // What the imported program builds: the same trust actions per principal.
    let sources = support::sources(&[("partner.iam".to_string(), s.clone())]);
    let compiled = iamc::compile(&sources, &Config::default())
        .unwrap_or_else(|d| panic!("{}", d.render_text(&sources)));
    let manifest = serde_json::to_value(compiled.manifest()).unwrap();
    let trust = &manifest["templates"][0]["principals"][0]["trust_policy"]["Statement"];
    let mut allowed = Vec::new();
    for statement in trust.as_array().unwrap() {
        let principals = statement["Principal"].as_object().unwrap();
        for (_, who) in principals {
            for who in who.as_array().unwrap() {
                let actions: Vec<&str> = match &statement["Action"] {
                    serde_json::Value::String(a) => vec![a.as_str()],
                    list => list
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|a| a.as_str().unwrap())
                        .collect(),
                };
                allowed.push(format!("{} {}", who.as_str().unwrap(), actions.join(",")));
            }
        }
    }
    allowed.sort();
    assert_eq!(
        allowed,
        [
            "arn:aws:iam::111122223333:role/Partner sts:AssumeRole,sts:SetSourceIdentity,sts:TagSession",
            "ec2.amazonaws.com sts:AssumeRole,sts:TagSession",
            "pods.eks.amazonaws.com sts:AssumeRole,sts:TagSession",
        ]
    );
}
