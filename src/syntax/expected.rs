//! What the parser expected, in words: the grammar's rules never reach the user.

use super::Rule;
use super::keywords::{self, Role};
use super::lex::{Kind, Lexer, Token};
use pest::error::{Error, ErrorVariant};

/// A phrase for each rule the parser may report as expected. `None` for rules
/// that are implied by a neighbour's phrase.
fn phrase(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::k_policy
        | Rule::k_template
        | Rule::k_group
        | Rule::k_trust
        | Rule::k_param
        | Rule::k_role
        | Rule::k_user
        | Rule::k_stack
        | Rule::program => "a declaration (`policy`, `group`, `trust`, `role`, `user`, ...)",
        Rule::ident | Rule::bad_ident | Rule::bad_ref | Rule::member | Rule::ident_list => {
            "a name like `S3ReadCdn`"
        }
        Rule::string | Rule::string_inner => "a string in double quotes",
        Rule::string_list => "a string or a list `[...]` of strings",
        Rule::resource_list | Rule::any_resource => {
            "the resources (a string, a list `[...]` or `*`)"
        }
        Rule::action | Rule::action_list => "an action like `s3:GetObject`, or a list `[...]`",
        Rule::operator => "a condition operator like `StringEquals`",
        Rule::statement | Rule::effect | Rule::k_allow | Rule::k_deny => {
            "a statement (`allow ...` or `deny ...`)"
        }
        Rule::k_not => "`not`",
        Rule::k_on => "`on` followed by the resources",
        Rule::condition | Rule::k_when => "`when`",
        Rule::because | Rule::k_because => "`because`",
        Rule::number => "a whole number",
        Rule::principal_property
        | Rule::grants_prop
        | Rule::trust_prop
        | Rule::managed_prop
        | Rule::instance_profile_prop
        | Rule::boundary_prop
        | Rule::path_prop
        | Rule::max_session_prop
        | Rule::tag_prop
        | Rule::k_grants
        | Rule::k_managed
        | Rule::k_instance_profile
        | Rule::k_boundary
        | Rule::k_path
        | Rule::k_max_session
        | Rule::k_tag => "a property (`grants`, `trust`, `managed`, `instance_profile`, ...)",
        Rule::trust_entry
        | Rule::trust_kind
        | Rule::k_service
        | Rule::k_aws
        | Rule::k_federated => "a trusted principal (`service`, `aws` or `federated`)",
        Rule::trust_body => "a trust block `{ ... }`",
        Rule::session_actions | Rule::k_actions => "`actions`",
        Rule::param_property
        | Rule::default_prop
        | Rule::description_prop
        | Rule::max_length_prop
        | Rule::k_default
        | Rule::k_description
        | Rule::k_max_length => "`default`, `description` or `max_length`",
        Rule::stack_property
        | Rule::stack_roles
        | Rule::stack_users
        | Rule::stack_policies
        | Rule::k_roles
        | Rule::k_users
        | Rule::k_policies => "`roles`, `users` or `policies`",
        Rule::policy_body => "`{` and the policy's statements",
        Rule::instantiation => "`= Template(...)`",
        Rule::argument => "an argument like `bucket: \"my-bucket\"`",
        Rule::EOI => "the end of the file",
        _ => return None,
    })
}

/// Punctuation the parser was looking for, as pest records it.
fn punctuation(error: &Error<Rule>) -> Vec<String> {
    let Some(attempts) = error.parse_attempts() else {
        return Vec::new();
    };
    attempts
        .expected_tokens()
        .into_iter()
        .map(|t| t.to_string())
        .filter(|t| !t.is_empty() && t.chars().all(|c| "{}[](),=:".contains(c)))
        .map(|t| format!("`{t}`"))
        .collect()
}

/// "a name like `X`, `,` or `}`"; `None` when nothing useful is known.
pub fn describe(error: &Error<Rule>) -> Option<String> {
    let mut phrases: Vec<String> = Vec::new();
    if let ErrorVariant::ParsingError { positives, .. } = &error.variant {
        for rule in positives {
            if let Some(p) = phrase(*rule) {
                phrases.push(p.to_string());
            }
        }
    }
    // Punctuation a phrase already shows (the `[` of "a list `[...]`") is not repeated.
    let shown = |p: &String| {
        let c = p.trim_matches('`');
        phrases.iter().any(|phrase| phrase.contains(c))
    };
    let punctuation: Vec<String> = punctuation(error)
        .into_iter()
        .filter(|p| !shown(p))
        .collect();
    phrases.extend(punctuation);
    let mut seen = std::collections::BTreeSet::new();
    phrases.retain(|p| seen.insert(p.clone()));
    // "the end of the file" is only worth saying when nothing else is expected.
    if phrases.len() > 1 {
        phrases.retain(|p| p != "the end of the file");
    }
    match phrases.len() {
        0 => None,
        1 => Some(phrases.remove(0)),
        n => {
            let last = phrases.remove(n - 1);
            Some(format!("{} or {}", phrases.join(", "), last))
        }
    }
}

/// The token at a position: a word, a string, or one punctuation character.
pub fn found_at(text: &str, pos: usize) -> String {
    let rest = text.get(pos..).unwrap_or("");
    let mut chars = rest.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let word = |c: char| c.is_alphanumeric() || "_-:*?.$/".contains(c);
    let token: String = if first == '"' {
        let mut lexer = Lexer::new(text);
        lexer.reset(pos);
        let end = lexer.token().map_or(text.len(), |t| t.range.end);
        text[pos..end].to_string()
    } else if word(first) {
        rest.chars().take_while(|c| word(*c)).collect()
    } else {
        first.to_string()
    };
    // Long tokens are cut on a character boundary to keep the message short.
    if token.chars().count() > 40 {
        token.chars().take(40).collect()
    } else {
        token
    }
}

/// A token as shown in a message: control characters escaped, quotes not.
pub fn show(token: &str) -> String {
    token
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Where the string starting at `pos` would end if it is not closed on its
/// line: the end of the line. `None` when there is no string or it is closed.
pub fn unterminated_string(text: &str, pos: usize) -> Option<usize> {
    if !text.get(pos..)?.starts_with('"') {
        return None;
    }
    let mut lexer = Lexer::new(text);
    lexer.reset(pos);
    match lexer.token()? {
        Token {
            kind: Kind::Str { closed: false },
            range,
        } => Some(range.end),
        _ => None,
    }
}

/// A fix for the likely mistakes behind a syntax error.
pub fn help(text: &str, pos: usize, found: &str, expected: Option<&str>) -> Option<String> {
    let before = text.get(..pos).unwrap_or("").trim_end();
    let expected = expected.unwrap_or("");
    let is_word = !found.is_empty() && found.chars().all(|c| c.is_alphanumeric() || c == '_');
    if let Some(quoted) = found.strip_prefix('\'') {
        let line_rest = text.get(pos + 1..).unwrap_or("");
        let line_rest = line_rest.split('\n').next().unwrap_or("");
        return Some(match line_rest.split_once('\'') {
            Some((inner, _)) if !inner.contains('"') => {
                format!("strings are written in double quotes: \"{inner}\"")
            }
            _ if quoted.is_empty() => "strings are written in double quotes: \"...\"".to_string(),
            _ => "strings are written in double quotes: \"...\"".to_string(),
        });
    }
    if found == "=" && before.ends_with(|c: char| c.is_alphanumeric()) {
        return Some(
            "properties are written without `=`: `path \"/devs/\"`, `max_session 3600`".to_string(),
        );
    }
    if found.starts_with("arn:") {
        return Some(format!("resources are strings: write \"{found}\""));
    }
    if found == "actions" && expected.contains("a trusted principal") {
        return Some(
            "write `actions` right after the entry's principals, before its `when` conditions"
                .to_string(),
        );
    }
    if found == ";" {
        return Some("statements and members need no `;`: remove it".to_string());
    }
    if found.starts_with('"') && expected.contains("a name") {
        let inner = found.trim_matches('"');
        return Some(format!("names are written without quotes: `{inner}`"));
    }
    if keywords::has(Role::Declaration, found) && expected.contains("`}`") {
        return Some("the declaration above is not closed: add `}` before this line".to_string());
    }
    if found.is_empty()
        && let Some(line) = unclosed_brace_line(text)
    {
        return Some(format!("add the `}}` that closes the `{{` on line {line}"));
    }
    if found == "}" && expected.starts_with("a declaration") {
        return Some("this `}` closes nothing: remove it".to_string());
    }
    if expected.starts_with("`on`") {
        return Some(
            "write `on` between the actions and the resources: `allow s3:GetObject on \"arn:aws:s3:::bucket/*\"`".to_string(),
        );
    }
    let last_line = before.rsplit('\n').next().unwrap_or("");
    let words: Vec<&str> = last_line.split_whitespace().collect();
    if words.len() >= 2 && words[words.len() - 2] == "when" && expected.contains("a string") {
        return Some(
            "a condition is `when OPERATOR \"key\" [values]`: `when StringLike \"s3:prefix\" [\"home/*\"]`".to_string(),
        );
    }
    if found.contains(':') && !found.starts_with('"') && expected.contains("a statement") {
        return Some(format!(
            "a statement starts with `allow` or `deny`: `allow {found} on ...`"
        ));
    }
    if is_word {
        let role = if expected.starts_with("a declaration") {
            Some(Role::Declaration)
        } else if expected.contains("a property") {
            Some(Role::PrincipalProperty)
        } else if expected.contains("a trusted principal") {
            Some(Role::TrustPrincipal)
        } else {
            None
        };
        let candidates = role.into_iter().flat_map(keywords::words);
        if let Some(similar) = crate::diagnostics::did_you_mean(found, candidates) {
            return Some(format!("did you mean `{similar}`?"));
        }
    }
    None
}

/// The line (1-based) of the last `{` that no `}` closes, outside strings and comments.
fn unclosed_brace_line(text: &str) -> Option<usize> {
    let mut open: Vec<usize> = Vec::new();
    let mut lexer = Lexer::new(text);
    while let Some(token) = lexer.token() {
        match &text[token.range.clone()] {
            _ if token.kind != Kind::Punct => {}
            "{" => open.push(token.range.start),
            "}" => {
                open.pop();
            }
            _ => {}
        }
    }
    let at = *open.last()?;
    Some(text[..at].matches('\n').count() + 1)
}
