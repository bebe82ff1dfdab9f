//! Benchmarks of the functions on the local stack, and a bounded load run.
//!
//! `bench run` measures cold starts, warm latency per route, list flatness, bulk deletes
//! and CPU per request; `bench export` the export job on 1 GiB; `bench load-setup`, `bench load-run` and `bench cleanup` make the
//! load run. Both write `docs/benchmarks.json` and render `docs/benchmarks.md` from it.

pub mod cli;
pub mod cold;
pub mod cpu;
pub mod delete;
pub mod export;
pub mod fixtures;
pub mod flat;
pub mod harness;
pub mod load;
pub mod machine;
pub mod report;
pub mod runtime_api;
pub mod stats;
pub mod targets;
pub mod warm;
