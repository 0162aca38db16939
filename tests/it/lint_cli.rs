//! `iamc lint` and the lints in `iamc build`, through the real binary: exit
//! codes, levels from iamc.yaml, and a SARIF log checked against the fields
//! SARIF 2.1.0 requires (written from the spec, sections 3.13-3.27).

use crate::support::{self, iamc};
use serde_json::Value;
use std::fs;

/// One deny finding (PassRole on *), one warning (s3:* on a bucket), one
/// justified grant (a `because` on `on *`).
const PROGRAM: &str = r#"
policy Deploy {
  allow iam:PassRole on *
}
policy CdnAdmin {
  allow s3:* on "arn:aws:s3:::acme-cdn/*"
}
policy Browse {
  allow ecr:DescribeRepositories on *
    because "engineers browse every repository"
}
trust Ec2 { service "ec2.amazonaws.com" }
role Devserver {
  grants Deploy, CdnAdmin, Browse
  trust Ec2
}
"#;

fn temp_dir(name: &str) -> support::TempDir {
    let dir = support::TempDir::new(&format!("lint-{name}"));
    fs::create_dir_all(dir.join("policies")).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn build_fails_on_deny_before_writing_anything() {
    let dir = temp_dir("deny");
    fs::write(dir.join("policies/main.iam"), PROGRAM).unwrap();
    let out = iamc(&dir, &["build"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error[L004]"), "{stderr}");
    assert!(stderr.contains("warning[L002]"), "{stderr}");
    assert!(
        !dir.join("generated").exists(),
        "a failed build wrote files"
    );
}

#[test]
fn build_succeeds_with_warnings_when_the_level_is_lowered() {
    let dir = temp_dir("warn");
    fs::write(dir.join("policies/main.iam"), PROGRAM).unwrap();
    fs::write(
        dir.join("iamc.yaml"),
        "lints:\n  pass-role-wildcard: warn\n",
    )
    .unwrap();
    let out = iamc(&dir, &["build"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("warning[L004]"), "{stderr}");
    assert!(stderr.contains("set in iamc.yaml"), "{stderr}");
    assert!(dir.join("generated/Devserver.yaml").exists());
}

#[test]
fn unknown_lint_names_are_config_errors_with_a_suggestion() {
    let dir = temp_dir("unknown");
    fs::write(dir.join("policies/main.iam"), PROGRAM).unwrap();
    fs::write(dir.join("iamc.yaml"), "lints:\n  pass-role-wildcrd: warn\n").unwrap();
    let out = iamc(&dir, &["lint"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error[E080]"), "{stderr}");
    assert!(
        stderr.contains("did you mean `pass-role-wildcard`?"),
        "{stderr}"
    );
    fs::write(
        dir.join("iamc.yaml"),
        "lints:\n  pass-role-wildcard: sometimes\n",
    )
    .unwrap();
    let out = iamc(&dir, &["lint"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("error[E080]"));
}

#[test]
fn the_example_program_is_lint_clean() {
    let out = iamc(&support::repo(), &["lint"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("warning["), "{stderr}");
    assert!(!stderr.contains("error["), "{stderr}");
    // Its justified wildcard is shown with its reason.
    assert!(
        stderr.contains("justified[L003]: policy `EcrBrowse`"),
        "{stderr}"
    );
    assert!(stderr.contains("because \""), "{stderr}");
}

#[test]
fn json_lists_findings_and_justified_grants() {
    let dir = temp_dir("json");
    fs::write(dir.join("policies/main.iam"), PROGRAM).unwrap();
    let out = iamc(&dir, &["lint", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"L004") && codes.contains(&"L002"),
        "{codes:?}"
    );
    assert_eq!(v["justified"][0]["code"], "L003");
    assert_eq!(
        v["justified"][0]["because"][0],
        "engineers browse every repository"
    );
}

fn str_at<'a>(v: &'a Value, what: &str) -> &'a str {
    v.as_str()
        .unwrap_or_else(|| panic!("{what} must be a string, got {v}"))
}

fn array_at<'a>(v: &'a Value, what: &str) -> &'a Vec<Value> {
    v.as_array()
        .unwrap_or_else(|| panic!("{what} must be an array, got {v}"))
}

/// A `physicalLocation` with a relative URI and a 1-based region (3.29, 3.30).
fn check_location(loc: &Value, what: &str) {
    let physical = &loc["physicalLocation"];
    assert!(
        physical.is_object(),
        "{what}: physicalLocation missing: {loc}"
    );
    let uri = str_at(&physical["artifactLocation"]["uri"], "artifactLocation.uri");
    assert!(
        uri.starts_with("policies/") && uri.ends_with(".iam"),
        "{what}: uri {uri} is not relative to the repository"
    );
    let region = &physical["region"];
    for key in ["startLine", "startColumn", "endLine", "endColumn"] {
        let n = region[key]
            .as_u64()
            .unwrap_or_else(|| panic!("{what}: region.{key} must be an integer"));
        assert!(n >= 1, "{what}: region.{key} must be at least 1");
    }
}

#[test]
fn sarif_has_the_fields_sarif_2_1_0_requires() {
    let dir = temp_dir("sarif");
    fs::write(dir.join("policies/main.iam"), PROGRAM).unwrap();
    let out = iamc(&dir, &["lint", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();

    // sarifLog (3.13): version "2.1.0" and runs are required; $schema is recommended.
    assert_eq!(log["version"], "2.1.0");
    assert!(str_at(&log["$schema"], "$schema").contains("sarif-2.1.0"));
    let runs = array_at(&log["runs"], "runs");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];

    // run (3.14): tool is required; tool.driver (3.18) requires name.
    let driver = &run["tool"]["driver"];
    assert_eq!(str_at(&driver["name"], "driver.name"), "iamc");
    let rules = array_at(&driver["rules"], "driver.rules");
    assert_eq!(rules.len(), iamc::lint::LINTS.len());
    for rule in rules {
        // reportingDescriptor (3.49): id is required.
        let id = str_at(&rule["id"], "rule.id");
        assert!(id.starts_with('L'), "{id}");
        str_at(
            &rule["shortDescription"]["text"],
            "rule.shortDescription.text",
        );
        let level = str_at(
            &rule["defaultConfiguration"]["level"],
            "defaultConfiguration.level",
        );
        assert!(
            ["none", "note", "warning", "error"].contains(&level),
            "{level}"
        );
    }

    // result (3.27): message is required (with text); ruleId, ruleIndex,
    // level and locations as GitHub code scanning reads them.
    let results = array_at(&run["results"], "results");
    assert!(!results.is_empty());
    let mut levels = Vec::new();
    for r in results {
        let rule_id = str_at(&r["ruleId"], "ruleId");
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], rule_id, "ruleIndex points at its rule");
        let level = str_at(&r["level"], "level");
        assert!(
            ["none", "note", "warning", "error"].contains(&level),
            "{level}"
        );
        levels.push((rule_id.to_string(), level.to_string()));
        assert!(!str_at(&r["message"]["text"], "message.text").is_empty());
        let locations = array_at(&r["locations"], "locations");
        assert!(!locations.is_empty(), "{rule_id}: no location");
        for loc in locations {
            check_location(loc, rule_id);
        }
        if let Some(related) = r.get("relatedLocations") {
            for loc in array_at(related, "relatedLocations") {
                check_location(loc, rule_id);
                assert!(loc["id"].is_u64(), "related locations need an id");
            }
        }
        if let Some(suppressions) = r.get("suppressions") {
            for s in array_at(suppressions, "suppressions") {
                // suppression (3.35): kind is required, inSource or external.
                assert_eq!(s["kind"], "inSource");
                str_at(&s["justification"], "justification");
            }
        }
    }
    assert!(
        levels.contains(&("L004".into(), "error".into())),
        "{levels:?}"
    );
    assert!(
        levels.contains(&("L002".into(), "warning".into())),
        "{levels:?}"
    );
    // The justified grant is a suppressed result carrying its reason.
    let justified = results
        .iter()
        .find(|r| r["ruleId"] == "L003" && r.get("suppressions").is_some())
        .expect("the justified grant is in the log");
    assert_eq!(
        justified["suppressions"][0]["justification"],
        "engineers browse every repository"
    );
    // The L004 finding points at the `*` on line 3 of policies/main.iam.
    let deny = results.iter().find(|r| r["ruleId"] == "L004").unwrap();
    let physical = &deny["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], "policies/main.iam");
    assert_eq!(physical["region"]["startLine"], 3);
    assert_eq!(physical["region"]["startColumn"], 25);
}

#[test]
fn sarif_results_carry_the_escalation_path_ids() {
    let dir = temp_dir("sarif-paths");
    fs::write(
        dir.join("policies/main.iam"),
        r#"
policy Launch {
  allow iam:PassRole on "arn:aws:iam::${AWS::AccountId}:role/admin"
  allow ec2:RunInstances on *
}
policy Keys {
  allow iam:CreateAccessKey on "arn:aws:iam::${AWS::AccountId}:user/*"
}
trust Ec2 { service "ec2.amazonaws.com" }
role Devserver {
  grants Launch, Keys
  trust Ec2
}
"#,
    )
    .unwrap();
    let out = iamc(&dir, &["lint", "--format", "sarif"]);
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = array_at(&log["runs"][0]["results"], "results");
    let paths = |rule: &str| -> Vec<Value> {
        results
            .iter()
            .filter(|r| r["ruleId"] == rule)
            .map(|r| r["properties"]["escalationPaths"].clone())
            .collect()
    };
    assert_eq!(paths("L006"), [serde_json::json!(["ec2-001"])]);
    assert_eq!(paths("L005"), [serde_json::json!(["iam-002"])]);
    // Other findings carry none.
    assert!(
        results
            .iter()
            .filter(|r| r["ruleId"] == "L003")
            .all(|r| r.get("properties").is_none())
    );
}
