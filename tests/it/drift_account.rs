//! `iamc drift` on a realistic account that the project writes itself: the
//! program below built, its templates deployed by a small CloudFormation
//! (`support/account.rs`) into authorization details (roles, users, groups,
//! policy versions, URL-encoded documents, a boundary, ABAC tags, OIDC and
//! cross-account trusts, AWS managed policies, a service-linked role).
//! Drift on it reports nothing; every hand edit of issue 22 is reported
//! (wider ones as wider); and random hand edits are judged by the
//! brute-force oracle of `support/oracle.rs`: every edit that widens a
//! principal's access is reported wider (or may be wider), none that only
//! narrows it is reported wider. `IAMC_DRIFT_CASES=N` runs N random edits
//! (default 300), `IAMC_DRIFT_SEED` picks the seed, `IAMC_DRIFT_DUMP=DIR`
//! writes each hand edit's file there (to run another build of iamc on).

use crate::support;
use iamc::audit::drift::{self, Access, Aspect, Drift};
use iamc::config::Config;
use serde_json::{Value, json};
use support::account::{ACCOUNT, Extra, deploy, url_encoded};
use support::oracle::{self, Cond, Context, Rng, St, Who};

pub(crate) const PROGRAM: &str = r#"
param DataBucket {
  default "acme-data"
}

/// Each team reads and writes its own prefix, named by the Owner tag.
policy TeamData {
  allow [s3:GetObject, s3:PutObject] on "arn:aws:s3:::${DataBucket}/${aws:PrincipalTag/Owner}/*"
  allow s3:ListBucket on "arn:aws:s3:::${DataBucket}"
    when StringLike "s3:prefix" ["${aws:PrincipalTag/Owner}/*"]
}

/// A user's own home folder.
policy HomeDir {
  allow [s3:GetObject, s3:PutObject, s3:DeleteObject] on "arn:aws:s3:::${DataBucket}/home/${aws:username}/*"
}

policy DenyInsecure {
  deny * on * when Bool "aws:SecureTransport" ["false"]
}

policy RunInstances {
  allow ec2:RunInstances on "arn:aws:ec2:${AWS::Region}:${AWS::AccountId}:instance/*"
    when StringEquals "aws:RequestedRegion" ["eu-west-1"]
  allow iam:PassRole on "arn:aws:iam::${AWS::AccountId}:role/app/*"
    when StringEquals "iam:PassedToService" ["ec2.amazonaws.com"]
}

/// Capped by the boundary for Bob: DevBoundary allows no DynamoDB.
policy TableRead {
  allow dynamodb:GetItem on "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/t"
}

policy SharedRead {
  allow s3:GetObject on "arn:aws:s3:::${DataBucket}/shared/*"
}

group Base { DenyInsecure }
group Engineers { Base, TeamData, HomeDir }

trust GitHubDeploy {
  federated "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    when StringEquals "token.actions.githubusercontent.com:aud" ["sts.amazonaws.com"]
    when StringLike "token.actions.githubusercontent.com:sub" ["repo:acme/app:ref:refs/heads/main"]
}

trust Partner {
  aws "arn:aws:iam::111111111111:root"
    when StringEquals "sts:ExternalId" ["acme-7"]
}

role Deployer {
  grants Base, RunInstances
  trust GitHubDeploy
  boundary "arn:aws:iam::${AWS::AccountId}:policy/DevBoundary"
  path "/app/"
  max_session 7200
}

role Analyst {
  grants Engineers
  trust Partner
  tag Owner "alice"
  managed "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
}

role Worker {
  grants TeamData, DenyInsecure
  trust { service "ec2.amazonaws.com" }
  instance_profile
  tag Owner "worker"
}

user Bob {
  grants Engineers, TableRead
  tag Owner "bob"
  boundary "arn:aws:iam::${AWS::AccountId}:policy/DevBoundary"
}

user Carol {
  grants HomeDir, SharedRead
  managed "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

stack Shared {
  policies SharedRead
}
"#;

const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
const S3_READ: &str = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const BOUNDARY: &str = "arn:aws:iam::123456789012:policy/DevBoundary";

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// What the account held before iamc: the boundary (two versions, the
/// default the second) and the AWS managed policies, with their documents.
pub(crate) fn extra() -> Extra {
    Extra {
        policies: vec![
            (
                BOUNDARY.into(),
                vec![
                    doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])),
                    doc(
                        json!([{"Effect": "Allow", "Action": ["s3:*", "ec2:*", "iam:PassRole", "sts:*"], "Resource": "*"}]),
                    ),
                ],
                1,
            ),
            (
                ADMIN.into(),
                vec![doc(
                    json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
                )],
                0,
            ),
            (
                S3_READ.into(),
                vec![doc(
                    json!([{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}]),
                )],
                0,
            ),
            (
                READ_ONLY.into(),
                vec![doc(
                    json!([{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*", "ec2:Describe*", "iam:Get*", "iam:List*", "dynamodb:GetItem"], "Resource": "*"}]),
                )],
                0,
            ),
        ],
        service_linked: vec!["AWSServiceRoleForSupport".into()],
    }
}

pub(crate) fn compiled() -> iamc::Compiled {
    let sources = support::sources(&[("main.iam".to_string(), PROGRAM.to_string())]);
    match iamc::compile(&sources, &Config::default()) {
        Ok(c) => c,
        Err(d) => panic!("{}", d.render_text(&sources)),
    }
}

/// The account as deployed from the program.
pub(crate) fn account(compiled: &iamc::Compiled) -> Value {
    deploy(&compiled.files(), &extra())
}

fn run(compiled: &iamc::Compiled, details: &Value) -> Drift {
    let account = iamc::account::read(&[("details.json".into(), details.to_string())])
        .unwrap_or_else(|d| panic!("{:?}", d.0));
    drift::drift(compiled, &account, &drift::Options::default()).unwrap()
}

#[test]
fn the_deployed_account_has_no_drift() {
    let c = compiled();
    let details = account(&c);
    let d = run(&c, &details);
    assert!(d.is_empty(), "{}", drift::report::text(&d));
    assert_eq!(d.compared, 6, "{}", drift::report::text(&d));
    assert_eq!(d.region.as_deref(), Some(support::account::REGION));
    let text = drift::report::text(&d);
    assert!(text.contains("1 service-linked role"), "{text}");
}

// ------------------------------------------------------------ hand edits

/// The roles, users, groups or policies whose name ends with `name`.
pub(crate) fn find<'a>(details: &'a mut Value, list: &str, key: &str, name: &str) -> &'a mut Value {
    details[list]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|x| x[key].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("no {name} in {list}"))
}

/// A document, decoded if the file holds it URL-encoded.
fn decoded(v: &Value) -> Value {
    match v {
        Value::String(s) => serde_json::from_str(
            &percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .unwrap(),
        )
        .unwrap(),
        other => other.clone(),
    }
}

/// Edits the default document of a customer managed policy.
fn edit_policy(details: &mut Value, name: &str, f: impl FnOnce(&mut Value)) {
    let p = find(details, "Policies", "PolicyName", name);
    let v = &mut p["PolicyVersionList"][0]["Document"];
    let mut d = decoded(v);
    f(&mut d);
    *v = url_encoded(&d);
}

/// The difference drift reports for a principal and aspect.
fn reported(d: &Drift, name: &str, of: Aspect) -> Option<(Access, String)> {
    let p = d.principals.iter().find(|p| p.name == name)?;
    let x = p.differences.iter().find(|x| x.of == of)?;
    Some((x.access, drift::report::text(d)))
}

fn dump(name: &str, details: &Value) {
    if let Ok(dir) = std::env::var("IAMC_DRIFT_DUMP") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            format!("{dir}/{name}.json"),
            serde_json::to_string_pretty(details).unwrap(),
        )
        .unwrap();
    }
}

fn hand_edit(
    name: &str,
    edit: impl FnOnce(&mut Value),
    principal: &str,
    of: Aspect,
    want: Access,
) -> String {
    let c = compiled();
    let mut details = account(&c);
    edit(&mut details);
    dump(name, &details);
    let d = run(&c, &details);
    let (access, text) = reported(&d, principal, of).unwrap_or_else(|| {
        panic!(
            "{name}: {principal} {of:?} not reported:\n{}",
            drift::report::text(&d)
        )
    });
    assert_eq!(access, want, "{name}:\n{text}");
    if want == Access::Wider {
        let p = d.principals.iter().find(|p| p.name == principal).unwrap();
        let x = p.differences.iter().find(|x| x.of == of).unwrap();
        assert!(
            x.example.is_some(),
            "{name}: a wider difference gives an example\n{text}"
        );
    }
    text
}

/// The console edit: `ec2:RunInstances` without its region condition.
fn remove_run_instances_condition(d: &mut Value) {
    edit_policy(d, "PersonalPolicyMiscDeployer", |doc| {
        for s in doc["Statement"].as_array_mut().unwrap() {
            if s["Action"] == json!(["ec2:RunInstances"]) {
                s.as_object_mut().unwrap().remove("Condition");
            }
        }
    })
}

#[test]
fn a_condition_removed_in_the_console_is_wider() {
    let text = hand_edit(
        "condition-removed",
        remove_run_instances_condition,
        "PersonalRoleDeployer",
        Aspect::Permissions,
        Access::Wider,
    );
    support::book_block("drift.md", "drift-condition-removed", &text);
    let c = compiled();
    let mut details = account(&c);
    remove_run_instances_condition(&mut details);
    support::book_block(
        "drift.md",
        "drift-json",
        &drift::report::json(&run(&c, &details)),
    );
    assert!(text.contains("ec2:RunInstances"), "{text}");
    assert!(
        text.contains(
            "the account allows ec2:RunInstances on arn:aws:ec2:eu-west-1:123456789012:instance/"
        ),
        "{text}"
    );
}

#[test]
fn a_trust_widened_to_anyone_is_wider() {
    hand_edit(
        "trust-anyone",
        |d| {
            let r = find(d, "RoleDetailList", "RoleName", "PersonalRoleWorker");
            let mut t = decoded(&r["AssumeRolePolicyDocument"]);
            t["Statement"][0]["Principal"] = json!({"AWS": "*"});
            r["AssumeRolePolicyDocument"] = t;
        },
        "PersonalRoleWorker",
        Aspect::Trust,
        Access::Wider,
    );
}

#[test]
fn a_boundary_removed_is_wider() {
    let text = hand_edit(
        "boundary-removed",
        |d| {
            find(d, "UserDetailList", "UserName", "Bob")
                .as_object_mut()
                .unwrap()
                .remove("PermissionsBoundary");
        },
        "Bob",
        Aspect::Permissions,
        Access::Wider,
    );
    assert!(text.contains("- permissions boundary"), "{text}");
}

#[test]
fn administrator_access_attached_to_a_user_is_wider() {
    let text = hand_edit(
        "admin-on-user",
        |d| {
            find(d, "UserDetailList", "UserName", "Carol")["AttachedManagedPolicies"]
                .as_array_mut()
                .unwrap()
                .push(json!({"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}));
        },
        "Carol",
        Aspect::Permissions,
        Access::Wider,
    );
    assert!(
        text.contains(&format!("+ managed policy {ADMIN} attached to the user")),
        "{text}"
    );
}

#[test]
fn a_user_added_to_another_group_is_wider() {
    let text = hand_edit(
        "user-in-another-group",
        |d| {
            find(d, "UserDetailList", "UserName", "Bob")["GroupList"]
                .as_array_mut()
                .unwrap()
                .push(json!("CarolGroup"));
        },
        "Bob",
        Aspect::Permissions,
        Access::Wider,
    );
    assert!(text.contains("+ member of group CarolGroup"), "{text}");
    assert!(
        text.contains("shared/"),
        "Carol's group lets Bob read the shared prefix\n{text}"
    );
}

#[test]
fn an_inline_policy_on_a_group_is_wider() {
    let text = hand_edit(
        "inline-on-group",
        |d| {
            find(d, "GroupDetailList", "GroupName", "CarolGroup")["GroupPolicyList"] = json!([{
                "PolicyName": "Extra",
                "PolicyDocument": url_encoded(&doc(json!([{"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "*"}])))
            }]);
        },
        "Carol",
        Aspect::Permissions,
        Access::Wider,
    );
    assert!(
        text.contains("+ inline policy Extra on group CarolGroup"),
        "{text}"
    );
    assert!(text.contains("dynamodb:PutItem"), "{text}");
}

#[test]
fn a_resource_widened_to_star_where_the_source_has_a_variable_is_wider() {
    hand_edit(
        "variable-resource-star",
        |d| {
            edit_policy(d, "PersonalPolicyMiscCarol", |doc| {
                for s in doc["Statement"].as_array_mut().unwrap() {
                    if s["Resource"].to_string().contains("${aws:username}") {
                        s["Resource"] = json!("*");
                    }
                }
            })
        },
        "Carol",
        Aspect::Permissions,
        Access::Wider,
    );
}

#[test]
fn a_tag_read_by_a_policy_changed_is_wider() {
    let text = hand_edit(
        "tag-changed",
        |d| {
            find(d, "RoleDetailList", "RoleName", "PersonalRoleWorker")["Tags"] =
                json!([{"Key": "Owner", "Value": "alice"}]);
        },
        "PersonalRoleWorker",
        Aspect::Permissions,
        Access::Wider,
    );
    assert!(text.contains("~ tag Owner"), "{text}");
    assert!(
        text.contains("alice/"),
        "the example is under the new tag's prefix\n{text}"
    );
}

#[test]
fn statements_without_sids_do_not_collapse() {
    // Two copies of one statement, Sids removed, then one narrowed: the
    // account is narrower, and no statement is taken for another.
    let c = compiled();
    let mut details = account(&c);
    edit_policy(&mut details, "PersonalPolicyMiscCarol", |doc| {
        let list = doc["Statement"].as_array_mut().unwrap();
        for s in list.iter_mut() {
            s.as_object_mut().unwrap().remove("Sid");
        }
        let copy = list[0].clone();
        list.push(copy);
    });
    let d = run(&c, &details);
    let (access, text) =
        reported(&d, "Carol", Aspect::Permissions).expect("a duplicate statement is a difference");
    assert_eq!(access, Access::Other, "{text}");
    assert!(text.contains("+ Allow"), "{text}");
}

#[test]
fn narrower_and_other_edits_are_not_wider() {
    let c = compiled();
    // A statement removed: narrower.
    let mut details = account(&c);
    edit_policy(&mut details, "PersonalPolicyMiscCarol", |doc| {
        doc["Statement"]
            .as_array_mut()
            .unwrap()
            .retain(|s| !s.to_string().contains("s3:PutObject"));
    });
    let d = run(&c, &details);
    assert_eq!(
        reported(&d, "Carol", Aspect::Permissions).map(|x| x.0),
        Some(Access::Narrower),
        "{}",
        drift::report::text(&d)
    );
    // A path changed, an instance profile removed: other.
    let mut details = account(&c);
    let r = find(
        &mut details,
        "RoleDetailList",
        "RoleName",
        "PersonalRoleWorker",
    );
    r["Path"] = json!("/moved/");
    r["InstanceProfileList"] = json!([]);
    let d = run(&c, &details);
    assert_eq!(
        reported(&d, "PersonalRoleWorker", Aspect::Path).map(|x| x.0),
        Some(Access::Other)
    );
    assert_eq!(
        reported(&d, "PersonalRoleWorker", Aspect::InstanceProfiles).map(|x| x.0),
        Some(Access::Other)
    );
    assert!(
        reported(&d, "PersonalRoleWorker", Aspect::Permissions).is_none(),
        "{}",
        drift::report::text(&d)
    );
    // A role only in the account, not named like iamc's: wider.
    let mut details = account(&c);
    let mut extra_role = find(
        &mut details,
        "RoleDetailList",
        "RoleName",
        "PersonalRoleWorker",
    )
    .clone();
    extra_role["RoleName"] = json!("legacy-admin");
    extra_role["Arn"] = json!(format!("arn:aws:iam::{ACCOUNT}:role/legacy-admin"));
    extra_role["AttachedManagedPolicies"] =
        json!([{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}]);
    extra_role["InstanceProfileList"] = json!([]);
    details["RoleDetailList"]
        .as_array_mut()
        .unwrap()
        .push(extra_role);
    let d = run(&c, &details);
    assert_eq!(
        reported(&d, "legacy-admin", Aspect::Exists).map(|x| x.0),
        Some(Access::Wider),
        "{}",
        drift::report::text(&d)
    );
    // A role deleted: narrower.
    let mut details = account(&c);
    details["RoleDetailList"]
        .as_array_mut()
        .unwrap()
        .retain(|r| r["RoleName"] != "PersonalRoleAnalyst");
    let d = run(&c, &details);
    assert_eq!(
        reported(&d, "PersonalRoleAnalyst", Aspect::Exists).map(|x| x.0),
        Some(Access::Narrower)
    );
}

// ---------------------------------------------------- random hand edits

/// The oracle's view of a statement, read from the file by this test.
fn st(s: &Value) -> St {
    let list = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::Array(a)) => a.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        }
    };
    let principals = |p: &Value| -> Vec<String> {
        match p {
            Value::String(s) if s == "*" => vec!["*".into()],
            Value::Object(m) => m
                .iter()
                .flat_map(|(k, v)| list(Some(v)).into_iter().map(move |x| trusted(k, &x)))
                .collect(),
            _ => Vec::new(),
        }
    };
    let (not_resource, resources) = if let Some(p) = s.get("Principal") {
        (false, principals(p))
    } else if let Some(p) = s.get("NotPrincipal") {
        (true, principals(p))
    } else if s.get("NotResource").is_some() {
        (true, list(s.get("NotResource")))
    } else {
        (false, list(s.get("Resource")))
    };
    let mut conds = Vec::new();
    if let Some(Value::Object(blocks)) = s.get("Condition") {
        for (op, keys) in blocks {
            for (key, values) in keys.as_object().unwrap() {
                let values = match values {
                    Value::Array(a) => a
                        .iter()
                        .map(|x| x.as_str().map(String::from).unwrap_or(x.to_string()))
                        .collect(),
                    Value::String(s) => vec![s.clone()],
                    other => vec![other.to_string()],
                };
                conds.push(Cond {
                    op: op.clone(),
                    key: key.clone(),
                    values,
                });
            }
        }
    }
    St {
        deny: s["Effect"] == "Deny",
        not_action: s.get("NotAction").is_some(),
        actions: list(s.get("Action").or(s.get("NotAction"))),
        not_resource,
        resources,
        conds,
    }
}

/// A trusted principal as one string: a whole account is every principal in it.
fn trusted(kind: &str, value: &str) -> String {
    if value == "*" {
        return "*".into();
    }
    let account = if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        Some(value)
    } else {
        value
            .strip_prefix("arn:aws:iam::")
            .and_then(|r| r.strip_suffix(":root"))
    };
    match account {
        Some(a) if kind == "AWS" => format!("AWS:arn:aws:iam::{a}:*"),
        _ => format!("{kind}:{value}"),
    }
}

fn statements_of(document: &Value) -> Vec<St> {
    let d = decoded(document);
    match &d["Statement"] {
        Value::Array(a) => a.iter().map(st).collect(),
        one => vec![st(one)],
    }
}

fn default_document(details: &Value, arn: &str) -> Option<Vec<St>> {
    let p = details["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["Arn"] == arn)?;
    let v = p["PolicyVersionList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["VersionId"] == p["DefaultVersionId"])?;
    Some(statements_of(&v["Document"]))
}

/// What the oracle knows of a principal.
#[derive(Clone, Debug, PartialEq)]
struct Model {
    statements: Vec<St>,
    boundary: Option<Vec<St>>,
    trust: Vec<St>,
    user_name: Option<String>,
    owner: Option<String>,
}

/// The policies the program names but does not deploy: the account's own.
const EXTERNAL: &[&str] = &[BOUNDARY, ADMIN, S3_READ, READ_ONLY];

/// A principal as the oracle sees it in `details`, the documents of the
/// policies the program does not deploy read from `externals`: the program
/// says "this boundary", not what the boundary holds, so an edit of those is
/// no drift of the program.
fn model(details: &Value, externals: &Value, user: bool, name: &str) -> Option<Model> {
    let document = |arn: &str| {
        let from = if EXTERNAL.contains(&arn) {
            externals
        } else {
            details
        };
        default_document(from, arn)
    };
    let (list, key) = if user {
        ("UserDetailList", "UserName")
    } else {
        ("RoleDetailList", "RoleName")
    };
    let p = details[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p[key] == name)?;
    let mut statements = Vec::new();
    let mut holders = vec![p.clone()];
    if user {
        for g in p["GroupList"].as_array().unwrap() {
            if let Some(group) = details["GroupDetailList"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["GroupName"] == *g)
            {
                holders.push(group.clone());
            }
        }
    }
    for h in &holders {
        for inline in ["RolePolicyList", "UserPolicyList", "GroupPolicyList"] {
            for i in h[inline].as_array().into_iter().flatten() {
                statements.extend(statements_of(&i["PolicyDocument"]));
            }
        }
        for a in h["AttachedManagedPolicies"]
            .as_array()
            .into_iter()
            .flatten()
        {
            statements.extend(
                document(a["PolicyArn"].as_str().unwrap())
                    .expect("every attached policy is listed"),
            );
        }
    }
    let boundary = p
        .get("PermissionsBoundary")
        .filter(|b| !b.is_null())
        .map(|b| document(b["PermissionsBoundaryArn"].as_str().unwrap()).unwrap());
    let owner = p["Tags"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["Key"] == "Owner")
        .map(|t| t["Value"].as_str().unwrap().to_string());
    Some(Model {
        statements,
        boundary,
        trust: p
            .get("AssumeRolePolicyDocument")
            .map(statements_of)
            .unwrap_or_default(),
        user_name: user.then(|| name.to_string()),
        owner,
    })
}

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:ListBucket",
    "ec2:RunInstances",
    "iam:PassRole",
    "iam:CreateUser",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
];
const RESOURCES: &[&str] = &[
    "arn:aws:s3:::acme-data/alice/x",
    "arn:aws:s3:::acme-data/bob/x",
    "arn:aws:s3:::acme-data/worker/x",
    "arn:aws:s3:::acme-data/carol/x",
    "arn:aws:s3:::acme-data/home/Bob/x",
    "arn:aws:s3:::acme-data/home/Carol/x",
    "arn:aws:s3:::acme-data/shared/x",
    "arn:aws:s3:::acme-data",
    "arn:aws:s3:::other/x",
    "arn:aws:ec2:eu-west-1:123456789012:instance/i-1",
    "arn:aws:iam::123456789012:role/app/web",
    "arn:aws:iam::123456789012:user/x",
    "arn:aws:dynamodb:eu-west-1:123456789012:table/t",
];
const KEYS: &[(&str, &[&str])] = &[
    ("aws:securetransport", &["true", "false"]),
    ("s3:prefix", &["alice/", "bob/x", "worker/"]),
    ("aws:requestedregion", &["eu-west-1", "us-east-1"]),
    (
        "iam:passedtoservice",
        &["ec2.amazonaws.com", "lambda.amazonaws.com"],
    ),
];
const TRUST_ACTIONS: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithWebIdentity",
    "sts:TagSession",
];
const WHO: &[&str] = &[
    "Service:ec2.amazonaws.com",
    "Service:lambda.amazonaws.com",
    "AWS:arn:aws:iam::111111111111:role/x",
    "AWS:arn:aws:iam::222222222222:role/x",
    "Federated:arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
];
const TRUST_KEYS: &[(&str, &[&str])] = &[
    ("sts:externalid", &["acme-7", "other"]),
    (
        "token.actions.githubusercontent.com:aud",
        &["sts.amazonaws.com", "other"],
    ),
    (
        "token.actions.githubusercontent.com:sub",
        &["repo:acme/app:ref:refs/heads/main", "repo:evil/app:x"],
    ),
];

fn allowed(m: &Model, action: &str, resource: &str, ctx: &Context) -> bool {
    let who = Who {
        user_name: m.user_name.clone(),
        owner_tag: m.owner.clone(),
    };
    oracle::allowed(
        &m.statements,
        &[],
        m.boundary.as_deref(),
        &who,
        action,
        resource,
        ctx,
    )
}

fn trust_allows(m: &Model, action: &str, principal: &str, ctx: &Context) -> bool {
    let nobody = Who {
        user_name: None,
        owner_tag: None,
    };
    oracle::allowed(&m.trust, &[], None, &nobody, action, principal, ctx)
}

/// A request `after` allows and `before` does not, over the universe.
fn new_request(
    before: &Model,
    after: &Model,
    ctxs: &[Context],
) -> Option<(String, String, Context)> {
    for ctx in ctxs {
        for a in ACTIONS {
            for r in RESOURCES {
                if allowed(after, a, r, ctx) && !allowed(before, a, r, ctx) {
                    return Some((a.to_string(), r.to_string(), ctx.clone()));
                }
            }
        }
    }
    None
}

fn new_trust(before: &Model, after: &Model, ctxs: &[Context]) -> bool {
    ctxs.iter().any(|ctx| {
        TRUST_ACTIONS.iter().any(|a| {
            WHO.iter()
                .any(|p| trust_allows(after, a, p, ctx) && !trust_allows(before, a, p, ctx))
        })
    })
}

const PRINCIPALS: &[(&str, bool)] = &[
    ("PersonalRoleDeployer", false),
    ("PersonalRoleAnalyst", false),
    ("PersonalRoleWorker", false),
    ("Bob", true),
    ("Carol", true),
];

fn random_statement(rng: &mut Rng) -> Value {
    let action = if rng.chance(70) {
        *rng.pick(ACTIONS)
    } else {
        *rng.pick(&["s3:*", "*", "iam:*", "dynamodb:Get*"])
    };
    let resource = if rng.chance(50) {
        *rng.pick(RESOURCES)
    } else {
        *rng.pick(&[
            "*",
            "arn:aws:s3:::acme-data/*",
            "arn:aws:s3:::acme-data/${aws:username}/*",
            "arn:aws:s3:::acme-data/${aws:PrincipalTag/Owner}/*",
        ])
    };
    let mut s = json!({"Effect": if rng.chance(25) { "Deny" } else { "Allow" }, "Action": action, "Resource": resource});
    if rng.chance(30) {
        s["Condition"] = random_condition(rng);
    }
    s
}

fn random_condition(rng: &mut Rng) -> Value {
    match rng.below(3) {
        0 => {
            json!({"StringEquals": {"aws:RequestedRegion": *rng.pick(&["eu-west-1", "us-east-1"])}})
        }
        1 => json!({"Bool": {"aws:SecureTransport": *rng.pick(&["true", "false"])}}),
        _ => {
            json!({"StringLike": {"s3:prefix": *rng.pick(&["alice/*", "${aws:PrincipalTag/Owner}/*"])}})
        }
    }
}

/// Every customer managed policy's default document, by index.
fn customer_policies(details: &Value) -> Vec<usize> {
    details["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .filter(|(_, p)| !p["Arn"].as_str().unwrap().contains(":aws:policy/"))
        .map(|(i, _)| i)
        .collect()
}

/// One random hand edit; its description.
fn random_edit(d: &mut Value, rng: &mut Rng) -> String {
    let holder = |rng: &mut Rng| -> (&'static str, &'static str, usize) {
        let (list, key) = *rng.pick(&[
            ("RoleDetailList", "RoleName"),
            ("UserDetailList", "UserName"),
            ("GroupDetailList", "GroupName"),
        ]);
        let n = d[list].as_array().unwrap().len();
        (list, key, rng.below(n))
    };
    let _ = holder;
    match rng.below(14) {
        0..=3 => {
            // A statement of a customer managed policy edited.
            let policies = customer_policies(d);
            let i = *rng.pick(&policies);
            let p = &mut d["Policies"][i];
            let name = p["PolicyName"].as_str().unwrap().to_string();
            let vi = p["PolicyVersionList"]
                .as_array()
                .unwrap()
                .iter()
                .position(|v| v["VersionId"] == p["DefaultVersionId"])
                .unwrap();
            let v = &mut p["PolicyVersionList"][vi]["Document"];
            let mut doc = decoded(v);
            let list = match &mut doc["Statement"] {
                Value::Array(a) => a,
                _ => unreachable!(),
            };
            let si = rng.below(list.len());
            let choice = rng.below(7);
            let what = if choice == 2 && list.len() > 1 {
                list.remove(si);
                "statement removed"
            } else if choice == 6 {
                list.push(random_statement(rng));
                "statement added"
            } else {
                let s = &mut list[si];
                match choice {
                    0 => {
                        s.as_object_mut().unwrap().remove("Condition");
                        "condition removed"
                    }
                    1 => {
                        s["Resource"] = json!("*");
                        s.as_object_mut().unwrap().remove("NotResource");
                        "resource widened to *"
                    }
                    3 => {
                        s["Effect"] = json!(if s["Effect"] == "Allow" {
                            "Deny"
                        } else {
                            "Allow"
                        });
                        "effect flipped"
                    }
                    4 => {
                        let mut actions = match &s["Action"] {
                            Value::Array(a) => a.clone(),
                            Value::String(x) => vec![json!(x)],
                            _ => vec![],
                        };
                        actions.push(json!(rng.pick(ACTIONS)));
                        s["Action"] = json!(actions);
                        "action added"
                    }
                    _ => {
                        let c = random_condition(rng);
                        let obj = s.as_object_mut().unwrap();
                        match obj.get_mut("Condition") {
                            Some(Value::Object(m)) => {
                                for (k, v) in c.as_object().unwrap() {
                                    m.entry(k.clone()).or_insert(v.clone());
                                }
                            }
                            _ => {
                                obj.insert("Condition".into(), c);
                            }
                        }
                        "condition added"
                    }
                }
            };
            *v = if rng.chance(50) {
                url_encoded(&doc)
            } else {
                doc
            };
            format!("{what} in policy {name}")
        }
        4 => {
            let (list, key, i) = holder(rng);
            let arn = *rng.pick(&[ADMIN, S3_READ, READ_ONLY]);
            let h = &mut d[list][i];
            h["AttachedManagedPolicies"]
                .as_array_mut()
                .unwrap()
                .push(json!({"PolicyName": arn.rsplit('/').next(), "PolicyArn": arn}));
            format!("{arn} attached to {}", h[key])
        }
        5 => {
            let (list, key, i) = holder(rng);
            let h = &mut d[list][i];
            let a = h["AttachedManagedPolicies"].as_array_mut().unwrap();
            if a.is_empty() {
                return "nothing (no attachment to remove)".into();
            }
            let k = rng.below(a.len());
            let gone = a.remove(k);
            format!("{} detached from {}", gone["PolicyArn"], h[key])
        }
        6 => {
            let n = d["UserDetailList"].as_array().unwrap().len();
            let groups: Vec<String> = d["GroupDetailList"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["GroupName"].as_str().unwrap().to_string())
                .collect();
            let u = &mut d["UserDetailList"][rng.below(n)];
            let g = rng.pick(&groups).clone();
            let list = u["GroupList"].as_array_mut().unwrap();
            if list.contains(&json!(g)) {
                list.retain(|x| *x != json!(g));
                format!("{} removed from group {g}", u["UserName"])
            } else {
                list.push(json!(g));
                format!("{} added to group {g}", u["UserName"])
            }
        }
        7 => {
            let (list, key, i) = holder(rng);
            let inline = match list {
                "RoleDetailList" => "RolePolicyList",
                "UserDetailList" => "UserPolicyList",
                _ => "GroupPolicyList",
            };
            let h = &mut d[list][i];
            let s = random_statement(rng);
            h[inline].as_array_mut().unwrap().push(
                json!({"PolicyName": "Hand", "PolicyDocument": url_encoded(&doc(json!([s])))}),
            );
            format!("inline policy {s} put on {}", h[key])
        }
        8 => {
            let (list, key) = *rng.pick(&[
                ("RoleDetailList", "RoleName"),
                ("UserDetailList", "UserName"),
            ]);
            let n = d[list].as_array().unwrap().len();
            let h = &mut d[list][rng.below(n)];
            let o = h.as_object_mut().unwrap();
            if o.remove("PermissionsBoundary").is_some() {
                format!("boundary removed from {}", h[key])
            } else {
                o.insert("PermissionsBoundary".into(), json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": BOUNDARY}));
                format!("boundary put on {}", h[key])
            }
        }
        9 => {
            let (list, key) = *rng.pick(&[
                ("RoleDetailList", "RoleName"),
                ("UserDetailList", "UserName"),
            ]);
            let n = d[list].as_array().unwrap().len();
            let h = &mut d[list][rng.below(n)];
            let value = *rng.pick(&["alice", "bob", "worker", "carol"]);
            if rng.chance(25) {
                h["Tags"] = json!([]);
                format!("tags removed from {}", h[key])
            } else {
                h["Tags"] = json!([{"Key": "Owner", "Value": value}]);
                format!("tag Owner={value} on {}", h[key])
            }
        }
        10 | 11 => {
            let n = d["RoleDetailList"].as_array().unwrap().len();
            let r = &mut d["RoleDetailList"][rng.below(n)];
            let mut t = decoded(&r["AssumeRolePolicyDocument"]);
            let what = match rng.below(4) {
                0 => {
                    t["Statement"][0]["Principal"] = json!({"AWS": "*"});
                    "trust widened to AWS: *"
                }
                1 => {
                    t["Statement"][0]
                        .as_object_mut()
                        .unwrap()
                        .remove("Condition");
                    "trust condition removed"
                }
                2 => {
                    t["Statement"].as_array_mut().unwrap().push(json!({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}));
                    "lambda trusted"
                }
                _ => {
                    t["Statement"][0]["Condition"] =
                        json!({"StringEquals": {"sts:ExternalId": "other"}});
                    "trust condition replaced"
                }
            };
            r["AssumeRolePolicyDocument"] = if rng.chance(50) { url_encoded(&t) } else { t };
            format!("{what} on {}", r["RoleName"])
        }
        12 => {
            // The boundary's default version set to another version.
            let p = find(d, "Policies", "PolicyName", "DevBoundary");
            let v = if p["DefaultVersionId"] == "v2" {
                "v1"
            } else {
                "v2"
            };
            p["DefaultVersionId"] = json!(v);
            for x in p["PolicyVersionList"].as_array_mut().unwrap() {
                x["IsDefaultVersion"] = json!(x["VersionId"] == v);
            }
            format!("DevBoundary's default version set to {v}")
        }
        _ => {
            // Documents re-encoded: no change.
            for p in d["Policies"].as_array_mut().unwrap() {
                for v in p["PolicyVersionList"].as_array_mut().unwrap() {
                    let x = decoded(&v["Document"]);
                    v["Document"] = url_encoded(&x);
                }
            }
            "documents URL-encoded (no change)".into()
        }
    }
}

#[derive(Default, Debug)]
struct Tally {
    cases: usize,
    widening: usize,
    proven: usize,
    only_narrowing: usize,
    false_alarms: usize,
    trust_widening: usize,
}

#[test]
fn random_hand_edits_are_judged_like_the_oracle() {
    let cases: usize = std::env::var("IAMC_DRIFT_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let seed: u64 = std::env::var("IAMC_DRIFT_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x22d1_2026);
    let mut rng = Rng(seed | 1);
    let c = compiled();
    let base = account(&c);
    let ctxs = oracle::contexts(KEYS);
    let trust_ctxs = oracle::contexts(TRUST_KEYS);
    let mut t = Tally::default();
    let mut failures = Vec::new();
    let start = std::time::Instant::now();
    while t.cases < cases {
        let mut edited = base.clone();
        let what = random_edit(&mut edited, &mut rng);
        for _ in 0..usize::from(rng.chance(20)) {
            random_edit(&mut edited, &mut rng);
        }
        t.cases += 1;
        let d = run(&c, &edited);
        for (name, user) in PRINCIPALS {
            let (Some(b), Some(a)) = (
                model(&base, &edited, *user, name),
                model(&edited, &edited, *user, name),
            ) else {
                continue;
            };
            if b == a {
                continue;
            }
            let diff = d.principals.iter().find(|p| p.name == *name);
            let of =
                |aspect: Aspect| diff.and_then(|p| p.differences.iter().find(|x| x.of == aspect));
            let perms = of(Aspect::Permissions);
            let wider = new_request(&b, &a, &ctxs);
            let narrower = new_request(&a, &b, &ctxs);
            let flagged =
                perms.is_some_and(|x| matches!(x.access, Access::Wider | Access::MayBeWider));
            if let Some(w) = &wider {
                t.widening += 1;
                if !flagged {
                    failures.push(format!(
                        "MISS: {what}: {name} newly allowed {w:?}\n{}",
                        drift::report::text(&d)
                    ));
                }
            }
            if let Some(x) = perms.filter(|x| x.access == Access::Wider) {
                t.proven += 1;
                let e = x.example.as_ref().unwrap();
                let ctx: Context = e
                    .context
                    .iter()
                    .filter_map(|(k, v)| v.first().map(|v| (k.clone(), v.clone())))
                    .collect();
                let holds = allowed(&a, &e.action, &e.resource, &ctx)
                    && !allowed(&b, &e.action, &e.resource, &ctx);
                if !holds {
                    failures.push(format!(
                        "WRONG EXAMPLE: {what}: {name} {e:?}\n{}",
                        drift::report::text(&d)
                    ));
                }
            }
            if wider.is_none() && narrower.is_some() {
                t.only_narrowing += 1;
                match perms.map(|x| x.access) {
                    Some(Access::Wider) => failures.push(format!(
                        "NARROWING CALLED WIDER: {what}: {name}\n{}",
                        drift::report::text(&d)
                    )),
                    Some(Access::MayBeWider) => t.false_alarms += 1,
                    _ => {}
                }
            }
            if !*user && new_trust(&b, &a, &trust_ctxs) {
                t.trust_widening += 1;
                if !of(Aspect::Trust)
                    .is_some_and(|x| matches!(x.access, Access::Wider | Access::MayBeWider))
                {
                    failures.push(format!(
                        "MISS (trust): {what}: {name}\n{}",
                        drift::report::text(&d)
                    ));
                }
            }
        }
        if failures.len() > 5 {
            break;
        }
    }
    eprintln!(
        "drift property: {} edits in {:.1}s; principals widened {} (reported wider with an example {}), trusts widened {}, principals only narrowed {} (reported may be wider {}); seed {seed:#x}",
        t.cases,
        start.elapsed().as_secs_f64(),
        t.widening,
        t.proven,
        t.trust_widening,
        t.only_narrowing,
        t.false_alarms
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(t.widening > cases / 10, "the edits must widen often: {t:?}");
    assert!(
        t.only_narrowing > cases / 20,
        "the edits must narrow often: {t:?}"
    );
}

#[test]
fn the_command_reports_as_text_markdown_and_json_and_fails_on_wider() {
    let c = compiled();
    let mut details = account(&c);
    find(&mut details, "UserDetailList", "UserName", "Carol")["AttachedManagedPolicies"]
        .as_array_mut()
        .unwrap()
        .push(json!({"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}));
    let dir = support::TempDir::new("drift-cli");
    std::fs::create_dir_all(dir.join("policies")).unwrap();
    std::fs::write(dir.join("policies/main.iam"), PROGRAM).unwrap();
    // Two pages, the second in a file of its own.
    let mut first = details.clone();
    first["UserDetailList"] = json!([]);
    first["IsTruncated"] = json!(true);
    first["Marker"] = json!("page2");
    let second = json!({"UserDetailList": details["UserDetailList"], "IsTruncated": false});
    std::fs::write(dir.join("page1.json"), first.to_string()).unwrap();
    std::fs::write(dir.join("page2.json"), second.to_string()).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_iamc"))
            .current_dir(&*dir)
            .args(["drift", "page1.json", "page2.json"])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--format", "json", "--fail-on", "wider"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["wider"], 1, "{report:#}");
    assert_eq!(report["principals"][0]["name"], "Carol");
    assert_eq!(report["principals"][0]["differences"][0]["access"], "wider");
    assert!(report["principals"][0]["differences"][0]["example"]["action"].is_string());
    let out = run(&["--format", "markdown", "--fail-on", "narrower"]);
    assert_eq!(out.status.code(), Some(0), "nothing narrower");
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.starts_with("<!-- iamc-drift -->") && md.contains("**Wider**"),
        "{md}"
    );
    let out = run(&["--exit-code"]);
    assert_eq!(out.status.code(), Some(1));
    // A page cut short is an error naming where it stops.
    std::fs::write(dir.join("page2.json"), &second.to_string()[..60]).unwrap();
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("E095") && stderr.contains("page2.json at $.UserDetailList[0]"),
        "{stderr}"
    );
}
