//! A [`DedupStore`] in Redis, shared by every receiver instance (feature `redis`).

use std::future::Future;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::{Claim, ClaimToken, DedupError, DedupFuture, DedupKey, DedupStore};

/// The value of a completed key.
const DONE: &str = "done";

/// Sets the key to done if it is still our claim, or if it is gone (our claim expired
/// and nobody took it: the event was handled, so remember that). A claim of another
/// delivery, or a done key, is left as it is.
/// KEYS[1] key; ARGV[1] our claim; ARGV[2] done time-to-live (ms). Returns 1 when set.
const COMPLETE: &str = r"
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] or v == false then
  redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
  return 1
end
return 0
";

/// Deletes the key if it is still our claim. Returns 1 when deleted.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// Extends the key's expiry if it is still our claim. ARGV[2] lease (ms). Returns 1
/// when extended.
const RENEW: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
";

/// Deduplication in Redis, so that several receiver instances behind a load balancer
/// handle each event once.
///
/// Needs Redis 7.0 or later (`SET` with both `NX` and `GET`), reached through the
/// `redis` crate's [`ConnectionManager`] (reconnects by itself).
///
/// **Keys**: `{prefix}:{app_id}:{mode}:{event_id}`, e.g.
/// `pingpp:webhook:app_1Gqj58ynP0mHeX1q:live:evt_401170615000000012345680`. The prefix
/// defaults to `pingpp:webhook`; the app id is yours (events do not always carry it);
/// the mode is `live` or `test`, from the event's `livemode`.
///
/// **Values and lifetimes**:
/// - claim: `SET key <token> NX PX <lease> GET` stores a random token for the lease
///   (default 30 s). The server renews it every lease ÷ 3 while the handler runs, so a
///   long handler keeps its claim; if the instance dies, the claim expires after the
///   lease and Ping++'s next retry is handled by whichever instance gets it. A handler
///   that never returns keeps its claim for as long as its process lives (every retry
///   gets 409): bound your handler's time (e.g. `tokio::time::timeout`) so that a stuck
///   one fails and frees the event.
/// - complete: a script sets `done` for 26 hours (longer than Ping++'s 25-hour retry
///   window) if the key still holds our token, or is gone. A key now claimed by
///   another delivery (ours expired, e.g. Redis was unreachable for renewals) is not
///   overwritten: that delivery decides.
/// - release (the handler failed): a script deletes the key only if it holds our token.
///
/// **Failures**: when Redis cannot be reached, [`claim`](DedupStore::claim) fails and
/// the server answers 500, so Ping++ retries later; nothing is handled unclaimed.
/// Commands time out after 2 s by default (configure your own [`ConnectionManager`]
/// with [`RedisDedupBuilder::connection`] to change that).
///
/// ```no_run
/// use std::sync::Arc;
/// use pingpp_webhook::{DedupStore, RedisDedup, Verifier, server::WebhookService};
///
/// # async fn run(verifier: Verifier) -> Result<(), Box<dyn std::error::Error>> {
/// let dedup = RedisDedup::builder("app_1Gqj58ynP0mHeX1q")
///     .connect("redis://127.0.0.1:6379/")
///     .await?;
/// let service = WebhookService::with_dedup(
///     verifier,
///     |event: pingpp_webhook::Event| async move { Ok::<(), std::io::Error>(()) },
///     dedup,
/// );
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisDedup {
    connection: ConnectionManager,
    /// `{prefix}:{app_id}:`
    namespace: String,
    lease: Duration,
    done_ttl: Duration,
    /// Bound on one operation, waiting for a reconnection included.
    op_timeout: Duration,
    complete: redis::Script,
    release: redis::Script,
    renew: redis::Script,
}

impl std::fmt::Debug for RedisDedup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the connection: its address may carry a password.
        f.debug_struct("RedisDedup")
            .field("namespace", &self.namespace)
            .field("lease", &self.lease)
            .field("done_ttl", &self.done_ttl)
            .finish_non_exhaustive()
    }
}

/// Builds a [`RedisDedup`]: [`RedisDedup::builder`].
#[derive(Debug, Clone)]
pub struct RedisDedupBuilder {
    app_id: String,
    prefix: String,
    lease: Duration,
    done_ttl: Duration,
    response_timeout: Duration,
    connection_timeout: Duration,
}

impl RedisDedup {
    /// Default key prefix.
    pub const DEFAULT_PREFIX: &'static str = "pingpp:webhook";
    /// Default lease of a claim: how long a crashed instance's claim blocks retries.
    pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);
    /// Default time a handled event is remembered: 26 hours, longer than Ping++'s
    /// retry window of 25 hours.
    pub const DEFAULT_DONE_TTL: Duration = Duration::from_secs(26 * 3600);

    /// A builder for the Ping++ app `app_id` (`app_...`), which namespaces the keys.
    pub fn builder(app_id: impl Into<String>) -> RedisDedupBuilder {
        RedisDedupBuilder {
            app_id: app_id.into(),
            prefix: Self::DEFAULT_PREFIX.to_owned(),
            lease: Self::DEFAULT_LEASE,
            done_ttl: Self::DEFAULT_DONE_TTL,
            response_timeout: Duration::from_secs(2),
            connection_timeout: Duration::from_secs(2),
        }
    }

    /// The Redis key of `key` (see the type's documentation for the format).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), pingpp_webhook::DedupError> {
    /// use pingpp_webhook::{DedupKey, RedisDedup};
    /// let dedup = RedisDedup::builder("app_1").connect("redis://127.0.0.1/").await?;
    /// assert_eq!(
    ///     dedup.redis_key(&DedupKey::new("evt_1", true)),
    ///     "pingpp:webhook:app_1:live:evt_1"
    /// );
    /// # Ok(()) }
    /// ```
    pub fn redis_key(&self, key: &DedupKey) -> String {
        format!("{}{}:{}", self.namespace, key.mode(), key.event_id())
    }

    /// The lease of a claim.
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// Runs one operation on (a cheap handle of) the shared, multiplexed connection,
    /// within the operation timeout.
    async fn run<T, F>(
        &self,
        operation: impl FnOnce(ConnectionManager) -> F,
    ) -> Result<T, DedupError>
    where
        F: Future<Output = redis::RedisResult<T>>,
    {
        match tokio::time::timeout(self.op_timeout, operation(self.connection.clone())).await {
            Ok(result) => result.map_err(DedupError::new),
            Err(_) => Err(DedupError::new(format!(
                "no answer from Redis within {:?}",
                self.op_timeout
            ))),
        }
    }
}

impl RedisDedupBuilder {
    /// Sets the key prefix (default `pingpp:webhook`).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Sets the lease of a claim (default 30 s, at least 1 ms): how long the claim of an
    /// instance that died while handling keeps other deliveries out. The server renews
    /// it every third of the lease while the handler runs.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(1));
        self
    }

    /// Sets how long a handled event is remembered (default 26 hours). Keep it longer
    /// than Ping++'s retry window of 25 hours.
    pub fn done_ttl(mut self, ttl: Duration) -> Self {
        self.done_ttl = ttl.max(Duration::from_millis(1));
        self
    }

    /// Sets the time allowed for one operation of the store, waiting for a reconnection
    /// included, and for connecting (default 2 s each). Past it the operation fails, and
    /// the server answers 500.
    pub fn timeouts(mut self, response: Duration, connect: Duration) -> Self {
        self.response_timeout = response;
        self.connection_timeout = connect;
        self
    }

    /// Connects to Redis at `url` (`redis://[:password@]host:port/[db]`) with a
    /// [`ConnectionManager`], which reconnects by itself after a failure.
    ///
    /// Fails when the URL is invalid or Redis cannot be reached now. The error does not
    /// repeat the URL (it may hold a password).
    pub async fn connect(self, url: &str) -> Result<RedisDedup, DedupError> {
        let client = redis::Client::open(url).map_err(DedupError::new)?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(self.response_timeout))
            .set_connection_timeout(Some(self.connection_timeout))
            // Keep reconnecting quickly; operations fail fast meanwhile (`op_timeout`).
            .set_max_delay(Duration::from_millis(500))
            .set_number_of_retries(2);
        let connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(DedupError::new)?;
        Ok(self.connection(connection))
    }

    /// Uses a connection you configured yourself.
    pub fn connection(self, connection: ConnectionManager) -> RedisDedup {
        RedisDedup {
            connection,
            namespace: format!("{}:{}:", self.prefix, self.app_id),
            lease: self.lease,
            done_ttl: self.done_ttl,
            op_timeout: self.response_timeout,
            complete: redis::Script::new(COMPLETE),
            release: redis::Script::new(RELEASE),
            renew: redis::Script::new(RENEW),
        }
    }
}

/// The stored form of a claim token.
fn token_value(token: ClaimToken) -> String {
    format!("claim:{:032x}", token.get())
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl DedupStore for RedisDedup {
    fn claim<'a>(&'a self, key: &'a DedupKey) -> DedupFuture<'a, Claim> {
        Box::pin(async move {
            let token = ClaimToken::new(rand::random());
            let mut set = redis::cmd("SET");
            set.arg(self.redis_key(key))
                .arg(token_value(token))
                .arg("NX")
                .arg("PX")
                .arg(millis(self.lease))
                .arg("GET");
            let previous: Option<String> = self
                .run(|mut c| async move { set.query_async(&mut c).await })
                .await?;
            Ok(match previous.as_deref() {
                None => Claim::New(token),
                Some(DONE) => Claim::Duplicate,
                Some(_) => Claim::InProgress,
            })
        })
    }

    fn complete<'a>(&'a self, key: &'a DedupKey, token: ClaimToken) -> DedupFuture<'a, ()> {
        Box::pin(async move {
            let mut invocation = self.complete.key(self.redis_key(key));
            invocation
                .arg(token_value(token))
                .arg(millis(self.done_ttl));
            let set: i64 = self
                .run(|mut c| async move { invocation.invoke_async(&mut c).await })
                .await?;
            if set == 0 {
                tracing::warn!(
                    event = %key,
                    "the claim expired and another delivery holds (or completed) the event now; left it as it is"
                );
            }
            Ok(())
        })
    }

    fn release<'a>(&'a self, key: &'a DedupKey, token: ClaimToken) -> DedupFuture<'a, ()> {
        Box::pin(async move {
            let mut invocation = self.release.key(self.redis_key(key));
            invocation.arg(token_value(token));
            let _deleted: i64 = self
                .run(|mut c| async move { invocation.invoke_async(&mut c).await })
                .await?;
            Ok(())
        })
    }

    fn renew_interval(&self) -> Option<Duration> {
        Some(self.lease / 3)
    }

    fn renew<'a>(&'a self, key: &'a DedupKey, token: ClaimToken) -> DedupFuture<'a, bool> {
        Box::pin(async move {
            let mut invocation = self.renew.key(self.redis_key(key));
            invocation.arg(token_value(token)).arg(millis(self.lease));
            let renewed: i64 = self
                .run(|mut c| async move { invocation.invoke_async(&mut c).await })
                .await?;
            Ok(renewed == 1)
        })
    }
}
