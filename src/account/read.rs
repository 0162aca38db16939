//! Reading the files: each holds the answer of
//! `aws iam get-account-authorization-details` (whole, or pages of it, one
//! JSON value after another) or of `aws iam list-roles`, told apart by
//! content. Every problem is reported, each by its file and JSON path.

use super::document::{self, Kind};
use super::json::{self, Path, Problem, kind, object, optional_string};
use super::{
    Account, Attached, Group, InlinePolicy, InstanceProfile, LastUsed, ManagedPolicy,
    PolicyVersion, Role, RoleListing, User,
};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::iam::arn::Arn;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

const HELP: &str = "give the output of `aws iam get-account-authorization-details` (and, optionally, `aws iam list-roles`) as the AWS CLI writes it";

/// Reads every file (name, text) into one account.
pub fn read(files: &[(String, String)]) -> Result<Account, Diagnostics> {
    let mut r = Reader::default();
    for (name, text) in files {
        r.file(name, text);
    }
    r.finish()
}

/// [`read`] of one file.
pub fn read_all(name: &str, text: &str) -> Result<Account, Diagnostics> {
    read(&[(name.to_string(), text.to_string())])
}

#[derive(Default)]
struct Reader {
    account: Account,
    listings: Vec<RoleListing>,
    problems: Diagnostics,
    /// Pages read, and how many said more follow.
    pages: usize,
    truncated: usize,
    /// Accounts the ARNs name, with a file and path that says so.
    accounts: BTreeMap<String, String>,
    partitions: BTreeMap<String, String>,
}

/// One file's reading: its name, for messages.
struct In<'a> {
    file: &'a str,
    page: Option<usize>,
}

impl In<'_> {
    fn at(&self, path: &Path) -> String {
        match self.page {
            Some(page) => format!("{} (value {page}) at {path}", self.file),
            None => format!("{} at {path}", self.file),
        }
    }
}

type Res<T> = Result<T, Problem>;

fn field<'v>(map: &'v Map<String, Value>, path: &Path, key: &str) -> Res<&'v Value> {
    map.get(key)
        .ok_or_else(|| (path.clone(), format!("`{key}` is missing")))
}

fn string(map: &Map<String, Value>, path: &Path, key: &str) -> Res<String> {
    match field(map, path, key)? {
        Value::String(s) => Ok(s.clone()),
        other => Err((
            path.key(key),
            format!("`{key}` is a string, not {}", kind(other)),
        )),
    }
}

/// The items of a list field (absent: none), each with its path.
fn items<'v>(map: &'v Map<String, Value>, path: &Path, key: &str) -> Res<Vec<(Path, &'v Value)>> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(list)) => Ok(list
            .iter()
            .enumerate()
            .map(|(i, v)| (path.key(key).index(i), v))
            .collect()),
        Some(other) => Err((
            path.key(key),
            format!("`{key}` is a list, not {}", kind(other)),
        )),
    }
}

fn inline(map: &Map<String, Value>, path: &Path, key: &str) -> Res<Vec<InlinePolicy>> {
    let mut out = Vec::new();
    for (at, v) in items(map, path, key)? {
        let p = object(v, &at)?;
        out.push(InlinePolicy {
            name: string(p, &at, "PolicyName")?,
            document: document::read(
                field(p, &at, "PolicyDocument")?,
                &at.key("PolicyDocument"),
                Kind::Identity,
            )?,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn attached(map: &Map<String, Value>, path: &Path) -> Res<Vec<Attached>> {
    let mut out = Vec::new();
    for (at, v) in items(map, path, "AttachedManagedPolicies")? {
        let p = object(v, &at)?;
        out.push(Attached {
            name: string(p, &at, "PolicyName")?,
            arn: string(p, &at, "PolicyArn")?,
        });
    }
    out.sort();
    Ok(out)
}

fn boundary(map: &Map<String, Value>, path: &Path) -> Res<Option<String>> {
    match map.get("PermissionsBoundary") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            let at = path.key("PermissionsBoundary");
            Ok(Some(string(
                object(v, &at)?,
                &at,
                "PermissionsBoundaryArn",
            )?))
        }
    }
}

fn tags(map: &Map<String, Value>, path: &Path) -> Res<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (at, v) in items(map, path, "Tags")? {
        let t = object(v, &at)?;
        out.insert(string(t, &at, "Key")?, string(t, &at, "Value")?);
    }
    Ok(out)
}

fn path_of(map: &Map<String, Value>, at: &Path) -> Res<String> {
    Ok(optional_string(map, at, "Path")?.unwrap_or_else(|| "/".into()))
}

fn user(v: &Value, at: &Path) -> Res<User> {
    let m = object(v, at)?;
    let mut groups = Vec::new();
    for (p, g) in items(m, at, "GroupList")? {
        match g {
            Value::String(s) => groups.push(s.clone()),
            other => return Err((p, format!("a group name is a string, not {}", kind(other)))),
        }
    }
    groups.sort();
    Ok(User {
        name: string(m, at, "UserName")?,
        arn: string(m, at, "Arn")?,
        path: path_of(m, at)?,
        groups,
        inline: inline(m, at, "UserPolicyList")?,
        attached: attached(m, at)?,
        boundary: boundary(m, at)?,
        tags: tags(m, at)?,
    })
}

fn group(v: &Value, at: &Path) -> Res<Group> {
    let m = object(v, at)?;
    Ok(Group {
        name: string(m, at, "GroupName")?,
        arn: string(m, at, "Arn")?,
        path: path_of(m, at)?,
        inline: inline(m, at, "GroupPolicyList")?,
        attached: attached(m, at)?,
    })
}

fn seconds(m: &Map<String, Value>, at: &Path) -> Res<Option<u32>> {
    match m.get("MaxSessionDuration") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Ok(Some(n)),
            None => Err((
                at.key("MaxSessionDuration"),
                format!("`MaxSessionDuration` is a number of seconds, not {n}"),
            )),
        },
        Some(other) => Err((
            at.key("MaxSessionDuration"),
            format!("`MaxSessionDuration` is a number, not {}", kind(other)),
        )),
    }
}

fn role(v: &Value, at: &Path) -> Res<Role> {
    let m = object(v, at)?;
    let mut profiles = Vec::new();
    for (p, ip) in items(m, at, "InstanceProfileList")? {
        let ip = object(ip, &p)?;
        profiles.push(InstanceProfile {
            name: string(ip, &p, "InstanceProfileName")?,
            arn: string(ip, &p, "Arn")?,
            path: path_of(ip, &p)?,
        });
    }
    profiles.sort_by(|a, b| a.name.cmp(&b.name));
    let last_used = match m.get("RoleLastUsed") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let p = at.key("RoleLastUsed");
            let l = object(v, &p)?;
            Some(LastUsed {
                date: optional_string(l, &p, "LastUsedDate")?,
                region: optional_string(l, &p, "Region")?,
            })
        }
    };
    Ok(Role {
        name: string(m, at, "RoleName")?,
        arn: string(m, at, "Arn")?,
        path: path_of(m, at)?,
        trust: document::read(
            field(m, at, "AssumeRolePolicyDocument")?,
            &at.key("AssumeRolePolicyDocument"),
            Kind::Trust,
        )?,
        inline: inline(m, at, "RolePolicyList")?,
        attached: attached(m, at)?,
        boundary: boundary(m, at)?,
        tags: tags(m, at)?,
        max_session: seconds(m, at)?,
        description: optional_string(m, at, "Description")?,
        instance_profiles: profiles,
        last_used,
    })
}

fn policy(v: &Value, at: &Path) -> Res<ManagedPolicy> {
    let m = object(v, at)?;
    let mut versions = Vec::new();
    let mut marked = Vec::new();
    for (p, pv) in items(m, at, "PolicyVersionList")? {
        let pv = object(pv, &p)?;
        let id = string(pv, &p, "VersionId")?;
        if matches!(pv.get("IsDefaultVersion"), Some(Value::Bool(true))) {
            marked.push(id.clone());
        }
        versions.push(PolicyVersion {
            document: document::read(
                field(pv, &p, "Document")?,
                &p.key("Document"),
                Kind::Identity,
            )?,
            id,
        });
    }
    if versions.is_empty() {
        return Err((
            at.key("PolicyVersionList"),
            "the policy has no versions: its document is not in the file".into(),
        ));
    }
    let ids: Vec<&str> = versions.iter().map(|v| v.id.as_str()).collect();
    let default_version = match optional_string(m, at, "DefaultVersionId")? {
        Some(id) if !ids.contains(&id.as_str()) => {
            return Err((
                at.key("DefaultVersionId"),
                format!(
                    "the default version `{id}` is not among the versions listed ({})",
                    ids.join(", ")
                ),
            ));
        }
        Some(id) if marked.iter().any(|m| *m != id) => {
            return Err((
                at.key("DefaultVersionId"),
                format!(
                    "the default version is `{id}`, but `IsDefaultVersion` marks {}",
                    marked.join(", ")
                ),
            ));
        }
        Some(id) => id,
        None => match marked.as_slice() {
            [one] => one.clone(),
            _ => {
                return Err((
                    at.clone(),
                    "no `DefaultVersionId`, and not exactly one version marked `IsDefaultVersion`"
                        .into(),
                ));
            }
        },
    };
    Ok(ManagedPolicy {
        name: string(m, at, "PolicyName")?,
        arn: string(m, at, "Arn")?,
        path: path_of(m, at)?,
        description: optional_string(m, at, "Description")?,
        default_version,
        versions,
    })
}

fn listing(v: &Value, at: &Path) -> Res<RoleListing> {
    let m = object(v, at)?;
    Ok(RoleListing {
        arn: string(m, at, "Arn")?,
        max_session: seconds(m, at)?,
        description: optional_string(m, at, "Description")?,
    })
}

/// What has an ARN.
trait Arned {
    fn arn(&self) -> &str;
}

macro_rules! arned {
    ($($t:ty),*) => {
        $(impl Arned for $t {
            fn arn(&self) -> &str {
                &self.arn
            }
        })*
    };
}

arned!(User, Group, Role, ManagedPolicy);

/// Adds `item` to `list` unless the same is there; two different items of
/// one ARN (pages that disagree) are a problem.
fn merge<T: PartialEq + Arned>(list: &mut Vec<T>, item: T) -> Result<(), String> {
    match list.iter().find(|x| x.arn() == item.arn()) {
        Some(x) if *x == item => Ok(()),
        Some(_) => Err(format!(
            "`{}` appears twice, differently: give pages of one answer",
            item.arn()
        )),
        None => {
            list.push(item);
            Ok(())
        }
    }
}

impl Reader {
    fn problem(&mut self, here: &In, path: &Path, message: &str) {
        self.problems.push(
            Diagnostic::error(
                Code::EvidenceInvalid,
                format!("{}: {message}", here.at(path)),
            )
            .help(HELP),
        );
    }

    fn file(&mut self, name: &str, text: &str) {
        let values: Vec<Result<Value, serde_json::Error>> =
            serde_json::Deserializer::from_str(text)
                .into_iter()
                .collect();
        let several = values.len() > 1;
        for (i, value) in values.into_iter().enumerate() {
            let here = In {
                file: name,
                page: several.then_some(i + 1),
            };
            match value {
                Ok(v) => self.value(&here, &v),
                Err(e) => {
                    let at = json::path_at(text, json::offset(text, e.line(), e.column()));
                    let message = e.to_string();
                    let message = message
                        .rsplit_once(" at line ")
                        .map_or(message.as_str(), |(m, _)| m);
                    let what = if e.is_eof() {
                        "the file ends before the JSON does (cut short?)".to_string()
                    } else {
                        format!("not JSON: {message}")
                    };
                    self.problem(
                        &here,
                        &at,
                        &format!("{what} (line {}, column {})", e.line(), e.column()),
                    );
                    // The rest of the file cannot be read reliably.
                    return;
                }
            }
        }
    }

    fn value(&mut self, here: &In, v: &Value) {
        let root = Path::root();
        let Value::Object(top) = v else {
            self.problem(
                here,
                &root,
                &format!(
                    "expected the object get-account-authorization-details prints, found {}",
                    kind(v)
                ),
            );
            return;
        };
        const LISTS: [&str; 4] = [
            "UserDetailList",
            "GroupDetailList",
            "RoleDetailList",
            "Policies",
        ];
        if !LISTS.iter().any(|k| top.contains_key(*k)) {
            if top.contains_key("Roles") {
                self.role_list(here, top);
            } else {
                self.problem(
                    here,
                    &root,
                    "not the output of get-account-authorization-details (no `UserDetailList`, `GroupDetailList`, `RoleDetailList` or `Policies`) nor of list-roles (no `Roles`)",
                );
            }
            return;
        }
        self.pages += 1;
        if matches!(top.get("IsTruncated"), Some(Value::Bool(true)))
            || matches!(top.get("Marker"), Some(Value::String(_)))
        {
            self.truncated += 1;
        }
        let lists = &mut self.account.lists;
        lists.users |= top.contains_key("UserDetailList");
        lists.groups |= top.contains_key("GroupDetailList");
        lists.roles |= top.contains_key("RoleDetailList");
        lists.policies |= top.contains_key("Policies");
        self.each(here, top, "UserDetailList", user, |a| &mut a.users);
        self.each(here, top, "GroupDetailList", group, |a| &mut a.groups);
        self.each(here, top, "RoleDetailList", role, |a| &mut a.roles);
        self.each(here, top, "Policies", policy, |a| &mut a.policies);
    }

    /// Reads each item of a list with `read` into the account's list `into`.
    fn each<T: PartialEq + Arned>(
        &mut self,
        here: &In,
        top: &Map<String, Value>,
        key: &str,
        read: fn(&Value, &Path) -> Res<T>,
        into: fn(&mut Account) -> &mut Vec<T>,
    ) {
        let list = match items(top, &Path::root(), key) {
            Ok(list) => list,
            Err((at, why)) => return self.problem(here, &at, &why),
        };
        for (at, v) in list {
            match read(v, &at) {
                Ok(item) => {
                    self.note_arn(item.arn(), here);
                    if let Err(why) = merge(into(&mut self.account), item) {
                        self.problem(here, &at, &why);
                    }
                }
                Err((at, why)) => self.problem(here, &at, &why),
            }
        }
    }

    fn role_list(&mut self, here: &In, top: &Map<String, Value>) {
        let list = match items(top, &Path::root(), "Roles") {
            Ok(list) => list,
            Err((at, why)) => return self.problem(here, &at, &why),
        };
        for (at, v) in list {
            match listing(v, &at) {
                Ok(l) => self.listings.push(l),
                Err((at, why)) => self.problem(here, &at, &why),
            }
        }
    }

    /// Notes the account and partition an ARN names (AWS's own `aws`
    /// account aside).
    fn note_arn(&mut self, arn: &str, here: &In) {
        if let Some(a) = Arn::parse(arn) {
            let at = here.file.to_string();
            self.partitions
                .entry(a.partition.to_string())
                .or_insert(at.clone());
            if a.account != "aws" && !a.account.is_empty() {
                self.accounts.entry(a.account.to_string()).or_insert(at);
            }
        }
    }

    fn finish(mut self) -> Result<Account, Diagnostics> {
        if self.accounts.len() > 1 {
            let list: Vec<String> = self
                .accounts
                .iter()
                .map(|(a, f)| format!("{a} ({f})"))
                .collect();
            self.problems.push(
                Diagnostic::error(
                    Code::EvidenceInvalid,
                    format!("the files describe several accounts: {}", list.join(", ")),
                )
                .help("give the authorization details of one account"),
            );
        }
        if self.pages == 0 && self.problems.is_empty() {
            self.problems.push(
                Diagnostic::error(
                    Code::EvidenceInvalid,
                    "no get-account-authorization-details output among the files (list-roles output only adds to it)",
                )
                .help(HELP),
            );
        }
        if !self.problems.is_empty() {
            return Err(self.problems);
        }
        let mut account = self.account;
        account.id = self.accounts.into_keys().next();
        account.partition = self
            .partitions
            .into_keys()
            .find(|p| !p.is_empty())
            .unwrap_or_else(|| "aws".into());
        account.users.sort_by(|a, b| a.name.cmp(&b.name));
        account.groups.sort_by(|a, b| a.name.cmp(&b.name));
        account.roles.sort_by(|a, b| a.name.cmp(&b.name));
        account.policies.sort_by(|a, b| a.arn.cmp(&b.arn));
        account.add_role_list(&self.listings);
        if self.truncated == self.pages {
            account.warnings.push(format!(
                "the answer is cut short: {} of get-account-authorization-details says more follows (`IsTruncated`/`Marker`) and no last page is given; what is on the other pages is missing. Let the AWS CLI fetch every page, or give every page",
                if self.pages == 1 { "the page" } else { "every page" }
            ));
        }
        Ok(account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn page(v: Value) -> String {
        v.to_string()
    }

    fn details() -> Value {
        json!({
            "UserDetailList": [{"UserName": "jane", "Arn": "arn:aws:iam::123456789012:user/jane",
                "Path": "/", "GroupList": ["devs"], "UserPolicyList": [],
                "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess",
                    "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}],
                "Tags": [{"Key": "Team", "Value": "ml"}]}],
            "GroupDetailList": [{"GroupName": "devs", "Arn": "arn:aws:iam::123456789012:group/devs",
                "Path": "/", "GroupPolicyList": [{"PolicyName": "p",
                    "PolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D"}],
                "AttachedManagedPolicies": []}],
            "RoleDetailList": [{"RoleName": "app", "Arn": "arn:aws:iam::123456789012:role/svc/app",
                "Path": "/svc/", "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                "InstanceProfileList": [{"InstanceProfileName": "app", "Arn": "arn:aws:iam::123456789012:instance-profile/app", "Path": "/"}],
                "RolePolicyList": [], "AttachedManagedPolicies": [],
                "PermissionsBoundary": {"PermissionsBoundaryType": "Policy",
                    "PermissionsBoundaryArn": "arn:aws:iam::123456789012:policy/Boundary"},
                "RoleLastUsed": {"LastUsedDate": "2026-11-30T12:00:00Z", "Region": "eu-west-1"}},
                {"RoleName": "AWSServiceRoleForSupport", "Arn": "arn:aws:iam::123456789012:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport",
                "Path": "/aws-service-role/support.amazonaws.com/", "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "support.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}],
            "Policies": [{"PolicyName": "Boundary", "Arn": "arn:aws:iam::123456789012:policy/Boundary",
                "Path": "/", "DefaultVersionId": "v2", "PolicyVersionList": [
                    {"VersionId": "v2", "IsDefaultVersion": true, "Document": {"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}},
                    {"VersionId": "v1", "IsDefaultVersion": false, "Document": {"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]}],
            "IsTruncated": false
        })
    }

    fn messages(d: Diagnostics) -> Vec<String> {
        d.0.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn reads_every_principal_and_the_default_version() {
        let a = read_all("d.json", &page(details())).unwrap();
        assert_eq!(a.id.as_deref(), Some("123456789012"));
        assert_eq!(a.partition, "aws");
        assert!(a.warnings.is_empty());
        let jane = a.user("jane").unwrap();
        assert_eq!(jane.groups, ["devs"]);
        assert_eq!(jane.tags["Team"], "ml");
        assert_eq!(a.group("devs").unwrap().inline[0].document.statements, []);
        let app = a.role("app").unwrap();
        assert_eq!(app.path, "/svc/");
        assert!(!app.is_service_linked());
        assert!(
            a.role("AWSServiceRoleForSupport")
                .unwrap()
                .is_service_linked()
        );
        assert_eq!(app.instance_profiles[0].name, "app");
        let b = a
            .policy("arn:aws:iam::123456789012:policy/Boundary")
            .unwrap();
        assert_eq!(b.document().statements[0].statement.actions, ["s3:*"]);
    }

    #[test]
    fn pages_merge_and_list_roles_adds_session_length() {
        let mut first = details();
        first["IsTruncated"] = json!(true);
        first["Marker"] = json!("abc");
        let second = json!({"RoleDetailList": [details()["RoleDetailList"][0].clone()],
            "UserDetailList": [], "IsTruncated": false});
        let roles = json!({"Roles": [{"Arn": "arn:aws:iam::123456789012:role/svc/app", "MaxSessionDuration": 7200}]});
        let a = read(&[
            (
                "p.json".into(),
                format!("{}\n{}", page(first.clone()), page(second)),
            ),
            ("roles.json".into(), page(roles)),
        ])
        .unwrap();
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
        assert_eq!(a.roles.len(), 2);
        assert_eq!(a.role("app").unwrap().max_session, Some(7200));
        let a = read_all("p.json", &page(first)).unwrap();
        assert_eq!(a.warnings.len(), 1, "one page of several");
    }

    #[test]
    fn bad_input_is_reported_by_json_path() {
        let text = page(details());
        let cut = &text[..text.find("eu-west-1").unwrap()];
        let m = messages(read_all("d.json", cut).unwrap_err());
        assert!(
            m[0].starts_with("d.json at $.RoleDetailList[0].RoleLastUsed.Region:")
                && m[0].contains("cut short"),
            "{m:?}"
        );
        let mut d = details();
        d["RoleDetailList"][0]["RolePolicyList"] =
            json!([{"PolicyName": "x", "PolicyDocument": "not%20json"}]);
        d["Policies"][0]["DefaultVersionId"] = json!("v7");
        let m = messages(read_all("d.json", &page(d)).unwrap_err());
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(
            m[0].starts_with("d.json at $.RoleDetailList[0].RolePolicyList[0].PolicyDocument: the document is not JSON"),
            "{m:?}"
        );
        assert!(
            m[1].starts_with(
                "d.json at $.Policies[0].DefaultVersionId: the default version `v7` is not among"
            ),
            "{m:?}"
        );
        let m = messages(read_all("x.json", r#"{"Records": []}"#).unwrap_err());
        assert!(m[0].contains("not the output"), "{m:?}");
    }
}
