//! The Ping++ server SDK for Rust: client, resources, types and webhooks in one dependency.
//!
//! | feature (default on) | gives |
//! |---|---|
//! | `recharge` | [`RechargesExt`]: `client.recharges()`, `client.recharge_refunds()` |
//! | `withdrawal` | [`WithdrawalsExt`]: `client.withdrawals()`, `client.batch_withdrawals()`, `client.settle_accounts(user)` |
//! | `webhook` | [`webhook`]: verify and parse webhook notifications |
//! | `hyper-transport` | the default HTTP transport (hyper + rustls, HTTP(S) proxies) |
//! | `aws-lc-rs` | the crypto backend: request signing, webhook verification ([`sign`]) and rustls's provider |
//!
//! Off by default:
//!
//! | feature | gives |
//! |---|---|
//! | `webhook-server` | `webhook::server`: a ready hyper webhook service, and an accept loop with connection limits and timeouts |
//! | `webhook-tower` | the webhook service as a `tower::Service` (axum's `Router::route_service`) |
//! | `webhook-axum` | `webhook::axum::VerifiedEvent`, an axum 0.8 extractor for your own handlers |
//! | `webhook-redis` | `webhook::RedisDedup`: one dedup store for several receiver instances |
//! | `native-roots` | the operating system's root certificates |
//! | `test-util` | a scripted transport for your tests |
//! | `ring` | crypto backend: signs and verifies, no key generation; rustls with ring |
//! | `rust-crypto` | crypto backend: pure Rust, verifies only (webhook receivers built without a C compiler) |
//!
//! Everything goes through one [`Client`]: configure it once (builder or environment),
//! share it (it is cheap to clone), and call the resources through the extension traits in
//! [`prelude`]. Every request is authenticated with the secret key and, when a merchant
//! private key is configured, signed. Calls that move money (create, confirm, cancel,
//! refund) are sent again only when they provably did nothing (no connection, or refused
//! with 408/429), never after an unknown outcome.
//!
//! # After a failure: did money move?
//!
//! Every [`Error`] answers with [`Error::outcome`]:
//!
//! | outcome | errors | what to do |
//! |---|---|---|
//! | [`Outcome::NotSent`] | validation, configuration, signing; connection refused, DNS, TLS handshake, proxy | fix the cause; sending again is safe |
//! | [`Outcome::Rejected`] | HTTP 4xx: bad parameter, 401 key or signature, 402 balance, 404, 408/429 (wait first), `OrderNoConflict` | nothing was done: fix and send again |
//! | [`Outcome::Unknown`] | connection cut or timeout after sending, HTTP 5xx, a 2xx that could not be read or was too large | it may have been done: look it up by `order_no` (`find_by_order_no`) before sending again, or use `withdrawals().create_or_find` |
//!
//! [`Error::is_retryable`] is true only where sending the same request again is safe and
//! could help, never for a POST whose outcome is unknown. [`Error::code`] gives the typed
//! [`ErrorCode`] (`order_no_used`, `balance_insufficient`, ...) and
//! [`Error::request_id`] the id to quote to support.
//!
//! # Example
//!
//! ```no_run
//! use pingpp::prelude::*;
//! use pingpp::{
//!     ChannelExtra, CreateRechargeRefund, CreateWithdrawal, UnionpayBank, UnionpayExtra,
//!     WithdrawalListParams, WithdrawalStatus,
//! };
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! // PINGPP_API_KEY, PINGPP_APP_ID, PINGPP_PRIVATE_KEY_PATH (or PINGPP_PRIVATE_KEY).
//! let client = Client::from_env()?;
//!
//! // Pay a user out of their balance: create, then confirm.
//! let params = CreateWithdrawal::new(
//!     "user_001",
//!     20_000, // fen: 200.00 CNY
//!     "2026113000001",
//!     ChannelExtra::Unionpay(UnionpayExtra::new(
//!         "6225880137003000",
//!         "张三",
//!         UnionpayBank::Code("0308".into()),
//!     )),
//! );
//! // Safe to repeat after a crash or a cut connection: the order_no makes it
//! // create the withdrawal at most once, and returns it if it already exists.
//! let withdrawal = match client.withdrawals().create_or_find(&params).await {
//!     Ok(w) => w,
//!     Err(e) => {
//!         match e.outcome() {
//!             Outcome::Unknown => eprintln!("may exist; look again later: {e}"),
//!             _ => eprintln!("nothing was created: {e}"),
//!         }
//!         return Err(e.into());
//!     }
//! };
//! let confirmed = client.withdrawals().confirm(&withdrawal.id).await?;
//! assert_eq!(confirmed.status, WithdrawalStatus::Pending);
//!
//! // Walk every created withdrawal of a user (StreamExt comes with the prelude).
//! let mut pending = std::pin::pin!(client
//!     .withdrawals()
//!     .list_all(WithdrawalListParams::new().user("user_001").status(WithdrawalStatus::Created)));
//! while let Some(w) = pending.next().await {
//!     let w = w?;
//!     println!("{} {}", w.id, w.amount);
//! }
//!
//! // Refund a balance recharge.
//! let refund = client
//!     .recharge_refunds()
//!     .create("220161130175010015520701", &CreateRechargeRefund::new("用户申请退款"))
//!     .await?;
//! println!("refund {} {:?}", refund.id, refund.status);
//!
//! // Verify a webhook (body = the raw request bytes, signature = X-Pingplusplus-Signature).
//! # let (pem, body, signature) = ("", &b""[..], "");
//! let verifier = pingpp::webhook::Verifier::from_pem(pem)?;
//! let event = verifier.verify_and_parse(body, signature)?;
//! println!("{} {:?}", event.event_type(), event.id);
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use pingpp_sign as sign;
pub use pingpp_transport as transport;
pub use pingpp_types as types;

pub use pingpp_sign::{PrivateKey, PublicKey};
pub use pingpp_transport::{
    ApiError, Client, ClientBuilder, ConfigError, Error, FieldDifference, OrderNoConflict, Outcome,
    ProxyConfig, RetryPolicy, RetryPolicyBuilder, Transport, TransportError, TransportErrorKind,
    redact_secrets,
};
pub use pingpp_types::*;

pub mod events;
pub use events::{Events, EventsExt};

#[cfg(feature = "recharge")]
pub use pingpp_recharge as recharge;
#[cfg(feature = "recharge")]
pub use pingpp_recharge::{RechargeRefunds, Recharges, RechargesExt};

#[cfg(feature = "withdrawal")]
pub use pingpp_withdrawal as withdrawal;
#[cfg(feature = "withdrawal")]
pub use pingpp_withdrawal::{BatchWithdrawals, SettleAccounts, Withdrawals, WithdrawalsExt};

#[cfg(feature = "webhook")]
pub use pingpp_webhook as webhook;

/// The client, its error and outcome, the resource extension traits and the stream
/// combinators the examples use (`next`, `try_collect`): `use pingpp::prelude::*;`.
///
/// ```no_run
/// use pingpp::prelude::*;
/// # async fn demo(client: Client) -> Result<(), Error> {
/// let all: Vec<pingpp::Withdrawal> = client
///     .withdrawals()
///     .list_all(pingpp::WithdrawalListParams::new().per_page(100))
///     .try_collect()
///     .await?;
/// # let _ = all; Ok(()) }
/// ```
pub mod prelude {
    pub use crate::events::EventsExt;
    pub use futures_util::{StreamExt, TryStreamExt};
    pub use pingpp_transport::{Client, Error, ErrorCode, Outcome};

    #[cfg(feature = "recharge")]
    pub use pingpp_recharge::RechargesExt;
    #[cfg(feature = "withdrawal")]
    pub use pingpp_withdrawal::WithdrawalsExt;
}

/// The README's examples, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
