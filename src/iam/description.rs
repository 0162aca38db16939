//! The text of a `Description` IAM and CloudFormation accept, made from a
//! `///` doc comment. A doc comment is prose for people, so it is made safe
//! rather than refused: IAM takes tab, newline, carriage return and
//! U+0020–U+007E, U+00A1–U+00FF in a role's or policy's description, at most
//! 1,000 characters; an editor's typographic punctuation is written as its
//! ASCII look-alike, any other character left out; and `${`, which
//! CloudFormation tooling reads as a substitution gone wrong (cfn-lint
//! E1029), is written `$ {`.

use super::limits::IAM_MAX_DESCRIPTION;

/// Whether IAM accepts the character in a description.
pub fn is_description_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7E}' | '\u{A1}'..='\u{FF}')
}

/// The ASCII look-alike of a typographic character, if it has one.
fn plain(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' => "'",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' => "\"",
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2212}' => "-",
        '\u{2014}' | '\u{2015}' => "--",
        '\u{2026}' => "...",
        '\u{00A0}' | '\u{2002}' | '\u{2003}' | '\u{2009}' | '\u{202F}' => " ",
        '\u{2022}' => "*",
        '\u{2192}' => "->",
        _ => return None,
    })
}

/// `text` as a description IAM and CloudFormation accept (see the module).
pub fn safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_description_char(c) {
            out.push(c);
        } else if let Some(p) = plain(c) {
            out.push_str(p);
        }
    }
    let mut out = out.replace("${", "$ {");
    if out.chars().count() > IAM_MAX_DESCRIPTION {
        out = out.chars().take(IAM_MAX_DESCRIPTION - 3).collect();
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typographic_punctuation_becomes_ascii() {
        assert_eq!(
            safe("Jane\u{2019}s role \u{2014} \u{201C}prod\u{201D}\u{2026}"),
            "Jane's role -- \"prod\"..."
        );
    }

    #[test]
    fn other_characters_are_left_out_and_substitutions_broken() {
        assert_eq!(safe("deploys \u{1F680} to ${Env}"), "deploys  to $ {Env}");
        assert_eq!(safe("caf\u{E9}"), "caf\u{E9}");
        assert!(safe("x\u{7F}\u{A0}y").chars().all(is_description_char));
    }

    #[test]
    fn long_text_is_cut_to_the_limit() {
        let long = "a".repeat(1500);
        let s = safe(&long);
        assert_eq!(s.chars().count(), IAM_MAX_DESCRIPTION);
        assert!(s.ends_with("..."));
        assert!(safe(&"b".repeat(1000)).chars().all(|c| c == 'b'));
    }
}
