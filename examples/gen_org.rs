//! Writes a synthetic organisation for tests and benchmarks:
//!
//! ```sh
//! cargo run --example gen_org -- --roles 1000 --out DIR [--seed 7]
//! ```
//!
//! Writes `DIR/policies/*.iam` (see `tests/it/support/org.rs`); the same
//! arguments always give the same files.

#[path = "../tests/it/support/org.rs"]
mod org;

use std::process::ExitCode;

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("gen_org: {message}\nusage: gen_org --roles N --out DIR [--seed S]");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> Result<String, String> {
    let (mut roles, mut out, mut seed) = (None, None, 7u64);
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--roles" => {
                roles = Some(
                    value
                        .parse::<usize>()
                        .map_err(|e| format!("--roles: {e}"))?,
                )
            }
            "--seed" => seed = value.parse().map_err(|e| format!("--seed: {e}"))?,
            "--out" => out = Some(std::path::PathBuf::from(value)),
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    let roles = roles.ok_or("--roles is required")?;
    let out = out.ok_or("--out is required")?.join("policies");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let files = org::generate(roles, seed);
    for (name, text) in &files {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(format!(
        "{} files, {roles} roles -> {}",
        files.len(),
        out.display()
    ))
}
