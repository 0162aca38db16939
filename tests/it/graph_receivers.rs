//! `iamc graph` with trusts and stacks, and `iamc graph --receivers NAME`
//! (who receives a policy or group), run with the real binary on a small
//! fixture and checked against the downward graph of every principal.

use crate::support;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

/// Base reaches Dev by two paths (TeamA and TeamB); Orphan is received by
/// nobody; Shared is emitted standalone by stack Platform; Ops has an inline
/// trust with a condition.
const FIXTURE: &str = r#"
policy Base { allow s3:GetObject on "arn:aws:s3:::b/*" }
policy Orphan { deny s3:DeleteObject on "arn:aws:s3:::b/*" }
policy Shared { allow sqs:SendMessage on "arn:aws:sqs:us-east-1:111122223333:q" }
policy OpsOnly { allow ec2:DescribeInstances on "*" }
group Common { Base }
group TeamA { Common }
group TeamB { Common }
trust Devserver { service "ec2.amazonaws.com" }
role Dev {
  grants TeamA, TeamB
  trust Devserver
}
role Ops {
  grants OpsOnly, Base
  trust {
    federated "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
      when StringLike "token.actions.githubusercontent.com:sub" ["repo:acme/*"]
  }
}
user Bot { grants TeamB }
stack Platform {
  roles Dev
  users Bot
  policies Shared
}
"#;

/// The fixture in a folder of its own (tests run in parallel).
fn project(name: &str) -> support::TempDir {
    let dir = support::TempDir::new(&format!("graph-receivers-{name}"));
    fs::create_dir_all(dir.join("policies")).unwrap();
    fs::write(dir.join("policies/main.iam"), FIXTURE).unwrap();
    dir
}

fn iamc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamc"))
        .arg("graph")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = iamc(dir, &[args, &["--format", "json"]].concat());
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn names(graph: &serde_json::Value, kinds: &[&str]) -> BTreeSet<String> {
    graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| kinds.contains(&n["kind"].as_str().unwrap()))
        .map(|n| n["name"].as_str().unwrap().to_string())
        .collect()
}

fn edges(graph: &serde_json::Value) -> Vec<(String, String, String)> {
    graph["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap().to_string();
            (s("from"), s("to"), s("kind"))
        })
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn edge(from: &str, to: &str, kind: &str) -> (String, String, String) {
    (from.to_string(), to.to_string(), kind.to_string())
}

#[test]
fn a_policy_reached_by_two_paths_shows_both() {
    let dir = project("two-paths");
    let g = json(&dir, &["--receivers", "Base"]);
    assert_eq!(names(&g, &["role", "user"]), set(&["Dev", "Ops", "Bot"]));
    assert_eq!(names(&g, &["group"]), set(&["Common", "TeamA", "TeamB"]));
    assert_eq!(names(&g, &["stack"]), set(&["Platform"]));
    assert_eq!(
        names(&g, &["policy"]),
        set(&["Base"]),
        "nothing below or beside"
    );
    assert_eq!(names(&g, &["trust"]), set(&[]), "trusts do not receive");
    let e = edges(&g);
    for want in [
        edge("Dev", "TeamA", "grants"),
        edge("Dev", "TeamB", "grants"),
        edge("TeamA", "Common", "grants"),
        edge("TeamB", "Common", "grants"),
        edge("Common", "Base", "grants"),
        edge("Ops", "Base", "grants"),
        edge("Bot", "TeamB", "grants"),
        edge("Platform", "Dev", "contains"),
        edge("Platform", "Bot", "contains"),
    ] {
        assert!(e.contains(&want), "{want:?} missing from {e:?}");
    }
    assert_eq!(e.len(), 9, "exactly those: {e:?}");
    // Common appears once, with both arrows into it.
    let mermaid = iamc(&dir, &["--receivers", "Base"]);
    let text = String::from_utf8(mermaid.stdout).unwrap();
    assert_eq!(text.matches("g_Common[").count(), 1, "{text}");
    assert!(text.contains("  g_TeamA --> g_Common\n"), "{text}");
    assert!(text.contains("  g_TeamB --> g_Common\n"), "{text}");
    assert!(
        text.contains("  s_Platform -.->|contains| r_Dev\n"),
        "{text}"
    );
}

#[test]
fn a_group_has_receivers_too() {
    let dir = project("group");
    let g = json(&dir, &["--receivers", "TeamB"]);
    assert_eq!(
        names(&g, &["role", "user", "stack", "group", "policy"]),
        set(&["Dev", "Bot", "Platform", "TeamB"])
    );
}

#[test]
fn a_policy_nobody_receives_is_drawn_alone_with_a_note() {
    let dir = project("nobody");
    let out = iamc(&dir, &["--receivers", "Orphan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let g: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        names(&g, &["stack", "trust", "role", "user", "group", "policy"]),
        set(&["Orphan"])
    );
    assert!(edges(&g).is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "note: no principal or stack receives `Orphan`\n"
    );
    // A standalone policy of a stack is received by that stack, so no note.
    let out = iamc(&dir, &["--receivers", "Shared", "--format", "json"]);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let g: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(edges(&g), vec![edge("Platform", "Shared", "contains")]);
}

#[test]
fn receivers_wants_a_policy_or_group() {
    let dir = project("wants");
    for (name, message) in [
        ("Dev", "error[E084]: `Dev` is a role, not a policy or group"),
        ("Basse", "error[E084]: no policy or group is named `Basse`"),
    ] {
        let out = iamc(&dir, &["--receivers", name]);
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with(message), "{err}");
    }
    let out = iamc(&dir, &["Dev", "--receivers", "Base"]);
    assert_eq!(out.status.code(), Some(2), "NAME and --receivers conflict");
}

#[test]
fn trusts_and_stacks_are_drawn() {
    let dir = project("trusts");
    let g = json(&dir, &[]);
    assert_eq!(
        names(&g, &["trust"]),
        set(&["Devserver", "Ops (inline trust)"])
    );
    assert_eq!(names(&g, &["stack"]), set(&["Platform"]));
    let drawn: BTreeSet<(String, String, String)> = edges(&g).into_iter().collect();
    let wanted = BTreeSet::from([
        edge("Devserver", "Dev", "assumes"),
        edge("Ops (inline trust)", "Ops", "assumes"),
        edge("Platform", "Dev", "contains"),
        edge("Platform", "Bot", "contains"),
        edge("Platform", "Shared", "contains"),
    ]);
    assert!(drawn.is_superset(&wanted), "{drawn:?}");
    let trusts: Vec<&serde_json::Value> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "trust")
        .collect();
    assert_eq!(
        trusts[0]["trusts"],
        serde_json::json!(["service ec2.amazonaws.com"])
    );
    assert_eq!(
        trusts[1]["trusts"],
        serde_json::json!([
            "federated arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com (with conditions)"
        ])
    );
    // From a role: its trust is drawn, and no stack above it.
    let g = json(&dir, &["Dev"]);
    assert_eq!(names(&g, &["trust"]), set(&["Devserver"]));
    assert_eq!(names(&g, &["stack"]), set(&[]));
    // From a stack: its members and what they reach.
    let g = json(&dir, &["Platform"]);
    assert_eq!(
        names(&g, &["stack", "role", "user", "policy"]),
        set(&["Platform", "Dev", "Bot", "Base", "Shared"])
    );
    assert!(!names(&g, &["policy"]).contains("OpsOnly"));
    // Every format draws them.
    let dot = String::from_utf8(iamc(&dir, &["--format", "dot"]).stdout).unwrap();
    assert!(
        dot.contains("  \"Devserver\" -> \"Dev\" [style=dashed, label=\"assumes\"];\n"),
        "{dot}"
    );
    assert!(dot.contains("  \"Platform\" [shape=folder"), "{dot}");
    let mermaid = String::from_utf8(iamc(&dir, &[]).stdout).unwrap();
    assert!(
        mermaid.contains("  t_Devserver{{\"Devserver<br>service ec2.amazonaws.com\"}}:::trust\n"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("  ti_Ops -.->|assumes| r_Ops\n"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("  s_Platform[[\"Platform\"]]:::stack\n"),
        "{mermaid}"
    );
}

/// Independent of how receivers are walked: X is among the receivers of P
/// exactly when P is in the graph drawn down from X, for every principal and
/// stack X and every policy and group P, on the fixture and on the example.
#[test]
fn receivers_are_the_inverse_of_reach() {
    let fixture = project("inverse");
    for dir in [fixture.as_ref(), support::repo().as_path()] {
        let whole = json(dir, &[]);
        let holders = names(&whole, &["stack", "role", "user"]);
        let received = names(&whole, &["group", "policy"]);
        let reach: Vec<(String, BTreeSet<String>)> = holders
            .iter()
            .map(|x| (x.clone(), names(&json(dir, &[x]), &["group", "policy"])))
            .collect();
        for p in &received {
            let up = names(&json(dir, &["--receivers", p]), &["stack", "role", "user"]);
            let expected: BTreeSet<String> = reach
                .iter()
                .filter(|(_, down)| down.contains(p))
                .map(|(x, _)| x.clone())
                .collect();
            assert_eq!(up, expected, "{p} in {}", dir.display());
        }
    }
}
