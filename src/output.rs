//! Writing `generated/` safely: nothing when the build failed, each file through
//! a temporary name and a rename, and never a file iamc did not write.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::render::is_generated;
use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// What a build changes in the output folder.
#[derive(Debug, Default)]
pub struct Changes {
    /// New or changed files: (name, old contents if any, new contents).
    pub writes: Vec<(String, Option<String>, String)>,
    /// Files iamc wrote before that no source produces any more.
    pub removals: Vec<(String, String)>,
    pub unchanged: usize,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty() && self.removals.is_empty()
    }

    /// A unified diff of every change, as `git diff` would show it.
    pub fn diff(&self, out_dir: &Path) -> String {
        let mut text = String::new();
        let path = |name: &str| out_dir.join(name).display().to_string();
        for (name, old, new) in &self.writes {
            let old_name = if old.is_some() {
                path(name)
            } else {
                "/dev/null".to_string()
            };
            let diff = similar::TextDiff::from_lines(old.as_deref().unwrap_or(""), new.as_str());
            text.push_str(
                &diff
                    .unified_diff()
                    .context_radius(3)
                    .header(&old_name, &path(name))
                    .to_string(),
            );
        }
        for (name, old) in &self.removals {
            let diff = similar::TextDiff::from_lines(old.as_str(), "");
            text.push_str(
                &diff
                    .unified_diff()
                    .context_radius(3)
                    .header(&path(name), "/dev/null")
                    .to_string(),
            );
        }
        text
    }
}

fn io_error(path: &Path, action: &str, e: &io::Error) -> Diagnostic {
    Diagnostic::error(
        Code::Io,
        format!("could not {action} {}: {e}", path.display()),
    )
}

/// Compares the files a build produced with the output folder.
pub fn plan(out_dir: &Path, files: &[(String, String)]) -> Result<Changes, Diagnostics> {
    let mut changes = Changes::default();
    let mut errors = Diagnostics::new();
    let wanted: BTreeSet<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for (name, contents) in files {
        let path = out_dir.join(name);
        match fs::read(&path) {
            Ok(old) => {
                let old = String::from_utf8_lossy(&old).into_owned();
                if old == *contents {
                    changes.unchanged += 1;
                } else if !is_generated(&old) {
                    errors.push(
                        Diagnostic::error(
                            Code::ForeignFile,
                            format!("{} was not written by iamc", path.display()),
                        )
                        .note("iamc never overwrites a file that does not start with its banner")
                        .help(format!(
                            "move the file away, or delete it if iamc should own `{name}`"
                        )),
                    );
                } else {
                    changes
                        .writes
                        .push((name.clone(), Some(old), contents.clone()));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                changes.writes.push((name.clone(), None, contents.clone()));
            }
            Err(e) => errors.push(io_error(&path, "read", &e)),
        }
    }
    match fs::read_dir(out_dir) {
        Ok(entries) => {
            let mut stale = Vec::new();
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let is_file = entry.file_type().map(|t| t.is_file()).unwrap_or(false);
                if !is_file || !name.ends_with(".yaml") || wanted.contains(name.as_str()) {
                    continue;
                }
                if let Ok(old) = fs::read_to_string(entry.path())
                    && is_generated(&old)
                {
                    stale.push((name, old));
                }
            }
            stale.sort();
            changes.removals = stale;
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => errors.push(io_error(out_dir, "list", &e)),
    }
    if errors.has_errors() {
        Err(errors)
    } else {
        Ok(changes)
    }
}

/// Applies the changes: each file written to a temporary name in the same
/// folder, then renamed over the old one, so no reader sees a partial file.
pub fn apply(out_dir: &Path, changes: &Changes) -> Result<(), Diagnostics> {
    let mut errors = Diagnostics::new();
    if let Err(e) = fs::create_dir_all(out_dir) {
        errors.push(io_error(out_dir, "create", &e));
        return Err(errors);
    }
    for (name, _, contents) in &changes.writes {
        let path = out_dir.join(name);
        let temp: PathBuf = out_dir.join(format!(".{name}.iamc-tmp"));
        let result = fs::write(&temp, contents).and_then(|()| fs::rename(&temp, &path));
        if let Err(e) = result {
            let _ = fs::remove_file(&temp);
            errors.push(io_error(&path, "write", &e));
        }
    }
    for (name, _) in &changes.removals {
        let path = out_dir.join(name);
        if let Err(e) = fs::remove_file(&path) {
            errors.push(io_error(&path, "remove", &e));
        }
    }
    if errors.has_errors() {
        Err(errors)
    } else {
        Ok(())
    }
}
