//! The layout tree → canonical text. The rules are in `book/src/fmt.md`.

use super::tree::{Block, File, Kind, Line, List, Node, Style, Tok, Trivia};

/// Lines are kept within this many columns where a list can be broken.
pub const WIDTH: usize = 100;
const INDENT: usize = 2;

pub fn print(file: &File) -> String {
    let mut p = Printer::default();
    for (i, decl) in file.decls.iter().enumerate() {
        if i > 0 {
            p.end_line();
            let blank = first_tok(decl).is_some_and(|t| t.leading.contains(&Trivia::Blank));
            if !blank {
                p.blank_line();
            }
        }
        p.line(decl, 0, i > 0);
    }
    p.end_line();
    p.trivia(&file.end, 0, !file.decls.is_empty(), false);
    let mut out = p.out;
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

fn first_tok(line: &Line) -> Option<&Tok> {
    match line.head.first() {
        Some(Node::Tok(t)) => Some(t),
        _ => None,
    }
}

#[derive(Default)]
struct Printer {
    out: String,
    /// Characters on the current line.
    col: usize,
    /// The indentation the current line started with.
    line_indent: usize,
    /// The next token must start a line: the last one had a trailing comment.
    break_pending: bool,
}

impl Printer {
    fn at_start(&self) -> bool {
        self.out.is_empty() || self.out.ends_with('\n')
    }

    fn write(&mut self, s: &str) {
        self.out.push_str(s);
        self.col += s.chars().count();
    }

    fn newline(&mut self) {
        let trimmed = self.out.trim_end_matches(' ').len();
        self.out.truncate(trimmed);
        self.out.push('\n');
        self.col = 0;
        self.break_pending = false;
    }

    fn end_line(&mut self) {
        if !self.at_start() {
            self.newline();
        }
    }

    /// One empty line, never two, never at the top of the file.
    fn blank_line(&mut self) {
        self.end_line();
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.newline();
        }
    }

    /// Comments on lines of their own at `indent`. A blank line is kept
    /// between comments, before the first when `first_blank` and after the
    /// last when `last_blank` (that is, before the token they precede).
    fn trivia(&mut self, trivia: &[Trivia], indent: usize, first_blank: bool, last_blank: bool) {
        let mut any = false;
        let mut blank = false;
        for t in trivia {
            match t {
                Trivia::Blank => blank |= any || first_blank,
                Trivia::Comment(c) => {
                    if blank {
                        self.blank_line();
                    }
                    blank = false;
                    self.end_line();
                    self.write(&" ".repeat(indent));
                    self.write(c);
                    self.newline();
                    any = true;
                }
            }
        }
        if blank && last_blank {
            self.blank_line();
        }
    }

    /// Writes a token's text (and its trailing comment) where the line is.
    fn put(&mut self, t: &Tok, indent: usize, space: bool, suffix: &str) {
        if self.at_start() {
            self.write(&" ".repeat(indent));
            self.line_indent = indent;
        } else if space {
            self.write(" ");
        }
        self.write(&t.text);
        self.write(suffix);
        if let Some(c) = &t.trailing {
            self.write(" ");
            self.write(c);
            self.break_pending = true;
        }
    }

    /// A token that starts a line at `indent`, after its comments.
    fn tok_at(&mut self, t: &Tok, indent: usize, blank: bool, suffix: &str) {
        self.end_line();
        self.trivia(&t.leading, indent, blank, true);
        self.put(t, indent, false, suffix);
    }

    /// A token in the middle of a line; comments before it, or a trailing
    /// comment before it, move it to a new line at `cont`.
    fn tok(&mut self, t: &Tok, cont: usize, space: bool, suffix: &str) {
        let comments = t.leading.iter().any(|l| matches!(l, Trivia::Comment(_)));
        if comments || self.break_pending {
            self.end_line();
            self.trivia(&t.leading, cont, false, false);
        }
        self.put(t, cont, space, suffix);
    }

    fn line(&mut self, line: &Line, indent: usize, blank: bool) {
        let Some((first, rest)) = line.head.split_first() else {
            return;
        };
        match first {
            Node::Tok(t) => self.tok_at(t, indent, blank, ""),
            other => {
                self.end_line();
                self.nodes(std::slice::from_ref(other), indent);
            }
        }
        if !(line.statement && self.statement_flat(rest, indent)) {
            self.nodes(rest, indent + INDENT);
        }
        for clause in &line.clauses {
            if let Some((Node::Tok(first), rest)) = clause.split_first() {
                self.tok_at(first, indent + INDENT, false, "");
                self.nodes(rest, indent + 2 * INDENT);
            }
        }
    }

    /// `allow A on R` on one line, or `allow A` and `on R` on two, when
    /// either fits without breaking a list; false when neither does.
    fn statement_flat(&mut self, rest: &[Node], indent: usize) -> bool {
        if self.break_pending {
            return false;
        }
        let Some(widths) = rest.iter().map(flat_width).collect::<Option<Vec<_>>>() else {
            return false;
        };
        let spaced = |ws: &[usize]| ws.iter().map(|w| w + 1).sum::<usize>();
        if self.col + spaced(&widths) <= WIDTH {
            for node in rest {
                self.flat(node);
            }
            return true;
        }
        let Some(on) = rest
            .iter()
            .position(|n| matches!(n, Node::Tok(t) if t.is("on")))
        else {
            return false;
        };
        let on_width = spaced(&widths[on..]) - 1;
        if self.col + spaced(&widths[..on]) <= WIDTH && indent + INDENT + on_width <= WIDTH {
            for node in &rest[..on] {
                self.flat(node);
            }
            self.newline();
            self.write(&" ".repeat(indent + INDENT));
            self.line_indent = indent + INDENT;
            for (i, node) in rest[on..].iter().enumerate() {
                if i == 0 {
                    if let Node::Tok(t) = node {
                        self.put(t, indent + INDENT, false, "");
                    }
                } else {
                    self.flat(node);
                }
            }
            return true;
        }
        false
    }

    /// A node known to have no comments, on the current line after a space.
    fn flat(&mut self, node: &Node) {
        match node {
            Node::Tok(t) => self.put(t, 0, true, ""),
            Node::List(l) => self.list_flat(l),
            Node::Block(_) => {}
        }
    }

    /// The nodes after the first of a line; `cont` is where a token goes
    /// when a comment pushes it to a new line.
    fn nodes(&mut self, nodes: &[Node], cont: usize) {
        for (i, node) in nodes.iter().enumerate() {
            match node {
                Node::Tok(t) => self.tok(t, cont, true, ""),
                Node::List(l) => {
                    let space = l.style != Style::Paren;
                    let start = if self.break_pending || self.at_start() {
                        cont
                    } else {
                        self.col + usize::from(space)
                    };
                    let fits = flat_width(node)
                        .is_some_and(|w| start + w + width_to_break(&nodes[i + 1..]) <= WIDTH);
                    if fits && !self.break_pending {
                        self.list_flat(l);
                    } else {
                        self.list_broken(l, cont);
                    }
                }
                Node::Block(b) => self.block(b, cont),
            }
        }
    }

    fn list_flat(&mut self, l: &List) {
        let space = l.style != Style::Paren;
        match &l.open {
            Some(open) => self.put(open, 0, space, ""),
            None => {
                if space && !self.at_start() {
                    self.write(" ");
                }
            }
        }
        if l.style == Style::Brace && !l.items.is_empty() {
            self.write(" ");
        }
        for (i, item) in l.items.iter().enumerate() {
            if i > 0 {
                self.write(", ");
            }
            for (j, t) in item.iter().enumerate() {
                if j > 0 {
                    self.write(" ");
                }
                self.write(&t.text);
            }
        }
        if l.style == Style::Brace && !l.items.is_empty() {
            self.write(" ");
        }
        if let Some(close) = &l.close {
            self.put(close, 0, false, "");
        }
    }

    /// One item per line; items end with a comma except in a group.
    fn list_broken(&mut self, l: &List, cont: usize) {
        let space = l.style != Style::Paren;
        match &l.open {
            Some(open) => self.tok(open, cont, space, ""),
            None => {
                let open = Tok {
                    kind: Kind::Punct,
                    text: "[".to_string(),
                    leading: Vec::new(),
                    trailing: None,
                    starts_line: false,
                };
                self.tok(&open, cont, space, "");
            }
        }
        let outer = self.line_indent;
        let inner = outer + INDENT;
        let comma = if l.style == Style::Brace { "" } else { "," };
        for (i, item) in l.items.iter().enumerate() {
            for (j, t) in item.iter().enumerate() {
                let suffix = if j + 1 == item.len() { comma } else { "" };
                if j == 0 {
                    self.tok_at(t, inner, i > 0, suffix);
                } else {
                    self.tok(t, inner + INDENT, true, suffix);
                }
            }
        }
        self.end_line();
        match &l.close {
            Some(close) => {
                self.trivia(&close.leading, inner, !l.items.is_empty(), false);
                let bare = Tok {
                    leading: Vec::new(),
                    ..close.clone()
                };
                self.put(&bare, outer, false, "");
            }
            None => {
                self.write(&" ".repeat(outer));
                self.line_indent = outer;
                self.write("]");
            }
        }
    }

    fn block(&mut self, b: &Block, cont: usize) {
        self.tok(&b.open, cont, true, "");
        let outer = self.line_indent;
        if b.lines.is_empty() && !b.close.has_comments() && b.open.trailing.is_none() {
            self.write("}");
            return;
        }
        for (i, line) in b.lines.iter().enumerate() {
            self.line(line, outer + INDENT, i > 0);
        }
        self.end_line();
        self.trivia(&b.close.leading, outer + INDENT, !b.lines.is_empty(), false);
        let bare = Tok {
            leading: Vec::new(),
            ..b.close.clone()
        };
        self.put(&bare, outer, false, "");
    }
}

/// The width of a node written on one line, or `None` if it cannot be
/// (it holds a comment, or is a block).
fn flat_width(node: &Node) -> Option<usize> {
    match node {
        Node::Tok(t) => (!t.has_comments()).then(|| t.text.chars().count()),
        Node::Block(_) => None,
        // A list written one item per line stays so: adding or removing an
        // item then changes one line of the file.
        Node::List(l) if l.broken => None,
        Node::List(l) => {
            let toks = l
                .open
                .iter()
                .chain(l.items.iter().flatten())
                .chain(&l.close);
            if toks.clone().any(Tok::has_comments) {
                return None;
            }
            let items: usize = l
                .items
                .iter()
                .map(|i| {
                    let sum: usize = i.iter().map(|t| t.text.chars().count() + 1).sum();
                    sum.saturating_sub(1)
                })
                .sum();
            let commas = 2 * l.items.len().saturating_sub(1);
            let brackets = match l.style {
                Style::Bare => 0,
                Style::Brace if !l.items.is_empty() => 4,
                _ => 2,
            };
            Some(items + commas + brackets)
        }
    }
}

/// How much of the rest of the line must fit on it: up to the next place a
/// line can break (the opening bracket of a list, the `{` of a block).
fn width_to_break(nodes: &[Node]) -> usize {
    let mut width = 0;
    for node in nodes {
        match node {
            Node::Tok(t) if t.leading.iter().any(|l| matches!(l, Trivia::Comment(_))) => break,
            Node::Tok(t) => {
                width += 1 + t.text.chars().count();
                if t.trailing.is_some() {
                    break;
                }
            }
            Node::List(l) if l.style == Style::Bare => {
                width += 1 + flat_width(node).unwrap_or(1);
                break;
            }
            Node::List(_) => {
                width += 2;
                break;
            }
            Node::Block(_) => {
                width += 2;
                break;
            }
        }
    }
    width
}
