//! Hostile inputs: each gives a diagnostic (or compiles, where the input is
//! valid) within a bounded time and memory, never a crash or a hang. Large
//! inputs are generated into temp folders at run time, deterministically.
//! Every run is the real binary under `ulimit -v` (2 GiB of address space) and
//! is killed after 60 s; a kill fails the test.

use crate::support;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(60);

/// The most text diagnostics may print for any of these inputs: a long source
/// line is not echoed under each label, and only the first 100 are shown.
const MAX_STDERR: usize = 100_000;

fn project(name: &str, files: &[(&str, Vec<u8>)]) -> support::TempDir {
    let dir = support::TempDir::new(&format!("hostile-{name}"));
    fs::create_dir_all(dir.join("policies")).unwrap();
    for (file, bytes) in files {
        fs::write(dir.join("policies").join(file), bytes).unwrap();
    }
    dir
}

struct Run {
    code: i32,
    stderr: String,
    took: Duration,
}

/// `iamc build` in `dir`, with 2 GiB of address space and a 60 s deadline.
fn build(dir: &Path) -> Run {
    let bin = env!("CARGO_BIN_EXE_iamc");
    let start = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v 2097152; exec '{bin}' build"))
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            panic!("{}: still running after {LIMIT:?}: killed", dir.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = start.elapsed();
    let stderr = reader.join().unwrap();
    let _ = fs::remove_dir_all(dir);
    let code = status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {status:?}\n{stderr}"));
    assert!(!stderr.contains("panicked"), "panic:\n{stderr}");
    assert!(!stderr.contains("E999"), "internal error:\n{stderr}");
    eprintln!("{}: exit {code} in {took:?}", dir.display());
    Run { code, stderr, took }
}

fn fails_with(run: &Run, code: &str) {
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("[{code}]")),
        "expected {code}:\n{}",
        run.stderr
    );
}

const ROLE: &str =
    "trust T { service \"ec2.amazonaws.com\" }\nrole R {\n  grants G\n  trust T\n}\n";

#[test]
fn binary_garbage_is_not_utf8() {
    // A fixed pseudo-random byte sequence with invalid UTF-8 in it.
    let mut x: u32 = 0x2545_F491;
    let bytes: Vec<u8> = (0..65_536)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .chain([0xff, 0xfe])
        .collect();
    fails_with(
        &build(&project("garbage", &[("garbage.iam", bytes)])),
        "E081",
    );
}

#[test]
fn fifty_megabytes_of_comments_then_a_program() {
    let mut text =
        "// padding padding padding padding padding padding padding padding\n".repeat(750_000);
    text.push_str("policy P { allow s3:GetObject on \"arn:aws:s3:::b/*\" }\ngroup G { P }\n");
    text.push_str(ROLE);
    assert!(text.len() > 50_000_000);
    let run = build(&project("50mb", &[("big.iam", text.into_bytes())]));
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_fifty_megabyte_string_is_too_large_a_statement() {
    let text = format!(
        "policy P {{ allow s3:GetObject on \"arn:aws:s3:::{}\" }}\ngroup G {{ P }}\n{ROLE}",
        "b".repeat(50_000_000)
    );
    let run = build(&project("50mb-string", &[("big.iam", text.into_bytes())]));
    fails_with(&run, "E028");
    assert!(run.stderr.len() < MAX_STDERR, "{} bytes", run.stderr.len());
}

#[test]
fn ten_thousand_deep_brackets_and_braces() {
    for (name, open) in [("brackets", "["), ("braces", "{")] {
        let text = format!("policy P {{ allow {} }}\n", open.repeat(10_000));
        fails_with(
            &build(&project(name, &[("deep.iam", text.into_bytes())])),
            "E001",
        );
    }
}

#[test]
fn a_ten_thousand_deep_chain_of_groups_compiles() {
    let mut text =
        String::from("policy P { allow s3:GetObject on \"arn:aws:s3:::b/*\" }\ngroup G0 { P }\n");
    for i in 1..10_000 {
        text.push_str(&format!("group G{i} {{ G{} }}\n", i - 1));
    }
    text.push_str(&ROLE.replace("grants G", "grants G9999"));
    let run = build(&project("chain", &[("chain.iam", text.into_bytes())]));
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_hundred_thousand_member_group() {
    let mut text = String::new();
    for i in 0..100_000 {
        text.push_str(&format!(
            "policy P{i} {{ allow s3:GetObject on \"arn:aws:s3:::b{i}/*\" }}\n"
        ));
    }
    let members: Vec<String> = (0..100_000).map(|i| format!("P{i}")).collect();
    text.push_str(&format!("group G {{ {} }}\n", members.join(", ")));
    text.push_str(ROLE);
    // 100,000 statements are far more than ten managed policies hold.
    let run = build(&project("wide", &[("wide.iam", text.into_bytes())]));
    fails_with(&run, "E027");
    assert!(run.took < LIMIT);
}

#[test]
fn a_hundred_thousand_undefined_members_each_reported() {
    let members: Vec<String> = (0..100_000).map(|i| format!("Missing{i}")).collect();
    let text = format!(
        "policy P {{ allow s3:GetObject on \"arn:aws:s3:::b/*\" }}\ngroup G {{ P, {} }}\n{ROLE}",
        members.join(", ")
    );
    // All on one 1.2 MB line, which each diagnostic would otherwise print.
    let run = build(&project("undefined", &[("u.iam", text.into_bytes())]));
    fails_with(&run, "E011");
    assert!(run.stderr.len() < MAX_STDERR, "{} bytes", run.stderr.len());
    assert!(
        run.stderr.contains("99900 more not shown"),
        "{}",
        run.stderr
    );
}

#[test]
fn thirty_thousand_misspelt_names_among_thirty_thousand_policies() {
    // "did you mean" compares a name with every declaration: done for every
    // undefined name, this was quadratic (minutes); now only the first errors
    // get a suggestion.
    let mut text = String::new();
    for i in 0..30_000 {
        text.push_str(&format!(
            "policy Read{i} {{ allow s3:GetObject on \"arn:aws:s3:::b{i}/*\" }}\n"
        ));
    }
    let members: Vec<String> = (0..30_000).map(|i| format!("Raed{i}")).collect();
    text.push_str(&format!("group G {{ {} }}\n{ROLE}", members.join(", ")));
    let run = build(&project("misspelt", &[("m.iam", text.into_bytes())]));
    fails_with(&run, "E011");
    assert!(
        run.stderr.contains("did you mean `Read0`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_thousand_node_cycle_is_one_diagnostic() {
    let mut text = String::from("policy P { allow s3:GetObject on \"arn:aws:s3:::b/*\" }\n");
    for i in 0..1_000 {
        text.push_str(&format!("group G{i} {{ P, G{} }}\n", (i + 1) % 1_000));
    }
    text.push_str(&ROLE.replace("grants G", "grants G0"));
    let run = build(&project("cycle", &[("cycle.iam", text.into_bytes())]));
    fails_with(&run, "E013");
    assert_eq!(
        run.stderr.matches("error[E013]").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("G999 → G0"),
        "the cycle is not named in full"
    );
}

#[test]
fn crlf_and_bom_files_compile_like_lf_files() {
    let text = format!(
        "/// Read.\npolicy P {{\n  allow s3:GetObject on \"arn:aws:s3:::b/*\"\n}}\ngroup G {{ P }}\n{ROLE}"
    );
    let crlf = text.replace('\n', "\r\n");
    let bom = format!("\u{feff}{text}");
    for (name, body) in [("lf", text.clone()), ("crlf", crlf), ("bom", bom)] {
        let run = build(&project(name, &[("p.iam", body.into_bytes())]));
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
    }
}

#[test]
fn non_ascii_in_strings_and_names() {
    // Latin-1 is accepted in a policy string; an emoji is not; a name is ASCII.
    let latin = format!(
        "policy P {{ allow s3:GetObject on \"arn:aws:s3:::caf\u{e9}/*\" }}\ngroup G {{ P }}\n{ROLE}"
    );
    assert_eq!(
        build(&project("latin1", &[("p.iam", latin.clone().into_bytes())])).code,
        0
    );
    let emoji = latin.replace('\u{e9}', "\u{1f600}");
    fails_with(
        &build(&project("emoji", &[("p.iam", emoji.into_bytes())])),
        "E029",
    );
    let name = latin
        .replace("policy P", "policy Caf\u{e9}")
        .replace("group G { P }", "group G { Caf\u{e9} }");
    let run = build(&project("name", &[("p.iam", name.into_bytes())]));
    fails_with(&run, "E001");
    assert!(run.stderr.contains("found `\u{e9}`"), "{}", run.stderr);
}
