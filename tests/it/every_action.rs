//! Every action of AWS can be written: one action of every service of the
//! catalog, in one policy, parses on both paths (fast and pest, to the same
//! tree), formats back to itself, compiles, and reaches the template as
//! written. Keywords never shadow a service prefix (`tag:`, `aws-portal:`,
//! `user-subscriptions:`).

use crate::support;
use iamc::config::Config;

/// One statement per service, with the catalog's first action of it.
fn program() -> (String, Vec<String>) {
    let catalog = iamc::iam::catalog::catalog();
    let mut actions = Vec::new();
    let mut text = String::from("policy EveryService {\n");
    for service in catalog.services() {
        let Some(action) = service.actions().first() else {
            continue;
        };
        let action = format!("{}:{}", service.prefix, action.name);
        text.push_str(&format!("  allow {action} on *\n"));
        actions.push(action);
    }
    text.push_str(
        "}\n\nrole Reader {\n  grants EveryService\n  trust {\n    service \"ec2.amazonaws.com\"\n  }\n}\n\nstack Everything {\n  roles Reader\n}\n",
    );
    (text, actions)
}

#[test]
fn the_prefixes_that_are_keywords_are_in_the_catalog() {
    let catalog = iamc::iam::catalog::catalog();
    for prefix in ["tag", "aws-portal", "aws-marketplace", "user-subscriptions"] {
        assert!(
            catalog.service(prefix).is_some(),
            "{prefix} is not in the catalog"
        );
    }
}

#[test]
fn one_action_of_every_service_compiles() {
    let (text, actions) = program();
    assert!(
        actions.len() > 400,
        "the catalog has {} services",
        actions.len()
    );

    let fast = iamc::syntax::parse_fast(0, &text).expect("the fast path accepts it");
    let pest = iamc::syntax::parse_with_pest(0, &text);
    assert_eq!(format!("{fast:#?}"), format!("{pest:#?}"));

    let formatted = iamc::fmt::format_text("every.iam", &text).expect("it formats");
    assert_eq!(formatted, text, "the formatter changes it");

    let sources = support::sources(&[("every.iam".to_string(), text.clone())]);
    let compiled = match iamc::compile(&sources, &Config::default()) {
        Ok(compiled) => compiled,
        Err(diagnostics) => panic!("{}", diagnostics.render_text(&sources)),
    };
    let templates: String = compiled.files().into_iter().map(|(_, t)| t).collect();
    for action in &actions {
        assert!(
            templates.contains(action.as_str()),
            "{action} is not in the template"
        );
    }
}

/// A keyword on its own is still not an action, and a keyword glued to
/// the start of an action by `*` is still that keyword (`allow*`).
#[test]
fn keywords_still_end_where_they_did() {
    let text = "policy P {\n  allow* on *\n  deny not* on *\n}\n";
    let fast = iamc::syntax::parse_fast(0, text).expect("the fast path accepts it");
    let pest = iamc::syntax::parse_with_pest(0, text);
    assert_eq!(format!("{fast:#?}"), format!("{pest:#?}"));
    let debug = format!("{fast:#?}");
    assert!(debug.contains("not_action: true"), "{debug}");
}
