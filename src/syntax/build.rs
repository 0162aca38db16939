//! pest pairs → syntax tree, one function per construct.

use super::Rule;
use super::keywords::{self, Keyword, effect_of, trust_kind_of};
use super::lex;
use crate::ast::*;
use crate::diagnostics::{Code, Diagnostic};
use crate::iam::policy::Effect;
use crate::source::{FileId, Span, Spanned};
use pest::iterators::Pair;

pub struct Builder<'t> {
    file: FileId,
    text: &'t str,
    diagnostics: Vec<Diagnostic>,
    /// The properties given so far in the current block, for "given twice".
    seen: Vec<(&'static str, Span)>,
}

/// A property of a `param`, as a parser found it.
pub(super) enum ParamProperty {
    Default(Str),
    Description(Str),
    /// The span of the number.
    MaxLength(Span),
}

/// A property of a role or user, as a parser found it.
pub(super) enum PrincipalProperty {
    Grants(Vec<Ident>),
    Trust(TrustRef),
    Managed(Vec<Str>),
    InstanceProfile,
    Boundary(Str),
    Path(Str),
    /// The span of the number.
    MaxSession(Span),
    Description(Str),
    Tag(Str, Str),
}

impl<'t> Builder<'t> {
    pub fn new(file: FileId, text: &'t str) -> Builder<'t> {
        Builder {
            file,
            text,
            diagnostics: Vec::new(),
            seen: Vec::new(),
        }
    }

    pub fn finish(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start(), s.end())
    }

    pub fn program(&mut self, program: Pair<Rule>) -> Vec<Decl> {
        program
            .into_inner()
            .filter(|p| p.as_rule() != Rule::EOI)
            .filter_map(|p| self.declaration(p))
            .collect()
    }

    fn declaration(&mut self, pair: Pair<Rule>) -> Option<Decl> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let keyword = inner.next()?;
        let keyword_span = self.span(&keyword);
        let name = self.name(inner.next()?);
        let kind = match rule {
            Rule::policy_decl => {
                let body = inner.next()?;
                match body.as_rule() {
                    Rule::instantiation => DeclKind::PolicyInstance(self.instantiation(body)),
                    _ => DeclKind::Policy(self.statements(body)),
                }
            }
            Rule::template_decl => {
                let mut params = Vec::new();
                let mut statements = Vec::new();
                for p in inner {
                    match p.as_rule() {
                        Rule::ident => params.push(self.ident(p)),
                        Rule::policy_body => statements = self.statements(p),
                        _ => {}
                    }
                }
                DeclKind::Template(Template { params, statements })
            }
            Rule::group_decl => DeclKind::Group(
                inner
                    .filter(|p| p.as_rule() == Rule::member)
                    .filter_map(|p| p.into_inner().next())
                    .map(|p| self.ident(p))
                    .collect(),
            ),
            Rule::trust_decl => DeclKind::Trust(self.trust(inner.next()?)),
            Rule::param_decl => DeclKind::Param(self.param(inner)),
            Rule::role_decl => DeclKind::Role(self.principal(inner)),
            Rule::user_decl => DeclKind::User(self.principal(inner)),
            Rule::stack_decl => DeclKind::Stack(self.stack(inner)),
            _ => return None,
        };
        Some(Decl {
            name,
            doc: self.doc_above(span.start),
            kind,
            span,
            keyword_span,
        })
    }

    /// The `///` lines directly above a position, if the position starts its line.
    pub(super) fn doc_above(&self, start: usize) -> Option<String> {
        let text = self.text;
        let line_start = text[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
        // What the grammar skips as `WHITESPACE`: `str::trim` alone keeps a
        // byte order mark, which would hide a doc comment `iamc fmt` then
        // attaches (the fuzzer found it).
        if !text[line_start..start]
            .trim_matches(lex::is_blank)
            .is_empty()
        {
            return None;
        }
        // Up to the first line of the block; then down it, once.
        let doc_line = lex::doc_comment;
        let mut first = line_start;
        while first > 0 {
            let prev_start = text[..first - 1].rfind('\n').map(|i| i + 1).unwrap_or(0);
            if doc_line(&text[prev_start..first - 1]).is_none() {
                break;
            }
            first = prev_start;
        }
        if first == line_start {
            return None;
        }
        let mut doc = String::with_capacity(line_start - first);
        let lines = text[first..line_start - 1].split('\n').filter_map(doc_line);
        for (n, line) in lines.enumerate() {
            if n > 0 {
                doc.push('\n');
            }
            doc.push_str(line.strip_prefix(' ').unwrap_or(line).trim_end());
        }
        Some(doc)
    }

    fn ident(&mut self, pair: Pair<Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    /// A declaration's name; a `bad_ident` is reported and kept as written.
    fn name(&mut self, pair: Pair<Rule>) -> Ident {
        let ident = self.ident(pair.clone());
        if pair.as_rule() == Rule::bad_ident {
            self.diagnostics.push(invalid_name(&ident));
        }
        ident
    }

    fn statements(&mut self, body: Pair<Rule>) -> Vec<Statement> {
        body.into_inner()
            .filter(|p| p.as_rule() == Rule::statement)
            .map(|p| self.statement(p))
            .collect()
    }

    fn statement(&mut self, pair: Pair<Rule>) -> Statement {
        // Implicit whitespace after the last token belongs to the pair: end
        // the span at the last token, so labels stop where the statement does.
        let mut span = self.span(&pair);
        if let Some(end) = pair.clone().into_inner().map(|p| p.as_span().end()).max() {
            span.end = end;
        }
        let doc = self.doc_above(span.start);
        let mut effect = Effect::Allow;
        let mut effect_span = span;
        let mut not_action = false;
        let mut not_resource = false;
        let mut seen_on = false;
        let mut actions = Vec::new();
        let mut actions_span = span;
        let mut resources = Resources::List(Vec::new());
        let mut resources_span = span;
        let mut conditions = Vec::new();
        let mut because = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::effect => {
                    effect_span = self.span(&p);
                    effect = effect_of(Keyword::from_word(p.as_str()));
                }
                Rule::k_not if seen_on => not_resource = true,
                Rule::k_not => not_action = true,
                Rule::k_on => seen_on = true,
                Rule::action_list => {
                    actions_span = self.span(&p);
                    actions = p.into_inner().map(|a| self.action(a)).collect();
                }
                Rule::resource_list => {
                    resources_span = self.span(&p);
                    resources = match p.into_inner().next() {
                        Some(list) if list.as_rule() == Rule::string_list => {
                            Resources::List(self.string_list(list))
                        }
                        _ => Resources::Any(resources_span),
                    };
                }
                Rule::condition => conditions.push(self.condition(p)),
                Rule::because => {
                    because = p
                        .into_inner()
                        .find(|s| s.as_rule() == Rule::string)
                        .map(|s| self.string(s));
                }
                _ => {}
            }
        }
        Statement {
            doc,
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
        }
    }

    fn action(&self, pair: Pair<Rule>) -> Action {
        Action {
            text: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn condition(&mut self, pair: Pair<Rule>) -> Condition {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().filter(|p| p.as_rule() != Rule::k_when);
        let operator = inner.next().map(|p| self.ident(p));
        let key = inner.next().map(|p| self.string(p));
        let values = inner
            .next()
            .map(|p| self.string_list(p))
            .unwrap_or_default();
        Condition {
            operator: operator.unwrap_or(Ident {
                name: String::new(),
                span,
            }),
            key: key.unwrap_or(Str {
                value: String::new(),
                span,
            }),
            values,
            span,
        }
    }

    fn string_list(&mut self, pair: Pair<Rule>) -> Vec<Str> {
        pair.into_inner()
            .filter(|p| p.as_rule() == Rule::string)
            .map(|p| self.string(p))
            .collect()
    }

    fn string(&mut self, pair: Pair<Rule>) -> Str {
        let span = self.span(&pair);
        self.string_at(span)
    }

    /// Unescapes the string literal at `span` (quotes included), reporting
    /// unknown escapes.
    pub(super) fn string_at(&mut self, span: Span) -> Str {
        let raw = &self.text[span.start + 1..span.end - 1];
        let mut unknown = Vec::new();
        let value = lex::unescape(raw, |at, c| unknown.push((at, c)));
        for (at, other) in unknown {
            let at = Span::new(
                self.file,
                span.start + 1 + at.start,
                span.start + 1 + at.end,
            );
            self.diagnostics.push(
                Diagnostic::error(
                    Code::InvalidEscape,
                    format!("unknown escape `\\{other}` in a string"),
                )
                .primary(at, "not an escape iamc knows")
                .help("the escapes are \\\" \\\\ \\n and \\t; write \\\\ for a backslash"),
            );
        }
        Str { value, span }
    }

    fn instantiation(&mut self, pair: Pair<Rule>) -> Instantiation {
        let span = self.span(&pair);
        let mut template = None;
        let mut arguments = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => template = Some(self.ident(p)),
                Rule::argument => {
                    let mut inner = p.into_inner();
                    if let (Some(k), Some(v)) = (inner.next(), inner.next()) {
                        arguments.push((self.ident(k), self.string(v)));
                    }
                }
                _ => {}
            }
        }
        Instantiation {
            template: template.unwrap_or(Ident {
                name: String::new(),
                span,
            }),
            arguments,
            span,
        }
    }

    fn trust(&mut self, body: Pair<Rule>) -> Trust {
        let span = self.span(&body);
        let entries = body
            .into_inner()
            .filter(|p| p.as_rule() == Rule::trust_entry)
            .map(|entry| {
                let mut kind = TrustKind::Service;
                let mut kind_span = span;
                let mut principals = Vec::new();
                let mut actions = Vec::new();
                let mut conditions = Vec::new();
                for p in entry.into_inner() {
                    match p.as_rule() {
                        Rule::trust_kind => {
                            kind_span = self.span(&p);
                            kind = trust_kind_of(Keyword::from_word(p.as_str()));
                        }
                        Rule::string_list => principals = self.string_list(p),
                        Rule::session_actions => {
                            actions = p
                                .into_inner()
                                .filter(|l| l.as_rule() == Rule::action_list)
                                .flat_map(|l| l.into_inner())
                                .map(|a| self.action(a))
                                .collect();
                        }
                        Rule::condition => conditions.push(self.condition(p)),
                        _ => {}
                    }
                }
                TrustEntry {
                    kind,
                    kind_span,
                    principals,
                    actions,
                    conditions,
                }
            })
            .collect();
        Trust { entries, span }
    }

    fn param(&mut self, properties: pest::iterators::Pairs<Rule>) -> Param {
        let mut param = Param::default();
        self.start_block();
        for prop in properties.filter(|p| p.as_rule() == Rule::param_property) {
            let Some(p) = prop.into_inner().next() else {
                continue;
            };
            let keyword_span = self.span(&p);
            let rule = p.as_rule();
            let Some(value) = p.into_inner().nth(1) else {
                continue;
            };
            let property = match rule {
                Rule::default_prop => ParamProperty::Default(self.string(value)),
                Rule::description_prop => ParamProperty::Description(self.string(value)),
                _ => ParamProperty::MaxLength(self.span(&value)),
            };
            self.param_property(&mut param, property, keyword_span);
        }
        param
    }

    /// Sets a property of a `param`; `span` is the whole property.
    pub(super) fn param_property(
        &mut self,
        param: &mut Param,
        property: ParamProperty,
        span: Span,
    ) {
        match property {
            ParamProperty::Default(v) => self.set_once(&mut param.default, v, span, "default"),
            ParamProperty::Description(v) => {
                self.set_once(&mut param.description, v, span, "description")
            }
            ParamProperty::MaxLength(number) => {
                if let Some(v) = self.number(number) {
                    self.set_once(&mut param.max_length, v, span, "max_length");
                }
            }
        }
    }

    /// The number at `span`, or `None` (reported) when it is too large to mean anything.
    fn number(&mut self, span: Span) -> Option<Spanned<u64>> {
        let text = &self.text[span.range()];
        match text.parse::<u64>() {
            Ok(n) => Some(Spanned::new(n, span)),
            Err(_) => {
                self.diagnostics.push(
                    Diagnostic::error(Code::InvalidValue, format!("`{text}` is too large"))
                        .primary(span, "no setting takes a number this large"),
                );
                None
            }
        }
    }

    /// Keeps the first value of a property and reports any later one.
    fn set_once<T>(&mut self, slot: &mut Option<T>, value: T, span: Span, what: &'static str) {
        let first = self.seen.iter().find(|(w, _)| *w == what).map(|(_, s)| *s);
        match first {
            Some(first) if slot.is_some() => {
                let help = match what {
                    "grants" => {
                        "list every policy and group in one `grants`: `grants TeamADev, DeployProd`"
                            .to_string()
                    }
                    "trust" => {
                        "a role has one trust: put every principal in one trust block".to_string()
                    }
                    _ => format!("keep one `{what}`"),
                };
                self.diagnostics.push(
                    Diagnostic::error(Code::DuplicateProperty, format!("`{what}` is given twice"))
                        .primary(span, "given again here")
                        .secondary(first, "first given here")
                        .help(help),
                );
            }
            _ => {
                self.seen.push((what, span));
                *slot = Some(value);
            }
        }
    }

    /// Starts a block whose properties may each be given once.
    pub(super) fn start_block(&mut self) {
        self.seen.clear();
    }

    fn ident_list(&mut self, pair: Pair<Rule>) -> Vec<Ident> {
        pair.into_inner()
            .filter(|p| matches!(p.as_rule(), Rule::ident | Rule::bad_ref))
            .map(|p| self.ident(p))
            .collect()
    }

    fn principal(&mut self, properties: pest::iterators::Pairs<Rule>) -> Principal {
        let mut out = Principal::default();
        self.start_block();
        for prop in properties.filter(|p| p.as_rule() == Rule::principal_property) {
            let Some(p) = prop.into_inner().next() else {
                continue;
            };
            let span = self.span(&p);
            let rule = p.as_rule();
            let mut inner = p.into_inner();
            let keyword_span = inner.next().map(|k| self.span(&k)).unwrap_or(span);
            let value = inner.next();
            let property = match (rule, value) {
                (Rule::grants_prop, Some(v)) => PrincipalProperty::Grants(self.ident_list(v)),
                (Rule::trust_prop, Some(v)) if v.as_rule() == Rule::trust_body => {
                    PrincipalProperty::Trust(TrustRef::Inline(self.trust(v)))
                }
                (Rule::trust_prop, Some(v)) => {
                    PrincipalProperty::Trust(TrustRef::Named(self.ident(v)))
                }
                (Rule::managed_prop, Some(v)) => PrincipalProperty::Managed(self.string_list(v)),
                (Rule::instance_profile_prop, _) => PrincipalProperty::InstanceProfile,
                (Rule::boundary_prop, Some(v)) => PrincipalProperty::Boundary(self.string(v)),
                (Rule::path_prop, Some(v)) => PrincipalProperty::Path(self.string(v)),
                (Rule::max_session_prop, Some(v)) => PrincipalProperty::MaxSession(self.span(&v)),
                (Rule::description_prop, Some(v)) => PrincipalProperty::Description(self.string(v)),
                (Rule::tag_prop, Some(k)) => {
                    let key = if k.as_rule() == Rule::string {
                        self.string(k)
                    } else {
                        Str {
                            value: k.as_str().to_string(),
                            span: self.span(&k),
                        }
                    };
                    let Some(v) = inner.next() else { continue };
                    PrincipalProperty::Tag(key, self.string(v))
                }
                _ => continue,
            };
            self.principal_property(&mut out, property, span, keyword_span);
        }
        out
    }

    /// Sets a property of a role or user: `span` is the whole property,
    /// `keyword_span` its keyword.
    pub(super) fn principal_property(
        &mut self,
        out: &mut Principal,
        property: PrincipalProperty,
        span: Span,
        keyword_span: Span,
    ) {
        match property {
            PrincipalProperty::Grants(list) => self.set_once(
                &mut out.grants,
                Spanned::new(list, span),
                keyword_span,
                "grants",
            ),
            PrincipalProperty::Trust(t) => {
                self.set_once(&mut out.trust, Spanned::new(t, span), keyword_span, "trust")
            }
            PrincipalProperty::Managed(list) => out.managed.extend(list),
            PrincipalProperty::InstanceProfile => self.set_once(
                &mut out.instance_profile,
                Spanned::new((), span),
                keyword_span,
                "instance_profile",
            ),
            PrincipalProperty::Boundary(s) => {
                self.set_once(&mut out.boundary, s, keyword_span, "boundary")
            }
            PrincipalProperty::Path(s) => self.set_once(&mut out.path, s, keyword_span, "path"),
            PrincipalProperty::MaxSession(number) => {
                if let Some(n) = self.number(number) {
                    self.set_once(&mut out.max_session, n, keyword_span, "max_session");
                }
            }
            PrincipalProperty::Description(s) => {
                self.set_once(&mut out.description, s, keyword_span, "description")
            }
            PrincipalProperty::Tag(key, value) => out.tags.push((key, value)),
        }
    }

    fn stack(&mut self, properties: pest::iterators::Pairs<Rule>) -> Stack {
        let mut stack = Stack::default();
        for prop in properties.filter(|p| p.as_rule() == Rule::stack_property) {
            let Some(p) = prop.into_inner().next() else {
                continue;
            };
            let rule = p.as_rule();
            let Some(list) = p.into_inner().nth(1) else {
                continue;
            };
            let names = self.ident_list(list);
            match rule {
                Rule::stack_roles => stack.roles.extend(names),
                Rule::stack_users => stack.users.extend(names),
                _ => stack.policies.extend(names),
            }
        }
        stack
    }
}

/// Explains why a declared name is not a valid name, with a corrected one.
fn invalid_name(ident: &Ident) -> Diagnostic {
    let name = &ident.name;
    if keywords::is_reserved(name) {
        let suggestion =
            format!("{}{}", name[..1].to_ascii_uppercase(), &name[1..]).replace('_', "");
        return Diagnostic::error(Code::InvalidName, format!("`{name}` is a keyword"))
            .primary(ident.span, "a keyword cannot be a name")
            .help(format!("choose another name, such as `{suggestion}`"));
    }
    let mut suggestion = String::new();
    let mut upper = true;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                suggestion.push(c.to_ascii_uppercase());
            } else {
                suggestion.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    let suggestion = suggestion.trim_start_matches(|c: char| c.is_ascii_digit());
    let d = Diagnostic::error(Code::InvalidName, format!("`{name}` is not a valid name"))
        .primary(
            ident.span,
            "names are a letter followed by letters and digits",
        )
        .note("names become CloudFormation logical IDs and IAM Sids, which allow only letters and digits");
    if suggestion.is_empty() {
        d
    } else {
        d.help(format!("write `{suggestion}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::Builder;

    fn doc(text: &str) -> Option<String> {
        let at = text.find("policy").unwrap_or(text.len());
        Builder::new(0, text).doc_above(at)
    }

    #[test]
    fn docs_are_the_triple_slash_lines_right_above() {
        assert_eq!(doc("/// One line.\npolicy A {}"), Some("One line.".into()));
        assert_eq!(
            doc("// not a doc\n  /// First,\n  ///\n  ///second  \npolicy A {}"),
            Some("First,\n\nsecond".into())
        );
        assert_eq!(
            doc("/// CRLF\r\n/// too\r\npolicy A {}"),
            Some("CRLF\ntoo".into())
        );
        assert_eq!(doc("/// above a blank\n\npolicy A {}"), None);
        assert_eq!(doc("//// four slashes\npolicy A {}"), None);
        assert_eq!(doc("/// kept\n//// not\npolicy A {}"), None);
        assert_eq!(doc("/// not first on its line\nx policy A {}"), None);
        assert_eq!(doc("policy A {}"), None);
    }
}
