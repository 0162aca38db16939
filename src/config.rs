//! `iamc.yaml`: folders, naming patterns and limits. Every setting is optional.

use crate::diagnostics::{Code, Diagnostic, LintCode, did_you_mean};
use crate::iam::chars::is_iam_name_char;
use crate::iam::limits::{
    IAM_MAX_MANAGED_POLICIES, IAM_POLICY_SIZE, IAM_TRUST_POLICY_MAX, IAM_TRUST_POLICY_SIZE,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Folder of `.iam` sources, relative to the config file.
    pub source: String,
    /// Folder the templates are written to.
    pub output: String,
    pub naming: Naming,
    pub limits: Limits,
    /// Lint levels by lint name (`action-wildcard: deny`); unnamed lints keep their default.
    pub lints: BTreeMap<String, Level>,
    pub catalog: CatalogSettings,
    /// What CloudFormation does with a resource when its stack is deleted or
    /// the resource replaced: `delete` (its default) or `retain`.
    pub deletion_policy: DeletionPolicy,
}

/// `DeletionPolicy` and `UpdateReplacePolicy` of every resource iamc
/// writes. `Delete`, CloudFormation's default, is written as nothing: a
/// principal removed from the program is removed from the account.
/// `Retain` keeps the resources when their stack is deleted (and when a
/// change would replace one): what a team that adopted existing principals
/// (see `iamc adopt`) may want, at the price that a principal removed from
/// the program stays in the account, with its access, until removed by hand.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DeletionPolicy {
    #[default]
    Delete,
    Retain,
}

/// How actions the catalog does not know are reported (E050), so that a
/// service or action AWS added since the catalog was made need not block a
/// build: `deny` (an error, the default), `warn` or `allow`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct CatalogSettings {
    /// An action whose service prefix the catalog lacks.
    pub unknown_service: Level,
    /// An action the catalog lacks, of a service it has.
    pub unknown_action: Level,
    /// A condition key that is neither a global key nor one of its
    /// service's keys (E051); a warning by default.
    pub unknown_condition_key: Level,
}

impl Default for CatalogSettings {
    fn default() -> CatalogSettings {
        CatalogSettings {
            unknown_service: Level::Deny,
            unknown_action: Level::Deny,
            unknown_condition_key: Level::Warn,
        }
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Naming {
    pub role: String,
    pub instance_profile: String,
    pub managed_policy: String,
    pub user: String,
    pub group: String,
    /// A `stack`'s standalone managed policies (`{Part}` is empty when one
    /// policy holds them all).
    pub stack_policy: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Most managed policies one principal may need (IAM: 10 by default, 20 at most).
    pub max_managed_policies: usize,
    /// Characters of a managed policy document (IAM: 6,144).
    pub policy_size: usize,
    /// Characters of a trust policy (IAM: 2,048, or up to 4,096 with a quota increase).
    pub trust_policy_size: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            source: "policies".into(),
            output: "generated".into(),
            naming: Naming::default(),
            limits: Limits::default(),
            lints: BTreeMap::new(),
            catalog: CatalogSettings::default(),
            deletion_policy: DeletionPolicy::Delete,
        }
    }
}

impl Default for Naming {
    fn default() -> Naming {
        Naming {
            role: "PersonalRole{Name}".into(),
            instance_profile: "PersonalInstanceProfile{Name}".into(),
            managed_policy: "PersonalPolicy{Part}{Name}".into(),
            user: "{Name}".into(),
            group: "{Name}Group".into(),
            stack_policy: "{Name}{Part}".into(),
        }
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_managed_policies: 10,
            policy_size: IAM_POLICY_SIZE,
            trust_policy_size: IAM_TRUST_POLICY_SIZE,
        }
    }
}

impl Naming {
    /// The pattern with `{Name}` and `{Part}` filled in.
    pub fn apply(pattern: &str, name: &str, part: &str) -> String {
        let mut out = String::with_capacity(pattern.len() + name.len() + part.len());
        let mut rest = pattern;
        while let Some(at) = rest.find('{') {
            out.push_str(&rest[..at]);
            let after = &rest[at..];
            if let Some(tail) = after.strip_prefix("{Name}") {
                out.push_str(name);
                rest = tail;
            } else if let Some(tail) = after.strip_prefix("{Part}") {
                out.push_str(part);
                rest = tail;
            } else {
                out.push('{');
                rest = &after[1..];
            }
        }
        out.push_str(rest);
        out
    }
}

impl Config {
    /// Parses `iamc.yaml`. Errors name the file; the caller gives it its path.
    pub fn parse(text: &str, file_name: &str) -> Result<Config, Diagnostic> {
        let config: Config = if text.trim().is_empty() {
            Config::default()
        } else {
            // serde_yaml's message already ends with the line and column.
            serde_yaml::from_str(text).map_err(|e| {
                Diagnostic::error(Code::Config, format!("{file_name}: {e}"))
                    .help("see the book's page on iamc.yaml for every setting")
            })?
        };
        config.validate(file_name)?;
        Ok(config)
    }

    fn validate(&self, file_name: &str) -> Result<(), Diagnostic> {
        let err = |msg: String| {
            Err(
                Diagnostic::error(Code::Config, format!("{file_name}: {msg}"))
                    .help("see the book's page on iamc.yaml for every setting and its default"),
            )
        };
        let patterns = [
            ("naming.role", &self.naming.role, false),
            (
                "naming.instance_profile",
                &self.naming.instance_profile,
                false,
            ),
            ("naming.managed_policy", &self.naming.managed_policy, true),
            ("naming.user", &self.naming.user, false),
            ("naming.group", &self.naming.group, false),
            ("naming.stack_policy", &self.naming.stack_policy, true),
        ];
        for (key, pattern, needs_part) in patterns {
            if !pattern.contains("{Name}") {
                return err(format!("`{key}` must contain {{Name}}, got `{pattern}`"));
            }
            if needs_part && !pattern.contains("{Part}") {
                return err(format!("`{key}` must contain {{Part}}, got `{pattern}`"));
            }
            let literal = pattern.replace("{Name}", "").replace("{Part}", "");
            if let Some(c) = literal.chars().find(|c| !is_iam_name_char(*c)) {
                return err(format!(
                    "`{key}` has `{c}`, which IAM names do not allow (letters, digits and _+=,.@- only)"
                ));
            }
        }
        let l = &self.limits;
        if l.max_managed_policies == 0 || l.max_managed_policies > IAM_MAX_MANAGED_POLICIES {
            return err(format!(
                "`limits.max_managed_policies` must be 1 to {IAM_MAX_MANAGED_POLICIES}, got {}",
                l.max_managed_policies
            ));
        }
        if l.policy_size < 512 || l.policy_size > IAM_POLICY_SIZE {
            return err(format!(
                "`limits.policy_size` must be 512 to {IAM_POLICY_SIZE}, got {}",
                l.policy_size
            ));
        }
        if l.trust_policy_size < 256 || l.trust_policy_size > IAM_TRUST_POLICY_MAX {
            return err(format!(
                "`limits.trust_policy_size` must be 256 to {IAM_TRUST_POLICY_MAX}, got {}",
                l.trust_policy_size
            ));
        }
        if let Some(problem) = unknown_lint_names(self.lints.keys()) {
            return err(problem);
        }
        if self.source.is_empty() || self.output.is_empty() {
            return err("`source` and `output` must not be empty".into());
        }
        Ok(())
    }
}

/// How a lint's findings are reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported as a warning; the build succeeds.
    Warn,
    /// Reported as an error; the build fails and writes nothing.
    Deny,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
}

/// For `iamc.yaml`: the first lint name that is not a lint, explained.
fn unknown_lint_names<'a>(names: impl Iterator<Item = &'a String>) -> Option<String> {
    for name in names {
        if LintCode::by_name(name).is_some() {
            continue;
        }
        let mut problem = format!("`lints.{name}`: there is no lint named `{name}`");
        if let Some(lint) = LintCode::by_code(name) {
            problem.push_str(&format!(
                "; lints are named, not numbered: write `{}`",
                lint.name()
            ));
        } else if let Some(close) = did_you_mean(name, LintCode::ALL.iter().map(|l| l.name())) {
            problem.push_str(&format!("; did you mean `{close}`?"));
        }
        return Some(problem);
    }
    None
}
