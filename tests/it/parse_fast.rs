//! The parser's fast path (src/syntax/fast.rs) against pest: whenever the fast
//! path accepts a file, pest must build exactly the same declarations (spans
//! and docs included) and the same diagnostics from it; and every correct
//! program of the repository must take the fast path, or it would be no
//! faster. Checked on every `.iam` file and book example, on random mutations
//! of them, and on random programs laid out with random whitespace and
//! comments. The fuzz target checks the same on everything it reaches.

use crate::support;
use proptest::prelude::*;
use std::fs;
use std::path::Path;

/// Both parses, printed; `None` where the fast path gives up.
fn parses(text: &str) -> (Option<String>, String) {
    let fast = iamc::syntax::parse_fast(0, text).map(|parsed| format!("{parsed:#?}"));
    let pest = format!("{:#?}", iamc::syntax::parse_with_pest(0, text));
    (fast, pest)
}

/// Checks that the two parsers agree; returns whether the fast path accepted.
fn agree(name: &str, text: &str) -> bool {
    let (fast, pest) = parses(text);
    let Some(fast) = fast else { return false };
    if fast != pest {
        let diff = similar::TextDiff::from_lines(&pest, &fast)
            .unified_diff()
            .header("pest", "fast")
            .to_string();
        panic!("{name}: the fast path builds another tree than pest:\n{diff}\ninput:\n{text}");
    }
    true
}

/// Every `.iam` file of the repository (outside build output) and every
/// `iam` block of the book.
fn repository_inputs() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if !matches!(
                    name.as_str(),
                    "target" | "corpus" | "artifacts" | ".venv" | ".git"
                ) {
                    walk(&path, out);
                }
            } else if name.ends_with(".iam") {
                out.push((
                    path.display().to_string(),
                    fs::read_to_string(&path).unwrap(),
                ));
            } else if name.ends_with(".md") {
                let text = fs::read_to_string(&path).unwrap();
                let mut block: Option<String> = None;
                for (n, line) in text.lines().enumerate() {
                    match &mut block {
                        None if line.trim_start().starts_with("```iam") => {
                            block = Some(String::new())
                        }
                        Some(_) if line.trim_start().starts_with("```") => {
                            let name = format!("{}:{n}", path.display());
                            out.push((name, block.take().unwrap()));
                        }
                        Some(b) => {
                            b.push_str(line);
                            b.push('\n');
                        }
                        None => {}
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for dir in ["policies", "tests", "book/src"] {
        walk(&support::repo().join(dir), &mut out);
    }
    out.push(("README.md".into(), {
        let readme = fs::read_to_string(support::repo().join("README.md")).unwrap();
        let start = readme.find("```iam\n").unwrap() + 7;
        readme[start..start + readme[start..].find("```").unwrap()].to_string()
    }));
    out.sort();
    out
}

#[test]
fn the_parsers_agree_on_every_repository_file() {
    let inputs = repository_inputs();
    assert!(inputs.len() > 150, "found only {} inputs", inputs.len());
    let accepted = inputs.iter().filter(|(n, t)| agree(n, t)).count();
    // The UI cases are mostly mistakes, which the fast path leaves to pest.
    assert!(
        accepted * 2 > inputs.len(),
        "fast path took only {accepted} of {}",
        inputs.len()
    );
}

#[test]
fn correct_programs_take_the_fast_path() {
    let mut files: Vec<(String, String)> = support::organisation(100);
    files.extend(support::load_sources(&support::repo().join("policies")));
    for case in fs::read_dir(support::repo().join("tests/golden")).unwrap() {
        files.extend(support::load_sources(&case.unwrap().path()));
    }
    for (name, text) in &files {
        assert!(
            agree(name, text),
            "{name}: the fast path gave up on a correct program"
        );
    }
}

#[test]
fn keywords_are_the_grammars_in_its_order() {
    // The fast path resolves `keyword`'s ordered choice with this list.
    let grammar = fs::read_to_string(support::repo().join("grammar/iam.pest")).unwrap();
    let rule = &grammar[grammar.find("keyword = @{").unwrap()..];
    let rule = &rule[..rule.find("~ !ident_char").unwrap()];
    let words: Vec<&str> = rule.split('"').skip(1).step_by(2).collect();
    let reserved: Vec<&str> = iamc::syntax::keywords::reserved().collect();
    assert_eq!(words, reserved);
}

#[test]
fn actions_is_a_keyword_only_in_a_trust_entry() {
    // Added after the language contract, `actions` is not reserved: a
    // program that named something `actions` before still compiles.
    let text = "policy actions { allow s3:GetObject on \"*\" }\n\
        trust actions {\n  service \"ec2.amazonaws.com\" actions [sts:TagSession]\n}\n\
        role R { grants actions trust actions }\n";
    assert!(agree("actions", text), "the fast path gave up");
    let (decls, diagnostics) = iamc::syntax::parse_with_pest(0, text);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let names: Vec<&str> = decls.iter().map(|d| d.name.name.as_str()).collect();
    assert_eq!(names, ["actions", "actions", "R"]);
    let iamc::ast::DeclKind::Trust(trust) = &decls[1].kind else {
        panic!("not a trust: {:?}", decls[1].kind)
    };
    let actions: Vec<&str> = trust.entries[0]
        .actions
        .iter()
        .map(|a| a.text.as_str())
        .collect();
    assert_eq!(actions, ["sts:TagSession"]);
}

// ---------------------------------------------------------------- mutations

/// Snippets a mutation inserts: the grammar's punctuation, keywords, names
/// that are nearly names, whitespace, comments and escapes.
const SNIPPETS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    ",",
    ":",
    "=",
    "*",
    "\"",
    "\\",
    "\\q",
    "\\\"",
    "\n",
    " ",
    "\t",
    "\r\n",
    "\u{FEFF}",
    "// c\n",
    "/// d\n",
    "//",
    "policy ",
    "role ",
    "roles ",
    "users ",
    "policies ",
    "grants ",
    "trust ",
    "actions ",
    "actions [sts:TagSession]",
    "allow ",
    "deny ",
    "not ",
    "on ",
    "when ",
    "because ",
    "group ",
    "instance_profile",
    "tag ",
    "A",
    "Ab1",
    "a_b",
    "x-y",
    "1",
    "99999999999999999999",
    "é",
    "s3:Get*",
    "\"x\"",
    "notify:X",
    "not:X",
    "deny:X",
    "StringLike",
    "ForAnyValue:StringLike",
];

fn boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// One edit: delete a range, duplicate a range, or insert a snippet.
fn mutate(text: &str, op: u8, a: usize, b: usize, snippet: usize) -> String {
    let a = boundary(text, a % (text.len() + 1));
    let b = boundary(text, (a + b % 24).min(text.len()));
    let mut out = String::with_capacity(text.len() + 32);
    match op % 3 {
        0 => {
            out.push_str(&text[..a]);
            out.push_str(&text[b..]);
        }
        1 => {
            out.push_str(&text[..b]);
            out.push_str(&text[a..b]);
            out.push_str(&text[b..]);
        }
        _ => {
            out.push_str(&text[..a]);
            out.push_str(SNIPPETS[snippet % SNIPPETS.len()]);
            out.push_str(&text[a..]);
        }
    }
    out
}

proptest! {
    #![proptest_config(support::proptest_config(3000))]

    #[test]
    fn the_parsers_agree_on_mutated_files(
        seed in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>(), any::<usize>()), 1..4),
    ) {
        let inputs = repository_inputs_cached();
        let (name, text) = &inputs[seed.index(inputs.len())];
        let mut text = text.clone();
        for (op, a, b, s) in edits {
            text = mutate(&text, op, a, b, s);
        }
        agree(name, &text);
    }

    #[test]
    fn the_parsers_agree_on_random_programs(seed in any::<u64>()) {
        let text = Program::new(seed).program();
        prop_assert!(agree("random program", &text), "fast path gave up on:\n{}", text);
    }
}

fn repository_inputs_cached() -> &'static [(String, String)] {
    static INPUTS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    INPUTS.get_or_init(repository_inputs)
}

// ---------------------------------------------------------------- random programs

/// A random correct program (for the grammar; names need not resolve), with
/// random whitespace, comments and docs between its tokens.
struct Program {
    state: u64,
    out: String,
}

impl Program {
    fn new(seed: u64) -> Program {
        Program {
            state: seed | 1,
            out: String::new(),
        }
    }

    fn next(&mut self, n: usize) -> usize {
        // xorshift64*
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        (self.state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.next(from.len())]
    }

    /// What may stand between two tokens; `needed` when the two would
    /// otherwise run together.
    fn gap(&mut self, needed: bool) {
        let gaps = [
            " ",
            " ",
            "\n",
            "\n  ",
            "  ",
            "\t",
            "\r\n",
            " // note\n",
            "\n/// doc line\n",
            "\n///\n",
            "\u{FEFF}",
            "\n\n",
        ];
        if needed || self.next(2) == 0 {
            let gap = self.pick(&gaps);
            self.out.push_str(gap);
        }
    }

    fn word(&mut self, word: &str) {
        self.out.push_str(word);
    }

    fn name(&mut self) {
        let name = self.pick(&[
            "A", "TeamADev", "Roles", "roles", "users", "Policy", "X1", "notify",
        ]);
        self.word(name);
    }

    fn string(&mut self) {
        let s = self.pick(&[
            "\"arn:aws:s3:::b/*\"",
            "\"\"",
            "\"a \\\"q\\\" b\"",
            "\"tab\\t\\\\ \\n\"",
            "\"bad \\q escape\"",
            "\"${AWS::Region}\"",
            "\"é\"",
        ]);
        self.word(s);
    }

    /// `[a, b,]` or one item (when `single` allows it).
    fn list(&mut self, single: bool, item: fn(&mut Program)) {
        if single && self.next(2) == 0 {
            return item(self);
        }
        self.delimited("[", "]", item);
    }

    /// Items between `open` and `close`, comma-separated, maybe with a trailing comma.
    fn delimited(&mut self, open: &str, close: &str, item: fn(&mut Program)) {
        self.word(open);
        let n = self.next(4);
        for i in 0..n {
            self.gap(false);
            item(self);
            self.gap(false);
            if i + 1 < n || self.next(2) == 0 {
                self.word(",");
            }
        }
        self.gap(false);
        self.word(close);
    }

    fn action(&mut self) {
        let a = self.pick(&[
            "s3:GetObject",
            "s3:Get*",
            "*",
            "iam:PassRole",
            "notify:X",
            "ec2:*",
        ]);
        self.word(a);
    }

    /// A trust entry's session action, or something only the checker refuses.
    fn session_action(&mut self) {
        let a = self.pick(&["sts:TagSession", "sts:SetSourceIdentity", "s3:*", "actions"]);
        self.word(a);
    }

    fn statement(&mut self) {
        let effect = self.pick(&["allow", "deny"]);
        self.word(effect);
        self.gap(true);
        if self.next(4) == 0 {
            self.word("not");
            self.gap(true);
        }
        self.list(true, Program::action);
        self.gap(true);
        self.word("on");
        self.gap(true);
        if self.next(4) == 0 {
            self.word("not");
            self.gap(true);
        }
        if self.next(3) == 0 {
            self.word("*");
        } else {
            self.list(true, Program::string);
        }
        for _ in 0..self.next(3) {
            self.gap(true);
            self.word("when");
            self.gap(true);
            let op = self.pick(&[
                "StringLike",
                "ForAnyValue:StringEquals",
                "Bool",
                "IpAddress2",
            ]);
            self.word(op);
            self.gap(true);
            self.string();
            self.gap(true);
            self.list(true, Program::string);
        }
        if self.next(3) == 0 {
            self.gap(true);
            self.word("because");
            self.gap(true);
            self.string();
        }
    }

    fn names(&mut self) {
        if self.next(2) == 0 {
            return self.list(false, Program::name);
        }
        let n = 1 + self.next(3);
        for i in 0..n {
            if i > 0 {
                self.gap(false);
                self.word(",");
                self.gap(false);
            }
            self.name();
        }
    }

    fn trust_body(&mut self) {
        self.word("{");
        for _ in 0..self.next(3) {
            self.gap(false);
            let kind = self.pick(&["service", "aws", "federated"]);
            self.word(kind);
            self.gap(true);
            self.list(true, Program::string);
            if self.next(3) == 0 {
                self.gap(true);
                self.word("actions");
                self.gap(true);
                self.list(true, Program::session_action);
                // A bare action would run into the next entry's keyword.
                self.gap(true);
            }
            if self.next(3) == 0 {
                self.gap(true);
                self.word("when StringEquals \"aws:SourceAccount\" \"1\"");
            }
        }
        self.gap(false);
        self.word("}");
    }

    fn declaration(&mut self) {
        let kind = self.pick(&[
            "policy", "instance", "template", "group", "trust", "param", "role", "user", "stack",
        ]);
        let keyword = if kind == "instance" { "policy" } else { kind };
        self.word(keyword);
        self.gap(true);
        self.name();
        self.gap(false);
        match kind {
            "policy" | "template" => {
                if kind == "template" {
                    self.delimited("(", ")", Program::name);
                    self.gap(false);
                }
                self.word("{");
                for _ in 0..self.next(3) {
                    self.gap(false);
                    self.statement();
                }
                self.gap(false);
                self.word("}");
            }
            "instance" => {
                self.word("=");
                self.gap(false);
                self.name();
                self.gap(false);
                self.delimited("(", ")", |p| {
                    p.name();
                    p.gap(false);
                    p.word(":");
                    p.gap(false);
                    p.string();
                });
            }
            "group" => {
                self.word("{");
                for _ in 0..self.next(4) {
                    self.gap(true);
                    self.name();
                    if self.next(2) == 0 {
                        self.gap(false);
                        self.word(",");
                    }
                }
                self.gap(true);
                self.word("}");
            }
            "trust" => self.trust_body(),
            "param" => {
                self.word("{");
                for _ in 0..self.next(4) {
                    self.gap(false);
                    match self.next(3) {
                        0 => self.word("default"),
                        1 => self.word("description"),
                        _ => {
                            self.word("max_length");
                            self.gap(true);
                            let n = self.pick(&["10", "0", "99999999999999999999"]);
                            self.word(n);
                            continue;
                        }
                    }
                    self.gap(true);
                    self.string();
                }
                self.gap(false);
                self.word("}");
            }
            "stack" => {
                self.word("{");
                for _ in 0..self.next(4) {
                    self.gap(true);
                    let list = self.pick(&["roles", "users", "policies"]);
                    self.word(list);
                    self.gap(true);
                    self.names();
                }
                self.gap(true);
                self.word("}");
            }
            _ => {
                self.word("{");
                for _ in 0..self.next(6) {
                    self.gap(true);
                    self.property();
                }
                self.gap(true);
                self.word("}");
            }
        }
    }

    fn property(&mut self) {
        match self.next(9) {
            0 => {
                self.word("grants");
                self.gap(true);
                self.names();
            }
            1 => {
                self.word("trust");
                self.gap(true);
                if self.next(2) == 0 {
                    self.trust_body();
                } else {
                    self.name();
                }
            }
            2 => {
                self.word("managed");
                self.gap(true);
                self.list(true, Program::string);
            }
            3 => self.word("instance_profile"),
            4 => {
                let word = self.pick(&["boundary", "path", "description"]);
                self.word(word);
                self.gap(true);
                self.string();
            }
            5 => {
                self.word("max_session");
                self.gap(true);
                self.word("3600");
            }
            _ => {
                self.word("tag");
                self.gap(true);
                if self.next(2) == 0 {
                    self.name();
                } else {
                    self.string();
                }
                self.gap(true);
                self.string();
            }
        }
    }

    fn program(mut self) -> String {
        for _ in 0..1 + self.next(4) {
            self.gap(false);
            self.declaration();
            self.gap(true);
        }
        self.out
    }
}
