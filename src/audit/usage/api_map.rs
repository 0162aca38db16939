//! From an API call, as CloudTrail names it (`eventSource` + `eventName`), to
//! the IAM actions it needs. The table `api_map.txt` is derived from
//! iam-dataset's `map.json` (MIT) by `scripts/refresh-api-map.py`; a call the
//! table does not list needs the action of its own name when the catalog has
//! one (`ec2:DescribeInstances`), as most do.

use crate::iam::catalog::catalog;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const DATA: &str = include_str!("api_map.txt");

/// CloudTrail event sources whose first label is not the IAM prefix.
const SOURCE_PREFIXES: &[(&str, &str)] = &[
    ("monitoring", "cloudwatch"),
    ("email", "ses"),
    ("runtime.sagemaker", "sagemaker"),
    ("runtime.lex", "lex"),
    ("data.iot", "iot"),
    ("api.ecr", "ecr"),
    ("api.pricing", "pricing"),
    ("elasticfilesystem", "elasticfilesystem"),
];

/// What an API call needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Needs {
    /// These IAM actions (`s3:ListBucket` for `ListObjects`).
    Actions(Vec<String>),
    /// No permission at all (`sts:GetCallerIdentity`).
    Nothing,
    /// iamc cannot tell: a call of service `prefix` the table and the catalog
    /// do not know. Its service's grants must count as possibly used.
    Unknown { prefix: String },
}

struct Table {
    /// prefix -> lower-case operation -> actions (empty: no permission).
    operations: HashMap<&'static str, HashMap<String, Vec<String>>>,
    /// Lower-case actions some call in the table needs.
    needed: HashSet<String>,
    pub source: &'static str,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Table {
            operations: HashMap::new(),
            needed: HashSet::new(),
            source: "",
        };
        let mut prefix = "";
        for line in DATA.lines() {
            if let Some(comment) = line.strip_prefix("# ") {
                if comment.starts_with("source: ") {
                    t.source = comment;
                }
                continue;
            }
            if let Some(p) = line.strip_prefix('=') {
                prefix = p;
                continue;
            }
            let mut words = line.split(' ');
            let Some(operation) = words.next().filter(|w| !w.is_empty()) else {
                continue;
            };
            let actions: Vec<String> = match words.next() {
                None => vec![format!("{prefix}:{operation}")],
                Some("-") => Vec::new(),
                Some(first) => std::iter::once(first)
                    .chain(words)
                    .map(str::to_string)
                    .collect(),
            };
            t.needed
                .extend(actions.iter().map(|a| a.to_ascii_lowercase()));
            t.operations
                .entry(prefix)
                .or_default()
                .insert(operation.to_ascii_lowercase(), actions);
        }
        t
    })
}

/// The `# source: ...` line of the table, for the report.
pub fn source() -> &'static str {
    table().source
}

/// The IAM prefix of an event source: `s3.amazonaws.com` -> `s3`.
pub fn prefix_of(event_source: &str) -> String {
    let host = event_source
        .strip_suffix(".amazonaws.com")
        .unwrap_or(event_source);
    if let Some((_, prefix)) = SOURCE_PREFIXES.iter().find(|(s, _)| *s == host) {
        return (*prefix).to_string();
    }
    host.split('.').next().unwrap_or(host).to_string()
}

/// `CreateFunction20150331`, `UpdateFunctionCode20150331v2`,
/// `GetDistribution2020_05_31`: the name without its API-version suffix.
pub fn without_version(name: &str) -> &str {
    let base = match name.rfind('v') {
        Some(v) if v + 1 < name.len() && name[v + 1..].bytes().all(|b| b.is_ascii_digit()) => {
            &name[..v]
        }
        _ => name,
    };
    for len in [8, 10] {
        let Some(split) = base.len().checked_sub(len).filter(|&s| s > 0) else {
            continue;
        };
        let Some(tail) = base.get(split..) else {
            continue;
        };
        let b = tail.as_bytes();
        let date = if len == 8 {
            b.iter().all(u8::is_ascii_digit)
        } else {
            b[4] == b'_' && b[7] == b'_' && b.iter().filter(|c| c.is_ascii_digit()).count() == 8
        };
        if date && tail.starts_with("20") {
            return &base[..split];
        }
    }
    name
}

/// The actions an API call needs.
pub fn needs(event_source: &str, event_name: &str) -> Needs {
    let prefix = prefix_of(event_source);
    let t = table();
    for name in [event_name, without_version(event_name)] {
        if let Some(actions) = t
            .operations
            .get(prefix.as_str())
            .and_then(|ops| ops.get(&name.to_ascii_lowercase()))
        {
            return if actions.is_empty() {
                Needs::Nothing
            } else {
                Needs::Actions(actions.clone())
            };
        }
        if let Some(action) = catalog().service(&prefix).and_then(|s| s.action(name)) {
            return Needs::Actions(vec![format!("{prefix}:{}", action.name)]);
        }
    }
    Needs::Unknown { prefix }
}

/// Whether some API call is known to need this action (a catalog action,
/// `service:Name`). Actions no call needs (`iam:PassRole`, which is checked
/// when another call hands a role to a service) never appear in CloudTrail
/// under their own name.
pub fn is_needed_by_a_call(action: &str) -> bool {
    table().needed.contains(&action.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actions(source: &str, name: &str) -> Vec<String> {
        match needs(source, name) {
            Needs::Actions(a) => a,
            other => vec![format!("{other:?}")],
        }
    }

    #[test]
    fn s3_special_cases() {
        assert_eq!(
            actions("s3.amazonaws.com", "ListObjects"),
            ["s3:ListBucket"]
        );
        assert_eq!(
            actions("s3.amazonaws.com", "ListObjectsV2"),
            ["s3:ListBucket"]
        );
        assert_eq!(
            actions("s3.amazonaws.com", "ListBuckets"),
            ["s3:ListAllMyBuckets"]
        );
        assert!(actions("s3.amazonaws.com", "HeadObject").contains(&"s3:GetObject".to_string()));
        assert_eq!(actions("s3.amazonaws.com", "GetObject"), ["s3:GetObject"]);
    }

    #[test]
    fn lambda_dated_names() {
        assert_eq!(without_version("CreateFunction20150331"), "CreateFunction");
        assert_eq!(
            without_version("UpdateFunctionCode20150331v2"),
            "UpdateFunctionCode"
        );
        assert_eq!(
            without_version("GetDistribution2020_05_31"),
            "GetDistribution"
        );
        assert_eq!(without_version("GetObject"), "GetObject");
        assert_eq!(without_version("PutRecordsV2"), "PutRecordsV2");
        assert_eq!(without_version("20150331"), "20150331");
        let create = actions("lambda.amazonaws.com", "CreateFunction20150331");
        assert!(
            create.contains(&"lambda:CreateFunction".to_string()),
            "{create:?}"
        );
        assert_eq!(
            actions("lambda.amazonaws.com", "Invoke"),
            ["lambda:InvokeFunction"]
        );
    }

    #[test]
    fn sources_whose_label_is_not_the_prefix() {
        assert_eq!(prefix_of("monitoring.amazonaws.com"), "cloudwatch");
        assert_eq!(
            actions("monitoring.amazonaws.com", "PutMetricData"),
            ["cloudwatch:PutMetricData"]
        );
        assert_eq!(
            needs("sts.amazonaws.com", "GetCallerIdentity"),
            Needs::Nothing
        );
        assert_eq!(
            needs("example.amazonaws.com", "DoThing"),
            Needs::Unknown {
                prefix: "example".into()
            }
        );
        assert!(matches!(
            needs("ec2.amazonaws.com", "NoSuchCall"),
            Needs::Unknown { .. }
        ));
    }

    #[test]
    fn pass_role_has_no_call_of_its_own() {
        assert!(
            !table()
                .operations
                .get("iam")
                .is_some_and(|o| o.contains_key("passrole"))
        );
        assert!(is_needed_by_a_call("s3:getobject"));
        // Needed by calls that hand a role over (CreateFunction), so the map knows it.
        assert!(is_needed_by_a_call("iam:PassRole"));
    }
}
