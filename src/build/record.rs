//! The build record: what the last successful `iamc build` into an output
//! folder read and wrote, so that a build with nothing changed does nothing.
//!
//! It lives in the output folder, in `.iamc-cache/`, which holds a
//! `.gitignore` of its own so that it is never committed. It is a fingerprint
//! of everything the build read (iamc's own executable, the settings, the
//! options that change the output, every source file's name and contents),
//! the report the build printed, and each template it left: name, size and
//! modification time. A build whose fingerprint matches, in a folder whose
//! `.yaml` files are exactly those templates with the same sizes and times,
//! would write the same bytes: it prints the same report and stops. Anything
//! else (a source or setting edited, another iamc, a template edited, added
//! or removed) is a full build. A build that writes or removes anything
//! leaves times or names that no older record matches, so a record never
//! needs to be forgotten. `iamc build --check` never reads it: it always
//! compares every byte.

use crate::config::Config;
use crate::source::Sources;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// The folder of the record, inside the output folder.
pub const FOLDER: &str = ".iamc-cache";
const FILE: &str = "build.json";
/// Bumped when the record's meaning changes: an old record is then a miss
/// (as is one that does not parse, such as version 1's, whose fingerprint
/// was two numbers).
const VERSION: u32 = 2;

/// What a build read: its BLAKE3 digest. A cryptographic
/// digest, so that no two inputs in practice share one; BLAKE3 because it is
/// the fastest such digest (its SIMD paths are chosen at run time), and a
/// no-op build reads and digests every source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint([u8; blake3::OUT_LEN]);

/// What a build printed: its report on standard output and standard error.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub stdout: String,
    pub stderr: String,
}

#[derive(Serialize, Deserialize)]
struct Record {
    version: u32,
    inputs: Fingerprint,
    report: Report,
    /// Each template: name, size in bytes, modification time in nanoseconds
    /// since the epoch.
    templates: Vec<(String, u64, u128)>,
}

/// The fingerprint of a build's inputs. `options` are the command's options
/// that change what it prints or writes. `None` when iamc cannot identify
/// its own executable: then nothing is recorded.
pub fn fingerprint(sources: &Sources, config: &Config, options: &str) -> Option<Fingerprint> {
    let exe = std::env::current_exe().ok()?;
    let exe_meta = fs::metadata(&exe).ok()?;
    let mut h = blake3::Hasher::new();
    // Every variable-length part is preceded by its length, so that no two
    // different inputs read as the same bytes.
    let mut part = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    part(env!("CARGO_PKG_VERSION").as_bytes());
    part(exe.as_os_str().as_encoded_bytes());
    part(&exe_meta.len().to_le_bytes());
    part(&nanos(&exe_meta).to_le_bytes());
    part(format!("{config:?}").as_bytes());
    part(options.as_bytes());
    part(&(sources.len() as u64).to_le_bytes());
    for (_, file) in sources.iter() {
        part(file.name.as_bytes());
        part(file.text.as_bytes());
    }
    Some(Fingerprint(*h.finalize().as_bytes()))
}

fn nanos(meta: &fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

fn path(out_dir: &Path) -> PathBuf {
    out_dir.join(FOLDER).join(FILE)
}

/// The report of the last build, and how many templates it left, when the
/// output folder is exactly as it left it for these inputs; `None` otherwise.
pub fn up_to_date(out_dir: &Path, inputs: Fingerprint) -> Option<(Report, usize)> {
    let text = fs::read(path(out_dir)).ok()?;
    let record: Record = serde_json::from_slice(&text).ok()?;
    if record.version != VERSION || record.inputs != inputs {
        return None;
    }
    let mut found: Vec<(String, u64, u128)> = Vec::with_capacity(record.templates.len());
    for entry in fs::read_dir(out_dir).ok()? {
        let entry = entry.ok()?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".yaml") {
            continue;
        }
        let meta = entry.metadata().ok()?;
        if !meta.is_file() {
            continue;
        }
        found.push((name, meta.len(), nanos(&meta)));
    }
    found.sort();
    (found == record.templates).then_some((record.report, found.len()))
}

/// Records a successful build: its inputs, its report, and each template as
/// it left it on disk. A record that cannot be written is no error: the next
/// build is then a full one.
pub fn save(
    out_dir: &Path,
    inputs: Fingerprint,
    report: &Report,
    templates: &[(String, fs::Metadata)],
) {
    let _ = try_save(out_dir, inputs, report, templates);
}

fn try_save(
    out_dir: &Path,
    inputs: Fingerprint,
    report: &Report,
    templates: &[(String, fs::Metadata)],
) -> io::Result<()> {
    let mut entries: Vec<(String, u64, u128)> = templates
        .iter()
        .map(|(name, meta)| (name.clone(), meta.len(), nanos(meta)))
        .collect();
    entries.sort();
    let record = Record {
        version: VERSION,
        inputs,
        report: report.clone(),
        templates: entries,
    };
    let folder = out_dir.join(FOLDER);
    fs::create_dir_all(&folder)?;
    let ignore = folder.join(".gitignore");
    if !ignore.exists() {
        fs::write(
            &ignore,
            "# iamc's build record: local to this machine, never committed.\n*\n",
        )?;
    }
    let json = serde_json::to_vec(&record).map_err(io::Error::other)?;
    super::write_whole(&path(out_dir), &json).map(drop)
}
