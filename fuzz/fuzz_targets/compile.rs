//! Fuzz target: any bytes → parse, compile, render, lint and format.
//!
//! Each file is also parsed by the parser's fast path alone and by pest alone:
//! whenever the fast path accepts a file, both must build the same tree.
//!
//! The input is split into source files at NUL bytes (`a.iam`, `b.iam`, ...),
//! so that cross-file names, duplicates and cycles are reached too. Whatever
//! the input, iamc must not panic, and must never report an internal error
//! (E999, "a bug in iamc"). Run with `bash scripts/fuzz.sh [SECONDS]`.
#![no_main]

use iamc::config::Config;
use iamc::diagnostics::{Code, Diagnostic};
use iamc::source::{SourceFile, Sources};
use libfuzzer_sys::fuzz_target;

/// At most this many files: more adds nothing the fuzzer can reach.
const MAX_FILES: usize = 8;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = Sources::new();
    for (i, part) in text.split('\0').take(MAX_FILES).enumerate() {
        sources.add(SourceFile::new(format!("f{i}.iam"), part));
    }
    for (id, file) in sources.iter() {
        if let Some(fast) = iamc::syntax::parse_fast(id, &file.text) {
            let pest = iamc::syntax::parse_with_pest(id, &file.text);
            assert_eq!(
                format!("{fast:?}"),
                format!("{pest:?}"),
                "the fast path and pest build different trees"
            );
        }
    }
    let config = Config::default();
    match iamc::compile(&sources, &config) {
        Ok(compiled) => {
            no_internal(compiled.diagnostics.iter(), &sources);
            for i in 0..compiled.len() {
                let (_, yaml) = compiled.render(i);
                assert!(!yaml.is_empty(), "template {i} rendered empty");
            }
            let manifest = compiled.manifest();
            assert_eq!(manifest.templates.len(), compiled.len());
            let report = iamc::lint::run(&compiled, &sources);
            let _ = report.render_text(&sources);
        }
        Err(diagnostics) => {
            assert!(diagnostics.has_errors(), "compile failed without an error");
            no_internal(diagnostics.iter(), &sources);
            let _ = diagnostics.render_text(&sources);
            let _ = diagnostics.render_json(&sources);
        }
    }
    for (id, _) in sources.iter() {
        if let Err(diagnostics) = iamc::fmt::format_file(&sources, id) {
            no_internal(diagnostics.iter(), &sources);
        }
    }
});

fn no_internal<'a>(diagnostics: impl Iterator<Item = &'a Diagnostic>, sources: &Sources) {
    for d in diagnostics {
        if d.code == Code::Internal {
            let shown = iamc::diagnostics::Diagnostics(vec![d.clone()]).render_text(sources);
            panic!("internal error reported:\n{shown}");
        }
    }
}
