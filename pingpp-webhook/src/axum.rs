//! An axum 0.8 extractor for verified Ping++ events (feature `axum`).
//!
//! Two ways to receive Ping++ webhooks in an axum app:
//!
//! - Mount the whole endpoint, deduplication included:
//!   `Router::new().route_service("/webhooks/pingpp", webhook_service)` with a
//!   [`WebhookService`](crate::server::WebhookService).
//! - Or write the handler yourself with [`VerifiedEvent`]: the body is read within the
//!   verifier's size limit, the signature checked and the event parsed before your code
//!   runs; a bad delivery is answered 400 (413 when too large) by [`WebhookRejection`].
//!   Deduplicate yourself then (see [`DedupStore`](crate::DedupStore)).
//!
//! ```
//! use axum::{Router, http::StatusCode, routing::post};
//! use pingpp_webhook::{Verifier, axum::VerifiedEvent};
//!
//! async fn pingpp_webhook(VerifiedEvent(event): VerifiedEvent) -> StatusCode {
//!     println!("{} {:?}", event.event_type(), event.id);
//!     StatusCode::OK
//! }
//!
//! # fn app(verifier: Verifier) -> Router {
//! // The verifier comes from the state (any state `S` where `Verifier: FromRef<S>`).
//! Router::new()
//!     .route("/webhooks/pingpp", post(pingpp_webhook))
//!     .with_state(verifier)
//! # }
//! ```

use std::time::Duration;

use axum::extract::{FromRef, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::server::{BodyError, DEFAULT_BODY_READ_TIMEOUT, HandlerError, read_body};
use crate::{Event, Verifier, WebhookError, find_signature};

/// A Ping++ event whose signature was verified, extracted from the request.
///
/// Takes the [`Verifier`] from the router's state; enforces its body-size limit (a
/// larger declared or streamed body is refused with 413 before it is read whole) and a
/// body read timeout of [`DEFAULT_BODY_READ_TIMEOUT`].
#[derive(Debug, Clone)]
pub struct VerifiedEvent(pub Event);

impl<S> FromRequest<S> for VerifiedEvent
where
    Verifier: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebhookRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let verifier = Verifier::from_ref(state);
        let (parts, body) = request.into_parts();
        let body = read_body(
            &parts.headers,
            body,
            verifier.max_body_size(),
            DEFAULT_BODY_READ_TIMEOUT,
        )
        .await?;
        match verifier.verify_and_parse(&body, find_signature(&parts.headers)) {
            Ok(event) => Ok(VerifiedEvent(event)),
            Err(e) => {
                tracing::warn!(error = %e, "rejected Ping++ webhook");
                Err(e.into())
            }
        }
    }
}

/// Why [`VerifiedEvent`] refused a request; answers Ping++ as the server does.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookRejection {
    /// The body is larger than the verifier's limit (413).
    #[error("webhook body is larger than the limit of {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body was not received in time (408).
    #[error("webhook body not received within {timeout:?}")]
    BodyTimeout {
        /// The time allowed.
        timeout: Duration,
    },
    /// The body could not be read (400).
    #[error("could not read the webhook body")]
    BodyRead {
        /// The body stream's error.
        #[source]
        source: HandlerError,
    },
    /// The signature or the event is not valid (400, or 413 for a too large body).
    #[error(transparent)]
    Invalid(#[from] WebhookError),
}

impl WebhookRejection {
    /// The answer for Ping++: 400, 408 or 413; any non-2xx answer makes it retry.
    pub fn status(&self) -> StatusCode {
        match self {
            WebhookRejection::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            WebhookRejection::BodyTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            WebhookRejection::BodyRead { .. } => StatusCode::BAD_REQUEST,
            WebhookRejection::Invalid(e) => e.status_code(),
        }
    }
}

impl From<BodyError> for WebhookRejection {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::TooLarge { limit } => WebhookRejection::BodyTooLarge { limit },
            BodyError::TimedOut(timeout) => WebhookRejection::BodyTimeout { timeout },
            BodyError::Read(source) => WebhookRejection::BodyRead { source },
        }
    }
}

impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        (self.status(), self.to_string()).into_response()
    }
}
