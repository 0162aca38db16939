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

/// The longest value iamc counts for a `param` without `max_length` (and the
/// `MaxLength` it gives the CloudFormation parameter, so the count holds).
pub const DEFAULT_PARAM_MAX_LENGTH: usize = 128;

/// The CloudFormation parameters a program declares, with the longest value
/// each may take.
#[derive(Clone, Debug, Default)]
pub struct Params(crate::hash::HashMap<String, usize>);

impl Params {
    pub fn new() -> Params {
        Params::default()
    }

    pub fn insert(&mut self, name: &str, max_length: usize) {
        self.0.insert(name.to_string(), max_length);
    }

    pub fn max_length(&self, name: &str) -> Option<usize> {
        self.0.get(name).copied()
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
}

/// One piece of a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece<'s> {
    Literal(&'s str),
    /// `${AWS::Region}`: the name inside the braces.
    Pseudo(&'s str),
    /// `${CustomerBucketPrefix}`: a declared param, the name inside the braces.
    Param(&'s str),
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
    /// `${Name}` that is neither a pseudo parameter, a declared param nor a
    /// policy variable.
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

/// Where the next `${` starts, at or after `from`.
fn next_variable(s: &str, from: usize) -> Option<usize> {
    let bytes = s.as_bytes();
    (from..bytes.len().saturating_sub(1)).find(|&i| bytes[i] == b'$' && bytes[i + 1] == b'{')
}

/// Splits a string into literal text, deploy-time values (pseudo parameters and
/// declared params) and policy variables.
pub fn pieces<'s>(s: &'s str, params: &Params) -> Result<Vec<Piece<'s>>, Vec<VarError>> {
    let mut out = Vec::new();
    let errors = each_piece(s, params, |p| out.push(p));
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// [`pieces`] one at a time, without collecting them: `f` sees each piece,
/// and what is wrong comes back (empty when nothing is).
pub fn each_piece<'s>(s: &'s str, params: &Params, mut f: impl FnMut(Piece<'s>)) -> Vec<VarError> {
    let mut errors = Vec::new();
    let mut rest = 0;
    while let Some(start) = next_variable(s, rest) {
        if start > rest {
            f(Piece::Literal(&s[rest..start]));
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
                f(Piece::Pseudo(inner));
            } else {
                errors.push(VarError::UnknownPseudo {
                    start,
                    end,
                    name: format!("AWS::{name}"),
                });
            }
        } else if params.max_length(inner).is_some() {
            f(Piece::Param(inner));
        } else if inner.contains(':') || is_special_variable(inner) || inner.starts_with('!') {
            f(Piece::PolicyVariable(&s[start..end]));
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
        f(Piece::Literal(&s[rest..]));
    }
    errors
}

/// The longest value a pseudo parameter can take.
pub fn max_length(pseudo: &str) -> usize {
    PSEUDO_PARAMETERS
        .iter()
        .find(|(p, _)| *p == pseudo)
        .map(|(_, n)| *n)
        .unwrap_or(256)
}

/// The text for a `!Sub` of a validated string: deploy-time values kept as
/// `${X}`, policy variables escaped as `${!aws:username}`.
pub fn sub_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    let mut rest = 0;
    while let Some(found) = s[rest..].find("${") {
        let start = rest + found;
        let Some(close) = s[start..].find('}') else {
            break;
        };
        let end = start + close + 1;
        let inner = &s[start + 2..end - 1];
        out.push_str(&s[rest..start]);
        if is_deploy_time(inner) {
            out.push_str(&s[start..end]);
        } else {
            out.push_str("${!");
            out.push_str(&s[start + 2..end]);
        }
        rest = end;
    }
    out.push_str(&s[rest..]);
    out
}

/// Whether `${inner}` of a validated string is filled in by CloudFormation.
fn is_deploy_time(inner: &str) -> bool {
    inner.starts_with("AWS::")
        || !(inner.contains(':') || is_special_variable(inner) || inner.starts_with('!'))
}

/// The declared params a validated string uses.
pub fn param_names(s: &str) -> impl Iterator<Item = &str> {
    s.match_indices("${").filter_map(move |(start, _)| {
        let close = s[start..].find('}')?;
        let inner = &s[start + 2..start + close];
        (!inner.starts_with("AWS::") && is_deploy_time(inner)).then_some(inner)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_pseudo_parameters_and_policy_variables() {
        let p = pieces(
            "arn:${AWS::Partition}:s3:::home/${aws:username}/*",
            &Params::new(),
        )
        .unwrap();
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
            pieces("a${AWS::Regoin}b${x", &Params::new()),
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
            pieces("${Bucket}", &Params::new()).unwrap_err()[0],
            VarError::UnknownName { .. }
        ));
    }

    #[test]
    fn declared_params_are_deploy_time_values() {
        let mut params = Params::new();
        params.insert("Prefix", 20);
        let p = pieces("arn:aws:s3:::${Prefix}*/${aws:userid}", &params).unwrap();
        assert_eq!(p[1], Piece::Param("Prefix"));
        assert_eq!(
            sub_text("arn:aws:s3:::${Prefix}*/${aws:userid}"),
            "arn:aws:s3:::${Prefix}*/${!aws:userid}"
        );
        assert_eq!(
            param_names("${AWS::Region}${Prefix}${aws:x}").collect::<Vec<_>>(),
            ["Prefix"]
        );
    }
}
