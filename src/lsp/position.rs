//! Positions: iamc counts bytes, the editor counts lines and code units.
//! VS Code counts UTF-16 code units, the protocol's default; a client that
//! offers UTF-8 gets it (columns are then byte offsets within the line).

use crate::source::SourceFile;
use lsp_types::{Position, Range};

/// The unit the client and the server agreed on for columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// The editor's position of byte `offset` of `file`.
pub fn position(file: &SourceFile, offset: usize, encoding: Encoding) -> Position {
    let offset = floor_char_boundary(&file.text, offset.min(file.text.len()));
    let line = file.line_index(offset);
    let start = file.line_range(line).map(|r| r.start).unwrap_or(0);
    let prefix = &file.text[start..offset];
    let character = match encoding {
        Encoding::Utf8 => prefix.len(),
        Encoding::Utf16 => prefix.encode_utf16().count(),
    };
    Position::new(line as u32, character as u32)
}

pub fn range(file: &SourceFile, start: usize, end: usize, encoding: Encoding) -> Range {
    Range::new(
        position(file, start, encoding),
        position(file, end, encoding),
    )
}

/// The byte offset of an editor position in `text`; a position past the end
/// of a line is the end of that line, past the last line the end of the text.
pub fn offset(text: &str, position: Position, encoding: Encoding) -> usize {
    let mut line_start = 0;
    for _ in 0..position.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map(|i| line_start + i)
        .unwrap_or(text.len());
    let line = &text[line_start..line_end];
    let wanted = position.character as usize;
    let mut units = 0;
    for (i, c) in line.char_indices() {
        if units >= wanted {
            return line_start + i;
        }
        units += match encoding {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        };
    }
    line_end
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_counts_code_units_and_utf8_counts_bytes() {
        // `é` is 2 bytes and 1 UTF-16 unit; `𝄞` is 4 bytes and 2 units.
        let text = "a\n\"é𝄞\" x\n";
        let file = SourceFile::new("f.iam", text);
        let x = text.find('x').unwrap_or(0);
        assert_eq!(position(&file, x, Encoding::Utf16), Position::new(1, 6));
        assert_eq!(position(&file, x, Encoding::Utf8), Position::new(1, 9));
        assert_eq!(offset(text, Position::new(1, 6), Encoding::Utf16), x);
        assert_eq!(offset(text, Position::new(1, 9), Encoding::Utf8), x);
        // Past the end of a line: the end of that line; past the text: its end.
        assert_eq!(offset(text, Position::new(0, 40), Encoding::Utf16), 1);
        assert_eq!(
            offset(text, Position::new(9, 0), Encoding::Utf16),
            text.len()
        );
    }
}
