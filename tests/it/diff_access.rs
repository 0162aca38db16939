//! `diff` on each class of change a reviewer must see (issue 13): every
//! edit that can grant something new is flagged (proven by an example, or
//! "may broaden" with the reason), edits that only narrow are not, and a
//! change to a template that grants nothing new is never "no change".

use crate::support;
use iamc::config::Config;
use iamc::iam::compare::Change;
use iamc::review::{diff, diff_report};

const BASE: &str = r#"
param Prefix {
  default "acme-"
}

policy Read { allow s3:GetObject on "arn:aws:s3:::${Prefix}*" }
policy Homes { allow s3:GetObject on "arn:aws:s3:::homes/${aws:PrincipalTag/Owner}/*" }
policy Guard {
  deny * on * when StringNotEquals "aws:RequestedRegion" ["eu-west-1", "eu-central-1"]
}
policy Tls { deny s3:PutObject on * when Bool "aws:SecureTransport" "false" }
policy Write { allow s3:PutObject on "arn:aws:s3:::acme-data/*" }
policy Vpc { allow ec2:RunInstances on * when StringEquals "aws:SourceVpc" ["vpc-1"] }
policy Drop {
  allow s3:PutObject on "arn:aws:s3:::drop/*"
    when StringNotEquals "aws:PrincipalAccount" ["111111111111", "222222222222"]
}
policy Logs { allow s3:GetObject on "arn:aws:s3:::${AWS::AccountId}-logs/*" }
policy UserHome { allow s3:GetObject on "arn:aws:s3:::users/${aws:username}/*" }
policy Shared { allow s3:ListBucket on "arn:aws:s3:::shared" }

trust Gh {
  federated "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    when StringLike "token.actions.githubusercontent.com:sub" ["repo:acme/*"]
}

role Dev {
  grants Read, Homes, Guard, Tls, Write, Vpc, Drop, Logs
  trust Gh
  tag Owner "dev"
  path "/devs/"
  max_session 3600
  instance_profile
}

/// Runs the nightly jobs.
user Svc {
  grants UserHome, Guard
}

stack Platform {
  roles Dev
  policies Shared
}
"#;

fn compile(text: &str) -> iamc::Compiled {
    let sources = support::sources(&[("main.iam".to_string(), text.to_string())]);
    iamc::compile(&sources, &Config::default()).unwrap_or_else(|d| {
        panic!(
            "does not compile: {:?}\n{text}",
            d.0.first().map(|d| &d.message)
        )
    })
}

fn edited(old: &str, new: &str) -> String {
    assert!(BASE.contains(old), "{old:?} not in the base program");
    BASE.replacen(old, new, 1)
}

/// The access verdict for `name` (`permissions` or `trust`), and the report.
fn verdict(before: &str, after: &str, name: &str, of: &str) -> (Option<Change>, String) {
    let (b, a) = (compile(before), compile(after));
    let d = diff::diff(&b, &a, "before", "after");
    let text = diff_report::text(&d);
    assert!(
        !d.is_empty(),
        "templates differ, so never \"no change\":\n{text}"
    );
    let change = d
        .principals
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.access.iter().find(|x| x.of == of))
        .map(|x| x.change.clone());
    (change, text)
}

fn flagged(old: &str, new: &str, name: &str, of: &str) -> String {
    let (change, text) = verdict(BASE, &edited(old, new), name, of);
    assert!(
        change.is_some(),
        "{old:?} -> {new:?} must be flagged for {name} ({of}):\n{text}"
    );
    text
}

fn proven(old: &str, new: &str, name: &str, of: &str) -> String {
    let (change, text) = verdict(BASE, &edited(old, new), name, of);
    assert!(
        matches!(change, Some(Change::Broadens { .. })),
        "{old:?} -> {new:?} must be proven broadening for {name} ({of}):\n{text}"
    );
    text
}

fn not_flagged(old: &str, new: &str, name: &str, of: &str) -> String {
    let (change, text) = verdict(BASE, &edited(old, new), name, of);
    assert!(
        change.is_none(),
        "{old:?} -> {new:?} grants nothing new to {name}:\n{text}"
    );
    text
}

#[test]
fn a_standalone_stack_policy_widened_is_broadening() {
    let text = proven(
        "allow s3:ListBucket on \"arn:aws:s3:::shared\"",
        "allow s3:* on \"arn:aws:s3:::shared\"",
        "Shared",
        "permissions",
    );
    assert!(
        text.contains("! broadens permissions: now allows s3:"),
        "{text}"
    );
}

#[test]
fn a_boundary_removed_or_swapped_may_broaden() {
    let with = BASE.replacen(
        "  tag Owner \"dev\"\n",
        "  tag Owner \"dev\"\n  boundary \"arn:aws:iam::${AWS::AccountId}:policy/DevBoundary\"\n",
        1,
    );
    let (c, text) = verdict(&with, BASE, "Dev", "permissions");
    assert!(matches!(c, Some(Change::MayBroaden { .. })), "{text}");
    assert!(text.contains("permissions boundary"), "{text}");
    let swapped = with.replace("DevBoundary", "OpsBoundary");
    let (c, text) = verdict(&with, &swapped, "Dev", "permissions");
    assert!(matches!(c, Some(Change::MayBroaden { .. })), "{text}");
    // Adding a boundary only narrows.
    let (c, text) = verdict(BASE, &with, "Dev", "permissions");
    assert!(c.is_none(), "{text}");
}

#[test]
fn a_tag_that_a_policy_variable_reads_is_broadening() {
    let text = proven(
        "tag Owner \"dev\"",
        "tag Owner \"ops\"",
        "Dev",
        "permissions",
    );
    assert!(text.contains("homes/ops/"), "{text}");
}

#[test]
fn a_param_default_is_what_is_deployed() {
    proven("default \"acme-\"", "default \"\"", "Dev", "permissions");
    not_flagged(
        "default \"acme-\"",
        "default \"acme-data\"",
        "Dev",
        "permissions",
    );
}

#[test]
fn path_session_and_instance_profile_are_other_changes() {
    let text = not_flagged("path \"/devs/\"", "path \"/ops/\"", "Dev", "permissions");
    assert!(
        text.contains("~ Resources PersonalRoleDev (AWS::IAM::Role) Path"),
        "{text}"
    );
    assert!(
        text.contains("Path of AWS::IAM::Role `PersonalRoleDev` changed"),
        "{text}"
    );
    let text = not_flagged("max_session 3600", "max_session 7200", "Dev", "permissions");
    assert!(text.contains("MaxSessionDuration"), "{text}");
    let text = not_flagged("  instance_profile\n", "", "Dev", "permissions");
    assert!(text.contains("AWS::IAM::InstanceProfile"), "{text}");
    let text = not_flagged(
        "/// Runs the nightly jobs.",
        "/// Runs the jobs.",
        "Svc",
        "permissions",
    );
    assert!(text.contains("other change"), "{text}");
}

#[test]
fn loosening_a_guard_rail_deny_is_broadening() {
    // One more excepted region.
    proven(
        "[\"eu-west-1\", \"eu-central-1\"]",
        "[\"eu-west-1\", \"eu-central-1\", \"us-east-1\"]",
        "Dev",
        "permissions",
    );
    // A Bool flipped.
    proven(
        "Bool \"aws:SecureTransport\" \"false\"",
        "Bool \"aws:SecureTransport\" \"true\"",
        "Dev",
        "permissions",
    );
    // The condition key renamed.
    proven(
        "StringNotEquals \"aws:RequestedRegion\"",
        "StringNotEquals \"ec2:Region\"",
        "Svc",
        "permissions",
    );
    // One more allowed VPC.
    proven(
        "[\"vpc-1\"]",
        "[\"vpc-1\", \"vpc-2\"]",
        "Dev",
        "permissions",
    );
}

#[test]
fn narrowing_a_deny_exception_list_is_not_broadening() {
    not_flagged(
        "[\"eu-west-1\", \"eu-central-1\"]",
        "[\"eu-west-1\"]",
        "Dev",
        "permissions",
    );
}

#[test]
fn removing_a_value_from_a_negated_allow_condition_is_broadening() {
    proven(
        "[\"111111111111\", \"222222222222\"]",
        "[\"111111111111\"]",
        "Dev",
        "permissions",
    );
}

#[test]
fn variables_are_values_not_wildcards() {
    // Another engineer's folder is not "already covered" by ${aws:PrincipalTag/Owner}.
    proven(
        "policy Homes { allow s3:GetObject on \"arn:aws:s3:::homes/${aws:PrincipalTag/Owner}/*\" }",
        "policy Homes { allow s3:GetObject on [\"arn:aws:s3:::homes/${aws:PrincipalTag/Owner}/*\", \"arn:aws:s3:::homes/ops/*\"] }",
        "Dev",
        "permissions",
    );
    // Another account's bucket is not covered by ${AWS::AccountId}.
    flagged(
        "\"arn:aws:s3:::${AWS::AccountId}-logs/*\"",
        "[\"arn:aws:s3:::${AWS::AccountId}-logs/*\", \"arn:aws:s3:::999999999999-logs/*\"]",
        "Dev",
        "permissions",
    );
    // ${aws:username} replaced by a literal user.
    proven(
        "users/${aws:username}/*",
        "users/alice/*",
        "Svc",
        "permissions",
    );
}

#[test]
fn trusts_are_judged_by_who_may_assume() {
    // Tightening the OIDC sub is not broadening; loosening it is.
    not_flagged("[\"repo:acme/*\"]", "[\"repo:acme/app:*\"]", "Dev", "trust");
    proven("[\"repo:acme/*\"]", "[\"repo:*\"]", "Dev", "trust");
    let text = proven(
        "    when StringLike \"token.actions.githubusercontent.com:sub\" [\"repo:acme/*\"]\n",
        "    when StringLike \"token.actions.githubusercontent.com:sub\" [\"repo:acme/*\"]\n  service \"ec2.amazonaws.com\"\n",
        "Dev",
        "trust",
    );
    assert!(
        text.contains("! broadens trust: Service:ec2.amazonaws.com may now"),
        "{text}"
    );
}

/// An account's root is the whole account in every partition, as
/// `arn:aws:iam::ACCOUNT:root` is: a trust narrowed from the root to one of
/// its roles grants nothing new; widened from the role to the root, it is
/// flagged.
#[test]
fn an_account_root_is_the_whole_account_in_every_partition() {
    let gh = "  federated \"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com\"\n    when StringLike \"token.actions.githubusercontent.com:sub\" [\"repo:acme/*\"]\n";
    for root in [
        "arn:aws:iam::111122223333:root",
        "arn:aws-cn:iam::111122223333:root",
        "arn:aws-us-gov:iam::111122223333:root",
        "arn:aws-iso-b:iam::111122223333:root",
        "arn:${AWS::Partition}:iam::${AWS::AccountId}:root",
    ] {
        let role = root.replace(":root", ":role/ci");
        let whole = edited(gh, &format!("  aws \"{root}\"\n"));
        let one = edited(gh, &format!("  aws \"{role}\"\n"));
        let (change, text) = verdict(&whole, &one, "Dev", "trust");
        assert!(change.is_none(), "{root} -> {role} narrows:\n{text}");
        let (change, text) = verdict(&one, &whole, "Dev", "trust");
        assert!(
            change.is_some(),
            "{role} -> {root} must be flagged:\n{text}"
        );
    }
}

/// The session actions a trust allows are access too: adding
/// `sts:TagSession` lets the trusted principals do something new (pass session
/// tags, which `${aws:PrincipalTag/...}` statements then read); removing it
/// only narrows.
#[test]
fn trust_session_actions_are_access() {
    let sub = "    when StringLike \"token.actions.githubusercontent.com:sub\" [\"repo:acme/*\"]\n";
    let tagged = format!("    actions sts:TagSession\n{sub}");
    let text = proven(sub, &tagged, "Dev", "trust");
    assert!(text.contains("[broadening: new session action]"), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("may now sts:tagsession"),
        "{text}"
    );
    // Removing it: the templates differ, nothing new is granted.
    let (change, text) = verdict(&edited(sub, &tagged), BASE, "Dev", "trust");
    assert!(
        change.is_none(),
        "removing a session action narrows:\n{text}"
    );
    // One more session action on top of one: still broadening.
    let more = format!("    actions [sts:TagSession, sts:SetSourceIdentity]\n{sub}");
    let (change, text) = verdict(&edited(sub, &tagged), &edited(sub, &more), "Dev", "trust");
    assert!(
        matches!(change, Some(Change::Broadens { .. })),
        "sts:SetSourceIdentity added must be broadening:\n{text}"
    );
    assert!(text.contains("sts:SetSourceIdentity"), "{text}");
}

/// A service's own session actions count as well: removing the condition of
/// an EKS Pod Identity trust broadens its `sts:TagSession` as much as its
/// `sts:AssumeRole`, and the report says what the trust grants.
#[test]
fn implicit_session_actions_are_judged_with_their_conditions() {
    let pods = "trust Gh {\n  service \"pods.eks.amazonaws.com\"\n    when StringEquals \"aws:SourceAccount\" [\"123456789012\"]\n}\n";
    let gh_start = BASE.find("trust Gh {").unwrap();
    let gh_end = gh_start + BASE[gh_start..].find("}\n").unwrap() + 2;
    let before = format!("{}{pods}{}", &BASE[..gh_start], &BASE[gh_end..]);
    let after = before.replace(
        "    when StringEquals \"aws:SourceAccount\" [\"123456789012\"]\n",
        "",
    );
    let (change, text) = verdict(&before, &after, "Dev", "trust");
    assert!(
        matches!(change, Some(Change::Broadens { .. })),
        "removing the condition must be broadening:\n{text}"
    );
    // The trust as held lists the session action beside the assume action.
    let d = diff::diff(&compile(&before), &compile(&after), "before", "after");
    let text = diff_report::text(&d);
    assert!(text.contains("with sts:TagSession"), "{text}");
}

#[test]
fn an_aws_managed_policy_attached_may_broaden() {
    let (c, text) = verdict(
        BASE,
        &edited(
            "  instance_profile\n",
            "  instance_profile\n  managed \"arn:aws:iam::aws:policy/ReadOnlyAccess\"\n",
        ),
        "Dev",
        "permissions",
    );
    assert!(matches!(c, Some(Change::MayBroaden { .. })), "{text}");
    assert!(text.contains("not evaluated"), "{text}");
}

/// A resource pattern whose automaton has about 2^18 states: "an `a`
/// eighteen characters from the end" (each `?` a character other than `:`).
const TANGLED: &str = "arn:aws:s3:::*a??????????????????";

#[test]
fn the_tangled_pattern_is_beyond_the_matchers_budget() {
    use iamc::iam::pattern::{Case, includes_text};
    // The premise of the two tests below: the matcher gives up (`None`),
    // here and in the inclusions they need, rather than answer.
    assert_eq!(includes_text(TANGLED, TANGLED, Case::Arn), None);
    let narrower = TANGLED.replace(":::*", ":::x*");
    assert_eq!(includes_text(TANGLED, &narrower, Case::Arn), None);
    // Small cases of the same shape are decided.
    assert_eq!(
        includes_text("arn:aws:s3:::*a??", "arn:aws:s3:::x*a??", Case::Arn),
        Some(true)
    );
}

/// A program of one role `R` granted policy `P` with these statements.
fn role_with(statements: &str) -> String {
    format!(
        r#"
policy P {{
{statements}
}}
trust Ec2 {{ service "ec2.amazonaws.com" }}
role R {{
  grants P
  trust Ec2
}}
"#
    )
}

fn tangled_program(allow: &str, deny: &str) -> String {
    role_with(&format!(
        "  allow s3:GetObject on {allow}\n  deny s3:GetObject on {deny}"
    ))
}

#[test]
fn an_allow_too_tangled_to_compare_may_broaden() {
    // After grants a subset of before (`x*a...` inside `*a...`), but the
    // inclusion is beyond the budget: never "no new access", "may broaden".
    let narrower = TANGLED.replace(":::*", ":::x*");
    let before = tangled_program(&format!("\"{TANGLED}\""), "\"arn:aws:s3:::none\"");
    let after = tangled_program(&format!("\"{narrower}\""), "\"arn:aws:s3:::none\"");
    may_broaden_because(&before, &after, "could not prove the Allow");
}

/// `R`'s permissions "may broaden", for a reason that says `why`.
fn may_broaden_because(before: &str, after: &str, why: &str) {
    let (c, text) = verdict(before, after, "R", "permissions");
    match c {
        Some(Change::MayBroaden { reasons, .. }) => {
            assert!(
                reasons.iter().any(|r| r.contains(why)),
                "{reasons:?}\n{text}"
            )
        }
        other => panic!("an undecided inclusion must be \"may broaden\": {other:?}\n{text}"),
    }
}

#[test]
fn a_deny_too_tangled_to_compare_is_never_read_away() {
    // The Deny gains a resource (it stops more), but whether the old one is
    // still inside the new one is beyond the budget: "may broaden".
    let before = tangled_program("\"*\"", &format!("\"{TANGLED}\""));
    let after = tangled_program("\"*\"", &format!("[\"{TANGLED}\", \"arn:aws:s3:::other\"]"));
    may_broaden_because(&before, &after, "could not prove the Deny");
}

#[test]
fn a_default_of_a_policy_variable_is_a_value_when_the_key_is_missing() {
    // `${aws:SourceVpc}` matches nothing without a VPC; with a default it
    // matches `.../none/*`: new access for every request outside a VPC.
    let program = |resource: &str| role_with(&format!("  allow s3:GetObject on \"{resource}\""));
    let before = program("arn:aws:s3:::vpcs/${aws:SourceVpc}/*");
    let after = program("arn:aws:s3:::vpcs/${aws:SourceVpc, 'none'}/*");
    let (c, text) = verdict(&before, &after, "R", "permissions");
    assert!(c.is_some(), "a default is new access:\n{text}");
    // The other way round only narrows (where the key is present, the same value).
    let (c, text) = verdict(&after, &before, "R", "permissions");
    assert!(
        !matches!(c, Some(Change::Broadens { .. })),
        "removing a default grants nothing new:\n{text}"
    );
}

#[test]
fn an_arn_wildcard_inside_a_segment_does_not_cross_colons() {
    // IAM's segment rule: a `*` inside a segment (`b/*/x`) never reads `:`;
    // one that ends a segment (`b/*:`) runs past colons. Read as crossing
    // everywhere, both edits below would be "no new access".
    let program =
        |allow: &str, deny: &str| tangled_program(&format!("\"{allow}\""), &format!("\"{deny}\""));
    let none = "arn:aws:s3:::none";
    // An Allow of `b/*:*/x` reaches `b/a:c/x`, which `b/*/x` does not.
    let (c, text) = verdict(
        &program("arn:aws:s3:::b/*/x", none),
        &program("arn:aws:s3:::b/*:*/x", none),
        "R",
        "permissions",
    );
    assert!(
        matches!(c, Some(Change::Broadens { .. })),
        "an over-read Allow hides new access:\n{text}"
    );
    // A Deny of `b/*/x` no longer stops `b/a:c/x`.
    let (c, text) = verdict(
        &program("arn:aws:s3:::b/*", "arn:aws:s3:::b/*:*/x"),
        &program("arn:aws:s3:::b/*", "arn:aws:s3:::b/*/x"),
        "R",
        "permissions",
    );
    assert!(
        matches!(c, Some(Change::Broadens { .. })),
        "an over-read Deny hides new access:\n{text}"
    );
    // Within a segment, a narrower pattern is still proven inside.
    let (c, text) = verdict(
        &program("arn:aws:s3:::b/*/x", none),
        &program("arn:aws:s3:::b/?/x", none),
        "R",
        "permissions",
    );
    assert!(c.is_none(), "`b/?/x` is inside `b/*/x`:\n{text}");
}

#[test]
fn fingerprints_differ_exactly_when_template_texts_differ() {
    // `diff` compares templates by fingerprint without rendering them whole;
    // the fingerprint must tell every text change, and no other.
    let edits = [
        ("default \"acme-\"", "default \"\""),
        ("tag Owner \"dev\"", "tag Owner \"ops\""),
        ("[\"eu-west-1\", \"eu-central-1\"]", "[\"eu-west-1\"]"),
        ("arn:aws:s3:::acme-data/*", "arn:aws:s3:::acme-data/x/*"),
        ("path \"/devs/\"", "path \"/ops/\""),
        ("/// Runs the nightly jobs.", "/// Runs the jobs."),
        ("allow s3:ListBucket on", "allow s3:ListBucketVersions on"),
        ("[\"repo:acme/*\"]", "[\"repo:acme/app:*\"]"),
        ("max_session 3600", "max_session 3601"),
    ];
    let base = compile(BASE);
    let texts = |c: &iamc::Compiled| -> Vec<(String, String, [u8; 32])> {
        let digests = c.fragment_digests();
        (0..c.len())
            .map(|i| {
                let (file, text) = c.render(i);
                let (same_file, print) = c.fingerprint(i, &digests);
                assert_eq!(file, same_file);
                (file, text, print)
            })
            .collect()
    };
    let before = texts(&base);
    let mut differing = 0;
    for (old, new) in edits {
        let after = texts(&compile(&edited(old, new)));
        for (file, text, print) in &after {
            if let Some((_, old_text, old_print)) = before.iter().find(|(f, _, _)| f == file) {
                assert_eq!(
                    text == old_text,
                    print == old_print,
                    "{old:?} -> {new:?}: {file}"
                );
                differing += usize::from(text != old_text);
            }
        }
    }
    assert!(differing >= edits.len(), "every edit changes a template");
}

#[test]
fn a_new_escalation_path_is_named_as_broadening() {
    let before = role_with(
        "  allow codebuild:CreateProject on *\n  allow s3:GetObject on \"arn:aws:s3:::b/*\"",
    );
    let after = role_with(
        "  allow codebuild:CreateProject on *\n  allow s3:GetObject on \"arn:aws:s3:::b/*\"\n  allow [iam:PassRole, codebuild:StartBuild] on *",
    );
    let d = diff::diff(&compile(&before), &compile(&after), "before", "after");
    let text = diff_report::text(&d);
    let r = d.principals.iter().find(|p| p.name == "R").unwrap();
    // codebuild:StartBuild alone is codebuild-002, which contains codebuild-001.
    let paths: Vec<&str> = r.escalations.iter().map(|e| e.path).collect();
    assert_eq!(paths, ["codebuild-002"], "{text}");
    assert!(
        text.contains(
            "! new escalation path codebuild-002 `codebuild:StartBuild` (existing-passrole)"
        ),
        "{text}"
    );
    assert!(diff_report::markdown(&d).contains("new escalation path codebuild-002"));
    // A path already there before is not new, though the change broadens.
    let more = role_with(
        "  allow codebuild:CreateProject on *\n  allow s3:GetObject on \"arn:aws:s3:::b/*\"\n  allow [iam:PassRole, codebuild:StartBuild] on *\n  allow s3:PutObject on \"arn:aws:s3:::b/*\"",
    );
    let again = diff::diff(&compile(&after), &compile(&more), "a", "b");
    let r = again.principals.iter().find(|p| p.name == "R").unwrap();
    assert!(
        !r.access.is_empty() && r.escalations.is_empty(),
        "{}",
        diff_report::text(&again)
    );
    // A change that opens no path names none.
    let wider =
        role_with("  allow codebuild:CreateProject on *\n  allow s3:* on \"arn:aws:s3:::b/*\"");
    let d = diff::diff(&compile(&before), &compile(&wider), "before", "after");
    assert!(d.principals.iter().all(|p| p.escalations.is_empty()));
}
