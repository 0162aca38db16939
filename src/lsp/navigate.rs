//! Go to definition, find references, rename and the outline of a file,
//! all read from the resolved program and its [`super::index::Index`].

use super::position::{Encoding, range};
use super::uri;
use super::workspace::Analysis;
use crate::ast::DeclKind;
use crate::resolve::DeclId;
use crate::source::{FileId, Span};
use lsp_types as lsp;
use std::collections::HashMap;

/// The editor's location of a span.
pub fn location(analysis: &Analysis, span: Span, encoding: Encoding) -> Option<lsp::Location> {
    let file = analysis.sources.get(span.file)?;
    let uri = uri::from_path(analysis.paths.get(span.file)?)?;
    Some(lsp::Location::new(
        uri,
        range(file, span.start, span.end, encoding),
    ))
}

pub fn definition(
    analysis: &Analysis,
    file: FileId,
    offset: usize,
    encoding: Encoding,
) -> Option<lsp::Location> {
    let program = analysis.program();
    let (_, id) = analysis.index.at(program, file, offset)?;
    location(analysis, program.decls[id].name.span, encoding)
}

/// Every place the name at `offset` is used: for a policy or group, the
/// groups and principals that grant it; for a role or user, its stack.
pub fn references(
    analysis: &Analysis,
    file: FileId,
    offset: usize,
    include_declaration: bool,
    encoding: Encoding,
) -> Vec<lsp::Location> {
    let program = analysis.program();
    let Some((_, id)) = analysis.index.at(program, file, offset) else {
        return Vec::new();
    };
    let declaration = include_declaration.then_some(program.decls[id].name.span);
    declaration
        .into_iter()
        .chain(analysis.index.uses_of(id))
        .filter_map(|span| location(analysis, span, encoding))
        .collect()
}

/// The name at `offset` and its span, if it can be renamed.
pub fn prepare_rename(
    analysis: &Analysis,
    file: FileId,
    offset: usize,
    encoding: Encoding,
) -> Option<lsp::Range> {
    let program = analysis.program();
    let (span, _) = analysis.index.at(program, file, offset)?;
    let source = analysis.sources.get(span.file)?;
    Some(range(source, span.start, span.end, encoding))
}

/// Renames the declaration named at `offset` and every use of it. Where the
/// rename changes what CloudFormation deploys (see [`rename_warning`]), every
/// edit carries an annotation that needs confirmation and says why.
pub fn rename(
    analysis: &Analysis,
    file: FileId,
    offset: usize,
    new_name: &str,
    encoding: Encoding,
) -> Result<lsp::WorkspaceEdit, String> {
    let program = analysis.program();
    let Some((_, id)) = analysis.index.at(program, file, offset) else {
        return Err("there is no declared name here".to_string());
    };
    if !crate::syntax::lex::is_name(new_name) {
        return Err(format!(
            "`{new_name}` is not a name: a name is letters and digits, starting with a letter, and not a keyword"
        ));
    }
    let decl = &program.decls[id];
    if let Some(other) = program
        .decls
        .iter()
        .find(|d| d.name.name.eq_ignore_ascii_case(new_name) && d.name.name != decl.name.name)
    {
        return Err(format!(
            "`{}` is already declared (as a {}); names are global and compared ignoring case",
            other.name.name,
            other.kind.keyword()
        ));
    }
    let warning = warning(analysis, id);
    let annotation = warning.as_ref().map(|_| ANNOTATION.to_string());
    // Edits by file, in the order of the files: the output is deterministic.
    let mut edits: Vec<lsp::TextDocumentEdit> = Vec::new();
    for span in std::iter::once(decl.name.span).chain(analysis.index.uses_of(id)) {
        let Some(loc) = location(analysis, span, encoding) else {
            continue;
        };
        let text_edit = lsp::TextEdit::new(loc.range, new_name.to_string());
        let edit = match &annotation {
            None => lsp::OneOf::Left(text_edit),
            Some(a) => lsp::OneOf::Right(lsp::AnnotatedTextEdit {
                text_edit,
                annotation_id: a.clone(),
            }),
        };
        match edits.iter_mut().find(|e| e.text_document.uri == loc.uri) {
            Some(e) => e.edits.push(edit),
            None => edits.push(lsp::TextDocumentEdit {
                text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                    uri: loc.uri,
                    version: None,
                },
                edits: vec![edit],
            }),
        }
    }
    let change_annotations = warning.map(|label| {
        let annotation = lsp::ChangeAnnotation {
            label,
            needs_confirmation: Some(true),
            description: Some("review the diff (`iamc diff`) before deploying".to_string()),
        };
        [(ANNOTATION.to_string(), annotation)].into_iter().collect()
    });
    Ok(lsp::WorkspaceEdit {
        document_changes: Some(lsp::DocumentChanges::Edits(edits)),
        change_annotations,
        ..lsp::WorkspaceEdit::default()
    })
}

const ANNOTATION: &str = "iamc-changes-deployment";

/// What renaming declaration `id` does to the deployed templates, if
/// anything: IAM names roles and users, and a stack's standalone policies,
/// from their declarations, so a new name replaces the resource; a policy's
/// statements take their Sids from its name.
fn warning(analysis: &Analysis, id: DeclId) -> Option<String> {
    let program = analysis.program();
    let decl = &program.decls[id];
    let (keyword, name) = (decl.kind.keyword(), &decl.name.name);
    match &decl.kind {
        DeclKind::Role(_) | DeclKind::User(_) => Some(format!(
            "renaming {keyword} `{name}` replaces a CloudFormation resource: the {keyword} is deleted and created again under its new name"
        )),
        DeclKind::Policy(_) | DeclKind::PolicyInstance(_) | DeclKind::Group(_)
            if program.stack_of[id].is_some() =>
        {
            Some(format!(
                "renaming {keyword} `{name}` replaces a CloudFormation resource: its stack's managed policies are named from it"
            ))
        }
        DeclKind::Policy(_) | DeclKind::PolicyInstance(_) => Some(format!(
            "renaming policy `{name}` changes the Sids of its statements in every managed policy that holds them"
        )),
        _ => None,
    }
}

/// The warning a rename of the name at `offset` deserves, if any.
pub fn rename_warning(analysis: &Analysis, file: FileId, offset: usize) -> Option<String> {
    let program = analysis.program();
    let (_, id) = analysis.index.at(program, file, offset)?;
    warning(analysis, id)
}

/// The outline of one file: its declarations.
pub fn symbols(analysis: &Analysis, file: FileId, encoding: Encoding) -> Vec<lsp::DocumentSymbol> {
    let Some(source) = analysis.sources.get(file) else {
        return Vec::new();
    };
    analysis
        .program()
        .decls
        .iter()
        .filter(|d| d.span.file == file)
        .map(|d| {
            #[allow(
                deprecated,
                reason = "the protocol's `deprecated` field must still be given"
            )]
            lsp::DocumentSymbol {
                name: d.name.name.clone(),
                detail: Some(d.kind.keyword().to_string()),
                kind: symbol_kind(&d.kind),
                tags: None,
                deprecated: None,
                range: range(source, d.span.start, d.span.end, encoding),
                selection_range: range(source, d.name.span.start, d.name.span.end, encoding),
                children: None,
            }
        })
        .collect()
}

fn symbol_kind(kind: &DeclKind) -> lsp::SymbolKind {
    match kind {
        DeclKind::Policy(_) | DeclKind::PolicyInstance(_) => lsp::SymbolKind::OBJECT,
        DeclKind::Template(_) => lsp::SymbolKind::FUNCTION,
        DeclKind::Group(_) => lsp::SymbolKind::NAMESPACE,
        DeclKind::Trust(_) => lsp::SymbolKind::INTERFACE,
        DeclKind::Param(_) => lsp::SymbolKind::CONSTANT,
        DeclKind::Role(_) | DeclKind::User(_) => lsp::SymbolKind::CLASS,
        DeclKind::Stack(_) => lsp::SymbolKind::PACKAGE,
    }
}

/// Who receives declaration `id`: every role, user and stack that reaches
/// it through grants and groups, by name.
pub fn receivers(analysis: &Analysis, id: DeclId) -> Vec<&str> {
    let program = analysis.program();
    let mut parents: HashMap<DeclId, Vec<DeclId>> = HashMap::new();
    for (from, edges) in program.edges.iter_enumerated() {
        for e in edges {
            parents.entry(e.target).or_default().push(from);
        }
    }
    let mut seen = crate::id::IdVec::filled(false, program.decls.len());
    let mut todo = vec![id];
    let mut found = Vec::new();
    while let Some(node) = todo.pop() {
        for &p in parents.get(&node).map(Vec::as_slice).unwrap_or(&[]) {
            if std::mem::replace(&mut seen[p], true) {
                continue;
            }
            match &program.decls[p].kind {
                DeclKind::Role(_) | DeclKind::User(_) => found.push(p),
                DeclKind::Group(_) => todo.push(p),
                _ => {}
            }
        }
    }
    let mut names: Vec<&str> = found
        .into_iter()
        .map(|p| program.decls[p].name.name.as_str())
        .collect();
    names.sort_unstable();
    names
}
