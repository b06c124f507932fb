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

/// `pingpp mock` as a child process; stopped (SIGTERM, then SIGKILL after 5 s) when
/// dropped.
pub struct MockProcess {
    child: std::process::Child,
    /// Where it listens.
    pub base_url: String,
    /// Where the generated webhook public key was written, when it was.
    pub key_path: Option<std::path::PathBuf>,
    /// Its stderr lines, when started with [`MockProcess::start_logged`].
    log: Option<std::sync::mpsc::Receiver<String>>,
}

impl MockProcess {
    /// `pingpp mock --addr 127.0.0.1:0 --time-scale 1000 EXTRA`, stderr discarded.
    pub fn start(extra: &[&str]) -> Self {
        Self::spawn(extra, false)
    }

    /// Like [`MockProcess::start`], keeping stderr for [`MockProcess::stop_with_log`].
    pub fn start_logged(extra: &[&str]) -> Self {
        Self::spawn(extra, true)
    }

    fn spawn(extra: &[&str], keep_stderr: bool) -> Self {
        use std::io::{BufRead as _, BufReader};
        use std::process::Stdio;
        let mut child = pingpp()
            .args(["mock", "--addr", "127.0.0.1:0", "--time-scale", "1000"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(if keep_stderr {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .spawn()
            .expect("spawn mock");
        let log = child.stderr.take().map(|stderr| {
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
            rx
        });
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().expect("a first line").expect("utf-8");
        let base_url = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line: {first}"))
            .to_owned();
        // Then the key file (when one is generated) or the usage hint.
        let second = lines.next().expect("a second line").expect("utf-8");
        let key_path = second
            .strip_prefix("webhook public key written to ")
            .map(std::path::PathBuf::from);
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.by_ref() {});
        Self {
            child,
            base_url,
            key_path,
            log,
        }
    }

    /// `pingpp --json mock`: its one line on stdout says where it listens and where
    /// the key is.
    pub fn start_json() -> Self {
        use std::io::{BufRead as _, BufReader};
        use std::process::Stdio;
        let mut child = pingpp()
            .args([
                "--json",
                "mock",
                "--addr",
                "127.0.0.1:0",
                "--time-scale",
                "1000",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn mock");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let line = lines.next().expect("a line").expect("utf-8");
        let v: serde_json::Value = serde_json::from_str(&line).expect("one JSON line");
        Self {
            child,
            base_url: v["base_url"].as_str().expect("base_url").to_owned(),
            key_path: v["webhook_public_key_file"]
                .as_str()
                .map(std::path::PathBuf::from),
            log: None,
        }
    }

    /// `pingpp ARGS` against this emulator (test credentials, no signing key): must
    /// succeed; its JSON output.
    pub fn pingpp(&self, args: &[&str]) -> serde_json::Value {
        let o = self.command().args(args).output().expect("run");
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice(&o.stdout).expect("JSON output")
    }

    /// `pingpp` with this emulator's base URL and the test credentials.
    pub fn command(&self) -> Command {
        let mut c = pingpp();
        c.env("PINGPP_API_KEY", API_KEY)
            .env("PINGPP_APP_ID", APP_ID)
            .env("PINGPP_API_BASE", &self.base_url);
        c
    }

    /// SIGTERM (by this child's own pid), then the exit status.
    #[cfg(unix)]
    pub fn terminate(self) -> std::process::ExitStatus {
        self.signal("TERM")
    }

    /// Sends `signal` (by this child's own pid), then the exit status.
    #[cfg(unix)]
    pub fn signal(mut self, signal: &str) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let ok = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .expect("kill");
        assert!(ok.success());
        self.child.wait().expect("wait")
    }

    /// SIGTERM, then every line it wrote to stderr (started with
    /// [`MockProcess::start_logged`]).
    #[cfg(unix)]
    pub fn stop_with_log(mut self) -> Vec<String> {
        let log = self.log.take().expect("started with start_logged");
        assert!(self.terminate().success(), "clean exit on SIGTERM");
        // The reader thread ends at EOF, which closes the channel.
        log.iter().collect()
    }
}

impl Drop for MockProcess {
    /// SIGTERM first, so the emulator removes its temporary key folder; SIGKILL if it
    /// has not stopped within 5 s.
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
            for _ in 0..500 {
                if !matches!(self.child.try_wait(), Ok(None)) {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
