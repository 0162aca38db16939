//! `iamc outputs`: every template's outputs and export names, as a consumer
//! of the stacks (an application stack, a Terraform module) checks them.

use crate::support;
use std::process::Command;

fn outputs(args: &[&str]) -> std::process::Output {
    let case = support::repo().join("tests/golden/components");
    Command::new(env!("CARGO_BIN_EXE_iamc"))
        .arg("outputs")
        .args(["--src", "policies", "--config", "iamc.yaml"])
        .args(args)
        .current_dir(case)
        .output()
        .unwrap()
}

#[test]
fn lists_every_export_of_a_vendor_stack() {
    let out = outputs(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let quilt: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("QuiltIam.yaml"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .collect();
    assert_eq!(
        quilt,
        [
            "  EsIngestRoleMiscArn       exported as QuiltIam-EsIngestRoleMiscArn",
            "  EsIngestRoleArn           exported as QuiltIam-EsIngestRoleArn",
            "  SearchHandlerRoleMiscArn  exported as QuiltIam-SearchHandlerRoleMiscArn",
            "  SearchHandlerRoleArn      exported as QuiltIam-SearchHandlerRoleArn",
            "  BucketReadPolicyArn       exported as QuiltIam-BucketReadPolicyArn",
            "  BucketWritePolicyArn      exported as QuiltIam-BucketWritePolicyArn",
        ]
    );
}

#[test]
fn json_names_the_resource_type_and_the_export_pattern() {
    let out = outputs(&["--format", "json"]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stacks = json.as_array().unwrap();
    let quilt = stacks.iter().find(|s| s["stack"] == "QuiltIam").unwrap();
    let role = quilt["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "SearchHandlerRoleArn")
        .unwrap();
    assert_eq!(role["resource_type"], "AWS::IAM::Role");
    assert_eq!(
        role["export_pattern"],
        "${AWS::StackName}-SearchHandlerRoleArn"
    );
    assert_eq!(role["export"], "QuiltIam-SearchHandlerRoleArn");
    // Export names are unique across every template.
    let mut exports: Vec<&str> = stacks
        .iter()
        .flat_map(|s| s["outputs"].as_array().unwrap())
        .map(|o| o["export"].as_str().unwrap())
        .collect();
    let count = exports.len();
    exports.sort();
    exports.dedup();
    assert_eq!(exports.len(), count);
}
