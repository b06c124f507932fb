//! Reading a whole request body within a size limit and a time limit: the webhook
//! service's reader, public so that other services run by [`serve_http`] (the
//! `pingpp-mock` emulator) read bodies the same way.
//!
//! [`serve_http`]: super::serve_http

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode, header};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Body;

use super::HandlerError;

/// Why a request body could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// The body is larger than the limit: its declared `Content-Length` (refused
    /// before reading a byte of it), or the bytes that arrived.
    #[error("request body is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The body could not be read: the connection broke, or its framing is invalid
    /// (a malformed chunk).
    #[error("could not read the request body")]
    Read(#[source] HandlerError),
    /// The body did not arrive whole within the time allowed.
    #[error("request body not received within {0:?}")]
    TimedOut(Duration),
}

impl BodyError {
    /// The answer: 413, 400 or 408.
    pub fn status(&self) -> StatusCode {
        match self {
            BodyError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            BodyError::Read(_) => StatusCode::BAD_REQUEST,
            BodyError::TimedOut(_) => StatusCode::REQUEST_TIMEOUT,
        }
    }
}

/// Reads a whole request body of at most `limit` bytes within `timeout`.
///
/// A declared `Content-Length` over the limit is refused at once, without reading the
/// body; a body that turns out larger (chunked, or lying about its length) is refused
/// as soon as the limit is passed. The answer for each error is [`BodyError::status`];
/// the connection should then be closed (send `Connection: close`), since the rest of
/// the body was not read.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use std::time::Duration;
/// use bytes::Bytes;
/// use http::{HeaderMap, HeaderValue, StatusCode};
/// use http_body_util::Full;
/// use pingpp_webhook::server::read_body;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("content-length", HeaderValue::from_static("1000000000"));
/// let body = Full::new(Bytes::from_static(b"{}"));
/// let error = read_body(&headers, body, 1024, Duration::from_secs(10))
///     .await
///     .expect_err("declared too large");
/// assert_eq!(error.status(), StatusCode::PAYLOAD_TOO_LARGE);
/// # }
/// ```
pub async fn read_body<B>(
    headers: &HeaderMap,
    body: B,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, BodyError>
where
    B: Body,
    B::Error: Into<HandlerError>,
{
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(len) = declared
        && len > limit as u64
    {
        tracing::warn!(content_length = len, limit, "request body too large");
        return Err(BodyError::TooLarge { limit });
    }
    match tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            tracing::warn!(limit, "request body too large");
            Err(BodyError::TooLarge { limit })
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "could not read the request body");
            Err(BodyError::Read(e))
        }
        Err(_) => {
            tracing::warn!(?timeout, "request body not received in time");
            Err(BodyError::TimedOut(timeout))
        }
    }
}
