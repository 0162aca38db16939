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

/// The extension is ready to package and release: an icon, a changelog, the
/// licence, no guessed repository; the release workflow packages it and
/// attaches the `.vsix` to the GitHub release, after checking that every
/// version agrees (`scripts/release-check.sh`, run here on this version).
#[test]
fn the_extension_is_packaged_and_attached_to_each_release() {
    let package: serde_json::Value =
        serde_json::from_str(&read("editors/vscode/package.json")).unwrap();
    let extension = support::repo().join("editors/vscode");
    let icon = extension.join(package["icon"].as_str().unwrap());
    let png = std::fs::read(&icon).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{}", icon.display());
    // IHDR: width and height, at least the 128 pixels the Marketplace asks for.
    let size = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    assert!(size(16) >= 128 && size(20) >= 128);
    assert!(extension.join("CHANGELOG.md").is_file());
    assert!(extension.join("LICENSE").is_file());
    assert_eq!(
        read("editors/vscode/LICENSE"),
        read("LICENSE"),
        "one licence for the repository"
    );
    assert!(package.get("repository").is_none(), "no guessed repository");
    assert_eq!(package["version"], env!("CARGO_PKG_VERSION"));

    let release: serde_yaml::Value =
        serde_yaml::from_str(&read(".github/workflows/release.yml")).unwrap();
    assert_eq!(release["on"]["push"]["tags"][0], "v*");
    let steps = release["jobs"]["release"]["steps"].as_sequence().unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    let position = |needle: &str| {
        runs.iter()
            .position(|r| r.contains(needle))
            .unwrap_or_else(|| panic!("no step runs {needle}: {runs:?}"))
    };
    let check = position("bash scripts/release-check.sh");
    let tests = position("bash .ci/run");
    let package_step = position("vsce package --allow-missing-repository --out \"iamc-");
    let publish = position("cargo publish --locked");
    let attach =
        position("gh release create \"$GITHUB_REF_NAME\" \"editors/vscode/iamc-$version.vsix\"");
    assert!(check < tests && tests < package_step && package_step < publish && publish < attach);
    let out = std::process::Command::new("bash")
        .arg(support::repo().join("scripts/release-check.sh"))
        .arg(env!("CARGO_PKG_VERSION"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = std::process::Command::new("bash")
        .arg(support::repo().join("scripts/release-check.sh"))
        .arg("99.0.0")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the check cannot fail");
}
