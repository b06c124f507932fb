//! The SDK's error type and what each error means for money ([`Outcome`]).

use std::fmt;
use std::time::Duration;

use http::{HeaderMap, Method, StatusCode};
use pingpp_types::{ErrorCode, ErrorType};

use crate::config::ConfigError;
use crate::scrub::redact_secrets;
use crate::transport::{TransportError, TransportErrorKind};

/// How many bytes of an undecodable response body are kept in [`Error::Decode`] (after
/// secrets are removed, see [`redact_secrets`](crate::redact_secrets)).
pub const EXCERPT_LIMIT: usize = 256;

/// How many bytes of an API error message are kept.
pub const MESSAGE_LIMIT: usize = 1024;

/// Response headers that may carry a request id, in the order they are looked up.
///
/// No official SDK and no Ping++ document names one; Ping++'s API follows Stripe's
/// design, whose header is `Request-Id`, and `X-Request-Id` is the common gateway
/// convention. Both are kept when present.
pub const REQUEST_ID_HEADERS: [&str; 2] = ["request-id", "x-request-id"];

/// The response headers kept on an [`ApiError`]: the request ids, `Retry-After` and
/// `Date`. Nothing else is kept (no cookies, no echoed request headers).
pub const KEPT_RESPONSE_HEADERS: [&str; 4] = ["request-id", "x-request-id", "retry-after", "date"];

/// What a failed call means for the operation it asked for: the one question to answer
/// before trying again.
///
/// | outcome | meaning | what to do |
/// |---|---|---|
/// | [`NotSent`](Outcome::NotSent) | nothing reached the server | fix the cause if any; sending again is safe |
/// | [`Rejected`](Outcome::Rejected) | the server refused; nothing was done | fix the request (or wait, for a rate limit); sending again is safe |
/// | [`Unknown`](Outcome::Unknown) | it may have been done | look the object up (e.g. by `order_no`) before sending again, or use `create_or_find` |
///
/// [`Error::outcome`] maps every error; [`Outcome::as_str`] gives a stable name
/// (`not_sent`, `rejected`, `unknown`) for logs and exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// Nothing reached the server: validation, configuration, signing, a connection
    /// that could not be made.
    NotSent,
    /// The server answered with a definitive refusal (HTTP 4xx): nothing was done.
    Rejected,
    /// It may have been done: the connection broke or timed out after the request was
    /// written, the server answered 5xx, or a success response could not be read.
    Unknown,
}

impl Outcome {
    /// A stable lower-case name: `"not_sent"`, `"rejected"` or `"unknown"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::NotSent => "not_sent",
            Outcome::Rejected => "rejected",
            Outcome::Unknown => "unknown",
        }
    }

    /// Whether the operation may have taken effect ([`Outcome::Unknown`]).
    pub fn may_have_taken_effect(self) -> bool {
        self == Outcome::Unknown
    }

    /// The outcome of a response with this status whose body was not a success:
    /// 4xx is a refusal, anything else (5xx, an unreadable 2xx, 1xx, 3xx) is unknown.
    pub fn of_status(status: StatusCode) -> Outcome {
        if status.is_client_error() {
            Outcome::Rejected
        } else {
            Outcome::Unknown
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that can go wrong with a Ping++ API call.
///
/// Before trying a failed call again, ask [`Error::outcome`]:
///
/// | error | outcome | what to do |
/// |---|---|---|
/// | [`Validation`](Error::Validation), [`Config`](Error::Config), [`Signing`](Error::Signing), [`Request`](Error::Request) | `NotSent` | fix the parameters or configuration |
/// | [`Transport`](Error::Transport) of kind `Connect` (refused, DNS, TLS handshake, proxy) | `NotSent` | retry (the client already did, [`is_retryable`](Error::is_retryable)) |
/// | [`Api`](Error::Api) with HTTP 4xx (400, 401 signature, 402 balance, 404, 408, 409, 429) | `Rejected` | fix and send again; 408/429: wait and send again |
/// | [`Decode`](Error::Decode) or [`ResponseTooLarge`](Error::ResponseTooLarge) with HTTP 4xx | `Rejected` | as above |
/// | [`OrderNoConflict`](Error::OrderNoConflict) | `Rejected` | the `order_no` belongs to a different request: pick a new one |
/// | [`Api`](Error::Api) with HTTP 5xx | `Unknown` | look it up before sending again |
/// | [`Timeout`](Error::Timeout), [`Transport`](Error::Transport) of kind `Io`/`Timeout`/`Other` (cut after sending) | `Unknown` | look it up before sending again |
/// | [`Decode`](Error::Decode) or [`ResponseTooLarge`](Error::ResponseTooLarge) with HTTP 2xx/5xx | `Unknown` | look it up before sending again |
/// | [`RecoveryFailed`](Error::RecoveryFailed) | `Unknown` | look it up later |
/// | [`Pagination`](Error::Pagination) | `Unknown` | a read: nothing was changed; the listing cannot be trusted |
///
/// "Look it up" is `find_by_order_no` on withdrawals and recharges; for a withdrawal,
/// `create_or_find` does the whole recovery (the server refuses a used `order_no`, so
/// sending the same one again cannot pay twice).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error object.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The transport failed; see [`TransportError::kind`].
    #[error("HTTP transport error: {0}")]
    Transport(#[source] TransportError),
    /// No response arrived within the request timeout. The request may have been sent.
    #[error("no response within {timeout:?} (the request may have been sent)")]
    Timeout {
        /// The request timeout that elapsed.
        timeout: Duration,
        /// The request's method.
        method: Method,
    },
    /// The response could not be decoded: either a success body that is not the expected
    /// object, or an error status whose body is not a Ping++ error object.
    #[error("could not decode the HTTP {status} response: {excerpt:?}")]
    Decode {
        /// The response's HTTP status.
        status: StatusCode,
        /// The start of the response body: at most [`EXCERPT_LIMIT`] bytes, lossily
        /// UTF-8, secrets removed.
        excerpt: String,
        /// The response's request id, if it had one.
        request_id: Option<String>,
        /// The request's method.
        method: Method,
        /// The JSON error, when the body was parsed.
        #[source]
        source: Option<serde_json::Error>,
    },
    /// The response body was larger than the client's limit
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)):
    /// refused from `Content-Length` or while reading, before it could exhaust memory.
    #[error("the HTTP {status} response is larger than the {limit}-byte limit")]
    ResponseTooLarge {
        /// The response's HTTP status.
        status: StatusCode,
        /// The limit in bytes.
        limit: usize,
        /// The request's method.
        method: Method,
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
    /// Walking a paged list stopped because the server made no progress: a page
    /// repeated only items already seen. Nothing was changed (lists are reads).
    #[error("stopped listing at page {page}: {reason}")]
    Pagination {
        /// The page that showed the problem.
        page: u32,
        /// What went wrong.
        reason: String,
    },
    /// An `order_no` is already used by an object that is not the one asked for (a
    /// different user, amount or destination), or by none that the lookup can find.
    /// Nothing was created by this call.
    #[error(transparent)]
    OrderNoConflict(Box<OrderNoConflict>),
    /// A create may have taken effect (its outcome was unknown) and looking it up by
    /// `order_no` failed too; `source` is the failed lookup. Look it up again later.
    #[error(
        "the {resource} with order_no {order_no:?} may have been created, and looking it up failed"
    )]
    RecoveryFailed {
        /// `"withdrawal"` or `"recharge"`.
        resource: &'static str,
        /// The order number.
        order_no: String,
        /// Why the lookup failed.
        #[source]
        source: Box<Error>,
    },
}

impl Error {
    /// What this failure means for the operation: nothing sent, refused, or unknown.
    /// See the table on [`Error`].
    pub fn outcome(&self) -> Outcome {
        match self {
            Error::Config(_) | Error::Signing(_) | Error::Validation(_) | Error::Request { .. } => {
                Outcome::NotSent
            }
            Error::Transport(t) => match t.kind() {
                TransportErrorKind::Connect => Outcome::NotSent,
                _ => Outcome::Unknown,
            },
            Error::Timeout { .. } => Outcome::Unknown,
            Error::Api(e) => Outcome::of_status(e.status),
            Error::Decode { status, .. } | Error::ResponseTooLarge { status, .. } => {
                Outcome::of_status(*status)
            }
            Error::OrderNoConflict(_) => Outcome::Rejected,
            Error::RecoveryFailed { .. } | Error::Pagination { .. } => Outcome::Unknown,
        }
    }

    /// Whether the request may have reached the server **and taken effect**: `true`
    /// exactly when the outcome is [`Outcome::Unknown`]. A refused request
    /// ([`Outcome::Rejected`], any 4xx) did reach the server, but the answer proves that
    /// nothing was done, so this is `false` for it: fix the request and send it again.
    /// When it is `true`, look the object up (e.g. `find_by_order_no`) before sending a
    /// money-moving request again. [`outcome`](Error::outcome) tells all three cases apart.
    pub fn may_have_been_sent(&self) -> bool {
        self.outcome().may_have_taken_effect()
    }

    /// Whether sending the same request again is safe and could help:
    ///
    /// - a connection that could not be made (nothing was sent);
    /// - HTTP 408 and 429 (refused before anything was done; wait first, see
    ///   [`retry_after`](Error::retry_after));
    /// - for GET only: timeouts, broken connections and HTTP 502/503/504.
    ///
    /// Never for a POST or PUT whose outcome is [`Outcome::Unknown`]: look the object up
    /// first (`create_or_find` does it for withdrawals). The client's own retries follow
    /// exactly this rule.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(t) => match t.kind() {
                TransportErrorKind::Connect => true,
                _ => t.method().is_some_and(is_idempotent),
            },
            Error::Timeout { method, .. } => is_idempotent(method),
            Error::Api(e) => retryable_status(e.status, &e.method),
            Error::Decode { status, method, .. } => retryable_status(*status, method),
            Error::ResponseTooLarge { .. }
            | Error::Config(_)
            | Error::Signing(_)
            | Error::Validation(_)
            | Error::Request { .. }
            | Error::Pagination { .. }
            | Error::OrderNoConflict(_)
            | Error::RecoveryFailed { .. } => false,
        }
    }

    /// The API error, if the server answered with one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The API error's typed code, if the server answered with one.
    pub fn code(&self) -> Option<&ErrorCode> {
        self.as_api().and_then(|e| e.code.as_ref())
    }

    /// The HTTP status of the response, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode { status, .. } | Error::ResponseTooLarge { status, .. } => Some(*status),
            Error::RecoveryFailed { source, .. } => source.status(),
            _ => None,
        }
    }

    /// The request id of the response (see [`REQUEST_ID_HEADERS`]), if there was one:
    /// quote it to Ping++ support.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Decode { request_id, .. } => request_id.as_deref(),
            Error::RecoveryFailed { source, .. } => source.request_id(),
            _ => None,
        }
    }

    /// How long the server asked to wait (`Retry-After` in seconds), if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        self.as_api().and_then(ApiError::retry_after)
    }

    pub(crate) fn request(message: impl Into<String>, source: Option<crate::BoxError>) -> Self {
        Error::Request {
            message: message.into(),
            source,
        }
    }

    pub(crate) fn decode(
        status: StatusCode,
        headers: &HeaderMap,
        method: &Method,
        body: &[u8],
        source: Option<serde_json::Error>,
    ) -> Self {
        Error::Decode {
            status,
            excerpt: excerpt(body),
            request_id: request_id(headers),
            method: method.clone(),
            source,
        }
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

impl From<OrderNoConflict> for Error {
    fn from(e: OrderNoConflict) -> Self {
        Error::OrderNoConflict(Box::new(e))
    }
}

/// GET, HEAD and OPTIONS can be sent again after they may have reached the server.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// 408 and 429 were refused before anything was done; 502/503/504 may have been
/// processed, so only an idempotent request is sent again.
fn retryable_status(status: StatusCode, method: &Method) -> bool {
    match status.as_u16() {
        408 | 429 => true,
        502..=504 => is_idempotent(method),
        _ => false,
    }
}

/// The first request id header present.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    REQUEST_ID_HEADERS.iter().find_map(|name| {
        let value = headers.get(*name)?.to_str().ok()?.trim();
        (!value.is_empty()).then(|| truncate(value, 128))
    })
}

/// At most `limit` bytes of `text`, cut on a character boundary, with `…` when cut.
fn truncate(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut s = text[..end].to_owned();
    s.push('…');
    s
}

/// The start of `body` with secrets removed: at most [`EXCERPT_LIMIT`] bytes, cut on a
/// character boundary. Secrets are removed from a wider window first, so a key cut by
/// the limit is still recognised.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let window = &body[..body.len().min(EXCERPT_LIMIT * 4)];
    let text = String::from_utf8_lossy(window);
    // A multi-byte character cut at the window decodes to U+FFFD; drop it.
    let text = if body.len() > window.len() {
        text.trim_end_matches('\u{FFFD}')
    } else {
        &text
    };
    let clean = redact_secrets(text);
    let mut s = truncate(&clean, EXCERPT_LIMIT);
    if body.len() > window.len() && !s.ends_with('…') {
        s.push('…');
    }
    s
}

/// An error object returned by the Ping++ API (`{"error":{"type":..,"message":..}}`),
/// with the response's status, request id and the headers worth keeping.
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
    /// The human-readable message (often Chinese), at most [`MESSAGE_LIMIT`] bytes,
    /// secrets removed.
    pub message: String,
    /// The machine-readable code, when given.
    pub code: Option<ErrorCode>,
    /// The parameter at fault, when given.
    pub param: Option<String>,
    /// The response's request id (see [`REQUEST_ID_HEADERS`]), when given.
    pub request_id: Option<String>,
    /// The response headers listed in [`KEPT_RESPONSE_HEADERS`] that were present.
    pub headers: HeaderMap,
    /// The request's method.
    pub method: Method,
}

impl ApiError {
    /// An API error from a parsed error body and the response it came in. Secrets are
    /// removed from the message and the parameter name.
    pub fn from_response(
        status: StatusCode,
        headers: &HeaderMap,
        method: &Method,
        detail: pingpp_types::ApiErrorDetail,
    ) -> Self {
        let mut kept = HeaderMap::new();
        for name in KEPT_RESPONSE_HEADERS {
            if let Some(v) = headers.get(name) {
                kept.insert(name, v.clone());
            }
        }
        let code = detail.error_code();
        ApiError {
            status,
            kind: detail.kind,
            message: truncate(&redact_secrets(&detail.message), MESSAGE_LIMIT),
            code,
            param: detail
                .param
                .map(|p| truncate(&redact_secrets(&p), MESSAGE_LIMIT)),
            request_id: request_id(headers),
            headers: kept,
            method: method.clone(),
        }
    }

    /// A bad parameter or an unknown object (HTTP 400 or 404).
    pub fn is_invalid_request(&self) -> bool {
        matches!(self.status.as_u16(), 400 | 404)
    }

    /// The API key or the request signature was rejected (HTTP 401).
    pub fn is_authentication(&self) -> bool {
        self.status == StatusCode::UNAUTHORIZED
    }

    /// The request signature (or its timestamp) was refused: a 401 whose code is one of
    /// the signature codes ([`ErrorCode::is_signature_error`]).
    pub fn is_signature_error(&self) -> bool {
        self.is_authentication()
            && self
                .code
                .as_ref()
                .is_some_and(ErrorCode::is_signature_error)
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

    /// `Retry-After` in seconds, when the server sent it.
    pub fn retry_after(&self) -> Option<Duration> {
        crate::retry::retry_after(&self.headers)
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
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// One field that differs between the request and the object found under its
/// `order_no`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldDifference {
    /// The field (`user`, `amount`, `channel`, ...).
    pub field: &'static str,
    /// What the request asked for.
    pub requested: String,
    /// What the object found has (`null` when absent).
    pub found: String,
}

impl FieldDifference {
    /// A difference in `field`.
    pub fn new(
        field: &'static str,
        requested: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        FieldDifference {
            field,
            requested: requested.into(),
            found: found.into(),
        }
    }
}

/// An `order_no` already belongs to another request; see [`Error::OrderNoConflict`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrderNoConflict {
    /// `"withdrawal"` or `"recharge"`.
    pub resource: &'static str,
    /// The order number.
    pub order_no: String,
    /// The id of the object found under the order number, if one was found.
    pub existing_id: Option<String>,
    /// How it differs from the request (empty when none was found).
    pub differences: Vec<FieldDifference>,
}

impl OrderNoConflict {
    /// A conflict for `order_no` of a `resource`.
    pub fn new(
        resource: &'static str,
        order_no: impl Into<String>,
        existing_id: Option<String>,
        differences: Vec<FieldDifference>,
    ) -> Self {
        OrderNoConflict {
            resource,
            order_no: order_no.into(),
            existing_id,
            differences,
        }
    }
}

impl fmt::Display for OrderNoConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "order_no {:?} is already used", self.order_no)?;
        match &self.existing_id {
            None => write!(
                f,
                " by a {} this lookup cannot find (another user's?); choose another order_no",
                self.resource
            ),
            Some(id) => {
                write!(f, " by {} {id}, which differs:", self.resource)?;
                for (i, d) in self.differences.iter().enumerate() {
                    let sep = if i == 0 { " " } else { "; " };
                    write!(
                        f,
                        "{sep}{} requested {} but found {}",
                        d.field, d.requested, d.found
                    )?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for OrderNoConflict {}

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

    #[test]
    fn excerpt_removes_a_key_cut_by_the_limit() {
        // The key straddles EXCERPT_LIMIT: the visible part must still be redacted.
        let mut body = "x".repeat(EXCERPT_LIMIT - 12);
        body.push_str(" sk_live_AAAABBBBCCCCDDDD tail");
        let e = excerpt(body.as_bytes());
        assert!(!e.contains("AAAA"), "{e}");
        assert!(e.ends_with('…'));
    }

    #[test]
    fn outcomes_follow_the_status() {
        for (status, outcome) in [
            (400, Outcome::Rejected),
            (401, Outcome::Rejected),
            (402, Outcome::Rejected),
            (404, Outcome::Rejected),
            (408, Outcome::Rejected),
            (409, Outcome::Rejected),
            (429, Outcome::Rejected),
            (200, Outcome::Unknown),
            (302, Outcome::Unknown),
            (500, Outcome::Unknown),
            (502, Outcome::Unknown),
            (503, Outcome::Unknown),
        ] {
            let status = StatusCode::from_u16(status).unwrap();
            assert_eq!(Outcome::of_status(status), outcome, "{status}");
        }
        assert_eq!(Outcome::NotSent.to_string(), "not_sent");
        assert_eq!(Outcome::Rejected.as_str(), "rejected");
        assert_eq!(Outcome::Unknown.to_string(), "unknown");
    }

    fn api(status: u16, method: Method, code: Option<&str>) -> Error {
        let detail: pingpp_types::ApiErrorDetail = serde_json::from_value(serde_json::json!({
            "type": "invalid_request_error", "message": "m", "code": code
        }))
        .unwrap();
        ApiError::from_response(
            StatusCode::from_u16(status).unwrap(),
            &HeaderMap::new(),
            &method,
            detail,
        )
        .into()
    }

    #[test]
    fn retryable_only_where_sending_again_cannot_repeat_an_effect() {
        assert!(api(429, Method::POST, None).is_retryable());
        assert!(api(408, Method::PUT, None).is_retryable());
        assert!(api(503, Method::GET, None).is_retryable());
        assert!(!api(503, Method::POST, None).is_retryable());
        assert!(!api(500, Method::GET, None).is_retryable());
        assert!(!api(400, Method::POST, Some("order_no_used")).is_retryable());
        assert!(
            TransportError::connect("refused")
                .into_error(&Method::POST)
                .is_retryable()
        );
        assert!(
            !TransportError::io("cut")
                .into_error(&Method::POST)
                .is_retryable()
        );
        assert!(
            TransportError::io("cut")
                .into_error(&Method::GET)
                .is_retryable()
        );
        let t = |m: Method| Error::Timeout {
            timeout: Duration::from_secs(1),
            method: m,
        };
        assert!(t(Method::GET).is_retryable());
        assert!(!t(Method::POST).is_retryable());
        // Every retryable error is either not sent, rejected, or a GET.
        for e in [api(503, Method::POST, None), t(Method::PUT)] {
            assert_eq!(e.outcome(), Outcome::Unknown);
            assert!(!e.is_retryable());
        }
    }

    #[test]
    fn may_have_been_sent_agrees_with_the_outcome() {
        let cases = [
            api(400, Method::POST, Some("order_no_used")),
            api(502, Method::POST, None),
            TransportError::connect("refused").into_error(&Method::POST),
            TransportError::io("cut").into_error(&Method::POST),
            Error::request("bad", None),
        ];
        for e in &cases {
            assert_eq!(
                e.may_have_been_sent(),
                e.outcome() == Outcome::Unknown,
                "{e}"
            );
        }
        assert_eq!(cases[0].outcome(), Outcome::Rejected);
        assert_eq!(cases[0].code(), Some(&ErrorCode::OrderNoUsed));
        assert_eq!(cases[1].outcome(), Outcome::Unknown);
        assert_eq!(cases[2].outcome(), Outcome::NotSent);
        assert_eq!(cases[3].outcome(), Outcome::Unknown);
        assert_eq!(cases[4].outcome(), Outcome::NotSent);
    }

    #[test]
    fn api_errors_keep_the_request_id_and_scrub_the_message() {
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", "req_123".parse().unwrap());
        headers.insert("set-cookie", "session=secret".parse().unwrap());
        headers.insert("retry-after", "7".parse().unwrap());
        let detail: pingpp_types::ApiErrorDetail = serde_json::from_value(serde_json::json!({
            "type": "invalid_request_error",
            "message": "bad key Bearer sk_test_SECRETSECRET1234",
            "code": "unauthorized"
        }))
        .unwrap();
        let e = ApiError::from_response(StatusCode::UNAUTHORIZED, &headers, &Method::GET, detail);
        assert_eq!(e.request_id.as_deref(), Some("req_123"));
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
        assert!(e.headers.get("set-cookie").is_none());
        assert_eq!(e.code, Some(ErrorCode::Unauthorized));
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("SECRETSECRET"), "{shown}");
        assert!(shown.contains("[request id req_123]"), "{shown}");
    }
}
