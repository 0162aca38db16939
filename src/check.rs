//! Step 3, check: everything IAM and CloudFormation would reject, found before
//! they see it — actions, operators, strings, ARNs, names, paths and limits.

use crate::ast::*;
use crate::config::Level;
use crate::config::{Config, Naming};
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::iam::chars::is_iam_name_char;
use crate::resolve::Program;
use crate::source::{Span, Spanned};
use crate::vars::{self, Params, Piece, VarError};
use std::collections::HashMap;

use crate::iam::action::{is_action_name, is_service_prefix};
use crate::iam::arn;
use crate::iam::chars::is_iam_char;
use crate::iam::condition::{QUALIFIERS, is_known_operator, unqualified_operators};
use crate::iam::limits::{
    IAM_MAX_DESCRIPTION as MAX_DESCRIPTION, IAM_MAX_NAME as MAX_OTHER_NAME,
    IAM_MAX_PATH as MAX_PATH, IAM_MAX_ROLE_NAME as MAX_ROLE_NAME, IAM_MAX_TAG_KEY,
    IAM_MAX_TAGS as MAX_TAGS,
};
use crate::iam::pattern::is_wildcard;
use crate::iam::principal::{self, is_service_principal};

/// Checks every declaration. `calls` holds the call of each expanded template
/// instance: a problem in an instance's strings points there too.
pub fn check(
    program: &Program,
    config: &Config,
    calls: &std::collections::HashMap<crate::resolve::DeclId, Span>,
) -> Vec<Diagnostic> {
    let ids: Vec<crate::resolve::DeclId> = program.decls.ids().collect();
    crate::par::runs(&ids, |run| {
        let mut c = Checker {
            diagnostics: Vec::new(),
            params: &program.params,
            known_actions: Default::default(),
            catalog: &config.catalog,
        };
        for &id in run {
            let decl = &program.decls[id];
            let before = c.diagnostics.len();
            c.declaration(decl, config);
            if let Some(call) = calls.get(&id) {
                for d in &mut c.diagnostics[before..] {
                    d.labels.push(crate::diagnostics::Label {
                        span: *call,
                        message: format!("in `{}`, an instance of this template", decl.name.name),
                        primary: false,
                    });
                }
            }
        }
        c.diagnostics
    })
    .into_iter()
    .flatten()
    .collect()
}

impl<'p> Checker<'p> {
    fn declaration(&mut self, decl: &'p Decl, config: &Config) {
        let c = self;
        match &decl.kind {
            DeclKind::Policy(statements) => {
                if statements.is_empty() {
                    c.push(
                        Diagnostic::error(Code::EmptyPolicy, format!("policy `{}` has no statements", decl.name.name))
                            .primary(decl.name.span, "this policy grants and denies nothing")
                            .help("add a statement such as `allow s3:GetObject on \"arn:aws:s3:::bucket/*\"`, or remove the policy"),
                    );
                }
                for s in statements {
                    c.statement(s);
                }
            }
            DeclKind::Group(members) if members.is_empty() => c.push(
                Diagnostic::error(
                    Code::EmptyGroup,
                    format!("group `{}` has no members", decl.name.name),
                )
                .primary(decl.name.span, "this group is empty")
                .help("list its policies and groups between the braces, or remove the group"),
            ),
            DeclKind::Trust(trust) => c.trust(trust, decl.name.span),
            DeclKind::Role(p) => c.principal(decl, p, true, config),
            DeclKind::User(p) => c.principal(decl, p, false, config),
            DeclKind::Param(p) => c.param(decl, p),
            DeclKind::Stack(stack)
                if stack.roles.is_empty()
                    && stack.users.is_empty()
                    && stack.policies.is_empty() =>
            {
                c.push(
                    Diagnostic::error(Code::EmptyStack, format!("stack `{}` is empty", decl.name.name))
                        .primary(decl.name.span, "this stack would be a template with no resources")
                        .help("CloudFormation rejects a template without resources: list its `roles`, `users` or `policies`, or remove the stack"),
                );
            }
            _ => {}
        }
    }

    /// A param's default must fit the length iamc counts it at.
    fn param(&mut self, decl: &Decl, p: &crate::ast::Param) {
        let max = p
            .max_length
            .map(|n| n.node as usize)
            .unwrap_or(vars::DEFAULT_PARAM_MAX_LENGTH);
        if let Some(Spanned { node: 0, span }) = p.max_length {
            self.push(
                Diagnostic::error(Code::InvalidValue, "max_length 0 allows no value")
                    .primary(span, "a param needs room for at least one character"),
            );
        }
        if let Some(d) = &p.default {
            self.iam_chars(d, "a param default");
            let len = d.value.chars().count();
            if len > max {
                self.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!(
                            "the default of `{}` is {len} characters, over its max_length {max}",
                            decl.name.name
                        ),
                    )
                    .primary(d.span, "too long")
                    .help(format!("raise `max_length` to at least {len}")),
                );
            }
        }
        if let Some(d) = &p.description {
            self.description(d);
        }
    }
}

struct Checker<'p> {
    diagnostics: Vec<Diagnostic>,
    params: &'p Params,
    /// Actions already found in the catalog: a program names the same
    /// actions again and again.
    known_actions: crate::hash::HashSet<&'p str>,
    /// The levels of unknown services and actions.
    catalog: &'p crate::config::CatalogSettings,
}

impl<'p> Checker<'p> {
    fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn statement(&mut self, s: &'p Statement) {
        if s.actions.is_empty() {
            self.push(
                Diagnostic::error(
                    Code::MalformedAction,
                    "a statement needs at least one action",
                )
                .primary(s.actions_span, "empty action list")
                .help("name an action such as `s3:GetObject`"),
            );
        }
        for action in &s.actions {
            self.action(action);
        }
        match &s.resources {
            Resources::Any(_) => {}
            Resources::List(list) if list.is_empty() => self.push(
                Diagnostic::error(
                    Code::MalformedResource,
                    "a statement needs at least one resource",
                )
                .primary(s.resources_span, "empty resource list")
                .help("name a resource ARN, or write `on *` for every resource"),
            ),
            Resources::List(list) => {
                for r in list {
                    self.resource(r);
                }
            }
        }
        self.conditions(&s.conditions);
        if let Some(b) = &s.because {
            self.iam_chars(b, "a justification");
        }
    }

    fn action(&mut self, action: &'p Action) {
        let text = &action.text;
        if text == "*" {
            return;
        }
        let problem = match text.split_once(':') {
            None => Some((
                "an action is `service:Action`".to_string(),
                Some(format!(
                    "put the service prefix first, as in `s3:{text}`; `*` alone means every action"
                )),
            )),
            Some((service, name)) => {
                let service_ok = is_service_prefix(service);
                let name_ok = is_action_name(name);
                if !service_ok
                    && !service.is_empty()
                    && service
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-')
                {
                    Some((
                        "service prefixes are lower case".to_string(),
                        Some(format!("write `{}:{}`", service.to_ascii_lowercase(), name)),
                    ))
                } else if !service_ok {
                    Some((
                        "the service prefix may contain only a-z, 0-9 and -".to_string(),
                        None,
                    ))
                } else if name.is_empty() {
                    Some((
                        "the action name is missing".to_string(),
                        Some(format!(
                            "write `{service}:*` for every action of the service, or name one"
                        )),
                    ))
                } else if !name_ok {
                    let cleaned: String = name
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric() || *c == '*' || *c == '?')
                        .collect();
                    Some((
                        "an action name has only letters, digits, `*` and `?`".to_string(),
                        (!cleaned.is_empty()).then(|| format!("write `{service}:{cleaned}`")),
                    ))
                } else {
                    None
                }
            }
        };
        if let Some((label, help)) = problem {
            let mut d =
                Diagnostic::error(Code::MalformedAction, format!("malformed action `{text}`"))
                    .primary(action.span, label);
            if let Some(help) = help {
                d = d.help(help);
            }
            self.push(d);
        } else if !self.known_actions.contains(text.as_str()) {
            match crate::iam::catalog::unknown_action(text, action.span) {
                // Well formed, but no real service or action (E050), at the
                // level `iamc.yaml` sets.
                Some(d) => self.unknown_action(d, text),
                None => {
                    self.known_actions.insert(text);
                }
            }
        }
    }

    /// E050 at the level `catalog.unknown_service` or `catalog.unknown_action` sets.
    fn unknown_action(&mut self, mut d: Diagnostic, text: &str) {
        let prefix = text.split_once(':').map_or(text, |(p, _)| p);
        let (setting, level) = if crate::iam::catalog::catalog().service(prefix).is_none() {
            ("unknown_service", self.catalog.unknown_service)
        } else {
            ("unknown_action", self.catalog.unknown_action)
        };
        match level {
            Level::Allow => {}
            Level::Warn => {
                d.severity = crate::diagnostics::Severity::Warning;
                self.push(d.note(format!(
                    "`catalog.{setting}` is `warn` in iamc.yaml: the action is written as it is"
                )));
            }
            Level::Deny => self.push(d.note(format!(
                "if AWS added it since the catalog was made, `catalog: {{ {setting}: warn }}` in iamc.yaml lets the build go on"
            ))),
        }
    }

    fn resource(&mut self, r: &Str) {
        if !self.iam_string(r, "a resource") {
            return;
        }
        if r.value == "*" {
            return;
        }
        if let Some(problem) = arn_problem(&r.value) {
            let mut d = Diagnostic::error(
                Code::MalformedResource,
                format!("`{}` is not an ARN", r.value),
            )
            .primary(r.span, problem)
            .note("a resource is `*` or an ARN: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE");
            if !r.value.starts_with("arn:") && !r.value.contains(':') {
                let value = r.value.trim_start_matches('/');
                d = d.help(match value.split_once('/') {
                    // `bucket/key`: an S3 object.
                    Some((bucket, _)) => format!(
                        "for objects of the S3 bucket `{bucket}` write \"arn:aws:s3:::{value}\""
                    ),
                    None => format!(
                        "for an S3 bucket write \"arn:aws:s3:::{value}\" (and \"arn:aws:s3:::{value}/*\" for its objects)"
                    ),
                });
            }
            self.push(d);
        }
    }

    fn conditions(&mut self, conditions: &[Condition]) {
        let mut seen: HashMap<(&str, &str), Span> = HashMap::new();
        for cond in conditions {
            self.operator(&cond.operator);
            if self.iam_chars(&cond.key, "a condition key") {
                self.condition_key(&cond.key);
            }
            if cond.values.is_empty() {
                self.push(
                    Diagnostic::error(Code::InvalidValue, "a condition needs at least one value")
                        .primary(cond.span, "no values")
                        .help(
                            "list the values it may take: `[\"a\", \"b\"]` (any of them matches)",
                        ),
                );
            }
            for v in &cond.values {
                self.iam_string(v, "a condition value");
            }
            let key = (cond.operator.name.as_str(), cond.key.value.as_str());
            if let Some(first) = seen.get(&key) {
                self.push(
                    Diagnostic::error(
                        Code::DuplicateConditionKey,
                        format!("`{} \"{}\"` is given twice in one statement", key.0, key.1),
                    )
                    .primary(cond.span, "given again here")
                    .secondary(*first, "first given here")
                    .note("IAM holds one value list per operator and key, so both cannot be kept")
                    .help("put all the values in one `when`: they are ORed, as in IAM"),
                );
            } else {
                seen.insert(key, cond.span);
            }
        }
    }

    fn operator(&mut self, op: &Ident) {
        if is_known_operator(&op.name) {
            return;
        }
        let candidates: Vec<String> = unqualified_operators().collect();
        let (qualifier, bare) = match op.name.split_once(':') {
            Some((q, b)) => (Some(q), b),
            None => (None, op.name.as_str()),
        };
        let mut d = Diagnostic::error(
            Code::UnknownOperator,
            format!("unknown condition operator `{}`", op.name),
        )
        .primary(op.span, "not an IAM condition operator");
        match qualifier {
            Some(q) if !QUALIFIERS.contains(&q) => {
                let fix = did_you_mean(q, QUALIFIERS.iter().copied()).unwrap_or("ForAnyValue");
                d = d.help(format!("the qualifiers are `ForAllValues:` and `ForAnyValue:`; did you mean `{fix}:{bare}`?"));
            }
            _ if bare == "NullIfExists" => {
                d = d
                    .note("`Null` tests whether the key exists, so it has no `IfExists` form")
                    .help("write `Null`");
            }
            _ => {
                if let Some(similar) = did_you_mean(bare, candidates.iter().map(String::as_str)) {
                    let prefix = qualifier.map(|q| format!("{q}:")).unwrap_or_default();
                    d = d.help(format!("did you mean `{prefix}{similar}`?"));
                }
            }
        }
        self.push(d);
    }

    fn condition_key(&mut self, key: &Str) {
        if key.value.is_empty() {
            self.push(
                Diagnostic::error(Code::InvalidValue, "a condition key cannot be empty")
                    .primary(key.span, "empty key")
                    .help("name a key such as \"aws:SourceIp\" or \"s3:prefix\""),
            );
            return;
        }
        match vars::pieces(&key.value, self.params) {
            Ok(pieces)
                if pieces
                    .iter()
                    .any(|p| matches!(p, Piece::Pseudo(_) | Piece::Param(_))) =>
            {
                self.push(
                    Diagnostic::error(
                        Code::UnknownVariable,
                        "a condition key cannot hold a deploy-time value",
                    )
                    .primary(
                        key.span,
                        "CloudFormation does not substitute values in keys",
                    )
                    .help("use a fixed key; put deploy-time values in the condition's values"),
                )
            }
            Ok(_) => {
                if let Some(d) = crate::iam::catalog::unknown_condition_key(&key.value, key.span) {
                    self.unknown_condition_key(d);
                }
            }
            Err(errors) => self.var_errors(key, errors),
        }
    }

    /// E051 at the level `catalog.unknown_condition_key` sets.
    fn unknown_condition_key(&mut self, mut d: Diagnostic) {
        match self.catalog.unknown_condition_key {
            Level::Allow => {}
            Level::Warn => self.push(d.note(
                "if AWS added this key since the catalog was made, `catalog: { unknown_condition_key: allow }` in iamc.yaml silences this warning",
            )),
            Level::Deny => {
                d.severity = crate::diagnostics::Severity::Error;
                self.push(d.note("`catalog.unknown_condition_key` is `deny` in iamc.yaml"));
            }
        }
    }

    fn trust(&mut self, trust: &Trust, name_span: Span) {
        if trust.entries.is_empty() {
            self.push(
                Diagnostic::error(Code::EmptyTrust, "this trust names no principal")
                    .primary(name_span, "nobody could assume a role with this trust")
                    .help("add `service \"ec2.amazonaws.com\"`, `aws \"arn:aws:iam::123456789012:root\"` or `federated \"...\"`"),
            );
        }
        for entry in &trust.entries {
            if entry.principals.is_empty() {
                self.push(
                    Diagnostic::error(Code::EmptyTrust, "this trust entry names no principal")
                        .primary(entry.kind_span, "empty list")
                        .help("name at least one principal, or remove the line"),
                );
            }
            for p in &entry.principals {
                if !self.iam_string(p, "a trusted principal") {
                    continue;
                }
                if entry.kind == TrustKind::Aws && p.value != "*" && p.value.contains('*') {
                    self.push(
                        Diagnostic::error(
                            Code::PartialWildcardPrincipal,
                            format!("`{}` has a wildcard inside a principal", p.value),
                        )
                        .primary(p.span, "IAM accepts `*` alone or a whole account ID or ARN, never a partial wildcard")
                        .help("name the account (\"123456789012\") or the whole ARN; to narrow `*` to some principals, write `aws \"*\"` with a condition such as `when ArnLike \"aws:PrincipalArn\" [\"arn:aws:iam::123456789012:role/*\"]`"),
                    );
                    continue;
                }
                let problem = match entry.kind {
                    TrustKind::Service => (!is_service_principal(&p.value))
                        .then_some("a service principal looks like `ec2.amazonaws.com`"),
                    TrustKind::Aws => principal::Aws::parse(&p.value)
                        .is_none()
                        .then_some("an AWS principal is a 12-digit account ID or an IAM ARN"),
                    TrustKind::Federated => None,
                };
                if let Some(problem) = problem {
                    let help = match entry.kind {
                        TrustKind::Service if !p.value.contains('.') => {
                            format!("write \"{}.amazonaws.com\"", p.value)
                        }
                        TrustKind::Service => {
                            "name the service by its principal, such as \"lambda.amazonaws.com\"".to_string()
                        }
                        _ => "write a 12-digit account ID such as \"123456789012\", or an ARN such as \"arn:aws:iam::123456789012:role/Deployer\"".to_string(),
                    };
                    self.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            format!("`{}` is not a valid principal", p.value),
                        )
                        .primary(p.span, problem)
                        .help(help),
                    );
                }
            }
            for action in &entry.actions {
                self.session_action(action);
            }
            self.conditions(&entry.conditions);
        }
    }

    /// An action of a trust entry's `actions`: an STS session action only.
    fn session_action(&mut self, action: &Action) {
        if crate::iam::trust::session_action(&action.text).is_some() {
            return;
        }
        let text = &action.text;
        let names = crate::iam::trust::SESSION_ACTIONS.join("`, `");
        let help = if text.to_ascii_lowercase().starts_with("sts:assumerole") {
            "remove it: iamc writes the assume action each principal needs itself".to_string()
        } else if let Some(similar) =
            did_you_mean(text, crate::iam::trust::SESSION_ACTIONS.iter().copied())
        {
            format!("did you mean `{similar}`?")
        } else if is_wildcard(text) {
            "name each session action: `actions [sts:TagSession, sts:SetSourceIdentity]`"
                .to_string()
        } else {
            "grant other actions to the role's principals with a policy, not in its trust"
                .to_string()
        };
        self.push(
            Diagnostic::error(
                Code::TrustActionNotAllowed,
                format!("`{text}` is not a session action a trust can allow"),
            )
            .primary(action.span, format!("a trust's `actions` are `{names}`"))
            .help(help),
        );
    }

    fn principal(&mut self, decl: &Decl, p: &Principal, is_role: bool, config: &Config) {
        let kind = if is_role { "role" } else { "user" };
        let name = &decl.name;
        if p.grants.is_none() {
            self.push(
                Diagnostic::error(
                    Code::MissingProperty,
                    format!("{kind} `{}` has no `grants`", name.name),
                )
                .primary(name.span, format!("this {kind} is given no permissions"))
                .help(
                    "add `grants` with the policies and groups it receives, such as `grants TeamADev`",
                ),
            );
        }
        if is_role {
            match &p.trust {
                None => self.push(
                    Diagnostic::error(Code::MissingProperty, format!("role `{}` has no `trust`", name.name))
                        .primary(name.span, "nobody may assume this role")
                        .help("add `trust Ec2` naming a trust declaration, or write it inline: `trust { service \"ec2.amazonaws.com\" }`"),
                ),
                Some(Spanned { node: TrustRef::Inline(t), .. }) => self.trust(t, t.span),
                Some(_) => {}
            }
        } else {
            let not_for_users = [
                (
                    p.trust.as_ref().map(|t| t.span),
                    "trust",
                    "users sign in themselves; only roles are assumed",
                ),
                (
                    p.instance_profile.map(|i| i.span),
                    "instance_profile",
                    "an instance profile holds a role, not a user",
                ),
                (
                    p.max_session.map(|n| n.span),
                    "max_session",
                    "sessions are a property of roles",
                ),
            ];
            for (span, prop, why) in not_for_users {
                if let Some(span) = span {
                    self.push(
                        Diagnostic::error(
                            Code::PropertyNotAllowed,
                            format!("`{prop}` does not apply to a user"),
                        )
                        .primary(span, why)
                        .help(format!("remove `{prop}`, or make `{}` a role", name.name)),
                    );
                }
            }
        }
        let n = &config.naming;
        let (pattern, limit, what) = if is_role {
            (&n.role, MAX_ROLE_NAME, "role name")
        } else {
            (&n.user, MAX_ROLE_NAME, "user name")
        };
        self.generated_name(name, pattern, limit, what);
        if is_role && p.instance_profile.is_some() {
            self.generated_name(
                name,
                &n.instance_profile,
                MAX_OTHER_NAME,
                "instance profile name",
            );
        }
        if !is_role {
            self.generated_name(name, &n.group, MAX_OTHER_NAME, "group name");
        }
        if let Some(path) = &p.path {
            self.path(path);
        }
        if let Some(Spanned {
            node: seconds,
            span,
        }) = p.max_session
            && !(3600..=43200).contains(&seconds)
        {
            self.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("max_session {seconds} is out of range"),
                )
                .primary(span, "IAM accepts 3600 to 43200 seconds (1 to 12 hours)")
                .help(format!("use {}", seconds.clamp(3600, 43200))),
            );
        }
        for arn in &p.managed {
            self.policy_arn(arn, "a managed policy");
        }
        if let Some(b) = &p.boundary {
            self.policy_arn(b, "a permissions boundary");
        }
        if let Some(d) = &p.description {
            self.description(d);
        }
        self.tags(&p.tags);
    }

    /// A name after its naming pattern is applied must be a valid IAM name.
    fn generated_name(&mut self, name: &Ident, pattern: &str, limit: usize, what: &str) {
        let full = Naming::apply(pattern, &name.name, "");
        let len = full.chars().count();
        if len > limit {
            self.push(
                Diagnostic::error(
                    Code::NameTooLong,
                    format!("{what} `{full}` is {len} characters long"),
                )
                .primary(
                    name.span,
                    format!("IAM allows at most {limit} characters in a {what}"),
                )
                .note(format!(
                    "the name comes from the naming pattern `{pattern}`"
                ))
                .help(format!(
                    "shorten `{}` by {} characters, or change the pattern in iamc.yaml",
                    name.name,
                    len - limit
                )),
            );
        } else if full.chars().any(|c| !is_iam_name_char(c)) {
            self.push(
                Diagnostic::error(
                    Code::NameTooLong,
                    format!("{what} `{full}` has characters IAM does not allow"),
                )
                .primary(
                    name.span,
                    "IAM names allow letters, digits and _+=,.@- only",
                ),
            );
        }
    }

    fn path(&mut self, path: &Str) {
        let v = &path.value;
        let problem = if !v.starts_with('/') || !v.ends_with('/') {
            Some("a path starts and ends with `/`")
        } else if v.len() > MAX_PATH {
            Some("a path has at most 512 characters")
        } else if v.contains("//") {
            Some("a path has no empty segment (`//`)")
        } else if v.chars().any(|c| !('!'..='~').contains(&c)) {
            Some("a path has printable ASCII characters only, no spaces")
        } else {
            None
        };
        if let Some(problem) = problem {
            let segments: Vec<&str> = v.split('/').filter(|s| !s.is_empty()).collect();
            let fixed = if segments.is_empty() {
                "/".to_string()
            } else {
                format!("/{}/", segments.join("/"))
            };
            let mut d = Diagnostic::error(Code::InvalidPath, format!("invalid path `{v}`"))
                .primary(path.span, problem);
            if fixed != *v
                && fixed.len() <= MAX_PATH
                && fixed.chars().all(|c| ('!'..='~').contains(&c))
            {
                d = d.help(format!("write \"{fixed}\""));
            }
            self.push(d);
        }
    }

    fn policy_arn(&mut self, arn: &Str, what: &str) {
        if !self.iam_string(arn, what) {
            return;
        }
        if !arn::is_managed_policy(&arn.value) {
            self.push(
                Diagnostic::error(Code::MalformedResource, format!("`{}` is not a managed policy ARN", arn.value))
                    .primary(arn.span, format!("{what} is named by its ARN"))
                    .help("write it as \"arn:aws:iam::aws:policy/NAME\" (AWS-managed) or \"arn:aws:iam::ACCOUNT:policy/NAME\""),
            );
        }
    }

    fn description(&mut self, d: &Str) {
        self.iam_chars(d, "a description");
        let len = d.value.chars().count();
        if len > MAX_DESCRIPTION {
            self.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("description is {len} characters long"),
                )
                .primary(d.span, "IAM allows at most 1000 characters"),
            );
        }
    }

    fn tags(&mut self, tags: &[(Str, Str)]) {
        if tags.len() > MAX_TAGS {
            self.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("{} tags, IAM allows {MAX_TAGS}", tags.len()),
                )
                .primary(tags[MAX_TAGS].0.span, "one tag too many"),
            );
        }
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for (key, value) in tags {
            if let Some(first) = seen.get(key.value.as_str()) {
                self.push(
                    Diagnostic::error(
                        Code::DuplicateProperty,
                        format!("tag `{}` is given twice", key.value),
                    )
                    .primary(key.span, "given again here")
                    .secondary(*first, "first given here"),
                );
            }
            seen.insert(&key.value, key.span);
            let key_len = key.value.chars().count();
            if key_len == 0
                || key_len > IAM_MAX_TAG_KEY
                || key.value.to_ascii_lowercase().starts_with("aws:")
            {
                self.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("invalid tag key `{}`", key.value),
                    )
                    .primary(
                        key.span,
                        format!("a tag key has 1 to {IAM_MAX_TAG_KEY} characters and does not start with `aws:`"),
                    )
                    .help("choose another key: AWS reserves keys starting with `aws:`"),
                );
            }
            // A value may use params and pseudo parameters (`${Env}`): it is
            // written as a `!Sub`, and only its literal text is checked here.
            if value.value.contains("${") {
                self.tag_value_with_params(value);
            }
            let checked: &[&Str] = if value.value.contains("${") {
                &[key]
            } else {
                &[key, value]
            };
            for s in checked {
                if let Some(c) = s.value.chars().find(|c| !is_tag_char(*c)) {
                    self.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            format!("`{c}` is not allowed in a tag"),
                        )
                        .primary(
                            s.span,
                            "tags hold letters, digits, spaces and _.:/=+-@ only",
                        )
                        .help("remove or replace the character"),
                    );
                }
            }
            if value.value.chars().count() > 256 {
                self.push(
                    Diagnostic::error(Code::InvalidValue, "tag value too long")
                        .primary(value.span, "a tag value has at most 256 characters"),
                );
            }
        }
    }

    /// A tag value holding `${...}`: params and pseudo parameters only (no
    /// policy variable: a tag is not a policy), literal text of tag characters.
    fn tag_value_with_params(&mut self, value: &Str) {
        let pieces = match vars::pieces(&value.value, self.params) {
            Ok(pieces) => pieces,
            Err(errors) => {
                self.var_errors(value, errors);
                return;
            }
        };
        for piece in pieces {
            let bad = match piece {
                Piece::Literal(text) => text.chars().find(|c| !is_tag_char(*c)).map(|c| {
                    (
                        format!("`{c}` is not allowed in a tag"),
                        "remove or replace the character",
                    )
                }),
                Piece::PolicyVariable(v) => Some((
                    format!("`{v}` is a policy variable, which a tag cannot hold"),
                    "a tag is set when the stack is deployed: write its text, or a param",
                )),
                Piece::Param(_) | Piece::Pseudo(_) => None,
            };
            if let Some((message, help)) = bad {
                self.push(
                    Diagnostic::error(Code::InvalidValue, message)
                        .primary(
                            value.span,
                            "tags hold letters, digits, spaces and _.:/=+-@ only, and `${...}` of a param or pseudo parameter",
                        )
                        .help(help),
                );
                return;
            }
        }
    }

    /// Characters IAM accepts in a policy document: tab, LF, CR, U+0020–U+00FF.
    fn iam_chars(&mut self, s: &Str, what: &str) -> bool {
        let Some((at, c)) = s.value.char_indices().find(|(_, c)| !is_iam_char(*c)) else {
            return true;
        };
        // Point at the character itself when the source text is the value as
        // written (no escapes); otherwise at the whole string.
        let exact = s.span.end - s.span.start == s.value.len() + 2;
        let span = if exact {
            let start = s.span.start + 1 + at;
            Span::new(s.span.file, start, start + c.len_utf8())
        } else {
            s.span
        };
        self.push(
            Diagnostic::error(
                Code::CharacterNotAllowed,
                format!(
                    "{what} holds {}, which IAM does not accept",
                    describe_char(c)
                ),
            )
            .primary(
                span,
                "IAM accepts tab, line feed, carriage return and U+0020 to U+00FF only",
            )
            .help("remove the character or replace it with plain text"),
        );
        false
    }

    /// A string that goes into a policy document: allowed characters and valid `${...}`.
    fn iam_string(&mut self, s: &Str, what: &str) -> bool {
        if !self.iam_chars(s, what) {
            return false;
        }
        if !s.value.contains("${") {
            return true;
        }
        match vars::pieces(&s.value, self.params) {
            Ok(_) => true,
            Err(errors) => {
                self.var_errors(s, errors);
                false
            }
        }
    }

    fn var_errors(&mut self, s: &Str, errors: Vec<VarError>) {
        // Offsets are into the unescaped value; point at the whole string when
        // escapes make the raw text differ from it.
        let exact = s.span.end - s.span.start == s.value.len() + 2;
        let at = |start: usize, end: usize| {
            if exact {
                Span::new(
                    s.span.file,
                    s.span.start + 1 + start,
                    s.span.start + 1 + end,
                )
            } else {
                s.span
            }
        };
        for e in errors {
            let d = match e {
                VarError::Unterminated { start } => {
                    Diagnostic::error(Code::UnterminatedVariable, "`${` is not closed")
                        .primary(at(start, start + 2), "no `}` follows")
                        .help(
                            "close it, as in `${AWS::Region}`; for a literal `${` IAM uses `${$}{`",
                        )
                }
                VarError::UnknownPseudo { start, end, name } => {
                    let known = vars::PSEUDO_PARAMETERS.iter().map(|(p, _)| *p);
                    let mut d = Diagnostic::error(
                        Code::UnknownVariable,
                        format!("unknown pseudo parameter `{name}`"),
                    )
                    .primary(
                        at(start, end),
                        "CloudFormation has no such pseudo parameter",
                    );
                    if let Some(similar) = did_you_mean(&name, known) {
                        d = d.help(format!("did you mean `${{{similar}}}`?"));
                    } else {
                        d = d.help("iamc accepts AWS::AccountId, AWS::Partition, AWS::Region, AWS::StackId, AWS::StackName and AWS::URLSuffix");
                    }
                    d
                }
                VarError::UnknownName { start, end, name } => {
                    let pseudo = vars::PSEUDO_PARAMETERS.iter().map(|(p, _)| *p);
                    let known: Vec<&str> = pseudo.chain(self.params.names()).collect();
                    let bare = |p: &str| p.strip_prefix("AWS::").unwrap_or(p).to_string();
                    let similar = known.iter().map(|p| (bare(p), *p)).collect::<Vec<_>>();
                    let mut d = Diagnostic::error(
                        Code::UnknownVariable,
                        format!("`${{{name}}}` is not defined"),
                    )
                    .primary(
                        at(start, end),
                        "neither a param, a pseudo parameter nor an IAM policy variable",
                    );
                    let found = did_you_mean(&name, similar.iter().map(|(b, _)| b.as_str()))
                        .and_then(|b| similar.iter().find(|(x, _)| x == b))
                        .map(|(_, full)| *full);
                    if let Some(full) = found {
                        d = d.help(format!("did you mean `${{{full}}}`?"));
                    } else {
                        d = d.help("IAM policy variables have a colon, like `${aws:username}`; pseudo parameters are `${AWS::Region}` and the like");
                    }
                    d
                }
            };
            self.push(d);
        }
    }
}

fn describe_char(c: char) -> String {
    if c.is_control() {
        format!("the control character U+{:04X}", c as u32)
    } else {
        format!("`{c}` (U+{:04X})", c as u32)
    }
}

/// What a resource's [`arn::Problem`] says to the reader.
fn arn_problem(arn: &str) -> Option<&'static str> {
    Some(match arn::problem(arn)? {
        arn::Problem::NotArn => "a resource ARN starts with `arn:`",
        arn::Problem::TooFewParts => {
            "an ARN has six parts: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE"
        }
        arn::Problem::NoPartition => {
            "the partition is missing (`aws`, `aws-cn`, `aws-us-gov` or `${AWS::Partition}`)"
        }
        arn::Problem::Service => "the service part of an ARN cannot be empty or a wildcard",
    })
}

/// Characters IAM accepts in tag keys and values: `[\p{L}\p{Z}\p{N}_.:/=+\-@]`.
fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric()
        || c == ' '
        || c.is_whitespace() && !c.is_control()
        || "_.:/=+-@".contains(c)
}
