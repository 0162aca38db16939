//! Writing to a closed pipe (`iamc fmt --check | head -1`) ends iamc quietly
//! with status 141 (128 + SIGPIPE), as other Unix tools end: no panic, no
//! message.

use std::path::Path;
use std::process::{Command, Stdio};

/// Runs iamc in the repository with its standard output closed before it
/// writes; its exit status and standard error.
fn with_stdout_closed(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iamc"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end: iamc's first write finds no reader.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_quietly_with_status_141() {
    for args in [&["manifest"][..], &["lint", "--format", "json"][..]] {
        let (status, stderr) = with_stdout_closed(args);
        assert_eq!(status, Some(141), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}
