//! Policy documents: identity policies become statements, trust policies become
//! trust entries. Whatever the language cannot express is reported and the
//! statement holding it skipped, so nothing is granted that was not written.

use super::Report;
use super::model::{Lost, TrustEntry};
use super::node::{Node, Path};
use crate::ast::TrustKind;
use crate::iam::action::is_action;
use crate::iam::chars::is_iam_char;
use crate::iam::condition::is_known_operator;
use crate::iam::policy::{Condition, Effect, Statement};
use crate::vars::{self, PSEUDO_PARAMETERS, Params, Piece};
use std::collections::BTreeSet;

/// The parameters a template declares (and import writes as `param`).
pub type Names = BTreeSet<String>;

/// Why a value cannot be imported, and where.
pub struct Unexpressible {
    pub path: Path,
    pub why: String,
}

fn fail<T>(path: &Path, why: impl Into<String>) -> Result<T, Unexpressible> {
    Err(Unexpressible {
        path: path.clone(),
        why: why.into(),
    })
}

/// The statements of an identity policy document (`Version` and `Statement`),
/// each with its index in the document and the Sid it had. A skipped `Allow`
/// is reported (the import allows less); a `Deny` that cannot be written is
/// pushed on `lost`, since the import would otherwise allow more.
pub fn identity_statements(
    doc: &Node,
    path: &Path,
    report: &mut Report,
    lost: &mut Vec<Lost>,
) -> Vec<(usize, Option<String>, Statement)> {
    let mut out = Vec::new();
    let Some((statements, version)) = statements_of(doc, path, report) else {
        return out;
    };
    let spath = path.key("Statement");
    for (i, s) in statements.items().into_iter().enumerate() {
        let here = spath.item(statements, i);
        let read = match version {
            Version::Literal if mentions_variable(s) => fail(
                &here,
                "`${...}` in a policy of version 2008-10-17 (or without `Version`), where it is literal text; iamc writes 2012-10-17, where it is a policy variable",
            ),
            _ => statement(s, &here, &report.params.clone()),
        };
        match read {
            Ok(st) => out.push((i, sid(s), st)),
            Err(u) if restricts(s) => lost.push(report.lost(&u.path, &u.why)),
            Err(u) => report.cannot(&u.path, &u.why, "this statement is not imported"),
        }
    }
    out
}

/// Whether a statement may restrict access: anything but a plain `Allow`
/// (IAM rejects a policy whose `Effect` is neither, but import errs towards
/// the reviewer).
fn restricts(s: &Node) -> bool {
    !matches!(s.get("Effect"), Some(Node::Str(e)) if e == "Allow")
}

/// Whether any string of a node holds `${`.
fn mentions_variable(node: &Node) -> bool {
    match node {
        Node::Str(s) => s.contains("${"),
        Node::Seq(items) => items.iter().any(mentions_variable),
        Node::Map(entries) => entries
            .iter()
            .any(|(k, v)| k.contains("${") || mentions_variable(v)),
        Node::Fn(_, arg) => mentions_variable(arg),
        Node::Null | Node::Bool(_) | Node::Number(_) => false,
    }
}

/// How a document's `${...}` reads: as policy variables (2012-10-17), or as
/// literal text (2008-10-17, which IAM assumes when `Version` is missing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Version {
    Variables,
    Literal,
}

/// The `Statement` of a document and how its `${...}` read, after checking
/// `Version` and the keys.
fn statements_of<'a>(
    doc: &'a Node,
    path: &Path,
    report: &mut Report,
) -> Option<(&'a Node, Version)> {
    let Node::Map(entries) = doc else {
        report.cannot(
            path,
            &format!("a policy document must be a map, not {}", doc.describe()),
            "this policy is not imported",
        );
        return None;
    };
    let mut version = Version::Literal;
    for (key, value) in entries {
        match key.as_str() {
            "Statement" => {}
            "Version" if value == &Node::Str("2012-10-17".into()) => version = Version::Variables,
            "Version" if value == &Node::Str("2008-10-17".into()) => {}
            "Version" => {
                report.cannot(
                    &path.key("Version"),
                    &format!("the policy version {}", shown(value)),
                    "IAM knows 2012-10-17 and 2008-10-17; the document is read as 2008-10-17, where `${...}` is literal text",
                );
            }
            "Id" => report.cannot(
                &path.key("Id"),
                "a policy `Id`",
                "the Id is not imported; iamc writes none",
            ),
            other => report.cannot(
                &path.key(other),
                &format!("`{other}` is not a key of a policy document"),
                "it is not imported",
            ),
        }
    }
    if doc.get("Version").is_none() {
        let consequence = if doc.get("Statement").is_some_and(mentions_variable) {
            "IAM reads it as version 2008-10-17, where `${...}` is literal text: the statements holding `${` are not imported"
        } else {
            "IAM reads it as version 2008-10-17; it holds no `${...}`, so it means the same under 2012-10-17, which iamc writes"
        };
        report.said(path, "a policy document without `Version`", consequence);
    }
    match doc.get("Statement") {
        Some(s) => Some((s, version)),
        None => {
            report.cannot(
                path,
                "a policy document without `Statement`",
                "this policy is not imported",
            );
            None
        }
    }
}

fn sid(s: &Node) -> Option<String> {
    match s.get("Sid") {
        Some(Node::Str(sid)) if !sid.is_empty() => Some(sid.clone()),
        _ => None,
    }
}

fn statement(s: &Node, path: &Path, params: &Names) -> Result<Statement, Unexpressible> {
    let Node::Map(entries) = s else {
        return fail(
            path,
            format!("a statement must be a map, not {}", s.describe()),
        );
    };
    for (key, _) in entries {
        match key.as_str() {
            "Sid" | "Effect" | "Action" | "NotAction" | "Resource" | "NotResource"
            | "Condition" => {}
            "Principal" | "NotPrincipal" => {
                return fail(
                    &path.key(key),
                    format!(
                        "`{key}` in an identity policy (only resource and trust policies name principals)"
                    ),
                );
            }
            other => {
                return fail(
                    &path.key(other),
                    format!("`{other}` is not a key of a statement"),
                );
            }
        }
    }
    if let Some(sid) = s.get("Sid")
        && !matches!(sid, Node::Str(_))
    {
        return fail(
            &path.key("Sid"),
            format!("a Sid must be a string, not {}", sid.describe()),
        );
    }
    let effect = effect(s, path)?;
    let (not_action, actions_node, action_key) = one_of(s, path, "Action", "NotAction")?;
    let apath = path.key(action_key);
    let mut actions = Vec::new();
    for (i, a) in actions_node.items().into_iter().enumerate() {
        actions.push(action(a, &apath.item(actions_node, i))?);
    }
    if actions.is_empty() {
        return fail(&apath, "an empty action list");
    }
    let (not_resource, resources_node, resource_key) = one_of(s, path, "Resource", "NotResource")?;
    let rpath = path.key(resource_key);
    let mut resources = Vec::new();
    for (i, r) in resources_node.items().into_iter().enumerate() {
        resources.push(string(r, &rpath.item(resources_node, i), params)?);
    }
    if resources.is_empty() {
        return fail(&rpath, "an empty resource list");
    }
    let conditions = match s.get("Condition") {
        Some(c) => conditions(c, &path.key("Condition"), params)?,
        None => Vec::new(),
    };
    Ok(Statement {
        effect,
        not_action,
        actions,
        not_resource,
        resources,
        conditions,
    })
}

fn effect(s: &Node, path: &Path) -> Result<Effect, Unexpressible> {
    match s.get("Effect") {
        Some(Node::Str(e)) if e == "Allow" => Ok(Effect::Allow),
        Some(Node::Str(e)) if e == "Deny" => Ok(Effect::Deny),
        Some(other) => fail(
            &path.key("Effect"),
            format!("`Effect` must be `Allow` or `Deny`, not {}", shown(other)),
        ),
        None => fail(path, "a statement without `Effect`"),
    }
}

/// `Action` or `NotAction` (exactly one): (is it `Not...`, the value, the key).
fn one_of<'a>(
    s: &'a Node,
    path: &Path,
    key: &'static str,
    not_key: &'static str,
) -> Result<(bool, &'a Node, &'static str), Unexpressible> {
    match (s.get(key), s.get(not_key)) {
        (Some(v), None) => Ok((false, v, key)),
        (None, Some(v)) => Ok((true, v, not_key)),
        (Some(_), Some(_)) => fail(path, format!("both `{key}` and `{not_key}`")),
        (None, None) => fail(path, format!("a statement without `{key}` or `{not_key}`")),
    }
}

fn shown(node: &Node) -> String {
    match node {
        Node::Str(s) => format!("`{s}`"),
        other => other.describe(),
    }
}

/// An action as the language's bare token: `s3:GetObject`, `s3:Get*`, `*`.
/// IAM matches service prefixes without regard to case, so `S3:GetObject` is
/// read as `s3:GetObject`.
fn action(node: &Node, path: &Path) -> Result<String, Unexpressible> {
    let Node::Str(text) = node else {
        return fail(
            path,
            format!("an action must be a string, not {}", node.describe()),
        );
    };
    if text == "*" {
        return Ok(text.clone());
    }
    let valid = text.split_once(':').and_then(|(service, name)| {
        let service = service.to_ascii_lowercase();
        let action = format!("{service}:{name}");
        // Written as the catalog writes it (`s3:getobject` is `s3:GetObject`).
        is_action(&action).then(|| crate::iam::catalog::cased_action(&action).into_owned())
    });
    match valid {
        Some(a) => Ok(a),
        None => fail(
            path,
            format!("`{text}` is not an action the language can write (`service:Action`)"),
        ),
    }
}

/// A string of a policy: a literal, `Fn::Sub` of a string, or `Ref` of a
/// pseudo parameter. Returned in the language's form: `${AWS::Region}` for
/// deploy-time values, `${aws:username}` for policy variables.
pub fn string(node: &Node, path: &Path, params: &Names) -> Result<String, Unexpressible> {
    let text = match node {
        Node::Str(s) => plain(s, path)?,
        Node::Number(n) => n.clone(),
        Node::Bool(b) => b.to_string(),
        Node::Fn(name, arg) if name == "Sub" => match &**arg {
            Node::Str(s) => sub(s, path, params)?,
            _ => {
                return fail(
                    path,
                    "`Fn::Sub` with a variable map (iamc writes `!Sub` of a single string)",
                );
            }
        },
        Node::Fn(name, arg) if name == "Ref" => match &**arg {
            Node::Str(s) if PSEUDO_PARAMETERS.iter().any(|(p, _)| p == s) || params.contains(s) => {
                format!("${{{s}}}")
            }
            Node::Str(s) => {
                return fail(
                    path,
                    format!(
                        "`Ref {s}`: iamc cannot refer to parameters or resources of a template"
                    ),
                );
            }
            other => return fail(path, format!("`Ref` of {}", other.describe())),
        },
        other => {
            return fail(
                path,
                format!("{} where a string was expected", other.describe()),
            );
        }
    };
    if let Some(c) = text.chars().find(|c| !is_iam_char(*c)) {
        return fail(
            path,
            format!(
                "the character U+{:04X}, which IAM does not accept in a policy",
                c as u32
            ),
        );
    }
    Ok(text)
}

/// A plain string: CloudFormation leaves `${...}` alone, so it must read as a
/// policy variable in the language too.
fn plain(s: &str, path: &Path) -> Result<String, Unexpressible> {
    match vars::pieces(s, &Params::new()) {
        Ok(pieces) if pieces.iter().any(|p| matches!(p, Piece::Pseudo(_))) => fail(
            path,
            format!(
                "`{s}` holds `${{AWS::...}}` outside `Fn::Sub`, which CloudFormation keeps as written but iamc would substitute"
            ),
        ),
        Ok(_) => Ok(s.to_string()),
        Err(_) => fail(
            path,
            format!(
                "`{s}` holds a `${{...}}` that is neither a policy variable nor a pseudo parameter"
            ),
        ),
    }
}

/// The text of an `Fn::Sub`: `${!x}` is the literal `${x}` (a policy variable
/// in the language), `${AWS::...}` stays, any other `${Name}` is a template
/// parameter or resource, which the language cannot name.
fn sub(s: &str, path: &Path, params: &Names) -> Result<String, Unexpressible> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(close) = after.find('}') else {
            return fail(path, format!("`{s}` has an unclosed `${{`"));
        };
        let inner = &after[..close];
        if let Some(literal) = inner.strip_prefix('!') {
            out.push_str("${");
            out.push_str(literal);
            out.push('}');
        } else if PSEUDO_PARAMETERS.iter().any(|(p, _)| *p == inner) || params.contains(inner) {
            out.push_str("${");
            out.push_str(inner);
            out.push('}');
        } else {
            return fail(
                path,
                format!(
                    "`${{{inner}}}` in `Fn::Sub`: iamc cannot refer to parameters or resources of a template"
                ),
            );
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    let mut declared = Params::new();
    for name in params {
        declared.insert(name, vars::DEFAULT_PARAM_MAX_LENGTH);
    }
    match vars::pieces(&out, &declared) {
        Ok(_) => Ok(out),
        Err(_) => fail(
            path,
            format!("`{s}` holds an escaped `${{!...}}` that is not a policy variable"),
        ),
    }
}

/// `Condition: { Operator: { key: value | [values] } }`, one condition per
/// operator and key, in the order written.
fn conditions(node: &Node, path: &Path, params: &Names) -> Result<Vec<Condition>, Unexpressible> {
    let Node::Map(operators) = node else {
        return fail(
            path,
            format!("`Condition` must be a map, not {}", node.describe()),
        );
    };
    let mut out = Vec::new();
    for (operator, keys) in operators {
        let opath = path.key(operator);
        if !is_known_operator(operator) {
            return fail(
                &opath,
                format!("`{operator}` is not a condition operator iamc knows"),
            );
        }
        let Node::Map(keys) = keys else {
            return fail(
                &opath,
                format!(
                    "a condition operator holds a map of keys, not {}",
                    keys.describe()
                ),
            );
        };
        for (key, values) in keys {
            let kpath = opath.key(key);
            if key.is_empty()
                || !matches!(vars::pieces(key, &Params::new()), Ok(p) if !p.iter().any(|p| matches!(p, Piece::Pseudo(_))))
            {
                return fail(&kpath, format!("the condition key `{key}`"));
            }
            let mut list = Vec::new();
            for (i, v) in values.items().into_iter().enumerate() {
                list.push(string(v, &kpath.item(values, i), params)?);
            }
            if list.is_empty() {
                return fail(&kpath, "a condition with no values");
            }
            out.push(Condition {
                operator: operator.clone(),
                key: key.clone(),
                values: list,
            });
        }
    }
    Ok(out)
}

/// The trust entries of an `AssumeRolePolicyDocument`. A statement the
/// language cannot express is reported and skipped. STS session actions
/// (`sts:TagSession`, ...) become the entries' `actions`; any other action
/// besides the assume action is reported and dropped (the trust allows less,
/// never more).
pub fn trust_entries(
    doc: &Node,
    path: &Path,
    report: &mut Report,
    lost: &mut Vec<Lost>,
) -> Vec<TrustEntry> {
    let mut out = Vec::new();
    let Some((statements, version)) = statements_of(doc, path, report) else {
        return out;
    };
    let spath = path.key("Statement");
    for (i, s) in statements.items().into_iter().enumerate() {
        let here = spath.item(statements, i);
        let params = report.params.clone();
        let read = match version {
            Version::Literal if mentions_variable(s) => fail(
                &here,
                "`${...}` in a policy of version 2008-10-17 (or without `Version`), where it is literal text",
            ),
            _ if restricts(s) => fail(
                &here.key("Effect"),
                "a `Deny` trust statement (a trust in iamc only allows)",
            ),
            _ => trust_statement(s, &here, &params, report),
        };
        match read {
            Ok(entries) => out.extend(entries),
            Err(u) if restricts(s) => lost.push(report.lost(&u.path, &u.why)),
            Err(u) => report.cannot(
                &u.path,
                &u.why,
                "this trust statement is not imported: nobody it names may assume the role",
            ),
        }
    }
    out
}

fn trust_statement(
    s: &Node,
    path: &Path,
    params: &Names,
    report: &mut Report,
) -> Result<Vec<TrustEntry>, Unexpressible> {
    let Node::Map(entries) = s else {
        return fail(
            path,
            format!("a statement must be a map, not {}", s.describe()),
        );
    };
    for (key, _) in entries {
        match key.as_str() {
            "Sid" | "Effect" | "Principal" | "Action" | "Condition" => {}
            other => return fail(&path.key(other), format!("`{other}` in a trust statement")),
        }
    }
    effect(s, path)?;
    let ppath = path.key("Principal");
    let principal = match s.get("Principal") {
        Some(Node::Map(kinds)) => kinds,
        Some(other) => {
            return fail(
                &ppath,
                format!(
                    "`Principal: {}` (iamc trusts named services, AWS principals and identity providers)",
                    match other {
                        Node::Str(s) => s.clone(),
                        o => o.describe(),
                    }
                ),
            );
        }
        None => return fail(path, "a trust statement without `Principal`"),
    };
    let conditions = match s.get("Condition") {
        Some(c) => conditions(c, &path.key("Condition"), params)?,
        None => Vec::new(),
    };
    let apath = path.key("Action");
    let mut actions = Vec::new();
    match s.get("Action") {
        Some(a) => {
            for (i, item) in a.items().into_iter().enumerate() {
                match item {
                    Node::Str(text) => actions.push((text.clone(), apath.item(a, i))),
                    other => {
                        return fail(
                            &apath.item(a, i),
                            format!("an action must be a string, not {}", other.describe()),
                        );
                    }
                }
            }
        }
        None => return fail(path, "a trust statement without `Action`"),
    }
    // The session actions apply to every principal of the statement.
    let mut session: Vec<&'static str> = Vec::new();
    let mut used = vec![false; actions.len()];
    for ((action, _), used) in actions.iter().zip(used.iter_mut()) {
        if let Some(a) = crate::iam::trust::session_action(action) {
            session.push(a);
            *used = true;
        }
    }
    session.sort_unstable();
    session.dedup();
    let mut out = Vec::new();
    for (kind_name, who) in principal {
        let kpath = ppath.key(kind_name);
        let kind = match kind_name.as_str() {
            "Service" => TrustKind::Service,
            "AWS" => TrustKind::Aws,
            "Federated" => TrustKind::Federated,
            other => return fail(&kpath, format!("a `{other}` principal")),
        };
        let mut principals = Vec::new();
        for (i, p) in who.items().into_iter().enumerate() {
            principals.push(string(p, &kpath.item(who, i), params)?);
        }
        if principals.is_empty() {
            return fail(&kpath, "an empty list of principals");
        }
        let expected = match kind {
            TrustKind::Federated if principals.iter().any(|p| p.contains(":saml-provider/")) => {
                "sts:AssumeRoleWithSAML"
            }
            TrustKind::Federated => "sts:AssumeRoleWithWebIdentity",
            _ => "sts:AssumeRole",
        };
        match actions
            .iter()
            .position(|(a, _)| a.eq_ignore_ascii_case(expected))
        {
            Some(i) => used[i] = true,
            None => {
                return fail(
                    &apath,
                    format!(
                        "iamc trusts a {} principal with `{expected}` only, and this statement does not allow it",
                        kind_name
                    ),
                );
            }
        }
        // What the service needs anyway is not written again.
        let implied = |a: &&str| {
            kind == TrustKind::Service
                && principals
                    .iter()
                    .all(|p| crate::iam::trust::service_session_actions(p).contains(a))
        };
        let actions = session.iter().copied().filter(|a| !implied(a)).collect();
        out.push(TrustEntry {
            kind,
            principals,
            actions,
            conditions: conditions.clone(),
        });
    }
    if out.is_empty() {
        return fail(&ppath, "a `Principal` that names nobody");
    }
    for ((action, apath), used) in actions.iter().zip(used) {
        if !used {
            report.cannot(
                apath,
                &format!("the trust action `{action}`"),
                "it is not imported: iamc allows exactly the assume action each principal needs",
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> Path {
        Path::root().key("X")
    }

    #[test]
    fn sub_unescapes_policy_variables_and_keeps_pseudo_parameters() {
        let none = Names::new();
        let s = sub(
            "arn:aws:s3:::${AWS::AccountId}-home/${!aws:username}/*",
            &p(),
            &none,
        );
        assert_eq!(
            s.ok().as_deref(),
            Some("arn:aws:s3:::${AWS::AccountId}-home/${aws:username}/*")
        );
        assert!(sub("arn:aws:s3:::${BucketName}", &p(), &none).is_err());
        assert!(sub("${!Literal}", &p(), &none).is_err());
        let declared: Names = ["BucketName".to_string()].into();
        assert_eq!(
            sub("arn:aws:s3:::${BucketName}", &p(), &declared)
                .ok()
                .as_deref(),
            Some("arn:aws:s3:::${BucketName}")
        );
    }

    #[test]
    fn plain_strings_keep_policy_variables_and_refuse_pseudo_parameters() {
        assert!(plain("home/${aws:username}", &p()).is_ok());
        assert!(plain("arn:aws:sqs:${AWS::Region}:1:q", &p()).is_err());
    }

    #[test]
    fn ref_of_a_pseudo_parameter_is_a_deploy_time_value() {
        let node = Node::Fn("Ref".into(), Box::new(Node::Str("AWS::AccountId".into())));
        assert_eq!(
            string(&node, &p(), &Names::new()).ok().as_deref(),
            Some("${AWS::AccountId}")
        );
    }

    #[test]
    fn actions_lower_case_their_service() {
        assert_eq!(
            action(&Node::Str("S3:GetObject".into()), &p())
                .ok()
                .as_deref(),
            Some("s3:GetObject")
        );
        assert!(action(&Node::Str("s3 GetObject".into()), &p()).is_err());
        // In the catalog's casing; a pattern as written.
        assert_eq!(
            action(&Node::Str("s3:getobject".into()), &p())
                .ok()
                .as_deref(),
            Some("s3:GetObject")
        );
        assert_eq!(
            action(&Node::Str("s3:get*".into()), &p()).ok().as_deref(),
            Some("s3:get*")
        );
    }
}
