//! IAM's one pattern matcher: `*` matches any run of characters, `?` exactly
//! one. Actions compare without case, ARNs with case. A `${...}` is not a
//! wildcard: it is a value that becomes known later, so a pattern is a
//! sequence of [`Token`]s where [`Token::Var`] matches only the same value.
//!
//! Three questions are answered on token sequences: does a pattern match a
//! string ([`matches`]), can two patterns match a common string ([`overlap`]),
//! and does one pattern match every string another matches ([`inclusion`],
//! and [`includes`] when only a proof will do). Inclusion is decided on the
//! patterns' automata: exact for patterns without unknowns (a property test
//! checks it against brute force), sound with them (it never claims an
//! inclusion that does not hold). Matching a string is inclusion of a plain
//! string. The functions on text ([`action_matches`], [`resource_covers`],
//! [`includes_text`], ...) read the text into tokens and ask the same
//! questions; [`glob`] is the fast walk for a plain string without `${...}`.
//!
//! ARNs ([`Case::Arn`]) follow IAM's segment rule: `*` and `?` work inside
//! one colon-separated segment ([`Token::Seg`], [`Token::SegOne`] never read
//! a `:`), except that a `*` ending a segment (before a `:` or at the end)
//! may run past the colons ([`Token::Any`]). A `*` just before a `${...}` is
//! read as crossing too (the value may be empty, leaving the `*` at the end).

/// One element of a pattern.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Token {
    Char(char),
    /// `?`
    One,
    /// `*`
    Any,
    /// `*` inside an ARN segment: any run of characters without `:`.
    Seg,
    /// `?` of an ARN: one character other than `:`.
    SegOne,
    /// A value not known here (`${AWS::AccountId}`, `${aws:SourceVpc}`): the
    /// key, lower-cased, and the default of `${key, 'default'}`. The same key
    /// with the same default stands for the same value; `${key}` and
    /// `${key, 'x'}` differ when the key is missing from the request (the
    /// first matches nothing, the second is `x`), so they are different
    /// unknowns.
    Var(String, Option<String>),
}

/// Whether a character run is compared without case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// Actions, `StringEqualsIgnoreCase`.
    Fold,
    /// Most condition values: with case, and a `*` matches any run.
    Exact,
    /// ARNs (resources, `ArnLike` values): with case, and wildcards stay
    /// inside a colon-separated segment, except a `*` that ends one.
    Arn,
}

/// One `${...}` reference of a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece<'s> {
    Text(&'s str),
    /// `${*}`, `${?}`, `${$}`: the character itself, never a wildcard.
    Escaped(char),
    /// `${key}` or `${key, 'default'}`.
    Variable {
        key: &'s str,
        default: Option<&'s str>,
    },
}

/// Splits a string into literal text and `${...}` references. `${*}`, `${?}`
/// and `${$}` are the literal characters; an unterminated `${` is literal.
pub fn pieces(s: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        if start > 0 {
            out.push(Piece::Text(&rest[..start]));
        }
        let inner = &rest[start + 2..start + len];
        match inner {
            "*" => out.push(Piece::Escaped('*')),
            "?" => out.push(Piece::Escaped('?')),
            "$" => out.push(Piece::Escaped('$')),
            _ => {
                let (key, default) = match inner.split_once(',') {
                    Some((key, default)) => {
                        let d = default.trim();
                        let d = d
                            .strip_prefix('\'')
                            .and_then(|d| d.strip_suffix('\''))
                            .unwrap_or(d);
                        (key.trim(), Some(d))
                    }
                    None => (inner.trim(), None),
                };
                out.push(Piece::Variable { key, default });
            }
        }
        rest = &rest[start + len + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// Tokens of a pattern, resolving each variable with `lookup`: `Ok(Some(text))`
/// is a known value (matched literally), `Ok(None)` keeps it as an unknown
/// [`Token::Var`], `Err(())` means the key is missing from the request, so the
/// pattern matches nothing (IAM's rule) and the result is `None`. Without
/// `glob` (`StringEquals` values, a request's own strings) `*` and `?` are
/// ordinary characters.
pub fn tokens(
    pattern: &str,
    case: Case,
    glob: bool,
    mut lookup: impl FnMut(&str) -> Result<Option<String>, ()>,
) -> Option<Vec<Token>> {
    let fold = |c: char| match case {
        Case::Fold => c.to_ascii_lowercase(),
        Case::Exact | Case::Arn => c,
    };
    let mut out = Vec::with_capacity(pattern.len());
    for piece in pieces(pattern) {
        match piece {
            Piece::Escaped(c) => out.push(Token::Char(c)),
            Piece::Text(t) => out.extend(t.chars().map(|c| match c {
                '*' if glob => Token::Any,
                '?' if glob => Token::One,
                c => Token::Char(fold(c)),
            })),
            Piece::Variable { key, default } => match lookup(key) {
                Ok(Some(value)) => out.extend(value.chars().map(|c| Token::Char(fold(c)))),
                Ok(None) => out.push(Token::Var(
                    key.to_ascii_lowercase(),
                    default.map(|d| d.chars().map(fold).collect()),
                )),
                Err(()) => match default {
                    Some(d) => out.extend(d.chars().map(|c| Token::Char(fold(c)))),
                    None => return None,
                },
            },
        }
    }
    out.dedup_by(|a, b| *a == Token::Any && *b == Token::Any);
    if case == Case::Arn && glob {
        segments(&mut out);
    }
    Some(out)
}

/// IAM's segment rule on an ARN pattern's wildcards: a `*` followed by
/// anything but `:`, the end or an unknown value stays in its segment; a `?`
/// never reads `:`.
fn segments(tokens: &mut [Token]) {
    for i in 0..tokens.len() {
        let crossing = matches!(
            tokens.get(i + 1),
            None | Some(Token::Char(':') | Token::Any | Token::Var(..))
        );
        match tokens[i] {
            Token::Any if !crossing => tokens[i] = Token::Seg,
            Token::One => tokens[i] = Token::SegOne,
            _ => {}
        }
    }
}

/// Tokens of a pattern whose variables all stay unknown.
pub fn symbolic(pattern: &str, case: Case) -> Vec<Token> {
    tokens(pattern, case, true, |_| Ok(None)).unwrap_or_default()
}

/// Tokens of a concrete string: every character literal.
pub fn literal(text: &str, case: Case) -> Vec<Token> {
    text.chars()
        .map(|c| {
            Token::Char(match case {
                Case::Fold => c.to_ascii_lowercase(),
                Case::Exact | Case::Arn => c,
            })
        })
        .collect()
}

/// Whether the two patterns match a common string. Unknown values may be
/// anything, so they overlap like `*` (never claims two patterns disjoint
/// when they are not).
pub fn overlap(p: &[Token], q: &[Token]) -> bool {
    let width = q.len() + 1;
    let mut seen = vec![false; (p.len() + 1) * width];
    let mut stack = vec![(0usize, 0usize)];
    let star = |t: Option<&Token>| matches!(t, Some(Token::Any | Token::Var(..)));
    let colon = |t: Option<&Token>| t == Some(&Token::Char(':'));
    while let Some((i, j)) = stack.pop() {
        if std::mem::replace(&mut seen[i * width + j], true) {
            continue;
        }
        if i == p.len() && j == q.len() {
            return true;
        }
        let (a, b) = (p.get(i), q.get(j));
        if star(a) {
            stack.push((i + 1, j));
            if j < q.len() {
                stack.push((i, j + 1));
            }
            continue;
        }
        if star(b) {
            stack.push((i, j + 1));
            if i < p.len() {
                stack.push((i + 1, j));
            }
            continue;
        }
        // A segment's `*` reads the other side's next element unless it is `:`.
        if a == Some(&Token::Seg) {
            stack.push((i + 1, j));
            if j < q.len() && !colon(b) {
                stack.push((i, j + 1));
            }
            continue;
        }
        if b == Some(&Token::Seg) {
            stack.push((i, j + 1));
            if i < p.len() && !colon(a) {
                stack.push((i + 1, j));
            }
            continue;
        }
        match (a, b) {
            (Some(Token::Char(x)), Some(Token::Char(y))) if x == y => stack.push((i + 1, j + 1)),
            (Some(Token::SegOne), Some(x)) | (Some(x), Some(Token::SegOne)) if !colon(Some(x)) => {
                stack.push((i + 1, j + 1));
            }
            (Some(Token::One), Some(Token::Char(_) | Token::One))
            | (Some(Token::Char(_)), Some(Token::One)) => {
                stack.push((i + 1, j + 1));
            }
            _ => {}
        }
    }
    false
}

/// A set of positions in a pattern, sorted.
type Positions = Vec<usize>;

/// Positions reached from `from` without reading: a `*` may match nothing.
fn closure(pattern: &[Token], from: impl IntoIterator<Item = usize>) -> Positions {
    let mut out: Positions = Vec::new();
    for mut i in from {
        loop {
            out.push(i);
            if !matches!(pattern.get(i), Some(Token::Any | Token::Seg)) {
                break;
            }
            i += 1;
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Positions reached from `at` reading the character `c` (`None`: a
/// character the pattern does not name). An unknown value of the pattern
/// reads no character: it stands only for itself.
fn step(pattern: &[Token], at: &[usize], c: Option<char>) -> Positions {
    closure(
        pattern,
        at.iter().filter_map(|&i| match (pattern.get(i)?, c) {
            (Token::Any, _) => Some(i),
            (Token::Seg, c) if c != Some(':') => Some(i),
            (Token::One, _) => Some(i + 1),
            (Token::SegOne, c) if c != Some(':') => Some(i + 1),
            (Token::Char(x), Some(c)) if *x == c => Some(i + 1),
            _ => None,
        }),
    )
}

/// The most states [`inclusion`] explores before it gives up.
const BUDGET: usize = 200_000;

/// Whether every string `small` stands for matches `big` (the language of
/// `small` is included in that of `big`), for every value of the unknowns:
/// `Some(true)` or `Some(false)`, or `None` when the patterns are too tangled
/// to decide within [`BUDGET`].
///
/// Exact for patterns without unknowns. A [`Token::Var`] of `small` may be
/// any string: only a `*` of `big`, or the same unknown at the same place,
/// covers it. A [`Token::Var`] of `big` is a value the request decides: it
/// covers only the same unknown of `small`, never a character, so
/// `a/${aws:username}/*` does not cover `a/jane/*`.
///
/// The two are walked together: for each place in `small`, the set of places
/// `big` can be at. A wildcard of `small` must work for every character: one
/// that `big` names, or any other.
pub fn inclusion(big: &[Token], small: &[Token]) -> Option<bool> {
    // A plain string (the common case: a request's action or ARN) is one
    // walk, with no choice to remember.
    if small.iter().all(|t| matches!(t, Token::Char(_))) {
        let mut at = closure(big, [0]);
        for t in small {
            if let Token::Char(c) = t {
                at = step(big, &at, Some(*c));
            }
            if at.is_empty() {
                return Some(false);
            }
        }
        return Some(at.contains(&big.len()));
    }
    // Every character `big` names, and one it does not (`None`).
    let mut alphabet: Vec<Option<char>> = big
        .iter()
        .filter_map(|t| match t {
            Token::Char(c) => Some(Some(*c)),
            _ => None,
        })
        .collect();
    // A segment wildcard of `big` tells `:` from other characters.
    if big.iter().any(|t| matches!(t, Token::Seg | Token::SegOne)) {
        alphabet.push(Some(':'));
    }
    alphabet.sort_unstable();
    alphabet.dedup();
    alphabet.push(None);
    // What a segment wildcard of `small` may read: anything but `:` (`None`
    // stands for a character `big` does not name, never `:` when it names it).
    let in_segment: Vec<Option<char>> = alphabet
        .iter()
        .copied()
        .filter(|c| *c != Some(':'))
        .collect();
    // A state: the place in `small`; the places in `big`; inside an unknown
    // of `small` (reading its value), the places its same unknown of `big`
    // leads to.
    type State = (usize, Positions, Option<Positions>);
    let mut seen: crate::hash::HashSet<State> = Default::default();
    let mut stack: Vec<State> = vec![(0, closure(big, [0]), None)];
    while let Some(state) = stack.pop() {
        if !seen.insert(state.clone()) {
            continue;
        }
        if seen.len() > BUDGET {
            return None;
        }
        let (j, at, var) = state;
        if at.is_empty() && var.as_ref().is_none_or(Vec::is_empty) {
            return Some(false);
        }
        if let Some(same) = var {
            // Inside an unknown's value: end it here, or read one more character.
            let mut after = at.clone();
            after.extend(same.iter().copied());
            stack.push((j + 1, closure(big, after), None));
            for &c in &alphabet {
                stack.push((j, step(big, &at, c), Some(same.clone())));
            }
            continue;
        }
        match small.get(j) {
            None => {
                if !at.contains(&big.len()) {
                    return Some(false);
                }
            }
            Some(Token::Char(c)) => stack.push((j + 1, step(big, &at, Some(*c)), None)),
            Some(wildcard @ (Token::One | Token::Any | Token::SegOne | Token::Seg)) => {
                let reads = match wildcard {
                    Token::SegOne | Token::Seg => &in_segment,
                    _ => &alphabet,
                };
                // A `*` may end here, or read one more character and stay.
                let (run, next) = match wildcard {
                    Token::Any | Token::Seg => (true, j),
                    _ => (false, j + 1),
                };
                if run {
                    stack.push((j + 1, at.clone(), None));
                }
                for &c in reads {
                    stack.push((next, step(big, &at, c), None));
                }
            }
            Some(var @ Token::Var(..)) => {
                let same: Positions = at
                    .iter()
                    .filter(|&&i| big.get(i) == Some(var))
                    .map(|&i| i + 1)
                    .collect();
                stack.push((j, at, Some(same)));
            }
        }
    }
    Some(true)
}

/// Whether `big` matches every string `small` matches, the same unknown value
/// standing for the same string on both sides. Sound: `true` is a proof;
/// `false` when [`inclusion`] cannot decide.
pub fn includes(big: &[Token], small: &[Token]) -> bool {
    inclusion(big, small) == Some(true)
}

/// [`inclusion`] of two patterns written as text, their `${...}` unknown.
pub fn includes_text(pattern: &str, query: &str, case: Case) -> Option<bool> {
    inclusion(&symbolic(pattern, case), &symbolic(query, case))
}

/// Whether a pattern matches a concrete string (given as tokens; unknown
/// values in `text` are matched only by the same unknown or a wildcard).
pub fn matches(pattern: &[Token], text: &[Token]) -> bool {
    includes(pattern, text)
}

/// A pattern against a plain string, without variables: the fast path for
/// scanning the catalog. Same rules as [`matches`] on [`symbolic`] tokens.
pub fn glob(pattern: &str, text: &str, case: Case) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    if case == Case::Arn && in_segment(p) {
        // A wildcard kept inside its segment: the automaton decides.
        let mut tokens: Vec<Token> = pattern
            .chars()
            .map(|c| match c {
                '*' => Token::Any,
                '?' => Token::One,
                c => Token::Char(c),
            })
            .collect();
        tokens.dedup_by(|a, b| *a == Token::Any && *b == Token::Any);
        segments(&mut tokens);
        return includes(&tokens, &literal(text, Case::Arn));
    }
    let eq = |a: u8, b: u8| match case {
        Case::Fold => a.eq_ignore_ascii_case(&b),
        Case::Exact | Case::Arn => a == b,
    };
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] != b'*' && (p[pi] == b'?' || eq(p[pi], t[ti])) {
            // `?` is one character: step over a whole UTF-8 sequence.
            let step = if p[pi] == b'?' { utf8_len(t[ti]) } else { 1 };
            pi += 1;
            ti += step;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            let next = st + utf8_len(t[st]);
            pi = sp + 1;
            ti = next;
            star = Some((sp, next));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Whether an ARN pattern has a wildcard that must stay in its segment: a
/// `?`, or a `*` followed by something other than `:`, `*` or the end.
fn in_segment(pattern: &[u8]) -> bool {
    pattern.iter().enumerate().any(|(i, &c)| {
        c == b'?' || (c == b'*' && !matches!(pattern.get(i + 1), None | Some(b':' | b'*')))
    })
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

/// Whether a string has a wildcard (`*` or `?`).
pub fn is_wildcard(pattern: &str) -> bool {
    // No early exit: the loop vectorises, and every statement's actions and
    // resources pass here.
    pattern
        .bytes()
        .fold(false, |found, b| found | (b == b'*') | (b == b'?'))
}

/// An action pattern meets an action (or an action pattern) of the query:
/// some action matches both. Unknown values may be anything.
pub fn action_matches(pattern: &str, query: &str) -> bool {
    overlap(&symbolic(pattern, Case::Fold), &symbolic(query, Case::Fold))
}

/// A resource pattern meets a resource (or a resource pattern) of the query.
pub fn resource_matches(pattern: &str, query: &str) -> bool {
    // Most resources are plain ARNs: matching one is a walk, not a search.
    let plain = |s: &str| !s.contains(['*', '?', '$']);
    let known = |s: &str| !s.contains('$');
    if plain(query) && known(pattern) {
        glob(pattern, query, Case::Arn)
    } else if plain(pattern) && known(query) {
        glob(query, pattern, Case::Arn)
    } else {
        overlap(&symbolic(pattern, Case::Arn), &symbolic(query, Case::Arn))
    }
}

/// An action pattern covers everything the query names (a proof: a `?`
/// never covers a run, a variable only the same variable).
pub fn action_covers(pattern: &str, query: &str) -> bool {
    includes(&symbolic(pattern, Case::Fold), &symbolic(query, Case::Fold))
}

/// A resource pattern covers everything the query names.
pub fn resource_covers(pattern: &str, query: &str) -> bool {
    includes(&symbolic(pattern, Case::Arn), &symbolic(query, Case::Arn))
}

/// An action pattern (or the name part of one) matches a plain action,
/// ignoring case: `s3:Get*` matches `s3:getobject`.
pub fn action_glob(pattern: &str, text: &str) -> bool {
    glob(pattern, text, Case::Fold)
}

/// A resource pattern matches a plain ARN, case and all: `arn:aws:s3:::b/*`
/// matches `arn:aws:s3:::b/x` but not `arn:aws:s3:::B/x`. `${...}` is
/// literal here: ask [`resource_matches`] when either side may hold one.
pub fn resource_glob(pattern: &str, text: &str) -> bool {
    glob(pattern, text, Case::Arn)
}

/// Whether a resource pattern matches some string without the character `c`
/// (outside `${...}`, whose value may hold anything). `arn:aws:s3:::acme-*`
/// can avoid `/` (the bucket `acme-x`) and can hold it (`acme-x/key`).
pub fn can_avoid(pattern: &str, c: char) -> bool {
    !symbolic(pattern, Case::Arn).contains(&Token::Char(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inc(big: &str, small: &str) -> bool {
        includes(&symbolic(big, Case::Exact), &symbolic(small, Case::Exact))
    }

    #[test]
    fn actions_ignore_case() {
        assert!(action_matches("s3:Get*", "S3:GETOBJECT"));
        assert!(action_matches("s3:GetObject?ersion", "s3:GetObjectVersion"));
        assert!(!action_matches("s3:GetObject?", "s3:GetObject"));
        assert!(!action_matches("s3:Get*", "s3:PutObject"));
    }

    #[test]
    fn inclusion_is_sound_with_question_marks_and_stars() {
        assert!(inc("a/*", "a/b/*"));
        assert!(!inc("a/b/*", "a/*"));
        assert!(!inc("a?b", "a*b"), "? does not cover a run");
        assert!(inc("a*b", "a?b"));
        assert!(inc("*", "${aws:username}"));
        assert!(!inc("a/?", "a/${aws:username}"), "a value may be longer");
        assert!(inc("a/${aws:username}/*", "a/${aws:username}/x"));
        assert!(!inc("a/${aws:username}/*", "a/jane/x"));
    }

    #[test]
    fn missing_variables_match_nothing_and_defaults_apply() {
        assert_eq!(
            tokens("a/${aws:username}", Case::Exact, true, |_| Err(())),
            None
        );
        let t =
            tokens("a/${aws:username, 'x'}", Case::Exact, true, |_| Err(())).unwrap_or_default();
        assert_eq!(t, literal("a/x", Case::Exact));
        let star = tokens("a/${*}", Case::Exact, true, |_| Err(())).unwrap_or_default();
        assert_eq!(star, literal("a/*", Case::Exact));
    }

    #[test]
    fn a_variable_with_a_default_is_another_unknown() {
        // Where the key is missing, `a/${k}` matches nothing and
        // `a/${k, 'x'}` matches `a/x`: the first does not cover the second.
        assert!(!inc("a/${k}", "a/${k, 'x'}"));
        assert!(!inc("a/${k, 'y'}", "a/${k, 'x'}"));
        assert!(inc("a/${k, 'x'}", "a/${k,'x'}"));
        assert!(inc("a/*", "a/${k, 'x'}"));
        assert!(!inc("a/x", "a/${k, 'x'}"), "the key may be present");
        assert_eq!(
            symbolic("a/${aws:UserName, 'Shared'}", Case::Exact).last(),
            Some(&Token::Var("aws:username".into(), Some("Shared".into())))
        );
        assert_eq!(
            symbolic("${K, 'AbC'}", Case::Fold),
            vec![Token::Var("k".into(), Some("abc".into()))]
        );
    }

    #[test]
    fn unknowns_overlap_like_stars() {
        assert!(overlap(
            &symbolic("a/${k}", Case::Exact),
            &literal("a/b", Case::Exact)
        ));
        assert!(!overlap(
            &symbolic("a/*", Case::Exact),
            &literal("b/c", Case::Exact)
        ));
    }

    #[test]
    fn query_patterns_overlap() {
        assert!(action_matches("s3:Get*", "s3:*Object"));
        assert!(!action_matches("s3:Get*", "s3:Put*"));
        assert!(action_matches("s3:*", "s3:Get*"));
    }

    #[test]
    fn resources_are_case_sensitive_and_star_crosses_separators() {
        assert!(resource_matches(
            "arn:aws:s3:::cdn/*",
            "arn:aws:s3:::cdn/a/b.png"
        ));
        assert!(resource_matches("arn:aws:s3:::*", "arn:aws:s3:::cdn/a"));
        assert!(!resource_matches(
            "arn:aws:s3:::cdn/*",
            "arn:aws:s3:::CDN/a"
        ));
        assert!(!resource_matches("arn:aws:s3:::cdn/*", "arn:aws:s3:::cdn"));
    }

    #[test]
    fn variables_may_be_any_value_but_cover_only_themselves() {
        let p = "arn:aws:ecs:${AWS::Region}:${AWS::AccountId}:service/prod/*";
        assert!(resource_matches(
            p,
            "arn:aws:ecs:us-east-1:123456789012:service/prod/api"
        ));
        assert!(!resource_matches(
            p,
            "arn:aws:ecs:us-east-1:123456789012:service/dev/api"
        ));
        assert!(resource_matches("a/${aws:username}/*", "a/jane/x"));
        assert!(resource_matches("a${", "a${"), "unterminated is literal");
        assert!(
            !resource_covers("a/${aws:username}/*", "a/jane/x"),
            "a value, not a wildcard"
        );
    }

    #[test]
    fn covers_is_inclusion() {
        assert!(resource_covers(
            "arn:aws:s3:::ops-data/*",
            "arn:aws:s3:::ops-data/x/*"
        ));
        assert!(!resource_covers(
            "arn:aws:s3:::ops-data/x/*",
            "arn:aws:s3:::ops-data/*"
        ));
        assert!(action_covers("s3:*", "s3:Get*"));
        assert!(!action_covers("s3:GetObject", "s3:Get*"));
        assert!(
            !action_covers("s3:Get?", "s3:Get*"),
            "? does not cover a run"
        );
    }

    #[test]
    fn plain_matching() {
        assert!(action_glob("Get*", "GetObject"));
        assert!(action_glob("get*", "GetObject"));
        assert!(action_glob("*Object", "GetObject"));
        assert!(action_glob("Get?bject", "GetObject"));
        assert!(action_glob("*", ""));
        assert!(!action_glob("Get?", "GetObject"));
        assert!(!action_glob("Put*", "GetObject"));
        assert!(action_glob("*Obj*t*", "GetObjectAcl"));
    }

    #[test]
    fn plain_resources_keep_their_case() {
        assert!(resource_glob("arn:aws:s3:::b/*", "arn:aws:s3:::b/x"));
        assert!(!resource_glob("arn:aws:s3:::b/*", "arn:aws:s3:::B/x"));
        assert!(!resource_glob("arn:aws:s3:::Data", "arn:aws:s3:::data"));
        assert!(resource_glob("arn:aws:s3:::?ata", "arn:aws:s3:::data"));
    }

    #[test]
    fn inclusion_cases_that_fool_a_literal_reading() {
        let yes = |p: &str, q: &str| includes_text(p, q, Case::Exact) == Some(true);
        // `?` is one character; a query's `*` may be none or many.
        assert!(!yes("arn:aws:iam::*:role/?", "arn:aws:iam::*:role/*"));
        assert!(yes("arn:aws:iam::*:role/?*", "arn:aws:iam::1:role/?*"));
        assert!(!yes("arn:aws:iam::1:role/?*", "arn:aws:iam::1:role/*"));
        // Every role: `role*`, `role/*`, `*:*`, `*`.
        for p in [
            "arn:aws:iam::1:role*",
            "arn:aws:iam::1:role/*",
            "arn:aws:iam::*:*",
            "arn:aws:iam::*",
            "*",
            "arn:*",
            "arn:aws:iam::1:r*e/*",
        ] {
            assert!(yes(p, "arn:aws:iam::1:role/?*"), "{p}");
        }
        for p in [
            "arn:aws:iam::1:role/a*",
            "arn:aws:iam::1:role/*/*",
            "arn:aws:iam::1:Role/*",
            "arn:aws:iam::2:role/*",
        ] {
            assert!(!yes(p, "arn:aws:iam::1:role/?*"), "{p}");
        }
        // `*` runs past `/` and `:`.
        assert!(yes("arn:aws:s3:::acme-*", "arn:aws:s3:::acme-x/a/b"));
        // Case: ARNs with, actions without.
        assert!(!yes("arn:aws:s3:::Acme/*", "arn:aws:s3:::acme/x"));
        assert_eq!(
            includes_text("IAM:Pass*", "iam:passrole", Case::Fold),
            Some(true)
        );
        // A variable of the pattern covers only itself.
        assert!(!yes(
            "arn:aws:s3:::h/${aws:username}/*",
            "arn:aws:s3:::h/jane/x"
        ));
        assert!(yes(
            "arn:aws:s3:::h/${aws:username}/*",
            "arn:aws:s3:::h/${aws:username}/x/*"
        ));
        assert!(!yes(
            "arn:aws:s3:::h/${aws:username}/*",
            "arn:aws:s3:::h/${aws:userid}/x"
        ));
        // A variable of the query may be any string, `/` and nothing included.
        assert!(yes("arn:aws:s3:::h/*", "arn:aws:s3:::h/${aws:username}"));
        assert!(!yes("arn:aws:s3:::h/?*", "arn:aws:s3:::h/${aws:username}"));
        assert!(!yes(
            "arn:aws:s3:::h/*/x",
            "arn:aws:s3:::h/${aws:username}x"
        ));
        assert!(yes(
            "arn:aws:iam::${AWS::AccountId}:role/*",
            "arn:aws:iam::${AWS::AccountId}:role/?*"
        ));
        assert!(!yes(
            "arn:aws:iam::${AWS::AccountId}:role/*",
            "arn:aws:iam::1:role/?*"
        ));
        // `${*}` is a literal `*`.
        assert!(!yes("a${*}", "ab"));
        assert!(yes("a${*}", "a${*}"));
        assert!(!resource_covers("arn:aws:s3:::a/?", "arn:aws:s3:::a/*"));
    }

    #[test]
    fn avoiding_a_character() {
        assert!(can_avoid("arn:aws:s3:::acme-*", '/'));
        assert!(can_avoid("arn:aws:s3:::${aws:PrincipalTag/Team}", '/'));
        assert!(!can_avoid("arn:aws:s3:::acme/*", '/'));
    }

    /// The pattern as a regular expression, straight from IAM's rules: `*`
    /// any run, `?` one character, everything else itself.
    fn regex_of(pattern: &str) -> regex::Regex {
        let mut re = String::from("^");
        for c in pattern.chars() {
            match c {
                '*' => re.push_str(".*"),
                '?' => re.push('.'),
                c => re.push_str(&regex::escape(&c.to_string())),
            }
        }
        re.push('$');
        regex::Regex::new(&re).unwrap()
    }

    /// Every string over `a`, `b`, `/` and `c` (a character no pattern
    /// names) of at most `n` characters.
    fn strings(n: usize) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..n {
            last = last
                .iter()
                .flat_map(|s| "ab/c".chars().map(move |c| format!("{s}{c}")))
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    /// An ARN pattern as a regular expression, straight from the segment
    /// rule as AWS documents it: a `*` ending a segment (before `:` or at the
    /// end) any run, another `*` any run without `:`, `?` one character
    /// other than `:`.
    fn arn_regex_of(pattern: &str) -> regex::Regex {
        let chars: Vec<char> = pattern.chars().collect();
        let mut re = String::from("^");
        for (i, c) in chars.iter().enumerate() {
            match c {
                // A run of `*` is one wildcard: its last decides.
                '*' if chars.get(i + 1) == Some(&'*') => {}
                '*' if matches!(chars.get(i + 1), None | Some(':')) => re.push_str(".*"),
                '*' => re.push_str("[^:]*"),
                '?' => re.push_str("[^:]"),
                c => re.push_str(&regex::escape(&c.to_string())),
            }
        }
        re.push('$');
        regex::Regex::new(&re).unwrap()
    }

    /// Every string over `alphabet` of at most `n` characters.
    fn strings_over(alphabet: &str, n: usize) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..n {
            last = last
                .iter()
                .flat_map(|s| alphabet.chars().map(move |c| format!("{s}{c}")))
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    #[test]
    fn arn_wildcards_stay_in_their_segment() {
        // Mid-segment: no colon.
        assert!(!resource_glob(
            "arn:aws:ec2:us*1:1:x",
            "arn:aws:ec2:us:evil:1:1:x"
        ));
        assert!(resource_glob(
            "arn:aws:ec2:us*1:1:x",
            "arn:aws:ec2:us-east-1:1:x"
        ));
        assert!(!resource_glob("arn:aws:s3:::b/*/x", "arn:aws:s3:::b/a:c/x"));
        assert!(!resource_glob("arn:aws:s3:::b/?", "arn:aws:s3:::b/:"));
        // Ending a segment: runs past colons.
        assert!(resource_glob(
            "arn:aws:iam::*:role/x",
            "arn:aws:iam::1:2:role/x"
        ));
        assert!(resource_glob(
            "arn:aws:logs:*",
            "arn:aws:logs:r:1:log-group:g:*"
        ));
        assert!(resource_matches(
            "arn:aws:s3:::b/*/x",
            "arn:aws:s3:::b/${k}/x"
        ));
        assert!(!resource_matches(
            "arn:aws:s3:::b/*/x",
            "arn:aws:s3:::b/a:c/x"
        ));
        // Inclusion both ways: a segment `*` is narrower than a crossing one.
        assert!(resource_covers("arn:aws:s3:::b/*", "arn:aws:s3:::b/*/x"));
        assert!(!resource_covers(
            "arn:aws:s3:::b/*/x",
            "arn:aws:s3:::b/*:*/x"
        ));
        assert!(resource_covers("arn:aws:s3:::b/*x", "arn:aws:s3:::b/?x"));
        // `*` of a condition value (StringLike) still crosses `:`.
        assert!(includes_text("a*b", "a:b", Case::Exact) == Some(true));
        assert!(includes_text("a*b", "a:b", Case::Arn) == Some(false));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// The ARN reading agrees with the documented segment rule: matching,
        /// overlap and inclusion, against brute force over strings with `:`.
        #[test]
        fn arn_segments_agree_with_brute_force(
            p in "[a:*?]{0,5}",
            q in "[a:*?]{0,4}",
        ) {
            let (pr, qr) = (arn_regex_of(&p), arn_regex_of(&q));
            let all = strings_over("a:c", p.len() + q.len() + 1);
            let counterexample = all.iter().find(|s| qr.is_match(s) && !pr.is_match(s));
            let decided = includes_text(&p, &q, Case::Arn);
            proptest::prop_assert_eq!(decided, Some(counterexample.is_none()), "{} covers {}: {:?}", p, q, counterexample);
            let overlap = all.iter().any(|s| qr.is_match(s) && pr.is_match(s));
            proptest::prop_assert_eq!(resource_matches(&p, &q), overlap, "{} overlaps {}", p, q);
            for s in strings_over("a:c", p.len() + 1) {
                proptest::prop_assert_eq!(resource_glob(&p, &s), pr.is_match(&s), "{} matches {}", p, s);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

        /// Inclusion agrees with brute force: a claimed inclusion has no
        /// counterexample, and a refused one has a short one.
        #[test]
        fn inclusion_agrees_with_brute_force(
            p in "[ab/*?]{0,4}",
            q in "[ab/*?]{0,4}",
        ) {
            let (pr, qr) = (regex_of(&p), regex_of(&q));
            let counterexample = strings(p.len() + q.len() + 1)
                .into_iter()
                .find(|s| qr.is_match(s) && !pr.is_match(s));
            let decided = includes_text(&p, &q, Case::Exact);
            proptest::prop_assert_eq!(decided, Some(counterexample.is_none()), "{} covers {}: {:?}", p, q, counterexample);
            let overlap = strings(p.len() + q.len()).iter().any(|s| qr.is_match(s) && pr.is_match(s));
            proptest::prop_assert_eq!(resource_matches(&p, &q), overlap, "{} overlaps {}", p, q);
            proptest::prop_assert_eq!(resource_matches(&q, &p), overlap, "{} overlaps {}", q, p);
            for s in strings(p.len() + 1) {
                proptest::prop_assert_eq!(glob(&p, &s, Case::Exact), pr.is_match(&s), "{} matches {}", p, s);
                proptest::prop_assert_eq!(matches(&symbolic(&p, Case::Exact), &literal(&s, Case::Exact)), pr.is_match(&s), "{} matches {}", p, s);
            }
        }
    }
}
