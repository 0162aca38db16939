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
use super::lex::Lexer;
use crate::ast::*;
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};
use std::ops::Range;

/// Parses a whole file, or gives up.
pub fn parse(file: FileId, text: &str) -> Option<(Vec<Decl>, Vec<Diagnostic>)> {
    let mut p = Parser {
        text,
        lex: Lexer::new(text),
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
    lex: Lexer<'t>,
    file: FileId,
    build: Builder<'t>,
}

impl<'t> Parser<'t> {
    fn span(&self, range: Range<usize>) -> Span {
        Span::new(self.file, range.start, range.end)
    }

    /// The span from `start` to where the lexer is.
    fn span_from(&self, start: usize) -> Span {
        Span::new(self.file, start, self.lex.pos())
    }

    fn peek(&self) -> Option<u8> {
        self.lex.peek()
    }

    /// `WHITESPACE` and `COMMENT`, as pest skips them between tokens.
    fn skip(&mut self) {
        self.lex.skip_trivia();
    }

    /// `"c"`: one literal byte.
    fn eat(&mut self, c: u8) -> bool {
        self.lex.punct(c).is_some()
    }

    /// `k_*`: the keyword's word, whole. Returns its span.
    fn k(&mut self, keyword: Keyword) -> Option<Span> {
        let range = self.lex.keyword(keyword)?;
        Some(self.span(range))
    }

    /// The keyword of `role` that stands here (`k_*`), with its span.
    fn keyword(&mut self, role: Role) -> Option<(Keyword, Span)> {
        let (keyword, range) = self.lex.keyword_of(role)?;
        Some((keyword, self.span(range)))
    }

    /// Whether `k_<word>` matches here, without consuming it.
    fn keyword_is(&self, keyword: Keyword) -> bool {
        self.lex.is_keyword(keyword)
    }

    /// The text of `range` as a name of the tree.
    fn ident_at(&self, range: Range<usize>) -> Ident {
        Ident {
            name: self.text[range.clone()].to_string(),
            span: self.span(range),
        }
    }

    /// `ident`. A name followed by `_`, `-` or `.` is a `bad_ident`, a path
    /// for mistakes: the fast path gives up there.
    fn ident(&mut self) -> Parsed<Ident> {
        let range = self.lex.ident()?;
        Some(self.ident_at(range))
    }

    /// `string`, unescaped by the shared builder.
    fn string(&mut self) -> Parsed<Str> {
        let range = self.lex.string()?;
        Some(self.build.string_at(self.span(range)))
    }

    /// `number`: digits.
    fn number(&mut self) -> Parsed<Span> {
        let range = self.lex.number()?;
        Some(self.span(range))
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
            if self.lex.at_end() {
                return Some(decls);
            }
            decls.push(self.declaration()?);
        }
    }

    /// `declaration`: any of the `*_decl` rules, by its keyword.
    fn declaration(&mut self) -> Parsed<Decl> {
        let start = self.lex.pos();
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
        let span = self.span_from(start);
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
        let start = self.lex.pos();
        let (effect, effect_span) = self.keyword(Role::Effect)?;
        let effect = keywords::effect_of(Some(effect));
        self.skip();
        let not_action = self.k(Keyword::Not).is_some();
        self.skip();
        let actions_start = self.lex.pos();
        let actions = self.action_list()?;
        let actions_span = self.span_from(actions_start);
        self.skip();
        self.k(Keyword::On)?;
        self.skip();
        let not_resource = self.k(Keyword::Not).is_some();
        self.skip();
        let resources_start = self.lex.pos();
        let resources = if self.eat(b'*') {
            Resources::Any(self.span_from(resources_start))
        } else {
            Resources::List(self.string_list()?)
        };
        let resources_span = self.span_from(resources_start);
        // The statement ends at its last token, not after the whitespace
        // that follows it (as the pest path trims it too).
        let mut end = self.lex.pos();
        let mut conditions = Vec::new();
        let mut because = None;
        loop {
            self.skip();
            if self.keyword_is(Keyword::When) {
                conditions.push(self.condition()?);
                end = self.lex.pos();
                continue;
            }
            if self.k(Keyword::Because).is_some() {
                self.skip();
                because = Some(self.string()?);
                end = self.lex.pos();
            }
            break;
        }
        let span = self.span(start..end);
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

    /// `action`.
    fn action(&mut self) -> Parsed<Action> {
        let range = self.lex.action()?;
        Some(Action {
            text: self.text[range.clone()].to_string(),
            span: self.span(range),
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
        let start = self.lex.pos();
        self.k(Keyword::When)?;
        self.skip();
        let operator = self.lex.operator()?;
        let operator = self.ident_at(operator);
        self.skip();
        let key = self.string()?;
        self.skip();
        let values = self.string_list()?;
        Some(Condition {
            operator,
            key,
            values,
            span: self.span_from(start),
        })
    }

    /// `instantiation`: `= Template(name: "value", ...)`.
    fn instantiation(&mut self) -> Parsed<Instantiation> {
        let start = self.lex.pos();
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
            span: self.span_from(start),
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
        let start = self.lex.pos();
        if !self.eat(b'{') {
            return None;
        }
        let mut entries = Vec::new();
        loop {
            self.skip();
            if self.eat(b'}') {
                return Some(Trust {
                    entries,
                    span: self.span_from(start),
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
            let start = self.lex.pos();
            let (keyword, _) = self.keyword(Role::ParamProperty)?;
            self.skip();
            let property = match keyword {
                Keyword::Default => ParamProperty::Default(self.string()?),
                Keyword::Description => ParamProperty::Description(self.string()?),
                _ => ParamProperty::MaxLength(self.number()?),
            };
            let span = self.span_from(start);
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
            let start = self.lex.pos();
            let (property, keyword_span) = self.principal_property()?;
            let span = self.span_from(start);
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
            self.eat(b',');
            self.skip();
            names.push(self.ident()?);
            let end = self.lex.pos();
            self.skip();
            if self.peek() != Some(b',') {
                self.lex.reset(end);
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
