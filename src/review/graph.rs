//! `iamc graph`: the group graph (principals → groups → policies), whole or
//! reachable from one declaration, as Mermaid, Graphviz DOT or JSON.

use crate::ast::DeclKind;
use crate::resolve::{DeclId, Program};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Mermaid,
    Dot,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Node {
    Role,
    User,
    Group,
    Policy,
}

fn node(kind: &DeclKind) -> Option<Node> {
    match kind {
        DeclKind::Role(_) => Some(Node::Role),
        DeclKind::User(_) => Some(Node::User),
        DeclKind::Group(_) => Some(Node::Group),
        DeclKind::Policy(_) | DeclKind::PolicyInstance(_) => Some(Node::Policy),
        _ => None,
    }
}

/// The declarations shown: every node, or those reachable from `root`;
/// principals first, then groups, then policies, each in program order.
fn nodes(program: &Program, root: Option<DeclId>) -> Vec<(DeclId, Node)> {
    let mut shown = vec![root.is_none(); program.decls.len()];
    if let Some(root) = root {
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            if std::mem::replace(&mut shown[id], true) {
                continue;
            }
            stack.extend(program.edges[id].iter().map(|e| e.target));
        }
    }
    let mut out: Vec<(DeclId, Node)> = program
        .decls
        .iter()
        .enumerate()
        .filter(|(id, _)| shown[*id])
        .filter_map(|(id, d)| node(&d.kind).map(|n| (id, n)))
        .collect();
    out.sort_by_key(|&(id, n)| (n, id));
    out
}

/// Edges among the shown nodes, from each node in order, members as written.
fn edges(program: &Program, nodes: &[(DeclId, Node)]) -> Vec<(DeclId, DeclId)> {
    let mut out = Vec::new();
    for &(id, _) in nodes {
        for e in &program.edges[id] {
            if !out.contains(&(id, e.target)) {
                out.push((id, e.target));
            }
        }
    }
    out
}

pub fn render(program: &Program, root: Option<DeclId>, format: Format) -> String {
    let nodes = nodes(program, root);
    let edges = edges(program, &nodes);
    match format {
        Format::Mermaid => mermaid(program, &nodes, &edges),
        Format::Dot => dot(program, &nodes, &edges),
        Format::Json => json(program, &nodes, &edges),
    }
}

/// `{"nodes": [{"name", "kind"}], "edges": [{"from", "to"}]}`, in the order
/// the other formats draw them; `kind` is role, user, group or policy.
fn json(program: &Program, nodes: &[(DeclId, Node)], edges: &[(DeclId, DeclId)]) -> String {
    let name = |id: DeclId| program.decls[id].name.name.as_str();
    let nodes: Vec<serde_json::Value> = nodes
        .iter()
        .map(|&(id, n)| {
            let kind = match n {
                Node::Role => "role",
                Node::User => "user",
                Node::Group => "group",
                Node::Policy => "policy",
            };
            serde_json::json!({ "name": name(id), "kind": kind })
        })
        .collect();
    let edges: Vec<serde_json::Value> = edges
        .iter()
        .map(|&(from, to)| serde_json::json!({ "from": name(from), "to": name(to) }))
        .collect();
    let graph = serde_json::json!({ "nodes": nodes, "edges": edges });
    let mut text = serde_json::to_string_pretty(&graph)
        .unwrap_or_else(|e| format!("{{\"error\": \"could not serialise the graph: {e}\"}}"));
    text.push('\n');
    text
}

/// Mermaid ids carry the kind, so that no name (`end`, `class`) is read as
/// a keyword.
fn mermaid_id(program: &Program, id: DeclId, n: Node) -> String {
    let prefix = match n {
        Node::Role => "r",
        Node::User => "u",
        Node::Group => "g",
        Node::Policy => "p",
    };
    format!("{prefix}_{}", program.decls[id].name.name)
}

fn mermaid(program: &Program, nodes: &[(DeclId, Node)], edges: &[(DeclId, DeclId)]) -> String {
    let mut out = String::from("flowchart LR\n");
    let kind_of = |id: DeclId| nodes.iter().find(|(n, _)| *n == id).map(|(_, k)| *k);
    for &(id, n) in nodes {
        let name = &program.decls[id].name.name;
        let id_text = mermaid_id(program, id, n);
        let (shape, class) = match n {
            Node::Role => (format!("([\"{name}\"])"), "role"),
            Node::User => (format!("([\"{name}\"])"), "user"),
            Node::Group => (format!("[\"{name}\"]"), "group"),
            Node::Policy => (format!("(\"{name}\")"), "policy"),
        };
        out.push_str(&format!("  {id_text}{shape}:::{class}\n"));
    }
    for &(from, to) in edges {
        if let (Some(a), Some(b)) = (kind_of(from), kind_of(to)) {
            out.push_str(&format!(
                "  {} --> {}\n",
                mermaid_id(program, from, a),
                mermaid_id(program, to, b)
            ));
        }
    }
    for (class, fill, stroke) in STYLES {
        out.push_str(&format!(
            "  classDef {class} fill:{fill},stroke:{stroke},color:#111\n"
        ));
    }
    out
}

/// Fill and stroke colours of each kind of node.
const STYLES: [(&str, &str, &str); 4] = [
    ("role", "#dbeafe", "#1e40af"),
    ("user", "#ede9fe", "#5b21b6"),
    ("group", "#fef3c7", "#92400e"),
    ("policy", "#dcfce7", "#166534"),
];

fn dot(program: &Program, nodes: &[(DeclId, Node)], edges: &[(DeclId, DeclId)]) -> String {
    let mut out = String::from(
        "digraph iam {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=11, style=filled];\n  edge [color=\"#555555\"];\n",
    );
    for &(id, n) in nodes {
        let name = &program.decls[id].name.name;
        let (shape, style_index) = match n {
            Node::Role => ("box, style=\"rounded,filled,bold\"", 0),
            Node::User => ("box, style=\"rounded,filled,bold\"", 1),
            Node::Group => ("box", 2),
            Node::Policy => ("note", 3),
        };
        let (_, fill, stroke) = STYLES[style_index];
        out.push_str(&format!(
            "  \"{name}\" [shape={shape}, fillcolor=\"{fill}\", color=\"{stroke}\"];\n"
        ));
    }
    for &(from, to) in edges {
        out.push_str(&format!(
            "  \"{}\" -> \"{}\";\n",
            program.decls[from].name.name, program.decls[to].name.name
        ));
    }
    out.push_str("}\n");
    out
}
