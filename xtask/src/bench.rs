//! `cargo xtask bench`: the criterion benchmarks beside `openssl speed rsa2048`.
//!
//! OpenSSL is measured in the same run on the same machine, so the ratios compare
//! like with like. Criterion's median estimate is read back from
//! `target/criterion/<group>/<name>/new/estimates.json`: on a machine shared with
//! other builds the mean follows every preemption, the median does not.

use std::process::Command;

use crate::{Result, root};

/// What each benchmark is compared with.
#[derive(Clone, Copy)]
enum Baseline {
    OpensslSign,
    OpensslVerify,
    None,
}

/// One row of the table.
struct Bench {
    package: &'static str,
    bench: &'static str,
    /// `None`: default features. `Some(f)`: `--no-default-features --features f`,
    /// to measure another crypto backend.
    features: Option<&'static str>,
    /// Criterion id; the bench names its group after a non-default backend.
    id: &'static str,
    baseline: Baseline,
    /// Allowed ratio to the baseline (issue 9); infinite: shown, no target.
    limit: f64,
}

const BENCHES: &[Bench] = &[
    Bench {
        package: "pingpp-sign",
        bench: "sign",
        features: None,
        id: "sign/request_1k",
        baseline: Baseline::OpensslSign,
        limit: 1.1,
    },
    Bench {
        package: "pingpp-sign",
        bench: "sign",
        features: Some("ring"),
        id: "sign_ring/request_1k",
        baseline: Baseline::OpensslSign,
        limit: f64::INFINITY,
    },
    Bench {
        package: "pingpp-webhook",
        bench: "verify",
        features: None,
        id: "webhook/verify_1k",
        baseline: Baseline::OpensslVerify,
        limit: 1.1,
    },
    Bench {
        package: "pingpp-webhook",
        bench: "verify",
        features: Some("ring"),
        id: "webhook_ring/verify_1k",
        baseline: Baseline::OpensslVerify,
        limit: f64::INFINITY,
    },
    Bench {
        package: "pingpp-webhook",
        bench: "verify",
        features: Some("rust-crypto"),
        id: "webhook_rust-crypto/verify_1k",
        baseline: Baseline::OpensslVerify,
        limit: f64::INFINITY,
    },
    Bench {
        package: "pingpp-webhook",
        bench: "verify",
        features: None,
        id: "webhook/verify_parse_1k",
        baseline: Baseline::OpensslVerify,
        limit: 1.3,
    },
    Bench {
        package: "pingpp-types",
        bench: "parse",
        features: None,
        id: "types/parse_event_1k",
        baseline: Baseline::None,
        limit: 0.0,
    },
    Bench {
        package: "pingpp",
        bench: "loopback",
        features: None,
        id: "client/withdrawal_create_loopback",
        baseline: Baseline::OpensslSign,
        limit: 1.3,
    },
];

pub(crate) fn run(args: &[String]) -> Result {
    let quick = args.iter().any(|a| a == "--quick");
    let (warm_up, measure, openssl_seconds) = if quick {
        ("1", "2", "1")
    } else {
        ("2", "5", "3")
    };

    // One cargo bench per (package, bench, features); a run for another backend
    // measures only the ids listed for it.
    let mut runs: Vec<(&str, &str, Option<&str>)> = Vec::new();
    for b in BENCHES {
        if !runs.contains(&(b.package, b.bench, b.features)) {
            runs.push((b.package, b.bench, b.features));
        }
    }
    for (package, bench, features) in &runs {
        let manifest = root()
            .join(package)
            .join("benches")
            .join(format!("{bench}.rs"));
        if !manifest.exists() {
            eprintln!("(skipping {package}/{bench}: no benches/{bench}.rs in this checkout)");
            continue;
        }
        let mut cmd = crate::cargo_command();
        cmd.args(["bench", "-p", package, "--bench", bench]);
        if let Some(features) = features {
            cmd.args(["--no-default-features", "--features", features]);
        }
        cmd.arg("--");
        if features.is_some() {
            let names: Vec<&str> = BENCHES
                .iter()
                .filter(|b| b.package == *package && b.bench == *bench && b.features == *features)
                .filter_map(|b| b.id.split('/').nth(1))
                .collect();
            cmd.arg(format!("/({})$", names.join("|")));
        }
        cmd.args(["--warm-up-time", warm_up, "--measurement-time", measure]);
        crate::run(&mut cmd)?;
    }

    // Memory: peak heap of verify + parse for a 1 KB and a 64 KB event.
    let memory = crate::cargo_command()
        .args([
            "test",
            "--release",
            "-p",
            "pingpp-webhook",
            "--test",
            "memory",
            "--",
            "--nocapture",
        ])
        .output()
        .map_err(|e| format!("cannot run the memory test: {e}"))?;
    let memory_line = String::from_utf8_lossy(&memory.stdout)
        .lines()
        .find(|l| l.contains("peak heap"))
        .map(str::to_owned);
    if !memory.status.success() {
        return Err(format!(
            "the memory test failed:\n{}",
            String::from_utf8_lossy(&memory.stderr)
        ));
    }

    let (openssl_sign, openssl_verify) = openssl_speed(openssl_seconds, None)?;
    println!();
    println!(
        "OpenSSL rsa2048 on this machine: sign {}, verify {}",
        fmt_ns(openssl_sign),
        fmt_ns(openssl_verify)
    );
    // ring has no AVX-512 IFMA RSA code; OpenSSL has. Show OpenSSL without it too, so
    // the ring rows on IFMA machines can be read.
    if let Ok((sign, verify)) = openssl_speed(openssl_seconds, Some(":~0x200000"))
        && (sign - openssl_sign).abs() / openssl_sign > 0.2
    {
        println!(
            "OpenSSL rsa2048 without AVX-512 IFMA (OPENSSL_ia32cap=:~0x200000): sign {}, verify {} (ring has no IFMA code path)",
            fmt_ns(sign),
            fmt_ns(verify)
        );
    }
    println!();
    println!("| benchmark | backend | median | baseline | ratio | target | met |");
    println!("|---|---|---|---|---|---|---|");
    let mut missed = Vec::new();
    for Bench {
        id,
        baseline,
        limit,
        features,
        package,
        ..
    } in BENCHES
    {
        let backend = match (features, *package) {
            (Some(f), _) => f,
            (None, "pingpp-types") => "",
            (None, _) => "aws-lc-rs",
        };
        let Some(mean) = criterion_median(id) else {
            println!("| {id} | {backend} | not run | | | | |");
            continue;
        };
        let base = match baseline {
            Baseline::OpensslSign => Some(("openssl sign", openssl_sign)),
            Baseline::OpensslVerify => Some(("openssl verify", openssl_verify)),
            Baseline::None => None,
        };
        match base {
            Some((name, base_ns)) => {
                let ratio = mean / base_ns;
                let met = ratio <= *limit;
                if !met {
                    missed.push(*id);
                }
                let (target, met) = if limit.is_finite() {
                    (format!("≤ {limit}×"), if met { "yes" } else { "NO" })
                } else {
                    ("none".to_owned(), "")
                };
                println!(
                    "| {id} | {backend} | {} | {name} {} | {ratio:.2}× | {target} | {met} |",
                    fmt_ns(mean),
                    fmt_ns(base_ns),
                );
            }
            None => println!("| {id} | {backend} | {} | | | | |", fmt_ns(mean)),
        }
    }
    if let Some(line) = memory_line {
        println!();
        println!("{line}");
    }
    if missed.is_empty() {
        Ok(())
    } else {
        Err(format!("targets missed: {}", missed.join(", ")))
    }
}

/// Runs `openssl speed -seconds N rsa2048` (optionally with `OPENSSL_ia32cap`) and
/// returns (sign, verify) in ns.
fn openssl_speed(seconds: &str, ia32cap: Option<&str>) -> Result<(f64, f64)> {
    let mut cmd = Command::new("openssl");
    cmd.args(["speed", "-seconds", seconds, "rsa2048"]);
    if let Some(cap) = ia32cap {
        cmd.env("OPENSSL_ia32cap", cap);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run openssl speed: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    parse_openssl_speed(&text).ok_or_else(|| format!("cannot read openssl speed output:\n{text}"))
}

fn parse_openssl_speed(text: &str) -> Option<(f64, f64)> {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("rsa 2048 bits"))?;
    let mut times = line
        .split_whitespace()
        .filter_map(|field| field.strip_suffix('s')?.parse::<f64>().ok());
    let sign = times.next()?;
    let verify = times.next()?;
    Some((sign * 1e9, verify * 1e9))
}

fn criterion_median(id: &str) -> Option<f64> {
    let path = root()
        .join("target/criterion")
        .join(id)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    point_estimate(&text, "median")
}

/// `{"mean":{"confidence_interval":{...},"point_estimate":123.4,...},"median":{...},...}`
fn point_estimate(estimates: &str, statistic: &str) -> Option<f64> {
    let section = &estimates[estimates.find(&format!("\"{statistic}\""))?..];
    let estimate = &section[section.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = estimate.find([',', '}'])?;
    estimate[..end].trim().parse().ok()
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.3} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_openssl_3_speed_output() {
        let text = "Doing 2048 bits private rsa's for 3s\n                  sign    verify    sign/s verify/s\nrsa 2048 bits 0.000671s 0.000020s   1490.1  49917.0\n";
        let (sign, verify) = parse_openssl_speed(text).expect("parsed");
        assert!((sign - 671_000.0).abs() < 1.0);
        assert!((verify - 20_000.0).abs() < 1.0);
        assert!(parse_openssl_speed("garbage").is_none());
    }

    #[test]
    fn reads_the_median_of_criterion_estimates() {
        let json = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":3.0},"point_estimate":2.5,"standard_error":0.1},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1.5,"standard_error":0.1}}"#;
        assert_eq!(point_estimate(json, "median"), Some(1.5));
        assert_eq!(point_estimate(json, "mean"), Some(2.5));
        assert_eq!(point_estimate(json, "slope"), None);
    }
}
