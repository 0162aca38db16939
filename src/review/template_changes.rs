//! Which resources and properties of a generated template changed: the
//! template read as the indented YAML iamc writes (top-level sections, entries
//! at two spaces, a resource's `Type` and `Properties` at four, each property
//! at six). What `diff` shows for a change that grants nothing new, so that
//! two different templates never compare as "no change".

use serde::Serialize;
use std::collections::BTreeMap;

/// One changed property: `PersonalRoleJaneDoe` (`AWS::IAM::Role`) `Path`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PropertyChange {
    pub file: String,
    /// `Resources`, `Outputs`, `Parameters`, or a top-level key.
    pub section: String,
    /// The logical ID, output or parameter name (empty for a top-level key).
    pub name: String,
    /// The resource type, for a resource.
    pub resource_type: String,
    /// The property (empty for a whole entry).
    pub property: String,
}

type Key = (String, String, String);

/// Each (section, entry, property) with its text, and each resource's type.
fn parts(text: &str) -> (BTreeMap<Key, String>, BTreeMap<String, String>) {
    let mut out: BTreeMap<Key, String> = BTreeMap::new();
    let mut types = BTreeMap::new();
    let (mut section, mut entry, mut property) = (String::new(), String::new(), String::new());
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim_start();
        let key = || trimmed.split(':').next().unwrap_or("").to_string();
        if !trimmed.starts_with('#') && !trimmed.starts_with('-') && !trimmed.is_empty() {
            match indent {
                0 => {
                    section = key();
                    entry.clear();
                    property.clear();
                }
                2 => {
                    entry = key();
                    property.clear();
                }
                4 if section == "Resources" => {
                    if key() == "Type" {
                        types.insert(entry.clone(), trimmed["Type:".len()..].trim().to_string());
                    }
                    property.clear();
                }
                6 if section == "Resources" => property = key(),
                _ => {}
            }
        }
        let text = out
            .entry((section.clone(), entry.clone(), property.clone()))
            .or_default();
        text.push_str(line);
        text.push('\n');
    }
    (out, types)
}

/// The properties that differ between two versions of template `file`
/// (either may be missing).
pub fn changes(file: &str, before: Option<&str>, after: Option<&str>) -> Vec<PropertyChange> {
    let (b, bt) = parts(before.unwrap_or(""));
    let (a, at) = parts(after.unwrap_or(""));
    let mut keys: Vec<&Key> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| b.get(*k) != a.get(*k))
        .filter(|(section, _, _)| !section.is_empty())
        .map(|(section, name, property)| PropertyChange {
            file: file.to_string(),
            section: section.clone(),
            name: name.clone(),
            resource_type: at
                .get(name)
                .or_else(|| bt.get(name))
                .filter(|_| section == "Resources")
                .cloned()
                .unwrap_or_default(),
            property: property.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_changed_property() {
        let before = "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      Path: '/'\n      MaxSessionDuration: 3600\n";
        let after = "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      Path: '/devs/'\n      MaxSessionDuration: 3600\n";
        let c = changes("f.yaml", Some(before), Some(after));
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].property, "Path");
        assert_eq!(c[0].resource_type, "AWS::IAM::Role");
    }
}
