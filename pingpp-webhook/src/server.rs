//! A ready webhook endpoint (feature `server`): verify, dedupe, hand typed events to
//! your async handler, and answer what Ping++ expects.
//!
//! | outcome | status |
//! |---|---|
//! | handler returned `Ok` | 200 |
//! | duplicate event (already handled) | 200, handler not called |
//! | same event being handled by another delivery right now | 409, handler not called (Ping++ retries) |
//! | signature missing, not base64 or not matching; body not an event | 400 |
//! | body not received within the body read timeout | 408 |
//! | body larger than the verifier's limit | 413 |
//! | method other than POST | 405 |
//! | handler returned `Err` or panicked; dedup store failed or unreachable | 500 (Ping++ retries) |
//!
//! An event is identified for deduplication by its id and mode ([`DedupKey`]); an event
//! without an id cannot be, and is handled on every delivery (with a warning in the log).
//!
//! The handler runs in its own tokio task: if Ping++ gives up on the connection while
//! the handler is still working, the handler still finishes, and a failure still frees
//! the event for the next delivery. With a store whose claims expire
//! (`RedisDedup`), the claim is renewed while the handler runs.
//!
//! Mount it in axum or any tower stack (feature `tower`), call
//! [`WebhookService::handle`] from any framework built on `http`, or run it with
//! [`serve`] / [`serve_with`], which cap connections, time out slow headers and idle
//! connections, and close the longest-idle connection when full ([`ServeConfig`]).
//! The same accept loop serves any hyper service ([`serve_http`], [`serve_http_until`]),
//! and [`read_body`] reads a body within a size and time limit as this service does.
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
//!
//! Several instances behind a load balancer share one store (feature `redis`):
//!
//! ```no_run
//! # #[cfg(feature = "redis")]
//! # async fn run(verifier: pingpp_webhook::Verifier) -> Result<(), Box<dyn std::error::Error>> {
//! use pingpp_webhook::{Event, RedisDedup, server::{ServeConfig, WebhookService}};
//!
//! let dedup = RedisDedup::builder("app_1Gqj58ynP0mHeX1q").connect("redis://10.0.0.5/").await?;
//! let service = WebhookService::with_dedup(verifier, |event: Event| async move {
//!     // ...credit the withdrawal, idempotently, then:
//!     Ok::<(), std::io::Error>(())
//! }, dedup);
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! pingpp_webhook::server::serve_with(listener, service, ServeConfig::default()).await;
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
use http_body_util::Full;
use hyper::body::Body;
use pingpp_types::Event;
use tokio::sync::oneshot;

use crate::{Claim, ClaimToken, DedupKey, DedupStore, MemoryDedup, Verifier, find_signature};

mod body;
mod conn;
#[cfg(feature = "tower")]
mod tower;

pub use body::{BodyError, read_body};
pub use conn::{ServeConfig, serve, serve_http, serve_http_until, serve_with};

/// Default time allowed to receive a request's body once its headers are in
/// ([`WebhookService::with_body_read_timeout`]).
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The error type event handlers return.
pub type HandlerError = Box<dyn std::error::Error + Send + Sync + 'static>;

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

/// The webhook endpoint: a `hyper` service, a `tower` service with the feature `tower`
/// (so `axum::Router::route_service` takes it), and callable directly with
/// [`WebhookService::handle`] from any framework built on `http` types.
///
/// Cheap to clone; clones share the handler and the dedup store.
pub struct WebhookService<H, D = MemoryDedup> {
    inner: Arc<Inner<H, D>>,
    body_read_timeout: Duration,
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
            body_read_timeout: self.body_read_timeout,
        }
    }
}

impl<H, D> std::fmt::Debug for WebhookService<H, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookService")
            .field("verifier", &self.inner.verifier)
            .field("body_read_timeout", &self.body_read_timeout)
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
    /// A service deduplicating with your own store: a concrete one, or an
    /// `Arc<dyn DedupStore>`.
    pub fn with_dedup(verifier: Verifier, handler: H, dedup: D) -> Self {
        WebhookService {
            inner: Arc::new(Inner {
                verifier,
                handler,
                dedup,
            }),
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
        }
    }

    /// Sets the time allowed to receive a request's body once its headers are in
    /// (default 10 s); a slower body is answered 408.
    pub fn with_body_read_timeout(mut self, timeout: Duration) -> Self {
        self.body_read_timeout = timeout;
        self
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
        let (parts, body) = request.into_parts();
        let body = match read_body(&parts.headers, body, limit, self.body_read_timeout).await {
            Ok(body) => body,
            Err(e) => return text(e.status(), e.to_string()),
        };
        let event = match self
            .inner
            .verifier
            .verify_and_parse(&body, find_signature(&parts.headers))
        {
            Ok(event) => event,
            Err(e) => {
                tracing::warn!(error = %e, "rejected Ping++ webhook");
                return text(e.status_code(), e.to_string());
            }
        };

        let claim = match DedupKey::from_event(&event) {
            None => {
                tracing::warn!(
                    event_type = %event.event_type(),
                    "Ping++ event without an id cannot be deduplicated; handling it on every delivery"
                );
                None
            }
            Some(key) => match self.inner.dedup.claim(&key).await {
                Ok(Claim::New(token)) => Some((key, token)),
                Ok(Claim::Duplicate) => {
                    tracing::info!(event = %key, "duplicate Ping++ event acknowledged");
                    return text(StatusCode::OK, "duplicate");
                }
                Ok(Claim::InProgress) => {
                    tracing::info!(event = %key, "Ping++ event is being handled; asked for a retry");
                    return text(StatusCode::CONFLICT, "event is being handled; retry later");
                }
                Err(e) => {
                    tracing::error!(error = %e, cause = %source_of(&e), event = %key, "dedup store failed");
                    return text(StatusCode::INTERNAL_SERVER_ERROR, "try again later");
                }
            },
        };

        // The work runs in its own task: if Ping++ drops the connection, the handler
        // still finishes and the claim is still completed or released.
        let (reply, handled) = oneshot::channel();
        tokio::spawn(Arc::clone(&self.inner).process(event, claim, reply));
        match handled.await {
            Ok(true) => text(StatusCode::OK, "ok"),
            _ => text(StatusCode::INTERNAL_SERVER_ERROR, "handler failed"),
        }
    }
}

impl<H: EventHandler, D: DedupStore> Inner<H, D> {
    /// Runs the handler, settles the claim, and sends whether the event was handled.
    async fn process(
        self: Arc<Self>,
        event: Event,
        claim: Option<(DedupKey, ClaimToken)>,
        reply: oneshot::Sender<bool>,
    ) {
        let event_type = event.event_type().to_owned();
        let failure = self.run_handler(event, claim.as_ref()).await.err();
        let Some((key, token)) = claim else {
            if let Some(failure) = &failure {
                tracing::error!(%event_type, error = %failure, "Ping++ event handler failed");
            }
            let _ = reply.send(failure.is_none());
            return;
        };
        if let Some(failure) = failure {
            tracing::error!(event = %key, %event_type, error = %failure, "Ping++ event handler failed");
            // Free the event before answering, so that Ping++'s retry is processed.
            if let Err(e) = self.dedup.release(&key, token).await {
                tracing::error!(
                    error = %e, cause = %source_of(&e), event = %key,
                    "could not release the event after a failure; retries get 409 until the claim's lease ends"
                );
            }
            let _ = reply.send(false);
            return;
        }
        // Handled: the answer is 200 whatever happens next, since the work is done. If
        // the store cannot record it, answer at once and keep trying in the background.
        let mut reply = Some(reply);
        let mut delay = Duration::from_millis(100);
        for attempt in 1..=COMPLETE_ATTEMPTS {
            match self.dedup.complete(&key, token).await {
                Ok(()) => break,
                Err(e) if attempt == COMPLETE_ATTEMPTS => tracing::error!(
                    error = %e, cause = %source_of(&e), event = %key,
                    "the event was handled but could not be marked done: a delivery after the claim's lease may handle it again"
                ),
                Err(e) => {
                    tracing::warn!(error = %e, cause = %source_of(&e), event = %key, attempt, "could not mark the event done; trying again");
                    if let Some(reply) = reply.take() {
                        let _ = reply.send(true);
                    }
                    tokio::time::sleep(delay).await;
                    delay *= 4;
                }
            }
        }
        if let Some(reply) = reply {
            let _ = reply.send(true);
        }
    }

    /// Runs the handler (a panic is a failure, not a crash), renewing the claim
    /// meanwhile when the store asks for it.
    async fn run_handler(
        &self,
        event: Event,
        claim: Option<&(DedupKey, ClaimToken)>,
    ) -> Result<(), String> {
        let mut work = std::pin::pin!(catch_unwind(self.handler.handle(event)));
        let result = match (claim, self.dedup.renew_interval()) {
            (Some((key, token)), Some(every)) => loop {
                tokio::select! {
                    result = &mut work => break result,
                    () = tokio::time::sleep(every) => match self.dedup.renew(key, *token).await {
                        Ok(true) => tracing::debug!(event = %key, "renewed the claim on a Ping++ event"),
                        Ok(false) => tracing::error!(
                            event = %key,
                            "lost the claim on a Ping++ event while handling it: another delivery may handle it too"
                        ),
                        Err(e) => tracing::warn!(error = %e, cause = %source_of(&e), event = %key, "could not renew the claim on a Ping++ event"),
                    },
                }
            },
            _ => work.await,
        };
        match result {
            Some(Ok(())) => Ok(()),
            Some(Err(e)) => Err(e.to_string()),
            None => Err("handler panicked".to_owned()),
        }
    }
}

/// Runs `future`, turning a panic while polling it into `None` (the panic hook still
/// reports it), as a spawned task would, without spawning one per delivery.
async fn catch_unwind<F: Future>(future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(std::task::Poll::Ready(output)) => std::task::Poll::Ready(Some(output)),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(_) => std::task::Poll::Ready(None),
        }
    })
    .await
}

/// How often [`DedupStore::complete`] is tried after a successful handler (over about
/// 8.5 s: 0.1 + 0.4 + 1.6 + 6.4 s between attempts).
const COMPLETE_ATTEMPTS: u32 = 5;

/// The cause under a store's error, for logs (`DedupError` displays only its summary).
fn source_of(e: &crate::DedupError) -> String {
    std::error::Error::source(e).map_or_else(String::new, ToString::to_string)
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

fn text(status: StatusCode, message: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(message.into()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
