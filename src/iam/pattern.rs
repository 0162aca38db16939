//! IAM's wildcard matching, the one matcher of iamc: `*` matches any run of
//! characters (including `:` and `/`), `?` matches one. Actions (and service
//! prefixes) compare ignoring case, resources (ARNs) exactly.
//!
//! Two kinds of question: whether a pattern matches a plain string
//! ([`action_glob`], [`resource_glob`]: fast, for the catalog and the lints),
//! and whether two patterns meet or one covers the other
//! ([`action_matches`], [`action_covers`] and their resource forms). A `${...}` in a pattern (a deploy-time value such as
//! `${AWS::Region}` or a policy variable such as `${aws:username}`) is not known
//! before the request: whether two patterns may match the same string reads it
//! like `*`; whether one pattern covers another ([`includes`]) reads it as a
//! value of its own, which covers only itself.

/// One element of a compiled pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Char(char),
    /// `?`
    One,
    /// `*` or `${...}`
    Any,
}

fn tokens(pattern: &str, fold_case: bool) -> Vec<Token> {
    let mut out = Vec::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push(Token::Any),
            '?' => out.push(Token::One),
            '$' if chars.peek() == Some(&'{') => {
                // Skip to the closing brace; an unterminated `${` is literal.
                let rest: String = chars.clone().collect();
                match rest.find('}') {
                    Some(end) => {
                        for _ in 0..=end {
                            chars.next();
                        }
                        out.push(Token::Any);
                    }
                    None => out.push(Token::Char('$')),
                }
            }
            c if fold_case => out.push(Token::Char(c.to_ascii_lowercase())),
            c => out.push(Token::Char(c)),
        }
    }
    out.dedup_by(|a, b| *a == Token::Any && *b == Token::Any);
    out
}

/// Whether two patterns have a string in common: `s3:Get*` and `s3:*Object`
/// overlap (`s3:GetObject`); `s3:Get*` and `s3:Put*` do not. A pattern with no
/// wildcard is a plain string, so this is also plain matching.
fn overlap(p: &[Token], q: &[Token]) -> bool {
    // seen[i][j]: state (i, j) already explored.
    let width = q.len() + 1;
    let mut seen = vec![false; (p.len() + 1) * width];
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, j)) = stack.pop() {
        if std::mem::replace(&mut seen[i * width + j], true) {
            continue;
        }
        if i == p.len() && j == q.len() {
            return true;
        }
        let (a, b) = (p.get(i), q.get(j));
        if a == Some(&Token::Any) {
            stack.push((i + 1, j));
            if j < q.len() {
                stack.push((i, j + 1));
            }
            continue;
        }
        if b == Some(&Token::Any) {
            stack.push((i, j + 1));
            if i < p.len() {
                stack.push((i + 1, j));
            }
            continue;
        }
        match (a, b) {
            (Some(Token::Char(x)), Some(Token::Char(y))) if x == y => stack.push((i + 1, j + 1)),
            (Some(Token::One), Some(_)) | (Some(_), Some(Token::One)) => {
                stack.push((i + 1, j + 1));
            }
            _ => {}
        }
    }
    false
}

/// One element of a pattern read for [`includes`]: a `${...}` is a value of
/// its own, not a wildcard.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Char(char),
    /// `?`
    One,
    /// `*`
    Any,
    /// `${...}`, by its text: a policy variable or a deploy-time value, fixed
    /// for one request but unknown here.
    Var(String),
}

fn parts(pattern: &str, fold_case: bool) -> Vec<Part> {
    let mut out = Vec::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if let Some(var) = rest.strip_prefix("${")
            && let Some(end) = var.find('}')
        {
            let name = &var[..end];
            rest = &var[end + 1..];
            // `${*}`, `${?}` and `${$}` stand for the literal characters.
            match name {
                "*" | "?" | "$" => out.extend(name.chars().map(Part::Char)),
                _ => out.push(Part::Var(name.to_string())),
            }
            continue;
        }
        rest = &rest[c.len_utf8()..];
        out.push(match c {
            '*' => Part::Any,
            '?' => Part::One,
            c if fold_case => Part::Char(c.to_ascii_lowercase()),
            c => Part::Char(c),
        });
    }
    out.dedup_by(|a, b| *a == Part::Any && *b == Part::Any);
    out
}

/// A set of positions in a pattern, sorted.
type Positions = Vec<usize>;

/// Positions reached from `from` without reading: a `*` may match nothing.
fn closure(pattern: &[Part], from: impl IntoIterator<Item = usize>) -> Positions {
    let mut out: Positions = Vec::new();
    for mut i in from {
        loop {
            out.push(i);
            if pattern.get(i) != Some(&Part::Any) {
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
/// character the pattern does not name).
fn step(pattern: &[Part], at: &[usize], c: Option<char>) -> Positions {
    closure(
        pattern,
        at.iter().filter_map(|&i| match (pattern.get(i)?, c) {
            (Part::Any, _) => Some(i),
            (Part::One, _) => Some(i + 1),
            (Part::Char(x), Some(c)) if *x == c => Some(i + 1),
            _ => None,
        }),
    )
}

/// The most states [`includes`] explores before it gives up.
const BUDGET: usize = 200_000;

/// Whether every string `query` stands for matches `pattern` (the language of
/// `query` is included in that of `pattern`), for every value of the
/// variables: `Some(true)` or `Some(false)`, or `None` when the patterns are
/// too tangled to decide within [`BUDGET`].
///
/// Exact for patterns without variables. A `${...}` of the query may be any
/// string: only a `*` of the pattern, or the same `${...}` at the same place,
/// covers it. A `${...}` of the pattern is a value the request decides: it
/// covers only the same `${...}` of the query, never a character, so
/// `a/${aws:username}/*` does not cover `a/jane/*`.
///
/// The query and the pattern are walked together: for each place in the
/// query, the set of places the pattern can be at. A wildcard of the query
/// must work for every character: one that the pattern names, or any other.
pub fn includes(pattern: &str, query: &str, fold_case: bool) -> Option<bool> {
    let p = parts(pattern, fold_case);
    let q = parts(query, fold_case);
    // Every character the pattern names, and one it does not (`None`).
    let mut alphabet: Vec<Option<char>> = p
        .iter()
        .filter_map(|t| match t {
            Part::Char(c) => Some(Some(*c)),
            _ => None,
        })
        .collect();
    alphabet.sort_unstable();
    alphabet.dedup();
    alphabet.push(None);
    // A state: the place in the query; the places in the pattern; inside a
    // `${...}` of the query (reading its value), the places its same
    // `${...}` of the pattern leads to.
    type State = (usize, Positions, Option<Positions>);
    let mut seen: crate::hash::HashSet<State> = Default::default();
    let mut stack: Vec<State> = vec![(0, closure(&p, [0]), None)];
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
            // Inside a variable's value: end it here, or read one more character.
            let mut after = at.clone();
            after.extend(same.iter().copied());
            stack.push((j + 1, closure(&p, after), None));
            for &c in &alphabet {
                stack.push((j, step(&p, &at, c), Some(same.clone())));
            }
            continue;
        }
        match q.get(j) {
            None => {
                if !at.contains(&p.len()) {
                    return Some(false);
                }
            }
            Some(Part::Char(c)) => stack.push((j + 1, step(&p, &at, Some(*c)), None)),
            Some(Part::One) => {
                for &c in &alphabet {
                    stack.push((j + 1, step(&p, &at, c), None));
                }
            }
            Some(Part::Any) => {
                stack.push((j + 1, at.clone(), None));
                for &c in &alphabet {
                    stack.push((j, step(&p, &at, c), None));
                }
            }
            Some(Part::Var(name)) => {
                let same: Positions = at
                    .iter()
                    .filter(|&&i| p.get(i) == Some(&Part::Var(name.clone())))
                    .map(|&i| i + 1)
                    .collect();
                stack.push((j, at, Some(same)));
            }
        }
    }
    Some(true)
}

/// Whether `pattern` matches every string `query` stands for; `false` when
/// [`includes`] cannot decide (coverage is never claimed without proof).
fn covers(pattern: &str, query: &str, fold_case: bool) -> bool {
    includes(pattern, query, fold_case) == Some(true)
}

/// An action pattern matches an action (or an action pattern) of the query.
pub fn action_matches(pattern: &str, query: &str) -> bool {
    overlap(&tokens(pattern, true), &tokens(query, true))
}

/// A resource pattern matches a resource (or a resource pattern) of the query.
pub fn resource_matches(pattern: &str, query: &str) -> bool {
    // Most resources are plain ARNs: matching one is a walk, not a search.
    let plain = |s: &str| !s.contains(['*', '?', '$']);
    match (plain(pattern), plain(query)) {
        (_, true) => matches_text(&tokens(pattern, false), query),
        (true, false) => matches_text(&tokens(query, false), pattern),
        (false, false) => overlap(&tokens(pattern, false), &tokens(query, false)),
    }
}

/// Whether a pattern matches a plain string: the usual walk that remembers
/// the last `*` and, on a mismatch, lets it take one more character.
fn matches_text(pattern: &[Token], text: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(Token::Any) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Token::One) => (p, t) = (p + 1, t + 1),
            Some(Token::Char(c)) if *c == text[t] => (p, t) = (p + 1, t + 1),
            _ => match star {
                Some((sp, st)) => {
                    (p, t) = (sp + 1, st + 1);
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|t| *t == Token::Any)
}

/// An action pattern covers everything the query names.
pub fn action_covers(pattern: &str, query: &str) -> bool {
    covers(pattern, query, true)
}

/// A resource pattern covers everything the query names.
pub fn resource_covers(pattern: &str, query: &str) -> bool {
    covers(pattern, query, false)
}

/// Whether a resource pattern matches some string without the character `c`
/// (outside `${...}`, whose value may hold anything). `arn:aws:s3:::acme-*`
/// can avoid `/` (the bucket `acme-x`) and can hold it (`acme-x/key`).
pub fn can_avoid(pattern: &str, c: char) -> bool {
    !parts(pattern, false).contains(&Part::Char(c))
}

/// Whether a pattern has a wildcard (`*` or `?`).
pub fn is_wildcard(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

/// An action pattern (or the name part of one) matches a plain action,
/// ignoring case: `s3:Get*` matches `s3:getobject`.
pub fn action_glob(pattern: &str, text: &str) -> bool {
    glob(pattern, text, true)
}

/// A resource pattern matches a plain ARN, case and all: `arn:aws:s3:::b/*`
/// matches `arn:aws:s3:::b/x` but not `arn:aws:s3:::B/x`. `${...}` is
/// literal here: ask [`resource_matches`] when either side may hold one.
pub fn resource_glob(pattern: &str, text: &str) -> bool {
    glob(pattern, text, false)
}

/// Byte-wise `*`/`?` matching with backtracking to the last `*`.
fn glob(pattern: &str, text: &str, fold_case: bool) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len()
            && (p[pi] == b'?'
                || (if fold_case {
                    p[pi].eq_ignore_ascii_case(&t[ti])
                } else {
                    p[pi] == t[ti]
                }))
        {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// An ARN's colon-separated segments; a `${...}` (which may hold `:`) stays whole.
pub fn arn_segments(arn: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut depth) = (0, false);
    for (at, c) in arn.char_indices() {
        match c {
            '{' if arn[..at].ends_with('$') => depth = true,
            '}' => depth = false,
            ':' if !depth => {
                out.push(&arn[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    out.push(&arn[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_case_insensitive_globs() {
        assert!(action_matches("s3:Get*", "s3:getobject"));
        assert!(action_matches("S3:GETOBJECT", "s3:GetObject"));
        assert!(action_matches("*", "ec2:RunInstances"));
        assert!(action_matches("s3:GetObject?ersion", "s3:GetObjectVersion"));
        assert!(!action_matches("s3:Get*", "s3:PutObject"));
        assert!(!action_matches("s3:GetObject", "s3:GetObjectAcl"));
        assert!(!action_matches("s3:GetObject?", "s3:GetObject"));
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
    fn variables_match_any_value() {
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
    }

    #[test]
    fn covers_reads_the_query_literally() {
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
        let yes = |p: &str, q: &str| includes(p, q, false) == Some(true);
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
        assert_eq!(includes("IAM:Pass*", "iam:passrole", true), Some(true));
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
            let decided = includes(&p, &q, false);
            proptest::prop_assert_eq!(decided, Some(counterexample.is_none()), "{} covers {}: {:?}", p, q, counterexample);
            let overlap = strings(p.len() + q.len()).iter().any(|s| qr.is_match(s) && pr.is_match(s));
            proptest::prop_assert_eq!(resource_matches(&p, &q), overlap, "{} overlaps {}", p, q);
            proptest::prop_assert_eq!(resource_matches(&q, &p), overlap, "{} overlaps {}", q, p);
        }
    }
}
