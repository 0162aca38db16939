//! The IAM model iamc computes: the strings of its statements ([`Value`]:
//! the text, whether it renders as `!Sub`, its longest JSON length), each
//! statement's size as IAM counts it, and trust statements. A compiled
//! statement is the one statement type, [`crate::iam::policy::Statement`],
//! over [`Value`]s. Rendering and the manifest read this, never the AST.

use crate::iam::policy::{Condition, Statement};
use crate::vars::{self, Params, Piece};
use serde_json::json;

/// A string of a policy document. `sub` when it holds deploy-time values
/// (`${AWS::Region}`, `${SomeParam}`), so it must render as `!Sub`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Value {
    pub text: String,
    pub sub: bool,
    /// Characters in the compact JSON IAM measures, each deploy-time value at
    /// its longest.
    pub max_len: usize,
}

impl Value {
    /// A string without declared params (pseudo parameters still count).
    pub fn new(text: &str) -> Value {
        Value::with_params(text, &Params::new())
    }

    /// A checked string (its `${...}` already validated against `params`).
    pub fn with_params(text: &str, params: &Params) -> Value {
        if !text.contains("${") {
            return Value {
                text: text.to_string(),
                sub: false,
                max_len: json_string_len(text),
            };
        }
        let mut sub = false;
        let mut max_len = 2;
        let errors = vars::each_piece(text, params, |p| {
            max_len += match p {
                Piece::Literal(s) | Piece::PolicyVariable(s) => json_string_len(s) - 2,
                Piece::Pseudo(name) => vars::max_length(name),
                Piece::Param(name) => params
                    .max_length(name)
                    .unwrap_or(vars::DEFAULT_PARAM_MAX_LENGTH),
            };
            sub |= matches!(p, Piece::Pseudo(_) | Piece::Param(_));
        });
        if !errors.is_empty() {
            return Value {
                text: text.to_string(),
                sub: false,
                max_len: json_string_len(text),
            };
        }
        Value {
            text: text.to_string(),
            sub,
            max_len,
        }
    }

    /// Characters this value takes in the compact JSON IAM measures, with each
    /// deploy-time value at its longest.
    pub fn json_len(&self) -> usize {
        self.max_len
    }

    /// The text for a `!Sub`: policy variables escaped as `${!aws:username}`.
    pub fn sub_text(&self) -> String {
        vars::sub_text(&self.text)
    }
}

impl AsRef<str> for Value {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

/// Length of a string in compact JSON, counting each escape in full and each
/// character outside ASCII as a `\u00XX` escape: never less than IAM counts.
pub fn json_string_len(s: &str) -> usize {
    if s.bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
    {
        return 2 + s.len();
    }
    2 + s
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\t' | '\r' | '\u{8}' | '\u{c}' => 2,
            c if (c as u32) < 0x20 || !c.is_ascii() => 6,
            _ => 1,
        })
        .sum::<usize>()
}

/// `[a,b,c]` in compact JSON.
fn json_array_len(items: impl Iterator<Item = usize>) -> usize {
    let (n, sum) = items.fold((0usize, 0), |(n, s), len| (n + 1, s + len));
    2 + sum + n.saturating_sub(1)
}

/// `"key":value` pairs inside an object (without the braces).
fn json_members_len(members: impl Iterator<Item = (usize, usize)>) -> usize {
    let (n, sum) = members.fold((0usize, 0), |(n, s), (k, v)| (n + 1, s + k + 1 + v));
    sum + n.saturating_sub(1)
}

/// Characters a statement with this Sid takes in the compact JSON IAM
/// measures.
pub fn statement_len(sid: &str, s: &Statement<Value>) -> usize {
    let strings = |v: &[String]| json_array_len(v.iter().map(|s| json_string_len(s)));
    let mut members = vec![
        (json_string_len("Sid"), json_string_len(sid)),
        (
            json_string_len("Effect"),
            json_string_len(s.effect.as_str()),
        ),
        (json_string_len(action_key(s)), strings(&s.actions)),
        (json_string_len(resource_key(s)), values_len(&s.resources)),
    ];
    if !s.conditions.is_empty() {
        members.push((json_string_len("Condition"), conditions_len(&s.conditions)));
    }
    2 + json_members_len(members.into_iter())
}

/// The statement as IAM holds it, deploy-time values left as `${AWS::...}`.
pub fn statement_json(sid: &str, s: &Statement<Value>) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    object.insert("Sid".into(), json!(sid));
    object.insert("Effect".into(), json!(s.effect.as_str()));
    object.insert(action_key(s).into(), json!(s.actions));
    let resources: Vec<&str> = s.resources.iter().map(|v| v.text.as_str()).collect();
    object.insert(resource_key(s).into(), json!(resources));
    if !s.conditions.is_empty() {
        object.insert("Condition".into(), conditions_json(&s.conditions));
    }
    serde_json::Value::Object(object)
}

/// `Action` or `NotAction`.
pub fn action_key<V>(s: &Statement<V>) -> &'static str {
    if s.not_action { "NotAction" } else { "Action" }
}

/// `Resource` or `NotResource`.
pub fn resource_key<V>(s: &Statement<V>) -> &'static str {
    if s.not_resource {
        "NotResource"
    } else {
        "Resource"
    }
}

fn values_len(v: &[Value]) -> usize {
    json_array_len(v.iter().map(Value::json_len))
}

/// `{"Version":"2012-10-17","Statement":[` and `]}` around the statements.
pub const DOCUMENT_OVERHEAD: usize = 1 + 9 + 1 + 12 + 1 + 11 + 1 + 1 + 2;

/// Size of a policy document holding statements of these sizes.
pub fn document_len(statement_lens: impl Iterator<Item = usize>) -> usize {
    let (n, sum) = statement_lens.fold((0usize, 0), |(n, s), len| (n + 1, s + len));
    DOCUMENT_OVERHEAD + sum + n.saturating_sub(1)
}

pub fn document_json(statements: &[serde_json::Value]) -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::policy::Effect;

    fn statement() -> Statement<Value> {
        Statement {
            effect: Effect::Allow,
            not_action: false,
            actions: vec!["s3:GetObject".into(), "s3:ListBucket".into()],
            not_resource: true,
            resources: vec![Value::new("arn:aws:s3:::b\"q"), Value::new("é")],
            conditions: vec![Condition {
                operator: "StringLike".into(),
                key: "s3:prefix".into(),
                values: vec![Value::new("a/*"), Value::new("b")],
            }],
        }
    }

    #[test]
    fn statement_length_is_compact_json_length() {
        let s = statement();
        let json = serde_json::to_string(&statement_json("S3Read", &s)).unwrap();
        // serde_json writes é as one character where iamc counts a 6-character escape.
        assert_eq!(statement_len("S3Read", &s), json.chars().count() + 5);
        let doc = serde_json::to_string(&document_json(&[statement_json("S3Read", &s)])).unwrap();
        assert_eq!(
            document_len([statement_len("S3Read", &s)].into_iter()),
            doc.chars().count() + 5
        );
    }

    #[test]
    fn deploy_time_values_count_at_their_longest() {
        let v = Value::new("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:q");
        assert!(v.sub);
        assert_eq!(v.json_len(), 2 + "arn:aws:sqs:".len() + 20 + 1 + 12 + 2);
        let p = Value::new("home/${aws:username}");
        assert!(!p.sub);
        assert_eq!(p.json_len(), json_string_len("home/${aws:username}"));
    }

    #[test]
    fn sub_text_escapes_policy_variables() {
        let v = Value::new("arn:aws:s3:::${AWS::AccountId}-home/${aws:username}/*");
        assert_eq!(
            v.sub_text(),
            "arn:aws:s3:::${AWS::AccountId}-home/${!aws:username}/*"
        );
    }
}

/// A statement of a trust policy: who may assume the role, and how.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TrustStatement {
    pub sid: String,
    /// `Service`, `AWS` or `Federated`.
    pub principal_kind: &'static str,
    pub principals: Vec<Value>,
    /// `sts:AssumeRole`, `sts:AssumeRoleWithWebIdentity` or `sts:AssumeRoleWithSAML`.
    pub action: &'static str,
    /// Session actions the principal also needs, sorted: `sts:TagSession` for
    /// EKS Pod Identity, with `sts:SetSourceIdentity` for IAM Roles Anywhere.
    /// With any, `Action` is a list.
    pub session_actions: Vec<&'static str>,
    pub conditions: Vec<Condition<Value>>,
}

impl TrustStatement {
    /// The assume action, then the session actions.
    pub fn actions(&self) -> impl Iterator<Item = &'static str> + '_ {
        std::iter::once(self.action).chain(self.session_actions.iter().copied())
    }

    fn action_json_len(&self) -> usize {
        if self.session_actions.is_empty() {
            json_string_len(self.action)
        } else {
            json_array_len(self.actions().map(json_string_len))
        }
    }

    pub fn json_len(&self) -> usize {
        let principal = 2 + json_members_len(std::iter::once((
            json_string_len(self.principal_kind),
            values_len(&self.principals),
        )));
        let mut members = vec![
            (json_string_len("Sid"), json_string_len(&self.sid)),
            (json_string_len("Effect"), json_string_len("Allow")),
            (json_string_len("Principal"), principal),
            (json_string_len("Action"), self.action_json_len()),
        ];
        if !self.conditions.is_empty() {
            members.push((
                json_string_len("Condition"),
                conditions_len(&self.conditions),
            ));
        }
        2 + json_members_len(members.into_iter())
    }

    pub fn to_json(&self) -> serde_json::Value {
        let principals: Vec<&str> = self.principals.iter().map(|v| v.text.as_str()).collect();
        let mut object = serde_json::Map::new();
        object.insert("Sid".into(), json!(self.sid));
        object.insert("Effect".into(), json!("Allow"));
        object.insert(
            "Principal".into(),
            json!({ self.principal_kind: principals }),
        );
        if self.session_actions.is_empty() {
            object.insert("Action".into(), json!(self.action));
        } else {
            object.insert("Action".into(), json!(self.actions().collect::<Vec<_>>()));
        }
        if !self.conditions.is_empty() {
            object.insert("Condition".into(), conditions_json(&self.conditions));
        }
        serde_json::Value::Object(object)
    }
}

/// The operator blocks of sorted conditions: each operator with its keys.
pub fn condition_blocks<V>(conditions: &[Condition<V>]) -> impl Iterator<Item = &[Condition<V>]> {
    conditions.chunk_by(|a, b| a.operator == b.operator)
}

fn conditions_len(conditions: &[Condition<Value>]) -> usize {
    let blocks = condition_blocks(conditions).map(|block| {
        let keys = block
            .iter()
            .map(|c| (json_string_len(&c.key), values_len(&c.values)));
        (
            json_string_len(&block[0].operator),
            2 + json_members_len(keys),
        )
    });
    2 + json_members_len(blocks)
}

fn conditions_json(conditions: &[Condition<Value>]) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for block in condition_blocks(conditions) {
        let mut keys = serde_json::Map::new();
        for c in block {
            let values: Vec<&str> = c.values.iter().map(|v| v.text.as_str()).collect();
            keys.insert(c.key.clone(), json!(values));
        }
        out.insert(block[0].operator.clone(), serde_json::Value::Object(keys));
    }
    serde_json::Value::Object(out)
}
