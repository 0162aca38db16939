//! Each file's parse, kept while the file's text stays the same: after an
//! edit only the files that changed are parsed again, and the rest of the
//! build runs as `iamc build` runs it ([`crate::compile_parsed`]).

use crate::ast::Decl;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::source::{FileId, SourceFile, Sources};

/// A file's parse and what it was parsed from.
struct Parse {
    name: String,
    text: blake3::Hash,
    decls: Vec<Decl>,
    diagnostics: Vec<Diagnostic>,
}

/// The last parse of each file, by file id: spans carry the id, so a file
/// whose id changed (a file added or removed before it) is parsed again.
#[derive(Default)]
pub struct Parses {
    files: Vec<Option<Parse>>,
}

impl Parses {
    /// Every file's declarations and parse diagnostics, in file order: what
    /// [`crate::syntax::parse_all`] gives for `sources`, parsing only the
    /// files whose name or text is new at their id.
    pub fn parse(&mut self, sources: &Sources) -> (Vec<Decl>, Diagnostics) {
        let files: Vec<(FileId, &SourceFile)> = sources.iter().collect();
        let hashes = crate::par::map(&files, |(_, f)| blake3::hash(f.text.as_bytes()));
        self.files.resize_with(files.len(), || None);
        let kept = |id: FileId, file: &SourceFile| {
            let parse = self.files.get(id).and_then(Option::as_ref);
            parse.is_some_and(|p| p.name == file.name && Some(&p.text) == hashes.get(id))
        };
        let mut stale: Vec<(FileId, usize)> = files
            .iter()
            .filter(|&&(id, file)| !kept(id, file))
            .map(|&(id, file)| (id, file.text.len()))
            .collect();
        // The longest first, as `parse_all` does, so that threads finish together.
        stale.sort_by_key(|&(_, len)| std::cmp::Reverse(len));
        let fresh =
            crate::par::map_uneven(&stale, |&(id, _)| crate::syntax::parse_file(sources, id));
        for (&(id, _), (decls, diagnostics)) in stale.iter().zip(fresh) {
            if let (Some(slot), Some(file), Some(&text)) =
                (self.files.get_mut(id), sources.get(id), hashes.get(id))
            {
                *slot = Some(Parse {
                    name: file.name.clone(),
                    text,
                    decls,
                    diagnostics,
                });
            }
        }
        let mut decls = Vec::new();
        let mut diagnostics = Diagnostics::new();
        for parse in self.files.iter().flatten() {
            decls.extend(parse.decls.iter().cloned());
            diagnostics.extend(parse.diagnostics.iter().cloned());
        }
        (decls, diagnostics)
    }
}
