//! `${...}` inside strings: CloudFormation pseudo parameters and params (filled in
//! at deploy time, so the string renders as `!Sub`) versus IAM policy variables
//! (kept for IAM, escaped as `${!...}` inside a `!Sub`).

/// A pseudo parameter iamc accepts in strings, with the longest value it can take
/// (used to keep managed policies within IAM's size limit whatever the account).
pub const PSEUDO_PARAMETERS: &[(&str, usize)] = &[
    ("AWS::AccountId", 12),
    ("AWS::Partition", 10),
    ("AWS::Region", 20),
    ("AWS::StackId", 256),
    ("AWS::StackName", 128),
    ("AWS::URLSuffix", 20),
];

/// One piece of a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece<'s> {
    Literal(&'s str),
    /// `${AWS::Region}`: the name inside the braces.
    Pseudo(&'s str),
    /// `${aws:username}`, `${*}`: kept for IAM, the whole text with braces.
    PolicyVariable(&'s str),
}

/// What is wrong with a `${...}` at a byte range of the string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VarError {
    Unterminated {
        start: usize,
    },
    UnknownPseudo {
        start: usize,
        end: usize,
        name: String,
    },
    /// `${Name}` that is neither a pseudo parameter nor a policy variable: a
    /// CloudFormation parameter, which this version of iamc does not declare.
    UnknownName {
        start: usize,
        end: usize,
        name: String,
    },
}

/// IAM's policy variables that have no colon: `${*}`, `${?}`, `${$}`.
fn is_special_variable(inner: &str) -> bool {
    matches!(inner, "*" | "?" | "$")
}

/// Splits a string into literal text, pseudo parameters and policy variables.
pub fn pieces(s: &str) -> Result<Vec<Piece<'_>>, Vec<VarError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut rest = 0;
    while let Some(found) = s[rest..].find("${") {
        let start = rest + found;
        if start > rest {
            out.push(Piece::Literal(&s[rest..start]));
        }
        let Some(close) = s[start..].find('}') else {
            errors.push(VarError::Unterminated { start });
            rest = s.len();
            break;
        };
        let end = start + close + 1;
        let inner = &s[start + 2..end - 1];
        if let Some(name) = inner.strip_prefix("AWS::") {
            if PSEUDO_PARAMETERS.iter().any(|(p, _)| *p == inner) {
                out.push(Piece::Pseudo(inner));
            } else {
                errors.push(VarError::UnknownPseudo {
                    start,
                    end,
                    name: format!("AWS::{name}"),
                });
            }
        } else if inner.contains(':') || is_special_variable(inner) || inner.starts_with('!') {
            out.push(Piece::PolicyVariable(&s[start..end]));
        } else {
            errors.push(VarError::UnknownName {
                start,
                end,
                name: inner.to_string(),
            });
        }
        rest = end;
    }
    if rest < s.len() {
        out.push(Piece::Literal(&s[rest..]));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The longest value a pseudo parameter can take.
pub fn max_length(pseudo: &str) -> usize {
    PSEUDO_PARAMETERS
        .iter()
        .find(|(p, _)| *p == pseudo)
        .map(|(_, n)| *n)
        .unwrap_or(256)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_pseudo_parameters_and_policy_variables() {
        let p = pieces("arn:${AWS::Partition}:s3:::home/${aws:username}/*").unwrap();
        assert_eq!(
            p,
            vec![
                Piece::Literal("arn:"),
                Piece::Pseudo("AWS::Partition"),
                Piece::Literal(":s3:::home/"),
                Piece::PolicyVariable("${aws:username}"),
                Piece::Literal("/*"),
            ]
        );
    }

    #[test]
    fn reports_unterminated_and_unknown() {
        assert_eq!(
            pieces("a${AWS::Regoin}b${x"),
            Err(vec![
                VarError::UnknownPseudo {
                    start: 1,
                    end: 15,
                    name: "AWS::Regoin".into()
                },
                VarError::Unterminated { start: 16 },
            ])
        );
        assert!(matches!(
            pieces("${Bucket}").unwrap_err()[0],
            VarError::UnknownName { .. }
        ));
    }
}
