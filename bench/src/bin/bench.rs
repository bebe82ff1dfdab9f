//! `bench`: the benchmarks and the load run (see the crate's documentation).

fn main() -> std::process::ExitCode {
    bench::cli::main()
}
