//! iamc's integration tests: one test binary, one module a subject.
//!
//! Each module tests one subject through the library or through the `iamc`
//! binary (`env!("CARGO_BIN_EXE_iamc")`); `support` holds what they share
//! (loading a program as the CLI does, expected files, temporary folders,
//! the reference evaluator and the organisation generator). Fixtures stay in
//! their folders beside this one (`tests/golden`, `tests/ui`, `tests/cli`, ...).
//!
//! One binary, so that the crate and the helpers are compiled and linked
//! once. A new test goes into the module of its subject, or a new module
//! here. Run one module with `cargo test --test it MODULE::`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod support;

mod access_diff;
mod adopt;
mod architecture;
mod book;
mod build_cli;
mod catalog;
mod cli;
mod corpus;
mod determinism;
mod diff_access;
mod drift_account;
mod editor;
mod every_action;
mod explain_simulate;
mod fmt;
mod fmt_book;
mod fmt_cli;
mod fmt_small_diffs;
mod golden;
mod graph_json;
mod graph_receivers;
mod hostile;
mod import;
mod import_roundtrip;
mod lint_aws_managed;
mod lint_cli;
mod lint_docs;
mod lint_ui;
mod lsp;
mod outputs_cli;
mod parse_fast;
mod pipe;
mod pr_workflow;
mod project_cli;
mod readme;
mod review;
mod self_contained;
mod split_fallback;
mod split_quality;
mod stability;
mod ui;
mod usage;
mod yaml_roundtrip;
