//! Retry rules, backoff with full jitter, and the injectable sleep.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::config::ConfigError;
use crate::transport::BoxFuture;

/// Waits between attempts. The default uses `tokio::time::sleep`; tests inject one that
/// returns at once (see `InstantSleep` with the `test-util` feature).
pub trait Sleep: Send + Sync {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// [`Sleep`] on the tokio timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleep;

impl Sleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// When and how long to wait before trying a request again.
///
/// Only errors for which [`Error::is_retryable`](crate::Error::is_retryable) holds are
/// retried, so a retry never duplicates money movement: a connection that could not be
/// made, HTTP 408/429 (refused before anything was done), and for GET also timeouts,
/// broken connections and HTTP 502/503/504.
/// The wait before attempt *n + 1* is a uniformly random duration in
/// `[0, min(max_backoff, initial_backoff * 2^(n-1))]` ("full jitter"), or the server's
/// `Retry-After` (capped at `max_backoff`) when it sent one.
///
/// ```
/// use std::time::Duration;
/// use pingpp_transport::RetryPolicy;
///
/// let policy = RetryPolicy::builder()
///     .max_attempts(5)
///     .initial_backoff(Duration::from_millis(200))
///     .max_backoff(Duration::from_secs(4))
///     .build()?;
/// assert_eq!(policy.max_attempts, 5);
/// # Ok::<(), pingpp_transport::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Total attempts, including the first (at least 1). Default 3.
    pub max_attempts: u32,
    /// The backoff cap for the first retry. Default 500 ms.
    pub initial_backoff: Duration,
    /// The largest backoff. Default 8 s.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
        }
    }
}

/// Builds a [`RetryPolicy`]; start with [`RetryPolicy::builder`].
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct RetryPolicyBuilder {
    policy: RetryPolicy,
}

impl RetryPolicyBuilder {
    /// Total attempts, including the first (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.policy.max_attempts = attempts;
        self
    }

    /// The backoff cap for the first retry.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.policy.initial_backoff = backoff;
        self
    }

    /// The largest backoff (also the cap on a server's `Retry-After`).
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.policy.max_backoff = backoff;
        self
    }

    /// Checks the values: at least one attempt, and `initial_backoff <= max_backoff`.
    pub fn build(self) -> Result<RetryPolicy, ConfigError> {
        self.policy.check()?;
        Ok(self.policy)
    }
}

impl RetryPolicy {
    /// A builder starting from the defaults (3 attempts, 500 ms, 8 s).
    pub fn builder() -> RetryPolicyBuilder {
        RetryPolicyBuilder {
            policy: RetryPolicy::default(),
        }
    }

    /// One attempt, no retries.
    pub fn no_retries() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        if self.max_attempts == 0 {
            return Err(ConfigError::Invalid {
                name: "max_attempts",
                reason: "must be at least 1".into(),
            });
        }
        if self.initial_backoff > self.max_backoff {
            return Err(ConfigError::Invalid {
                name: "initial_backoff",
                reason: "must not be longer than max_backoff".into(),
            });
        }
        Ok(())
    }

    /// The upper bound of the jittered wait after the `attempt`-th attempt (1-based) failed.
    pub fn backoff_cap(&self, attempt: u32) -> Duration {
        let shift = attempt.saturating_sub(1).min(20);
        self.initial_backoff
            .saturating_mul(1u32 << shift)
            .min(self.max_backoff)
    }

    /// The wait after the `attempt`-th attempt failed: full jitter below
    /// [`backoff_cap`](Self::backoff_cap), or `retry_after` capped at `max_backoff`.
    pub(crate) fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(ra) = retry_after {
            return ra.min(self.max_backoff);
        }
        let cap = self.backoff_cap(attempt);
        let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
        if nanos == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos(random_u64() % (nanos + 1))
    }
}

/// A cheap random number: std's randomly keyed SipHash over a counter. Good enough for
/// jitter; no extra dependency.
fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static STATE: std::sync::OnceLock<RandomState> = std::sync::OnceLock::new();
    let state = STATE.get_or_init(RandomState::new);
    state.hash_one(COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// Parses a `Retry-After` header given in seconds (the HTTP-date form is ignored).
pub(crate) fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    let value = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

impl fmt::Display for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} attempts, backoff {:?}..{:?}",
            self.max_attempts, self.initial_backoff, self.max_backoff
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_exponentially_and_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff_cap(1), Duration::from_millis(500));
        assert_eq!(p.backoff_cap(2), Duration::from_secs(1));
        assert_eq!(p.backoff_cap(3), Duration::from_secs(2));
        assert_eq!(p.backoff_cap(10), Duration::from_secs(8));
        assert_eq!(p.backoff_cap(u32::MAX), Duration::from_secs(8));
    }

    #[test]
    fn jitter_stays_within_the_cap_and_varies() {
        let p = RetryPolicy::default();
        let waits: Vec<_> = (0..64).map(|_| p.backoff(2, None)).collect();
        assert!(waits.iter().all(|w| *w <= Duration::from_secs(1)));
        let first = waits[0];
        assert!(waits.iter().any(|w| *w != first), "jitter never varied");
    }

    #[test]
    fn retry_after_is_honoured_but_capped() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.backoff(1, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(
            p.backoff(1, Some(Duration::from_secs(600))),
            Duration::from_secs(8)
        );
        let mut h = http::HeaderMap::new();
        h.insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static(" 3 "),
        );
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn the_builder_checks_its_values() {
        let p = RetryPolicy::builder().max_attempts(4).build().unwrap();
        assert_eq!(p.max_attempts, 4);
        assert_eq!(p.initial_backoff, RetryPolicy::default().initial_backoff);
        assert!(RetryPolicy::builder().max_attempts(0).build().is_err());
        assert!(
            RetryPolicy::builder()
                .initial_backoff(Duration::from_secs(9))
                .max_backoff(Duration::from_secs(1))
                .build()
                .is_err()
        );
        assert_eq!(RetryPolicy::no_retries().max_attempts, 1);
    }
}
