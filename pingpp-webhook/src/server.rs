//! A ready webhook endpoint (feature `server`): verify, dedupe, hand typed events to
//! your async handler, and answer what Ping++ expects.
//!
//! | outcome | status |
//! |---|---|
//! | handler returned `Ok` | 200 |
//! | duplicate event id (already handled) | 200, handler not called |
//! | same event being handled by another delivery right now | 409, handler not called (Ping++ retries) |
//! | signature missing, not base64 or not matching; body not an event | 400 |
//! | body larger than the verifier's limit | 413 |
//! | method other than POST | 405 |
//! | handler returned `Err` or panicked; dedup store failed | 500 (Ping++ retries) |
//!
//! The handler runs in its own tokio task: if Ping++ gives up on the connection while
//! the handler is still working, the handler still finishes, and a failure still frees
//! the event id for the next delivery.
//!
//! ```no_run
//! use pingpp_webhook::{server::WebhookService, Event, Verifier};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = Verifier::from_pem(&std::fs::read_to_string("pingpp_public_key.pem")?)?;
//! let service = WebhookService::new(verifier, |event: Event| async move {
//!     println!("{} {:?}", event.event_type(), event.id);
//!     Ok::<(), std::io::Error>(())
//! });
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! pingpp_webhook::server::serve(listener, service).await;
//! # Ok(())
//! # }
//! ```

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Body;
use pingpp_types::Event;

use crate::{Claim, DedupStore, MemoryDedup, Verifier, find_signature};

/// The error type event handlers return.
pub type HandlerError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Time allowed to receive a request's headers, and then its body.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Your code that acts on a verified, deduplicated event.
///
/// Implemented for every `Fn(Event) -> impl Future<Output = Result<(), E>>` closure.
/// Return `Ok` only once the event is durably handled: the answer is then 200 and
/// Ping++ will not send it again. Return `Err` to get a 500 and a later retry.
pub trait EventHandler: Send + Sync + 'static {
    /// Handles one event.
    fn handle(&self, event: Event) -> impl Future<Output = Result<(), HandlerError>> + Send;
}

impl<F, Fut, E> EventHandler for F
where
    F: Fn(Event) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send,
    E: Into<HandlerError>,
{
    fn handle(&self, event: Event) -> impl Future<Output = Result<(), HandlerError>> + Send {
        let fut = self(event);
        async move { fut.await.map_err(Into::into) }
    }
}

/// The webhook endpoint: a `hyper` service (also callable directly with
/// [`WebhookService::handle`] from any framework built on `http` types).
///
/// Cheap to clone; clones share the handler and the dedup store.
pub struct WebhookService<H, D = MemoryDedup> {
    inner: Arc<Inner<H, D>>,
}

struct Inner<H, D> {
    verifier: Verifier,
    handler: H,
    dedup: D,
}

impl<H, D> Clone for WebhookService<H, D> {
    fn clone(&self) -> Self {
        WebhookService {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<H, D> std::fmt::Debug for WebhookService<H, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookService")
            .field("verifier", &self.inner.verifier)
            .finish_non_exhaustive()
    }
}

impl<H: EventHandler> WebhookService<H, MemoryDedup> {
    /// A service verifying with `verifier`, deduplicating in memory
    /// ([`MemoryDedup::default`]) and passing events to `handler`.
    pub fn new(verifier: Verifier, handler: H) -> Self {
        WebhookService::with_dedup(verifier, handler, MemoryDedup::default())
    }
}

impl<H: EventHandler, D: DedupStore> WebhookService<H, D> {
    /// A service deduplicating with your own store.
    pub fn with_dedup(verifier: Verifier, handler: H, dedup: D) -> Self {
        WebhookService {
            inner: Arc::new(Inner {
                verifier,
                handler,
                dedup,
            }),
        }
    }

    /// The dedup store.
    pub fn dedup(&self) -> &D {
        &self.inner.dedup
    }

    /// Handles one request and produces the answer for Ping++. Must run inside a tokio
    /// runtime (the handler is spawned as a task).
    pub async fn handle<B>(&self, request: Request<B>) -> Response<Full<Bytes>>
    where
        B: Body,
        B::Error: Into<HandlerError>,
    {
        if request.method() != Method::POST {
            let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "use POST");
            response
                .headers_mut()
                .insert(header::ALLOW, http::HeaderValue::from_static("POST"));
            return response;
        }
        let limit = self.inner.verifier.max_body_size();
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if let Some(len) = declared
            && len > limit as u64
        {
            tracing::warn!(content_length = len, limit, "Ping++ webhook body too large");
            return text(StatusCode::PAYLOAD_TOO_LARGE, "body too large");
        }
        let (parts, body) = request.into_parts();
        let signature = find_signature(&parts.headers).map(str::to_owned);

        let collected = tokio::time::timeout(READ_TIMEOUT, Limited::new(body, limit).collect());
        let body = match collected.await {
            Ok(Ok(collected)) => collected.to_bytes(),
            Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
                tracing::warn!(limit, "Ping++ webhook body too large");
                return text(StatusCode::PAYLOAD_TOO_LARGE, "body too large");
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "could not read Ping++ webhook body");
                return text(StatusCode::BAD_REQUEST, "could not read body");
            }
            Err(_) => return text(StatusCode::REQUEST_TIMEOUT, "body not received in time"),
        };

        let event = match self
            .inner
            .verifier
            .verify_and_parse(&body, signature.as_deref())
        {
            Ok(event) => event,
            Err(e) => {
                tracing::warn!(error = %e, "rejected Ping++ webhook");
                let status =
                    StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
                return text(status, &e.to_string());
            }
        };

        // An event without an id cannot be deduplicated: it is handled on every delivery.
        let dedup_id = event.id.clone();
        match &dedup_id {
            None => tracing::warn!(
                event_type = event.event_type(),
                "Ping++ event has no id: it cannot be deduplicated and is handled on every delivery"
            ),
            Some(id) => match self.inner.dedup.claim(id).await {
                Ok(Claim::New) => {}
                Ok(Claim::Duplicate) => {
                    tracing::info!(event_id = %id, "duplicate Ping++ event acknowledged");
                    return text(StatusCode::OK, "duplicate");
                }
                Ok(Claim::InProgress) => {
                    tracing::info!(event_id = %id, "Ping++ event is being handled; asked for a retry");
                    return text(StatusCode::CONFLICT, "event is being handled; retry later");
                }
                Err(e) => {
                    tracing::error!(error = %e, event_id = %id, "dedup store failed");
                    return text(StatusCode::INTERNAL_SERVER_ERROR, "try again later");
                }
            },
        }

        let inner = Arc::clone(&self.inner);
        let outcome = tokio::spawn(async move {
            let event_id = dedup_id.clone().unwrap_or_default();
            let event_type = event.event_type().to_owned();
            let worker = Arc::clone(&inner);
            let result = tokio::spawn(async move { worker.handler.handle(event).await }).await;
            let failure = match result {
                Ok(Ok(())) => {
                    if dedup_id.is_some()
                        && let Err(e) = inner.dedup.complete(&event_id).await
                    {
                        tracing::error!(error = %e, %event_id, "could not mark event id as handled");
                    }
                    return true;
                }
                Ok(Err(e)) => e.to_string(),
                Err(join) if join.is_panic() => "handler panicked".to_owned(),
                Err(_) => "handler cancelled".to_owned(),
            };
            tracing::error!(%event_id, %event_type, error = %failure, "Ping++ event handler failed");
            if dedup_id.is_some()
                && let Err(e) = inner.dedup.release(&event_id).await
            {
                tracing::error!(error = %e, %event_id, "could not release event id after failure");
            }
            false
        })
        .await;
        match outcome {
            Ok(true) => text(StatusCode::OK, "ok"),
            _ => text(StatusCode::INTERNAL_SERVER_ERROR, "handler failed"),
        }
    }
}

impl<H, D, B> hyper::service::Service<Request<B>> for WebhookService<H, D>
where
    H: EventHandler,
    D: DedupStore,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<HandlerError>,
{
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn call(&self, request: Request<B>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { Ok(this.handle(request).await) })
    }
}

/// Accepts HTTP/1 connections on `listener` and serves `service` on every path.
///
/// Runs until the task running it is dropped or aborted; accept errors (e.g. too many
/// open files) are logged and retried after a short pause.
pub async fn serve<H: EventHandler, D: DedupStore>(
    listener: tokio::net::TcpListener,
    service: WebhookService<H, D>,
) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _peer)) => stream,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let service = service.clone();
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(READ_TIMEOUT)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "webhook connection ended with an error");
            }
        });
    }
}

fn text(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(message.to_owned())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
