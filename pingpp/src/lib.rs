//! The Ping++ server SDK for Rust: client, resources, types and webhooks in one dependency.
//!
//! | feature (default on) | gives |
//! |---|---|
//! | `recharge` | [`RechargesExt`]: `client.recharges()`, `client.recharge_refunds()` |
//! | `withdrawal` | [`WithdrawalsExt`]: `client.withdrawals()`, `client.batch_withdrawals()` |
//! | `webhook` | [`webhook`]: verify and parse webhook notifications |
//! | `hyper-transport` | the default HTTP transport (hyper + rustls with `ring`) |
//!
//! Off by default: `webhook-server` (a ready hyper webhook service), `native-roots` (OS
//! root certificates), `test-util` (a scripted transport for your tests).
//!
//! Everything goes through one [`Client`]: configure it once (builder or environment),
//! share it (it is cheap to clone), and call the resources through the extension traits in
//! [`prelude`]. Every request is authenticated with the secret key and, when a merchant
//! private key is configured, signed. Calls that move money (create, confirm, cancel,
//! refund) are never retried after they may have reached the server; an error says so
//! with [`Error::may_have_been_sent`].
//!
//! # Example
//!
//! ```no_run
//! use futures_util::StreamExt;
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
//! let withdrawal = match client.withdrawals().create(&params).await {
//!     Ok(w) => w,
//!     Err(e) if e.may_have_been_sent() => {
//!         // It may exist: look it up by order_no before creating it again.
//!         return Err(e.into());
//!     }
//!     Err(e) => return Err(e.into()),
//! };
//! let confirmed = client.withdrawals().confirm(&withdrawal.id).await?;
//! assert_eq!(confirmed.status, WithdrawalStatus::Pending);
//!
//! // Walk every created withdrawal of a user.
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
//! println!("{} {}", event.event_type(), event.id);
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use pingpp_sign as sign;
pub use pingpp_transport as transport;
pub use pingpp_types as types;

pub use pingpp_sign::{PrivateKey, PublicKey};
pub use pingpp_transport::{
    ApiError, Client, ClientBuilder, ConfigError, Error, RetryPolicy, Transport, TransportError,
    TransportErrorKind,
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
pub use pingpp_withdrawal::{BatchWithdrawals, Withdrawals, WithdrawalsExt};

#[cfg(feature = "webhook")]
pub use pingpp_webhook as webhook;

/// The client, its error and the resource extension traits: `use pingpp::prelude::*;`.
pub mod prelude {
    pub use crate::events::EventsExt;
    pub use pingpp_transport::{Client, Error};

    #[cfg(feature = "recharge")]
    pub use pingpp_recharge::RechargesExt;
    #[cfg(feature = "withdrawal")]
    pub use pingpp_withdrawal::WithdrawalsExt;
}

/// The README's examples, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
