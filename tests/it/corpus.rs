//! Real AWS managed policy documents (`tests/corpus/`, see its README):
//! each is imported, granted to a role, built, and the statements of the
//! templates compared with the original's, as sets, ignoring order and Sid.
//! No document may end up allowing more (an Allow the original does not
//! have, a Deny it has that is missing), none may meet an internal error,
//! and every managed policy must be within IAM's 6,144 characters.
//!
//! `IAMC_CORPUS=FOLDER` runs it on another folder (the whole corpus, with
//! `scripts/corpus.py figures`) and prints the figures.

use crate::support;
use iamc::config::Config;
use iamc::diagnostics::Code;
use iamc::source::Sources;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::PathBuf;

/// A statement in a form that compares as IAM evaluates: case of actions and
/// condition keys ignored, single strings as lists, Sid dropped.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Statement {
    allow: bool,
    not_action: bool,
    actions: BTreeSet<String>,
    not_resource: bool,
    resources: BTreeSet<String>,
    conditions: Conditions,
}

/// Operator → key (lower case) → values.
type Conditions = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

impl Statement {
    /// Everything but the actions and resources.
    fn shape(&self) -> (bool, bool, bool, &Conditions) {
        (
            self.allow,
            self.not_action,
            self.not_resource,
            &self.conditions,
        )
    }
}

fn strings(v: &Value) -> BTreeSet<String> {
    match v {
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        Value::String(s) => [s.clone()].into(),
        Value::Bool(b) => [b.to_string()].into(),
        Value::Number(n) => [n.to_string()].into(),
        other => panic!("unexpected value {other}"),
    }
}

fn statement(s: &Value) -> Statement {
    let (not_action, actions) = match (s.get("Action"), s.get("NotAction")) {
        (Some(a), None) => (false, a),
        (None, Some(a)) => (true, a),
        _ => panic!("statement without one of Action and NotAction: {s}"),
    };
    let (not_resource, resources) = match (s.get("Resource"), s.get("NotResource")) {
        (Some(r), None) => (false, r),
        (None, Some(r)) => (true, r),
        _ => panic!("statement without one of Resource and NotResource: {s}"),
    };
    let mut conditions = BTreeMap::new();
    if let Some(Value::Object(ops)) = s.get("Condition") {
        for (op, keys) in ops {
            let keys = keys.as_object().unwrap();
            let entry: &mut BTreeMap<String, BTreeSet<String>> =
                conditions.entry(op.clone()).or_default();
            for (key, values) in keys {
                entry
                    .entry(key.to_ascii_lowercase())
                    .or_default()
                    .extend(strings(values));
            }
        }
    }
    Statement {
        allow: s.get("Effect") == Some(&Value::String("Allow".into())),
        not_action,
        actions: strings(actions)
            .into_iter()
            .map(|a| a.to_ascii_lowercase())
            .collect(),
        not_resource,
        resources: strings(resources),
        conditions,
    }
}

fn statements(doc: &Value) -> BTreeSet<Statement> {
    match doc.get("Statement") {
        Some(Value::Array(list)) => list.iter().map(statement).collect(),
        Some(one) => [statement(one)].into(),
        None => BTreeSet::new(),
    }
}

/// Why `output` allows more than `input`, if it does: an Allow atom
/// (action, resource) no input Allow of the same shape holds, or an input
/// Deny atom no output Deny holds. A `Not` list is one atom, found whole.
fn widens(input: &BTreeSet<Statement>, output: &BTreeSet<Statement>) -> Option<String> {
    // An atom of a `Not` list is the whole list: the other list may be
    // split (an Allow of A and B on `not R` is one of A and one of B).
    let atoms = |list: &BTreeSet<String>, not: bool| -> Vec<Option<String>> {
        if not {
            vec![None]
        } else {
            list.iter().cloned().map(Some).collect()
        }
    };
    let has = |list: &BTreeSet<String>, whole: &BTreeSet<String>, atom: &Option<String>| match atom
    {
        None => list == whole,
        Some(item) => list.contains(item),
    };
    let covered = |s: &Statement, by: &BTreeSet<Statement>| {
        atoms(&s.actions, s.not_action).iter().all(|a| {
            atoms(&s.resources, s.not_resource).iter().all(|r| {
                by.iter().any(|b| {
                    b.shape() == s.shape()
                        && has(&b.actions, &s.actions, a)
                        && has(&b.resources, &s.resources, r)
                })
            })
        })
    };
    for s in output.iter().filter(|s| s.allow) {
        if !covered(s, input) {
            return Some(format!("the output allows what the input does not: {s:?}"));
        }
    }
    for s in input.iter().filter(|s| !s.allow) {
        if !covered(s, output) {
            return Some(format!("the output lacks a Deny of the input: {s:?}"));
        }
    }
    None
}

/// Every statement of every managed policy of the templates; panics on a
/// policy over IAM's size limit.
fn built_statements(templates: &[(String, String)]) -> BTreeSet<Statement> {
    let mut out = BTreeSet::new();
    for (name, text) in templates {
        let template: serde_yaml::Value = serde_yaml::from_str(text).unwrap();
        let template: Value = serde_json::to_value(template).unwrap();
        for resource in template["Resources"].as_object().unwrap().values() {
            if resource["Type"] != "AWS::IAM::ManagedPolicy" {
                continue;
            }
            let doc = &resource["Properties"]["PolicyDocument"];
            // IAM counts the characters of the document without whitespace.
            let size = serde_json::to_string(doc)
                .unwrap()
                .chars()
                .filter(|c| !c.is_whitespace())
                .count();
            assert!(
                size <= 6144,
                "{name}: a managed policy of {size} characters"
            );
            out.extend(statements(doc));
        }
    }
    out
}

#[derive(Debug)]
enum Outcome {
    Equal,
    Narrowed(String),
    /// Imported, but more than one role can hold: iamc's E027 (AWS managed
    /// policies are not bound by the 6,144 characters a customer's are).
    TooLargeForOneRole(String),
    Failed(String),
}

fn check(file: &str, text: &str) -> Outcome {
    let original: Value = serde_json::from_str(text).unwrap();
    let input = statements(&original);
    let imported =
        iamc::import::import(&[(file.to_string(), text.to_string())], &Config::default());
    let rendered = imported.diagnostics.render_text(&Sources::new());
    assert!(
        !imported
            .diagnostics
            .iter()
            .any(|d| d.code == Code::Internal),
        "{file}: an internal error\n{rendered}"
    );
    // The first diagnostic that says why, the file name left out (that the
    // policy is attached to nobody is what importing a lone document means).
    let first_reason = || {
        imported
            .diagnostics
            .iter()
            .find(|d| !d.message.contains("cannot attach"))
            .map(|d| {
                let message = d
                    .message
                    .strip_prefix(&format!("{file}: "))
                    .unwrap_or(&d.message);
                format!("{}: {message}", d.code.as_str())
            })
            .unwrap_or_else(|| "no diagnostic".to_string())
    };
    if imported.diagnostics.has_errors() {
        return Outcome::Narrowed(format!("refused: {}", first_reason()));
    }
    let Some(group) = imported.source.lines().find_map(|l| {
        l.strip_prefix("group ")
            .and_then(|r| r.split_whitespace().next())
    }) else {
        return Outcome::Narrowed(format!("nothing imported: {}", first_reason()));
    };
    let program = format!(
        "{}\nrole CorpusReader {{\n  grants {group}\n  trust {{\n    service \"ec2.amazonaws.com\"\n  }}\n}}\n",
        imported.source
    );
    let sources = support::sources(&[("imported.iam".to_string(), program)]);
    let compiled = match iamc::compile(&sources, &Config::default()) {
        Ok(c) => c,
        Err(d)
            if d.iter()
                .filter(|d| d.is_error())
                .all(|d| d.code == Code::TooManyManagedPolicies) =>
        {
            return Outcome::TooLargeForOneRole(d.render_text(&sources));
        }
        Err(d) => return Outcome::Failed(format!("does not build: {}", d.render_text(&sources))),
    };
    let output = built_statements(&compiled.files());
    if let Some(why) = widens(&input, &output) {
        panic!("{file}: import widens: {why}");
    }
    // Equal: the same statements, or the same access split otherwise (an
    // oversized Allow in shares); neither side allows more than the other.
    if input == output || widens(&output, &input).is_none() {
        Outcome::Equal
    } else {
        Outcome::Narrowed(first_reason())
    }
}

/// A reason without its particulars: `Statement[N]` and quoted names left
/// out, so that like reasons count together.
fn reason_kind(why: &str) -> String {
    let mut out = String::new();
    for (i, part) in why.split('`').enumerate() {
        out.push_str(if i % 2 == 1 { "`…`" } else { part });
    }
    let words: Vec<&str> = out
        .split(' ')
        .filter(|w| !w.starts_with("Statement["))
        .collect();
    words.join(" ")
}

fn doc(text: &str) -> BTreeSet<Statement> {
    statements(&serde_json::from_str(&format!("{{\"Statement\": {text}}}")).unwrap())
}

/// The oracle can fail: each way of allowing more is caught.
#[test]
fn widening_is_caught() {
    let input = doc(r#"[
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/secret"},
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}
    ]"#);
    assert_eq!(widens(&input, &input), None);
    // Split differently, still the same access.
    let split = doc(r#"[
        {"Effect": "Allow", "Action": "S3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": ["arn:aws:s3:::b/*"]},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/secret"},
        {"Effect": "Allow", "NotAction": ["organizations:*", "iam:*"], "Resource": "*"}
    ]"#);
    assert_eq!(widens(&input, &split), None);
    let more_actions = doc(r#"[
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::b/*"}
    ]"#);
    assert!(widens(&input, &more_actions).is_some());
    let no_deny = doc(r#"[
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "arn:aws:s3:::b/*"}
    ]"#);
    assert!(widens(&input, &no_deny).is_some());
    let smaller_not_action = doc(r#"[
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    ]"#);
    assert!(widens(&input, &smaller_not_action).is_some());
    let not_resource = doc(r#"[
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
         "NotResource": ["arn:aws:s3:::b/secret", "arn:aws:s3:::c/*"]}
    ]"#);
    let split_by_action = doc(r#"[
        {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": ["arn:aws:s3:::b/secret", "arn:aws:s3:::c/*"]},
        {"Effect": "Allow", "Action": "s3:PutObject", "NotResource": ["arn:aws:s3:::c/*", "arn:aws:s3:::b/secret"]}
    ]"#);
    assert_eq!(widens(&not_resource, &split_by_action), None);
    let smaller_not_resource = doc(r#"[
        {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::c/*"}
    ]"#);
    assert!(widens(&not_resource, &smaller_not_resource).is_some());
    let deny = doc(r#"[
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/secret"}
    ]"#);
    let deny_with_condition = doc(r#"[
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/secret",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    ]"#);
    assert!(widens(&deny, &deny_with_condition).is_some());
    assert_eq!(
        reason_kind("E091: Statement[0]: cannot import the statement `X`: unknown service `y`"),
        "E091: cannot import the statement `…`: unknown service `…`"
    );
}

#[test]
fn real_managed_policies_import_without_widening() {
    let (folder, figures) = match std::env::var_os("IAMC_CORPUS") {
        Some(f) => (PathBuf::from(f), true),
        None => (support::repo().join("tests/corpus/policies"), false),
    };
    let mut files: Vec<PathBuf> = fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 100,
        "{}: {} documents",
        folder.display(),
        files.len()
    );
    let mut equal = 0;
    let mut narrowed = Vec::new();
    let mut failed = Vec::new();
    let mut too_large = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(path).unwrap();
        match check(&name, &text) {
            Outcome::Equal => equal += 1,
            Outcome::Narrowed(why) => narrowed.push((name, why)),
            Outcome::TooLargeForOneRole(why) => too_large.push((name, why)),
            Outcome::Failed(why) => failed.push((name, why)),
        }
    }
    if figures {
        println!(
            "{} documents: {} imported equal, {} narrowed, {} too large for one role, {} failed",
            files.len(),
            equal,
            narrowed.len(),
            too_large.len(),
            failed.len()
        );
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        for (_, why) in &narrowed {
            *reasons.entry(reason_kind(why)).or_default() += 1;
        }
        let mut reasons: Vec<(usize, String)> = reasons.into_iter().map(|(r, n)| (n, r)).collect();
        reasons.sort_by(|a, b| b.cmp(a));
        for (n, why) in reasons {
            println!("  narrowed {n:5}  {why}");
        }
        for (name, why) in &too_large {
            println!("  too large {name}: {}", why.lines().next().unwrap_or(""));
        }
        for (name, why) in &failed {
            println!("  failed   {name}: {}", why.lines().next().unwrap_or(""));
        }
    }
    assert!(
        failed.is_empty(),
        "documents that do not build: {failed:#?}"
    );
    // Most real policies are written in full; a drop here is a regression.
    assert!(
        equal * 10 >= files.len() * 9,
        "only {equal} of {} documents import equal: {narrowed:#?}",
        files.len()
    );
}
