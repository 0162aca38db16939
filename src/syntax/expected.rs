//! What the parser expected, in words: the grammar's rules never reach the user.

use super::Rule;
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
        Rule::ident | Rule::bad_ident | Rule::member | Rule::ident_list => {
            "a name like `S3ReadCdn`"
        }
        Rule::string | Rule::string_inner => "a string in double quotes",
        Rule::string_list | Rule::resource_list | Rule::any_resource => {
            "a string, a list `[...]` of strings, or `*`"
        }
        Rule::action | Rule::action_list => "an action like `s3:GetObject`, or a list `[...]`",
        Rule::operator => "a condition operator like `StringEquals`",
        Rule::statement | Rule::effect | Rule::k_allow | Rule::k_deny => {
            "a statement starting with `allow` or `deny`"
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
    phrases.extend(punctuation(error));
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
        let end = rest[1..]
            .find(['"', '\n'])
            .map(|i| i + 2)
            .unwrap_or(rest.len());
        rest[..end.min(rest.len())].to_string()
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

/// A fix for the likely mistakes behind a syntax error.
pub fn help(text: &str, pos: usize, found: &str) -> Option<String> {
    let before = text.get(..pos).unwrap_or("").trim_end();
    if found.starts_with('\'') {
        return Some("strings are written in double quotes: \"...\"".to_string());
    }
    if found == "=" && before.ends_with(|c: char| c.is_alphanumeric()) {
        return Some(
            "properties are written without `=`: `path \"/devs/\"`, `max_session 3600`".to_string(),
        );
    }
    if found.starts_with("arn:") {
        return Some(format!("resources are strings: write \"{found}\""));
    }
    if found == ";" {
        return Some("statements and members need no `;`: remove it".to_string());
    }
    None
}
