//! Project automation, run as `cargo xtask <command>`.
//!
//! * `ci` — everything CI checks: `lint` then `test`.
//! * `lint` — rustfmt check, clippy with warnings denied on all targets and
//!   features, and the docs built with warnings denied.
//! * `test` — the test suite (`cargo test --workspace --all-features`, doctests
//!   included): the README's test command.
//! * `audit` — no `rsa` private-key API in the sources and no `rsa` in any crate's
//!   default tree (the two facts behind deny.toml's one advisory ignore),
//!   `pingpp-webhook`'s default tree within 30 crates, then cargo-deny (advisories,
//!   bans, licenses, sources), offline against the RustSec snapshot in `../shared`
//!   when it is there.
//! * `bench` — the criterion benchmarks beside `openssl speed rsa2048`, with ratios.
//! * `load [--deliveries N] [--clients N]` — webhook deliveries per second over
//!   loopback with `MemoryDedup` and `RedisDedup`, beside the crypto bound.
//! * `fuzz [--seconds N] [--runs N] [--seed N] [--target NAME]...` — every cargo-fuzz
//!   target (or the named ones) for N seconds or N executions
//!   (a fixed libFuzzer seed makes CI's short pass repeatable).
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod bench;
mod load;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => lint().and_then(|()| test()),
        Some("lint") => lint(),
        Some("test") => test(),
        Some("audit") => audit(),
        Some("bench") => bench::run(&args[1..]),
        Some("fuzz") => fuzz(&args[1..]),
        Some("load") => load::run(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <ci | lint | test | audit | bench [--quick] | load [--deliveries N] [--clients N] | fuzz [--seconds N] [--runs N] [--seed N] [--target NAME]...>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate's directory).
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// `cargo`, run from the workspace root.
pub(crate) fn cargo_command() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    cmd.current_dir(root());
    cmd
}

/// Runs a command, echoing it first; fails if it does not exit 0.
pub(crate) fn run(cmd: &mut Command) -> Result {
    eprintln!("$ {cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{:?} failed with {status}", cmd.get_program()))
    }
}

fn lint() -> Result {
    run(cargo_command().args(["fmt", "--all", "--check"]))?;
    run(cargo_command().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cargo_command()
        .args(["doc", "--workspace", "--no-deps", "--all-features"])
        .env("RUSTDOCFLAGS", "-D warnings"))
}

fn test() -> Result {
    run(cargo_command().args(["test", "--workspace", "--all-features"]))
}

fn audit() -> Result {
    let have_deny = Command::new("cargo")
        .args(["deny", "--version"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !have_deny {
        return Err("cargo-deny is not installed: `cargo install --locked cargo-deny`".to_owned());
    }
    rsa_private_ops_absent()?;
    default_trees_are_lean()?;
    let checks = ["advisories", "bans", "licenses", "sources"];
    let snapshot = root().join("../shared/tools/advisory-db");
    if !snapshot.exists() {
        // Online: cargo-deny fetches the live RustSec database.
        return run(cargo_command().args(["deny", "check"]).args(checks));
    }
    // Offline: cargo-deny's `--offline` also keeps `cargo metadata` offline, which
    // then needs every package's source, other platforms' included: fetch them
    // first (crates.io is reachable; only the advisory database is not).
    run(cargo_command().args(["fetch", "--locked"]))?;
    // Unpack the RustSec snapshot and point a copy of deny.toml at it.
    let db_dir = root().join("target/advisory-dbs");
    run(Command::new("bash").arg(&snapshot).arg(&db_dir))?;
    let config = std::fs::read_to_string(root().join("deny.toml"))
        .map_err(|e| format!("cannot read deny.toml: {e}"))?;
    let marker = "[advisories]\n";
    if !config.contains(marker) {
        return Err("deny.toml has no [advisories] table".to_owned());
    }
    let offline = config.replacen(
        marker,
        &format!("{marker}db-path = {:?}\n", db_dir.display().to_string()),
        1,
    );
    let offline_path = root().join("target/deny-offline.toml");
    std::fs::write(&offline_path, offline)
        .map_err(|e| format!("cannot write {}: {e}", offline_path.display()))?;
    run(cargo_command()
        .args(["deny", "--offline", "--config"])
        .arg(&offline_path)
        .arg("check")
        .args(checks))
}

/// The `rsa` advisory (RUSTSEC-2023-0071) is ignored in deny.toml because `rsa` only
/// verifies, behind pingpp-sign's optional `rust-crypto` feature. This keeps the first
/// half of that reason true: it fails if any workspace source names an `rsa` signing
/// or decryption API.
fn rsa_private_ops_absent() -> Result {
    const FORBIDDEN: &[&str] = &[
        "Pkcs1v15Sign",
        "pkcs1v15::SigningKey",
        "pss::SigningKey",
        "BlindedSigningKey",
        "Pkcs1v15Encrypt",
        "rsa::Oaep",
        "sign_with_rng",
        ".decrypt(",
        "decrypt_blinded",
    ];
    let mut found = Vec::new();
    let mut stack = vec![root()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if path.is_dir() {
                if !matches!(name.as_ref(), "target" | ".git" | "xtask") {
                    stack.push(path);
                }
            } else if name.ends_with(".rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for pattern in FORBIDDEN {
                    if text.contains(pattern) {
                        found.push(format!("{}: {pattern}", path.display()));
                    }
                }
            }
        }
    }
    if found.is_empty() {
        eprintln!(
            "no rsa private-key operation in the workspace: the RUSTSEC-2023-0071 ignore holds"
        );
        Ok(())
    } else {
        Err(format!(
            "rsa private-key operations found (the deny.toml ignore of RUSTSEC-2023-0071 would be false):\n{}",
            found.join("\n")
        ))
    }
}

/// Crates whose default dependency tree is checked.
const PUBLISHED: &[&str] = &[
    "pingpp-types",
    "pingpp-sign",
    "pingpp-transport",
    "pingpp-recharge",
    "pingpp-withdrawal",
    "pingpp-webhook",
    "pingpp",
    "pingpp-mock",
    "pingpp-cli",
];

/// Most crates `pingpp-webhook` may pull with default features (issue 9).
const WEBHOOK_TREE_LIMIT: usize = 30;

/// The second half of the deny.toml reason for ignoring RUSTSEC-2023-0071: `rsa` is
/// in no crate's default tree. Also keeps `pingpp-webhook`'s default tree small.
fn default_trees_are_lean() -> Result {
    let mut found = Vec::new();
    for package in PUBLISHED {
        let out = cargo_command()
            .args(["tree", "-p", package, "-e", "normal", "-i", "rsa"])
            .output()
            .map_err(|e| format!("cannot run cargo tree: {e}"))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if stdout.contains("rsa v") {
            found.push(format!("{package}:\n{stdout}"));
        } else if !out.status.success() && !stderr.contains("did not match any packages") {
            return Err(format!("cargo tree -p {package} -i rsa failed:\n{stderr}"));
        }
    }
    if !found.is_empty() {
        return Err(format!(
            "rsa is in a default dependency tree (the deny.toml ignore of RUSTSEC-2023-0071 would be false):\n{}",
            found.join("\n")
        ));
    }
    let out = cargo_command()
        .args([
            "tree",
            "-p",
            "pingpp-webhook",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo tree -p pingpp-webhook failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let crates = webhook_tree_crates(&String::from_utf8_lossy(&out.stdout));
    eprintln!(
        "rsa is in no crate's default tree; pingpp-webhook's default tree has {} crates (limit {WEBHOOK_TREE_LIMIT})",
        crates.len()
    );
    if crates.len() > WEBHOOK_TREE_LIMIT {
        return Err(format!(
            "pingpp-webhook's default tree has {} crates, more than {WEBHOOK_TREE_LIMIT}:\n{}",
            crates.len(),
            crates.join("\n")
        ));
    }
    Ok(())
}

/// The distinct crates of `cargo tree --prefix none` output.
fn webhook_tree_crates(tree: &str) -> Vec<String> {
    let mut crates: Vec<String> = tree
        .lines()
        .map(|l| l.trim_end_matches(" (*)").trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    crates.sort();
    crates.dedup();
    crates
}

fn fuzz(args: &[String]) -> Result {
    const USAGE: &str =
        "usage: cargo xtask fuzz [--seconds N] [--runs N] [--seed N] [--target NAME]...";
    let mut seconds = None;
    let mut runs = None;
    let mut seed = None;
    let mut only: Vec<String> = Vec::new();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().ok_or_else(|| format!("{flag} takes a value"))?;
        if flag == "--target" {
            only.push(value.clone());
            continue;
        }
        let number = value
            .parse::<u64>()
            .map_err(|_| format!("{flag} takes a whole number, not {value:?}"))?;
        match flag.as_str() {
            "--seconds" => seconds = Some(number),
            "--runs" => runs = Some(number),
            "--seed" => seed = Some(number),
            _ => return Err(USAGE.to_owned()),
        }
    }
    // Without a bound, a short time-boxed pass (what CI runs).
    if seconds.is_none() && runs.is_none() {
        seconds = Some(30);
    }
    let fuzz_dir = root().join("fuzz");
    if !fuzz_dir.join("Cargo.toml").exists() {
        return Err("no fuzz/ directory in this checkout".to_owned());
    }
    let list = cargo_command()
        .current_dir(&fuzz_dir)
        .args(["fuzz", "list"])
        .env("RUSTC_BOOTSTRAP", "1")
        .output()
        .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
    if !list.status.success() {
        return Err("`cargo fuzz list` failed: is cargo-fuzz installed?".to_owned());
    }
    let listed = String::from_utf8_lossy(&list.stdout).to_string();
    let targets: Vec<&str> = listed
        .lines()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    if let Some(unknown) = only.iter().find(|t| !targets.contains(&t.as_str())) {
        return Err(format!(
            "no fuzz target {unknown:?}; the targets are: {}",
            targets.join(", ")
        ));
    }
    for target in targets
        .into_iter()
        .filter(|t| only.is_empty() || only.iter().any(|o| o == t))
    {
        // The working corpus (kept between runs, not committed) first, then the
        // committed seeds (crafted flows and past findings), read but never written.
        let corpus = fuzz_dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus)
            .map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
        let mut cmd = cargo_command();
        cmd.current_dir(&fuzz_dir)
            .args(["fuzz", "run", target])
            .arg(&corpus);
        let seeds = fuzz_dir.join("seeds").join(target);
        if seeds.is_dir() {
            cmd.arg(&seeds);
        }
        cmd.arg("--")
            .arg("-print_final_stats=1")
            .env("RUSTC_BOOTSTRAP", "1");
        if let Some(seconds) = seconds {
            cmd.arg(format!("-max_total_time={seconds}"));
        }
        if let Some(runs) = runs {
            cmd.arg(format!("-runs={runs}"));
        }
        if let Some(seed) = seed {
            cmd.arg(format!("-seed={seed}"));
        }
        run(&mut cmd)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_distinct_crates_of_a_tree() {
        let tree = "pingpp-webhook v0.1.0 (/w/pingpp-webhook)\nserde v1.0.1\nzeroize v1.8.0\nserde v1.0.1 (*)\n\nzeroize v1.8.0 (*)\n";
        assert_eq!(
            webhook_tree_crates(tree),
            [
                "pingpp-webhook v0.1.0 (/w/pingpp-webhook)",
                "serde v1.0.1",
                "zeroize v1.8.0"
            ]
        );
    }
}
