//! `cargo xtask load`: deliveries per second through the webhook receiver over
//! loopback, with `MemoryDedup` and `RedisDedup`, beside the crypto bound measured in
//! the same run (see `pingpp-webhook/examples/load.rs`).
//!
//! Builds in release and runs the example; options (`--deliveries N`, `--clients N`)
//! are passed through. The Redis row needs `redis-server` installed.

use crate::{Result, cargo_command, run as run_command};

pub(crate) fn run(args: &[String]) -> Result {
    run_command(
        cargo_command()
            .args(["run", "--release", "-p", "pingpp-webhook"])
            .args(["--features", "server redis", "--example", "load", "--"])
            .args(args),
    )
}
