//! The README's tour cannot drift: its `.iam` block compiles, its YAML excerpt
//! is what iamc writes, and its error message is what iamc prints.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod support;

/// The contents of every fenced block with this info string.
fn blocks(text: &str, info: &str) -> Vec<String> {
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
