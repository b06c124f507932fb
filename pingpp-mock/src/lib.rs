//! A local, stateful emulator of the Ping++ account-system API.
//!
//! `pingpp-mock` serves every endpoint of the account-system API (recharges, recharge
//! refunds, withdrawals, batch withdrawals, settle accounts, events) over plain HTTP on
//! a local address, with the same JSON shapes, error bodies and status codes as Ping++.
//! Unlike a record/replay stub it keeps state and moves money:
//!
//! * **Requests are read with the SDK's own types** (`pingpp-types`) and checked with
//!   their `Validate`: the emulator enforces exactly the documented rules the SDK
//!   checks before sending, no more and no fewer, and answers `400` with the parameter
//!   (`extra[account]`) when one is broken. A key repeated anywhere in a body
//!   (`{"amount":1,"amount":99999999999}`) is refused with `400` (`duplicate_key`).
//! * **Test and live mode keep separate books**: every store (users and balances,
//!   recharges, withdrawals, batches, settle accounts, events) is keyed by app and mode;
//!   an `sk_live_` key never sees or spends what an `sk_test_` key created.
//!
//! * **Recharges** succeed at once and credit the user with
//!   `charge.amount - user_fee + balance_bonus` (the *credited* amount). A user exists
//!   once they have been recharged.
//! * **Recharge refunds** refund the whole recharge: they debit the credited amount
//!   (refused with `402` when the balance is short), are `pending`, then `succeeded`
//!   after the processing delay (webhook `refund.succeeded`). With
//!   `metadata.mock_outcome = "failed"` a refund fails at once (`failure_msg` set, no
//!   money moved, no webhook).
//! * **Withdrawals** debit `amount` when created (refused with `402` when the balance is
//!   short) and give it back on cancel or failure. Only a `created` withdrawal can be
//!   confirmed or canceled. A confirmed withdrawal (`PUT {"status":"pending"}` or a
//!   batch) becomes, after the processing delay and depending on the withdrawal's
//!   `metadata.mock_outcome`:
//!   - absent: `succeeded` (webhook `balance.withdrawal.succeeded`);
//!   - `"failed"`: `failed`, `failure_msg` set, money back (webhook
//!     `balance.withdrawal.failed`);
//!   - `"funds_insufficient"`: back to `created` (no webhook; it may be canceled).
//! * **Withdrawal answers** look like Ping++'s: a created withdrawal has
//!   `asset_transaction` and `balance_transaction` `""`; after confirm its `source`
//!   names a transfer (`tr_...`); `balance_transaction` is filled when it succeeds. Its `extra` is answered as Ping++ does: unionpay `card_number` /
//!   `user_name`, alipay `user_name` (for `account` / `name`), WeChat `open_id`.
//! * **Settle accounts** (`/v1/apps/{app}/users/{user}/settle_accounts`: create,
//!   retrieve, list, delete) are stored per app, mode and user. A withdrawal naming
//!   `settle_account` must name one of that user's live settle accounts (`400`
//!   otherwise: unknown, deleted, or another user's); the account's channel and
//!   recipient become the withdrawal's `channel` and `extra`.
//! * **Order numbers** are unique per app and resource kind; `user_fee` is required on
//!   withdrawal create; `open_id` and `openid` are both accepted (responses use
//!   `open_id`).
//! * **Webhooks**: every state change becomes an event (`evt_...`), retrievable at
//!   `GET /v1/events/{id}`, POSTed to the configured URL with `X-Pingplusplus-Signature`
//!   (RSA-SHA256 over the raw body with the emulator's key), retried on Ping++'s
//!   schedule ([`WEBHOOK_RETRY_SCHEDULE`]) until a `2xx` answer.
//!
//! Per user the ledger always balances:
//! `recharged - refunded = balance + in_flight + paid_out` (see [`Ledger`]).
//!
//! Every delay (processing, webhook retries) is divided by the time-scale factor, so
//! tests can run the whole schedule in milliseconds.
//!
//! Authentication follows Ping++: `Authorization: Bearer sk_...` or HTTP Basic with the
//! key as user name; any `sk_test_`/`sk_live_` key unless [`MockServerBuilder::api_key`]
//! restricts them (`401` otherwise; `sk_live_` keys work in the live book and give
//! `livemode: true`). With [`MockServerBuilder::merchant_public_key`] every POST and PUT
//! must carry a valid `Pingplusplus-Signature` over body + request URI +
//! `Pingplusplus-Request-Timestamp`, as documented; a GET or DELETE may be unsigned, but
//! one that carries a signature must carry a valid one. The `401` message starts with
//! `no signature` or `bad signature`. No timestamp window is documented: none is
//! enforced unless [`MockServerBuilder::timestamp_window`] asks for one (then `stale
//! timestamp`).
//!
//! For tests, [`RunningMock`] exposes the books ([`RunningMock::ledger`],
//! [`RunningMock::balance`]), the events and every webhook delivery attempt
//! ([`RunningMock::deliveries`]), the number of requests received (to count client
//! retries) and [`RunningMock::wait_idle`] (until every timer and delivery is done).
//! [`FaultConfig`] injects `502`s, delays and cut connections, deterministically per seed.
//! [`MockServerBuilder::request_log`] is called once per request with a
//! [`RequestRecord`] (method, path, status, latency, fault, `mock_outcome`; never a key,
//! signature, query or body): `pingpp mock` prints them.
//!
//! **Connections.** The emulator runs on the webhook receiver's hardened accept loop
//! ([`pingpp_webhook::server::serve_http`]): at most
//! [`MockServerBuilder::max_connections`] connections, the one idle longest closed to
//! make room for a new one (also when the process runs out of file descriptors), so
//! idle or slow clients cannot keep a request out. A request's head must arrive within
//! [`MockServerBuilder::read_timeout`] of its first byte (else the connection is closed
//! without an answer), and its body within the same time once the head is in (else
//! `408`); a body over [`MockServerBuilder::body_limit`] is refused with `413`, at once
//! when its `Content-Length` says so. These answers, and a malformed chunked body
//! (`400`), carry the usual JSON error body and close the connection. A malformed
//! request head is answered by hyper itself, before the emulator sees the request, with
//! an empty body: `400` (bad request line or header), `431` (more than 100 headers, or
//! a head still incomplete when the 64 KiB read buffer is full), `414` (a URI over
//! 65,534 bytes); hyper 1 has no hook to change those answers.
//!
//! ```no_run
//! # async fn demo() -> Result<(), pingpp_mock::MockError> {
//! let mock = pingpp_mock::MockServer::builder()
//!     .addr("127.0.0.1:0".parse().expect("valid address"))
//!     .time_scale(1000.0)
//!     .start()
//!     .await?;
//! println!("emulator at {}", mock.base_url());
//! // ... point the SDK client at mock.base_url() ...
//! mock.shutdown().await;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod request_log;
mod server;
mod state;
mod validate;
mod webhook;

use std::collections::HashSet;
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use pingpp_sign::{PrivateKey, PublicKey};
use pingpp_webhook::server::ServeConfig;
use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use request_log::{InjectedFault, RequestRecord};
pub use state::{Ledger, paid_charge};
pub use webhook::DeliveryAttempt;

/// Test or live mode: which book a key works in (`sk_test_` or `sk_live_`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// `sk_test_` keys; objects have `livemode: false`.
    Test,
    /// `sk_live_` keys; objects have `livemode: true`.
    Live,
}

/// Ping++'s webhook retry schedule: after a failed delivery, the next attempt waits this
/// long (before time scaling). Ten retries, eleven attempts in all.
pub const WEBHOOK_RETRY_SCHEDULE: [Duration; 10] = [
    Duration::from_secs(5),
    Duration::from_secs(10),
    Duration::from_secs(2 * 60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(10 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(60 * 60),
    Duration::from_secs(2 * 60 * 60),
    Duration::from_secs(6 * 60 * 60),
    Duration::from_secs(15 * 60 * 60),
];

/// Errors starting the emulator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// The listening socket could not be bound.
    #[error("cannot bind {addr}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The emulator's webhook signing key could not be generated.
    #[error("cannot generate the webhook signing key")]
    KeyGeneration(#[source] pingpp_sign::KeyError),
    /// A configuration value is out of range.
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// Fault injection, for testing clients against a misbehaving server. Off by default.
///
/// For each request one draw from a seeded random generator decides, in this order:
/// answer `502` without processing (`error_rate`), process the request and then cut the
/// connection without an answer (`cut_rate`: the request *did* take effect, like a
/// network failure after the server received it), or wait `delay` before processing
/// (`delay_rate`). The same seed gives the same sequence of decisions.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FaultConfig {
    /// Share of requests answered `502 Bad Gateway` (0.0 to 1.0).
    pub error_rate: f64,
    /// Share of requests processed, then cut without an answer (0.0 to 1.0).
    pub cut_rate: f64,
    /// Share of requests delayed by `delay` (0.0 to 1.0).
    pub delay_rate: f64,
    /// How long a delayed request waits (not time-scaled).
    pub delay: Duration,
    /// Seed of the random generator.
    pub seed: u64,
}

impl FaultConfig {
    /// No faults, with the given seed; add faults with the `with_` methods.
    pub fn new(seed: u64) -> Self {
        Self {
            error_rate: 0.0,
            cut_rate: 0.0,
            delay_rate: 0.0,
            delay: Duration::from_millis(100),
            seed,
        }
    }

    /// Answer this share of requests with `502`.
    #[must_use]
    pub fn with_error_rate(mut self, rate: f64) -> Self {
        self.error_rate = rate;
        self
    }

    /// Process this share of requests, then cut the connection without an answer.
    #[must_use]
    pub fn with_cut_rate(mut self, rate: f64) -> Self {
        self.cut_rate = rate;
        self
    }

    /// Delay this share of requests by `delay`.
    #[must_use]
    pub fn with_delay(mut self, rate: f64, delay: Duration) -> Self {
        self.delay_rate = rate;
        self.delay = delay;
        self
    }
}

/// Entry point: `MockServer::builder()`.
#[derive(Debug)]
pub struct MockServer;

impl MockServer {
    /// A builder with the defaults: `127.0.0.1:0`, any `sk_test_`/`sk_live_` key, no
    /// request signatures required, a generated webhook key, no webhook URL, time scale 1.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }
}

/// Configures and starts the emulator.
pub struct MockServerBuilder {
    addr: SocketAddr,
    api_keys: Vec<String>,
    merchant_public_key: Option<PublicKey>,
    signing_key: Option<PrivateKey>,
    webhook_url: Option<String>,
    time_scale: f64,
    processing_delay: Duration,
    timestamp_window: Option<Duration>,
    body_limit: usize,
    webhook_timeout: Duration,
    faults: Option<FaultConfig>,
    read_timeout: Duration,
    max_connections: usize,
    request_log: Option<RequestLog>,
}

/// The request-log callback.
pub(crate) type RequestLog = Arc<dyn Fn(&RequestRecord) + Send + Sync>;

impl fmt::Debug for MockServerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServerBuilder")
            .field("addr", &self.addr)
            .field(
                "api_keys",
                &format_args!("[{} redacted]", self.api_keys.len()),
            )
            .field("merchant_public_key", &self.merchant_public_key.is_some())
            .field("signing_key", &self.signing_key.is_some())
            .field("webhook_url", &self.webhook_url)
            .field("time_scale", &self.time_scale)
            .field("processing_delay", &self.processing_delay)
            .field("timestamp_window", &self.timestamp_window)
            .field("body_limit", &self.body_limit)
            .field("faults", &self.faults)
            .field("read_timeout", &self.read_timeout)
            .field("max_connections", &self.max_connections)
            .field("request_log", &self.request_log.is_some())
            .finish()
    }
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            api_keys: Vec::new(),
            merchant_public_key: None,
            signing_key: None,
            webhook_url: None,
            time_scale: 1.0,
            processing_delay: Duration::from_secs(2),
            timestamp_window: None,
            body_limit: 1024 * 1024,
            webhook_timeout: Duration::from_secs(10),
            faults: None,
            read_timeout: Duration::from_secs(10),
            max_connections: ServeConfig::DEFAULT_MAX_CONNECTIONS,
            request_log: None,
        }
    }
}

impl MockServerBuilder {
    /// The address to listen on; port 0 picks a free port.
    #[must_use]
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Accept only this secret key (call again to accept several). Without any, every
    /// key starting with `sk_test_` or `sk_live_` is accepted.
    #[must_use]
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_keys.push(key.into());
        self
    }

    /// Require a valid `Pingplusplus-Signature` on every POST and PUT (and on any request
    /// that carries one), checked with this merchant public key.
    #[must_use]
    pub fn merchant_public_key(mut self, key: PublicKey) -> Self {
        self.merchant_public_key = Some(key);
        self
    }

    /// Sign webhooks with this key (the "Ping++ private key"). Without it a 2048-bit key
    /// is generated at start; see [`RunningMock::webhook_public_key`].
    #[must_use]
    pub fn signing_key(mut self, key: PrivateKey) -> Self {
        self.signing_key = Some(key);
        self
    }

    /// POST every event to this `http://` URL.
    #[must_use]
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.webhook_url = Some(url.into());
        self
    }

    /// Divide every delay (processing, webhook retries) by this factor; must be finite
    /// and positive. `1000.0` runs the 25-hour webhook schedule in 90 seconds.
    #[must_use]
    pub fn time_scale(mut self, factor: f64) -> Self {
        self.time_scale = factor;
        self
    }

    /// How long a confirmed withdrawal or a refund stays `pending` before its outcome
    /// (before time scaling). Default 2 s.
    #[must_use]
    pub fn processing_delay(mut self, delay: Duration) -> Self {
        self.processing_delay = delay;
        self
    }

    /// Refuse a signed request whose `Pingplusplus-Request-Timestamp` is further than
    /// `window` from the server clock (`401 stale timestamp`). Off by default: Ping++
    /// documents no such window; this is an option of the emulator.
    #[must_use]
    pub fn timestamp_window(mut self, window: Duration) -> Self {
        self.timestamp_window = Some(window);
        self
    }

    /// The largest request body accepted (`413` beyond, at once when the request's
    /// `Content-Length` is over it). Default 1 MiB.
    #[must_use]
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// How long one webhook delivery attempt may take (not time-scaled). Default 10 s.
    #[must_use]
    pub fn webhook_timeout(mut self, timeout: Duration) -> Self {
        self.webhook_timeout = timeout;
        self
    }

    /// Inject faults (see [`FaultConfig`]).
    #[must_use]
    pub fn faults(mut self, faults: FaultConfig) -> Self {
        self.faults = Some(faults);
        self
    }

    /// The time a request has for its head to arrive (counted from its first byte;
    /// the connection is then closed without an answer), and again for its body once
    /// the head is in (`408` with a JSON error). Must be positive; default 10 s.
    #[must_use]
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// The most connections open at once (default 1024, at least 1). When full, the
    /// connection idle longest is closed to make room; a connection whose request is
    /// being handled is never closed this way.
    #[must_use]
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max;
        self
    }

    /// Calls `log` once for every request answered (or processed and cut), with its
    /// method, path, status, latency, injected fault and `mock_outcome`. Requests
    /// refused by hyper before they reach the emulator (a malformed head) and
    /// connections closed by a timeout are not reported.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), pingpp_mock::MockError> {
    /// let mock = pingpp_mock::MockServer::builder()
    ///     .request_log(|record| eprintln!("{record}"))
    ///     .start()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn request_log(mut self, log: impl Fn(&RequestRecord) + Send + Sync + 'static) -> Self {
        self.request_log = Some(Arc::new(log));
        self
    }

    /// Bind the address and serve in the background on the current tokio runtime.
    pub async fn start(self) -> Result<RunningMock, MockError> {
        if !(self.time_scale.is_finite() && self.time_scale > 0.0) {
            return Err(MockError::Config(
                "time scale must be finite and positive".into(),
            ));
        }
        if let Some(f) = &self.faults {
            for rate in [f.error_rate, f.cut_rate, f.delay_rate] {
                if !(0.0..=1.0).contains(&rate) {
                    return Err(MockError::Config(
                        "fault rates must be between 0 and 1".into(),
                    ));
                }
            }
        }
        if let Some(url) = &self.webhook_url {
            webhook::parse_url(url).map_err(MockError::Config)?;
        }
        if self.read_timeout.is_zero() {
            return Err(MockError::Config("read timeout must be positive".into()));
        }
        let signing_key = match self.signing_key {
            Some(k) => k,
            None => {
                let pair = pingpp_sign::generate_keypair().map_err(MockError::KeyGeneration)?;
                pair.private_key().map_err(MockError::KeyGeneration)?
            }
        };
        let webhook_public = signing_key.public_key();
        let listener = tokio::net::TcpListener::bind(self.addr)
            .await
            .map_err(|source| MockError::Bind {
                addr: self.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| MockError::Bind {
            addr: self.addr,
            source,
        })?;
        let (shutdown_tx, shutdown_rx) = watch::channel(());
        let faults = self.faults.map(|f| {
            let rng = StdRng::seed_from_u64(f.seed);
            (f, Mutex::new(rng))
        });
        let shared = Arc::new(Shared {
            config: Config {
                api_keys: self.api_keys.into_iter().collect(),
                merchant_public_key: self.merchant_public_key,
                webhook_url: self.webhook_url,
                time_scale: self.time_scale,
                processing_delay: self.processing_delay,
                timestamp_window: self.timestamp_window,
                body_limit: self.body_limit,
                webhook_timeout: self.webhook_timeout,
                read_timeout: self.read_timeout,
                max_connections: self.max_connections,
                request_log: self.request_log,
            },
            state: Mutex::new(state::State::default()),
            signing_key,
            webhook_public,
            faults,
            background: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
            shutdown: shutdown_rx,
        });
        let accept = tokio::spawn(server::serve(listener, Arc::clone(&shared)));
        tracing::info!(%addr, "pingpp-mock listening");
        Ok(RunningMock {
            addr,
            shared,
            shutdown_tx: Some(shutdown_tx),
            accept: Some(accept),
        })
    }
}

pub(crate) struct Config {
    pub(crate) api_keys: HashSet<String>,
    pub(crate) merchant_public_key: Option<PublicKey>,
    pub(crate) webhook_url: Option<String>,
    pub(crate) time_scale: f64,
    pub(crate) processing_delay: Duration,
    pub(crate) timestamp_window: Option<Duration>,
    pub(crate) body_limit: usize,
    pub(crate) webhook_timeout: Duration,
    pub(crate) read_timeout: Duration,
    pub(crate) max_connections: usize,
    pub(crate) request_log: Option<RequestLog>,
}

impl Config {
    /// A delay divided by the time scale.
    pub(crate) fn scaled(&self, d: Duration) -> Duration {
        Duration::try_from_secs_f64(d.as_secs_f64() / self.time_scale).unwrap_or(Duration::MAX)
    }
}

pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) state: Mutex<state::State>,
    pub(crate) signing_key: PrivateKey,
    pub(crate) webhook_public: PublicKey,
    pub(crate) faults: Option<(FaultConfig, Mutex<StdRng>)>,
    /// Background tasks (timers, webhook deliveries) not finished yet.
    pub(crate) background: AtomicUsize,
    /// Requests received (whole request read), whatever the answer.
    pub(crate) requests: AtomicUsize,
    pub(crate) shutdown: watch::Receiver<()>,
}

impl Shared {
    pub(crate) fn state(&self) -> MutexGuard<'_, state::State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Resolves when the emulator shuts down.
    pub(crate) async fn shutdown_signal(&self) {
        let mut rx = self.shutdown.clone();
        // The sender is only ever dropped, never used: `changed` errs on shutdown.
        while rx.changed().await.is_ok() {}
    }

    /// Runs `fut` in the background, counted by `background`, stopped at shutdown.
    pub(crate) fn spawn_background<F>(self: &Arc<Self>, fut: F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        self.background.fetch_add(1, Ordering::SeqCst);
        let shared = Arc::clone(self);
        tokio::spawn(async move {
            tokio::select! {
                () = fut => {}
                () = shared.shutdown_signal() => {}
            }
            shared.background.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// A running emulator. Dropping it (or [`RunningMock::shutdown`]) stops the server and
/// every background task.
pub struct RunningMock {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown_tx: Option<watch::Sender<()>>,
    accept: Option<JoinHandle<()>>,
}

impl fmt::Debug for RunningMock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningMock")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl RunningMock {
    /// The bound address (the real port when port 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`, the API base URL to give the client (paths start with `/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The public key that verifies this emulator's webhook signatures.
    pub fn webhook_public_key(&self) -> PublicKey {
        self.shared.webhook_public.clone()
    }

    /// A user's test-mode balance in fen, `None` for a user never recharged in that app
    /// with a test key. See [`RunningMock::balance_in`] for live mode.
    pub fn balance(&self, app: &str, user: &str) -> Option<i64> {
        self.balance_in(Mode::Test, app, user)
    }

    /// A user's balance in fen in one mode's book.
    pub fn balance_in(&self, mode: Mode, app: &str, user: &str) -> Option<i64> {
        self.ledger_in(mode, app, user).map(|l| l.balance)
    }

    /// A user's test-mode ledger, `None` for a user never recharged in that app with a
    /// test key.
    pub fn ledger(&self, app: &str, user: &str) -> Option<Ledger> {
        self.ledger_in(Mode::Test, app, user)
    }

    /// A user's ledger in one mode's book.
    pub fn ledger_in(&self, mode: Mode, app: &str, user: &str) -> Option<Ledger> {
        self.shared.state().ledger(mode, app, user)
    }

    /// Every test-mode ledger as `(app, user, ledger)`, sorted.
    pub fn ledgers(&self) -> Vec<(String, String, Ledger)> {
        self.ledgers_in(Mode::Test)
    }

    /// Every ledger of one mode as `(app, user, ledger)`, sorted.
    pub fn ledgers_in(&self, mode: Mode) -> Vec<(String, String, Ledger)> {
        self.shared.state().ledgers(mode)
    }

    /// Every event created so far, oldest first, as the JSON `GET /v1/events/{id}` returns.
    pub fn events(&self) -> Vec<serde_json::Value> {
        self.shared.state().events()
    }

    /// Every webhook delivery attempt so far, in the order they finished.
    pub fn deliveries(&self) -> Vec<DeliveryAttempt> {
        self.shared.state().deliveries.clone()
    }

    /// How many requests were received (read in full) so far, whatever the answer,
    /// including those answered by fault injection. Lets tests count client retries.
    pub fn requests_received(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Whether no timer or webhook delivery is outstanding.
    pub fn is_idle(&self) -> bool {
        self.shared.background.load(Ordering::SeqCst) == 0
    }

    /// Waits until [`RunningMock::is_idle`], at most `timeout`; returns whether it became idle.
    pub async fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if self.is_idle() {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Stops accepting connections, closes open ones (a response being written may
    /// finish, for at most a second) and stops background tasks.
    pub async fn shutdown(mut self) {
        self.shutdown_tx.take();
        if let Some(accept) = self.accept.take() {
            // The accept loop ends by itself on the shutdown signal.
            let _ = accept.await;
        }
    }
}

impl Drop for RunningMock {
    fn drop(&mut self) {
        self.shutdown_tx.take();
    }
}
