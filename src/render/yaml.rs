//! A small YAML emitter for CloudFormation templates: block style, comments,
//! short-form tags, and scalars quoted so that any string reads back exactly.

use std::fmt::Write;

/// A YAML value.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Str(String),
    Int(u64),
    /// A short-form tag on a scalar: `!Ref Name`, `!GetAtt Name.Arn`, `!Sub '...'`.
    Tagged(&'static str, String),
    Seq(Vec<Item>),
    Map(Vec<(String, Item)>),
    /// A sequence item already rendered at the indentation it is used at
    /// (with its comments, dash and final newline); see [`emit_seq_items`].
    Verbatim(std::sync::Arc<str>),
}

/// A value with the comment lines shown above it.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub comments: Vec<String>,
    pub node: Node,
}

impl From<Node> for Item {
    fn from(node: Node) -> Item {
        Item {
            comments: Vec::new(),
            node,
        }
    }
}

impl Node {
    pub fn str(s: impl Into<String>) -> Node {
        Node::Str(s.into())
    }

    pub fn map(entries: Vec<(&str, Node)>) -> Node {
        Node::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.into()))
                .collect(),
        )
    }

    pub fn seq(items: impl IntoIterator<Item = Node>) -> Node {
        Node::Seq(items.into_iter().map(Item::from).collect())
    }
}

/// Writes a document: a top-level map.
pub fn emit(root: &[(String, Item)]) -> String {
    let mut out = String::with_capacity(4096);
    emit_into(&mut out, root);
    out
}

/// Appends a document (a top-level map) to `out`.
pub fn emit_into(out: &mut String, root: &[(String, Item)]) {
    emit_map(out, root, 0, false);
}

/// Sequence items as they appear at `at` columns, to be spliced back with
/// [`Node::Verbatim`] wherever the same items stand at the same depth.
pub fn emit_seq_items(items: &[Item], at: usize) -> String {
    let mut out = String::new();
    emit_seq(&mut out, items, at);
    out
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn emit_comments(out: &mut String, comments: &[String], at: usize) {
    for comment in comments {
        for line in comment.split('\n') {
            indent(out, at);
            out.push('#');
            if !line.is_empty() {
                out.push(' ');
                out.push_str(&comment_text(line));
            }
            out.push('\n');
        }
    }
}

/// Map entries at `at` columns; with `inline_first`, the first key follows a
/// `- ` already written.
fn emit_map(out: &mut String, entries: &[(String, Item)], at: usize, inline_first: bool) {
    for (i, (key, item)) in entries.iter().enumerate() {
        if !(inline_first && i == 0) {
            emit_comments(out, &item.comments, at);
            indent(out, at);
        }
        out.push_str(&scalar(key));
        out.push(':');
        emit_value(out, &item.node, at);
    }
}

/// The value after `key:`, children indented below `at`.
fn emit_value(out: &mut String, node: &Node, at: usize) {
    match node {
        Node::Seq(items) if !items.is_empty() => {
            out.push('\n');
            emit_seq(out, items, at + 2);
        }
        Node::Map(entries) if !entries.is_empty() => {
            out.push('\n');
            emit_map(out, entries, at + 2, false);
        }
        other => {
            out.push(' ');
            emit_flat(out, other);
            out.push('\n');
        }
    }
}

fn emit_seq(out: &mut String, items: &[Item], at: usize) {
    for item in items {
        if let Node::Verbatim(text) = &item.node {
            out.push_str(text);
            continue;
        }
        emit_comments(out, &item.comments, at);
        indent(out, at);
        out.push_str("- ");
        match &item.node {
            Node::Map(entries) if !entries.is_empty() => {
                // The first entry's comments go above the dash.
                emit_map(out, entries, at + 2, true);
            }
            Node::Seq(inner) if !inner.is_empty() => {
                out.push('\n');
                emit_seq(out, inner, at + 2);
            }
            other => {
                emit_flat(out, other);
                out.push('\n');
            }
        }
    }
}

/// A scalar, a tagged scalar, or an empty collection, on one line.
fn emit_flat(out: &mut String, node: &Node) {
    match node {
        Node::Str(s) => out.push_str(&scalar(s)),
        Node::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Node::Tagged(tag, value) => {
            out.push_str(tag);
            out.push(' ');
            out.push_str(&scalar(value));
        }
        Node::Seq(_) => out.push_str("[]"),
        Node::Map(_) => out.push_str("{}"),
        // Verbatim text only stands as a sequence item; emit_seq writes it.
        Node::Verbatim(text) => out.push_str(text),
    }
}

/// Words YAML 1.1 reads as something other than a string.
fn is_special_word(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "y" | "n" | "yes" | "no" | "true" | "false" | "on" | "off" | "null" | "nan" | "inf"
    )
}

/// A string as a YAML scalar that reads back as exactly that string: plain
/// when it is unmistakably a string, single-quoted when printable ASCII,
/// double-quoted with escapes otherwise (so the file stays ASCII).
pub fn scalar(s: &str) -> String {
    let plain = s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:@=+-".contains(c))
        && !s.ends_with(':')
        && !is_special_word(s);
    if plain {
        return s.to_string();
    }
    if s.chars().all(|c| (' '..='~').contains(&c)) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            ' '..='~' => out.push(c),
            c if (c as u32) <= 0xFF => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c if (c as u32) <= 0xFFFF => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08X}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// Comment text kept to printable ASCII; anything else is written `\u{...}`.
fn comment_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim_end().chars() {
        if (' '..='~').contains(&c) {
            out.push(c);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_yaml_would_misread() {
        assert_eq!(scalar("s3:GetObject"), "s3:GetObject");
        assert_eq!(scalar("arn:aws:s3:::b/*"), "'arn:aws:s3:::b/*'");
        assert_eq!(scalar("2012-10-17"), "'2012-10-17'");
        assert_eq!(scalar("yes"), "'yes'");
        assert_eq!(scalar("*"), "'*'");
        assert_eq!(scalar("it's"), "'it''s'");
        assert_eq!(scalar("a # b"), "'a # b'");
        assert_eq!(scalar("caf\u{e9}\n"), "\"caf\\xE9\\n\"");
        assert_eq!(scalar(""), "''");
    }

    #[test]
    fn emits_block_style_with_comments() {
        let doc = vec![(
            "Statement".to_string(),
            Item::from(Node::Seq(vec![Item {
                comments: vec!["policy S3Read\nreads".into()],
                node: Node::map(vec![
                    ("Sid", Node::str("S3Read")),
                    ("Action", Node::seq([Node::str("s3:GetObject")])),
                    (
                        "Resource",
                        Node::Tagged("!Sub", "arn:${AWS::Partition}:s3:::b".into()),
                    ),
                ]),
            }])),
        )];
        assert_eq!(
            emit(&doc),
            "Statement:\n  # policy S3Read\n  # reads\n  - Sid: S3Read\n    Action:\n      - s3:GetObject\n    Resource: !Sub 'arn:${AWS::Partition}:s3:::b'\n"
        );
    }
}
