//! Writing `generated/` safely: nothing when the build failed, each file through
//! a temporary name and a rename, never a file iamc did not write, and no write
//! at all for a file whose contents are unchanged.

use crate::Compiled;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::render::is_generated;
use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Read};
use std::path::Path;

/// What a build changed, or (with `--check`) would change.
#[derive(Debug, Default)]
pub struct Changes {
    /// New or changed files: (name, old contents if any, new contents). The
    /// contents are kept only when a diff is wanted.
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
            let unified = diff
                .unified_diff()
                .context_radius(3)
                .header(&old_name, &path(name))
                .to_string();
            text.push_str(&unified);
        }
        for (name, old) in &self.removals {
            let diff = similar::TextDiff::from_lines(old.as_str(), "");
            let unified = diff
                .unified_diff()
                .context_radius(3)
                .header(&path(name), "/dev/null")
                .to_string();
            text.push_str(&unified);
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

/// Whether a file starts with iamc's banner, reading only its first bytes.
fn starts_with_banner(path: &Path) -> io::Result<bool> {
    let mut head = [0u8; 32];
    let mut file = fs::File::open(path)?;
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(is_generated(&String::from_utf8_lossy(&head[..filled])))
}

/// The output folder before a build: which wanted files exist, and iamc's
/// own files that nothing produces any more. Fails, before anything is
/// written, when a wanted name is taken by a file iamc did not write.
fn survey(
    out_dir: &Path,
    wanted: &BTreeSet<&str>,
) -> Result<(BTreeSet<String>, Vec<String>), Diagnostics> {
    let mut existing = BTreeSet::new();
    let mut stale = Vec::new();
    let mut errors = Diagnostics::new();
    let entries = match fs::read_dir(out_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((existing, stale)),
        Err(e) => return Err(Diagnostics(vec![io_error(out_dir, "list", &e)])),
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry.file_type().map(|t| t.is_file()).unwrap_or(false);
        if !is_file || !name.ends_with(".yaml") {
            continue;
        }
        let generated = match starts_with_banner(&entry.path()) {
            Ok(g) => g,
            Err(e) => {
                errors.push(io_error(&entry.path(), "read", &e));
                continue;
            }
        };
        if wanted.contains(name.as_str()) {
            if !generated {
                errors.push(
                    Diagnostic::error(
                        Code::ForeignFile,
                        format!("{} was not written by iamc", entry.path().display()),
                    )
                    .note("iamc never overwrites a file that does not start with its banner")
                    .help(format!(
                        "move the file away, or delete it if iamc should own `{name}`"
                    )),
                );
            }
            existing.insert(name);
        } else if generated {
            stale.push(name);
        }
    }
    stale.sort();
    if errors.has_errors() {
        Err(errors)
    } else {
        Ok((existing, stale))
    }
}

/// Renders every template and brings the output folder up to date — or, with
/// `dry_run`, only finds what would change, keeping contents for a diff.
/// Templates are rendered and compared on every core.
pub fn sync(out_dir: &Path, compiled: &Compiled, dry_run: bool) -> Result<Changes, Diagnostics> {
    let mut timings = crate::Timings::start();
    let wanted: BTreeSet<&str> = (0..compiled.len()).map(|i| compiled.file_name(i)).collect();
    let (existing, stale) = survey(out_dir, &wanted)?;
    timings.phase("survey");
    if !dry_run && let Err(e) = fs::create_dir_all(out_dir) {
        return Err(Diagnostics(vec![io_error(out_dir, "create", &e)]));
    }
    let mut outcomes = render_and_write(out_dir, compiled, &existing, dry_run);
    timings.phase("write");
    outcomes.sort_by_key(|o| o.index);
    let mut changes = Changes::default();
    let mut errors = Diagnostics::new();
    if outcomes.len() != compiled.len() {
        errors.push(Diagnostic::error(
            Code::Internal,
            "internal error: a rendering thread failed",
        ));
    }
    for outcome in outcomes {
        match outcome.result {
            Ok(None) => changes.unchanged += 1,
            Ok(Some((old, new))) => {
                changes
                    .writes
                    .push((compiled.file_name(outcome.index).to_string(), old, new))
            }
            Err(d) => errors.push(d),
        }
    }
    for name in stale {
        let path = out_dir.join(&name);
        let old = if dry_run {
            fs::read_to_string(&path).unwrap_or_default()
        } else {
            String::new()
        };
        if !dry_run && let Err(e) = fs::remove_file(&path) {
            errors.push(io_error(&path, "remove", &e));
            continue;
        }
        changes.removals.push((name, old));
    }
    if errors.has_errors() {
        Err(errors)
    } else {
        Ok(changes)
    }
}

struct Outcome {
    index: usize,
    /// `None` when unchanged; else the old and new contents (empty unless a
    /// dry run wants them for a diff).
    result: Result<Option<(Option<String>, String)>, Diagnostic>,
}

/// Renders and compares templates on every core; one writer (this thread)
/// writes the changed ones, so writers never contend for the output folder.
fn render_and_write(
    out_dir: &Path,
    compiled: &Compiled,
    existing: &BTreeSet<String>,
    dry_run: bool,
) -> Vec<Outcome> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    let (changed, to_write) = std::sync::mpsc::sync_channel::<(usize, String)>(256);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let changed = changed.clone();
                scope.spawn(move || {
                    let mut outcomes = Vec::new();
                    for index in (t..compiled.len()).step_by(threads) {
                        let (name, text) = compiled.render(index);
                        let result = match compare(out_dir, &name, &text, existing, dry_run) {
                            Ok(Compared::Unchanged) => Ok(None),
                            Ok(Compared::Changed(old)) if dry_run => Ok(Some((old, text))),
                            Ok(Compared::Changed(_)) => match changed.send((index, text)) {
                                Ok(()) => continue,
                                Err(_) => break,
                            },
                            Err(e) => Err(e),
                        };
                        outcomes.push(Outcome { index, result });
                    }
                    outcomes
                })
            })
            .collect();
        drop(changed);
        let mut outcomes: Vec<Outcome> = to_write
            .into_iter()
            .map(|(index, text)| Outcome {
                index,
                result: write(out_dir, compiled.file_name(index), &text)
                    .map(|()| Some((None, String::new()))),
            })
            .collect();
        for worker in workers {
            outcomes.extend(worker.join().unwrap_or_default());
        }
        outcomes
    })
}

enum Compared {
    Unchanged,
    /// The old contents, read only for a dry run's diff.
    Changed(Option<String>),
}

/// Compares a rendered template with the file on disk: sizes first, bytes
/// only when the sizes agree (or a dry run wants the old text for its diff).
fn compare(
    out_dir: &Path,
    name: &str,
    text: &str,
    existing: &BTreeSet<String>,
    dry_run: bool,
) -> Result<Compared, Diagnostic> {
    if !existing.contains(name) {
        return Ok(Compared::Changed(None));
    }
    let path = out_dir.join(name);
    let read_error = |e: io::Error| io_error(&path, "read", &e);
    let mut file = fs::File::open(&path).map_err(read_error)?;
    let size = file.metadata().map_err(read_error)?.len();
    if size != text.len() as u64 && !dry_run {
        return Ok(Compared::Changed(None));
    }
    let mut old = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.read_to_end(&mut old).map_err(read_error)?;
    if old == text.as_bytes() {
        return Ok(Compared::Unchanged);
    }
    Ok(Compared::Changed(
        dry_run.then(|| String::from_utf8_lossy(&old).into_owned()),
    ))
}

/// Writes a template under a temporary name, then renames it into place, so
/// an interrupted build never leaves a truncated template.
fn write(out_dir: &Path, name: &str, text: &str) -> Result<(), Diagnostic> {
    let path = out_dir.join(name);
    let temp = out_dir.join(format!(".{name}.iamc-tmp"));
    fs::write(&temp, text)
        .and_then(|()| fs::rename(&temp, &path))
        .map_err(|e| {
            let _ = fs::remove_file(&temp);
            io_error(&path, "write", &e)
        })
}
