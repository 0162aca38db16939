//! What `iamc build` leaves on disk besides printing: the templates written
//! into the output folder ([`output`]) and the build record that lets an
//! unchanged build do nothing ([`record`]).

pub mod output;
pub mod record;

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Writes `bytes` to `path` whole: into a temporary file beside it
/// (`.NAME.iamc-tmp`), which then takes its place by a rename, so that an
/// interrupted iamc never leaves a half-written file where a whole one was.
/// The file keeps the permissions of the one it replaces where it can; the
/// temporary file is removed when anything fails. Gives the written file's metadata.
pub fn write_whole(path: &Path, bytes: &[u8]) -> io::Result<fs::Metadata> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.iamc-tmp"));
    let written = fs::File::create(&temp).and_then(|mut file| {
        file.write_all(bytes)?;
        if let Ok(old) = fs::metadata(path) {
            let _ = file.set_permissions(old.permissions());
        }
        let meta = file.metadata()?;
        fs::rename(&temp, path)?;
        Ok(meta)
    });
    written.inspect_err(|_| {
        let _ = fs::remove_file(&temp);
    })
}
