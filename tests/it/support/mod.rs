//! Helpers shared by the integration tests: loading a program the way the CLI
//! does, and comparing against expected files with `UPDATE_EXPECT=1`.

pub mod account;
pub mod oracle;
pub mod org;

use iamc::config::Config;
use iamc::source::{SourceFile, Sources};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.iam` file below `dir`, named relative to it and sorted, as the CLI reads them.
pub fn load_sources(dir: &Path) -> Vec<(String, String)> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
        for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "iam") {
                let name = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((name, fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    files.sort();
    files
}

/// A benchmark organisation of `roles` roles from the project's own
/// generator (`org.rs`, seed 7), as source files.
pub fn organisation(roles: usize) -> Vec<(String, String)> {
    org::generate(roles, 7)
}

pub fn sources(files: &[(String, String)]) -> Sources {
    let mut sources = Sources::new();
    for (name, text) in files {
        sources.add(SourceFile::new(name.clone(), text.clone()));
    }
    sources
}

/// The project's config: `iamc.yaml` in `dir` if present.
pub fn config(dir: &Path) -> Config {
    let path = dir.join("iamc.yaml");
    match fs::read_to_string(&path) {
        Ok(text) => Config::parse(&text, "iamc.yaml").unwrap_or_else(|d| panic!("{}", d.message)),
        Err(_) => Config::default(),
    }
}

/// Compiles files, panicking with the rendered diagnostics on error.
pub fn compile(files: &[(String, String)], config: &Config) -> Vec<(String, String)> {
    let sources = sources(files);
    match iamc::compile(&sources, config) {
        Ok(output) => output.files(),
        Err(d) => panic!("compile failed:\n{}", d.render_text(&sources)),
    }
}

pub fn updating() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some_and(|v| v == "1")
}

/// Compares the files of a folder with what they should be; returns a
/// unified diff of every difference (missing, changed and orphan files).
pub fn compare_folder(dir: &Path, files: &[(String, String)]) -> String {
    let mut report = String::new();
    let mut expected_names: Vec<String> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".yaml"))
                .collect()
        })
        .unwrap_or_default();
    expected_names.sort();
    for (name, contents) in files {
        let old = fs::read_to_string(dir.join(name)).unwrap_or_default();
        if old != *contents {
            let diff = similar::TextDiff::from_lines(&old, contents);
            report.push_str(
                &diff
                    .unified_diff()
                    .header(&format!("expected/{name}"), &format!("actual/{name}"))
                    .to_string(),
            );
        }
    }
    for name in expected_names {
        if !files.iter().any(|(n, _)| *n == name) {
            report.push_str(&format!(
                "orphan file {}/{name}: no source produces it\n",
                dir.display()
            ));
        }
    }
    report
}

/// Rewrites a folder of expected files.
pub fn write_folder(dir: &Path, files: &[(String, String)]) {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).unwrap();
    for (name, contents) in files {
        fs::write(dir.join(name), contents).unwrap();
    }
}

/// A fresh, empty folder `iamc-{name}-{pid}-{n}` in the temp directory,
/// removed when dropped: at the end of the test, passed or failed. `n` counts
/// the folders of this process, so that two tests of the one test binary never
/// share one, whatever names they pick.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("iamc-{name}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

/// The block after `<!-- output: NAME -->` in a book page equals `actual`.
pub fn book_block(page: &str, name: &str, actual: &str) {
    let path = repo().join("book/src").join(page);
    let text = fs::read_to_string(&path).unwrap();
    let marker = format!("<!-- output: {name} -->");
    let at = text
        .find(&marker)
        .unwrap_or_else(|| panic!("{page} has no `{marker}`"));
    let open = at + text[at..].find("```").unwrap();
    let body = open + text[open..].find('\n').unwrap() + 1;
    let fence = if text[open..].starts_with("````") {
        "````"
    } else {
        "```"
    };
    let close = if text[body..].starts_with(&format!("{fence}\n")) {
        body
    } else {
        body + text[body..].find(&format!("\n{fence}\n")).unwrap() + 1
    };
    let shown = &text[body..close];
    if updating() {
        let updated = format!("{}{}{}", &text[..body], actual, &text[close..]);
        fs::write(&path, updated).unwrap();
        return;
    }
    if shown != actual {
        let diff = similar::TextDiff::from_lines(shown, actual)
            .unified_diff()
            .header(&format!("{page} ({name})"), "actual")
            .to_string();
        panic!(
            "{page}: block `{name}` is not what iamc prints (UPDATE_EXPECT=1 rewrites it)\n{diff}"
        );
    }
}

/// Proptest's settings for `cases` cases, with the failures it finds kept next
/// to the test's source (`tests/it/NAME.proptest-regressions`) and tried first
/// on every run. (Proptest's default would look for them in
/// `tests/proptest-regressions/NAME.txt`, beside the folder of `main.rs`.)
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
        )),
        ..proptest::test_runner::Config::default()
    }
}

/// Runs the `iamc` binary in `dir`.
pub fn iamc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamc"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// Writes `contents` to `dir/name`, creating the folders on the way.
pub fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, contents).unwrap();
}

/// The contents of every fenced block with this info string in a Markdown
/// text (indented ones too).
pub fn blocks(text: &str, info: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match &mut current {
            None if line.trim_start() == format!("```{info}") => current = Some(String::new()),
            Some(block) if line.trim_start() == "```" => {
                out.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    out
}

/// Copies a folder and everything below it.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}
