//! IAM's wildcard matching, the one matcher of iamc: `*` matches any run of
//! characters (including `:` and `/`), `?` matches one. Actions (and service
//! prefixes) compare ignoring case, resources (ARNs) exactly.
//!
//! Two kinds of question: whether a pattern matches a plain string
//! ([`action_glob`], [`resource_glob`]: fast, for the catalog and the lints),
//! and whether two patterns meet or one covers the other
//! ([`action_matches`], [`action_covers`] and their resource forms). A `${...}` in a pattern (a deploy-time value such as
//! `${AWS::Region}` or a policy variable such as `${aws:username}`) is not known
//! before the request, so it matches like `*`.

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

/// Whether `pattern` matches every string `query` stands for, judged by
/// matching the query's text literally (its own wildcards as characters). Exact
/// for a query without wildcards, and never claims coverage that is not there
/// when the pattern's wildcards cover the query's.
fn covers(pattern: &[Token], query: &str, fold_case: bool) -> bool {
    let literal: Vec<Token> = query
        .chars()
        .map(|c| Token::Char(if fold_case { c.to_ascii_lowercase() } else { c }))
        .collect();
    overlap(pattern, &literal)
}

/// An action pattern matches an action (or an action pattern) of the query.
pub fn action_matches(pattern: &str, query: &str) -> bool {
    overlap(&tokens(pattern, true), &tokens(query, true))
}

/// A resource pattern matches a resource (or a resource pattern) of the query.
pub fn resource_matches(pattern: &str, query: &str) -> bool {
    overlap(&tokens(pattern, false), &tokens(query, false))
}

/// An action pattern covers everything the query names.
pub fn action_covers(pattern: &str, query: &str) -> bool {
    covers(&tokens(pattern, true), query, true)
}

/// A resource pattern covers everything the query names.
pub fn resource_covers(pattern: &str, query: &str) -> bool {
    covers(&tokens(pattern, false), query, false)
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
}
