//! The [`Transport`] trait: how the SDK puts bytes on the wire.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use http::{Method, StatusCode};

/// A boxed, `Send` future, as returned by [`Transport::send`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A boxed error source.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Sends one HTTP request and returns the whole response.
///
/// The request may carry a [`ResponseBodyLimit`] extension: a transport must not keep
/// more response body bytes than it says, and fail with
/// [`TransportError::response_too_large`] instead (checking `Content-Length` first, then
/// while reading). The client checks the limit again on whatever the transport returns.
///
/// The trait is object safe: the client holds an `Arc<dyn Transport>`, so users can
/// plug in their own (a proxy, a recorder, a mock). A transport performs exactly one
/// attempt; retries, timeouts, signing and error mapping happen in the client's pipeline.
///
/// Implementations must classify failures honestly: return
/// [`TransportErrorKind::Connect`] only when the request provably never left this
/// process (the connection could not be established), because the client retries
/// POST and PUT requests on that kind alone.
///
/// ```
/// use bytes::Bytes;
/// use pingpp_transport::{BoxFuture, Transport, TransportError};
///
/// /// A transport that answers every request with an empty JSON list.
/// struct Canned;
///
/// impl Transport for Canned {
///     fn send(
///         &self,
///         _request: http::Request<Bytes>,
///     ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
///         Box::pin(async {
///             Ok(http::Response::new(Bytes::from_static(
///                 br#"{"object":"list","url":"/v1","has_more":false,"data":[]}"#,
///             )))
///         })
///     }
/// }
///
/// let transport: std::sync::Arc<dyn Transport> = std::sync::Arc::new(Canned);
/// # let _ = transport;
/// ```
pub trait Transport: Send + Sync {
    /// Sends `request` (its URI is absolute) and returns the response with its whole body.
    fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>>;
}

/// What went wrong in a [`Transport`], and so whether the request may have reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be established (DNS, refused, TLS handshake, connect
    /// timeout). The request was **not** sent.
    Connect,
    /// The transport gave up waiting. The request may have been sent.
    Timeout,
    /// The connection failed while sending or receiving (reset, closed early). The
    /// request may have been sent.
    Io,
    /// Any other failure. The request may have been sent.
    Other,
    /// The response body is larger than the [`ResponseBodyLimit`]; the response head
    /// (and so its status) arrived.
    ResponseTooLarge,
}

impl TransportErrorKind {
    /// Whether a request that failed this way may have reached the server.
    pub fn may_have_been_sent(self) -> bool {
        !matches!(self, TransportErrorKind::Connect)
    }
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Connect => "could not connect (request not sent)",
            TransportErrorKind::Timeout => "timed out (request may have been sent)",
            TransportErrorKind::Io => "connection failed (request may have been sent)",
            TransportErrorKind::Other => "transport failed (request may have been sent)",
            TransportErrorKind::ResponseTooLarge => "the response body is larger than the limit",
        })
    }
}

/// The most response body bytes a [`Transport`] may keep, carried as an extension of
/// every request the client sends (`request.extensions().get::<ResponseBodyLimit>()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResponseBodyLimit(pub usize);

/// A failure of a [`Transport`], with its kind and underlying cause.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    source: Option<BoxError>,
    /// The response status, for [`TransportErrorKind::ResponseTooLarge`].
    status: Option<StatusCode>,
    /// The limit that was exceeded, for [`TransportErrorKind::ResponseTooLarge`].
    limit: Option<usize>,
    /// The request's method, set by the client.
    method: Option<Method>,
}

impl TransportError {
    /// A failure of the given kind caused by `source`.
    pub fn new(kind: TransportErrorKind, source: impl Into<BoxError>) -> Self {
        TransportError {
            kind,
            source: Some(source.into()),
            status: None,
            limit: None,
            method: None,
        }
    }

    /// A failure of the given kind with no further cause.
    pub fn from_kind(kind: TransportErrorKind) -> Self {
        TransportError {
            kind,
            source: None,
            status: None,
            limit: None,
            method: None,
        }
    }

    /// A response with `status` whose body exceeds `limit` bytes.
    pub fn response_too_large(status: StatusCode, limit: usize) -> Self {
        TransportError {
            status: Some(status),
            limit: Some(limit),
            ..Self::from_kind(TransportErrorKind::ResponseTooLarge)
        }
    }

    /// The connection could not be made; the request was not sent.
    pub fn connect(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Connect, source)
    }

    /// The connection broke after the request may have been sent.
    pub fn io(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Io, source)
    }

    /// The transport timed out; the request may have been sent.
    pub fn timeout(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Timeout, source)
    }

    /// Any other failure; the request may have been sent.
    pub fn other(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Other, source)
    }

    /// The kind of failure.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Whether the request may have reached the server. `false` only when the
    /// connection provably could not be made.
    pub fn may_have_been_sent(&self) -> bool {
        self.kind.may_have_been_sent()
    }

    /// The response status, when a response head arrived (for
    /// [`TransportErrorKind::ResponseTooLarge`]).
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// The method of the request that failed, once the client has seen the error.
    pub fn method(&self) -> Option<&Method> {
        self.method.as_ref()
    }

    /// The client's error for this failure of a `method` request.
    pub(crate) fn into_error(mut self, method: &Method) -> crate::Error {
        if self.kind == TransportErrorKind::ResponseTooLarge {
            return crate::Error::ResponseTooLarge {
                status: self.status.unwrap_or(StatusCode::OK),
                limit: self.limit.unwrap_or(0),
                method: method.clone(),
            };
        }
        self.method = Some(method.clone());
        crate::Error::Transport(self)
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn only_connect_errors_are_provably_unsent() {
        assert!(!TransportError::connect("refused").may_have_been_sent());
        assert!(TransportError::io("reset").may_have_been_sent());
        assert!(TransportError::timeout("slow").may_have_been_sent());
        assert!(TransportError::other("?").may_have_been_sent());
    }

    #[test]
    fn keeps_its_source() {
        let e = TransportError::io(std::io::Error::other("connection reset"));
        let src = StdError::source(&e).map(|s| s.to_string());
        assert_eq!(src.as_deref(), Some("connection reset"));
    }

    #[test]
    fn trait_is_object_safe() {
        struct Nop;
        impl Transport for Nop {
            fn send(
                &self,
                _r: http::Request<Bytes>,
            ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
                Box::pin(async { Err(TransportError::from_kind(TransportErrorKind::Other)) })
            }
        }
        let t: Arc<dyn Transport> = Arc::new(Nop);
        let _ = t;
    }
}
