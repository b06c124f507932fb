//! The SDK's error type.

use std::fmt;
use std::time::Duration;

use http::StatusCode;
use pingpp_types::ErrorType;

use crate::config::ConfigError;
use crate::transport::TransportError;

/// How many bytes of an undecodable response body are kept in [`Error::Decode`].
pub const EXCERPT_LIMIT: usize = 512;

/// Everything that can go wrong with a Ping++ API call.
///
/// Use [`Error::may_have_been_sent`] to decide whether an operation that moves money
/// (a withdrawal, a refund) may exist on the server despite the error: when it returns
/// `true`, look the object up (for example by `order_no` in a list) before trying again.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error object.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The transport failed; see [`TransportError::may_have_been_sent`].
    #[error("HTTP transport error: {0}")]
    Transport(#[source] TransportError),
    /// No response arrived within the configured request timeout. The request may have
    /// been sent.
    #[error("no response within {timeout:?} (the request may have been sent)")]
    Timeout {
        /// The request timeout that elapsed.
        timeout: Duration,
    },
    /// The response could not be decoded: either a success body that is not the expected
    /// object, or an error status whose body is not a Ping++ error object.
    #[error("could not decode the HTTP {status} response: {excerpt:?}")]
    Decode {
        /// The response's HTTP status.
        status: StatusCode,
        /// The start of the response body (at most [`EXCERPT_LIMIT`] bytes, lossily UTF-8).
        excerpt: String,
        /// The JSON error, when the body was parsed.
        #[source]
        source: Option<serde_json::Error>,
    },
    /// The client is misconfigured.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The request could not be signed with the merchant private key.
    #[error("could not sign the request with the merchant private key")]
    Signing(#[source] pingpp_sign::SignError),
    /// The parameters failed validation; nothing was sent.
    #[error("invalid parameters (nothing was sent): {0}")]
    Validation(#[from] pingpp_types::ValidationError),
    /// The request could not be built (parameters that do not serialize, an id that
    /// cannot be a path segment); nothing was sent.
    #[error("could not build the request (nothing was sent): {message}")]
    Request {
        /// What was wrong.
        message: String,
        /// The underlying error, if any.
        #[source]
        source: Option<crate::transport::BoxError>,
    },
}

impl Error {
    /// Whether the request may have reached the server (and so, for a POST or PUT, may
    /// have taken effect).
    ///
    /// `false` for configuration, validation, signing and request-building errors and
    /// for connection failures; `true` when the server answered (even with an error),
    /// on timeouts and on connections that broke after the request was written.
    pub fn may_have_been_sent(&self) -> bool {
        match self {
            Error::Api(_) | Error::Decode { .. } | Error::Timeout { .. } => true,
            Error::Transport(e) => e.may_have_been_sent(),
            Error::Config(_) | Error::Signing(_) | Error::Validation(_) | Error::Request { .. } => {
                false
            }
        }
    }

    /// The API error, if the server answered with one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status of the response, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub(crate) fn request(message: impl Into<String>, source: Option<crate::BoxError>) -> Self {
        Error::Request {
            message: message.into(),
            source,
        }
    }

    pub(crate) fn decode(
        status: StatusCode,
        body: &[u8],
        source: Option<serde_json::Error>,
    ) -> Self {
        Error::Decode {
            status,
            excerpt: excerpt(body),
            source,
        }
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

/// The start of `body`, at most [`EXCERPT_LIMIT`] bytes, cut on a character boundary.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(EXCERPT_LIMIT)]);
    let mut s = text.into_owned();
    // A multi-byte character cut at the limit decodes to U+FFFD; drop it.
    if body.len() > EXCERPT_LIMIT {
        if s.ends_with('\u{FFFD}') {
            s.pop();
        }
        s.push('…');
    }
    s
}

/// An error object returned by the Ping++ API (`{"error":{"type":..,"message":..}}`).
///
/// The helpers classify it the way the official SDKs' exception classes do, by HTTP
/// status: 400/404 invalid request, 401 authentication (including a rejected request
/// signature), 402 channel, 403/429 rate limit, anything else API.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status of the response.
    pub status: StatusCode,
    /// The error's `type`.
    pub kind: ErrorType,
    /// The human-readable message (often Chinese).
    pub message: String,
    /// The machine-readable code, when given.
    pub code: Option<String>,
    /// The parameter at fault, when given.
    pub param: Option<String>,
}

impl ApiError {
    /// A bad parameter or an unknown object (HTTP 400 or 404).
    pub fn is_invalid_request(&self) -> bool {
        matches!(self.status.as_u16(), 400 | 404)
    }

    /// The API key or the request signature was rejected (HTTP 401).
    pub fn is_authentication(&self) -> bool {
        self.status == StatusCode::UNAUTHORIZED
    }

    /// The payment channel or a business rule refused (HTTP 402).
    pub fn is_channel(&self) -> bool {
        self.status == StatusCode::PAYMENT_REQUIRED
    }

    /// Too many requests (HTTP 403 or 429).
    pub fn is_rate_limit(&self) -> bool {
        matches!(self.status.as_u16(), 403 | 429)
    }

    /// Any other error, mostly server side (5xx).
    pub fn is_api(&self) -> bool {
        !(self.is_invalid_request()
            || self.is_authentication()
            || self.is_channel()
            || self.is_rate_limit())
    }

    /// The resource was not found (HTTP 404).
    pub fn is_not_found(&self) -> bool {
        self.status == StatusCode::NOT_FOUND
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Ping++ API error (HTTP {}, {}): {}",
            self.status.as_u16(),
            self.kind,
            self.message
        )?;
        if let Some(code) = &self.code {
            write!(f, " [code {code}]")?;
        }
        if let Some(param) = &self.param {
            write!(f, " [param {param}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_is_truncated_on_a_char_boundary() {
        let body = "错".repeat(400); // 1200 bytes
        let e = excerpt(body.as_bytes());
        assert!(e.len() <= EXCERPT_LIMIT + '…'.len_utf8());
        assert!(e.ends_with('…'));
        assert!(!e.contains('\u{FFFD}'));
        assert_eq!(excerpt(b"short"), "short");
    }
}
