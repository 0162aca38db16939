//! Names for what import writes: identifiers of the language, unique across the
//! program without regard to case (as the compiler requires).

use crate::syntax::lex;
use std::collections::HashSet;

/// `deploy-bot` → `DeployBot`: letters and digits only, each run after a
/// dropped character capitalised, starting with a letter (`fallback` is put
/// in front of a leading digit, and stands alone for an empty name).
pub fn sanitize(text: &str, fallback: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut upper = true;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    match out.chars().next() {
        None => fallback.to_string(),
        Some(c) if c.is_ascii_digit() => format!("{fallback}{out}"),
        Some(_) => out,
    }
}

/// The `{Name}` of a physical name made by a naming pattern, when it is one and
/// the name is an identifier: `PersonalRoleJaneDoe` with `PersonalRole{Name}`
/// gives `JaneDoe`.
pub fn strip_pattern(pattern: &str, name: &str) -> Option<String> {
    let (prefix, suffix) = pattern.split_once("{Name}")?;
    let middle = name.strip_prefix(prefix)?.strip_suffix(suffix)?;
    lex::is_name(middle).then(|| middle.to_string())
}

/// Hands out names, each distinct from all before it without regard to case.
#[derive(Default)]
pub struct Namer {
    taken: HashSet<String>,
}

impl Namer {
    /// `wanted`, or `wanted2`, `wanted3`, ... when it is taken.
    pub fn name(&mut self, wanted: &str) -> String {
        let mut n = 1;
        let mut name = wanted.to_string();
        while !self.taken.insert(name.to_ascii_lowercase()) {
            n += 1;
            name = format!("{wanted}{n}");
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_makes_identifiers() {
        assert_eq!(sanitize("deploy-bot", "Role"), "DeployBot");
        assert_eq!(sanitize("AllowS3Read", "Policy"), "AllowS3Read");
        assert_eq!(sanitize("1st_policy", "Policy"), "Policy1stPolicy");
        assert_eq!(sanitize("--", "Policy"), "Policy");
    }

    #[test]
    fn patterns_strip_to_the_name() {
        assert_eq!(
            strip_pattern("PersonalRole{Name}", "PersonalRoleJaneDoe").as_deref(),
            Some("JaneDoe")
        );
        assert_eq!(
            strip_pattern("acme-{Name}-profile", "acme-App-profile").as_deref(),
            Some("App")
        );
        assert_eq!(strip_pattern("PersonalRole{Name}", "deploy-bot"), None);
        assert_eq!(strip_pattern("{Name}", "svc-a"), None);
        assert_eq!(strip_pattern("{Name}", "policy"), None);
    }

    #[test]
    fn names_are_unique_without_regard_to_case() {
        let mut namer = Namer::default();
        assert_eq!(namer.name("Read"), "Read");
        assert_eq!(namer.name("read"), "read2");
        assert_eq!(namer.name("Read"), "Read3");
    }
}
