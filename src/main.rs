/// mimalloc rather than the system's allocator: a build of a large program
/// allocates and frees millions of small strings and vectors, and the
/// language server does so after every edit; glibc's allocator spent about a
/// third of the server's time on the 10,000-role organisation (see the book's
/// editor chapter).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    iamc::cli::run()
}
