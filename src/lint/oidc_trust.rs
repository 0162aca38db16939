//! L015 `oidc-trust`: a web identity (OIDC) trust that does not pin the
//! audience and the subject.

use super::trust::{limits_on, trusts};
use super::{Context, Finding, Level, Lint};
use crate::ast::{TrustEntry, TrustKind};
use crate::diagnostics::LintCode;
use crate::iam::condition::Operator;

pub const LINT: Lint = Lint {
    id: LintCode::OidcTrust,
    summary: "an OIDC trust without an `aud` condition and a `sub` pinned to an owner",
    default: Level::Deny,
    justifiable: false,
    doc: DOC,
    check,
};

/// A public OIDC provider whose tokens anyone can obtain, and how its `sub`
/// claim names the owner of the workload: `prefix`, then the owner, then `end`.
struct Provider {
    name: &'static str,
    /// The provider's host (and path), as its ARN ends: `oidc-provider/HOST`.
    host: &'static str,
    prefix: &'static str,
    end: char,
}

const PROVIDERS: &[Provider] = &[
    Provider {
        name: "GitHub Actions",
        host: "token.actions.githubusercontent.com",
        prefix: "repo:",
        end: '/',
    },
    Provider {
        name: "GitLab",
        host: "gitlab.com",
        prefix: "project_path:",
        end: '/',
    },
    Provider {
        name: "Terraform Cloud",
        host: "app.terraform.io",
        prefix: "organization:",
        end: ':',
    },
    Provider {
        name: "Bitbucket Pipelines",
        host: "api.bitbucket.org/",
        prefix: "{",
        end: '}',
    },
];

const DOC: &str = r#"## What it does

Flags a `federated` trust in an OIDC provider (`...:oidc-provider/HOST`) unless it
has both:

- a condition on `HOST:aud` (the audience), and
- a condition on `HOST:sub` (the subject) whose every value names the owner of the
  workload before any wildcard.

Both must use an operator that holds only for the values it lists (`StringEquals`,
`StringLike`; not a `...Not...` operator, not `...IfExists`, not `ForAllValues:`).
For the public CI providers, a `sub` value pins the owner when it starts with:

| provider | host | `sub` must start with |
|---|---|---|
| GitHub Actions | `token.actions.githubusercontent.com` | `repo:OWNER/` |
| GitLab | `gitlab.com` | `project_path:GROUP/` |
| Terraform Cloud | `app.terraform.io` | `organization:ORG:` |
| Bitbucket Pipelines | `api.bitbucket.org/2.0/workspaces/...` | `{REPOSITORY-UUID}` |

For any other OIDC provider (an EKS cluster, a self-hosted GitLab, or a public
provider named directly, such as `cognito-identity.amazonaws.com` or
`accounts.google.com`) iamc does not know the shape of `sub`: it flags the trust only
when it has no `aud` and no `sub` condition at all (for Cognito, without an `aud`
condition naming the identity pool, every identity pool of every account is let in).

## Why it matters

Anyone can get a token from GitHub, GitLab, Terraform Cloud or Bitbucket: they run a
workflow in a repository of their own. A trust in the provider without a `sub`
condition naming your organization lets every repository on the platform assume the
role; `repo:*` or `repo:acme*` (which matches `acme-attacker/x`) is no better.

## Example

```iam
policy Deploy {
  allow s3:PutObject on "arn:aws:s3:::acme-site/*"
}
role GithubDeploy {
  grants Deploy
  trust {
    federated "arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"
      when StringEquals "token.actions.githubusercontent.com:aud" "sts.amazonaws.com"
  }
}
```

## How to fix

Pin the audience and the repository (and, better, the branch or environment):

```iam
policy Deploy {
  allow s3:PutObject on "arn:aws:s3:::acme-site/*"
}
role GithubDeploy {
  grants Deploy
  trust {
    federated "arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"
      when StringEquals "token.actions.githubusercontent.com:aud" "sts.amazonaws.com"
      when StringLike "token.actions.githubusercontent.com:sub" "repo:acme/site:ref:refs/heads/main"
  }
}
```
"#;

/// Whether a `sub` value names the owner before any wildcard (of an operator
/// that takes them, `StringLike`, `ArnLike`, `ArnEquals`; `StringEquals`
/// reads `*` as itself) or variable.
fn pins(provider: &Provider, value: &str, like: bool) -> bool {
    let literal = if like {
        value.split(['*', '?']).next().unwrap_or("")
    } else {
        value
    };
    let literal = literal.split("${").next().unwrap_or("");
    literal
        .strip_prefix(provider.prefix)
        .and_then(|rest| rest.find(provider.end))
        .is_some_and(|at| at > 0)
}

/// What is missing from an entry trusting the provider at `host`, if
/// anything, and who that lets in.
fn missing(entry: &TrustEntry, host: &str) -> Option<(String, String)> {
    let aud = limits_on(entry, &format!("{host}:aud")).next().is_some();
    let subs: Vec<_> = limits_on(entry, &format!("{host}:sub")).collect();
    let Some(provider) = PROVIDERS.iter().find(|p| host.starts_with(p.host)) else {
        return (!aud && subs.is_empty()).then(|| {
            (
                "no `aud` and no `sub` condition".to_string(),
                "every identity this provider issues tokens to may assume it".to_string(),
            )
        });
    };
    let who = format!(
        "{} issues tokens to every workload on it, an attacker's included",
        provider.name
    );
    let pinned = subs.iter().any(|c| {
        let like = Operator::parse(&c.operator.name).is_some_and(|op| op.takes_wildcards());
        c.values.iter().all(|v| pins(provider, &v.value, like))
    });
    let what = match (aud, pinned) {
        (true, true) => return None,
        (false, true) => format!("no `{host}:aud` condition"),
        (_, false) => format!(
            "no `{host}:sub` condition pinning the {} owner (`{}OWNER{}...`){}",
            provider.name,
            provider.prefix,
            provider.end,
            if aud { "" } else { ", and no `aud` condition" }
        ),
    };
    Some((what, who))
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (name, trust) in trusts(cx) {
        for entry in &trust.entries {
            if entry.kind != TrustKind::Federated {
                continue;
            }
            for principal in &entry.principals {
                // An OIDC provider of the account, or a public one by name
                // (`cognito-identity.amazonaws.com`, `accounts.google.com`).
                let host = match principal.value.split_once(":oidc-provider/") {
                    Some((_, host)) => host,
                    None if !principal.value.starts_with("arn:") => principal.value.as_str(),
                    None => continue,
                };
                let Some((what, who)) = missing(entry, host) else {
                    continue;
                };
                out.push(Finding {
                    diagnostic: LINT
                        .diagnostic(format!(
                            "{name} lets tokens of `{host}` assume the role with {what}"
                        ))
                        .primary(principal.span, "anyone who can get a token from this provider")
                        .note(who)
                        .help(format!(
                            "add `when StringEquals \"{host}:aud\" \"...\"` and `when StringLike \"{host}:sub\" \"...\"` naming your organization"
                        )),
                    statements: Vec::new(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pinned_subject_names_its_owner_before_any_wildcard() {
        let github = &PROVIDERS[0];
        assert!(pins(github, "repo:acme/site:ref:refs/heads/main", true));
        assert!(pins(github, "repo:acme/*", true));
        assert!(
            !pins(github, "repo:acme*", true),
            "matches repo:acme-attacker/x"
        );
        assert!(!pins(github, "repo:*/site:*", true));
        assert!(!pins(github, "repo:?cme/*", true));
        assert!(!pins(github, "*", true));
        assert!(!pins(github, "repo:/x", true));
        assert!(!pins(github, "repo:${aws:username}/x", true));
        assert!(pins(github, "repo:acme/site:*", false));
        assert!(!pins(github, "repo:*", false));
        let terraform = &PROVIDERS[2];
        assert!(pins(terraform, "organization:acme:project:*", true));
        assert!(!pins(terraform, "organization:acme*", true));
        let bitbucket = &PROVIDERS[3];
        assert!(pins(
            bitbucket,
            "{0b1a2c3d-0000-4000-8000-000000000000}:*",
            true
        ));
        assert!(!pins(bitbucket, "{*", true));
    }
}
