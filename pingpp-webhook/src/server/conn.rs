//! Accepting and keeping connections: a cap on their number, header and idle timeouts,
//! and room made for new connections by closing the longest-idle ones.
//!
//! Hostile clients can open connections and send nothing (or send headers slowly). With
//! only timeouts, such connections fill the cap or the process's file descriptors and a
//! real delivery waits until they time out. So when the server is full (the cap is
//! reached, or `accept` fails for lack of descriptors) it closes the connection that has
//! been idle longest (no request being handled on it) and takes the new one. A
//! connection whose request is being handled is never closed this way.

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use std::future::Future;

use http::{Request, Response};
use hyper::body::{Body, Incoming};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore};

use super::{EventHandler, WebhookService};
use crate::DedupStore;

/// Connection limits and timeouts for [`serve_with`] and [`serve_http`].
///
/// The body read timeout belongs to the service:
/// [`WebhookService::with_body_read_timeout`] (and [`read_body`](super::read_body)
/// for other services).
///
/// ```
/// use std::time::Duration;
/// use pingpp_webhook::server::ServeConfig;
///
/// let config = ServeConfig::default()
///     .with_max_connections(256)
///     .with_header_read_timeout(Duration::from_secs(5))
///     .with_idle_timeout(Duration::from_secs(90));
/// assert_eq!(config.max_connections(), 256);
/// ```
#[derive(Debug, Clone)]
pub struct ServeConfig {
    max_connections: usize,
    header_read_timeout: Duration,
    idle_timeout: Duration,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            max_connections: Self::DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: Self::DEFAULT_HEADER_READ_TIMEOUT,
            idle_timeout: Self::DEFAULT_IDLE_TIMEOUT,
        }
    }
}

impl ServeConfig {
    /// Default cap on open connections.
    pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
    /// Default time a new connection has to send its request's headers.
    pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default time a kept-alive connection may wait for its next request: longer than
    /// the 60 s idle timeout common in load balancers, so that the balancer, not this
    /// server, closes an idle connection (the other way round races with a request).
    pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(75);

    /// Sets the cap on open connections (at least 1, at most `u32::MAX`). When it is
    /// reached, the connection idle longest is closed to make room; if every connection
    /// is busy handling a request, new connections wait in the listen backlog.
    pub fn with_max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.clamp(1, MAX_CONNECTIONS_LIMIT);
        self
    }

    /// Sets the time allowed to receive a request's headers, counted from the accepted
    /// connection or, on a kept-alive connection, from the first byte of the next request.
    pub fn with_header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Sets how long a kept-alive connection may wait for its next request.
    pub fn with_idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// The cap on open connections.
    pub fn max_connections(&self) -> usize {
        self.max_connections
    }

    /// The time allowed to receive a request's headers.
    pub fn header_read_timeout(&self) -> Duration {
        self.header_read_timeout
    }

    /// How long a kept-alive connection may wait for its next request.
    pub fn idle_timeout(&self) -> Duration {
        self.idle_timeout
    }
}

/// The largest cap [`ServeConfig::with_max_connections`] takes: what a tokio semaphore
/// holds, and what `acquire_many` can wait for at shutdown.
const MAX_CONNECTIONS_LIMIT: usize = if Semaphore::MAX_PERMITS < u32::MAX as usize {
    Semaphore::MAX_PERMITS
} else {
    u32::MAX as usize
};

/// Accepts HTTP/1 connections on `listener` and serves `service` on every path, with
/// the default [`ServeConfig`].
///
/// Runs until the task running it is dropped or aborted.
pub async fn serve<H: EventHandler, D: DedupStore>(
    listener: TcpListener,
    service: WebhookService<H, D>,
) {
    serve_with(listener, service, ServeConfig::default()).await;
}

/// Accepts HTTP/1 connections on `listener` and serves `service` on every path, within
/// the limits of `config`.
///
/// Runs until the task running it is dropped or aborted (open connections then keep
/// being served until they end). When `accept` fails for lack of file descriptors, the
/// longest-idle connection is closed to free one; other accept errors are logged and
/// retried after a short pause.
pub async fn serve_with<H: EventHandler, D: DedupStore>(
    listener: TcpListener,
    service: WebhookService<H, D>,
    config: ServeConfig,
) {
    serve_http(listener, service, config).await;
}

/// Accepts HTTP/1 connections on `listener` and serves any hyper `service` on them,
/// with the connection cap, timeouts and room-making of [`serve_with`].
///
/// Runs until the task running it is dropped or aborted (open connections then keep
/// being served until they end); [`serve_http_until`] stops on a signal and closes
/// the connections. The service reads request bodies itself: bound their size and
/// time with [`read_body`](super::read_body). A service error closes the connection
/// without an answer.
///
/// ```no_run
/// use std::convert::Infallible;
/// use bytes::Bytes;
/// use http_body_util::Full;
/// use hyper::service::service_fn;
/// use pingpp_webhook::server::{ServeConfig, serve_http};
///
/// # async fn run() -> std::io::Result<()> {
/// let service = service_fn(|_request| async {
///     Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from_static(b"hello"))))
/// });
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// serve_http(listener, service, ServeConfig::default().with_max_connections(64)).await;
/// # Ok(())
/// # }
/// ```
pub async fn serve_http<S, B>(listener: TcpListener, service: S, config: ServeConfig)
where
    S: hyper::service::Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    serve_http_until(listener, service, config, std::future::pending()).await;
}

/// [`serve_http`] until `shutdown` completes; then stops accepting, closes idle
/// connections at once, lets a response being produced or written finish (for at most
/// one second), and returns once every connection is closed.
pub async fn serve_http_until<S, B, F>(
    listener: TcpListener,
    service: S,
    config: ServeConfig,
    shutdown: F,
) where
    S: hyper::service::Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    F: Future<Output = ()>,
{
    let tracker = Arc::new(Tracker::default());
    let slots = Arc::new(Semaphore::new(config.max_connections));
    let max_connections = config.max_connections;
    let config = Arc::new(config);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            biased;
            () = shutdown.as_mut() => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _peer)) => stream,
            Err(e) if out_of_descriptors(&e) => {
                if let Some(evicted) = tracker.evict_idlest() {
                    tracing::warn!(error = %e, "out of file descriptors: closed the longest-idle connection");
                    // Wait until its descriptor is really closed (bounded: a slow close
                    // must not stall accepting).
                    let _ = tokio::time::timeout(EVICTION_GRACE, evicted.closed.notified()).await;
                } else {
                    tracing::warn!(error = %e, "out of file descriptors and no idle connection to close");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                continue;
            }
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let slot = match Arc::clone(&slots).try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                if tracker.evict_idlest().is_some() {
                    tracing::debug!("connection cap reached: closed the longest-idle connection");
                } else {
                    tracing::warn!("connection cap reached and every connection is busy; waiting");
                }
                tokio::select! {
                    biased;
                    () = shutdown.as_mut() => break,
                    slot = Arc::clone(&slots).acquire_owned() => match slot {
                        Ok(slot) => slot,
                        Err(_) => return, // the semaphore is never closed
                    },
                }
            }
        };
        // Answers are written whole; do not let Nagle hold one back for an ACK.
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
        let (id, state) = tracker.register();
        let service = service.clone();
        let tracker = Arc::clone(&tracker);
        let config = Arc::clone(&config);
        tokio::spawn(async move {
            run_connection(stream, service, Arc::clone(&state), &config).await;
            tracker.remove(id);
            state.closed.notify_one();
            drop(slot);
        });
    }
    drop(listener);
    let open = tracker.close_all();
    tracing::debug!(open, "shutting down: closing every connection");
    // Every connection gives its slot back when it is closed.
    let all = u32::try_from(max_connections).unwrap_or(u32::MAX);
    let _ = slots.acquire_many(all).await;
}

/// How long an evicted or timed-out connection may take to finish a response it is
/// writing before it is dropped.
const EVICTION_GRACE: Duration = Duration::from_secs(1);

/// `EMFILE` (process) or `ENFILE` (system): no file descriptor for the new connection.
/// The codes are the same on Linux, the BSDs and macOS.
fn out_of_descriptors(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(23 | 24))
}

async fn run_connection<S, B>(
    stream: TcpStream,
    service: S,
    state: Arc<ConnState>,
    config: &ServeConfig,
) where
    S: hyper::service::Service<Request<Incoming>, Response = Response<B>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let io = TokioIo::new(Tracked {
        stream,
        state: Arc::clone(&state),
    });
    let service = TrackedService {
        service,
        state: Arc::clone(&state),
    };
    let mut builder = hyper::server::conn::http1::Builder::new();
    // Header and idle timeouts are enforced below, where they can be told apart.
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(None)
        .max_buf_size(MAX_BUF_SIZE);
    let connection = builder.serve_connection(io, service);
    let mut connection = std::pin::pin!(connection);
    // The timer is armed no later than the connection's deadline, and rechecked at least
    // every `recheck`: requests starting, ending or sending their first byte then cost
    // no wake-up of this task.
    let recheck = config.header_read_timeout.min(config.idle_timeout);
    let next_check = |now: tokio::time::Instant| {
        let latest = now + recheck;
        state
            .deadline(config)
            .map_or(latest, |deadline| deadline.min(latest))
    };
    let timer = tokio::time::sleep_until(next_check(tokio::time::Instant::now()));
    let mut timer = std::pin::pin!(timer);
    let why = loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            () = state.evict.notified() => break "evicted to make room, or shutting down",
            () = timer.as_mut() => {
                let now = tokio::time::Instant::now();
                if state.deadline(config).is_some_and(|deadline| deadline <= now) {
                    break "timed out";
                }
                timer.as_mut().reset(next_check(now));
            }
        }
    };
    tracing::debug!(why, "closing a connection");
    // Lets a response being written finish, then closes (at once when idle).
    connection.as_mut().graceful_shutdown();
    let _ = tokio::time::timeout(EVICTION_GRACE, connection).await;
}

/// Largest read buffer per connection: Ping++'s headers are small, and the body is
/// streamed through it.
const MAX_BUF_SIZE: usize = 64 * 1024;

/// The open connections, for picking one to close.
#[derive(Default)]
struct Tracker {
    epoch: EpochClock,
    next_id: AtomicU64,
    connections: Mutex<HashMap<u64, Arc<ConnState>>>,
}

impl Tracker {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<ConnState>>> {
        self.connections
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn register(&self) -> (u64, Arc<ConnState>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let state = Arc::new(ConnState::new(self.epoch.clone()));
        self.lock().insert(id, Arc::clone(&state));
        (id, state)
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// Signals every connection, idle or busy, to close; returns how many are open.
    fn close_all(&self) -> usize {
        let connections = self.lock();
        for c in connections.values() {
            c.evicted.store(true, Ordering::Release);
            c.evict.notify_one();
        }
        connections.len()
    }

    /// Signals the connection idle longest (none of its requests being handled) to
    /// close, and returns it; `None` when every connection is busy.
    fn evict_idlest(&self) -> Option<Arc<ConnState>> {
        let connections = self.lock();
        // Idle longest first; among equals (same millisecond), accepted first.
        let (_, idlest) = connections
            .iter()
            .filter(|(_, c)| {
                c.in_flight.load(Ordering::Acquire) == 0 && !c.evicted.load(Ordering::Acquire)
            })
            .min_by_key(|(id, c)| (c.idle_since.load(Ordering::Acquire), **id))?;
        idlest.evicted.store(true, Ordering::Release);
        idlest.evict.notify_one();
        Some(Arc::clone(idlest))
    }
}

/// Milliseconds since the server started, as a cheap shared clock for the atomics.
#[derive(Clone)]
struct EpochClock(Instant);

impl Default for EpochClock {
    fn default() -> Self {
        EpochClock(Instant::now())
    }
}

impl EpochClock {
    fn now(&self) -> u64 {
        u64::try_from(self.0.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn instant(&self, ms: u64) -> tokio::time::Instant {
        tokio::time::Instant::from_std(self.0 + Duration::from_millis(ms))
    }
}

/// What the accept loop and the timeouts need to know about one connection.
struct ConnState {
    clock: EpochClock,
    /// Requests whose handling has started and not finished.
    in_flight: AtomicUsize,
    /// Whether a request has been answered on this connection (it is then kept alive).
    served: AtomicBool,
    /// When the connection last became idle (accepted, or a request finished), in
    /// [`EpochClock`] milliseconds.
    idle_since: AtomicU64,
    /// When the first byte of the next request arrived, plus one; 0 when none has.
    first_byte: AtomicU64,
    evicted: AtomicBool,
    /// Wakes the connection task to close the connection.
    evict: Notify,
    /// Signalled once the connection is closed.
    closed: Notify,
}

impl ConnState {
    fn new(clock: EpochClock) -> Self {
        let now = clock.now();
        ConnState {
            clock,
            in_flight: AtomicUsize::new(0),
            served: AtomicBool::new(false),
            idle_since: AtomicU64::new(now),
            first_byte: AtomicU64::new(0),
            evicted: AtomicBool::new(false),
            evict: Notify::new(),
            closed: Notify::new(),
        }
    }

    /// When the connection must be closed if nothing changes; `None` while a request
    /// is being handled (the body read timeout and the handler bound that).
    fn deadline(&self, config: &ServeConfig) -> Option<tokio::time::Instant> {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return None;
        }
        let first_byte = self.first_byte.load(Ordering::Acquire);
        let ms = if first_byte > 0 {
            (first_byte - 1).saturating_add(millis(config.header_read_timeout))
        } else if self.served.load(Ordering::Acquire) {
            self.idle_since
                .load(Ordering::Acquire)
                .saturating_add(millis(config.idle_timeout))
        } else {
            // A new connection gets the header timeout for its first request.
            self.idle_since
                .load(Ordering::Acquire)
                .saturating_add(millis(config.header_read_timeout))
        };
        Some(self.clock.instant(ms))
    }

    fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
    }

    fn request_finished(&self) {
        self.first_byte.store(0, Ordering::Release);
        self.idle_since.store(self.clock.now(), Ordering::Release);
        self.served.store(true, Ordering::Release);
        self.in_flight.fetch_sub(1, Ordering::AcqRel);
    }

    fn bytes_received(&self) {
        if self.in_flight.load(Ordering::Acquire) == 0
            && self.first_byte.load(Ordering::Acquire) == 0
        {
            self.first_byte
                .store(self.clock.now().saturating_add(1), Ordering::Release);
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The socket, noting when a request's first byte arrives.
struct Tracked {
    stream: TcpStream,
    state: Arc<ConnState>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.state.bytes_received();
        }
        result
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// The service, marking the connection busy while a request is handled.
struct TrackedService<S> {
    service: S,
    state: Arc<ConnState>,
}

/// Marks the request finished when dropped (answered, or abandoned by hyper).
struct InFlight(Arc<ConnState>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.request_finished();
    }
}

impl<S, B> hyper::service::Service<Request<Incoming>> for TrackedService<S>
where
    S: hyper::service::Service<Request<Incoming>, Response = Response<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = TrackedFuture<S::Future>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        self.state.request_started();
        let guard = InFlight(Arc::clone(&self.state));
        TrackedFuture {
            inner: Box::pin(self.service.call(request)),
            in_flight: Some(guard),
        }
    }
}

/// The service's answer, the request marked finished as soon as it is ready.
struct TrackedFuture<F> {
    inner: Pin<Box<F>>,
    in_flight: Option<InFlight>,
}

impl<F: Future> Future for TrackedFuture<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        let output = std::task::ready!(this.inner.as_mut().poll(cx));
        this.in_flight.take();
        Poll::Ready(output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_is_kept_within_what_the_semaphore_holds() {
        let config = ServeConfig::default().with_max_connections(usize::MAX);
        assert_eq!(config.max_connections(), MAX_CONNECTIONS_LIMIT);
        // Semaphore::new panics above MAX_PERMITS; shutdown waits for u32 permits.
        let slots = Semaphore::new(config.max_connections());
        assert!(u32::try_from(slots.available_permits()).is_ok());
        assert_eq!(
            ServeConfig::default()
                .with_max_connections(0)
                .max_connections(),
            1
        );
    }
}
