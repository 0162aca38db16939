//! `iamc drift`: what is deployed (the output of `aws iam
//! get-account-authorization-details`) against what the program generates:
//! principals missing, managed policies attached or detached by hand, inline
//! policies added, statements edited in the console. Policy documents are
//! accepted both decoded (AWS CLI) and URL-encoded (raw API).

use crate::Compiled;
use crate::ast::DeclKind;
use crate::config::Naming;
use crate::diagnostics::{Code, Diagnostic};
use crate::iam::pattern as glob;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// One difference, in words, under the principal it concerns.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Finding {
    pub principal: String,
    pub message: String,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct Drift {
    pub findings: Vec<Finding>,
    pub warnings: Vec<String>,
}

/// `%7B%22Version%22...` -> `{"Version"...`; a decoded document passes through.
fn document(v: &Value) -> Option<Value> {
    match v {
        Value::Object(_) => Some(v.clone()),
        Value::String(s) => {
            let decoded = percent_decode(s)?;
            serde_json::from_str(&decoded).ok()
        }
        _ => None,
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn by_name<'a>(list: &'a Value, key: &str) -> BTreeMap<String, &'a Value> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| Some((e.get(key)?.as_str()?.to_string(), e)))
        .collect()
}

/// Reads the authorization details and compares.
pub fn drift(compiled: &Compiled, text: &str, file: &str) -> Result<Drift, Diagnostic> {
    let details: Value = serde_json::from_str(text).map_err(|e| {
        Diagnostic::error(
            Code::EvidenceInvalid,
            format!("{file}: invalid evidence (line {}, column {}): {e}", e.line(), e.column()),
        )
        .help("give the output of `aws iam get-account-authorization-details` as the AWS CLI prints it")
    })?;
    if details.get("RoleDetailList").is_none() && details.get("UserDetailList").is_none() {
        return Err(Diagnostic::error(
            Code::EvidenceInvalid,
            format!("{file}: not the output of get-account-authorization-details: no `RoleDetailList` or `UserDetailList`"),
        )
        .help("run `aws iam get-account-authorization-details > details.json`"));
    }
    let mut d = Drift::default();
    if details.get("IsTruncated").and_then(Value::as_bool) == Some(true)
        || details.get("Marker").is_some_and(|m| !m.is_null())
    {
        d.warnings.push(format!("{file} is one page of a longer answer (IsTruncated/Marker): principals on other pages show as missing. Let the AWS CLI fetch every page."));
    }
    if details["Policies"].as_array().is_none_or(|p| p.is_empty()) {
        d.warnings.push(format!("{file} holds no `Policies`: the documents of the generated managed policies are not compared (run get-account-authorization-details without --filter, or with LocalManagedPolicy)"));
    }
    let roles = by_name(&details["RoleDetailList"], "RoleName");
    let users = by_name(&details["UserDetailList"], "UserName");
    let groups = by_name(&details["GroupDetailList"], "GroupName");
    let policies = by_name(&details["Policies"], "PolicyName");
    let program = compiled.program();
    let lowered = compiled.lowered();
    let naming = &compiled.config().naming;
    let mut declared = BTreeSet::new();
    for (id, parts) in compiled.managed_policies() {
        let decl = &program.decls[id];
        let name = &decl.name.name;
        let (deployed, found, kind) = match &decl.kind {
            DeclKind::Role(_) => {
                let n = Naming::apply(&naming.role, name, "");
                (n.clone(), roles.get(&n).copied(), "role")
            }
            DeclKind::User(_) => {
                let n = Naming::apply(&naming.user, name, "");
                (n.clone(), users.get(&n).copied(), "user")
            }
            _ => continue,
        };
        declared.insert(deployed.clone());
        let mut say = |message: String| {
            d.findings.push(Finding {
                principal: name.clone(),
                message,
            })
        };
        let Some(found) = found else {
            say(format!(
                "{kind} {deployed} is in the program but not in the account"
            ));
            continue;
        };
        let account_arn = found.get("Arn").and_then(Value::as_str).unwrap_or("");
        let deployed_arn = crate::iam::arn::Arn::parse(account_arn);
        let partition = deployed_arn.map_or("aws", |a| a.partition).to_string();
        let account = deployed_arn.map_or("", |a| a.account).to_string();
        let inline_key = if kind == "role" {
            "RolePolicyList"
        } else {
            "UserPolicyList"
        };
        for p in found[inline_key].as_array().into_iter().flatten() {
            let pname = p.get("PolicyName").and_then(Value::as_str).unwrap_or("?");
            say(format!("inline policy {pname} was added outside iamc"));
        }
        // A user's policies are attached to its group.
        let holder = if kind == "user" {
            let group = Naming::apply(&naming.group, name, "");
            let member = strings(&found["GroupList"]).contains(&group);
            if !member {
                say(format!("user {deployed} is not in its group {group}"));
            }
            groups.get(&group).copied()
        } else {
            Some(found)
        };
        let expected: BTreeSet<String> = parts
            .iter()
            .map(|p| Naming::apply(&naming.managed_policy, name, &p.name))
            .collect();
        let managed_arns: BTreeSet<String> = match &decl.kind {
            DeclKind::Role(p) | DeclKind::User(p) => {
                p.managed.iter().map(|a| a.value.clone()).collect()
            }
            _ => BTreeSet::new(),
        };
        let attached: Vec<(String, String)> = holder
            .map(|h| {
                h["AttachedManagedPolicies"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|a| {
                        (
                            a["PolicyName"].as_str().unwrap_or("").to_string(),
                            a["PolicyArn"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        for (pname, parn) in &attached {
            if !expected.contains(pname) && !managed_arns.contains(parn) {
                say(format!("managed policy {parn} was attached by hand"));
            }
        }
        for want in &expected {
            if !attached.iter().any(|(n, _)| n == want) {
                say(format!(
                    "managed policy {want} is generated but not attached"
                ));
            }
        }
        for arn in &managed_arns {
            if !attached.iter().any(|(_, a)| a == arn) {
                say(format!(
                    "AWS managed policy {arn} is in the program but not attached"
                ));
            }
        }
        // Documents, statement by statement (by Sid).
        for part in parts.iter() {
            let pname = Naming::apply(&naming.managed_policy, name, &part.name);
            let Some(policy) = policies.get(&pname) else {
                continue;
            };
            let Some(doc) = default_document(policy) else {
                say(format!(
                    "managed policy {pname}: no readable default version"
                ));
                continue;
            };
            let deployed_statements: BTreeMap<String, &Value> = doc["Statement"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|s| (s["Sid"].as_str().unwrap_or("").to_string(), s))
                .collect();
            let mut seen = BTreeSet::new();
            for &i in &part.statements {
                let s = &lowered.statements[i].statement;
                seen.insert(s.sid.clone());
                let Some(dep) = deployed_statements.get(&s.sid) else {
                    say(format!(
                        "managed policy {pname}: statement {} is missing",
                        s.sid
                    ));
                    continue;
                };
                let key = if s.not_action { "NotAction" } else { "Action" };
                let lower = |v: Vec<String>| -> BTreeSet<String> {
                    v.into_iter().map(|a| a.to_ascii_lowercase()).collect()
                };
                let want = lower(s.actions.clone());
                let have = lower(strings(&dep[key]));
                let effect = dep["Effect"].as_str().unwrap_or("");
                if want != have || effect != s.effect.as_str() {
                    let added: Vec<&String> = have.difference(&want).collect();
                    let removed: Vec<&String> = want.difference(&have).collect();
                    say(format!(
                        "managed policy {pname}: statement {} was edited (Effect {effect}; actions added {added:?}, removed {removed:?})",
                        s.sid
                    ));
                    continue;
                }
                let rkey = if s.not_resource {
                    "NotResource"
                } else {
                    "Resource"
                };
                let have_r = strings(&dep[rkey]);
                let same = s.resources.len() == have_r.len()
                    && s.resources.iter().all(|r| {
                        let text = r
                            .text
                            .replace("${AWS::AccountId}", &account)
                            .replace("${AWS::Partition}", &partition);
                        have_r.iter().any(|h| {
                            glob::resource_matches(&text, h) && (text.contains("${") || &text == h)
                        })
                    });
                if !same {
                    say(format!(
                        "managed policy {pname}: statement {} has other resources: {have_r:?}",
                        s.sid
                    ));
                }
            }
            for sid in deployed_statements.keys() {
                if !seen.contains(sid) {
                    say(format!(
                        "managed policy {pname}: statement {sid:?} was added by hand"
                    ));
                }
            }
        }
    }
    // Principals named like iamc's that the program does not declare.
    for (pattern, list, kind) in [
        (&naming.role, &roles, "role"),
        (&naming.user, &users, "user"),
    ] {
        let (prefix, suffix) = pattern.split_once("{Name}").unwrap_or((pattern, ""));
        if prefix.is_empty() && suffix.is_empty() {
            continue;
        }
        for name in list.keys() {
            if name.starts_with(prefix) && name.ends_with(suffix) && !declared.contains(name) {
                d.findings.push(Finding {
                    principal: name.clone(),
                    message: format!(
                        "{kind} {name} follows the naming pattern but is not in the program"
                    ),
                });
            }
        }
    }
    d.findings.sort();
    Ok(d)
}

fn default_document(policy: &Value) -> Option<Value> {
    let versions = policy["PolicyVersionList"].as_array()?;
    let default = versions
        .iter()
        .find(|v| v["IsDefaultVersion"].as_bool() == Some(true))?;
    document(&default["Document"])
}

/// The findings as text.
pub fn text(d: &Drift) -> String {
    let mut out = String::new();
    for w in &d.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    if d.findings.is_empty() {
        out.push_str("no drift: the account holds what the program generates\n");
    }
    let mut last = "";
    for f in &d.findings {
        if f.principal != last {
            out.push_str(&format!("{}:\n", f.principal));
            last = &f.principal;
        }
        out.push_str(&format!("  {}\n", f.message));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_decoded_or_url_encoded() {
        let encoded = Value::String(
            "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D".into(),
        );
        let decoded = serde_json::json!({"Version": "2012-10-17", "Statement": []});
        assert_eq!(document(&encoded), Some(decoded.clone()));
        assert_eq!(document(&decoded), Some(decoded));
        assert_eq!(document(&Value::String("%ZZ".into())), None);
    }
}
