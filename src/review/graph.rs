//! `iamc graph`: the group graph (stacks and trusts → principals → groups →
//! policies), whole, down from one declaration (what it reaches), or up from
//! one policy or group (who receives it), as Mermaid, Graphviz DOT or JSON.

use crate::ast::{DeclKind, Trust, TrustRef};
use crate::resolve::{DeclId, Program};
use crate::source::Spanned;
use std::collections::{HashMap, HashSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Mermaid,
    Dot,
    Json,
}

/// What part of the graph to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// Every node.
    Whole,
    /// What a stack, role, user or group reaches, with the trusts of the
    /// roles drawn.
    From(DeclId),
    /// Who receives a policy or group: every group on the way, every
    /// principal holding it, every stack holding one of those or emitting it
    /// standalone.
    Receivers(DeclId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Node {
    Stack,
    Trust,
    Role,
    User,
    Group,
    Policy,
}

impl Node {
    fn name(self) -> &'static str {
        match self {
            Node::Stack => "stack",
            Node::Trust => "trust",
            Node::Role => "role",
            Node::User => "user",
            Node::Group => "group",
            Node::Policy => "policy",
        }
    }
}

/// A node: a declaration, or the inline trust of a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    Decl(DeclId),
    InlineTrust(DeclId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Edge {
    /// A principal's grant or a group's member.
    Grants,
    /// A trust to the role it lets its principals assume.
    Assumes,
    /// A stack to a principal, policy or group it emits.
    Contains,
}

impl Edge {
    fn name(self) -> &'static str {
        match self {
            Edge::Grants => "grants",
            Edge::Assumes => "assumes",
            Edge::Contains => "contains",
        }
    }
}

fn node(kind: &DeclKind) -> Option<Node> {
    match kind {
        DeclKind::Stack(_) => Some(Node::Stack),
        DeclKind::Trust(_) => Some(Node::Trust),
        DeclKind::Role(_) => Some(Node::Role),
        DeclKind::User(_) => Some(Node::User),
        DeclKind::Group(_) => Some(Node::Group),
        DeclKind::Policy(_) | DeclKind::PolicyInstance(_) => Some(Node::Policy),
        _ => None,
    }
}

struct Graph<'p> {
    program: &'p Program,
    nodes: Vec<(Key, Node)>,
    kinds: HashMap<Key, Node>,
    edges: Vec<(Key, Key, Edge)>,
}

impl Graph<'_> {
    /// The node's name: the declaration's, or `Role (inline trust)`.
    fn name(&self, key: Key) -> String {
        match key {
            Key::Decl(id) => self.program.decls[id].name.name.clone(),
            Key::InlineTrust(role) => {
                format!("{} (inline trust)", self.program.decls[role].name.name)
            }
        }
    }

    fn kind(&self, key: Key) -> Option<Node> {
        self.kinds.get(&key).copied()
    }

    /// For a trust: one line per trusted principal, `service "x"`, marked when
    /// conditions restrict it.
    fn trusted(&self, key: Key) -> Vec<String> {
        let trust = match key {
            Key::Decl(id) => match &self.program.decls[id].kind {
                DeclKind::Trust(t) => Some(t),
                _ => None,
            },
            Key::InlineTrust(role) => inline_trust(self.program, role),
        };
        let Some(trust) = trust else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for entry in &trust.entries {
            let kind = crate::syntax::keywords::trust_principal(entry.kind).word();
            let when = if entry.conditions.is_empty() {
                ""
            } else {
                " (with conditions)"
            };
            for p in &entry.principals {
                out.push(format!("{kind} {}{when}", p.value));
            }
        }
        out
    }
}

fn inline_trust(program: &Program, id: DeclId) -> Option<&Trust> {
    match &program.decls[id].kind {
        DeclKind::Role(p) | DeclKind::User(p) => match &p.trust {
            Some(Spanned {
                node: TrustRef::Inline(t),
                ..
            }) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// Every edge of the program, from each source in program order.
fn all_edges(program: &Program) -> Vec<(Key, Key, Edge)> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut push = |e: (Key, Key, Edge)| {
        if seen.insert(e) {
            out.push(e);
        }
    };
    for (id, decl) in program.decls.iter_enumerated() {
        if let DeclKind::Role(_) | DeclKind::User(_) = decl.kind {
            if let Some(trust) = program.trust[id] {
                push((Key::Decl(trust), Key::Decl(id), Edge::Assumes));
            } else if inline_trust(program, id).is_some() {
                push((Key::InlineTrust(id), Key::Decl(id), Edge::Assumes));
            }
        }
        // A stack's members are drawn from `stack_of`, as `contains`.
        if !matches!(decl.kind, DeclKind::Stack(_)) {
            for e in &program.edges[id] {
                push((Key::Decl(id), Key::Decl(e.target), Edge::Grants));
            }
        }
        if let Some(stack) = program.stack_of[id] {
            push((Key::Decl(stack), Key::Decl(id), Edge::Contains));
        }
    }
    out
}

fn kind_of(program: &Program, key: Key) -> Option<Node> {
    match key {
        Key::Decl(id) => node(&program.decls[id].kind),
        Key::InlineTrust(_) => Some(Node::Trust),
    }
}

fn build(program: &Program, view: View) -> Graph<'_> {
    let all = all_edges(program);
    let mut down: HashMap<Key, Vec<(Key, Edge)>> = HashMap::new();
    let mut up: HashMap<Key, Vec<(Key, Edge)>> = HashMap::new();
    for &(from, to, e) in &all {
        down.entry(from).or_default().push((to, e));
        up.entry(to).or_default().push((from, e));
    }
    let mut shown: HashSet<Key> = HashSet::new();
    // Everything reachable from `root` along `next`, except trust edges.
    let walk = |shown: &mut HashSet<Key>, root: Key, next: &HashMap<Key, Vec<(Key, Edge)>>| {
        let mut stack = vec![root];
        while let Some(key) = stack.pop() {
            if shown.insert(key) {
                let step = next.get(&key).into_iter().flatten();
                stack.extend(step.filter(|(_, e)| *e != Edge::Assumes).map(|(k, _)| *k));
            }
        }
    };
    match view {
        View::Whole => {
            shown.extend(program.decls.ids().map(Key::Decl));
            shown.extend(all.iter().map(|(from, _, _)| *from));
        }
        View::From(root) => {
            // Down along grants and stacks; then the trust of every role reached.
            walk(&mut shown, Key::Decl(root), &down);
            let trusts: Vec<Key> = all
                .iter()
                .filter(|(_, t, e)| *e == Edge::Assumes && shown.contains(t))
                .map(|(f, _, _)| *f)
                .collect();
            shown.extend(trusts);
        }
        View::Receivers(root) => walk(&mut shown, Key::Decl(root), &up),
    }
    let mut nodes: Vec<(Key, Node)> = shown
        .iter()
        .filter_map(|&k| kind_of(program, k).map(|n| (k, n)))
        .collect();
    nodes.sort_by_key(|&(k, n)| (n, k));
    let kinds: HashMap<Key, Node> = nodes.iter().copied().collect();
    let edges = nodes
        .iter()
        .flat_map(|&(k, _)| {
            down.get(&k)
                .into_iter()
                .flatten()
                .map(move |&(t, e)| (k, t, e))
        })
        .filter(|(_, t, _)| kinds.contains_key(t))
        .collect();
    Graph {
        program,
        nodes,
        kinds,
        edges,
    }
}

pub fn render(program: &Program, view: View, format: Format) -> String {
    let graph = build(program, view);
    match format {
        Format::Mermaid => mermaid(&graph),
        Format::Dot => dot(&graph),
        Format::Json => json(&graph),
    }
}

/// The principals and stacks that receive `id` (a policy or group), by name
/// in program order; empty when nobody does.
pub fn receivers(program: &Program, id: DeclId) -> Vec<String> {
    let graph = build(program, View::Receivers(id));
    graph
        .nodes
        .iter()
        .filter(|(_, n)| matches!(n, Node::Role | Node::User | Node::Stack))
        .map(|&(k, _)| graph.name(k))
        .collect()
}

/// `{"nodes": [{"name", "kind"}], "edges": [{"from", "to", "kind"}]}`, in the
/// order the other formats draw them; a trust node also lists the principals
/// it trusts.
fn json(graph: &Graph) -> String {
    let nodes: Vec<serde_json::Value> = graph
        .nodes
        .iter()
        .map(|&(k, n)| {
            let mut node = serde_json::json!({ "name": graph.name(k), "kind": n.name() });
            if n == Node::Trust {
                node["trusts"] = serde_json::json!(graph.trusted(k));
            }
            node
        })
        .collect();
    let edges: Vec<serde_json::Value> = graph
        .edges
        .iter()
        .map(|&(from, to, e)| {
            serde_json::json!({ "from": graph.name(from), "to": graph.name(to), "kind": e.name() })
        })
        .collect();
    let value = serde_json::json!({ "nodes": nodes, "edges": edges });
    let mut text = serde_json::to_string_pretty(&value)
        .unwrap_or_else(|e| format!("{{\"error\": \"could not serialise the graph: {e}\"}}"));
    text.push('\n');
    text
}

/// Mermaid ids carry the kind, so that no name (`end`, `class`) is read as
/// a keyword.
fn mermaid_id(graph: &Graph, key: Key, n: Node) -> String {
    let prefix = match (key, n) {
        (Key::InlineTrust(_), _) => "ti",
        (_, Node::Stack) => "s",
        (_, Node::Trust) => "t",
        (_, Node::Role) => "r",
        (_, Node::User) => "u",
        (_, Node::Group) => "g",
        (_, Node::Policy) => "p",
    };
    let id = match key {
        Key::Decl(id) | Key::InlineTrust(id) => id,
    };
    format!("{prefix}_{}", graph.program.decls[id].name.name)
}

/// Text inside a quoted Mermaid label.
fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;")
}

fn mermaid(graph: &Graph) -> String {
    let mut out = String::from("flowchart LR\n");
    for &(k, n) in &graph.nodes {
        let mut label = mermaid_text(&graph.name(k));
        for line in graph.trusted(k) {
            label.push_str("<br>");
            label.push_str(&mermaid_text(&line));
        }
        let id = mermaid_id(graph, k, n);
        let shape = match n {
            Node::Stack => format!("[[\"{label}\"]]"),
            Node::Trust => format!("{{{{\"{label}\"}}}}"),
            Node::Role | Node::User => format!("([\"{label}\"])"),
            Node::Group => format!("[\"{label}\"]"),
            Node::Policy => format!("(\"{label}\")"),
        };
        out.push_str(&format!("  {id}{shape}:::{}\n", n.name()));
    }
    for &(from, to, e) in &graph.edges {
        if let (Some(a), Some(b)) = (graph.kind(from), graph.kind(to)) {
            let arrow = match e {
                Edge::Grants => "-->",
                Edge::Assumes => "-.->|assumes|",
                Edge::Contains => "-.->|contains|",
            };
            out.push_str(&format!(
                "  {} {arrow} {}\n",
                mermaid_id(graph, from, a),
                mermaid_id(graph, to, b)
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

/// Fill and stroke colours of each kind of node, in [`Node`] order.
const STYLES: [(&str, &str, &str); 6] = [
    ("stack", "#f3f4f6", "#374151"),
    ("trust", "#fee2e2", "#991b1b"),
    ("role", "#dbeafe", "#1e40af"),
    ("user", "#ede9fe", "#5b21b6"),
    ("group", "#fef3c7", "#92400e"),
    ("policy", "#dcfce7", "#166534"),
];

/// Text inside a quoted DOT string.
fn dot_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn dot(graph: &Graph) -> String {
    let mut out = String::from(
        "digraph iam {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=11, style=filled];\n  edge [color=\"#555555\"];\n",
    );
    for &(k, n) in &graph.nodes {
        let name = dot_text(&graph.name(k));
        let shape = match n {
            Node::Stack => "folder",
            Node::Trust => "hexagon",
            Node::Role | Node::User => "box, style=\"rounded,filled,bold\"",
            Node::Group => "box",
            Node::Policy => "note",
        };
        let (_, fill, stroke) = STYLES[n as usize];
        let trusted = graph.trusted(k);
        let label = if trusted.is_empty() {
            String::new()
        } else {
            let lines: Vec<String> = trusted.iter().map(|l| dot_text(l)).collect();
            format!(", label=\"{name}\\n{}\"", lines.join("\\n"))
        };
        out.push_str(&format!(
            "  \"{name}\" [shape={shape}, fillcolor=\"{fill}\", color=\"{stroke}\"{label}];\n"
        ));
    }
    for &(from, to, e) in &graph.edges {
        let style = match e {
            Edge::Grants => "",
            Edge::Assumes => " [style=dashed, label=\"assumes\"]",
            Edge::Contains => " [style=dotted, label=\"contains\"]",
        };
        out.push_str(&format!(
            "  \"{}\" -> \"{}\"{style};\n",
            dot_text(&graph.name(from)),
            dot_text(&graph.name(to))
        ));
    }
    out.push_str("}\n");
    out
}
