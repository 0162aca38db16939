//! The editors' descriptions of the syntax agree with the parser's: the
//! keywords of `grammar/iam.pest` are those of the TextMate grammar
//! (`editors/vscode/syntaxes/iam.tmLanguage.json`), of the book's
//! highlight.js language (`book/iam-highlight.js`) and of the parser's one
//! keyword table (`iamc::syntax::keywords`, which the parsers, fmt and
//! completion read); the table's reserved words are the grammar's `keyword` rule. (`editors/vscode/test/grammar.js`, run by
//! `scripts/test.sh`, tokenises every `.iam` file with the TextMate grammar.)

use crate::support;
use std::collections::BTreeSet;
use std::fs;

fn read(path: &str) -> String {
    fs::read_to_string(support::repo().join(path)).unwrap()
}

/// The words of the pest rules `k_*`: every keyword, reserved or not.
fn parser_keywords() -> BTreeSet<String> {
    let pest = read("grammar/iam.pest");
    pest.lines()
        .filter(|l| l.starts_with("k_"))
        .map(|l| l.split('"').nth(1).unwrap().to_string())
        .collect()
}

/// The words of the pest rule `keyword`: the reserved ones.
fn reserved_keywords() -> BTreeSet<String> {
    let pest = read("grammar/iam.pest");
    let start = pest.find("keyword = @{").unwrap();
    let end = start + pest[start..].find("~ !ident_char").unwrap();
    pest[start..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The words of `\b(a|b|c)\b` alternations in the TextMate grammar's
/// declaration and keyword rules.
fn textmate_keywords() -> BTreeSet<String> {
    let grammar: serde_json::Value =
        serde_json::from_str(&read("editors/vscode/syntaxes/iam.tmLanguage.json")).unwrap();
    let repo = &grammar["repository"];
    let mut regexes = vec![repo["declaration"]["match"].as_str().unwrap().to_string()];
    for p in repo["keywords"]["patterns"].as_array().unwrap() {
        regexes.push(p["match"].as_str().unwrap().to_string());
    }
    let mut words = BTreeSet::new();
    for regex in regexes {
        let inner = regex
            .strip_prefix("\\b(")
            .and_then(|r| r.split_once(")\\b"))
            .map(|(inner, _)| inner)
            .unwrap_or_else(|| panic!("not a `\\b(...)\\b` alternation: {regex}"));
        words.extend(inner.split('|').map(str::to_string));
    }
    words
}

fn highlight_js_keywords() -> BTreeSet<String> {
    let js = read("book/iam-highlight.js");
    let start = js.find("// KEYWORDS-BEGIN").unwrap();
    let end = js.find("// KEYWORDS-END").unwrap();
    js[start..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .flat_map(|s| s.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect()
}

#[test]
fn every_description_of_the_syntax_names_the_same_keywords() {
    let parser = parser_keywords();
    assert!(parser.contains("instance_profile") && parser.len() > 20);
    assert_eq!(textmate_keywords(), parser, "the TextMate grammar");
    assert_eq!(highlight_js_keywords(), parser, "book/iam-highlight.js");
    // The parser's own table, which the formatter, import and the language
    // server's completion use.
    let listed: BTreeSet<String> = iamc::syntax::keywords::all().map(str::to_string).collect();
    assert_eq!(listed, parser, "iamc::syntax::keywords::TABLE");
    let reserved: BTreeSet<String> = iamc::syntax::keywords::reserved()
        .map(str::to_string)
        .collect();
    assert_eq!(reserved, reserved_keywords(), "the reserved words");
    // Every role's words are keywords the grammar names.
    for role in [
        iamc::syntax::Role::Declaration,
        iamc::syntax::Role::TrustClause,
        iamc::syntax::Role::PrincipalProperty,
    ] {
        assert!(iamc::syntax::keywords::words(role).all(|w| parser.contains(w)));
    }
}

#[test]
fn the_extension_declares_the_language_the_grammar_and_the_server() {
    let package: serde_json::Value =
        serde_json::from_str(&read("editors/vscode/package.json")).unwrap();
    let contributes = &package["contributes"];
    assert_eq!(contributes["languages"][0]["id"], "iam");
    assert_eq!(contributes["languages"][0]["extensions"][0], ".iam");
    assert_eq!(contributes["grammars"][0]["scopeName"], "source.iam");
    let grammar = contributes["grammars"][0]["path"].as_str().unwrap();
    assert!(
        support::repo()
            .join("editors/vscode")
            .join(grammar)
            .is_file()
    );
    assert_eq!(
        contributes["configuration"]["properties"]["iamc.path"]["default"],
        "iamc"
    );
    let configuration: serde_json::Value =
        serde_json::from_str(&read("editors/vscode/language-configuration.json")).unwrap();
    assert_eq!(configuration["comments"]["lineComment"], "//");
    let client = read("editors/vscode/extension.js");
    assert!(client.contains(r#"args: ["lsp"]"#));
    let book = read("book/book.toml");
    assert!(book.contains(r#"additional-js = ["iam-highlight.js"]"#));
}
