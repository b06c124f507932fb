//! Pluggable HTTP transport and the signed request pipeline of the Ping++ SDK.
//!
//! - [`Transport`]: an object-safe trait (`Arc<dyn Transport>`) taking and returning
//!   `http` requests and responses with byte bodies. [`HyperTransport`] (feature
//!   `hyper-transport`, on by default) is hyper 1 + rustls with the `ring` provider.
//! - [`Client`]: configuration ([`ClientBuilder`], [`Client::from_env`]) and the one
//!   pipeline every call goes through — base URL, `Authorization: Bearer`, user-agent
//!   headers, JSON serialized once, `Pingplusplus-Signature` over exactly the bytes sent
//!   with a fresh timestamp per attempt, timeouts, retries, response decoding and error
//!   mapping.
//! - [`Error`]: one error type; [`Error::may_have_been_sent`] tells whether a failed
//!   request may have reached the server.
//!
//! # Retries
//!
//! Retries never duplicate money movement: a GET is retried on transport failures,
//! timeouts and HTTP 429/502/503/504; a POST or PUT only when the connection could not be
//! made. Waits are exponential with full jitter ([`RetryPolicy`]).
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
mod retry;
#[cfg(feature = "test-util")]
pub mod test_util;
mod transport;

pub use client::{
    Client, HEADER_CLIENT_USER_AGENT, HEADER_SIGNATURE, HEADER_TIMESTAMP, HEADER_VERSION,
    USER_AGENT_VALUE, encode_path_segment, require_id,
};
pub use config::{
    ClientBuilder, ConfigError, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
    ENV_API_BASE, ENV_API_KEY, ENV_APP_ID, ENV_PRIVATE_KEY, ENV_PRIVATE_KEY_PATH,
};
pub use error::{ApiError, EXCERPT_LIMIT, Error};
#[cfg(feature = "hyper-transport")]
pub use hyper_transport::{HyperTransport, TlsSetupError};
pub use retry::{RetryPolicy, Sleep, TokioSleep};
pub use transport::{BoxError, BoxFuture, Transport, TransportError, TransportErrorKind};
