//! Where each declared name is used: the resolver's bound references (group
//! members, grants, stack members), named trusts, template instances, and
//! params named in strings as `${Name}`.

use crate::ast::{Condition, Decl, DeclKind, Resources, Statement, Str, TrustRef};
use crate::resolve::{DeclId, Program};
use crate::source::{FileId, Sources, Span, Spanned};

#[derive(Default)]
pub struct Index {
    /// Every use of a declared name, in canonical order.
    pub uses: Vec<(Span, DeclId)>,
}

impl Index {
    pub fn new(program: &Program, sources: &Sources) -> Index {
        let mut uses = Vec::new();
        let named = |ident: &crate::ast::Ident| program.names.get(&ident.name).copied();
        for (id, decl) in program.decls.iter_enumerated() {
            uses.extend(program.edges[id].iter().map(|e| (e.span, e.target)));
            match &decl.kind {
                DeclKind::Role(p) | DeclKind::User(p) => {
                    if let Some(Spanned {
                        node: TrustRef::Named(name),
                        ..
                    }) = &p.trust
                    {
                        uses.extend(named(name).map(|t| (name.span, t)));
                    }
                }
                DeclKind::PolicyInstance(instance) => {
                    uses.extend(named(&instance.template).map(|t| (instance.template.span, t)));
                }
                // A built program has its instances expanded into policies:
                // the template's name follows the instance's (`X = T(...)`).
                DeclKind::Policy(_) => {
                    if let Some(t) = program.template_of[id] {
                        uses.extend(instance_call(program, sources, decl, t));
                    }
                }
                _ => {}
            }
            for s in strings(decl) {
                uses.extend(param_uses(program, sources, s));
            }
        }
        // A template's strings are also those of each expanded instance.
        uses.sort_by_key(|(span, id)| (*span, *id));
        uses.dedup();
        Index { uses }
    }

    /// The declaration named at byte `offset` of `file`: by a use or by its
    /// declaration.
    pub fn at(&self, program: &Program, file: FileId, offset: usize) -> Option<(Span, DeclId)> {
        let touches = |s: &Span| s.file == file && s.start <= offset && offset <= s.end;
        self.uses
            .iter()
            .find(|(s, _)| touches(s))
            .copied()
            .or_else(|| {
                program
                    .decls
                    .iter_enumerated()
                    .find(|(_, d)| touches(&d.name.span))
                    .map(|(id, d)| (d.name.span, id))
            })
    }

    /// Every use of declaration `id`.
    pub fn uses_of(&self, id: DeclId) -> impl Iterator<Item = Span> + '_ {
        self.uses
            .iter()
            .filter(move |(_, t)| *t == id)
            .map(|(s, _)| *s)
    }
}

/// The template named in an expanded instance `policy X = T(...)`.
fn instance_call(
    program: &Program,
    sources: &Sources,
    decl: &Decl,
    template: DeclId,
) -> Option<(Span, DeclId)> {
    let file = sources.get(decl.name.span.file)?;
    let after = file.text.get(decl.name.span.end..decl.span.end)?;
    let rest = after.trim_start().strip_prefix('=')?;
    let name = &program.decls[template].name.name;
    let skipped = rest.len() - rest.trim_start().len();
    let start = decl.name.span.end + (after.len() - rest.len()) + skipped;
    let found = file.text.get(start..start + name.len())? == name.as_str();
    found.then(|| {
        (
            Span::new(decl.name.span.file, start, start + name.len()),
            template,
        )
    })
}

/// `${Name}` in a string literal, where `Name` is a declared param: the
/// span of `Name`.
fn param_uses(program: &Program, sources: &Sources, s: &Str) -> Vec<(Span, DeclId)> {
    let raw = sources.text(s.span);
    let mut found = Vec::new();
    for (start, _) in raw.match_indices("${") {
        let inner_start = start + 2;
        let Some(len) = raw[inner_start..].find('}') else {
            continue;
        };
        let name = &raw[inner_start..inner_start + len];
        if let Some(&id) = program.names.get(name)
            && matches!(program.decls[id].kind, DeclKind::Param(_))
        {
            let at = s.span.start + inner_start;
            found.push((Span::new(s.span.file, at, at + len), id));
        }
    }
    found
}

/// Every string literal of a declaration.
pub fn strings(decl: &Decl) -> Vec<&Str> {
    let mut out = Vec::new();
    match &decl.kind {
        DeclKind::Policy(statements) => statement_strings(statements, &mut out),
        DeclKind::Template(t) => statement_strings(&t.statements, &mut out),
        DeclKind::PolicyInstance(i) => out.extend(i.arguments.iter().map(|(_, v)| v)),
        DeclKind::Trust(t) => trust_strings(t, &mut out),
        DeclKind::Param(p) => out.extend(p.default.iter().chain(&p.description)),
        DeclKind::Role(p) | DeclKind::User(p) => {
            if let Some(Spanned {
                node: TrustRef::Inline(t),
                ..
            }) = &p.trust
            {
                trust_strings(t, &mut out);
            }
            out.extend(&p.managed);
            out.extend(p.boundary.iter().chain(&p.path).chain(&p.description));
            out.extend(p.tags.iter().flat_map(|(k, v)| [k, v]));
        }
        DeclKind::Group(_) | DeclKind::Stack(_) => {}
    }
    out
}

fn statement_strings<'a>(statements: &'a [Statement], out: &mut Vec<&'a Str>) {
    for s in statements {
        if let Resources::List(list) = &s.resources {
            out.extend(list);
        }
        condition_strings(&s.conditions, out);
        out.extend(&s.because);
    }
}

fn trust_strings<'a>(trust: &'a crate::ast::Trust, out: &mut Vec<&'a Str>) {
    for entry in &trust.entries {
        out.extend(&entry.principals);
        condition_strings(&entry.conditions, out);
    }
}

fn condition_strings<'a>(conditions: &'a [Condition], out: &mut Vec<&'a Str>) {
    for c in conditions {
        out.push(&c.key);
        out.extend(&c.values);
    }
}
