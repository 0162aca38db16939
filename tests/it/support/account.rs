//! A small CloudFormation for the drift tests: deploys iamc's templates (the
//! YAML `iamc build` writes, read as CloudFormation reads it: `!Sub` with
//! the account's values and the params' defaults, `!Ref`, `!GetAtt`) into
//! an account, written as `aws iam get-account-authorization-details`
//! prints it. Shares no code with iamc's reader or its drift.

use serde_json::{Value, json};
use serde_yaml::Value as Yaml;
use std::collections::BTreeMap;

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "eu-west-1";

/// What an account holds besides the stacks: policies that existed before
/// (a boundary, AWS managed policies) and service-linked roles.
pub struct Extra {
    /// Customer or AWS managed policies: (ARN, versions' documents, default index).
    pub policies: Vec<(String, Vec<Value>, usize)>,
    pub service_linked: Vec<String>,
}

#[derive(Default)]
struct Resources {
    /// Logical ID -> (type, properties).
    items: BTreeMap<String, (String, Yaml)>,
    params: BTreeMap<String, String>,
}

fn text(y: &Yaml) -> String {
    match y {
        Yaml::String(s) => s.clone(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        other => panic!("not a scalar: {other:?}"),
    }
}

impl Resources {
    fn name_key(kind: &str) -> &'static str {
        match kind {
            "AWS::IAM::Role" => "RoleName",
            "AWS::IAM::User" => "UserName",
            "AWS::IAM::Group" => "GroupName",
            "AWS::IAM::InstanceProfile" => "InstanceProfileName",
            "AWS::IAM::ManagedPolicy" => "ManagedPolicyName",
            other => panic!("no resource type {other} in iamc's templates"),
        }
    }

    fn arn(&self, logical: &str) -> String {
        let (kind, props) = &self.items[logical];
        let name = text(&props[Self::name_key(kind)]);
        let path = props.get("Path").map(text).unwrap_or_else(|| "/".into());
        let word = match kind.as_str() {
            "AWS::IAM::Role" => "role",
            "AWS::IAM::User" => "user",
            "AWS::IAM::Group" => "group",
            "AWS::IAM::InstanceProfile" => "instance-profile",
            _ => "policy",
        };
        format!("arn:aws:iam::{ACCOUNT}:{word}{path}{name}")
    }

    /// `!Ref`: a param's value; a role, user, group or profile's name; a
    /// managed policy's ARN.
    fn reference(&self, name: &str) -> String {
        if let Some(v) = self.params.get(name) {
            return v.clone();
        }
        let (kind, props) = &self.items[name];
        if kind == "AWS::IAM::ManagedPolicy" {
            self.arn(name)
        } else {
            text(&props[Self::name_key(kind)])
        }
    }

    fn sub(&self, s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(at) = rest.find("${") {
            out.push_str(&rest[..at]);
            let end = at + rest[at..].find('}').unwrap();
            let inner = &rest[at + 2..end];
            match inner {
                "AWS::AccountId" => out.push_str(ACCOUNT),
                "AWS::Region" => out.push_str(REGION),
                "AWS::Partition" => out.push_str("aws"),
                "AWS::URLSuffix" => out.push_str("amazonaws.com"),
                _ if inner.starts_with('!') => {
                    out.push_str("${");
                    out.push_str(&inner[1..]);
                    out.push('}');
                }
                other => out.push_str(&self.reference(other)),
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// The value as deployed, in JSON.
    fn value(&self, y: &Yaml) -> Value {
        match y {
            Yaml::Null => Value::Null,
            Yaml::Bool(b) => json!(b),
            Yaml::Number(n) => serde_json::from_str(&n.to_string()).unwrap(),
            Yaml::String(s) => json!(s),
            Yaml::Sequence(items) => Value::Array(items.iter().map(|i| self.value(i)).collect()),
            Yaml::Mapping(m) => {
                Value::Object(m.iter().map(|(k, v)| (text(k), self.value(v))).collect())
            }
            Yaml::Tagged(t) => {
                let arg = text(&t.value);
                match t.tag.to_string().as_str() {
                    "!Sub" => json!(self.sub(&arg)),
                    "!Ref" => json!(self.reference(&arg)),
                    "!GetAtt" => json!(self.arn(arg.trim_end_matches(".Arn"))),
                    other => panic!("no {other} in iamc's templates"),
                }
            }
        }
    }
}

/// A document as the raw API returns it: URL-encoded JSON text.
pub fn url_encoded(doc: &Value) -> Value {
    json!(
        percent_encoding::utf8_percent_encode(&doc.to_string(), percent_encoding::NON_ALPHANUMERIC)
            .to_string()
    )
}

/// Deploys every template into one account. Every other document is
/// URL-encoded, as the raw API writes them.
pub fn deploy(templates: &[(String, String)], extra: &Extra) -> Value {
    let mut r = Resources::default();
    let mut stacks: Vec<Vec<String>> = Vec::new();
    for (_, text_) in templates {
        let doc: Yaml = serde_yaml::from_str(text_).unwrap();
        if let Some(Yaml::Mapping(params)) = doc.get("Parameters") {
            for (k, v) in params {
                if let Some(d) = v.get("Default") {
                    r.params.insert(text(k), text(d));
                }
            }
        }
        let mut logicals = Vec::new();
        for (k, v) in doc["Resources"].as_mapping().unwrap() {
            let kind = text(&v["Type"]);
            r.items.insert(text(k), (kind, v["Properties"].clone()));
            logicals.push(text(k));
        }
        stacks.push(logicals);
    }
    let mut encode = 0usize;
    let mut document = |d: Value| {
        encode += 1;
        if encode.is_multiple_of(2) {
            url_encoded(&d)
        } else {
            d
        }
    };
    let props = |l: &str| -> Value { r.value(&r.items[l].1) };
    let of_type = |t: &str| -> Vec<String> {
        r.items
            .iter()
            .filter(|(_, (k, _))| k == t)
            .map(|(l, _)| l.clone())
            .collect()
    };
    // Which managed policies each role, user and group attaches, by name.
    let mut attached: BTreeMap<(String, String), Vec<(String, String)>> = BTreeMap::new();
    let mut policies = Vec::new();
    for l in of_type("AWS::IAM::ManagedPolicy") {
        let p = props(&l);
        let name = p["ManagedPolicyName"].as_str().unwrap().to_string();
        let arn = r.arn(&l);
        for (key, kind) in [("Roles", "role"), ("Users", "user"), ("Groups", "group")] {
            for holder in p[key].as_array().into_iter().flatten() {
                attached
                    .entry((kind.into(), holder.as_str().unwrap().into()))
                    .or_default()
                    .push((name.clone(), arn.clone()));
            }
        }
        policies.push(json!({
            "PolicyName": name, "PolicyId": format!("ANPA{}", name.len()), "Arn": arn,
            "Path": p["Path"], "DefaultVersionId": "v1", "AttachmentCount": 1,
            "PermissionsBoundaryUsageCount": 0, "IsAttachable": true,
            "Description": p["Description"],
            "CreateDate": "2026-01-01T00:00:00Z", "UpdateDate": "2026-01-01T00:00:00Z",
            "PolicyVersionList": [{"Document": document(p["PolicyDocument"].clone()),
                "VersionId": "v1", "IsDefaultVersion": true, "CreateDate": "2026-01-01T00:00:00Z"}]
        }));
    }
    for (arn, versions, default) in &extra.policies {
        let name = arn.rsplit('/').next().unwrap();
        policies.push(json!({
            "PolicyName": name, "PolicyId": "ANPAEXTRA", "Arn": arn, "Path": "/",
            "DefaultVersionId": format!("v{}", default + 1), "AttachmentCount": 1,
            "IsAttachable": true,
            "PolicyVersionList": versions.iter().enumerate().map(|(i, d)| json!({
                "Document": document(d.clone()), "VersionId": format!("v{}", i + 1),
                "IsDefaultVersion": i == *default, "CreateDate": "2026-01-01T00:00:00Z"})).collect::<Vec<_>>()
        }));
    }
    let attachments = |kind: &str, name: &str, own: &Value| -> Value {
        let mut list: Vec<Value> = own
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| {
                let arn = a.as_str().unwrap();
                json!({"PolicyName": arn.rsplit('/').next().unwrap(), "PolicyArn": arn})
            })
            .collect();
        for (n, arn) in attached
            .get(&(kind.to_string(), name.to_string()))
            .into_iter()
            .flatten()
        {
            list.push(json!({"PolicyName": n, "PolicyArn": arn}));
        }
        Value::Array(list)
    };
    let boundary = |p: &Value| match p.get("PermissionsBoundary") {
        Some(arn) => json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}),
        None => Value::Null,
    };
    let mut roles = Vec::new();
    for l in of_type("AWS::IAM::Role") {
        let p = props(&l);
        let name = p["RoleName"].as_str().unwrap().to_string();
        let profiles: Vec<Value> = of_type("AWS::IAM::InstanceProfile")
            .into_iter()
            .filter(|ip| props(ip)["Roles"][0] == json!(name))
            .map(|ip| {
                let q = props(&ip);
                json!({"Path": q["Path"], "InstanceProfileName": q["InstanceProfileName"],
                       "InstanceProfileId": "AIPA1", "Arn": r.arn(&ip), "CreateDate": "2026-01-01T00:00:00Z",
                       "Roles": []})
            })
            .collect();
        let mut role = json!({
            "Path": p["Path"], "RoleName": name, "RoleId": "AROA1", "Arn": r.arn(&l),
            "CreateDate": "2026-01-01T00:00:00Z",
            "AssumeRolePolicyDocument": document(p["AssumeRolePolicyDocument"].clone()),
            "InstanceProfileList": profiles, "RolePolicyList": [],
            "AttachedManagedPolicies": attachments("role", &name, &p["ManagedPolicyArns"]),
            "Tags": p.get("Tags").cloned().unwrap_or(json!([])),
            "RoleLastUsed": {}
        });
        if p.get("PermissionsBoundary").is_some() {
            role["PermissionsBoundary"] = boundary(&p);
        }
        roles.push(role);
    }
    for name in &extra.service_linked {
        roles.push(json!({
            "Path": "/aws-service-role/support.amazonaws.com/", "RoleName": name, "RoleId": "AROA2",
            "Arn": format!("arn:aws:iam::{ACCOUNT}:role/aws-service-role/support.amazonaws.com/{name}"),
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Service": "support.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "InstanceProfileList": [], "RolePolicyList": [],
            "AttachedManagedPolicies": [{"PolicyName": "AWSSupportServiceRolePolicy",
                "PolicyArn": "arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy"}],
            "Tags": [], "RoleLastUsed": {}
        }));
    }
    let mut users = Vec::new();
    for l in of_type("AWS::IAM::User") {
        let p = props(&l);
        let name = p["UserName"].as_str().unwrap().to_string();
        let mut user = json!({
            "Path": p["Path"], "UserName": name, "UserId": "AIDA1", "Arn": r.arn(&l),
            "CreateDate": "2026-01-01T00:00:00Z", "UserPolicyList": [],
            "GroupList": p.get("Groups").cloned().unwrap_or(json!([])),
            "AttachedManagedPolicies": attachments("user", &name, &p["ManagedPolicyArns"]),
            "Tags": p.get("Tags").cloned().unwrap_or(json!([]))
        });
        if p.get("PermissionsBoundary").is_some() {
            user["PermissionsBoundary"] = boundary(&p);
        }
        users.push(user);
    }
    let mut groups = Vec::new();
    for l in of_type("AWS::IAM::Group") {
        let p = props(&l);
        let name = p["GroupName"].as_str().unwrap().to_string();
        groups.push(json!({
            "Path": p["Path"], "GroupName": name, "GroupId": "AGPA1", "Arn": r.arn(&l),
            "CreateDate": "2026-01-01T00:00:00Z", "GroupPolicyList": [],
            "AttachedManagedPolicies": attachments("group", &name, &Value::Null)
        }));
    }
    let _ = stacks;
    json!({
        "UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles,
        "Policies": policies, "IsTruncated": false
    })
}
