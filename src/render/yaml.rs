//! A small YAML writer for CloudFormation templates: block style, comments,
//! short-form tags, and scalars quoted so that any string reads back exactly.
//! A template's shape is fixed, so it is written line by line: each method
//! writes one line at an indentation, and every key and value goes through
//! [`scalar_into`].

use std::fmt::Write;

/// Block-style YAML, written line by line.
#[derive(Default)]
pub struct Writer {
    out: String,
}

impl Writer {
    pub fn with_capacity(capacity: usize) -> Writer {
        Writer {
            out: String::with_capacity(capacity),
        }
    }

    pub fn finish(self) -> String {
        self.out
    }

    fn line(&mut self, at: usize, dash: bool, key: &str) {
        indent(&mut self.out, at);
        if dash {
            self.out.push_str("- ");
        }
        scalar_into(&mut self.out, key);
        self.out.push(':');
    }

    /// `key:`, opening a block indented below it.
    pub fn open(&mut self, at: usize, key: &str) {
        self.line(at, false, key);
        self.out.push('\n');
    }

    /// `key: value`.
    pub fn str(&mut self, at: usize, key: &str, value: &str) {
        self.line(at, false, key);
        self.out.push(' ');
        scalar_into(&mut self.out, value);
        self.out.push('\n');
    }

    /// `key: !Tag value`.
    pub fn tagged(&mut self, at: usize, key: &str, tag: &str, value: &str) {
        self.line(at, false, key);
        self.out.push(' ');
        self.out.push_str(tag);
        self.out.push(' ');
        scalar_into(&mut self.out, value);
        self.out.push('\n');
    }

    /// `key: 42`.
    pub fn int(&mut self, at: usize, key: &str, value: u64) {
        self.line(at, false, key);
        let _ = writeln!(self.out, " {value}");
    }

    /// `key: []` or `key: {}`: an empty sequence or map.
    pub fn empty(&mut self, at: usize, key: &str, map: bool) {
        self.line(at, false, key);
        self.out.push_str(if map { " {}\n" } else { " []\n" });
    }

    /// `- value`.
    pub fn item(&mut self, at: usize, value: &str) {
        indent(&mut self.out, at);
        self.out.push_str("- ");
        scalar_into(&mut self.out, value);
        self.out.push('\n');
    }

    /// `- !Tag value`.
    pub fn item_tagged(&mut self, at: usize, tag: &str, value: &str) {
        indent(&mut self.out, at);
        self.out.push_str("- ");
        self.out.push_str(tag);
        self.out.push(' ');
        scalar_into(&mut self.out, value);
        self.out.push('\n');
    }

    /// `- key: value`: the first entry of a map in a sequence (its other
    /// entries follow at `at + 2`).
    pub fn item_str(&mut self, at: usize, key: &str, value: &str) {
        self.line(at, true, key);
        self.out.push(' ');
        scalar_into(&mut self.out, value);
        self.out.push('\n');
    }

    /// `# text`, a line each (`#` alone for an empty line), kept to
    /// printable ASCII.
    pub fn comment(&mut self, at: usize, text: &str) {
        for line in text.split('\n') {
            indent(&mut self.out, at);
            self.out.push('#');
            if !line.is_empty() {
                self.out.push(' ');
                comment_text_into(&mut self.out, line);
            }
            self.out.push('\n');
        }
    }

    /// Text already written at the indentation it stands at.
    pub fn verbatim(&mut self, text: &str) {
        self.out.push_str(text);
    }
}

fn indent(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > SPACES.len() {
        out.push_str(SPACES);
        n -= SPACES.len();
    }
    out.push_str(&SPACES[..n]);
}

/// Words YAML 1.1 reads as something other than a string.
fn is_special_word(s: &str) -> bool {
    s.len() <= 5
        && [
            "y", "n", "yes", "no", "true", "false", "on", "off", "null", "nan", "inf",
        ]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(s))
}

/// A string as a YAML scalar that reads back as exactly that string: plain
/// when it is unmistakably a string, single-quoted when printable ASCII,
/// double-quoted with escapes otherwise (so the file stays ASCII).
pub fn scalar(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    scalar_into(&mut out, s);
    out
}

/// [`scalar`], appended to `out`.
pub fn scalar_into(out: &mut String, s: &str) {
    // One pass: may it be plain, is it printable ASCII, has it a quote?
    let (mut plain, mut printable, mut quotes) = (true, true, false);
    for &c in s.as_bytes() {
        if !(c.is_ascii_alphanumeric()
            || matches!(c, b'_' | b'.' | b'/' | b':' | b'@' | b'=' | b'+' | b'-'))
        {
            plain = false;
            printable &= (b' '..=b'~').contains(&c);
            quotes |= c == b'\'';
        }
    }
    let plain = plain
        && s.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && !s.ends_with(':')
        && !is_special_word(s);
    if plain {
        out.push_str(s);
        return;
    }
    if printable {
        out.push('\'');
        if quotes {
            out.push_str(&s.replace('\'', "''"));
        } else {
            out.push_str(s);
        }
        out.push('\'');
        return;
    }
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
}

/// Comment text kept to printable ASCII; anything else is written `\u{...}`.
fn comment_text_into(out: &mut String, s: &str) {
    let s = s.trim_end();
    if s.bytes().all(|c| (b' '..=b'~').contains(&c)) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        if (' '..='~').contains(&c) {
            out.push(c);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
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
    fn writes_block_style_with_comments() {
        let mut w = Writer::default();
        w.open(0, "Statement");
        w.comment(2, "policy S3Read\nreads");
        w.item_str(2, "Sid", "S3Read");
        w.open(4, "Action");
        w.item(6, "s3:GetObject");
        w.tagged(4, "Resource", "!Sub", "arn:${AWS::Partition}:s3:::b");
        w.empty(4, "Condition", true);
        assert_eq!(
            w.finish(),
            "Statement:\n  # policy S3Read\n  # reads\n  - Sid: S3Read\n    Action:\n      - s3:GetObject\n    Resource: !Sub 'arn:${AWS::Partition}:s3:::b'\n    Condition: {}\n"
        );
    }
}
