//! Pluggable HTTP transport and the signed request pipeline of the Ping++ SDK.
//!
//! - [`Transport`]: an object-safe trait (`Arc<dyn Transport>`) taking and returning
//!   `http` requests and responses with byte bodies. [`HyperTransport`] (feature
//!   `hyper-transport`, on by default) is hyper 1 + rustls — crypto provider `aws-lc-rs`
//!   (default feature) or `ring` — through HTTP proxies ([`ProxyConfig`]: `HTTPS_PROXY`,
//!   `HTTP_PROXY`, `NO_PROXY`, CONNECT tunnels) and with your own rustls configuration if
//!   you need one ([`ClientBuilder::tls_config`]).
//! - [`Client`]: configuration ([`ClientBuilder`], [`Client::from_env`]) and the one
//!   pipeline every call goes through — base URL, `Authorization: Bearer`, user-agent
//!   headers, JSON serialized once, `Pingplusplus-Signature` over exactly the bytes sent
//!   with a fresh timestamp per attempt, timeouts, retries, response decoding and error
//!   mapping.
//! - [`Error`]: one error type that says what a failure means for money.
//!
//! # After a failure: did money move?
//!
//! | error | [`Error::outcome`] | what to do |
//! |---|---|---|
//! | validation, configuration, signing, request building | `NotSent` | fix it |
//! | connection refused, DNS, TLS handshake, proxy refusal | `NotSent` | send again (the client already retried) |
//! | HTTP 4xx (400, 401 incl. signature, 402, 404, 408, 409, 429), `OrderNoConflict` | `Rejected` | nothing was done: fix and send again; 408/429: wait first |
//! | HTTP 5xx | `Unknown` | look it up by `order_no` before sending again |
//! | cut connection or timeout after sending | `Unknown` | look it up by `order_no` before sending again |
//! | 2xx whose body is unreadable or over [`ClientBuilder::max_response_bytes`] | `Unknown` | look it up |
//!
//! [`Error::may_have_been_sent`] is `outcome() == Unknown`: a refused request reached the
//! server, but nothing was done. [`Error::is_retryable`] is
//! true only where sending the same request again is safe and could help; it is never
//! true for a POST or PUT whose outcome is `Unknown`. Typed codes come with
//! [`Error::code`] ([`ErrorCode`]), the response's request id with [`Error::request_id`].
//!
//! # Retries
//!
//! The client retries exactly the errors for which [`Error::is_retryable`] holds, so a
//! retry never duplicates money movement: a connection that could not be made, HTTP 408
//! and 429 (refused before anything was done), and for GET also transport failures,
//! timeouts and HTTP 502/503/504. Waits are exponential with full jitter, or the
//! server's `Retry-After` ([`RetryPolicy`]).
//!
//! # A client no server can hurt
//!
//! Response bodies are capped ([`DEFAULT_MAX_RESPONSE_BYTES`]) on `Content-Length` and
//! while reading; paged walks ([`Client::paginate`]) yield each item once and stop with
//! [`Error::Pagination`] when a page brings nothing new; text quoted from responses is
//! scrubbed of keys and credentials ([`redact_secrets`]); a live key is refused over
//! plain `http://` to anything but loopback, and a secret key is refused as the app id.
//!
//! # Example
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use pingpp_transport::Client;
//!
//! let client = Client::builder()
//!     .api_key("sk_test_ibbTe5jLGCi5rzfH4OqPW9KC")
//!     .app_id("app_1Gqj58ynP0mHeX1q")
//!     .build()?;
//! let path = client.app_path(&["withdrawals"])?;
//! let page: pingpp_types::List<serde_json::Value> =
//!     client.get(&path, &[("page", 1), ("per_page", 10)]).await?;
//! println!("{} withdrawals", page.data.len());
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod config;
mod error;
#[cfg(feature = "hyper-transport")]
mod hyper_transport;
mod proxy;
mod retry;
mod scrub;
#[cfg(feature = "test-util")]
pub mod test_util;
mod transport;

pub use client::{
    Client, HEADER_CLIENT_USER_AGENT, HEADER_SIGNATURE, HEADER_TIMESTAMP, HEADER_VERSION, ListItem,
    USER_AGENT_VALUE, encode_path_segment, require_id,
};
pub use config::{
    ClientBuilder, ConfigError, DEFAULT_ACCEPT_LANGUAGE, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, ENV_API_BASE, ENV_API_KEY, ENV_APP_ID,
    ENV_PRIVATE_KEY, ENV_PRIVATE_KEY_PATH,
};
pub use error::{
    ApiError, EXCERPT_LIMIT, Error, FieldDifference, KEPT_RESPONSE_HEADERS, MESSAGE_LIMIT,
    OrderNoConflict, Outcome, REQUEST_ID_HEADERS,
};
#[cfg(feature = "hyper-transport")]
pub use hyper_transport::{HyperTransport, HyperTransportBuilder, TlsSetupError};
pub use pingpp_types::ErrorCode;
pub use proxy::ProxyConfig;
pub use retry::{RetryPolicy, RetryPolicyBuilder, Sleep, TokioSleep};
#[cfg(feature = "hyper-transport")]
pub use rustls;
pub use scrub::{REDACTED, redact_secrets};
pub use transport::{
    BoxError, BoxFuture, ResponseBodyLimit, Transport, TransportError, TransportErrorKind,
};
