//! The one lexer of `.iam`: the lexical rules of `grammar/iam.pest` (trivia,
//! strings, keywords, names, actions, operators, numbers), each written once,
//! for everything that reads source text by hand: the fast parser
//! ([`super::fast`]), the formatter (`crate::fmt`) and the language server's
//! completion (`crate::lsp`). It keeps trivia: whitespace and comments are
//! tokens the caller sees, which the parser skips and the formatter keeps.
//!
//! The grammar is scannerless, so where a token ends can depend on what the
//! parser expects there: `allow*s3:Get` is the keyword `allow` and the action
//! `*s3:Get`, while `tag:GetResources` is one action where an action stands
//! although it starts with the keyword `tag`. So there are two ways in:
//!
//! - [`Lexer::token`] reads the next token without context, a word being a
//!   whole run of word characters: for readers without a parser (completion
//!   reading back from the cursor, listing a file's comments);
//! - the terminals of the grammar ([`Lexer::keyword`], [`Lexer::ident`],
//!   [`Lexer::action`], [`Lexer::string`], ...), for a parser that knows which
//!   one it expects, each taking exactly what the grammar's rule takes.
//!
//! Both read the same character classes, strings and comments. The keyword
//! words come from [`super::keywords`].

use super::keywords::{self, Keyword, Role};
use std::ops::Range;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Whitespace, line breaks and byte order marks (`WHITESPACE`).
    Blank,
    /// `//` up to the end of its line, the line break left out (`COMMENT`).
    Comment,
    /// A string literal, its quotes included. One the line or the file ends
    /// in is not `closed`, and ends before the line break.
    Str { closed: bool },
    /// A run of word characters ([`is_word_char`]): a keyword, name, action,
    /// operator or number, or several glued together.
    Word,
    /// One of `{ } [ ] ( ) , =`.
    Punct,
    /// Any other character.
    Other,
}

/// A token: its kind and where it is in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub range: Range<usize>,
}

impl Kind {
    /// Whether the parser skips it.
    pub fn is_trivia(self) -> bool {
        matches!(self, Kind::Blank | Kind::Comment)
    }
}

/// `ident_char`: what goes on in a name, and so what may not follow a keyword.
pub fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `action_char`: what an action is made of. Every word of the language
/// (keyword, name, `bad_ident`, operator, number) is made of these.
pub fn is_word_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'*' | b'?')
}

/// `WHITESPACE`, as a character.
pub fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | BYTE_ORDER_MARK)
}

/// U+FEFF: whitespace to the grammar, wherever it stands.
const BYTE_ORDER_MARK: char = '\u{FEFF}';
const BYTE_ORDER_MARK_UTF8: &[u8] = "\u{FEFF}".as_bytes();

/// The punctuation the language has, besides `:` between an argument's name
/// and value and `*` for any resource (which are word characters).
const PUNCTUATION: &[u8] = b"{}[](),=";

/// The text of a `///` doc comment, or `None` for any other comment
/// (`////` included). Leading and trailing blanks of `line` are ignored.
pub fn doc_comment(line: &str) -> Option<&str> {
    line.trim_matches(is_blank)
        .strip_prefix("///")
        .filter(|doc| !doc.starts_with('/'))
}

/// The escapes of a string literal: what follows `\`, and what it stands for.
const ESCAPES: &[(char, char)] = &[('"', '"'), ('\\', '\\'), ('n', '\n'), ('t', '\t')];

/// The value of a string literal's text between its quotes. An unknown
/// escape stands for its character; `unknown` is told where it is (a range
/// of `raw`, the backslash included) and what it is.
pub fn unescape(raw: &str, mut unknown: impl FnMut(Range<usize>, char)) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut value = String::with_capacity(raw.len());
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            value.push(c);
            continue;
        }
        match chars.next() {
            Some((j, escaped)) => match ESCAPES.iter().find(|(e, _)| *e == escaped) {
                Some(&(_, meant)) => value.push(meant),
                None => {
                    unknown(i..j + escaped.len_utf8(), escaped);
                    value.push(escaped);
                }
            },
            None => value.push('\\'),
        }
    }
    value
}

/// A string literal whose value is `value`: quoted, with escapes where needed.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match ESCAPES.iter().find(|(_, meant)| *meant == c) {
            Some(&(escape, _)) => {
                out.push('\\');
                out.push(escape);
            }
            None => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `text` can be written as a name (`ident`): a letter, then letters
/// and digits, and not a reserved word.
pub fn is_name(text: &str) -> bool {
    let mut bytes = text.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric())
        && !keywords::is_reserved(text)
}

/// A position in a text, read forward.
#[derive(Clone)]
pub struct Lexer<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
}

impl<'t> Lexer<'t> {
    pub fn new(text: &'t str) -> Lexer<'t> {
        Lexer {
            text,
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    pub fn text(&self) -> &'t str {
        self.text
    }

    /// Where the lexer is: a byte offset.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Goes back to a position this lexer was at.
    pub fn reset(&mut self, pos: usize) {
        self.pos = pos;
    }

    pub fn at_end(&self) -> bool {
        self.pos == self.bytes.len()
    }

    /// The byte here.
    pub fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn byte_at(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    /// Where the run of bytes from `from` that match `f` ends.
    fn end_of(&self, from: usize, f: impl Fn(u8) -> bool) -> usize {
        from + self.bytes[from..]
            .iter()
            .position(|&b| !f(b))
            .unwrap_or(self.bytes.len() - from)
    }

    /// Takes the bytes up to `end`, as a token of `kind`.
    fn take(&mut self, kind: Kind, end: usize) -> Token {
        let start = self.pos;
        self.pos = end;
        Token {
            kind,
            range: start..end,
        }
    }

    // ------------------------------------------------------------ trivia

    /// Where the run of `WHITESPACE` from `from` ends.
    fn blank_end(&self, from: usize) -> usize {
        let mut at = from;
        loop {
            match self.byte_at(at) {
                Some(b' ' | b'\t' | b'\r' | b'\n') => at += 1,
                Some(0xEF) if self.bytes[at..].starts_with(BYTE_ORDER_MARK_UTF8) => {
                    at += BYTE_ORDER_MARK_UTF8.len()
                }
                _ => return at,
            }
        }
    }

    /// The trivia token here (a run of blanks or a comment), if there is one.
    pub fn trivia(&mut self) -> Option<Token> {
        let blank = self.blank_end(self.pos);
        if blank > self.pos {
            return Some(self.take(Kind::Blank, blank));
        }
        if self.bytes[self.pos..].starts_with(b"//") {
            let end = self.end_of(self.pos, |b| b != b'\n');
            return Some(self.take(Kind::Comment, end));
        }
        None
    }

    /// Skips the trivia here, as pest skips `WHITESPACE` and `COMMENT`
    /// between tokens.
    pub fn skip_trivia(&mut self) {
        while self.trivia().is_some() {}
    }

    // ------------------------------------------------------------ without context

    /// The next token, trivia included, read without context; `None` at the
    /// end of the text.
    pub fn token(&mut self) -> Option<Token> {
        let first = self.peek()?;
        if let Some(trivia) = self.trivia() {
            return Some(trivia);
        }
        if first == b'"' {
            let (end, closed) = self.string_end(self.pos);
            return Some(self.take(Kind::Str { closed }, end));
        }
        if PUNCTUATION.contains(&first) {
            return Some(self.take(Kind::Punct, self.pos + 1));
        }
        if is_word_char(first) {
            let end = self.end_of(self.pos, is_word_char);
            return Some(self.take(Kind::Word, end));
        }
        let len = self.text[self.pos..]
            .chars()
            .next()
            .map_or(1, char::len_utf8);
        Some(self.take(Kind::Other, self.pos + len))
    }

    // ------------------------------------------------------------ terminals

    /// `"c"`: one byte of punctuation.
    pub fn punct(&mut self, c: u8) -> Option<Range<usize>> {
        (self.peek() == Some(c)).then(|| self.take(Kind::Punct, self.pos + 1).range)
    }

    /// `string`: `"` ... `"` with escapes, on one line. The value is
    /// [`unescape`] of the text between the quotes.
    pub fn string(&mut self) -> Option<Range<usize>> {
        if self.peek() != Some(b'"') {
            return None;
        }
        match self.string_end(self.pos) {
            (end, true) => Some(self.take(Kind::Str { closed: true }, end).range),
            (_, false) => None,
        }
    }

    /// Where the string literal starting at `from` (a `"`) ends, and whether
    /// it is closed there; if not, it ends before the line break that ends
    /// it, or at the end of the text.
    fn string_end(&self, from: usize) -> (usize, bool) {
        let mut at = from + 1;
        loop {
            match self.byte_at(at) {
                None => return (at, false),
                Some(b'"') => return (at + 1, true),
                Some(b'\n') => return (at, false),
                Some(b'\\') => match self.byte_at(at + 1) {
                    None => return (at + 1, false),
                    Some(b'\n') => return (at + 1, false),
                    // The escaped character is whole: a multi-byte one goes
                    // on as ordinary bytes, none of which is `"`, `\` or a
                    // line break.
                    Some(_) => at += 2,
                },
                Some(_) => at += 1,
            }
        }
    }

    /// The length of the first of `keyword`'s words (the reserved ones, in
    /// the grammar's order) the text at `at` starts with, whatever follows.
    fn reserved_len_at(&self, at: usize) -> Option<usize> {
        let rest = &self.bytes[at..];
        if !rest.first().is_some_and(u8::is_ascii_lowercase) {
            return None;
        }
        keywords::reserved()
            .find(|k| rest.starts_with(k.as_bytes()))
            .map(str::len)
    }

    /// `keyword`: the first reserved word the text at `at` starts with
    /// (pest's ordered choice), not followed by a name character. So `roles`
    /// is not a `keyword`: `role` is tried first and then fails on the `s`.
    fn reserved_at(&self, at: usize) -> bool {
        self.reserved_len_at(at)
            .is_some_and(|len| !self.byte_at(at + len).is_some_and(is_ident_char))
    }

    /// Whether `k_<word>` matches here: the word, not followed by a name
    /// character.
    pub fn is_keyword(&self, keyword: Keyword) -> bool {
        let word = keyword.word().as_bytes();
        self.bytes[self.pos..].starts_with(word)
            && !self
                .byte_at(self.pos + word.len())
                .is_some_and(is_ident_char)
    }

    /// `k_<word>`: the keyword, whole.
    pub fn keyword(&mut self, keyword: Keyword) -> Option<Range<usize>> {
        let end = self.pos + keyword.word().len();
        self.is_keyword(keyword)
            .then(|| self.take(Kind::Word, end).range)
    }

    /// The keyword of `role` that stands here, if one does, not taken.
    pub fn keyword_here(&self, role: Role) -> Option<Keyword> {
        keywords::keywords(role).find(|&k| self.is_keyword(k))
    }

    /// `k_<word>` for the keyword of `role` that stands here, if one does.
    pub fn keyword_of(&mut self, role: Role) -> Option<(Keyword, Range<usize>)> {
        let keyword = self.keyword_here(role)?;
        Some((keyword, self.keyword(keyword)?))
    }

    /// `ident`: a letter, then letters and digits, not a keyword, and not
    /// followed by `_`, `-` or `.` (which would make it a `bad_ident`).
    pub fn ident(&mut self) -> Option<Range<usize>> {
        if !self.peek()?.is_ascii_alphabetic() || self.reserved_at(self.pos) {
            return None;
        }
        let end = self.end_of(self.pos, |b| b.is_ascii_alphanumeric());
        if matches!(self.byte_at(end), Some(b'_' | b'-' | b'.')) {
            return None;
        }
        Some(self.take(Kind::Word, end).range)
    }

    /// `bad_ident`: what a name is made of, with the characters a name may
    /// not have (`team-a`), for a parser that explains the rule.
    fn bad_ident(&mut self) -> Option<Range<usize>> {
        let end = self.end_of(self.pos, |b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
        });
        (end > self.pos).then(|| self.take(Kind::Word, end).range)
    }

    /// `name`: where a declaration is named, an `ident` or a `bad_ident`.
    pub fn name(&mut self) -> Option<Range<usize>> {
        self.ident().or_else(|| self.bad_ident())
    }

    /// `reference`: where a declaration is referred to, an `ident` or a
    /// `bad_ident` that is not a keyword (`bad_ref`).
    pub fn reference(&mut self) -> Option<Range<usize>> {
        self.ident()
            .or_else(|| (!self.reserved_at(self.pos)).then(|| self.bad_ident())?)
    }

    /// `number`: digits.
    pub fn number(&mut self) -> Option<Range<usize>> {
        let end = self.end_of(self.pos, |b| b.is_ascii_digit());
        (end > self.pos).then(|| self.take(Kind::Word, end).range)
    }

    /// `action`: action characters, not a keyword on its own (a keyword that
    /// goes on as an action, `tag:GetResources`, is one).
    pub fn action(&mut self) -> Option<Range<usize>> {
        if let Some(len) = self.reserved_len_at(self.pos)
            && self.reserved_at(self.pos)
            && !self.byte_at(self.pos + len).is_some_and(is_word_char)
        {
            return None;
        }
        let end = self.end_of(self.pos, is_word_char);
        (end > self.pos).then(|| self.take(Kind::Word, end).range)
    }

    /// `operator`: `(ASCII_ALPHA+ ~ ":")? ~ ASCII_ALPHA ~ ASCII_ALPHANUMERIC*`.
    pub fn operator(&mut self) -> Option<Range<usize>> {
        let start = self.pos;
        let letters = self.end_of(start, |b| b.is_ascii_alphabetic());
        let mut at = start;
        if letters > start && self.byte_at(letters) == Some(b':') {
            at = letters + 1;
        }
        if !self.byte_at(at)?.is_ascii_alphabetic() {
            return None;
        }
        let end = self.end_of(at + 1, |b| b.is_ascii_alphanumeric());
        Some(self.take(Kind::Word, end).range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokens of `text` read without context, as (kind, text).
    fn tokens(text: &str) -> Vec<(Kind, &str)> {
        let mut lexer = Lexer::new(text);
        std::iter::from_fn(|| lexer.token())
            .map(|t| (t.kind, &text[t.range]))
            .collect()
    }

    #[test]
    fn without_context_a_word_is_a_whole_run() {
        use Kind::*;
        assert_eq!(
            tokens("allow*s3:Get on \"a\\\"b\" // c\n{x}"),
            [
                (Word, "allow*s3:Get"),
                (Blank, " "),
                (Word, "on"),
                (Blank, " "),
                (Str { closed: true }, "\"a\\\"b\""),
                (Blank, " "),
                (Comment, "// c"),
                (Blank, "\n"),
                (Punct, "{"),
                (Word, "x"),
                (Punct, "}"),
            ]
        );
        assert_eq!(
            tokens("\u{FEFF}\"open\nx @"),
            [
                (Blank, "\u{FEFF}"),
                (Str { closed: false }, "\"open"),
                (Blank, "\n"),
                (Word, "x"),
                (Blank, " "),
                (Other, "@"),
            ]
        );
        assert_eq!(
            tokens("\"a\\\nb"),
            [(Str { closed: false }, "\"a\\"), (Blank, "\n"), (Word, "b")]
        );
    }

    /// What a terminal takes at the start of `text`.
    fn takes<'t>(
        text: &'t str,
        terminal: impl FnOnce(&mut Lexer<'t>) -> Option<Range<usize>>,
    ) -> Option<&'t str> {
        terminal(&mut Lexer::new(text)).map(|r| &text[r])
    }

    #[test]
    fn terminals_take_what_the_grammar_takes() {
        let keyword = |k| move |l: &mut Lexer<'_>| l.keyword(k);
        assert_eq!(
            takes("allow*s3:Get", keyword(Keyword::Allow)),
            Some("allow")
        );
        assert_eq!(takes("allowed", keyword(Keyword::Allow)), None);
        assert_eq!(
            takes("actions*sts:Tag", keyword(Keyword::Actions)),
            Some("actions")
        );
        assert_eq!(takes("*s3:Get", Lexer::action), Some("*s3:Get"));
        assert_eq!(
            takes("tag:GetResources", Lexer::action),
            Some("tag:GetResources")
        );
        assert_eq!(takes("tag*", Lexer::action), Some("tag*"));
        assert_eq!(takes("tag ", Lexer::action), None);
        assert_eq!(takes("roles", Lexer::ident), Some("roles"));
        assert_eq!(takes("role", Lexer::ident), None);
        assert_eq!(takes("team-a", Lexer::ident), None);
        assert_eq!(takes("team-a", Lexer::reference), Some("team-a"));
        assert_eq!(takes("role-a", Lexer::reference), None);
        assert_eq!(takes("role-a", Lexer::name), Some("role-a"));
        assert_eq!(takes("bucket:\"x\"", Lexer::ident), Some("bucket"));
        assert_eq!(
            takes("ForAllValues:StringLike \"k\"", Lexer::operator),
            Some("ForAllValues:StringLike")
        );
        assert_eq!(takes("3600s", Lexer::number), Some("3600"));
        assert_eq!(takes("\"a\\\"b\" x", Lexer::string), Some("\"a\\\"b\""));
        assert_eq!(takes("\"a\nb\"", Lexer::string), None);
    }

    #[test]
    fn strings_quote_and_unescape_alike() {
        for value in [
            "plain",
            "a \"quoted\" \\ path",
            "tab\there\nnewline",
            "é ${aws:username}",
        ] {
            let quoted = quote(value);
            let raw = &quoted[1..quoted.len() - 1];
            assert_eq!(unescape(raw, |_, c| panic!("unknown escape {c}")), value);
            assert_eq!(takes(&quoted, Lexer::string), Some(quoted.as_str()));
        }
        let mut unknown = Vec::new();
        assert_eq!(unescape("a\\qb", |r, c| unknown.push((r, c))), "aqb");
        assert_eq!(unknown, [(1..3, 'q')]);
    }

    #[test]
    fn doc_comments_have_three_slashes() {
        assert_eq!(doc_comment("  /// text "), Some(" text"));
        assert_eq!(doc_comment("\u{FEFF}///"), Some(""));
        assert_eq!(doc_comment("//// not"), None);
        assert_eq!(doc_comment("// not"), None);
    }
}
