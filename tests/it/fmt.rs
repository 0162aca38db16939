//! `iamc fmt` as a library: the fixtures of `tests/fmt/` give exactly their
//! `.expected.iam` (rewritten by `UPDATE_EXPECT=1`), and on every `.iam` file
//! of the repository, on generated organisations and on random programs,
//! formatting is idempotent, keeps every comment and never changes meaning
//! (same syntax tree modulo spans; same templates, byte for byte).

use crate::support;
use iamc::ast::Decl;
use iamc::config::Config;
use iamc::diagnostics::Code;
use iamc::fmt::{comments, format_text};
use iamc::source::{SourceFile, Sources};
use proptest::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};

/// Formats a text that must parse, with the diagnostics in the panic if not.
fn format(name: &str, text: &str) -> String {
    format_text(name, text).unwrap_or_else(|d| {
        let sources = support::sources(&[(name.to_string(), text.to_string())]);
        panic!(
            "{name} was not formatted:\n{}",
            iamc::diagnostics::Diagnostics(d).render_text(&sources)
        )
    })
}

/// The syntax tree of a text (which compares without its spans), with the
/// parser's diagnostics.
fn tree(text: &str) -> (Vec<Decl>, Vec<String>) {
    let mut sources = Sources::new();
    let id = sources.add(SourceFile::new("f.iam", text));
    let (decls, diagnostics) = iamc::syntax::parse_file(&sources, id);
    let messages = diagnostics.iter().map(|d| d.message.clone()).collect();
    (decls, messages)
}

fn sorted_comments(text: &str) -> Vec<String> {
    let mut c = comments(text).unwrap();
    c.sort();
    c
}

/// What must hold of every formatted file.
fn check_properties(name: &str, text: &str) -> String {
    let once = format(name, text);
    let twice = format(name, &once);
    if once != twice {
        let diff = similar::TextDiff::from_lines(&once, &twice)
            .unified_diff()
            .header("once", "twice")
            .to_string();
        panic!("{name}: formatting is not idempotent\n{diff}");
    }
    assert_eq!(tree(text), tree(&once), "{name}: the syntax tree changed");
    assert_eq!(
        sorted_comments(text),
        sorted_comments(&once),
        "{name}: the comments changed"
    );
    for (n, line) in once.lines().enumerate() {
        assert!(
            !line.ends_with(' ') && !line.contains('\t'),
            "{name}:{}: trailing blank or tab in the output",
            n + 1
        );
    }
    once
}

/// The check `iamc fmt` relies on: syntax trees compare equal wherever the
/// text moves, and unequal for any change of meaning, however small.
#[test]
fn syntax_trees_compare_without_spans_and_with_everything_else() {
    let base = fs::read_to_string(support::repo().join("tests/fmt/layout.expected.iam")).unwrap();
    let (tree_of_base, messages) = tree(&base);
    assert!(messages.is_empty(), "{messages:?}");
    // Every span moves; nothing else changes.
    let moved = format!("\n\n// a comment\n{}", base.replace("  ", "    "));
    assert_eq!(tree(&moved), (tree_of_base.clone(), Vec::new()));
    let changes = [
        ("allow [s3:GetObject", "deny [s3:GetObject"),
        ("s3:ListBucket]", "s3:ListBuckets]"),
        ("allow not iam:*", "allow iam:*"),
        ("on not \"arn:aws:iam", "on \"arn:aws:iam"),
        ("ForAnyValue:StringLike", "ForAllValues:StringLike"),
        ("\"aws:TagKeys\"", "\"aws:TagKey\""),
        ("\"team-f-*\"", "\"team-g-*\""),
        ("on [\"arn:aws:s3:::cdn\", \"arn:aws:s3:::cdn/*\"]", "on *"),
        (
            "\"arn:aws:s3:::cdn/*\"]\n",
            "\"arn:aws:s3:::cdn/*\"]\n    because \"cdn\"\n",
        ),
        ("policy Short {", "/// Short.\npolicy Short {"),
        ("group Short { A, B }", "group Short { A, C }"),
        ("group Short { A, B }", "group Short { B, A }"),
        (
            "template Read(bucket, prefix)",
            "template Read(prefix, bucket)",
        ),
        ("prefix: \"devserver/\"", "prefix: \"devserver\""),
        ("  instance_profile\n", ""),
        ("max_session 14400", "max_session 14401"),
        ("max_length 20", "max_length 2"),
        (
            "  trust Devserver\n",
            "  trust { service \"ec2.amazonaws.com\" }\n",
        ),
        ("  trust Devserver\n", "  trust Devservers\n"),
        ("  service \"ec2", "  federated \"ec2"),
        (
            "  service \"ec2.amazonaws.com\"",
            "  service \"ecs.amazonaws.com\"",
        ),
        (
            "ServiceUserProdKrun\"\n",
            "ServiceUserProdKrun\"\n  actions [sts:TagSession]\n",
        ),
        ("tag Team \"ml\"", "tag Team \"ai\""),
        ("  path \"/devs/\"\n", ""),
        (
            "description \"Prefix of the buckets\"",
            "description \"Prefix\"",
        ),
        ("users Krun", "users Krum"),
        ("role JaneDoe", "user JaneDoe"),
    ];
    for (from, to) in changes {
        assert!(base.contains(from), "{from:?} is not in the fixture");
        let changed = base.replacen(from, to, 1);
        let (tree_of_changed, messages) = tree(&changed);
        assert!(messages.is_empty(), "{from:?} -> {to:?}: {messages:?}");
        assert_ne!(
            tree_of_changed, tree_of_base,
            "{from:?} -> {to:?} compares equal"
        );
    }
}

#[test]
fn fixtures_format_to_their_expected_output() {
    let dir = support::repo().join("tests/fmt");
    let mut seen = 0;
    let mut inputs: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".iam") && !name.ends_with(".expected.iam")
        })
        .collect();
    inputs.sort();
    for input in inputs {
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(&input).unwrap();
        let formatted = check_properties(&name, &text);
        let expected_path = input.with_extension("expected.iam");
        if support::updating() {
            fs::write(&expected_path, &formatted).unwrap();
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != formatted {
            let diff = similar::TextDiff::from_lines(&expected, &formatted)
                .unified_diff()
                .header(&format!("{} (expected)", expected_path.display()), "actual")
                .to_string();
            panic!("{name} formats differently (UPDATE_EXPECT=1 rewrites it)\n{diff}");
        }
        assert_eq!(
            format(&name, &expected),
            expected,
            "{name}: expected output is not stable"
        );
        seen += 1;
    }
    assert!(seen >= 2, "the fixtures were not found");
}

/// Every `.iam` file below `dir`.
fn iam_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            iam_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "iam") {
            out.push(path);
        }
    }
}

#[test]
fn every_iam_file_of_the_repository_keeps_its_meaning() {
    let repo = support::repo();
    let mut files = Vec::new();
    for dir in ["policies", "tests"] {
        iam_files(&repo.join(dir), &mut files);
    }
    files.sort();
    let (mut formatted, mut refused) = (0, 0);
    for path in &files {
        let text = fs::read_to_string(path).unwrap();
        let name = path.display().to_string();
        match format_text(&name, &text) {
            Ok(_) => {
                check_properties(&name, &text);
                formatted += 1;
            }
            // Only a file with a syntax error may be refused.
            Err(d) => {
                assert!(
                    d.iter().all(|d| d.code == Code::Syntax),
                    "{name} was refused: {}",
                    d[0].message
                );
                refused += 1;
            }
        }
    }
    assert!(formatted > 60, "only {formatted} files formatted");
    assert!(refused > 0 && refused < 30, "{refused} files refused");
}

/// Compiles a program and the same program formatted: the templates must be
/// identical (or, if it does not compile, the diagnostics).
fn same_output(files: &[(String, String)], config: &Config) -> usize {
    let formatted: Vec<(String, String)> = files
        .iter()
        .map(|(name, text)| (name.clone(), format(name, text)))
        .collect();
    let changed = files
        .iter()
        .zip(&formatted)
        .filter(|(a, b)| a.1 != b.1)
        .count();
    let before = support::sources(files);
    let after = support::sources(&formatted);
    match (
        iamc::compile(&before, config),
        iamc::compile(&after, config),
    ) {
        (Ok(a), Ok(b)) => assert!(a.files() == b.files(), "the templates changed"),
        (Err(a), Err(b)) => {
            let messages = |d: &iamc::diagnostics::Diagnostics| {
                d.iter().map(|d| d.message.clone()).collect::<Vec<_>>()
            };
            assert_eq!(messages(&a), messages(&b));
        }
        (a, _) => panic!("compiles before formatting: {}, after: not", a.is_ok()),
    }
    changed
}

#[test]
fn the_example_program_and_golden_programs_compile_the_same_formatted() {
    let repo = support::repo();
    let policies = support::load_sources(&repo.join("policies"));
    assert!(same_output(&policies, &Config::default()) > 0);
    let mut programs = 0;
    for entry in fs::read_dir(repo.join("tests/golden")).unwrap() {
        let dir = entry.unwrap().path();
        if dir.join("policies").is_dir() {
            let files = support::load_sources(&dir.join("policies"));
            same_output(&files, &support::config(&dir));
            programs += 1;
        }
    }
    assert!(programs >= 5);
}

#[test]
fn a_generated_organisation_compiles_the_same_formatted() {
    let files = support::organisation(50);
    assert!(files.len() > 3);
    for (name, text) in &files {
        check_properties(name, text);
    }
    same_output(&files, &Config::default());
}

// ---------------------------------------------------------------- random programs

/// What may stand between two tokens: the formatter must make the same
/// program of each, comments and `///` docs included.
fn separator() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(" ".to_string()),
        2 => Just("\n  ".to_string()),
        1 => Just("\n\n\n".to_string()),
        1 => Just("\t \n".to_string()),
        1 => (0..99u8).prop_map(|n| format!(" // note {n}\n")),
        1 => (0..99u8).prop_map(|n| format!("\n// own line {n}\n\n")),
        1 => (0..99u8).prop_map(|n| format!("\n/// doc {n}\n")),
    ]
}

fn action() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("s3:GetObject".to_string()),
        Just("s3:Get*".to_string()),
        Just("*".to_string()),
        "[a-z]{2,6}:[A-Z][a-zA-Z]{3,30}",
    ]
}

fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        "arn:aws:s3:::[a-z-]{1,50}/\\*".prop_map(|s| format!("\"{s}\"")),
        Just(r#""with \"escapes\" and \\ // not a comment""#.to_string()),
        Just("\"${AWS::AccountId}\"".to_string()),
    ]
}

/// A list written with brackets (sometimes a trailing comma), or one bare item.
fn list(item: BoxedStrategy<String>) -> impl Strategy<Value = Vec<String>> {
    (
        prop::collection::vec(item.clone(), 0..6),
        any::<bool>(),
        item,
    )
        .prop_map(|(items, comma, one)| {
            if items.len() == 1 {
                return vec![one];
            }
            let mut out = vec!["[".to_string()];
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(",".to_string());
                }
                out.push(item.clone());
            }
            if comma && !items.is_empty() {
                out.push(",".to_string());
            }
            out.push("]".to_string());
            out
        })
}

fn statement() -> impl Strategy<Value = Vec<String>> {
    (
        prop_oneof![Just("allow"), Just("deny")],
        any::<bool>(),
        list(action().boxed()),
        prop_oneof![
            Just(vec!["*".to_string()]),
            list(string().boxed()).prop_filter("a resource", |l| l.len() != 2)
        ],
        prop::collection::vec(list(string().boxed()), 0..3),
        prop::option::of(string()),
    )
        .prop_map(|(effect, not, actions, resources, conditions, because)| {
            let mut t = vec![effect.to_string()];
            if not {
                t.push("not".to_string());
            }
            t.extend(actions);
            t.push("on".to_string());
            t.extend(resources);
            for values in conditions {
                t.extend(["when".to_string(), "StringLike".to_string()]);
                t.push("\"aws:PrincipalTag/team\"".to_string());
                t.extend(values);
            }
            if let Some(b) = because {
                t.extend(["because".to_string(), b]);
            }
            t
        })
}

fn declaration(i: usize) -> impl Strategy<Value = Vec<String>> {
    let name = format!("Decl{i}");
    let members = prop::collection::vec(("[A-Z][a-z]{1,30}", any::<bool>()), 0..8);
    prop_oneof![
        prop::collection::vec(statement(), 0..4).prop_map({
            let name = name.clone();
            move |statements| {
                let mut t = vec!["policy".to_string(), name.clone(), "{".to_string()];
                t.extend(statements.into_iter().flatten());
                t.push("}".to_string());
                t
            }
        }),
        members.prop_map({
            let name = name.clone();
            move |members| {
                let mut t = vec!["group".to_string(), name.clone(), "{".to_string()];
                for (m, comma) in members {
                    t.push(m);
                    if comma {
                        t.push(",".to_string());
                    }
                }
                t.push("}".to_string());
                t
            }
        }),
        (
            prop::collection::vec("[A-Z][a-z]{1,20}", 1..12),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(move |(grants, bracket, inline)| {
                let mut t = vec!["role".to_string(), name.clone(), "{".to_string()];
                t.push("grants".to_string());
                if bracket {
                    t.push("[".to_string());
                }
                for (i, g) in grants.into_iter().enumerate() {
                    if i > 0 {
                        t.push(",".to_string());
                    }
                    t.push(g);
                }
                if bracket {
                    t.push("]".to_string());
                }
                t.push("trust".to_string());
                if inline {
                    t.extend(["{", "service", "\"ec2.amazonaws.com\"", "}"].map(String::from));
                } else {
                    t.push("Devserver".to_string());
                }
                t.extend(["tag", "Owner", "\"me\"", "instance_profile"].map(String::from));
                t.push("}".to_string());
                t
            }),
    ]
}

fn program() -> impl Strategy<Value = String> {
    (1..5usize)
        .prop_flat_map(|n| (0..n).map(declaration).collect::<Vec<_>>())
        .prop_flat_map(|decls| {
            let tokens: Vec<String> = decls.into_iter().flatten().collect();
            let n = tokens.len();
            (Just(tokens), prop::collection::vec(separator(), n))
        })
        .prop_map(|(tokens, separators)| {
            let mut text = String::new();
            for (token, sep) in tokens.iter().zip(separators) {
                text.push_str(token);
                text.push_str(&sep);
            }
            text
        })
}

proptest! {
    #![proptest_config(support::proptest_config(300))]

    #[test]
    fn random_programs_format_idempotently_and_keep_meaning(text in program()) {
        let (_, diagnostics) = tree(&text);
        prop_assume!(diagnostics.is_empty());
        check_properties("random.iam", &text);
    }
}
