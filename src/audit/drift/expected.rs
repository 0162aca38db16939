//! What the program deploys, in the account's terms: each role, user and
//! standalone policy under its IAM name, its documents as the templates hold
//! them read by the account's own reader, deploy-time values (the account,
//! the partition, the region, params at their defaults) filled in.

use crate::account::{self, Document, Kind as DocumentKind};
use crate::ast::DeclKind;
use crate::compiled::Compiled;
use crate::diagnostics::{Code, Diagnostic};
use crate::plan::Kind;
use serde_json::Value;
use std::collections::BTreeMap;

/// One role, user or standalone policy of the program.
#[derive(Clone, Debug)]
pub struct Expected {
    pub kind: Kind,
    /// Its name in the program.
    pub source: String,
    /// Its IAM name.
    pub name: String,
    pub path: String,
    /// A user's group (`{Name}Group`), which holds its managed policies.
    pub group: Option<String>,
    pub instance_profile: Option<String>,
    pub trust: Option<Document>,
    /// Managed policies attached by ARN (`managed`), on the role or user itself.
    pub managed: Vec<String>,
    /// The managed policies iamc generates: on a role, attached to it; on a
    /// user, to its group; a standalone policy's, attached to no one here.
    pub policies: Vec<(String, Document)>,
    pub boundary: Option<String>,
    pub max_session: Option<u64>,
    pub tags: BTreeMap<String, String>,
}

/// Deploy-time values: `${AWS::AccountId}` and the others, by name.
#[derive(Clone, Debug, Default)]
pub struct Values(pub BTreeMap<String, String>);

impl Values {
    /// The account's values and the params' defaults.
    pub fn new(compiled: &Compiled, account: &account::Account, region: Option<&str>) -> Values {
        let mut values = BTreeMap::new();
        if let Some(id) = &account.id {
            values.insert("AWS::AccountId".to_string(), id.clone());
        }
        values.insert("AWS::Partition".into(), account.partition.clone());
        let suffix = if account.partition == "aws-cn" {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        values.insert("AWS::URLSuffix".into(), suffix.into());
        if let Some(r) = region {
            values.insert("AWS::Region".into(), r.to_string());
        }
        for (name, value) in compiled.param_defaults() {
            values.insert(name.clone(), value.clone());
        }
        Values(values)
    }

    /// `text` with every deploy-time value this knows filled in.
    pub fn fill(&self, text: &str) -> String {
        if !text.contains("${") {
            return text.to_string();
        }
        let mut out = text.to_string();
        for (name, value) in &self.0 {
            out = out.replace(&format!("${{{name}}}"), value);
        }
        out
    }

    fn fill_json(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.fill(s)),
            Value::Array(items) => Value::Array(items.iter().map(|x| self.fill_json(x)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, x)| (k.clone(), self.fill_json(x)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// A generated document, as deployed, read by the account's reader.
fn document(
    v: &Value,
    values: &Values,
    kind: DocumentKind,
    what: &str,
) -> Result<Document, Diagnostic> {
    account::read_document(&values.fill_json(v), kind).map_err(|(path, why)| {
        Diagnostic::error(
            Code::Internal,
            format!("the generated document of {what} does not read back at {path}: {why}"),
        )
        .note("this is a bug in iamc")
    })
}

/// Everything the program deploys.
pub fn expected(compiled: &Compiled, values: &Values) -> Result<Vec<Expected>, Diagnostic> {
    let program = compiled.program();
    let mut out = Vec::new();
    for template in compiled.manifest().templates {
        for p in &template.principals {
            let ast = program
                .names
                .get(&p.source)
                .and_then(|&id| match &program.decls[id].kind {
                    DeclKind::Role(a) | DeclKind::User(a) => Some(a),
                    _ => None,
                });
            let policies = p
                .managed_policies
                .iter()
                .map(|m| {
                    let d = document(&m.document, values, DocumentKind::Identity, &m.name)?;
                    Ok((m.name.clone(), d))
                })
                .collect::<Result<Vec<_>, Diagnostic>>()?;
            let trust = match &p.trust_policy {
                Some(t) => Some(document(t, values, DocumentKind::Trust, &p.name)?),
                None => None,
            };
            out.push(Expected {
                kind: p.kind,
                source: p.source.clone(),
                name: p.name.clone(),
                path: p.path.clone(),
                group: p.group.clone(),
                instance_profile: p.instance_profile.clone(),
                trust,
                managed: p
                    .aws_managed_policies
                    .iter()
                    .map(|a| values.fill(a))
                    .collect(),
                policies,
                boundary: ast
                    .and_then(|a| a.boundary.as_ref())
                    .map(|b| values.fill(&b.value)),
                max_session: ast.and_then(|a| a.max_session.as_ref()).map(|s| s.node),
                tags: ast
                    .map(|a| {
                        a.tags
                            .iter()
                            .map(|(k, v)| (k.value.clone(), values.fill(&v.value)))
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
        for m in &template.policies {
            out.push(Expected {
                kind: Kind::Policy,
                source: m.name.clone(),
                name: m.name.clone(),
                path: m.path.clone(),
                group: None,
                instance_profile: None,
                trust: None,
                managed: Vec::new(),
                policies: vec![(
                    m.name.clone(),
                    document(&m.document, values, DocumentKind::Identity, &m.name)?,
                )],
                boundary: None,
                max_session: None,
                tags: BTreeMap::new(),
            });
        }
    }
    Ok(out)
}

/// The region the templates were deployed in, read off the account: where a
/// generated resource has `${AWS::Region}` and the account's policy of the
/// same name has a real region there. The most frequent one; `None` when
/// nothing tells.
pub fn infer_region(expected: &[Expected], account: &account::Account) -> Option<String> {
    let mut votes: BTreeMap<String, usize> = BTreeMap::new();
    for e in expected {
        for (name, doc) in &e.policies {
            let Some(deployed) = account.policies.iter().find(|p| &p.name == name) else {
                continue;
            };
            let theirs: Vec<&String> = account::statements(deployed.document())
                .flat_map(|s| &s.resources)
                .collect();
            for r in account::statements(doc).flat_map(|s| &s.resources) {
                let Some((before, after)) = r.split_once("${AWS::Region}") else {
                    continue;
                };
                for t in &theirs {
                    if let Some(middle) = t
                        .strip_prefix(before)
                        .and_then(|rest| rest.strip_suffix(after))
                        && is_region(middle)
                    {
                        *votes.entry(middle.to_string()).or_default() += 1;
                    }
                }
            }
        }
    }
    votes
        .into_iter()
        .max_by_key(|(r, n)| (*n, std::cmp::Reverse(r.clone())))
        .map(|(r, _)| r)
}

/// `eu-west-1`, `us-gov-west-1`, `cn-north-1`.
fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}
