//! Completion: what the text before the cursor expects — a declaration
//! keyword, a property, the name of a declaration of the right kind, a
//! service prefix or action, a condition operator or key. The text is read
//! backwards to the enclosing block, so an unfinished line (which does not
//! parse) still completes; names come from the program as last resolved.

use super::workspace::Analysis;
use crate::ast::Decl;
use crate::iam::catalog;
use crate::resolve::Wanted;
use crate::syntax::keywords::{self, Role};
use crate::syntax::lex::{self, Lexer};
use lsp_types as lsp;

/// What may start a line in a policy: a statement or a statement's clause.
const STATEMENT_WORDS: &[Role] = &[Role::Effect, Role::StatementClause];
/// What may start a line in a trust: an entry or an entry's clause.
const TRUST_WORDS: &[Role] = &[Role::TrustPrincipal, Role::TrustClause];
const PRINCIPAL_PROPERTIES: &[Role] = &[Role::PrincipalProperty];
const PARAM_PROPERTIES: &[Role] = &[Role::ParamProperty];
const STACK_PROPERTIES: &[Role] = &[Role::StackProperty];

/// What the position expects.
#[derive(Debug, PartialEq, Eq)]
enum Expected {
    Declaration,
    Names(Wanted),
    /// The keywords of these roles.
    Words(&'static [Role]),
    Action,
    /// After `actions` in a trust entry: the STS session actions.
    SessionAction,
    Operator,
    ConditionKey,
    Nothing,
}

/// The completions at byte `offset` of `text` (the file's current text):
/// each replaces the word typed so far, from `word_start` to `offset`.
pub fn complete(
    analysis: &Analysis,
    fallback: &[Decl],
    text: &str,
    offset: usize,
) -> (usize, Vec<lsp::CompletionItem>) {
    let before = text.get(..offset).unwrap_or(text);
    let word_start = before
        .rfind(|c: char| {
            !(c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '*' | '-' | '.' | '/'))
        })
        .map(|i| i + 1)
        .unwrap_or(0);
    let word = &before[word_start..];
    let items = match expected(before, word_start) {
        Expected::Declaration => words(&[Role::Declaration]),
        Expected::Words(roles) => words(roles),
        Expected::Names(kind) => names(analysis, fallback, kind),
        Expected::Action => actions(word),
        Expected::SessionAction => crate::iam::trust::SESSION_ACTIONS
            .iter()
            .map(|a| item(a, lsp::CompletionItemKind::FUNCTION, "session action"))
            .collect(),
        Expected::Operator => operators(),
        Expected::ConditionKey => condition_keys(before, word_start),
        Expected::Nothing => Vec::new(),
    };
    (word_start, items)
}

fn item(label: &str, kind: lsp::CompletionItemKind, detail: &str) -> lsp::CompletionItem {
    lsp::CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: (!detail.is_empty()).then(|| detail.to_string()),
        ..lsp::CompletionItem::default()
    }
}

fn words(roles: &[Role]) -> Vec<lsp::CompletionItem> {
    let mut words: Vec<&str> = roles.iter().flat_map(|r| keywords::words(*r)).collect();
    words.dedup();
    words
        .iter()
        .map(|w| item(w, lsp::CompletionItemKind::KEYWORD, ""))
        .collect()
}

/// The declared names of the kinds accepted; `fallback` adds the
/// declarations of the file being edited as it last parsed.
fn names(analysis: &Analysis, fallback: &[Decl], kind: Wanted) -> Vec<lsp::CompletionItem> {
    let program = analysis.program();
    let missing = fallback
        .iter()
        .filter(|d| !program.names.contains_key(&d.name.name));
    program
        .decls
        .iter()
        .chain(missing)
        .filter(|d| kind.accepts(&d.kind))
        .map(|d| {
            let mut i = item(
                &d.name.name,
                lsp::CompletionItemKind::REFERENCE,
                d.kind.keyword(),
            );
            i.documentation = d.doc.clone().map(lsp::Documentation::String);
            i
        })
        .collect()
}

/// Service prefixes (`s3:`), or the actions of the service typed.
fn actions(word: &str) -> Vec<lsp::CompletionItem> {
    let catalog = catalog::catalog();
    match word.split_once(':') {
        None => catalog
            .services()
            .map(|s| {
                let mut i = item(
                    &format!("{}:", s.prefix),
                    lsp::CompletionItemKind::MODULE,
                    "service",
                );
                // Typing on after the prefix asks for its actions.
                i.command = Some(lsp::Command::new(
                    "suggest".to_string(),
                    "editor.action.triggerSuggest".to_string(),
                    None,
                ));
                i
            })
            .collect(),
        Some((prefix, _)) => match catalog.service(&prefix.to_ascii_lowercase()) {
            Some(service) => service
                .actions()
                .iter()
                .map(|a| {
                    let level = a.access.map_or("action", catalog::AccessLevel::as_str);
                    let mut i = item(
                        &format!("{prefix}:{}", a.name),
                        lsp::CompletionItemKind::FUNCTION,
                        level,
                    );
                    if !a.description.is_empty() {
                        i.documentation = Some(lsp::Documentation::String(format!(
                            "Grants permission to {}.",
                            a.description
                        )));
                    }
                    i
                })
                .collect(),
            None => Vec::new(),
        },
    }
}

/// The condition keys for the statement at the cursor: the keys of the
/// services its actions name (`sts` in a trust), then the global keys. A
/// key with a variable part (`aws:PrincipalTag/${TagKey}`) inserts the text
/// before it.
fn condition_keys(before: &str, word_start: usize) -> Vec<lsp::CompletionItem> {
    let (tokens, _) = tokens(&before[..word_start]);
    let start = tokens
        .iter()
        .rposition(|t| {
            matches!(
                t,
                Token::Word("allow" | "deny" | "service" | "aws" | "federated")
            )
        })
        .unwrap_or(0);
    let mut services: Vec<String> = Vec::new();
    if matches!(
        tokens.get(start),
        Some(Token::Word("service" | "aws" | "federated"))
    ) {
        services.push("sts".to_string());
    }
    for t in &tokens[start..] {
        match t {
            Token::Word("on") => break,
            Token::Word(w) => {
                if let Some((prefix, _)) = w.split_once(':') {
                    let prefix = prefix.to_ascii_lowercase();
                    if !services.contains(&prefix) {
                        services.push(prefix);
                    }
                }
            }
            _ => {}
        }
    }
    let catalog = catalog::catalog();
    let key_item = |key: &str, detail: &str| {
        let mut i = item(key, lsp::CompletionItemKind::PROPERTY, detail);
        if let Some((head, _)) = key.split_once("${") {
            i.insert_text = Some(head.to_string());
        }
        i
    };
    let mut items = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for prefix in &services {
        let Some(service) = catalog.service(prefix) else {
            continue;
        };
        let detail = format!("condition key of {prefix}");
        for key in service.condition_keys() {
            if key
                .split(':')
                .next()
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
                && seen.insert(key.to_ascii_lowercase())
            {
                items.push(key_item(key, &detail));
            }
        }
    }
    for key in catalog::GLOBAL_KEYS {
        if seen.insert(key.to_ascii_lowercase()) {
            items.push(key_item(key, "global condition key"));
        }
    }
    items
}

fn operators() -> Vec<lsp::CompletionItem> {
    let mut items = Vec::new();
    for base in crate::iam::condition::OPERATOR_BASES {
        items.push(item(
            base,
            lsp::CompletionItemKind::OPERATOR,
            "condition operator",
        ));
        if crate::iam::condition::has_if_exists(base) {
            items.push(item(
                &format!("{base}IfExists"),
                lsp::CompletionItemKind::OPERATOR,
                "true also when the key is missing",
            ));
        }
    }
    for qualifier in crate::iam::condition::QUALIFIERS {
        for base in crate::iam::condition::OPERATOR_BASES
            .iter()
            .filter(|b| **b != "Null")
        {
            items.push(item(
                &format!("{qualifier}:{base}"),
                lsp::CompletionItemKind::OPERATOR,
                "for multi-valued keys",
            ));
        }
    }
    items
}

/// A token of the text before the cursor.
#[derive(Debug, PartialEq, Eq)]
enum Token<'t> {
    Word(&'t str),
    Str,
    Open,
    Close,
    Punct(char),
}

/// Reads the text before the cursor: what the position expects.
fn expected(before: &str, word_start: usize) -> Expected {
    let (tokens, in_string) = tokens(&before[..word_start]);
    // The block the cursor is in: the tokens after its `{`, and the
    // keyword that opened it.
    let mut depth = 0usize;
    let mut open_at = None;
    for (i, t) in tokens.iter().enumerate().rev() {
        match t {
            Token::Close => depth += 1,
            Token::Open if depth == 0 => {
                open_at = Some(i);
                break;
            }
            Token::Open => depth -= 1,
            _ => {}
        }
    }
    let last_word = |from: usize| {
        tokens[from..].iter().rev().find_map(|t| match t {
            Token::Word(w) if keywords::is_reserved(w) => Some(*w),
            _ => None,
        })
    };
    let since = |keyword: &str, from: usize| {
        tokens[from..]
            .iter()
            .rposition(|t| *t == Token::Word(keyword))
            .map(|p| tokens.len() - (from + p) - 1)
    };
    let Some(open) = open_at else {
        // At the top level: after `policy X =`, a template; else a keyword.
        return match tokens.last() {
            Some(Token::Punct('=')) => Expected::Names(Wanted::Template),
            Some(Token::Word(w)) if keywords::has(Role::Declaration, w) => Expected::Nothing,
            _ if in_string => Expected::Nothing,
            _ => Expected::Declaration,
        };
    };
    // The declaration keyword before the block, and a nested block's
    // keyword (`trust { ... }` inside a role).
    let head = tokens[..open].iter().rev().find_map(|t| match t {
        Token::Word(w) if keywords::is_reserved(w) => Some(*w),
        _ => None,
    });
    let inner = open + 1;
    match head {
        Some("group") => Expected::Names(Wanted::Grant),
        Some("role" | "user") => match last_word(inner) {
            _ if in_string => Expected::Nothing,
            Some("grants") if only_names_since(&tokens, since("grants", inner)) => {
                Expected::Names(Wanted::Grant)
            }
            Some("trust") if since("trust", inner) == Some(0) => Expected::Names(Wanted::Trust),
            _ => Expected::Words(PRINCIPAL_PROPERTIES),
        },
        Some("stack") => match last_word(inner) {
            Some("roles") => Expected::Names(Wanted::Role),
            Some("users") => Expected::Names(Wanted::User),
            Some("policies") => Expected::Names(Wanted::Grant),
            _ => Expected::Words(STACK_PROPERTIES),
        },
        Some("param") => Expected::Words(PARAM_PROPERTIES),
        Some("trust") => match last_word(inner) {
            Some("when") if since("when", inner) == Some(0) && !in_string => Expected::Operator,
            Some("when") if since("when", inner) == Some(1) && in_string => Expected::ConditionKey,
            _ if in_string => Expected::Nothing,
            _ if only_names_since(&tokens, since("actions", inner)) => Expected::SessionAction,
            _ => Expected::Words(TRUST_WORDS),
        },
        Some("policy" | "template") => {
            let statement = tokens[inner..]
                .iter()
                .rposition(|t| matches!(t, Token::Word("allow" | "deny")));
            let after_on = since("on", inner)
                .is_some_and(|n| n == 0 || (n == 1 && tokens.last() == Some(&Token::Word("not"))));
            match (statement, last_word(inner)) {
                (_, Some("when")) if since("when", inner) == Some(0) && !in_string => {
                    Expected::Operator
                }
                (_, Some("when")) if since("when", inner) == Some(1) && in_string => {
                    Expected::ConditionKey
                }
                _ if in_string => Expected::Nothing,
                (Some(s), _) if !tokens[inner + s..].contains(&Token::Word("on")) => {
                    Expected::Action
                }
                _ if after_on || matches!(tokens.last(), Some(Token::Punct(',' | '['))) => {
                    Expected::Nothing
                }
                _ => Expected::Words(STATEMENT_WORDS),
            }
        }
        _ => Expected::Nothing,
    }
}

/// Whether only names and commas (or an opening `[`) follow the keyword
/// `count` tokens from the end.
fn only_names_since(tokens: &[Token], count: Option<usize>) -> bool {
    let Some(count) = count else { return false };
    let after = &tokens[tokens.len() - count..];
    // `grants A, B` continues after a comma; `grants A` then a new line is done.
    match after.last() {
        None => true,
        Some(Token::Punct(',' | '[')) => after
            .iter()
            .all(|t| matches!(t, Token::Word(_) | Token::Punct(',' | '['))),
        _ => false,
    }
}

/// The tokens of `text`, read by the one lexer without context (comments
/// left out), and whether `text` ends inside a string literal.
fn tokens(text: &str) -> (Vec<Token<'_>>, bool) {
    let mut tokens = Vec::new();
    let mut lexer = Lexer::new(text);
    while let Some(token) = lexer.token() {
        let here = &text[token.range.clone()];
        tokens.push(match token.kind {
            lex::Kind::Blank | lex::Kind::Comment => continue,
            lex::Kind::Str { closed: false } if token.range.end == text.len() => {
                return (tokens, true);
            }
            lex::Kind::Str { .. } => Token::Str,
            lex::Kind::Word => Token::Word(here),
            lex::Kind::Punct | lex::Kind::Other => match here {
                "{" | "(" => Token::Open,
                "}" | ")" => Token::Close,
                _ => Token::Punct(here.chars().next().unwrap_or(' ')),
            },
        });
    }
    (tokens, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Expected {
        let offset = text.len();
        let word_start = text
            .rfind(|c: char| {
                !(c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '*' | '-' | '.' | '/'))
            })
            .map(|i| i + 1)
            .unwrap_or(0);
        let _ = offset;
        expected(text, word_start)
    }

    #[test]
    fn reads_what_the_position_expects() {
        assert_eq!(at("policy A {\n  allow s3:Get"), Expected::Action);
        assert_eq!(at("policy A {\n  allow [s3:GetObject, s"), Expected::Action);
        assert_eq!(
            at("policy A {\n  allow s3:GetObject on * when "),
            Expected::Operator
        );
        assert_eq!(
            at("policy A {\n  allow s3:GetObject on * when StringEquals \"aws:"),
            Expected::ConditionKey
        );
        assert_eq!(
            at("policy A {\n  allow s3:GetObject on \"arn"),
            Expected::Nothing
        );
        assert_eq!(
            at("policy A {\n  allow s3:GetObject on *\n  "),
            Expected::Words(STATEMENT_WORDS)
        );
        assert_eq!(at("// a policy {\npo"), Expected::Declaration);
        assert_eq!(at("role R {\n  grants A, "), Expected::Names(Wanted::Grant));
        assert_eq!(at("role R {\n  trust "), Expected::Names(Wanted::Trust));
        assert_eq!(
            at("role R {\n  grants A\n  "),
            Expected::Words(PRINCIPAL_PROPERTIES)
        );
        assert_eq!(
            at("trust T {\n  service \"pods.eks.amazonaws.com\"\n    actions [sts:TagSession, "),
            Expected::SessionAction
        );
        assert_eq!(
            at("trust T {\n  service \"pods.eks.amazonaws.com\"\n    actions "),
            Expected::SessionAction
        );
        assert_eq!(
            at("trust T {\n  service \"pods.eks.amazonaws.com\"\n    actions [sts:TagSession]\n  "),
            Expected::Words(TRUST_WORDS)
        );
        assert_eq!(at("stack S {\n  roles [A, "), Expected::Names(Wanted::Role));
        assert_eq!(at("policy P = "), Expected::Names(Wanted::Template));
        assert_eq!(at("group G {\n  A,\n  "), Expected::Names(Wanted::Grant));
    }
}
