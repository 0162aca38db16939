//! Writing `generated/` safely: nothing when the build failed, a changed file
//! replaced through a temporary name and a rename, never a file iamc did not
//! write, and no write at all for a file whose contents are unchanged.

use crate::compiled::Compiled;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::render::is_generated;
use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Read, Write};
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
    /// Each template as the build left it on disk: name, size, modification
    /// time (for the build record). Empty for a dry run.
    pub on_disk: Vec<(String, std::fs::Metadata)>,
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

/// The first bytes of a file, enough to see iamc's banner.
fn head(file: &mut fs::File) -> io::Result<Vec<u8>> {
    let mut head = vec![0u8; 32];
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    head.truncate(filled);
    Ok(head)
}

/// The `.yaml` files of the output folder, by name (empty when it does not exist).
fn listing(out_dir: &Path) -> Result<BTreeSet<String>, Diagnostics> {
    let entries = match fs::read_dir(out_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(BTreeSet::new()),
        Err(e) => return Err(Diagnostics(vec![io_error(out_dir, "list", &e)])),
    };
    Ok(entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".yaml"))
        .collect())
}

/// A template against the file of its name.
enum Compared {
    Unchanged,
    /// The file differs; its old contents are kept for a dry run's diff.
    Changed(Option<String>),
    /// The file was not written by iamc: it is never replaced.
    Foreign,
}

/// Compares template `index` with the file of its name, which exists: sizes
/// first, bytes only when the sizes agree (or a dry run wants the old text).
fn compare(
    out_dir: &Path,
    compiled: &Compiled,
    index: usize,
    dry_run: bool,
) -> Result<(Compared, Option<String>, fs::Metadata), Diagnostic> {
    let (name, text) = compiled.render(index);
    let path = out_dir.join(&name);
    let read_error = |e: io::Error| io_error(&path, "read", &e);
    let mut file = fs::File::open(&path).map_err(read_error)?;
    let meta = file.metadata().map_err(read_error)?;
    let size = meta.len();
    let old = if size == text.len() as u64 || dry_run {
        let mut old = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        file.read_to_end(&mut old).map_err(read_error)?;
        old
    } else {
        head(&mut file).map_err(read_error)?
    };
    let compared = if old == text.as_bytes() {
        Compared::Unchanged
    } else if !is_generated(&old) {
        Compared::Foreign
    } else {
        Compared::Changed(dry_run.then(|| String::from_utf8_lossy(&old).into_owned()))
    };
    Ok((compared, dry_run.then_some(text), meta))
}

/// Renders every template and brings the output folder up to date — or, with
/// `dry_run`, only finds what would change, keeping contents for a diff.
///
/// Nothing is written until every existing file has been compared: a file
/// iamc did not write that stands where a template goes fails the build
/// first. Templates are rendered, compared and written on every core.
pub fn sync(out_dir: &Path, compiled: &Compiled, dry_run: bool) -> Result<Changes, Diagnostics> {
    let mut timings = crate::Timings::start();
    let existing = listing(out_dir)?;
    let indexes: Vec<usize> = (0..compiled.len()).collect();
    let (present, new): (Vec<usize>, Vec<usize>) = indexes
        .into_iter()
        .partition(|&i| existing.contains(compiled.file_name(i)));
    let compared = crate::par::map(&present, |&i| compare(out_dir, compiled, i, dry_run));
    timings.phase("compare");

    let mut changes = Changes::default();
    let mut errors = Diagnostics::new();
    // (index, old contents for a diff, new contents for a dry run)
    let mut to_write: Vec<(usize, Option<String>, Option<String>)> =
        new.into_iter().map(|i| (i, None, None)).collect();
    for (&index, result) in present.iter().zip(compared) {
        match result {
            Ok((Compared::Unchanged, _, meta)) => {
                changes.unchanged += 1;
                if !dry_run {
                    let name = compiled.file_name(index).to_string();
                    changes.on_disk.push((name, meta));
                }
            }
            Ok((Compared::Changed(old), text, _)) => to_write.push((index, old, text)),
            Ok((Compared::Foreign, _, _)) => {
                let path = out_dir.join(compiled.file_name(index));
                errors.push(
                    Diagnostic::error(
                        Code::ForeignFile,
                        format!("{} was not written by iamc", path.display()),
                    )
                    .note("iamc never overwrites a file that does not start with its banner")
                    .help(format!(
                        "move the file away, or delete it if iamc should own `{}`",
                        compiled.file_name(index)
                    )),
                );
            }
            Err(d) => errors.push(d),
        }
    }
    // Files iamc wrote that no template produces any more.
    let wanted: BTreeSet<&str> = (0..compiled.len()).map(|i| compiled.file_name(i)).collect();
    let mut stale = Vec::new();
    for name in existing.iter().filter(|n| !wanted.contains(n.as_str())) {
        let path = out_dir.join(name);
        match fs::File::open(&path).and_then(|mut f| head(&mut f)) {
            Ok(head) if is_generated(&head) => stale.push(name.clone()),
            Ok(_) => {}
            Err(e) => errors.push(io_error(&path, "read", &e)),
        }
    }
    if errors.has_errors() {
        return Err(errors);
    }
    to_write.sort_by_key(|(i, _, _)| *i);

    if dry_run {
        for (index, old, text) in to_write {
            let text = text.unwrap_or_else(|| compiled.render(index).1);
            let name = compiled.file_name(index).to_string();
            changes.writes.push((name, old, text));
        }
    } else {
        if let Err(e) = fs::create_dir_all(out_dir) {
            return Err(Diagnostics(vec![io_error(out_dir, "create", &e)]));
        }
        let indexes: Vec<(usize, bool)> = to_write
            .iter()
            .map(|(i, _, _)| (*i, existing.contains(compiled.file_name(*i))))
            .collect();
        for (index, result) in render_and_write(out_dir, compiled, &indexes) {
            match result {
                Ok(meta) => {
                    let name = compiled.file_name(index).to_string();
                    changes.on_disk.push((name.clone(), meta));
                    changes.writes.push((name, None, String::new()));
                }
                Err(d) => errors.push(d),
            }
        }
    }
    timings.phase("write");
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

/// Renders and writes these templates (each with whether its file exists) on
/// every core, each thread its own run of them: on 2 cores this took 5% less
/// time than one writer fed by two renderers (the kernel's work of creating
/// a file is most of the cost, and two threads share it). Returns each
/// template's outcome, in order: what the file is now, or the error.
fn render_and_write(
    out_dir: &Path,
    compiled: &Compiled,
    indexes: &[(usize, bool)],
) -> Vec<(usize, Result<fs::Metadata, Diagnostic>)> {
    crate::par::map(indexes, |&(index, exists)| {
        let (name, text) = compiled.render(index);
        let written = if exists {
            replace(out_dir, &name, &text)
        } else {
            create(out_dir, &name, &text)
        };
        (index, written)
    })
}

/// Replaces a template through a temporary file ([`super::write_whole`]), so
/// an interrupted build never leaves a truncated template where a whole one
/// was.
fn replace(out_dir: &Path, name: &str, text: &str) -> Result<fs::Metadata, Diagnostic> {
    let path = out_dir.join(name);
    super::write_whole(&path, text.as_bytes()).map_err(|e| io_error(&path, "write", &e))
}

/// Writes a template where no file was, under its own name: a rename would
/// cost as much again (two more directory operations a file), and there is
/// nothing to keep whole. An interrupted build can leave it truncated, but
/// with iamc's banner: the next build replaces it and `--check` reports it.
/// A file that appeared there since the folder was listed is not touched.
fn create(out_dir: &Path, name: &str, text: &str) -> Result<fs::Metadata, Diagnostic> {
    let path = out_dir.join(name);
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| io_error(&path, "create", &e))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.metadata())
        .map_err(|e| {
            let _ = fs::remove_file(&path);
            io_error(&path, "write", &e)
        })
}
