//! `iamc build [--src DIR] [--out DIR] [--check]`

use super::{EXIT_ERROR, EXIT_STALE, ProjectArgs, project};
use crate::build::{output, record};
use std::path::Path;
use std::process::ExitCode;

pub fn run(args: &ProjectArgs, out: Option<&Path>, check: bool) -> ExitCode {
    let mut timings = crate::Timings::start();
    let project = match project::load(args) {
        Ok(p) => p,
        Err((sources, diagnostics)) => {
            project::report(&diagnostics, &sources, args.format);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    timings.phase("load");
    let out_dir = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| project.out.clone());
    // Nothing changed since the last build into this folder: nothing to do.
    // `--check` always compares every byte.
    let inputs = (!check)
        .then(|| {
            let options = format!("{:?}", args.format);
            record::fingerprint(&project.sources, &project.config, &options)
        })
        .flatten();
    if let Some((report, templates)) = inputs.and_then(|i| record::up_to_date(&out_dir, i)) {
        timings.phase("record");
        project::print_report(&report);
        eprintln!("{}", summary(templates, &out_dir, 0, 0));
        return ExitCode::SUCCESS;
    }
    let compiled = match crate::compile(&project.sources, &project.config) {
        Ok(c) => c,
        Err(diagnostics) => {
            project::report(&diagnostics, &project.sources, args.format);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let mut diagnostics = compiled.diagnostics.clone();
    // Lints: warnings are printed; a `deny` finding fails before anything is written.
    let mut timings = crate::Timings::start();
    let lints = crate::lint::run(&compiled, &project.sources);
    diagnostics.extend(lints.diagnostics.0);
    timings.phase("lint");
    if diagnostics.has_errors() {
        project::report(&diagnostics, &project.sources, args.format);
        return ExitCode::from(EXIT_ERROR);
    }
    let changes = match output::sync(&out_dir, &compiled, check) {
        Ok(c) => c,
        Err(errors) => {
            diagnostics.extend(errors.0);
            project::report(&diagnostics, &project.sources, args.format);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let mut timings = crate::Timings::start();
    let report = project::rendered(&diagnostics, &project.sources, args.format);
    if super::color() {
        project::report(&diagnostics, &project.sources, args.format);
    } else {
        project::print_report(&report);
    }
    timings.phase("report");
    if check {
        if changes.is_empty() {
            eprintln!(
                "{} is up to date ({} {})",
                out_dir.display(),
                changes.unchanged,
                noun(changes.unchanged)
            );
            return ExitCode::SUCCESS;
        }
        crate::cli::out!("{}", changes.diff(&out_dir));
        eprintln!(
            "{} is stale: {} {} would be written and {} removed; run `iamc build`",
            out_dir.display(),
            changes.writes.len(),
            if changes.writes.len() == 1 {
                "file"
            } else {
                "files"
            },
            changes.removals.len()
        );
        return ExitCode::from(EXIT_STALE);
    }
    eprintln!(
        "{}",
        summary(
            compiled.len(),
            &out_dir,
            changes.writes.len(),
            changes.removals.len()
        )
    );
    if let Some(inputs) = inputs {
        record::save(&out_dir, inputs, &report, &changes.on_disk);
        timings.phase("record");
    }
    // The process ends here: its memory goes back to the system at once,
    // which is faster than freeing a large program piece by piece.
    std::mem::forget(compiled);
    std::mem::forget(project);
    ExitCode::SUCCESS
}

/// `wrote 1 template to generated (2 unchanged, 0 removed)`, or, when the
/// build wrote and removed nothing, `generated is up to date (3 templates)`.
fn summary(templates: usize, out_dir: &Path, changed: usize, removed: usize) -> String {
    if changed == 0 && removed == 0 {
        return format!(
            "{} is up to date ({templates} {}): nothing written",
            out_dir.display(),
            noun(templates)
        );
    }
    format!(
        "wrote {changed} {} to {} ({} unchanged, {removed} removed)",
        noun(changed),
        out_dir.display(),
        templates.saturating_sub(changed)
    )
}

fn noun(count: usize) -> &'static str {
    if count == 1 { "template" } else { "templates" }
}
