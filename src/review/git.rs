//! Reading a program at a git revision, from git's objects (no checkout):
//! `git rev-parse`, `git ls-tree`, `git cat-file --batch`.

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{SourceFile, Sources};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// A program as it was at a revision.
pub struct AtRevision {
    /// The `.iam` files below the source folder, named `REV:path` (relative
    /// to the source folder), sorted.
    pub sources: Sources,
    /// The settings file's text at that revision, if it existed.
    pub config: Option<String>,
}

fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output, Diagnostic> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| {
            Diagnostic::error(Code::Git, format!("could not run git: {e}"))
                .help("install git, or compare with a folder of sources: --base-dir DIR")
        })
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout)
        .trim_end()
        .to_string()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).trim().to_string()
}

/// Reads the `.iam` files of the source folder `src` (a folder of a git working
/// tree) and the settings file `config` as they were at `rev`.
pub fn read(src: &Path, rev: &str, config: Option<&Path>) -> Result<AtRevision, Diagnostic> {
    if !src.is_dir() {
        return Err(Diagnostic::error(
            Code::Git,
            format!("the source folder {} does not exist", src.display()),
        )
        .help("run iamc from the folder that holds policies/, or pass --src DIR"));
    }
    let prefix = git(src, &["rev-parse", "--show-prefix"])?;
    if !prefix.status.success() {
        return Err(Diagnostic::error(
            Code::Git,
            format!("{} is not inside a git repository", src.display()),
        )
        .note(format!("git says: {}", stderr(&prefix)))
        .help("compare with a folder of sources instead: --base-dir DIR"));
    }
    let prefix = stdout(&prefix);
    if rev == "HEAD" && unborn(src)? {
        // No commit yet: the first commit introduces the whole program.
        return Ok(AtRevision {
            sources: Sources::new(),
            config: None,
        });
    }
    let spec = format!("{rev}^{{commit}}");
    let commit = git(
        src,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ],
    )?;
    if !commit.status.success() || rev.starts_with('-') {
        return Err(Diagnostic::error(
            Code::Git,
            format!("`{rev}` is not a revision of this repository"),
        )
        .help("give a branch, a tag or a commit (`git log --oneline` lists them); in CI, fetch the base branch first (`fetch-depth: 0`)"));
    }
    let commit = stdout(&commit);
    let listing = git(src, &["ls-tree", "-r", "-z", "--name-only", &commit])?;
    if !listing.status.success() {
        return Err(
            Diagnostic::error(Code::Git, format!("could not list the files of `{rev}`"))
                .note(format!("git says: {}", stderr(&listing))),
        );
    }
    let mut names: Vec<String> = listing
        .stdout
        .split(|&b| b == 0)
        .filter(|n| n.ends_with(b".iam"))
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    names.sort();
    // No .iam files at that revision (the pull request that introduces the
    // program): the base is the empty program, and everything is new.
    let paths: Vec<String> = names
        .iter()
        .map(|n| format!("{commit}:{prefix}{n}"))
        .collect();
    let blobs = cat_files(src, &paths)?;
    let mut sources = Sources::new();
    for (name, bytes) in names.iter().zip(blobs) {
        let text = String::from_utf8(bytes).map_err(|e| {
            Diagnostic::error(
                Code::Io,
                format!(
                    "{name} at `{rev}` is not UTF-8 text (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
        sources.add(SourceFile::new(format!("{rev}:{name}"), text));
    }
    let config = match config {
        Some(path) => {
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
            let dir = dir.unwrap_or(Path::new("."));
            let file = path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            let shown = git(dir, &["show", &format!("{commit}:./{file}")])?;
            shown
                .status
                .success()
                .then(|| String::from_utf8_lossy(&shown.stdout).into_owned())
        }
        None => None,
    };
    Ok(AtRevision { sources, config })
}

/// Whether the repository has no commit yet (`HEAD` names a branch that does
/// not exist): `git rev-parse --verify HEAD` fails, `git symbolic-ref HEAD` works.
fn unborn(dir: &Path) -> Result<bool, Diagnostic> {
    let head = git(dir, &["rev-parse", "--verify", "--quiet", "HEAD"])?;
    if head.status.success() {
        return Ok(false);
    }
    Ok(git(dir, &["symbolic-ref", "--quiet", "HEAD"])?
        .status
        .success())
}

/// The contents of several objects, in order, through one `git cat-file --batch`.
fn cat_files(dir: &Path, objects: &[String]) -> Result<Vec<Vec<u8>>, Diagnostic> {
    let failed = |e: std::io::Error| {
        Diagnostic::error(Code::Git, format!("could not read files from git: {e}"))
    };
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(failed)?;
    let mut input = String::new();
    for o in objects {
        input.push_str(o);
        input.push('\n');
    }
    let mut stdin = child.stdin.take();
    // Write from another thread so that a large batch cannot block on a full pipe.
    let writer = std::thread::spawn(move || match stdin.as_mut() {
        Some(pipe) => pipe.write_all(input.as_bytes()),
        None => Ok(()),
    });
    let mut out = Vec::new();
    if let Some(mut pipe) = child.stdout.take() {
        pipe.read_to_end(&mut out).map_err(failed)?;
    }
    let _ = child.wait();
    match writer.join() {
        Ok(result) => result.map_err(failed)?,
        Err(_) => return Err(failed(std::io::Error::other("writer thread failed"))),
    }
    let mut blobs = Vec::with_capacity(objects.len());
    let mut rest = out.as_slice();
    for o in objects {
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let header = String::from_utf8_lossy(&rest[..end]).into_owned();
        let size = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|_| header.split(' ').nth(1) == Some("blob"));
        let Some(size) = size else {
            return Err(Diagnostic::error(
                Code::Git,
                format!("git could not read {o}: {header}"),
            ));
        };
        let start = (end + 1).min(rest.len());
        let stop = (start + size).min(rest.len());
        blobs.push(rest[start..stop].to_vec());
        rest = &rest[(stop + 1).min(rest.len())..];
    }
    Ok(blobs)
}
