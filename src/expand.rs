//! Step 2b, expand: each template instance (`policy X = T(a: "...")`) becomes
//! the policy it stands for. `{param}` is replaced once, in the parsed strings
//! of the template's statements, never in rendered text.

use crate::ast::{Condition, DeclKind, Ident, Instantiation, Resources, Statement, Str, Template};
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::resolve::{DeclId, Program};
use crate::source::Span;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Replaces every instance by its statements. Returns, for each instance, the
/// span of its call, so later diagnostics on its strings can point there too.
pub fn expand(program: &mut Program) -> (HashMap<DeclId, Span>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut calls = HashMap::new();
    for id in program.decls.ids() {
        match &program.decls[id].kind {
            DeclKind::Template(template) => {
                diagnostics.extend(template_problems(&program.decls[id].name, template));
            }
            DeclKind::PolicyInstance(instance) => {
                let Some(template_id) = program.template_of[id] else {
                    continue;
                };
                let DeclKind::Template(template) = &program.decls[template_id].kind else {
                    continue;
                };
                let template_name = &program.decls[template_id].name;
                match instantiate(template_name, template, instance) {
                    Ok(statements) => {
                        calls.insert(id, instance.span);
                        program.decls[id].kind = DeclKind::Policy(statements);
                    }
                    Err(errors) => diagnostics.extend(errors),
                }
            }
            _ => {}
        }
    }
    (calls, diagnostics)
}

/// A template's own mistakes: repeated, unused and unknown parameters.
fn template_problems(name: &Ident, template: &Template) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for p in &template.params {
        if let Some(first) = seen.get(p.name.as_str()) {
            diagnostics.push(
                Diagnostic::error(
                    Code::TemplateArguments,
                    format!("parameter `{}` is declared twice", p.name),
                )
                .primary(p.span, "declared again here")
                .secondary(*first, "first declared here")
                .help("remove one of them"),
            );
        } else {
            seen.insert(&p.name, p.span);
        }
    }
    let mut used = HashSet::new();
    // A misspelt placeholder is reported once, as unknown, not its parameter as unused.
    let mut suggested = HashSet::new();
    for s in strings(&template.statements) {
        for (start, end, param) in placeholders(&s.value) {
            if seen.contains_key(param) {
                used.insert(param.to_string());
                continue;
            }
            let mut d = Diagnostic::error(
                Code::TemplateArguments,
                format!(
                    "`{{{param}}}` is not a parameter of template `{}`",
                    name.name
                ),
            )
            .primary(placeholder_span(s, start, end), "no such parameter")
            .secondary(
                name.span,
                format!("`{}` declares {}", name.name, list(seen.keys())),
            );
            if let Some(similar) = did_you_mean(param, seen.keys().copied()) {
                d = d.help(format!("did you mean `{{{similar}}}`?"));
                suggested.insert(similar.to_string());
            } else {
                d = d.help(format!("add `{param}` to the template's parameters"));
            }
            diagnostics.push(d);
        }
    }
    for p in &template.params {
        let first = seen.get(p.name.as_str()) == Some(&p.span);
        if !used.contains(&p.name) && !suggested.contains(&p.name) && first {
            diagnostics.push(
                Diagnostic::error(
                    Code::TemplateArguments,
                    format!(
                        "parameter `{}` of template `{}` is never used",
                        p.name, name.name
                    ),
                )
                .primary(p.span, "no string of the template uses it")
                .help(format!(
                    "use it as `{{{}}}` in a string, or remove it",
                    p.name
                )),
            );
        }
    }
    diagnostics
}

fn list<'a>(names: impl Iterator<Item = &'a &'a str>) -> String {
    let mut names: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    names.sort();
    if names.is_empty() {
        "no parameters".to_string()
    } else {
        names.join(", ")
    }
}

/// The statements of one instance, or why the call does not match.
fn instantiate(
    template_name: &Ident,
    template: &Template,
    instance: &Instantiation,
) -> Result<Vec<Statement>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let params: Vec<&str> = template.params.iter().map(|p| p.name.as_str()).collect();
    let mut args: BTreeMap<&str, &Str> = BTreeMap::new();
    let mut arg_spans: HashMap<&str, Span> = HashMap::new();
    // A misspelt argument is reported once, as unknown, not also as missing.
    let mut suggested: HashSet<&str> = HashSet::new();
    for (key, value) in &instance.arguments {
        if let Some(first) = arg_spans.get(key.name.as_str()) {
            errors.push(
                Diagnostic::error(
                    Code::TemplateArguments,
                    format!("argument `{}` is given twice", key.name),
                )
                .primary(key.span, "given again here")
                .secondary(*first, "first given here")
                .help("give each parameter once"),
            );
            continue;
        }
        arg_spans.insert(&key.name, key.span);
        if !params.contains(&key.name.as_str()) {
            let mut d = Diagnostic::error(
                Code::TemplateArguments,
                format!(
                    "template `{}` has no parameter `{}`",
                    template_name.name, key.name
                ),
            )
            .primary(key.span, "unknown argument")
            .secondary(
                template_name.span,
                format!("`{}` takes {}", template_name.name, list(params.iter())),
            );
            if let Some(similar) = did_you_mean(&key.name, params.iter().copied()) {
                d = d.help(format!("did you mean `{similar}`?"));
                suggested.insert(similar);
            }
            errors.push(d);
            continue;
        }
        args.insert(&key.name, value);
    }
    for p in &template.params {
        let name = p.name.as_str();
        if !args.contains_key(name) && !arg_spans.contains_key(name) && !suggested.contains(name) {
            errors.push(
                Diagnostic::error(
                    Code::TemplateArguments,
                    format!(
                        "missing argument `{}` for template `{}`",
                        p.name, template_name.name
                    ),
                )
                .primary(instance.span, format!("`{}` is not given", p.name))
                .secondary(p.span, "declared here")
                .help(format!("add `{}: \"...\"` to the call", p.name)),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let substitute = |s: &Str| Str {
        value: substitute(&s.value, &args),
        span: s.span,
    };
    Ok(template
        .statements
        .iter()
        .map(|st| Statement {
            resources: match &st.resources {
                Resources::Any(span) => Resources::Any(*span),
                Resources::List(list) => Resources::List(list.iter().map(substitute).collect()),
            },
            conditions: st
                .conditions
                .iter()
                .map(|c| Condition {
                    operator: c.operator.clone(),
                    key: substitute(&c.key),
                    values: c.values.iter().map(substitute).collect(),
                    span: c.span,
                })
                .collect(),
            because: st.because.as_ref().map(substitute),
            ..st.clone()
        })
        .collect())
}

/// Every string of a template's statements that `{param}` may appear in.
fn strings(statements: &[Statement]) -> impl Iterator<Item = &Str> {
    statements.iter().flat_map(|s| {
        let resources: &[Str] = match &s.resources {
            Resources::List(list) => list,
            Resources::Any(_) => &[],
        };
        resources
            .iter()
            .chain(
                s.conditions
                    .iter()
                    .flat_map(|c| std::iter::once(&c.key).chain(&c.values)),
            )
            .chain(s.because.iter())
    })
}

/// `{name}` placeholders in a string: (start, end, name). `${...}` is not one.
fn placeholders(s: &str) -> Vec<(usize, usize, &str)> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'{' && (i == 0 || bytes[i - 1] != b'$') {
            let rest = &s[i + 1..];
            let len = rest
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(rest.len());
            let is_name = len > 0 && rest.starts_with(|c: char| c.is_ascii_alphabetic());
            if is_name && rest[len..].starts_with('}') {
                out.push((i, i + len + 2, &s[i + 1..i + 1 + len]));
                i += len + 2;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Replaces each placeholder once, left to right; inserted text is not rescanned.
fn substitute(s: &str, args: &BTreeMap<&str, &Str>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = 0;
    for (start, end, name) in placeholders(s) {
        if let Some(value) = args.get(name) {
            out.push_str(&s[rest..start]);
            out.push_str(&value.value);
            rest = end;
        }
    }
    out.push_str(&s[rest..]);
    out
}

/// The span of a placeholder when the string's text matches its value, else the string.
fn placeholder_span(s: &Str, start: usize, end: usize) -> Span {
    if s.span.end - s.span.start == s.value.len() + 2 {
        Span::new(
            s.span.file,
            s.span.start + 1 + start,
            s.span.start + 1 + end,
        )
    } else {
        s.span
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_names_in_braces_not_dollar_braces() {
        let found: Vec<&str> = placeholders("arn:aws:s3:::{bucket}/{prefix}*${AWS::Region}{}{1x}")
            .into_iter()
            .map(|(_, _, n)| n)
            .collect();
        assert_eq!(found, ["bucket", "prefix"]);
    }

    #[test]
    fn substitution_happens_once() {
        let span = Span::default();
        let a = Str {
            value: "{b}".into(),
            span,
        };
        let b = Str {
            value: "x".into(),
            span,
        };
        let args = BTreeMap::from([("a", &a), ("b", &b)]);
        assert_eq!(substitute("{a}-{b}", &args), "{b}-x");
    }
}
