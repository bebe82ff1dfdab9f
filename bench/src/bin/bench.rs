//! `bench`: the benchmarks and the load run (see the crate's documentation).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    bench::cli::main().await
}
