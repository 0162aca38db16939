//! The fast path of step 1: `grammar/iam.pest` by hand, rule by rule, building
//! the same tree as the pest path (spans, docs and diagnostics included).
//!
//! It accepts only what the grammar accepts, and it gives up (`None`) wherever
//! the grammar would take a path meant for mistakes (`bad_ident`, `bad_ref`) or
//! fail: the file is then parsed by pest, which reports every syntax error. So
//! the grammar stays the definition of the language; this is an optimisation of
//! correct programs, and `tests/it/parse_fast.rs` and the fuzz target check that
//! whenever it accepts a file, pest builds exactly the same tree from it.
//!
//! Each function is named after the rule it implements and starts where that
//! rule starts (implicit whitespace already skipped).

use super::build::{Builder, ParamProperty, PrincipalProperty};
use super::keywords::{self, Keyword, Role};
use crate::ast::*;
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};

/// Parses a whole file, or gives up.
pub fn parse(file: FileId, text: &str) -> Option<(Vec<Decl>, Vec<Diagnostic>)> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        file,
        build: Builder::new(file, text),
    };
    let decls = p.program()?;
    Some((decls, p.build.finish()))
}

/// Gives up: the grammar would fail here, or take a path for mistakes.
type Parsed<T> = Option<T>;

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    file: FileId,
    build: Builder<'t>,
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_action_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'*' | b'?')
}

impl<'t> Parser<'t> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn peek(&self) -> Option<u8> {
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

    /// `WHITESPACE` and `COMMENT`, as pest skips them between tokens.
    fn skip(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.pos += 1,
                // U+FEFF, the byte order mark.
                Some(0xEF) if self.bytes[self.pos..].starts_with(&[0xEF, 0xBB, 0xBF]) => {
                    self.pos += 3
                }
                Some(b'/') if self.byte_at(self.pos + 1) == Some(b'/') => {
                    self.pos = self.end_of(self.pos, |b| b != b'\n');
                }
                _ => return,
            }
        }
    }

    /// `"c"`: one literal byte.
    fn eat(&mut self, c: u8) -> bool {
        let found = self.peek() == Some(c);
        if found {
            self.pos += 1;
        }
        found
    }

    /// `keyword`: the first of its words the text starts with (pest's ordered
    /// choice), not followed by a name character. So `roles` is not a
    /// `keyword`: `role` is tried first and then fails on the `s`.
    fn keyword_at(&self, at: usize) -> bool {
        let rest = &self.bytes[at..];
        self.keyword_len_at(at)
            .is_some_and(|len| !rest.get(len).copied().is_some_and(is_ident_char))
    }

    /// The length of the first of `keyword`'s words the text at `at` starts
    /// with, whatever follows it.
    fn keyword_len_at(&self, at: usize) -> Option<usize> {
        let rest = &self.bytes[at..];
        match rest.first() {
            Some(b) if b.is_ascii_lowercase() => {}
            _ => return None,
        }
        keywords::reserved()
            .find(|k| rest.starts_with(k.as_bytes()))
            .map(|k| k.len())
    }

    /// `k_*`: the keyword's word, whole. Returns its span.
    fn k(&mut self, keyword: Keyword) -> Option<Span> {
        let start = self.pos;
        let word = keyword.word();
        self.keyword_is(keyword).then(|| {
            self.pos += word.len();
            self.span(start, self.pos)
        })
    }

    /// The keyword of `role` that stands here (`k_*`), with its span.
    fn keyword(&mut self, role: Role) -> Option<(Keyword, Span)> {
        keywords::keywords(role).find_map(|k| self.k(k).map(|span| (k, span)))
    }

    /// `ident`: a letter, then letters and digits, not a keyword, and not
    /// followed by `_`, `-` or `.` (which would make it a `bad_ident`).
    fn ident(&mut self) -> Parsed<Ident> {
        let start = self.pos;
        if !self.peek()?.is_ascii_alphabetic() || self.keyword_at(start) {
            return None;
        }
        let end = self.end_of(start, |b| b.is_ascii_alphanumeric());
        if matches!(self.byte_at(end), Some(b'_' | b'-' | b'.')) {
            return None;
        }
        self.pos = end;
        Some(Ident {
            name: self.text[start..end].to_string(),
            span: self.span(start, end),
        })
    }

    /// `string`: `"` ... `"` with escapes; unescaped by the shared builder.
    fn string(&mut self) -> Parsed<Str> {
        let start = self.pos;
        if !self.eat(b'"') {
            return None;
        }
        loop {
            match self.peek()? {
                b'"' => break,
                b'\n' => return None,
                b'\\' => match self.byte_at(self.pos + 1)? {
                    b'\n' => return None,
                    // The escaped character is whole: a multi-byte one goes
                    // on as ordinary bytes, none of which is `"`, `\` or a newline.
                    _ => self.pos += 2,
                },
                _ => self.pos += 1,
            }
        }
        self.pos += 1;
        Some(self.build.string_at(self.span(start, self.pos)))
    }

    /// `number`: digits.
    fn number(&mut self) -> Parsed<Span> {
        let start = self.pos;
        let end = self.end_of(start, |b| b.is_ascii_digit());
        (end > start).then(|| {
            self.pos = end;
            self.span(start, end)
        })
    }

    /// A bracketed, comma-separated list with an optional trailing comma:
    /// `"[" ~ (item ~ ("," ~ item)* ~ ","?)? ~ "]"` (and the same with
    /// parentheses). Starts at the opening bracket.
    fn bracketed<T>(
        &mut self,
        open: u8,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Parsed<T>,
    ) -> Parsed<Vec<T>> {
        if !self.eat(open) {
            return None;
        }
        let mut items = Vec::new();
        loop {
            self.skip();
            if self.eat(close) {
                return Some(items);
            }
            items.push(item(self)?);
            self.skip();
            if self.eat(close) {
                return Some(items);
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    /// `program`: declarations to the end of the file.
    fn program(&mut self) -> Parsed<Vec<Decl>> {
        let mut decls = Vec::new();
        loop {
            self.skip();
            if self.pos == self.bytes.len() {
                return Some(decls);
            }
            decls.push(self.declaration()?);
        }
    }

    /// `declaration`: any of the `*_decl` rules, by its keyword.
    fn declaration(&mut self) -> Parsed<Decl> {
        let start = self.pos;
        let (keyword, keyword_span) = self.keyword(Role::Declaration)?;
        self.skip();
        let name = self.ident()?;
        self.skip();
        let kind = match keyword {
            Keyword::Policy if self.peek() == Some(b'=') => {
                DeclKind::PolicyInstance(self.instantiation()?)
            }
            Keyword::Policy => DeclKind::Policy(self.policy_body()?),
            Keyword::Template => {
                let params = self.bracketed(b'(', b')', Self::ident)?;
                self.skip();
                let statements = self.policy_body()?;
                DeclKind::Template(Template { params, statements })
            }
            Keyword::Group => DeclKind::Group(self.group_body()?),
            Keyword::Trust => DeclKind::Trust(self.trust_body()?),
            Keyword::Param => DeclKind::Param(self.param_body()?),
            Keyword::Role => DeclKind::Role(self.principal_body()?),
            Keyword::User => DeclKind::User(self.principal_body()?),
            _ => DeclKind::Stack(self.stack_body()?),
        };
        let span = self.span(start, self.pos);
        Some(Decl {
            name,
            doc: self.build.doc_above(start),
            kind,
            span,
            keyword_span,
        })
    }

    /// `policy_body`: `{ statement* }`.
    fn policy_body(&mut self) -> Parsed<Vec<Statement>> {
        if !self.eat(b'{') {
            return None;
        }
        let mut statements = Vec::new();
        loop {
            self.skip();
            if self.eat(b'}') {
                return Some(statements);
            }
            statements.push(self.statement()?);
        }
    }

    /// `statement`: `effect not? action_list on not? resource_list condition* because?`.
    fn statement(&mut self) -> Parsed<Statement> {
        let start = self.pos;
        let (effect, effect_span) = self.keyword(Role::Effect)?;
        let effect = keywords::effect_of(Some(effect));
        self.skip();
        let not_action = self.k(Keyword::Not).is_some();
        self.skip();
        let actions_start = self.pos;
        let actions = self.action_list()?;
        let actions_span = self.span(actions_start, self.pos);
        self.skip();
        self.k(Keyword::On)?;
        self.skip();
        let not_resource = self.k(Keyword::Not).is_some();
        self.skip();
        let resources_start = self.pos;
        let resources = if self.eat(b'*') {
            Resources::Any(self.span(resources_start, self.pos))
        } else {
            Resources::List(self.string_list()?)
        };
        let resources_span = self.span(resources_start, self.pos);
        // The statement ends at its last token, not after the whitespace
        // that follows it (as the pest path trims it too).
        let mut end = self.pos;
        let mut conditions = Vec::new();
        let mut because = None;
        loop {
            self.skip();
            if self.keyword_is(Keyword::When) {
                conditions.push(self.condition()?);
                end = self.pos;
                continue;
            }
            if self.k(Keyword::Because).is_some() {
                self.skip();
                because = Some(self.string()?);
                end = self.pos;
            }
            break;
        }
        let span = self.span(start, end);
        Some(Statement {
            doc: self.build.doc_above(start),
            span,
            effect,
            effect_span,
            not_action,
            actions,
            actions_span,
            not_resource,
            resources,
            resources_span,
            conditions,
            because,
        })
    }

    /// Whether `k_<word>` matches here, without consuming it.
    fn keyword_is(&self, keyword: Keyword) -> bool {
        let word = keyword.word();
        let rest = &self.bytes[self.pos..];
        rest.starts_with(word.as_bytes())
            && !rest.get(word.len()).copied().is_some_and(is_ident_char)
    }

    /// `action`: not a keyword on its own (a keyword that goes on as an
    /// action, `tag:GetResources`, is one), then action characters.
    fn action(&mut self) -> Parsed<Action> {
        let start = self.pos;
        if self.keyword_at(start) {
            let after = self.keyword_len_at(start).map_or(start, |len| start + len);
            if !self.byte_at(after).is_some_and(is_action_char) {
                return None;
            }
        }
        let end = self.end_of(start, is_action_char);
        if end == start {
            return None;
        }
        self.pos = end;
        Some(Action {
            text: self.text[start..self.pos].to_string(),
            span: self.span(start, self.pos),
        })
    }

    /// `action_list`: `[a, b]` or one action.
    fn action_list(&mut self) -> Parsed<Vec<Action>> {
        if self.peek() == Some(b'[') {
            self.bracketed(b'[', b']', Self::action)
        } else {
            Some(vec![self.action()?])
        }
    }

    /// `string_list`: `[ "a", "b" ]` or one string.
    fn string_list(&mut self) -> Parsed<Vec<Str>> {
        if self.peek() == Some(b'[') {
            self.bracketed(b'[', b']', Self::string)
        } else {
            Some(vec![self.string()?])
        }
    }

    /// `condition`: `when OPERATOR "key" VALUES`.
    fn condition(&mut self) -> Parsed<Condition> {
        let start = self.pos;
        self.k(Keyword::When)?;
        self.skip();
        let operator = self.operator()?;
        self.skip();
        let key = self.string()?;
        self.skip();
        let values = self.string_list()?;
        Some(Condition {
            operator,
            key,
            values,
            span: self.span(start, self.pos),
        })
    }

    /// `operator`: `(ASCII_ALPHA+ ~ ":")? ~ ASCII_ALPHA ~ ASCII_ALPHANUMERIC*`.
    fn operator(&mut self) -> Parsed<Ident> {
        let start = self.pos;
        let letters = self.end_of(start, |b| b.is_ascii_alphabetic());
        let mut at = start;
        if letters > start && self.byte_at(letters) == Some(b':') {
            at = letters + 1;
        }
        if !self.byte_at(at)?.is_ascii_alphabetic() {
            return None;
        }
        at = self.end_of(at + 1, |b| b.is_ascii_alphanumeric());
        self.pos = at;
        Some(Ident {
            name: self.text[start..at].to_string(),
            span: self.span(start, at),
        })
    }

    /// `instantiation`: `= Template(name: "value", ...)`.
    fn instantiation(&mut self) -> Parsed<Instantiation> {
        let start = self.pos;
        if !self.eat(b'=') {
            return None;
        }
        self.skip();
        let template = self.ident()?;
        self.skip();
        let arguments = self.bracketed(b'(', b')', |p| {
            let name = p.ident()?;
            p.skip();
            if !p.eat(b':') {
                return None;
            }
            p.skip();
            Some((name, p.string()?))
        })?;
        Some(Instantiation {
            template,
            arguments,
            span: self.span(start, self.pos),
        })
    }

    /// `group_decl`'s body: `{ (member ~ ","?)* }`.
    fn group_body(&mut self) -> Parsed<Vec<Ident>> {
        if !self.eat(b'{') {
            return None;
        }
        let mut members = Vec::new();
        loop {
            self.skip();
            if self.eat(b'}') {
                return Some(members);
            }
            members.push(self.ident()?);
            self.skip();
            self.eat(b',');
        }
    }

    /// `trust_body`: `{ trust_entry* }`, each
    /// `trust_kind string_list session_actions? condition*`.
    fn trust_body(&mut self) -> Parsed<Trust> {
        let start = self.pos;
        if !self.eat(b'{') {
            return None;
        }
        let mut entries = Vec::new();
        loop {
            self.skip();
            if self.eat(b'}') {
                return Some(Trust {
                    entries,
                    span: self.span(start, self.pos),
                });
            }
            let (kind, kind_span) = self.keyword(Role::TrustPrincipal)?;
            let kind = keywords::trust_kind_of(Some(kind));
            self.skip();
            let principals = self.string_list()?;
            self.skip();
            let mut actions = Vec::new();
            if self.k(Keyword::Actions).is_some() {
                self.skip();
                actions = self.action_list()?;
            }
            let mut conditions = Vec::new();
            loop {
                self.skip();
                if !self.keyword_is(Keyword::When) {
                    break;
                }
                conditions.push(self.condition()?);
            }
            entries.push(TrustEntry {
                kind,
                kind_span,
                principals,
                actions,
                conditions,
            });
        }
    }

    /// `param_decl`'s body: `{ param_property* }`.
    fn param_body(&mut self) -> Parsed<Param> {
        if !self.eat(b'{') {
            return None;
        }
        let mut param = Param::default();
        self.build.start_block();
        loop {
            self.skip();
            if self.eat(b'}') {
                return Some(param);
            }
            let start = self.pos;
            let (keyword, _) = self.keyword(Role::ParamProperty)?;
            self.skip();
            let property = match keyword {
                Keyword::Default => ParamProperty::Default(self.string()?),
                Keyword::Description => ParamProperty::Description(self.string()?),
                _ => ParamProperty::MaxLength(self.number()?),
            };
            let span = self.span(start, self.pos);
            self.build.param_property(&mut param, property, span);
        }
    }

    /// `role_decl` and `user_decl`'s body: `{ principal_property* }`.
    fn principal_body(&mut self) -> Parsed<Principal> {
        if !self.eat(b'{') {
            return None;
        }
        let mut out = Principal::default();
        self.build.start_block();
        loop {
            self.skip();
            if self.eat(b'}') {
                return Some(out);
            }
            let start = self.pos;
            let (property, keyword_span) = self.principal_property()?;
            let span = self.span(start, self.pos);
            self.build
                .principal_property(&mut out, property, span, keyword_span);
        }
    }

    /// `principal_property`: one property, by its keyword.
    fn principal_property(&mut self) -> Parsed<(PrincipalProperty, Span)> {
        let (keyword, keyword_span) = self.keyword(Role::PrincipalProperty)?;
        if keyword == Keyword::InstanceProfile {
            return Some((PrincipalProperty::InstanceProfile, keyword_span));
        }
        self.skip();
        let property = match keyword {
            Keyword::Grants => PrincipalProperty::Grants(self.ident_list()?),
            Keyword::Trust if self.peek() == Some(b'{') => {
                PrincipalProperty::Trust(TrustRef::Inline(self.trust_body()?))
            }
            Keyword::Trust => PrincipalProperty::Trust(TrustRef::Named(self.ident()?)),
            Keyword::Managed => PrincipalProperty::Managed(self.string_list()?),
            Keyword::Boundary => PrincipalProperty::Boundary(self.string()?),
            Keyword::Path => PrincipalProperty::Path(self.string()?),
            Keyword::MaxSession => PrincipalProperty::MaxSession(self.number()?),
            Keyword::Tag => {
                let key = if self.peek() == Some(b'"') {
                    self.string()?
                } else {
                    let ident = self.ident()?;
                    Str {
                        value: ident.name,
                        span: ident.span,
                    }
                };
                self.skip();
                PrincipalProperty::Tag(key, self.string()?)
            }
            _ => PrincipalProperty::Description(self.string()?),
        };
        Some((property, keyword_span))
    }

    /// `ident_list`: `[A, B]`, or `A, B` unbracketed. As in pest, an
    /// unbracketed list of one name ends after the whitespace that follows
    /// it (skipped before trying `("," ~ reference)*`), a longer one at its
    /// last name (where the failed repetition puts it back).
    fn ident_list(&mut self) -> Parsed<Vec<Ident>> {
        if self.peek() == Some(b'[') {
            return self.bracketed(b'[', b']', Self::ident);
        }
        let mut names = vec![self.ident()?];
        self.skip();
        if self.peek() != Some(b',') {
            return Some(names);
        }
        loop {
            self.pos += 1;
            self.skip();
            names.push(self.ident()?);
            let end = self.pos;
            self.skip();
            if self.peek() != Some(b',') {
                self.pos = end;
                return Some(names);
            }
        }
    }

    /// `stack_decl`'s body: `{ stack_property* }`.
    fn stack_body(&mut self) -> Parsed<Stack> {
        if !self.eat(b'{') {
            return None;
        }
        let mut stack = Stack::default();
        loop {
            self.skip();
            if self.eat(b'}') {
                return Some(stack);
            }
            let (keyword, _) = self.keyword(Role::StackProperty)?;
            let list = match keyword {
                Keyword::Roles => &mut stack.roles,
                Keyword::Users => &mut stack.users,
                _ => &mut stack.policies,
            };
            self.skip();
            let names = self.ident_list()?;
            list.extend(names);
        }
    }
}
