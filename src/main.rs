fn main() -> std::process::ExitCode {
    iamc::cli::run()
}
