//! The formatter's lexer: tokens with the comments and blank lines around them.
//!
//! Unlike the parser's grammar, which skips comments, this lexer keeps them:
//! a comment on the line of a token, after it, is that token's `trailing`
//! comment; any other comment, and every run of blank lines, belongs to the
//! `leading` trivia of the token after it (or to the end of the file).

use crate::syntax::keywords::{self, Keyword};

/// Something between tokens that the formatter keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trivia {
    /// A comment on its own line, as written (from `//`, trailing blanks removed).
    Comment(String),
    /// One or more blank lines.
    Blank,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A name, keyword, action, operator, number or `*`.
    Word,
    /// A string literal, quotes and escapes kept byte for byte.
    Str,
    /// One of `{ } [ ] ( ) , =`.
    Punct,
}

#[derive(Clone, Debug)]
pub struct Tok {
    pub kind: Kind,
    pub text: String,
    pub leading: Vec<Trivia>,
    pub trailing: Option<String>,
    /// Byte offset in the source, for error messages.
    pub offset: usize,
    /// Whether the token was the first of its line in the source.
    pub starts_line: bool,
}

impl Tok {
    pub fn is(&self, text: &str) -> bool {
        self.kind != Kind::Str && self.text == text
    }

    pub fn has_comments(&self) -> bool {
        self.trailing.is_some() || self.leading.iter().any(|t| matches!(t, Trivia::Comment(_)))
    }
}

pub struct Lexed {
    pub toks: Vec<Tok>,
    /// The trivia after the last token.
    pub end: Vec<Trivia>,
}

/// Characters of a word: the union of what names, actions, operators and
/// numbers may contain.
fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '*' | '?')
}

/// Splits source text into tokens, or says where it could not.
pub fn lex(text: &str) -> Result<Lexed, usize> {
    let mut toks: Vec<Tok> = Vec::new();
    let mut pending: Vec<Trivia> = Vec::new();
    // Newlines seen since the last token or comment.
    let mut newlines = 0usize;
    // Whether anything (token or comment) came before.
    let mut seen = false;
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        match c {
            '\n' => {
                newlines += 1;
                chars.next();
            }
            ' ' | '\t' | '\r' | '\u{FEFF}' => {
                chars.next();
            }
            '/' if text[i..].starts_with("//") => {
                let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                let comment = text[i..end].trim_end().to_string();
                while chars.peek().is_some_and(|&(j, _)| j < end) {
                    chars.next();
                }
                match toks.last_mut() {
                    Some(last)
                        if newlines == 0 && pending.is_empty() && last.trailing.is_none() =>
                    {
                        last.trailing = Some(comment);
                    }
                    _ => {
                        if newlines >= 2 && seen {
                            pending.push(Trivia::Blank);
                        }
                        pending.push(Trivia::Comment(comment));
                    }
                }
                seen = true;
                newlines = 0;
            }
            _ => {
                let start = i;
                let kind;
                if c == '"' {
                    chars.next();
                    let mut closed = false;
                    while let Some((_, d)) = chars.next() {
                        match d {
                            '\\' if chars.peek().is_some_and(|&(_, e)| e != '\n') => {
                                chars.next();
                            }
                            '"' => {
                                closed = true;
                                break;
                            }
                            '\n' => return Err(start),
                            _ => {}
                        }
                    }
                    if !closed {
                        return Err(start);
                    }
                    kind = Kind::Str;
                } else if "{}[](),=".contains(c) {
                    chars.next();
                    kind = Kind::Punct;
                } else if word_char(c) {
                    // Where an action may stand, a keyword that goes on with
                    // `:` or `-` is a service prefix (`tag:GetResources`).
                    let action_position = toks.last().is_some_and(|t| {
                        t.kind != Kind::Str
                            && (matches!(t.text.as_str(), "[" | ",")
                                || matches!(
                                    Keyword::from_word(&t.text),
                                    Some(
                                        Keyword::Allow
                                            | Keyword::Deny
                                            | Keyword::Not
                                            | Keyword::Actions
                                    )
                                ))
                    });
                    while let Some(&(j, d)) = chars.peek() {
                        // A keyword ends where the parser ends it: at the first
                        // character that cannot continue a name (`allow*s3:Get`).
                        // `actions` is not reserved, but no name goes on with
                        // a non-name character either (`actions*sts:TagSession`).
                        let word = &text[start..j];
                        let glued_keyword = (keywords::is_reserved(word)
                            || Keyword::from_word(word) == Some(Keyword::Actions))
                            && !(d.is_ascii_alphanumeric() || d == '_')
                            && !(action_position && matches!(d, ':' | '-'));
                        if !word_char(d) || glued_keyword {
                            break;
                        }
                        chars.next();
                    }
                    kind = Kind::Word;
                } else {
                    return Err(start);
                }
                let end = chars.peek().map_or(text.len(), |&(j, _)| j);
                if newlines >= 2 && seen {
                    pending.push(Trivia::Blank);
                }
                toks.push(Tok {
                    kind,
                    text: text[start..end].to_string(),
                    leading: std::mem::take(&mut pending),
                    trailing: None,
                    offset: start,
                    starts_line: newlines > 0,
                });
                seen = true;
                newlines = 0;
            }
        }
    }
    Ok(Lexed { toks, end: pending })
}

/// Every comment of a text, in order: what formatting must keep.
pub fn comments(text: &str) -> Option<Vec<String>> {
    let lexed = lex(text).ok()?;
    let mut out = Vec::new();
    for tok in &lexed.toks {
        for t in &tok.leading {
            if let Trivia::Comment(c) = t {
                out.push(c.clone());
            }
        }
        out.extend(tok.trailing.clone());
    }
    for t in &lexed.end {
        if let Trivia::Comment(c) = t {
            out.push(c.clone());
        }
    }
    Some(out)
}
