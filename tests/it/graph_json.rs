//! `iamc graph --format json`: the same nodes and edges as the DOT drawing,
//! whole, from one principal or stack, and up from one policy or group.

use crate::support;
use std::collections::BTreeSet;
use std::process::Command;

fn graph(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_iamc"))
        .arg("graph")
        .args(args)
        .current_dir(support::repo())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Edges of a DOT drawing: `  "A" -> "B";` or `  "A" -> "B" [style=...];`,
/// with their kind (`grants` when the edge has no label).
fn dot_edges(dot: &str) -> Vec<(String, String, String)> {
    dot.lines()
        .filter_map(|l| l.trim().strip_suffix(';')?.split_once(" -> "))
        .map(|(a, b)| {
            let (b, kind) = match b.split_once(" [") {
                Some((b, attrs)) => (b, attrs.split('"').nth(1).unwrap().to_string()),
                None => (b, "grants".to_string()),
            };
            (
                a.trim_matches('"').to_string(),
                b.trim_matches('"').to_string(),
                kind,
            )
        })
        .collect()
}

/// Nodes of a DOT drawing: `  "A" [shape=...];`.
fn dot_nodes(dot: &str) -> BTreeSet<String> {
    dot.lines()
        .filter(|l| l.trim_start().starts_with('"') && !l.contains(" -> "))
        .map(|l| l.trim().split('"').nth(1).unwrap().to_string())
        .collect()
}

#[test]
fn json_holds_the_nodes_and_edges_dot_draws() {
    for root in [
        None,
        Some("JaneDoe"),
        Some("ServiceUserProdKrun"),
        Some("TeamMl"),
        Some("QuiltIam"),
        Some("--receivers EcrLogin"),
        Some("--receivers TeamMl"),
    ] {
        let mut args: Vec<&str> = match root {
            Some(r) if r.starts_with("--") => r.split(' ').collect(),
            _ => root.into_iter().collect(),
        };
        let dot = graph(&[args.as_slice(), &["--format", "dot"]].concat());
        args.extend(["--format", "json"]);
        let json: serde_json::Value = serde_json::from_str(&graph(&args)).unwrap();
        let edges: Vec<(String, String, String)> = json["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["from"].as_str().unwrap().to_string(),
                    e["to"].as_str().unwrap().to_string(),
                    e["kind"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(edges, dot_edges(&dot), "{root:?}");
        let nodes: BTreeSet<String> = json["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(nodes, dot_nodes(&dot), "{root:?}");
        assert!(!edges.is_empty(), "{root:?}");
        for node in json["nodes"].as_array().unwrap() {
            let kind = node["kind"].as_str().unwrap();
            assert!(
                ["stack", "trust", "role", "user", "group", "policy"].contains(&kind),
                "{kind}"
            );
        }
    }
    let whole: serde_json::Value = serde_json::from_str(&graph(&["--format", "json"])).unwrap();
    let jane = whole["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "JaneDoe")
        .unwrap();
    assert_eq!(jane["kind"], "role");
}
