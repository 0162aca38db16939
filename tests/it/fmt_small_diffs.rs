//! `iamc fmt` works for small diffs: adding or removing one member, action,
//! resource or condition value of a list written one item per line changes
//! exactly one line of the formatted source; the list stays one per line
//! even when it would fit on one. A list that grows past the width breaks
//! one item per line.

use crate::support;
use iamc::fmt::format_text;
use proptest::prelude::*;

fn format(text: &str) -> String {
    format_text("t.iam", text).unwrap_or_else(|d| panic!("not formatted: {d:?}\n{text}"))
}

/// Which list of the program an edit touches.
#[derive(Clone, Copy, Debug)]
enum Part {
    Members,
    Actions,
    Resources,
    Values,
}

/// A program whose four lists are written one item per line, with `n[i]`
/// items each (every list at least one item).
fn program(n: [usize; 4]) -> String {
    let lines = |items: Vec<String>, indent: &str, comma: &str| -> String {
        items
            .iter()
            .map(|i| format!("{indent}{i}{comma}\n"))
            .collect()
    };
    let actions = (0..n[1]).map(|i| format!("s3:Get{}", name(i))).collect();
    let resources = (0..n[2])
        .map(|i| format!("\"arn:aws:s3:::b{i}/*\""))
        .collect();
    let values = (0..n[3]).map(|i| format!("\"p{i}/*\"")).collect();
    let members = (0..n[0]).map(|i| format!("P{}", name(i))).collect();
    let mut policies = String::new();
    for i in 0..n[0] {
        policies.push_str(&format!(
            "\npolicy P{} {{\n  allow s3:GetObject on \"arn:aws:s3:::x{i}/*\"\n}}\n",
            name(i)
        ));
    }
    format!(
        "policy Main {{\n  allow [\n{}  ] on [\n{}  ]\n    when StringLike \"s3:prefix\" [\n{}    ]\n}}\n{policies}\ngroup G {{\n{}}}\n",
        lines(actions, "    ", ","),
        lines(resources, "    ", ","),
        lines(values, "      ", ","),
        lines(members, "  ", ""),
    )
}

/// A distinct, valid name part for item `i`: A, B, ..., Z, AA, AB, ...
fn name(i: usize) -> String {
    let mut s = String::new();
    let mut i = i + 1;
    while i > 0 {
        i -= 1;
        s.insert(0, (b'A' + (i % 26) as u8) as char);
        i /= 26;
    }
    s
}

/// The lines that differ between two texts: (removed, added).
fn changed_lines(before: &str, after: &str) -> (usize, usize) {
    let diff = similar::TextDiff::from_lines(before, after);
    let mut removed = 0;
    let mut added = 0;
    for change in diff.iter_all_changes() {
        match change.tag() {
            similar::ChangeTag::Delete => removed += 1,
            similar::ChangeTag::Insert => added += 1,
            similar::ChangeTag::Equal => {}
        }
    }
    (removed, added)
}

proptest! {
    #![proptest_config(support::proptest_config(96))]

    #[test]
    fn adding_or_removing_one_item_changes_one_line(
        n in proptest::array::uniform4(1usize..7),
        part in prop_oneof![
            Just(Part::Members),
            Just(Part::Actions),
            Just(Part::Resources),
            Just(Part::Values),
        ],
        add in any::<bool>(),
    ) {
        let index = match part {
            Part::Members => 0,
            Part::Actions => 1,
            Part::Resources => 2,
            Part::Values => 3,
        };
        let mut other = n;
        if add {
            other[index] += 1;
        } else if n[index] > 1 {
            other[index] -= 1;
        } else {
            return Ok(());
        }
        let before = format(&program(n));
        let after = format(&program(other));
        // Formatting keeps a list written one per line as it is.
        prop_assert_eq!(&before, &program(n));
        // A removed member's policy goes too: its declaration is three lines
        // and a blank one, apart from the member's own line.
        let expected = match (part, add) {
            (Part::Members, true) => (0, 5),
            (Part::Members, false) => (5, 0),
            (_, true) => (0, 1),
            (_, false) => (1, 0),
        };
        prop_assert_eq!(changed_lines(&before, &after), expected, "{}\n---\n{}", before, after);
    }
}

#[test]
fn a_list_that_grows_past_the_width_breaks_one_item_per_line() {
    let short = "group G { Alpha, Beta }\n";
    assert_eq!(format(short), short, "a short list stays on its line");
    let members: Vec<String> = (0..12).map(|i| format!("Member{}", name(i))).collect();
    let long = format!("group G {{ {} }}\n", members.join(", "));
    let expected = format!(
        "group G {{\n{}}}\n",
        members
            .iter()
            .map(|m| format!("  {m}\n"))
            .collect::<String>()
    );
    assert_eq!(format(&long), expected);
    // Written one per line, a short list stays one per line.
    let vertical = "group G {\n  Alpha\n  Beta\n}\n";
    assert_eq!(format(vertical), vertical);
    let actions = "policy P {\n  allow [\n    s3:GetObject,\n  ] on \"arn:aws:s3:::b/*\"\n}\n";
    assert_eq!(format(actions), actions);
}
