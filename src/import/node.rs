//! One value tree for every input: policy JSON, CloudFormation JSON and YAML.
//! Intrinsic functions, long (`{"Fn::Sub": ...}`, `{"Ref": ...}`) or short
//! (`!Sub`, `!Ref`), become [`Node::Fn`], so the readers see one shape.

use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    /// A number, as written.
    Number(String),
    Str(String),
    Seq(Vec<Node>),
    /// Keys in the order written (JSON objects come sorted by key).
    Map(Vec<(String, Node)>),
    /// An intrinsic function: its name without `Fn::` (`Sub`, `Ref`, `GetAtt`,
    /// `Join`, ...) and its argument.
    Fn(String, Box<Node>),
}

impl Node {
    /// Parses JSON (when the text starts with `{` or `[`) or YAML.
    pub fn parse(text: &str) -> Result<Node, String> {
        let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            serde_json::from_str::<serde_json::Value>(text)
                .map(|v| from_json(&v))
                .map_err(|e| format!("invalid JSON: {e}"))
        } else {
            serde_yaml::from_str::<serde_yaml::Value>(text)
                .map(|v| from_yaml(&v))
                .map_err(|e| format!("invalid YAML: {e}"))
        }
    }

    /// The value under `key` of a map.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A list, or a single item standing for a list of one (as IAM allows).
    pub fn items(&self) -> Vec<&Node> {
        match self {
            Node::Seq(items) => items.iter().collect(),
            other => vec![other],
        }
    }

    /// Words for the kind of value, in messages.
    pub fn describe(&self) -> String {
        match self {
            Node::Null => "null".into(),
            Node::Bool(_) => "a boolean".into(),
            Node::Number(_) => "a number".into(),
            Node::Str(_) => "a string".into(),
            Node::Seq(_) => "a list".into(),
            Node::Map(_) => "a map".into(),
            Node::Fn(name, _) if name == "Ref" => "`Ref`".into(),
            Node::Fn(name, _) => format!("`Fn::{name}`"),
        }
    }
}

/// `{"Ref": x}` and `{"Fn::Name": x}`: one-key maps that are intrinsic functions.
fn intrinsic(key: &str) -> Option<String> {
    if key == "Ref" || key == "Condition" {
        return Some(key.to_string());
    }
    key.strip_prefix("Fn::").map(str::to_string)
}

fn from_json(v: &serde_json::Value) -> Node {
    match v {
        serde_json::Value::Null => Node::Null,
        serde_json::Value::Bool(b) => Node::Bool(*b),
        serde_json::Value::Number(n) => Node::Number(n.to_string()),
        serde_json::Value::String(s) => Node::Str(s.clone()),
        serde_json::Value::Array(items) => Node::Seq(items.iter().map(from_json).collect()),
        serde_json::Value::Object(map) => {
            if map.len() == 1
                && let Some((key, value)) = map.iter().next()
                && let Some(name) = intrinsic(key)
                && name != "Condition"
            {
                return Node::Fn(name, Box::new(from_json(value)));
            }
            Node::Map(map.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
        }
    }
}

fn yaml_key(v: &serde_yaml::Value) -> String {
    match v {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::Bool(b) => b.to_string(),
        serde_yaml::Value::Null => "null".into(),
        other => serde_yaml::to_string(other)
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
    }
}

fn from_yaml(v: &serde_yaml::Value) -> Node {
    match v {
        serde_yaml::Value::Null => Node::Null,
        serde_yaml::Value::Bool(b) => Node::Bool(*b),
        serde_yaml::Value::Number(n) => Node::Number(n.to_string()),
        serde_yaml::Value::String(s) => Node::Str(s.clone()),
        serde_yaml::Value::Sequence(items) => Node::Seq(items.iter().map(from_yaml).collect()),
        serde_yaml::Value::Mapping(map) => {
            if map.len() == 1
                && let Some((key, value)) = map.iter().next()
                && let Some(name) = intrinsic(&yaml_key(key))
                && name != "Condition"
            {
                return Node::Fn(name, Box::new(from_yaml(value)));
            }
            Node::Map(
                map.iter()
                    .map(|(k, v)| (yaml_key(k), from_yaml(v)))
                    .collect(),
            )
        }
        serde_yaml::Value::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!').to_string();
            let value = from_yaml(&tagged.value);
            // `!GetAtt A.B` is the short form of `Fn::GetAtt: [A, B]`.
            let value = match (name.as_str(), value) {
                ("GetAtt", Node::Str(s)) => match s.split_once('.') {
                    Some((a, b)) => Node::Seq(vec![Node::Str(a.into()), Node::Str(b.into())]),
                    None => Node::Str(s),
                },
                (_, value) => value,
            };
            Node::Fn(name, Box::new(value))
        }
    }
}

/// Where a value is in its file: `Resources.Role.Properties.Policies[0]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Path(String);

impl Path {
    pub fn root() -> Path {
        Path(String::new())
    }

    pub fn key(&self, key: &str) -> Path {
        if self.0.is_empty() {
            Path(key.to_string())
        } else {
            Path(format!("{}.{key}", self.0))
        }
    }

    pub fn index(&self, i: usize) -> Path {
        Path(format!("{}[{i}]", self.0))
    }

    /// `key`, then `[i]` when the value was a list (a single value stands alone).
    pub fn item(&self, node: &Node, i: usize) -> Path {
        match node {
            Node::Seq(_) => self.index(i),
            _ => self.clone(),
        }
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("(the whole document)")
        } else {
            f.write_str(&self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_forms_are_one_shape() {
        let yaml = Node::parse("a: !Sub 'x-${AWS::Region}'\nb: !GetAtt R.Arn\nc: !Ref P\n");
        let json = Node::parse(
            r#"{"a": {"Fn::Sub": "x-${AWS::Region}"}, "b": {"Fn::GetAtt": ["R", "Arn"]}, "c": {"Ref": "P"}}"#,
        );
        assert_eq!(yaml, json);
        let Ok(node) = yaml else { return };
        assert_eq!(
            node.get("b"),
            Some(&Node::Fn(
                "GetAtt".into(),
                Box::new(Node::Seq(vec![
                    Node::Str("R".into()),
                    Node::Str("Arn".into())
                ]))
            ))
        );
    }

    #[test]
    fn paths_read_like_json_paths() {
        let p = Path::root()
            .key("Resources")
            .key("R")
            .index(2)
            .key("Action");
        assert_eq!(p.to_string(), "Resources.R[2].Action");
    }
}
