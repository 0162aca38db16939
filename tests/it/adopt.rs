//! `iamc adopt` on the realistic account of `drift_account.rs` (its program
//! deployed by `support/account.rs`): every resource the account holds is
//! imported, each template's import names exactly the resources it writes,
//! each retained, by the identifier CloudFormation's schema gives its type,
//! with the properties the build deploys; what the account lacks is left to
//! the deploy after; a resource that differs from the program is refused
//! (E096), or imported with a warning under `--allow-drift`.

use crate::drift_account::{account, compiled, find};
use crate::support;
use iamc::audit::adopt::{self, Adoption, Options};
use serde_json::{Value, json};
use serde_yaml::Value as Yaml;
use std::collections::{BTreeMap, BTreeSet};

fn read(details: &Value) -> iamc::account::Account {
    iamc::account::read(&[("details.json".into(), details.to_string())])
        .unwrap_or_else(|d| panic!("{:?}", d.0))
}

fn adopted(details: &Value, allow_drift: bool) -> Result<Adoption, Vec<String>> {
    let options = Options {
        allow_drift,
        region: None,
    };
    adopt::adopt(&compiled(), &read(details), &options).map_err(|d| {
        d.iter()
            .map(|d| format!("{}: {}", d.code.as_str(), d.message))
            .collect()
    })
}

fn yaml(text: &str) -> Yaml {
    serde_yaml::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// The resources of a template, by logical ID.
fn resources(template: &Yaml) -> BTreeMap<String, Yaml> {
    template["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str().unwrap().to_string(), v.clone()))
        .collect()
}

/// The primary identifier of each IAM type, as CloudFormation's resource
/// schemas give it, and the property of the template that holds its value
/// (a managed policy's ARN is made of its name and path).
fn identifier_property(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "AWS::IAM::Role" => ("RoleName", "RoleName"),
        "AWS::IAM::User" => ("UserName", "UserName"),
        "AWS::IAM::Group" => ("GroupName", "GroupName"),
        "AWS::IAM::InstanceProfile" => ("InstanceProfileName", "InstanceProfileName"),
        "AWS::IAM::ManagedPolicy" => ("PolicyArn", "ManagedPolicyName"),
        other => panic!("{other} is not imported"),
    }
}

/// Checks one stack's import against the template the build writes.
fn check_stack(s: &adopt::StackImport, built: &str, details: &Value) {
    let import = yaml(&s.template);
    assert!(
        import.get("Outputs").is_none(),
        "{}: an import adds no outputs",
        s.file
    );
    let imported = resources(&import);
    let built = resources(&yaml(built));
    let listed: BTreeSet<&str> = s
        .resources
        .iter()
        .map(|r| r.logical_resource_id.as_str())
        .collect();
    let written: BTreeSet<&str> = imported.keys().map(String::as_str).collect();
    assert_eq!(
        listed, written,
        "{}: what is listed is what is written",
        s.file
    );
    let created: BTreeSet<&str> = s.created.iter().map(|r| r.logical.as_str()).collect();
    let all: BTreeSet<&str> = built.keys().map(String::as_str).collect();
    assert_eq!(
        &written | &created,
        all,
        "{}: each resource is imported or created",
        s.file
    );
    assert!(written.is_disjoint(&created), "{}", s.file);
    for r in &s.resources {
        let resource = &imported[&r.logical_resource_id];
        assert_eq!(resource["Type"].as_str(), Some(r.resource_type));
        assert_eq!(resource["DeletionPolicy"].as_str(), Some("Retain"));
        assert_eq!(resource["UpdateReplacePolicy"].as_str(), Some("Retain"));
        let (key, property) = identifier_property(r.resource_type);
        assert_eq!(
            r.resource_identifier.keys().copied().collect::<Vec<_>>(),
            [key]
        );
        let value = &r.resource_identifier[key];
        let props = &resource["Properties"];
        let name = props[property].as_str().unwrap();
        if r.resource_type == "AWS::IAM::ManagedPolicy" {
            let path = props["Path"].as_str().unwrap();
            assert_eq!(
                *value,
                format!(
                    "arn:aws:iam::{}:policy{path}{name}",
                    support::account::ACCOUNT
                )
            );
            assert!(
                details["Policies"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["Arn"] == json!(value)),
                "{value} is in the account"
            );
        } else {
            assert_eq!(value, name);
        }
        // What CloudFormation is told the resource is: what the build
        // deploys, save references to what the import leaves to the deploy.
        let mut want = built[&r.logical_resource_id]["Properties"].clone();
        if let Some(m) = want.as_mapping_mut() {
            for key in ["Roles", "Groups"] {
                let gone = m.get(key).and_then(Yaml::as_sequence).is_some_and(|refs| {
                    refs.iter().any(|x| match x {
                        Yaml::Tagged(t) => !written.contains(t.value.as_str().unwrap_or("")),
                        _ => false,
                    })
                });
                if gone {
                    m.remove(key);
                }
            }
        }
        assert_eq!(
            props, &want,
            "{}: {} as imported and as built",
            s.file, r.logical_resource_id
        );
    }
}

fn built(file: &str) -> String {
    compiled()
        .files()
        .into_iter()
        .find(|(f, _)| f == file)
        .unwrap()
        .1
}

#[test]
fn every_resource_of_the_deployed_account_is_imported() {
    let c = compiled();
    let details = account(&c);
    let a = adopted(&details, false).unwrap();
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert!(a.new_stacks.is_empty(), "{:?}", a.new_stacks);
    assert_eq!(a.stacks.len(), c.len());
    let mut count = 0;
    for s in &a.stacks {
        assert!(s.created.is_empty(), "{}: {:?}", s.file, s.created);
        check_stack(s, &built(&s.file), &details);
        count += s.resources.len();
    }
    let deployed: usize = ["RoleDetailList", "UserDetailList", "GroupDetailList"]
        .iter()
        .map(|l| details[l].as_array().unwrap().len())
        .sum::<usize>()
        - 1; // the service-linked role
    let profiles: usize = details["RoleDetailList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["InstanceProfileList"].as_array().unwrap().len())
        .sum();
    let policies = details["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            p["Arn"]
                .as_str()
                .unwrap()
                .starts_with("arn:aws:iam::123456789012:policy/Personal")
                || p["PolicyName"] == "SharedRead"
        })
        .count();
    assert_eq!(count, deployed + profiles + policies);
    let worker = a.stacks.iter().find(|s| s.stack == "Worker").unwrap();
    let files = adopt::files(&a, "");
    let resources = &files
        .iter()
        .find(|(f, _)| f == "Worker.resources.json")
        .unwrap()
        .1;
    support::book_block("adopt.md", "adopt-resources", resources);
    let only_worker = Adoption {
        stacks: vec![worker.clone()],
        ..Adoption::default()
    };
    support::book_block(
        "adopt.md",
        "adopt-script",
        &adopt::script(
            &only_worker,
            "adopt",
            "generated",
            Some(support::account::ACCOUNT),
        ),
    );
    let script = adopt::script(&a, "adopt", "generated", Some(support::account::ACCOUNT));
    assert!(script.contains(
        "--change-set-type IMPORT --capabilities CAPABILITY_NAMED_IAM \\\n  --template-body file://adopt/Deployer.import.yaml --resources-to-import file://adopt/Deployer.resources.json"
    ), "{script}");
    assert!(script.contains(
        "aws cloudformation deploy --stack-name Deployer --capabilities CAPABILITY_NAMED_IAM --template-file generated/Deployer.yaml"
    ), "{script}");
}

/// What the account lacks is created by the deploy after the import: a
/// whole template (its stack is deployed as usual), and within a template a
/// resource (the import leaves out the references to it).
#[test]
fn what_the_account_lacks_is_created_after() {
    let c = compiled();
    let mut details = account(&c);
    // No SharedRead: the Shared stack has nothing to import.
    details["Policies"]
        .as_array_mut()
        .unwrap()
        .retain(|p| p["PolicyName"] != "SharedRead");
    // No instance profile for the worker, and no group for Bob.
    find(
        &mut details,
        "RoleDetailList",
        "RoleName",
        "PersonalRoleWorker",
    )["InstanceProfileList"] = json!([]);
    details["GroupDetailList"]
        .as_array_mut()
        .unwrap()
        .retain(|g| g["GroupName"] != "BobGroup");
    find(&mut details, "UserDetailList", "UserName", "Bob")["GroupList"] = json!([]);
    let refused = adopted(&details, false).unwrap_err();
    assert!(
        refused
            .iter()
            .any(|m| m.starts_with("E096: Bob.yaml: the user Bob differs")),
        "{refused:?}"
    );
    let a = adopted(&details, true).unwrap();
    assert_eq!(a.new_stacks, ["Shared.yaml"]);
    let worker = a.stacks.iter().find(|s| s.stack == "Worker").unwrap();
    let created: Vec<&str> = worker.created.iter().map(|r| r.kind).collect();
    assert_eq!(created, ["AWS::IAM::InstanceProfile"]);
    check_stack(worker, &built("Worker.yaml"), &details);
    let bob = a.stacks.iter().find(|s| s.stack == "Bob").unwrap();
    let created: Vec<&str> = bob.created.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(created, ["BobGroup"]);
    check_stack(bob, &built("Bob.yaml"), &details);
    assert!(!bob.template.contains("BobGroup"), "{}", bob.template);
}

/// The hand edit: the worker's trust widened to anyone.
fn trust_anyone(details: &mut Value) {
    let r = find(details, "RoleDetailList", "RoleName", "PersonalRoleWorker");
    r["AssumeRolePolicyDocument"] = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]});
}

#[test]
fn a_drifted_principal_is_refused_unless_allowed() {
    let c = compiled();
    let mut details = account(&c);
    trust_anyone(&mut details);
    let refused = adopted(&details, false).unwrap_err();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0]
            .starts_with("E096: Worker.yaml: the role PersonalRoleWorker differs from the account"),
        "{refused:?}"
    );
    let a = adopted(&details, true).unwrap();
    let warned: Vec<&str> = a.warnings.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(warned, ["E096"]);
    assert!(a.stacks.iter().any(|s| s.stack == "Worker"));
}

/// A managed policy's description cannot change without replacing it: the
/// import must say what the account holds.
#[test]
fn a_policy_description_that_differs_is_refused() {
    let c = compiled();
    let mut details = account(&c);
    find(&mut details, "Policies", "PolicyName", "SharedRead")["Description"] =
        json!("Hand-written");
    let refused = adopted(&details, false).unwrap_err();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0].contains("cannot adopt AWS::IAM::ManagedPolicy `SharedRead`: its description is \"Hand-written\" in the account"),
        "{refused:?}"
    );
}

/// The details must say what exists: a filtered dump, or one without an
/// account, is refused.
#[test]
fn a_filtered_dump_is_refused() {
    let c = compiled();
    let mut details = account(&c);
    details.as_object_mut().unwrap().remove("GroupDetailList");
    let refused = adopted(&details, false).unwrap_err();
    assert!(
        refused[0].starts_with("E095: the files lack some"),
        "{refused:?}"
    );
}

/// The command: nothing written on an error; with `--allow-drift`, the
/// import files and `adopt.sh`; a second run replaces them; a file it did
/// not write stops it (E082), writing nothing.
#[test]
fn the_command_writes_the_import_files() {
    let dir = support::TempDir::new("adopt-cli");
    let c = compiled();
    let mut details = account(&c);
    trust_anyone(&mut details);
    support::write(&dir, "policies/main.iam", crate::drift_account::PROGRAM);
    support::write(&dir, "details.json", details.to_string());
    let out = support::iamc(&dir, &["adopt", "details.json"]);
    crate::cli::expect("adopt_drift", &dir, &out, 2);
    support::book_block(
        "adopt.md",
        "adopt-drift",
        &String::from_utf8_lossy(&out.stderr),
    );
    assert!(!dir.join("adopt").exists());

    let out = support::iamc(&dir, &["adopt", "details.json", "--allow-drift"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "iamc adopt: 14 existing resources of 6 templates to import, 0 to create after"
        ),
        "{stderr}"
    );
    let mut names: Vec<String> = std::fs::read_dir(dir.join("adopt"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 13, "{names:?}");
    assert!(names.contains(&"Worker.import.yaml".to_string()));
    assert!(names.contains(&"Worker.resources.json".to_string()));
    let resources: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("adopt/Worker.resources.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        resources[1],
        json!({"ResourceType": "AWS::IAM::Role", "LogicalResourceId": "PersonalRoleWorker",
               "ResourceIdentifier": {"RoleName": "PersonalRoleWorker"}})
    );

    let out = support::iamc(&dir, &["adopt", "details.json", "--allow-drift"]);
    assert_eq!(out.status.code(), Some(0));
    support::write(&dir, "adopt/notes.txt", "mine");
    let out = support::iamc(&dir, &["adopt", "details.json", "--allow-drift"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error[E082]"), "{stderr}");
    assert!(dir.join("adopt/Worker.import.yaml").exists());
}

/// `deletion_policy: retain` retains every resource of every template; the
/// default writes no retain policy at all.
#[test]
fn deletion_policy_retain_retains_every_resource() {
    let config = iamc::config::Config::parse("deletion_policy: retain\n", "iamc.yaml").unwrap();
    let sources = support::sources(&[(
        "main.iam".to_string(),
        crate::drift_account::PROGRAM.to_string(),
    )]);
    let retained = iamc::compile(&sources, &config).unwrap();
    let mut count = 0;
    for ((file, text), (_, plain)) in retained.files().iter().zip(compiled().files()) {
        for (logical, r) in resources(&yaml(text)) {
            assert_eq!(
                r["DeletionPolicy"].as_str(),
                Some("Retain"),
                "{file}: {logical}"
            );
            assert_eq!(
                r["UpdateReplacePolicy"].as_str(),
                Some("Retain"),
                "{file}: {logical}"
            );
            count += 1;
        }
        assert!(!plain.contains("DeletionPolicy"), "{file}");
        assert!(!plain.contains("UpdateReplacePolicy"), "{file}");
    }
    assert_eq!(count, 14);
    let bad = iamc::config::Config::parse("deletion_policy: keep\n", "iamc.yaml").unwrap_err();
    assert!(
        bad.message.contains("unknown variant `keep`"),
        "{}",
        bad.message
    );
}
