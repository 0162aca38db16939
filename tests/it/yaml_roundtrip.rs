//! Property tests: whatever a user writes in a string, the YAML iamc emits
//! reads back (with serde_yaml and CloudFormation's short-form tags) as exactly
//! the document iamc meant.

use crate::support;
use iamc::config::Config;
use iamc::render::yaml::Writer;
use iamc::source::{SourceFile, Sources};
use proptest::prelude::*;
use serde_yaml::value::{Tag, TaggedValue};
use serde_yaml::{Mapping, Value};

fn string(s: &str) -> Value {
    Value::String(s.to_string())
}

fn tagged(tag: &str, s: &str) -> Value {
    Value::Tagged(Box::new(TaggedValue {
        tag: Tag::new(tag),
        value: string(s),
    }))
}

fn mapping(entries: Vec<(&str, Value)>) -> Value {
    Value::Mapping(
        entries
            .into_iter()
            .map(|(k, v)| (string(k), v))
            .collect::<Mapping>(),
    )
}

/// Strings biased towards what breaks naive YAML: indicators, quotes,
/// escapes, YAML 1.1 words, numbers, `${...}` and characters outside ASCII.
fn tricky_string() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("'".to_string()),
        Just("\"".to_string()),
        Just(": ".to_string()),
        Just(" #".to_string()),
        Just("#".to_string()),
        Just("*".to_string()),
        Just("&a".to_string()),
        Just("!Ref".to_string()),
        Just("- ".to_string()),
        Just("? ".to_string()),
        Just("|".to_string()),
        Just(">".to_string()),
        Just("%".to_string()),
        Just("@".to_string()),
        Just("`".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(",".to_string()),
        Just("\\".to_string()),
        Just("\n".to_string()),
        Just("\t".to_string()),
        Just("\r".to_string()),
        Just(" ".to_string()),
        Just("yes".to_string()),
        Just("No".to_string()),
        Just("null".to_string()),
        Just("~".to_string()),
        Just("0x1F".to_string()),
        Just("1e3".to_string()),
        Just("012".to_string()),
        Just(".inf".to_string()),
        Just("2012-10-17".to_string()),
        Just("${AWS::Region}".to_string()),
        Just("${aws:username}".to_string()),
        Just("caf\u{e9}".to_string()),
        Just("\u{a0}".to_string()),
        Just("\u{85}".to_string()),
        Just("\u{2028}".to_string()),
        Just("\u{feff}".to_string()),
        Just("\u{1f600}".to_string()),
        "[a-zA-Z0-9:/._-]{1,8}",
    ];
    prop::collection::vec(pieces, 0..6).prop_map(|v| v.concat())
}

fn parse(text: &str) -> Value {
    serde_yaml::from_str(text)
        .unwrap_or_else(|e| panic!("written YAML does not parse: {e}\n{text}"))
}

proptest! {
    #![proptest_config(support::proptest_config(512))]

    #[test]
    fn any_string_reads_back_exactly(s in prop_oneof![tricky_string(), any::<String>()]) {
        // Every way the writer puts a string: as a key and a value, in a
        // comment, as items (plain and tagged), as a map inside a sequence.
        let mut w = Writer::default();
        w.str(0, &s, &s);
        w.comment(0, &s);
        w.open(0, "List");
        w.comment(2, &s);
        w.item(2, &s);
        w.item_tagged(2, "!Sub", &s);
        w.open(0, "Nested");
        w.item_str(2, "Key", &s);
        w.int(4, "Other", 7);
        w.tagged(4, &s, "!Ref", &s);
        w.empty(0, "Empty", false);
        let text = w.finish();
        let meant = mapping(vec![
            (&s, string(&s)),
            ("List", Value::Sequence(vec![string(&s), tagged("!Sub", &s)])),
            ("Nested", Value::Sequence(vec![mapping(vec![
                ("Key", string(&s)),
                ("Other", Value::Number(7.into())),
                (&s, tagged("!Ref", &s)),
            ])])),
            ("Empty", Value::Sequence(Vec::new())),
        ]);
        prop_assert_eq!(parse(&text), meant);
    }

    #[test]
    fn written_yaml_is_ascii(s in any::<String>()) {
        let mut w = Writer::default();
        w.comment(0, &s);
        w.str(0, "Key", &s);
        let text = w.finish();
        prop_assert!(text.is_ascii(), "not ASCII: {text:?}");
    }
}

/// A string as a `.iam` literal.
fn iam_literal(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters IAM accepts in a policy document, biased as above.
fn iam_string() -> impl Strategy<Value = String> {
    tricky_string().prop_map(|s| {
        s.chars()
            .filter(|c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FF}'))
            .collect()
    })
}

/// Replaces `!Sub` strings by the text IAM will see (`${!x}` → `${x}`),
/// leaving deploy-time values as written, to compare with the manifest.
fn unsub(v: &Value) -> serde_json::Value {
    match v {
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Tagged(t) if t.tag == Tag::new("Sub") => match &t.value {
            Value::String(s) => serde_json::Value::String(s.replace("${!", "${")),
            other => panic!("!Sub of a non-string: {other:?}"),
        },
        Value::Sequence(items) => serde_json::Value::Array(items.iter().map(unsub).collect()),
        Value::Mapping(m) => serde_json::Value::Object(
            m.iter()
                .map(|(k, v)| (k.as_str().expect("string keys").to_string(), unsub(v)))
                .collect(),
        ),
        Value::Number(n) => serde_json::json!(n.as_u64()),
        other => panic!("unexpected YAML value {other:?}"),
    }
}

proptest! {
    #![proptest_config(support::proptest_config(128))]

    /// Compiles a program whose strings are arbitrary, parses the template it
    /// writes, and checks every managed policy document against the manifest.
    #[test]
    fn templates_read_back_as_the_manifest_says(
        suffixes in prop::collection::vec(iam_string(), 1..4),
        key in iam_string(),
        values in prop::collection::vec(iam_string(), 1..3),
        because in iam_string(),
    ) {
        // `${...}` other than the known forms is (rightly) rejected; keep the
        // rest of the string.
        let clean = |s: &String| s.replace("${", "$ {").replace("$ {AWS::Region}", "${AWS::Region}").replace("$ {aws:username}", "${aws:username}");
        let resources: Vec<String> = suffixes.iter().map(|s| iam_literal(&format!("arn:aws:s3:::{}", clean(s)))).collect();
        let key = if key.is_empty() { "k".to_string() } else { key.replace("${", "$ {") };
        let values: Vec<String> = values.iter().map(|v| iam_literal(&clean(v))).collect();
        let source = format!(
            "policy P {{\n  allow s3:GetObject on [{}]\n    when StringLike {} [{}]\n    because {}\n}}\ntrust T {{ service \"ec2.amazonaws.com\" }}\nrole R {{\n  grants P\n  trust T\n}}\n",
            resources.join(", "),
            iam_literal(&key),
            values.join(", "),
            iam_literal(&because),
        );
        let mut sources = Sources::new();
        sources.add(SourceFile::new("p.iam", source.clone()));
        let output = match iamc::compile(&sources, &Config::default()) {
            Ok(o) => o,
            Err(d) => panic!("did not compile:\n{source}\n{}", d.render_text(&sources)),
        };
        let (_, text) = &output.files()[0];
        let parsed: Value = serde_yaml::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let manifest = output.manifest();
        let manifest = &manifest.templates[0].principals[0];
        let resources = parsed["Resources"].as_mapping().unwrap();
        let mut documents = Vec::new();
        for (_, resource) in resources {
            if resource["Type"] == Value::String("AWS::IAM::ManagedPolicy".into()) {
                documents.push(unsub(&resource["Properties"]["PolicyDocument"]));
            }
        }
        let expected: Vec<serde_json::Value> = manifest.managed_policies.iter().map(|p| p.document.clone()).collect();
        prop_assert_eq!(documents, expected);
    }
}
