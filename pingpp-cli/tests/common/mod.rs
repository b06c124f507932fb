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

/// The API key and app id the resource tests use.
pub const API_KEY: &str = "sk_test_cli0000000000";
pub const APP_ID: &str = "app_cli0000000000000";

/// The emulator in this test process (so a test can read its books), on its own
/// runtime, and the `pingpp` binary pointed at it through the environment.
pub struct Emulator {
    /// The running emulator; stopped when dropped.
    pub mock: pingpp_mock::RunningMock,
    /// Serves the emulator; declared last so it is dropped last.
    _runtime: tokio::runtime::Runtime,
}

impl Emulator {
    /// An emulator with a fast clock and the test key pair as its webhook key;
    /// `configure` adds the rest.
    pub fn start(
        configure: impl FnOnce(pingpp_mock::MockServerBuilder) -> pingpp_mock::MockServerBuilder,
    ) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let builder = pingpp_mock::MockServer::builder()
            .addr("127.0.0.1:0".parse().expect("addr"))
            .time_scale(1000.0)
            .signing_key(keypair().private_key().expect("key"));
        let mock = runtime
            .block_on(configure(builder).start())
            .expect("emulator starts");
        Emulator {
            mock,
            _runtime: runtime,
        }
    }

    /// `pingpp` with the credentials of this emulator in the environment.
    pub fn command(&self) -> Command {
        let mut c = pingpp();
        c.env("PINGPP_API_KEY", API_KEY)
            .env("PINGPP_APP_ID", APP_ID)
            .env("PINGPP_API_BASE", self.mock.base_url());
        c
    }

    /// Runs `pingpp ARGS` against this emulator.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("run pingpp")
    }

    /// Runs `pingpp --json ARGS` against this emulator.
    pub fn run_json(&self, args: &[&str]) -> Output {
        self.command()
            .arg("--json")
            .args(args)
            .output()
            .expect("run pingpp")
    }

    /// Runs `pingpp --json ARGS`, expects success, and parses stdout.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let o = self.run_json(args);
        assert!(o.status.success(), "{args:?}: {o:?}");
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {o:?}"))
    }

    /// Runs `pingpp --json ARGS`, expects exit status `code`, and parses the error
    /// object on stdout.
    pub fn json_error(&self, code: i32, args: &[&str]) -> serde_json::Value {
        let o = self.run_json(args);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {o:?}");
        json_error_of(&o)
    }
}

/// The `{"error": {...}}` object a `--json` run printed on stdout (its last line).
pub fn json_error_of(o: &Output) -> serde_json::Value {
    let out = stdout(o);
    let last = out.lines().last().unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {out}"));
    let error = v.get("error").cloned().unwrap_or_else(|| panic!("{out}"));
    for field in ["type", "message", "code", "status", "outcome"] {
        assert!(error.get(field).is_some(), "{field} in {error}");
    }
    error
}

/// An address on 127.0.0.1 where nothing listens.
pub fn closed_port() -> std::net::SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr")
}
