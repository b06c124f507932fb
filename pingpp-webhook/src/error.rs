//! The errors a webhook delivery can fail with.

use crate::SIGNATURE_HEADER;

/// Why a webhook delivery was rejected.
///
/// Every variant names one cause, so a receiver can log it and answer Ping++
/// accordingly ([`WebhookError::http_status`]). None of them carries key material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The body is larger than the verifier's limit; nothing else was looked at.
    #[error(
        "webhook body is {size} bytes, more than the limit of {limit} bytes \
         (raise it with Verifier::with_max_body_size if your events are really this large)"
    )]
    BodyTooLarge {
        /// Size of the rejected body in bytes (for a streamed body: at least this many).
        size: usize,
        /// The limit that was in force.
        limit: usize,
    },

    /// The signature header is absent or empty.
    ///
    /// Ping++ sends test-mode events without a signature; accepting those is an explicit
    /// opt-in ([`Verifier::insecure_accept_unsigned_test_events`](crate::Verifier::insecure_accept_unsigned_test_events)),
    /// and even then only for events with `"livemode": false`.
    #[error(
        "the {SIGNATURE_HEADER} header is missing or empty: live events are always signed; \
         test-mode events may be unsigned and are accepted only after \
         Verifier::insecure_accept_unsigned_test_events()"
    )]
    MissingSignature,

    /// The signature header is not standard base64 (padding optional, whitespace ignored).
    #[error(
        "the {SIGNATURE_HEADER} header is not standard base64: pass the header value exactly \
         as received"
    )]
    InvalidBase64 {
        /// What the decoder objected to.
        #[source]
        source: pingpp_sign::VerifyError,
    },

    /// The signature is well-formed but does not match the body under the configured key.
    #[error(
        "the webhook signature does not match the body: verify the raw body bytes before any \
         re-serialization or re-encoding, and check the key is the Ping++ public key from the \
         dashboard, not your own"
    )]
    SignatureMismatch {
        /// The verifier's error.
        #[source]
        source: pingpp_sign::VerifyError,
    },

    /// The body is not JSON at all.
    #[error("webhook body is not valid JSON (was the raw request body passed?)")]
    InvalidJson {
        /// The JSON parser's error.
        #[source]
        source: serde_json::Error,
    },

    /// The body is JSON, but not a Ping++ event.
    #[error("webhook body is JSON but not a Ping++ event object: {source}")]
    NotAnEvent {
        /// The JSON parser's error, naming the missing or mistyped field.
        #[source]
        source: serde_json::Error,
    },

    /// The public key given to [`Verifier::from_pem`](crate::Verifier::from_pem) could not be loaded.
    #[error(
        "could not load the Ping++ public key (expected the PEM `BEGIN PUBLIC KEY` block \
         from the Ping++ dashboard)"
    )]
    Key {
        /// The key parser's error.
        #[source]
        source: pingpp_sign::KeyError,
    },
}

impl WebhookError {
    /// The HTTP status a receiver should answer Ping++ with for this error.
    ///
    /// Every error here is the request's fault: `413` for an oversized body, `400`
    /// otherwise, except [`WebhookError::Key`] (a misconfigured receiver), which is `500`.
    /// Any non-2xx answer makes Ping++ deliver the event again later.
    pub fn http_status(&self) -> u16 {
        match self {
            WebhookError::BodyTooLarge { .. } => 413,
            WebhookError::Key { .. } => 500,
            _ => 400,
        }
    }

    /// Whether the error means the signature check failed (missing, malformed or mismatched).
    pub fn is_signature_error(&self) -> bool {
        matches!(
            self,
            WebhookError::MissingSignature
                | WebhookError::InvalidBase64 { .. }
                | WebhookError::SignatureMismatch { .. }
        )
    }
}
