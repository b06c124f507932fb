//! Helpers shared by the binary tests.
#![allow(dead_code)]

use std::process::{Command, Output};
use std::sync::OnceLock;

/// The built `pingpp` binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_pingpp");

/// Runs `pingpp` with `args` and no credentials from the environment.
pub fn run(args: &[&str]) -> Output {
    pingpp().args(args).output().expect("run pingpp")
}

/// A `pingpp` command with the credential variables removed.
pub fn pingpp() -> Command {
    let mut c = Command::new(BIN);
    for var in [
        "PINGPP_API_KEY",
        "PINGPP_APP_ID",
        "PINGPP_PRIVATE_KEY",
        "PINGPP_PRIVATE_KEY_PATH",
        "PINGPP_API_BASE",
    ] {
        c.env_remove(var);
    }
    c
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// One key pair for the whole test binary (generation is slow).
pub fn keypair() -> &'static pingpp_sign::KeyPair {
    static PAIR: OnceLock<pingpp_sign::KeyPair> = OnceLock::new();
    PAIR.get_or_init(|| pingpp_sign::generate_keypair().expect("keypair"))
}
