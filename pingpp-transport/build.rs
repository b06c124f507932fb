//! Records the compiler's version for the `lang_version` of
//! `X-Pingpp-Client-User-Agent` (the official SDKs send their language's version there).

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=RUSTC");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        // "rustc 1.88.0 (6b00bc388 2025-06-23)" -> "1.88.0"
        .and_then(|s| s.split_whitespace().nth(1).map(str::to_owned))
        .filter(|v| v.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=PINGPP_RUSTC_VERSION={version}");
}
