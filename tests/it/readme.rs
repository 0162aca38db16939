//! The README's tour cannot drift: its `.iam` block compiles, its YAML excerpt
//! is what iamc writes, and its error message is what iamc prints.

use crate::support::{self, blocks};
#[test]
fn readme_tour_is_what_iamc_does() {
    let readme = std::fs::read_to_string(support::repo().join("README.md")).unwrap();
    let source = blocks(&readme, "iam").remove(0);
    let files = vec![("tour.iam".to_string(), source.clone())];
    let output = support::compile(&files, &iamc::config::Config::default());
    let yaml = &blocks(&readme, "yaml")[0];
    assert!(
        output[0].1.contains(yaml.as_str()),
        "the README's YAML is not in the output:\n{}",
        output[0].1
    );

    let broken = source.replace("group Base { S3ReadCdn }", "group Base { S3RaedCdn }");
    let sources = support::sources(&[("tour.iam".to_string(), broken)]);
    let errors = iamc::compile(&sources, &iamc::config::Config::default())
        .err()
        .unwrap();
    let rendered = errors.render_text(&sources);
    let shown = &blocks(&readme, "text")[0];
    assert!(
        rendered.starts_with(shown.as_str()),
        "the README's error is not what iamc prints:\n{rendered}"
    );
}

/// The `rust-version` of Cargo.toml, e.g. `1.88`.
fn rust_version() -> String {
    let manifest = std::fs::read_to_string(support::repo().join("Cargo.toml")).unwrap();
    let line = manifest
        .lines()
        .find(|l| l.starts_with("rust-version"))
        .unwrap();
    line.split('"').nth(1).unwrap().to_string()
}

#[test]
fn readme_states_what_a_newcomer_needs() {
    let readme = std::fs::read_to_string(support::repo().join("README.md")).unwrap();
    let rust = format!("Rust {} or newer", rust_version());
    assert!(readme.contains(&rust), "the README does not say {rust}");
    let commands = &blocks(&readme, "sh")[0];
    assert!(commands.contains("cargo install --path . --locked"));
    assert!(commands.contains("bash scripts/test.sh"));
    assert!(support::repo().join("scripts/test.sh").is_file());
    // The book is read with the mdbook the test command installs.
    let script = std::fs::read_to_string(support::repo().join("scripts/test.sh")).unwrap();
    let version = script
        .lines()
        .find_map(|l| l.strip_prefix("MDBOOK_VERSION="))
        .unwrap();
    assert!(
        readme.contains(&format!(
            "cargo install mdbook --version {version} --locked"
        )),
        "the README's mdbook is not {version}"
    );
}

#[test]
fn readme_tour_builds_in_an_empty_folder() {
    let readme = std::fs::read_to_string(support::repo().join("README.md")).unwrap();
    let dir = support::TempDir::new("readme-tour");
    std::fs::create_dir_all(dir.join("policies")).unwrap();
    std::fs::write(
        dir.join("policies/tour.iam"),
        blocks(&readme, "iam").remove(0),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_iamc"))
        .arg("build")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(dir.join("generated/JaneDoe.yaml")).unwrap();
    assert!(written.contains(blocks(&readme, "yaml")[0].as_str()));
}
