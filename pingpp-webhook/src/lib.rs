//! Verify and parse Ping++ webhook notifications.
//!
//! Ping++ POSTs an event as JSON and signs the **raw body bytes** with its private key
//! (RSA PKCS#1 v1.5, SHA-256), putting the base64 signature in the
//! `X-Pingplusplus-Signature` header. This crate checks that signature against the Ping++
//! public key from your dashboard and gives you a typed [`Event`]. With default features
//! it depends on no async runtime, HTTP server or HTTP client.
//!
//! - [`Verifier::verify_and_parse`]: body + signature header → verified [`Event`].
//! - [`Verifier::verify`]: verify only; [`parse`]: parse only (no verification).
//! - [`find_signature`]: the header value from any header collection, case-insensitively.
//! - [`DedupStore`] / [`MemoryDedup`]: Ping++ delivers at least once and signs no
//!   timestamp, so dedupe by event id ([`DedupKey`]). The trait is object-safe
//!   (`Arc<dyn DedupStore>`).
//! - feature `server`: `server::WebhookService`, a hyper service doing all of the above
//!   and answering what Ping++ expects (200 / 400 / 409 / 500), and `server::serve_with`
//!   with connection limits and timeouts.
//! - feature `tower`: the service is a `tower::Service` too, for
//!   `axum::Router::route_service`.
//! - feature `axum`: `axum::VerifiedEvent`, an extractor for your own axum handlers.
//! - feature `redis`: `RedisDedup`, one store shared by every receiver instance.
//! - feature `http`: `Verifier::verify_and_parse_headers` for an `http::HeaderMap`, and
//!   `WebhookError::status_code`.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
//! # let pingpp_public_key_pem = &std::fs::read_to_string(format!("{fixtures}/ping_public_key.pem"))?;
//! # if !pingpp_sign::backend().can_sign() { return Ok(()); } // the example signs its own body
//! # let ping_private_key = pingpp_sign::PrivateKey::from_pem_file(format!("{fixtures}/ping_private_key.pem"))?;
//! # let body: &[u8] = br#"{"id":"evt_1","object":"event","created":1700000000,"livemode":true,
//! #   "type":"balance.withdrawal.succeeded","data":{"object":{"id":"1701","object":"withdrawal",
//! #   "amount":20000,"created":1700000000,"status":"succeeded"}},"pending_webhooks":0,"request":null}"#;
//! # let mut headers = std::collections::HashMap::new();
//! # headers.insert("x-pingplusplus-signature".to_string(), ping_private_key.sign(body)?);
//! use pingpp_webhook::{EventData, Verifier, find_signature};
//!
//! // Once, at start-up, with the Ping++ public key from the dashboard:
//! let verifier = Verifier::from_pem(pingpp_public_key_pem)?;
//!
//! // Per delivery: the raw body bytes, exactly as received, and the request headers.
//! let status = match verifier.verify_and_parse(body, find_signature(&headers)) {
//!     Ok(event) => {
//!         // Dedupe by `DedupKey::from_event(&event)` (see `MemoryDedup`), then act on it.
//!         if let EventData::WithdrawalSucceeded(withdrawal) = &event.data {
//!             assert_eq!(withdrawal.amount, 20000); // fen
//!         }
//!         200
//!     }
//!     Err(e) => {
//!         eprintln!("rejected webhook: {e}");
//!         e.http_status() // 400 (or 413): Ping++ will retry
//!     }
//! };
//! assert_eq!(status, 200);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod dedup;
mod error;
mod header;
#[cfg(feature = "http")]
mod status;
mod verifier;

#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "redis")]
mod redis_dedup;
#[cfg(feature = "server")]
pub mod server;

/// The `redis` crate this crate's [`RedisDedup`] is built on, for
/// [`RedisDedupBuilder::connection`] with a connection configured your way.
#[cfg(feature = "redis")]
pub use ::redis;
pub use dedup::{Claim, ClaimToken, DedupError, DedupFuture, DedupKey, DedupStore, MemoryDedup};
pub use error::WebhookError;
pub use header::{SIGNATURE_HEADER, find_signature};
#[cfg(feature = "redis")]
pub use redis_dedup::{RedisDedup, RedisDedupBuilder};
pub use verifier::{DEFAULT_MAX_BODY_SIZE, Verifier, parse};

pub use pingpp_sign::PublicKey;
pub use pingpp_types::{Event, EventData};
