//! Benchmarks of the functions on the local stack, and a bounded load run.
//!
//! `bench run` measures cold starts, warm latency per route, list flatness, bulk deletes
//! and CPU per request; `bench export` the export job on 1 GiB; `bench lifecycle` the
//! recycle bins' purge, retention and a room deleted with its recordings, at 100,000
//! recordings; `bench load-setup`, `bench load-run` and `bench cleanup` make the load run.
//! Each writes its section of `docs/benchmarks.json` and renders `docs/benchmarks.md`
//! from it.

pub mod cli;
pub mod cold;
pub mod cpu;
pub mod delete;
pub mod export;
pub mod fixtures;
pub mod flat;
pub mod harness;
pub mod lifecycle;
pub mod load;
pub mod machine;
pub mod report;
pub mod runtime_api;
pub mod stats;
pub mod targets;
pub mod warm;
