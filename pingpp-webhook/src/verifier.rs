//! The verifier: signature check, then typed parsing.

use pingpp_sign::{PublicKey, VerifyError};
use pingpp_types::Event;

use crate::WebhookError;

/// Default body-size limit: 1 MiB. Ping++ events are a few kilobytes.
pub const DEFAULT_MAX_BODY_SIZE: usize = 1024 * 1024;

/// Verifies Ping++ webhook deliveries against the Ping++ public key.
///
/// Load the key once at start-up and share the verifier (it is cheap to clone): the
/// key is parsed into the crypto backend's form when loaded, so each delivery only
/// verifies.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
/// # let pingpp_public_key_pem = &std::fs::read_to_string(format!("{fixtures}/ping_public_key.pem"))?;
/// # if !pingpp_sign::backend().can_sign() { return Ok(()); } // the example signs its own body
/// # let ping_private_key = pingpp_sign::PrivateKey::from_pem_file(format!("{fixtures}/ping_private_key.pem"))?;
/// # let body = br#"{"id":"evt_1","object":"event","created":1700000000,"livemode":false,
/// #   "type":"summary.daily.available","data":{"object":{"object":"summary"}},
/// #   "pending_webhooks":0,"request":null}"#;
/// # let signature_header = ping_private_key.sign(body)?;
/// use pingpp_webhook::Verifier;
///
/// // At start-up, with the PEM from the Ping++ dashboard (parsed once, here):
/// let verifier = Verifier::from_pem(pingpp_public_key_pem)?;
///
/// // Per delivery, with the raw body bytes and the `X-Pingplusplus-Signature` value:
/// let event = verifier.verify_and_parse(body, signature_header.as_str())?;
/// assert_eq!(event.id.as_deref(), Some("evt_1"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Verifier {
    key: PublicKey,
    max_body_size: usize,
    accept_unsigned_test_events: bool,
}

impl Verifier {
    /// A verifier for `key`, the Ping++ public key (not your own merchant key).
    pub fn new(key: PublicKey) -> Self {
        tracing::debug!(
            bits = key.bits(),
            backend = pingpp_sign::backend().name(),
            "Ping++ webhook verifier ready"
        );
        Verifier {
            key,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            accept_unsigned_test_events: false,
        }
    }

    /// A verifier for the Ping++ public key given as PEM (`BEGIN PUBLIC KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, WebhookError> {
        PublicKey::from_pem(pem)
            .map(Verifier::new)
            .map_err(|source| WebhookError::Key { source })
    }

    /// Sets the body-size limit in bytes (default [`DEFAULT_MAX_BODY_SIZE`]). Larger bodies
    /// are rejected with [`WebhookError::BodyTooLarge`] before anything else is done.
    pub fn with_max_body_size(mut self, limit: usize) -> Self {
        self.max_body_size = limit;
        self
    }

    /// The body-size limit in bytes.
    pub fn max_body_size(&self) -> usize {
        self.max_body_size
    }

    /// **Insecure; for test mode only.** Accepts deliveries that carry no signature,
    /// as Ping++ sends in test mode, provided the event says `"livemode": false`.
    ///
    /// Anyone who can reach your endpoint can then forge test-mode events, so never
    /// enable this on a receiver that acts on test events in ways that matter. A signed
    /// delivery is still checked, and an unsigned live event is still rejected.
    pub fn insecure_accept_unsigned_test_events(mut self) -> Self {
        self.accept_unsigned_test_events = true;
        self
    }

    /// Whether unsigned test-mode events are accepted.
    pub fn accepts_unsigned_test_events(&self) -> bool {
        self.accept_unsigned_test_events
    }

    /// The public key this verifier checks against.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// Verifies the signature over the raw `body` and parses it into an [`Event`].
    ///
    /// `signature` is the `X-Pingplusplus-Signature` header value: a `&str`, or the
    /// `Option<&str>` [`find_signature`](crate::find_signature) returns. Pass the body
    /// exactly as received: parsing and re-serializing it first breaks the signature.
    pub fn verify_and_parse<'s>(
        &self,
        body: &[u8],
        signature: impl Into<Option<&'s str>>,
    ) -> Result<Event, WebhookError> {
        match self.check(body, signature.into())? {
            None => crate::parse(body),
            Some(unsigned_test_event) => Ok(unsigned_test_event),
        }
    }

    /// Verifies the signature over the raw `body` without parsing it into an event.
    ///
    /// An unsigned delivery (when [accepted](Self::insecure_accept_unsigned_test_events))
    /// is parsed anyway, to check it is a test-mode event.
    pub fn verify<'s>(
        &self,
        body: &[u8],
        signature: impl Into<Option<&'s str>>,
    ) -> Result<(), WebhookError> {
        self.check(body, signature.into()).map(|_| ())
    }

    /// `Ok(None)`: the signature verified. `Ok(Some(event))`: an accepted unsigned test
    /// event, already parsed.
    fn check(&self, body: &[u8], signature: Option<&str>) -> Result<Option<Event>, WebhookError> {
        if body.len() > self.max_body_size {
            return Err(WebhookError::BodyTooLarge {
                size: body.len(),
                limit: self.max_body_size,
            });
        }
        let signature = signature.unwrap_or_default();
        if signature.trim_ascii().is_empty() {
            return self.check_unsigned(body);
        }
        let raw = pingpp_sign::decode_signature(signature).map_err(|source| match source {
            VerifyError::Empty => WebhookError::MissingSignature,
            source => WebhookError::InvalidBase64 { source },
        })?;
        self.key
            .verify_raw(body, &raw)
            .map_err(|source| match source {
                VerifyError::Empty => WebhookError::MissingSignature,
                source => {
                    tracing::debug!(
                        body_len = body.len(),
                        signature_len = raw.len(),
                        "Ping++ webhook signature mismatch"
                    );
                    WebhookError::SignatureMismatch { source }
                }
            })?;
        Ok(None)
    }

    fn check_unsigned(&self, body: &[u8]) -> Result<Option<Event>, WebhookError> {
        if !self.accept_unsigned_test_events {
            return Err(WebhookError::MissingSignature);
        }
        let event = crate::parse(body)?;
        if event.livemode {
            tracing::warn!(event_id = ?event.id, "rejected an unsigned live-mode Ping++ event");
            return Err(WebhookError::MissingSignature);
        }
        tracing::warn!(
            event_id = ?event.id,
            "accepted an unsigned test-mode Ping++ event (insecure_accept_unsigned_test_events)"
        );
        Ok(Some(event))
    }

    /// Finds the signature among `headers` ([`find_signature`](crate::find_signature)),
    /// verifies the body and parses it.
    #[cfg(feature = "http")]
    pub fn verify_and_parse_headers(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<Event, WebhookError> {
        self.verify_and_parse(body, crate::find_signature(headers))
    }
}

/// Parses a webhook body into an [`Event`] **without verifying it**.
///
/// Use it for bodies you already verified, or stored ones; never on a fresh delivery
/// (use [`Verifier::verify_and_parse`]). Unknown event types parse as
/// `EventData::Other`.
pub fn parse(body: &[u8]) -> Result<Event, WebhookError> {
    let event: Event = serde_json::from_slice(body).map_err(|source| match source.classify() {
        serde_json::error::Category::Data => WebhookError::NotAnEvent { source },
        _ => WebhookError::InvalidJson { source },
    })?;
    if event.object != "event" {
        let message = format!("`object` is {:?}, expected \"event\"", event.object);
        return Err(WebhookError::NotAnEvent {
            source: serde::de::Error::custom(message),
        });
    }
    Ok(event)
}
