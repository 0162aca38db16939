//! `iamc fmt`: the canonical layout of `.iam` source text, keeping every comment.
//!
//! A file is formatted only if it parses. Its tokens are read with their
//! comments by the one lexer ([`crate::syntax::lex`]) and arranged into
//! lines, lists and blocks ([`tree`]), which are printed in the canonical
//! style ([`print`]). The result is then parsed again and must
//! give equal declarations (syntax trees compare without their spans), the
//! same diagnostics and the same comments as the original; if it does not,
//! the file is refused with an internal error and left as it was, so
//! formatting never changes meaning.

mod print;
mod tree;

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, SourceFile, Sources, Span};
use crate::syntax::parse_file;

pub use print::WIDTH;

/// Formats file `file` of `sources`. On a syntax error, returns the syntax
/// diagnostics (the file cannot be formatted); on a formatter failure, an
/// internal-error diagnostic.
pub fn format_file(sources: &Sources, file: FileId) -> Result<String, Vec<Diagnostic>> {
    let Some(source) = sources.get(file) else {
        return Err(Vec::new());
    };
    let text = &source.text;
    let (decls, diagnostics) = parse_file(sources, file);
    let syntax: Vec<Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.code == Code::Syntax)
        .cloned()
        .collect();
    if !syntax.is_empty() {
        return Err(syntax);
    }
    let bug = |offset: usize, what: &str| {
        vec![
            Diagnostic::error(
                Code::Internal,
                format!("internal error: iamc fmt {what}; the file was left unchanged"),
            )
            .primary(Span::new(file, offset, offset), "while formatting this")
            .help("this is a bug in iamc; please report it with this file"),
        ]
    };
    let tree = tree::build(text).map_err(|at| bug(at, "did not expect this token"))?;
    let formatted = print::print(&tree);

    // Never change meaning: the formatted text must parse to the same program.
    let mut again = Sources::new();
    let id = again.add(SourceFile::new(source.name.clone(), formatted.clone()));
    let (new_decls, new_diagnostics) = parse_file(&again, id);
    if new_diagnostics.iter().any(|d| d.code == Code::Syntax) {
        return Err(bug(0, "produced text that does not parse"));
    }
    if decls != new_decls || messages(&diagnostics) != messages(&new_diagnostics) {
        return Err(bug(0, "would have changed the meaning of this file"));
    }
    if tree::comments(text) != tree::comments(&formatted) {
        return Err(bug(0, "would have lost or moved a comment"));
    }
    Ok(formatted)
}

/// Formats one source text named `name` (see [`format_file`]).
pub fn format_text(name: &str, text: &str) -> Result<String, Vec<Diagnostic>> {
    let mut sources = Sources::new();
    let id = sources.add(SourceFile::new(name, text));
    format_file(&sources, id)
}

/// Every comment of a source text, in order, without trailing blanks
/// (`None` if the text cannot be read into tokens).
pub fn comments(text: &str) -> Option<Vec<String>> {
    tree::comments(text)
}

fn messages(diagnostics: &[Diagnostic]) -> Vec<(Code, &str)> {
    diagnostics
        .iter()
        .map(|d| (d.code, d.message.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::format_text;

    fn formats(text: &str) -> String {
        format_text("p.iam", text).unwrap_or_else(|d| panic!("{}", d[0].message))
    }

    /// A keyword that goes on as an action (`tag*`) is one token to the
    /// parser, so it is one to the formatter, which reads tokens with the
    /// parser's lexer. (Before, fmt had a lexer of its own that split it: E999.)
    #[test]
    fn tokens_are_the_parsers() {
        assert_eq!(
            formats("policy P {\n  allow [tag*, aws-portal:View*] on *\n}\n"),
            "policy P {\n  allow [tag*, aws-portal:View*] on *\n}\n"
        );
        // `not` is a keyword before an action that starts with `:`.
        assert_eq!(
            formats("policy P {\n  allow not:x on*\n}\n"),
            "policy P {\n  allow not :x on *\n}\n"
        );
    }

    /// Found while moving fmt to the one lexer: a comment between an
    /// argument's name and its colon was E999.
    #[test]
    fn comments_around_an_argument_colon_go_before_its_value() {
        let text = "template T(a) {\n  allow s3:GetObject on \"${a}\"\n}\n\npolicy P = T(a // c\n: \"x\")\n";
        assert_eq!(
            formats(text),
            "template T(a) {\n  allow s3:GetObject on \"${a}\"\n}\n\npolicy P = T(\n  a:\n    // c\n    \"x\",\n)\n"
        );
    }

    /// Found by fuzzing: a keyword glued to a `*` (`allow*s3:Get`) is two
    /// tokens to the parser, so it must be two to the formatter.
    #[test]
    fn a_keyword_glued_to_a_star_is_split_as_the_parser_splits_it() {
        let text = "policy P {\n  allow*s3:GetObject on*\n}\n";
        assert_eq!(
            format_text("p.iam", text).unwrap(),
            "policy P {\n  allow *s3:GetObject on *\n}\n"
        );
    }
}
