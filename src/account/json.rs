//! JSON paths for messages (`$.RoleDetailList[3].RolePolicyList[0]`), and
//! where in the tree a file that is not whole JSON stops.

use serde_json::{Map, Value};

/// A place in the file, as a JSON path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path(String);

impl Path {
    pub fn root() -> Path {
        Path("$".into())
    }

    pub fn key(&self, key: &str) -> Path {
        Path(format!("{}.{key}", self.0))
    }

    pub fn index(&self, i: usize) -> Path {
        Path(format!("{}[{i}]", self.0))
    }
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A problem, where it is.
pub type Problem = (Path, String);

/// The value as an object.
pub fn object<'v>(value: &'v Value, path: &Path) -> Result<&'v Map<String, Value>, Problem> {
    match value {
        Value::Object(m) => Ok(m),
        other => Err((
            path.clone(),
            format!("expected an object, found {}", kind(other)),
        )),
    }
}

/// A string field that may be absent (or null).
pub fn optional_string(
    map: &Map<String, Value>,
    path: &Path,
    key: &str,
) -> Result<Option<String>, Problem> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err((
            path.key(key),
            format!("`{key}` is a string, not {}", kind(other)),
        )),
    }
}

/// Words for the kind of a value, in messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The byte offset of a 1-based line and column (serde_json's positions).
pub fn offset(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column).min(text.len())
}

/// The path of the innermost value open at byte `end` of a JSON text:
/// where a file cut short stops, or where a syntax error is.
pub fn path_at(text: &str, end: usize) -> Path {
    enum Frame {
        Object(Option<String>),
        Array(usize),
    }
    let bytes = &text.as_bytes()[..end.min(text.len())];
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    // Whether the string just read is an object's key (before its `:`).
    let mut expect_key = false;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                stack.push(Frame::Object(None));
                expect_key = true;
            }
            b'[' => {
                stack.push(Frame::Array(0));
                expect_key = false;
            }
            b'}' | b']' => {
                stack.pop();
                expect_key = false;
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(n)) => *n += 1,
                Some(Frame::Object(key)) => {
                    *key = None;
                    expect_key = true;
                }
                None => {}
            },
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                // A key cut short names nothing yet.
                if expect_key
                    && i < bytes.len()
                    && let Some(Frame::Object(key)) = stack.last_mut()
                {
                    *key = Some(String::from_utf8_lossy(&bytes[start..i]).into_owned());
                    expect_key = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = Path::root();
    for frame in &stack {
        path = match frame {
            Frame::Object(Some(key)) => path.key(key),
            Frame::Object(None) => path,
            Frame::Array(n) => path.index(*n),
        };
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_file_stops_at_the_value_being_read() {
        let text = r#"{"RoleDetailList": [{"RoleName": "a"}, {"RoleName": "b", "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012"#;
        assert_eq!(
            path_at(text, text.len()).to_string(),
            "$.RoleDetailList[1].RolePolicyList[0].PolicyDocument.Version"
        );
        let text = r#"{"A": [1, 2, {"B": "x,y"}, "#;
        assert_eq!(path_at(text, text.len()).to_string(), "$.A[3]");
        assert_eq!(offset("ab\ncd\n", 2, 1), 4);
    }
}
