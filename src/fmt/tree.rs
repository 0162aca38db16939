//! Source text → the layout tree the printer walks: lines, lists and blocks,
//! each token holding its comments. Tokens are read by the one lexer,
//! [`crate::syntax::lex`], in the grammar's order, so each is exactly the
//! token the parser reads. The file has already been parsed by
//! [`crate::syntax`], so this only has to recover the structure, not to
//! explain mistakes; anything unexpected is an `Err` and the file is left alone.

use crate::syntax::keywords::{Keyword, Role};
use crate::syntax::lex::{self, Lexer};
use std::ops::Range;

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
    /// One of `{ } [ ] ( ) , = :`.
    Punct,
}

#[derive(Clone, Debug)]
pub struct Tok {
    pub kind: Kind,
    pub text: String,
    pub leading: Vec<Trivia>,
    pub trailing: Option<String>,
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

/// One thing on a line.
#[derive(Debug)]
pub enum Node {
    Tok(Tok),
    List(List),
    /// `{ ... }` holding lines: always one line per entry.
    Block(Block),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `[a, b]`
    Bracket,
    /// `(a, b)` right after a name, without a space.
    Paren,
    /// A group's members: `{ A, B }`, or one per line without commas.
    Brace,
    /// `grants A, B`: written with brackets when it has to be broken.
    Bare,
}

#[derive(Debug)]
pub struct List {
    pub style: Style,
    pub open: Option<Tok>,
    /// Each item is one or more tokens (`bucket:` `"ops-data"`).
    pub items: Vec<Vec<Tok>>,
    pub close: Option<Tok>,
    /// Written in the source with its first item on a line of its own.
    pub broken: bool,
}

#[derive(Debug)]
pub struct Block {
    pub open: Tok,
    pub lines: Vec<Line>,
    pub close: Tok,
}

/// A declaration, statement, trust entry or property.
#[derive(Debug)]
pub struct Line {
    pub head: Vec<Node>,
    /// `when ...`, `because ...` and a trust entry's `actions ...`, each on a
    /// line of its own.
    pub clauses: Vec<Vec<Node>>,
    /// `allow ... on ...`, which has a layout of its own.
    pub statement: bool,
}

pub struct File {
    pub decls: Vec<Line>,
    pub end: Vec<Trivia>,
}

/// Where the structure was not what the formatter expected: a byte offset.
pub type Error = usize;

/// Reads the layout tree of a text that parses.
pub fn build(text: &str) -> Result<File, Error> {
    let mut p = Parser {
        lex: Lexer::new(text),
        pending: Vec::new(),
        newlines: 0,
        seen: false,
    };
    p.trivia(None);
    let mut decls = Vec::new();
    while !p.lex.at_end() {
        decls.push(p.decl()?);
    }
    Ok(File {
        decls,
        end: p.pending,
    })
}

/// Every comment of a text, in order: what formatting must keep (`None` if
/// the text has a character or string no token can hold).
pub fn comments(text: &str) -> Option<Vec<String>> {
    let mut lexer = Lexer::new(text);
    let mut out = Vec::new();
    while let Some(token) = lexer.token() {
        match token.kind {
            lex::Kind::Comment => out.push(text[token.range].trim_end().to_string()),
            lex::Kind::Other | lex::Kind::Str { closed: false } => return None,
            _ => {}
        }
    }
    Some(out)
}

/// Reads tokens in the grammar's order, each with the comments and blank
/// lines around it: a comment on the line of a token, after it, is that
/// token's `trailing` comment; any other comment, and every run of blank
/// lines, belongs to the `leading` trivia of the token after it (or to the
/// end of the file).
struct Parser<'t> {
    lex: Lexer<'t>,
    /// The trivia read since the last token.
    pending: Vec<Trivia>,
    /// Line breaks read since the last token or comment.
    newlines: usize,
    /// Whether a token or comment came before.
    seen: bool,
}

impl<'t> Parser<'t> {
    /// Reads the trivia here; a comment on the line of `last`, the token
    /// just taken, is its trailing comment.
    fn trivia(&mut self, mut last: Option<&mut Tok>) {
        let text = self.lex.text();
        while let Some(t) = self.lex.trivia() {
            let piece = &text[t.range];
            if t.kind == lex::Kind::Blank {
                self.newlines += piece.bytes().filter(|&b| b == b'\n').count();
                continue;
            }
            let comment = piece.trim_end().to_string();
            match last.as_deref_mut() {
                Some(tok) if self.newlines == 0 && tok.trailing.is_none() => {
                    tok.trailing = Some(comment);
                }
                _ => {
                    self.blank();
                    self.pending.push(Trivia::Comment(comment));
                }
            }
            self.seen = true;
            self.newlines = 0;
        }
    }

    /// A blank line before what comes next, where the text has one.
    fn blank(&mut self) {
        if self.newlines >= 2 && self.seen {
            self.pending.push(Trivia::Blank);
        }
    }

    /// The token the lexer's terminal `terminal` reads here, with its
    /// trivia; an error where it does not match.
    fn read(
        &mut self,
        kind: Kind,
        terminal: impl FnOnce(&mut Lexer<'t>) -> Option<Range<usize>>,
    ) -> Result<Tok, Error> {
        let range = terminal(&mut self.lex).ok_or(self.lex.pos())?;
        self.blank();
        let mut tok = Tok {
            kind,
            text: self.lex.text()[range.clone()].to_string(),
            leading: std::mem::take(&mut self.pending),
            trailing: None,
            starts_line: self.newlines > 0,
        };
        self.seen = true;
        self.newlines = 0;
        self.trivia(Some(&mut tok));
        Ok(tok)
    }

    fn peek_is(&self, c: u8) -> bool {
        self.lex.peek() == Some(c)
    }

    fn peek_keyword(&self, keyword: Keyword) -> bool {
        self.lex.is_keyword(keyword)
    }

    /// The keyword of `role` here.
    fn keyword(&mut self, role: Role) -> Result<(Keyword, Tok), Error> {
        let keyword = self.lex.keyword_here(role).ok_or(self.lex.pos())?;
        Ok((keyword, self.word(keyword)?))
    }

    /// The keyword `keyword` here.
    fn word(&mut self, keyword: Keyword) -> Result<Tok, Error> {
        self.read(Kind::Word, |lex| lex.keyword(keyword))
    }

    fn punct(&mut self, c: u8) -> Result<Tok, Error> {
        self.read(Kind::Punct, |lex| lex.punct(c))
    }

    fn string(&mut self) -> Result<Tok, Error> {
        self.read(Kind::Str, Lexer::string)
    }

    fn ident(&mut self) -> Result<Tok, Error> {
        self.read(Kind::Word, Lexer::ident)
    }

    fn reference(&mut self) -> Result<Tok, Error> {
        self.read(Kind::Word, Lexer::reference)
    }

    fn action(&mut self) -> Result<Tok, Error> {
        self.read(Kind::Word, Lexer::action)
    }

    fn decl(&mut self) -> Result<Line, Error> {
        let (kw, keyword) = self.keyword(Role::Declaration)?;
        let name = self.read(Kind::Word, Lexer::name)?;
        let mut head = vec![Node::Tok(keyword), Node::Tok(name)];
        match kw {
            Keyword::Policy if self.peek_is(b'=') => {
                head.push(Node::Tok(self.punct(b'=')?));
                head.push(Node::Tok(self.ident()?));
                head.push(Node::List(self.list(Style::Paren, Self::argument)?));
            }
            Keyword::Policy => head.push(Node::Block(self.block(Self::statement)?)),
            Keyword::Template => {
                head.push(Node::List(
                    self.list(Style::Paren, |p| Ok(vec![p.ident()?]))?,
                ));
                head.push(Node::Block(self.block(Self::statement)?));
            }
            Keyword::Group => head.push(Node::List(
                self.list(Style::Brace, |p| Ok(vec![p.reference()?]))?,
            )),
            Keyword::Trust => head.push(Node::Block(self.block(Self::trust_entry)?)),
            Keyword::Param => head.push(Node::Block(self.block(Self::param_property)?)),
            Keyword::Stack => head.push(Node::Block(self.block(Self::stack_property)?)),
            _ => head.push(Node::Block(self.block(Self::principal_property)?)),
        }
        Ok(Line {
            head,
            clauses: Vec::new(),
            statement: false,
        })
    }

    fn block(&mut self, line: fn(&mut Self) -> Result<Line, Error>) -> Result<Block, Error> {
        let open = self.punct(b'{')?;
        let mut lines = Vec::new();
        while !self.peek_is(b'}') {
            lines.push(line(self)?);
        }
        let close = self.punct(b'}')?;
        Ok(Block { open, lines, close })
    }

    /// `[a, b]` or `(a, b)` or `{ a b }`; commas are dropped and their
    /// comments moved to the items around them.
    fn list(
        &mut self,
        style: Style,
        item: fn(&mut Self) -> Result<Vec<Tok>, Error>,
    ) -> Result<List, Error> {
        let (open, close) = match style {
            Style::Paren => (b'(', b')'),
            Style::Brace => (b'{', b'}'),
            Style::Bracket | Style::Bare => (b'[', b']'),
        };
        let open = self.punct(open)?;
        let mut items: Vec<Vec<Tok>> = Vec::new();
        let mut carry: Vec<Trivia> = Vec::new();
        while !self.peek_is(close) {
            let mut toks = item(self)?;
            if let Some(first) = toks.first_mut() {
                prepend(&mut first.leading, std::mem::take(&mut carry));
            }
            if self.peek_is(b',') {
                let comma = self.punct(b',')?;
                carry.extend(comma.leading);
                match (toks.last_mut(), comma.trailing) {
                    (Some(last), Some(c)) if last.trailing.is_none() && carry.is_empty() => {
                        last.trailing = Some(c);
                    }
                    (_, Some(c)) => carry.push(Trivia::Comment(c)),
                    (_, None) => {}
                }
            } else if style != Style::Brace && !self.peek_is(close) {
                return Err(self.lex.pos());
            }
            items.push(toks);
        }
        let mut close = self.punct(close)?;
        prepend(&mut close.leading, carry);
        let broken = items
            .first()
            .and_then(|item| item.first())
            .is_some_and(|t| t.starts_line);
        Ok(List {
            style,
            open: Some(open),
            items,
            close: Some(close),
            broken,
        })
    }

    /// A list of names after `grants`, `roles`, ...: bracketed or bare.
    fn names(&mut self) -> Result<Node, Error> {
        if self.peek_is(b'[') {
            return Ok(Node::List(
                self.list(Style::Bracket, |p| Ok(vec![p.reference()?]))?,
            ));
        }
        let mut items = vec![vec![self.reference()?]];
        let mut carry = Vec::new();
        while self.peek_is(b',') {
            let comma = self.punct(b',')?;
            carry.extend(comma.leading);
            if let Some(c) = comma.trailing {
                match items.last_mut().and_then(|i| i.last_mut()) {
                    Some(last) if last.trailing.is_none() && carry.is_empty() => {
                        last.trailing = Some(c);
                    }
                    _ => carry.push(Trivia::Comment(c)),
                }
            }
            let mut name = self.reference()?;
            prepend(&mut name.leading, std::mem::take(&mut carry));
            items.push(vec![name]);
        }
        Ok(Node::List(List {
            style: Style::Bare,
            open: None,
            items,
            close: None,
            broken: false,
        }))
    }

    /// Actions: `[a, b]` or one bare action.
    fn actions(&mut self) -> Result<Node, Error> {
        if self.peek_is(b'[') {
            Ok(Node::List(
                self.list(Style::Bracket, |p| Ok(vec![p.action()?]))?,
            ))
        } else {
            Ok(Node::Tok(self.action()?))
        }
    }

    /// Strings: `["a", "b"]` or one bare string.
    fn strings(&mut self) -> Result<Node, Error> {
        if self.peek_is(b'[') {
            Ok(Node::List(
                self.list(Style::Bracket, |p| Ok(vec![p.string()?]))?,
            ))
        } else {
            Ok(Node::Tok(self.string()?))
        }
    }

    /// `bucket: "ops-data"`, however spaced, as the two tokens `bucket:` and
    /// the string; comments around the colon go before the string.
    fn argument(&mut self) -> Result<Vec<Tok>, Error> {
        let mut name = self.ident()?;
        let colon = self.punct(b':')?;
        let mut value = self.string()?;
        let moved = name
            .trailing
            .take()
            .into_iter()
            .map(Trivia::Comment)
            .chain(colon.leading.into_iter().filter(|t| *t != Trivia::Blank))
            .chain(colon.trailing.map(Trivia::Comment));
        prepend(&mut value.leading, moved.collect());
        name.text.push(':');
        Ok(vec![name, value])
    }

    fn statement(&mut self) -> Result<Line, Error> {
        let (_, effect) = self.keyword(Role::Effect)?;
        let mut head = vec![Node::Tok(effect)];
        if self.peek_keyword(Keyword::Not) {
            head.push(Node::Tok(self.word(Keyword::Not)?));
        }
        head.push(self.actions()?);
        head.push(Node::Tok(self.word(Keyword::On)?));
        if self.peek_keyword(Keyword::Not) {
            head.push(Node::Tok(self.word(Keyword::Not)?));
        }
        if self.peek_is(b'*') {
            head.push(Node::Tok(self.read(Kind::Word, |lex| lex.punct(b'*'))?));
        } else {
            head.push(self.strings()?);
        }
        let mut clauses = self.conditions()?;
        if self.peek_keyword(Keyword::Because) {
            clauses.push(vec![
                Node::Tok(self.word(Keyword::Because)?),
                Node::Tok(self.string()?),
            ]);
        }
        Ok(Line {
            head,
            clauses,
            statement: true,
        })
    }

    fn conditions(&mut self) -> Result<Vec<Vec<Node>>, Error> {
        let mut clauses = Vec::new();
        while self.peek_keyword(Keyword::When) {
            let when = self.word(Keyword::When)?;
            let operator = self.read(Kind::Word, Lexer::operator)?;
            let key = self.string()?;
            let values = self.strings()?;
            clauses.push(vec![
                Node::Tok(when),
                Node::Tok(operator),
                Node::Tok(key),
                values,
            ]);
        }
        Ok(clauses)
    }

    fn trust_entry(&mut self) -> Result<Line, Error> {
        let (_, kind) = self.keyword(Role::TrustPrincipal)?;
        let principals = self.strings()?;
        let mut clauses = Vec::new();
        if self.peek_keyword(Keyword::Actions) {
            clauses.push(vec![
                Node::Tok(self.word(Keyword::Actions)?),
                self.actions()?,
            ]);
        }
        clauses.extend(self.conditions()?);
        Ok(Line {
            head: vec![Node::Tok(kind), principals],
            clauses,
            statement: false,
        })
    }

    /// A line of one keyword and what follows it.
    fn property(head: Vec<Node>) -> Line {
        Line {
            head,
            clauses: Vec::new(),
            statement: false,
        }
    }

    fn principal_property(&mut self) -> Result<Line, Error> {
        let (kw, keyword) = self.keyword(Role::PrincipalProperty)?;
        let mut head = vec![Node::Tok(keyword)];
        match kw {
            Keyword::Grants => head.push(self.names()?),
            Keyword::Trust if self.peek_is(b'{') => {
                head.push(Node::Block(self.block(Self::trust_entry)?));
            }
            Keyword::Trust => head.push(Node::Tok(self.reference()?)),
            Keyword::MaxSession => head.push(Node::Tok(self.number()?)),
            Keyword::Managed => head.push(self.strings()?),
            Keyword::InstanceProfile => {}
            Keyword::Tag => {
                let key = if self.peek_is(b'"') {
                    self.string()?
                } else {
                    self.ident()?
                };
                head.push(Node::Tok(key));
                head.push(Node::Tok(self.string()?));
            }
            _ => head.push(Node::Tok(self.string()?)),
        }
        Ok(Self::property(head))
    }

    fn param_property(&mut self) -> Result<Line, Error> {
        let (kw, keyword) = self.keyword(Role::ParamProperty)?;
        let value = match kw {
            Keyword::MaxLength => self.number()?,
            _ => self.string()?,
        };
        Ok(Self::property(vec![Node::Tok(keyword), Node::Tok(value)]))
    }

    fn stack_property(&mut self) -> Result<Line, Error> {
        let (_, keyword) = self.keyword(Role::StackProperty)?;
        Ok(Self::property(vec![Node::Tok(keyword), self.names()?]))
    }

    fn number(&mut self) -> Result<Tok, Error> {
        self.read(Kind::Word, Lexer::number)
    }
}

fn prepend(leading: &mut Vec<Trivia>, mut before: Vec<Trivia>) {
    if !before.is_empty() {
        before.append(leading);
        *leading = before;
    }
}
