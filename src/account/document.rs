//! Policy documents as the account holds them: a JSON object (as the AWS CLI
//! prints it) or URL-encoded JSON text (as the raw API and most SDKs return
//! it), read into statements in the core's terms.

use super::json::{Path, Problem, kind, object, optional_string};
use crate::iam::policy::{Condition, Effect, Statement};
use serde::Serialize;
use serde_json::Value;

/// One policy document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Document {
    /// `Version` as written; without `2012-10-17`, `${...}` is literal text
    /// (and reads as such in [`Entry::statement`]).
    pub version: Option<String>,
    pub statements: Vec<Entry>,
}

/// A statement and the Sid it had.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub sid: Option<String>,
    pub statement: Statement,
}

/// What a document is read as: an identity policy (`Resource`) or a trust
/// policy (`Principal`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Identity,
    Trust,
}

/// The document at `path`: decoded if URL-encoded, then read.
pub fn read(value: &Value, path: &Path, kind_of: Kind) -> Result<Document, Problem> {
    let decoded;
    let value = match value {
        Value::String(text) => {
            decoded = decode(text).map_err(|why| (path.clone(), why))?;
            &decoded
        }
        other => other,
    };
    document(value, path, kind_of)
}

/// URL-encoded JSON text (`%7B%22Version%22...`), or JSON text as it is.
fn decode(text: &str) -> Result<Value, String> {
    let trimmed = text.trim_start();
    let plain = if trimmed.starts_with('{') {
        serde_json::from_str(text).ok()
    } else {
        None
    };
    if let Some(v) = plain {
        return Ok(v);
    }
    let decoded = percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .map_err(|_| "the URL-decoded document is not UTF-8 text".to_string())?;
    serde_json::from_str(&decoded).map_err(|e| {
        let shown: String = decoded.chars().take(40).collect();
        format!("the document is not JSON, decoded or not ({e}); it begins `{shown}`")
    })
}

fn document(value: &Value, path: &Path, kind_of: Kind) -> Result<Document, Problem> {
    let map = object(value, path)?;
    let version = optional_string(map, path, "Version")?;
    let variables = version.as_deref() == Some("2012-10-17");
    let here = path.key("Statement");
    let list: Vec<&Value> = match map.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        Some(other) => {
            return Err((
                here,
                format!("`Statement` is a list or an object, not {}", kind(other)),
            ));
        }
        None => return Err((path.clone(), "the document has no `Statement`".into())),
    };
    let statements = list
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let at = if matches!(map.get("Statement"), Some(Value::Array(_))) {
                here.index(i)
            } else {
                here.clone()
            };
            entry(s, &at, kind_of, variables)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Document {
        version,
        statements,
    })
}

/// `"s3:GetObject"` or `["a", "b"]`.
fn strings(value: &Value, path: &Path) -> Result<Vec<String>, Problem> {
    let one = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        other => Err((
            path.clone(),
            format!(
                "expected a string or a list of strings, found {}",
                kind(other)
            ),
        )),
    };
    match value {
        Value::Array(items) => items.iter().map(one).collect(),
        other => Ok(vec![one(other)?]),
    }
}

/// A condition value: IAM takes a boolean or a number as its text.
fn condition_strings(value: &Value, path: &Path) -> Result<Vec<String>, Problem> {
    let one = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err((
            path.clone(),
            format!("a condition value is a string, not {}", kind(other)),
        )),
    };
    match value {
        Value::Array(items) => items.iter().map(one).collect(),
        other => Ok(vec![one(other)?]),
    }
}

/// Under `Version` `2008-10-17` (or none) a `${` is literal text: spelled
/// `${$}{` for the core, which reads `${...}` as a variable.
pub fn literal_variables(text: &str) -> String {
    text.replace("${", "${$}{")
}

/// `Action` or `NotAction` (one of the two, exactly).
fn either(
    map: &serde_json::Map<String, Value>,
    path: &Path,
    plain: &str,
    not: &str,
) -> Result<Option<(bool, Vec<String>)>, Problem> {
    match (map.get(plain), map.get(not)) {
        (Some(_), Some(_)) => Err((
            path.clone(),
            format!("a statement has `{plain}` or `{not}`, not both"),
        )),
        (Some(v), None) => Ok(Some((false, strings(v, &path.key(plain))?))),
        (None, Some(v)) => Ok(Some((true, strings(v, &path.key(not))?))),
        (None, None) => Ok(None),
    }
}

/// `{"Service": "ec2.amazonaws.com"}` -> `Service:ec2.amazonaws.com`; `"*"` -> `*`.
fn principals(value: &Value, path: &Path) -> Result<Vec<String>, Problem> {
    match value {
        Value::String(s) if s == "*" => Ok(vec!["*".into()]),
        Value::Object(map) => {
            let mut out = Vec::new();
            for (kind, v) in map {
                for p in strings(v, &path.key(kind))? {
                    out.push(format!("{kind}:{p}"));
                }
            }
            Ok(out)
        }
        other => Err((
            path.clone(),
            format!(
                "a principal is `\"*\"` or an object such as {{\"AWS\": ...}}, not {}",
                kind(other)
            ),
        )),
    }
}

fn entry(value: &Value, path: &Path, kind_of: Kind, variables: bool) -> Result<Entry, Problem> {
    let map = object(value, path)?;
    let sid = optional_string(map, path, "Sid")?;
    let effect = match map.get("Effect") {
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(other) => {
            return Err((
                path.key("Effect"),
                format!("`Effect` is `Allow` or `Deny`, not {other}"),
            ));
        }
        None => return Err((path.clone(), "the statement has no `Effect`".into())),
    };
    let Some((not_action, actions)) = either(map, path, "Action", "NotAction")? else {
        return Err((
            path.clone(),
            "the statement has no `Action` or `NotAction`".into(),
        ));
    };
    let (not_resource, resources) = match kind_of {
        Kind::Identity => {
            if let Some(key) = ["Principal", "NotPrincipal"]
                .into_iter()
                .find(|k| map.contains_key(*k))
            {
                return Err((
                    path.key(key),
                    format!("an identity policy names no `{key}`"),
                ));
            }
            either(map, path, "Resource", "NotResource")?.ok_or_else(|| {
                (
                    path.clone(),
                    "the statement has no `Resource` or `NotResource`".to_string(),
                )
            })?
        }
        Kind::Trust => match (map.get("Principal"), map.get("NotPrincipal")) {
            (Some(p), None) => (false, principals(p, &path.key("Principal"))?),
            (None, Some(p)) => (true, principals(p, &path.key("NotPrincipal"))?),
            (Some(_), Some(_)) => {
                return Err((
                    path.clone(),
                    "a statement has `Principal` or `NotPrincipal`, not both".into(),
                ));
            }
            (None, None) => {
                return Err((
                    path.clone(),
                    "a trust policy statement names a `Principal`".into(),
                ));
            }
        },
    };
    let mut conditions = Vec::new();
    match map.get("Condition") {
        None => {}
        Some(Value::Object(blocks)) => {
            for (operator, block) in blocks {
                let at = path.key("Condition").key(operator);
                let Value::Object(keys) = block else {
                    return Err((
                        at,
                        format!(
                            "an operator's block is an object of keys, not {}",
                            kind(block)
                        ),
                    ));
                };
                for (key, values) in keys {
                    conditions.push(Condition {
                        operator: operator.clone(),
                        key: key.clone(),
                        values: condition_strings(values, &at.key(key))?,
                    });
                }
            }
        }
        Some(other) => {
            return Err((
                path.key("Condition"),
                format!("`Condition` is an object, not {}", kind(other)),
            ));
        }
    }
    let text = |s: String| {
        if variables { s } else { literal_variables(&s) }
    };
    let resources = match kind_of {
        Kind::Identity => resources.into_iter().map(text).collect(),
        Kind::Trust => resources,
    };
    for c in &mut conditions {
        c.values = std::mem::take(&mut c.values)
            .into_iter()
            .map(text)
            .collect();
    }
    Ok(Entry {
        sid,
        statement: statement(
            effect,
            not_action,
            actions,
            not_resource,
            resources,
            conditions,
        ),
    })
}

/// The core's statement (the one place that builds it here).
fn statement(
    effect: Effect,
    not_action: bool,
    actions: Vec<String>,
    not_resource: bool,
    resources: Vec<String>,
    mut conditions: Vec<Condition>,
) -> Statement {
    conditions.sort();
    Statement {
        effect,
        not_action,
        actions,
        not_resource,
        resources,
        conditions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn identity(v: &Value) -> Result<Document, Problem> {
        read(v, &Path::root().key("D"), Kind::Identity)
    }

    #[test]
    fn decoded_and_url_encoded_documents_read_alike() {
        let plain = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*",
             "Condition": {"Bool": {"aws:SecureTransport": true}}}]});
        let text = plain.to_string();
        let encoded: String =
            percent_encoding::utf8_percent_encode(&text, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let a = identity(&plain).unwrap();
        assert_eq!(identity(&Value::String(encoded)).unwrap(), a);
        assert_eq!(identity(&Value::String(text)).unwrap(), a);
        let s = &a.statements[0].statement;
        assert_eq!(s.resources, ["arn:aws:s3:::b/${aws:username}/*"]);
        assert_eq!(s.conditions[0].values, ["true"]);
    }

    #[test]
    fn variables_are_literal_without_the_2012_version() {
        let doc = json!({"Statement": {"Effect": "Deny", "NotAction": ["iam:*"],
            "Resource": "arn:aws:s3:::b/${aws:username}"}});
        let d = identity(&doc).unwrap();
        let s = &d.statements[0].statement;
        assert!(s.not_action);
        assert_eq!(s.resources, ["arn:aws:s3:::b/${$}{aws:username}"]);
    }

    #[test]
    fn trust_principals_read_as_kind_and_value() {
        let doc = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"], "AWS": "arn:aws:iam::111111111111:root"},
             "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]});
        let d = read(&doc, &Path::root(), Kind::Trust).unwrap();
        assert_eq!(
            d.statements[0].statement.resources,
            [
                "AWS:arn:aws:iam::111111111111:root",
                "Service:ec2.amazonaws.com"
            ]
        );
        assert_eq!(d.statements[1].statement.resources, ["*"]);
    }

    #[test]
    fn bad_documents_name_their_path() {
        let (at, why) = identity(&Value::String("%7B%22Version".into())).unwrap_err();
        assert_eq!(at.to_string(), "$.D");
        assert!(why.contains("not JSON"), "{why}");
        let doc = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"k": [{}]}}}]});
        let (at, _) = identity(&doc).unwrap_err();
        assert_eq!(at.to_string(), "$.D.Statement[1].Condition.Bool.k");
        let doc = json!({"Statement": [{"Effect": "Allow", "Action": "s3:*"}]});
        let (at, why) = identity(&doc).unwrap_err();
        assert_eq!(at.to_string(), "$.D.Statement[0]");
        assert!(why.contains("Resource"), "{why}");
    }
}
