//! `iamc lsp`: the language server, on standard input and output.

use super::EXIT_ERROR;
use std::process::ExitCode;

pub fn run() -> ExitCode {
    match crate::lsp::run_stdio() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("iamc lsp: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
