//! `resource-type-mismatch` (L012) against AWS's own managed policies: AWS
//! wrote these statements to work, so a finding that one "grants nothing" must
//! be true of it. `tests/aws_managed/s3_statements.json` holds every Allow
//! statement with a named S3 action of the AWS managed policies (latest
//! versions); each is compiled alone, linted, and every L012 finding is checked
//! against a concrete ARN built from the statement's resources, independently
//! of iamc's matcher: a `*` stands for `x/y` (or `x`), a `?` for `/` (or `x`).

use crate::support;
use iamc::config::Config;
use iamc::lint;
use serde_json::Value;

/// A concrete string the pattern matches: each `*` and `${...}` as `star`,
/// each `?` as `one`.
fn sample(pattern: &str, star: &str, one: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if let Some(var) = rest.strip_prefix("${")
            && let Some(end) = var.find('}')
        {
            out.push_str(star);
            rest = &var[end + 1..];
            continue;
        }
        match c {
            '*' => out.push_str(star),
            '?' => out.push_str(one),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The part of an S3 ARN after `:s3:::` (none for another ARN).
fn s3_path(arn: &str) -> Option<&str> {
    let (head, path) = arn.split_once(":::")?;
    (head.starts_with("arn:") && head.ends_with(":s3")).then_some(path)
}

/// Whether some resource can be an object ARN (`bucket/key`) or a bucket ARN.
fn witnesses(resources: &[String]) -> (bool, bool) {
    let object = resources.iter().any(|r| {
        s3_path(&sample(r, "x/y", "/")).is_some_and(|p| p.contains('/'))
            || sample(r, "x/y", "/").starts_with("x/y")
    });
    let bucket = resources.iter().any(|r| {
        s3_path(&sample(r, "x", "x")).is_some_and(|p| !p.contains('/'))
            || sample(r, "x", "x").starts_with('x') && !r.contains('/')
    });
    (object, bucket)
}

fn source(actions: &[String], resources: &[String]) -> String {
    let resources = if resources.iter().any(|r| r == "*") {
        "*".to_string()
    } else {
        let quoted: Vec<String> = resources.iter().map(|r| format!("{r:?}")).collect();
        format!("[{}]", quoted.join(", "))
    };
    // iamc writes service prefixes in lower case (IAM ignores their case).
    let actions: Vec<String> = actions
        .iter()
        .map(|a| match a.split_once(':') {
            Some((service, name)) => format!("{}:{name}", service.to_ascii_lowercase()),
            None => a.clone(),
        })
        .collect();
    format!(
        "policy Managed {{\n  allow [{}] on {resources}\n}}\n",
        actions.join(", ")
    )
}

#[test]
fn no_false_grants_nothing_on_aws_managed_policies() {
    let path = support::repo().join("tests/aws_managed/s3_statements.json");
    let data: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let statements = data["statements"].as_array().unwrap();
    assert!(statements.len() > 500, "the fixture holds the statements");
    let (mut findings, mut wrong, mut broken) = (0, Vec::new(), Vec::new());
    for s in statements {
        let strings = |key: &str| -> Vec<String> {
            s[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect()
        };
        let (actions, resources) = (strings("actions"), strings("resources"));
        let name = format!("{}#{}", s["policy"], s["statement"]);
        let text = source(&actions, &resources);
        let sources = support::sources(&[("managed.iam".to_string(), text.clone())]);
        let compiled = match iamc::compile(&sources, &Config::default()) {
            Ok(c) => c,
            Err(d) => {
                broken.push(format!("{name}:\n{text}{}", d.render_text(&sources)));
                continue;
            }
        };
        let (object, bucket) = witnesses(&resources);
        for d in lint::run(&compiled, &sources).diagnostics.iter() {
            if d.code.as_str() != "L012" {
                continue;
            }
            findings += 1;
            eprintln!("{name}: {}", d.message);
            let claims_no_object = d.message.contains("acts on objects");
            let claims_no_bucket = d.message.contains("acts on buckets");
            assert!(claims_no_object || claims_no_bucket, "{}", d.message);
            if (claims_no_object && object) || (claims_no_bucket && bucket) {
                wrong.push(format!("{name}: {}\n{text}", d.message));
            }
        }
    }
    eprintln!(
        "{} AWS managed statements ({} do not compile), {findings} L012 findings, {} false",
        statements.len(),
        broken.len(),
        wrong.len()
    );
    assert!(
        broken.is_empty(),
        "{} statements do not compile:\n{}",
        broken.len(),
        broken.join("\n")
    );
    assert!(wrong.is_empty(), "false findings:\n{}", wrong.join("\n"));
}
