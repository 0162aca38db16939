//! Tokens → the layout tree the printer walks: lines, lists and blocks, each
//! token still holding its comments. The file has already been parsed by
//! [`crate::syntax`], so this only has to recover the structure, not to
//! explain mistakes; anything unexpected is an `Err` and the file is left alone.

use super::lex::{Kind, Lexed, Tok, Trivia};
use crate::syntax::keywords::{self, Keyword, Role};
use std::collections::VecDeque;

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

pub fn build(lexed: Lexed) -> Result<File, Error> {
    let mut p = Parser {
        toks: lexed.toks.into(),
        end: 0,
    };
    let mut decls = Vec::new();
    while !p.toks.is_empty() {
        decls.push(p.decl()?);
    }
    Ok(File {
        decls,
        end: lexed.end,
    })
}

struct Parser {
    toks: VecDeque<Tok>,
    /// The offset of the last token taken, for errors at the end.
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.front()
    }

    fn peek_is(&self, text: &str) -> bool {
        self.peek().is_some_and(|t| t.is(text))
    }

    fn peek_keyword(&self, keyword: Keyword) -> bool {
        self.peek_is(keyword.word())
    }

    /// The next token as a keyword of `role`, or an error where it is not one.
    fn keyword(&mut self, role: Role) -> Result<(Keyword, Tok), Error> {
        let tok = self.word()?;
        match Keyword::from_word(&tok.text) {
            Some(k) if keywords::keywords(role).any(|r| r == k) => Ok((k, tok)),
            _ => Err(tok.offset),
        }
    }

    fn here(&self) -> Error {
        self.peek().map_or(self.end, |t| t.offset)
    }

    fn next(&mut self) -> Result<Tok, Error> {
        let tok = self.toks.pop_front().ok_or(self.end)?;
        self.end = tok.offset;
        Ok(tok)
    }

    fn expect(&mut self, text: &str) -> Result<Tok, Error> {
        if self.peek_is(text) {
            self.next()
        } else {
            Err(self.here())
        }
    }

    fn kind(&mut self, kind: Kind) -> Result<Tok, Error> {
        if self.peek().is_some_and(|t| t.kind == kind) {
            self.next()
        } else {
            Err(self.here())
        }
    }

    fn word(&mut self) -> Result<Tok, Error> {
        self.kind(Kind::Word)
    }

    fn string(&mut self) -> Result<Tok, Error> {
        self.kind(Kind::Str)
    }

    fn decl(&mut self) -> Result<Line, Error> {
        let (kw, keyword) = self.keyword(Role::Declaration)?;
        let name = self.word()?;
        let mut head = vec![Node::Tok(keyword), Node::Tok(name)];
        match kw {
            Keyword::Policy if self.peek_is("=") => {
                head.push(Node::Tok(self.next()?));
                head.push(Node::Tok(self.word()?));
                head.push(Node::List(self.list(Style::Paren, Parser::argument)?));
            }
            Keyword::Policy => head.push(Node::Block(self.block(Parser::statement)?)),
            Keyword::Template => {
                head.push(Node::List(
                    self.list(Style::Paren, |p| Ok(vec![p.word()?]))?,
                ));
                head.push(Node::Block(self.block(Parser::statement)?));
            }
            Keyword::Group => head.push(Node::List(
                self.list(Style::Brace, |p| Ok(vec![p.word()?]))?,
            )),
            Keyword::Trust => head.push(Node::Block(self.block(Parser::trust_entry)?)),
            _ => head.push(Node::Block(self.block(Parser::property)?)),
        }
        Ok(Line {
            head,
            clauses: Vec::new(),
            statement: false,
        })
    }

    fn block(&mut self, line: fn(&mut Parser) -> Result<Line, Error>) -> Result<Block, Error> {
        let open = self.expect("{")?;
        let mut lines = Vec::new();
        while !self.peek_is("}") {
            lines.push(line(self)?);
        }
        let close = self.next()?;
        Ok(Block { open, lines, close })
    }

    /// `[a, b]` or `(a, b)` or `{ a b }`; commas are dropped and their
    /// comments moved to the items around them.
    fn list(
        &mut self,
        style: Style,
        item: fn(&mut Parser) -> Result<Vec<Tok>, Error>,
    ) -> Result<List, Error> {
        let (open, close) = match style {
            Style::Paren => ("(", ")"),
            Style::Brace => ("{", "}"),
            Style::Bracket | Style::Bare => ("[", "]"),
        };
        let open = self.expect(open)?;
        let mut items: Vec<Vec<Tok>> = Vec::new();
        let mut carry: Vec<Trivia> = Vec::new();
        while !self.peek_is(close) {
            let mut toks = item(self)?;
            if let Some(first) = toks.first_mut() {
                prepend(&mut first.leading, std::mem::take(&mut carry));
            }
            if self.peek_is(",") {
                let comma = self.next()?;
                carry.extend(comma.leading);
                match (toks.last_mut(), comma.trailing) {
                    (Some(last), Some(c)) if last.trailing.is_none() && carry.is_empty() => {
                        last.trailing = Some(c);
                    }
                    (_, Some(c)) => carry.push(Trivia::Comment(c)),
                    (_, None) => {}
                }
            } else if style != Style::Brace && !self.peek_is(close) {
                return Err(self.here());
            }
            items.push(toks);
        }
        let mut close = self.next()?;
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
        if self.peek_is("[") {
            return Ok(Node::List(
                self.list(Style::Bracket, |p| Ok(vec![p.word()?]))?,
            ));
        }
        let mut items = vec![vec![self.word()?]];
        let mut carry = Vec::new();
        while self.peek_is(",") {
            let comma = self.next()?;
            carry.extend(comma.leading);
            if let Some(c) = comma.trailing {
                match items.last_mut().and_then(|i| i.last_mut()) {
                    Some(last) if last.trailing.is_none() && carry.is_empty() => {
                        last.trailing = Some(c);
                    }
                    _ => carry.push(Trivia::Comment(c)),
                }
            }
            let mut name = self.word()?;
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
        if self.peek_is("[") {
            Ok(Node::List(
                self.list(Style::Bracket, |p| Ok(vec![p.word()?]))?,
            ))
        } else {
            Ok(Node::Tok(self.word()?))
        }
    }

    /// Strings: `["a", "b"]` or one bare string.
    fn strings(&mut self) -> Result<Node, Error> {
        if self.peek_is("[") {
            Ok(Node::List(
                self.list(Style::Bracket, |p| Ok(vec![p.string()?]))?,
            ))
        } else {
            Ok(Node::Tok(self.string()?))
        }
    }

    /// `bucket: "ops-data"`, however spaced, as the two tokens `bucket:` and the string.
    fn argument(&mut self) -> Result<Vec<Tok>, Error> {
        let mut name = self.word()?;
        if !name.text.ends_with(':') {
            let colon = self.expect(":")?;
            if colon.has_comments() {
                return Err(colon.offset);
            }
            name.text.push(':');
        }
        if name.text.len() < 2 || name.trailing.is_some() {
            return Err(name.offset);
        }
        Ok(vec![name, self.string()?])
    }

    fn statement(&mut self) -> Result<Line, Error> {
        let (_, effect) = self.keyword(Role::Effect)?;
        let mut head = vec![Node::Tok(effect)];
        if self.peek_keyword(Keyword::Not) {
            head.push(Node::Tok(self.next()?));
        }
        head.push(self.actions()?);
        head.push(Node::Tok(self.expect(Keyword::On.word())?));
        if self.peek_keyword(Keyword::Not) {
            head.push(Node::Tok(self.next()?));
        }
        if self.peek_is("*") {
            head.push(Node::Tok(self.next()?));
        } else {
            head.push(self.strings()?);
        }
        let mut clauses = self.conditions()?;
        if self.peek_keyword(Keyword::Because) {
            clauses.push(vec![Node::Tok(self.next()?), Node::Tok(self.string()?)]);
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
            let when = self.next()?;
            let operator = self.word()?;
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
            clauses.push(vec![Node::Tok(self.next()?), self.actions()?]);
        }
        clauses.extend(self.conditions()?);
        Ok(Line {
            head: vec![Node::Tok(kind), principals],
            clauses,
            statement: false,
        })
    }

    fn property(&mut self) -> Result<Line, Error> {
        let keyword = self.word()?;
        let Some(kw) = Keyword::from_word(&keyword.text) else {
            return Err(keyword.offset);
        };
        let mut head = vec![Node::Tok(keyword)];
        match kw {
            Keyword::Grants | Keyword::Roles | Keyword::Users | Keyword::Policies => {
                head.push(self.names()?)
            }
            Keyword::Trust if self.peek_is("{") => {
                head.push(Node::Block(self.block(Parser::trust_entry)?));
            }
            Keyword::Trust | Keyword::MaxSession | Keyword::MaxLength => {
                head.push(Node::Tok(self.word()?))
            }
            Keyword::Managed => head.push(self.strings()?),
            Keyword::InstanceProfile => {}
            Keyword::Boundary | Keyword::Path | Keyword::Description | Keyword::Default => {
                head.push(Node::Tok(self.string()?));
            }
            Keyword::Tag => {
                let key = self.next()?;
                if key.kind == Kind::Punct {
                    return Err(key.offset);
                }
                head.push(Node::Tok(key));
                head.push(Node::Tok(self.string()?));
            }
            _ => return Err(self.end),
        }
        Ok(Line {
            head,
            clauses: Vec::new(),
            statement: false,
        })
    }
}

fn prepend(leading: &mut Vec<Trivia>, mut before: Vec<Trivia>) {
    if !before.is_empty() {
        before.append(leading);
        *leading = before;
    }
}
