//! What a template exports (`Outputs.*.Export.Name`) and imports
//! (`Fn::ImportValue`), with `${AWS::StackName}` filled in.

use serde_yaml::Value;
use std::collections::BTreeSet;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Links {
    pub exports: BTreeSet<String>,
    pub imports: BTreeSet<String>,
}

impl Links {
    /// The links of the template `text`, deployed as `stack`. A template that
    /// does not parse links nothing (CloudFormation will say what is wrong); a
    /// name built from anything but literals and the stack name is left out.
    pub fn of(stack: &str, text: &str) -> Links {
        let mut links = Links::default();
        // Most templates import nothing: only those that mention it are read whole.
        let imports = text.contains("ImportValue");
        let Ok(template) = serde_yaml::from_str::<Value>(text) else {
            return links;
        };
        if let Some(outputs) = template.get("Outputs").and_then(Value::as_mapping) {
            for output in outputs.values() {
                let name = output.get("Export").and_then(|e| e.get("Name"));
                if let Some(name) = name.and_then(|n| literal(stack, n)) {
                    links.exports.insert(name);
                }
            }
        }
        if imports {
            collect_imports(stack, &template, &mut links.imports);
        }
        links
    }
}

/// A string, or a `!Sub` / `Fn::Sub` of a string whose only variable is
/// `${AWS::StackName}`.
fn literal(stack: &str, value: &Value) -> Option<String> {
    let sub = |text: &str| {
        let filled = text.replace("${AWS::StackName}", stack);
        (!filled.contains("${")).then_some(filled)
    };
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Tagged(tagged) if tagged.tag == "Sub" => tagged.value.as_str().and_then(sub),
        Value::Mapping(m) if m.len() == 1 => m.get("Fn::Sub").and_then(Value::as_str).and_then(sub),
        _ => None,
    }
}

fn collect_imports(stack: &str, value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Tagged(tagged) if tagged.tag == "ImportValue" => {
            if let Some(name) = literal(stack, &tagged.value) {
                out.insert(name);
            }
        }
        Value::Tagged(tagged) => collect_imports(stack, &tagged.value, out),
        Value::Mapping(m) => {
            for (key, v) in m {
                match (key.as_str(), literal(stack, v)) {
                    (Some("Fn::ImportValue"), Some(name)) => {
                        out.insert(name);
                    }
                    _ => collect_imports(stack, v, out),
                }
            }
        }
        Value::Sequence(items) => {
            for item in items {
                collect_imports(stack, item, out);
            }
        }
        _ => {}
    }
}

/// The names of the template's parameters (`Parameters`), sorted.
pub fn parameters(text: &str) -> Vec<String> {
    let Ok(template) = serde_yaml::from_str::<Value>(text) else {
        return Vec::new();
    };
    let mut names: Vec<String> = template
        .get("Parameters")
        .and_then(Value::as_mapping)
        .map(|m| {
            m.keys()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}
