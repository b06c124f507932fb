//! `pingpp mock`: the emulator as a process.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Args;
use pingpp_sign::{PrivateKey, PublicKey};

use crate::args::{ApiKeyParser, Secret, secret};
use crate::exit::{CliError, Kind};
use crate::files;
use crate::output::Format;
use crate::{BoxError, read_pem};

/// How to steer the emulator, for `pingpp mock --help`: the values of
/// `metadata.mock_outcome` that `pingpp-mock` accepts (its crate docs and
/// `state.rs`), and what the fault flags look like to a client.
const MOCK_HELP: &str = "\
Choosing outcomes: metadata.mock_outcome (e.g. --metadata '{\"mock_outcome\":\"failed\"}')
  withdrawal create, then confirm: after the processing delay (2 s / --time-scale)
    absent or \"succeeded\"   succeeded; webhook balance.withdrawal.succeeded
    \"failed\"                failed, failure_msg set, the amount back to the user;
                            webhook balance.withdrawal.failed
    \"funds_insufficient\"    back to created, failure_msg set, no webhook (it may
                            then be canceled)
  recharge refund
    absent or \"succeeded\"   pending, then succeeded; webhook refund.succeeded
    \"failed\"                failed at once: failure_msg set, no money moved, no webhook
  Any other value is refused with HTTP 400 (param metadata[mock_outcome]).

Faults, as a client sees them:
  --fault-502-rate   HTTP 502 without processing; the SDK retries GETs, but a POST or
                     PUT cannot know it was not processed: exit status 3 (outcome
                     unknown)
  --fault-cut-rate   the request is processed, then the connection is cut: exit
                     status 3 (outcome unknown) although it took effect; look it up
                     with withdrawal find / recharge find
  --fault-delay-rate the answer comes --fault-delay-ms later

Request log: one line per request on stderr (--quiet: none), e.g.
  2026-01-01T10:00:00.000000Z POST /v1/apps/app_1/withdrawals 200 1.215ms fault=none mock_outcome=failed
  with --log-format json: {\"time\", \"method\", \"path\", \"status\", \"latency_ms\",
  \"fault\" (none, 502, cut, delay), \"mock_outcome\" (or null)}. The path is shown without
  its query; keys, signatures and bodies never. With fault=cut, status is the answer the
  client never got. In the human format the emulator's notes (start, stop, webhook
  delivery attempts) come too; RUST_LOG replaces that choice (e.g. RUST_LOG=warn).

Connections: at most --max-connections open (the one idle longest is closed to make
room); a request's head must arrive within --read-timeout-ms of its first byte (else the
connection is closed) and its body within the same time after (else 408); a body over
1 MiB gets 413, at once when Content-Length says so.

With --json, stdout carries one line: {\"base_url\", \"webhook_public_key_file\"}.";

/// `pingpp mock`. Its `Debug` shows no key: they are [`Secret`]s.
#[derive(Debug, Args)]
#[command(after_help = MOCK_HELP)]
pub(crate) struct MockArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free port).
    #[arg(long)]
    addr: SocketAddr,
    /// Require request signatures, checked with this merchant public key (PEM file or text).
    #[arg(long, allow_hyphen_values = true)]
    merchant_public_key: Option<String>,
    /// Sign webhooks with this private key (PEM file or text); generated when absent.
    #[arg(long, allow_hyphen_values = true, value_parser = secret)]
    signing_key: Option<Secret>,
    /// POST every event to this http:// URL.
    #[arg(long)]
    webhook_url: Option<String>,
    /// Divide every delay (processing, webhook retries) by this factor.
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// Accept only these secret keys, sk_test_... or sk_live_... (repeatable); without
    /// any, every sk_test_/sk_live_ key.
    #[arg(long = "api-key", value_name = "KEY", value_parser = ApiKeyParser)]
    api_keys: Vec<Secret>,
    /// Where to write the generated webhook public key (default: a private temporary
    /// folder, removed on exit). Never replaces a file without --force.
    #[arg(long, conflicts_with = "signing_key")]
    public_key_out: Option<std::path::PathBuf>,
    /// Replace an existing --public-key-out file.
    #[arg(long, requires = "public_key_out")]
    force: bool,
    /// Fault injection: share of requests answered 502 without processing (0-1).
    #[arg(long, default_value_t = 0.0)]
    fault_502_rate: f64,
    /// Fault injection: share of requests processed, then cut without an answer (0-1).
    #[arg(long, default_value_t = 0.0)]
    fault_cut_rate: f64,
    /// Fault injection: share of requests delayed by --fault-delay-ms (0-1).
    #[arg(long, default_value_t = 0.0)]
    fault_delay_rate: f64,
    /// Fault injection: how long a delayed request waits, in milliseconds.
    #[arg(long, default_value_t = 3000)]
    fault_delay_ms: u64,
    /// Fault injection: seed of the random draws (same seed, same faults).
    #[arg(long, default_value_t = 0)]
    fault_seed: u64,
    /// Refuse a signed request whose Pingplusplus-Request-Timestamp is further than
    /// this from the clock (401 stale timestamp). Off by default: Ping++ documents no
    /// such window.
    #[arg(long, value_name = "SECONDS")]
    timestamp_window: Option<u64>,
    /// Time a request's head has to arrive, and then its body (408 after that).
    #[arg(long, value_name = "MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    read_timeout_ms: u64,
    /// Most connections open at once; when full, the one idle longest is closed.
    #[arg(long, value_name = "N", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    max_connections: u64,
    /// Request log format on stderr: human lines (with the emulator's notes), or
    /// JSON objects only (warnings and errors aside).
    #[arg(long, value_enum, default_value_t = LogFormat::Human)]
    log_format: LogFormat,
    /// No request log, and only warnings and errors (RUST_LOG still applies).
    #[arg(long, short)]
    quiet: bool,
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    /// One line per request for people.
    Human,
    /// One JSON object per line.
    Json,
}

impl MockArgs {
    /// The `tracing` filter when RUST_LOG is not set: the emulator's diagnostics
    /// (webhook delivery attempts included), but not its per-request events, which the
    /// request log shows; warnings only with --quiet.
    /// With `--log-format json` too, stderr then carries JSON lines only (warnings
    /// and errors aside). The body reader's warnings repeat what the request log shows.
    pub(crate) fn default_log_filter(&self) -> &'static str {
        if self.quiet || self.log_format == LogFormat::Json {
            "warn,pingpp_webhook::server::body=error"
        } else {
            "info,pingpp_mock=debug,pingpp_mock::request=off,pingpp_webhook::server::body=error"
        }
    }
}

/// Writes one request-log line to stderr, whole (the lock keeps concurrent requests'
/// lines apart); a closed stderr is ignored, the emulator keeps serving.
fn log_request(format: LogFormat, record: &pingpp_mock::RequestRecord) {
    use std::io::Write as _;
    use tracing_subscriber::fmt::format::Writer;
    use tracing_subscriber::fmt::time::{FormatTime as _, SystemTime};
    let mut time = String::new();
    let _ = SystemTime.format_time(&mut Writer::new(&mut time));
    let line = match format {
        LogFormat::Human => format!("{time} {record}\n"),
        LogFormat::Json => {
            let mut object = serde_json::Map::new();
            object.insert("time".into(), time.into());
            if let serde_json::Value::Object(fields) = record.to_json() {
                object.extend(fields);
            }
            format!("{}\n", serde_json::Value::Object(object))
        }
    };
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// Ctrl-C and SIGTERM, listened for from the very start: a signal during start-up then
/// ends the emulator the ordinary way, and the temporary key folder is removed.
struct Shutdown {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Shutdown {
    fn listen() -> Result<Self, BoxError> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Shutdown {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Shutdown {})
    }

    async fn wait(mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
        #[cfg(not(unix))]
        {
            let _ = &mut self;
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// A line for people that may go unread: the emulator keeps serving (and cleans up on
/// exit) when its output is closed. On stdout, or on stderr with `--json` (stdout then
/// carries one JSON line: the address and the key file).
fn say(format: Format, args: std::fmt::Arguments<'_>) {
    match format {
        Format::Human => {
            let _ = crate::try_write_stdout(format_args!("{args}\n"));
        }
        Format::Json => eprintln!("{args}"),
    }
}

pub(crate) async fn run(args: MockArgs, format: Format) -> Result<ExitCode, BoxError> {
    let shutdown = Shutdown::listen()?;
    if let Some(path) = &args.public_key_out {
        // Refuse before starting anything.
        files::check_targets([path.as_path()], args.force)?;
    }
    let mut builder = pingpp_mock::MockServer::builder()
        .addr(args.addr)
        .time_scale(args.time_scale)
        .read_timeout(std::time::Duration::from_millis(args.read_timeout_ms))
        .max_connections(usize::try_from(args.max_connections).unwrap_or(usize::MAX));
    if let Some(window) = args.timestamp_window {
        builder = builder.timestamp_window(std::time::Duration::from_secs(window));
    }
    if !args.quiet {
        let log_format = args.log_format;
        builder = builder.request_log(move |record| log_request(log_format, record));
    }
    for key in &args.api_keys {
        builder = builder.api_key(key.expose());
    }
    if let Some(pem) = &args.merchant_public_key {
        let key = PublicKey::from_pem(&read_pem(pem)?)
            .map_err(|e| CliError::key("cannot load --merchant-public-key", e))?;
        builder = builder.merchant_public_key(key);
    }
    if args.fault_502_rate > 0.0 || args.fault_cut_rate > 0.0 || args.fault_delay_rate > 0.0 {
        builder = builder.faults(
            pingpp_mock::FaultConfig::new(args.fault_seed)
                .with_error_rate(args.fault_502_rate)
                .with_cut_rate(args.fault_cut_rate)
                .with_delay(
                    args.fault_delay_rate,
                    std::time::Duration::from_millis(args.fault_delay_ms),
                ),
        );
    }
    if let Some(url) = args.webhook_url {
        builder = builder.webhook_url(url);
    }
    let generated = match &args.signing_key {
        Some(pem) => {
            let key = PrivateKey::from_pem(&read_pem(pem.expose())?)
                .map_err(|e| CliError::key("cannot load --signing-key", e))?;
            builder = builder.signing_key(key);
            false
        }
        None => {
            let pair = pingpp_sign::generate_keypair()?;
            builder = builder.signing_key(pair.private_key()?);
            true
        }
    };
    let mock = builder.start().await?;
    say(format, format_args!("listening on {}", mock.base_url()));
    // Removed when dropped: on every way out of this function, signals included.
    let mut _key_dir: Option<tempfile::TempDir> = None;
    let mut key_path = None;
    if generated {
        let pem = mock.webhook_public_key().to_pem();
        let path = match args.public_key_out {
            Some(p) => {
                files::write_file(&p, pem.as_bytes(), false, args.force)?;
                p
            }
            None => {
                // A fresh folder only we can enter (0700), never one found lying around.
                let mut dir = tempfile::Builder::new();
                dir.prefix("pingpp-mock-");
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt as _;
                    // Created with this mode (tempfile's default follows the umask).
                    dir.permissions(std::fs::Permissions::from_mode(0o700));
                }
                let dir = dir.tempdir().map_err(|e| {
                    CliError::new(Kind::Io, "cannot create a temporary folder").with_source(e)
                })?;
                let p = dir.path().join("pingpp_rsa_public_key.pem");
                files::write_file(&p, pem.as_bytes(), false, false)?;
                _key_dir = Some(dir);
                p
            }
        };
        say(
            format,
            format_args!("webhook public key written to {}", path.display()),
        );
        key_path = Some(path);
    }
    if format.is_json() {
        let line = serde_json::json!({
            "base_url": mock.base_url(),
            "webhook_public_key_file": key_path,
        });
        let _ = crate::try_write_stdout(format_args!("{line}\n"));
    }
    say(
        format,
        format_args!(
            "try: PINGPP_API_BASE={} PINGPP_API_KEY=sk_test_anything PINGPP_APP_ID=app_anything pingpp withdrawal list",
            mock.base_url()
        ),
    );
    shutdown.wait().await;
    say(format, format_args!("shutting down"));
    mock.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
