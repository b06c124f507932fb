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
//!   timestamp, so dedupe by event id.
//! - feature `server`: [`server::WebhookService`], a hyper service doing all of the above
//!   and answering what Ping++ expects (200 / 400 / 500).
//! - feature `http`: [`Verifier::verify_and_parse_headers`] for an `http::HeaderMap`.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let pair = pingpp_sign::generate_keypair()?;
//! # let pingpp_public_key_pem = pair.public_pem();
//! # let body: &[u8] = br#"{"id":"evt_1","object":"event","created":1700000000,"livemode":true,
//! #   "type":"charge.succeeded","data":{"object":{"id":"ch_1","object":"charge"}},
//! #   "pending_webhooks":0,"request":"iar_1"}"#;
//! # let signature = pair.private_key()?.sign(body)?;
//! # let headers = vec![("X-Pingplusplus-Signature".to_string(), signature)];
//! use pingpp_webhook::{find_signature, Claim, DedupStore, MemoryDedup, Verifier, WebhookError};
//!
//! // Once, at start-up:
//! let verifier = Verifier::from_pem(pingpp_public_key_pem)?;
//! let seen = MemoryDedup::default();
//!
//! // Per delivery (`body`: the raw request body bytes):
//! match verifier.verify_and_parse(body, find_signature(headers.iter().map(|(k, v)| (k, v)))) {
//!     Ok(event) => {
//!         # let claim = Claim::New; let _ = &seen;
//!         // let claim = seen.claim(&event.id).await?;
//!         if claim == Claim::New {
//!             println!("{} {}", event.event_type(), event.id); // act on it, answer 200
//!         }
//!     }
//!     Err(e @ WebhookError::SignatureMismatch { .. }) => {
//!         panic!("answer {}: {e}", e.http_status())
//!     }
//!     Err(e) => panic!("answer {}: {e}", e.http_status()),
//! }
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

mod dedup;
mod error;
mod header;
mod verifier;

#[cfg(feature = "server")]
pub mod server;

pub use dedup::{Claim, DedupStore, MemoryDedup};
pub use error::WebhookError;
pub use header::{SIGNATURE_HEADER, find_signature};
pub use verifier::{DEFAULT_MAX_BODY_SIZE, Verifier, parse};

pub use pingpp_sign::PublicKey;
pub use pingpp_types::{Event, EventData};
