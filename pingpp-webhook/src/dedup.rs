//! Deduplication of deliveries by event id and mode.
//!
//! Ping++ delivers each event at least once and signs no timestamp, so the same event
//! (same `id`) can arrive several times: after a timeout, a non-2xx answer, or a replay
//! of a captured request. A receiver *claims* the event's [`DedupKey`] before acting on
//! the event, marks it *completed* once acting succeeded, and *releases* it when acting
//! failed, so that Ping++'s next attempt is processed again.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pingpp_types::Event;

/// What identifies an event for deduplication: its id and its mode (live or test).
///
/// Build it from a verified event with [`DedupKey::from_event`], the one place that
/// decides which events can be deduplicated at all.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DedupKey {
    event_id: String,
    livemode: bool,
}

impl DedupKey {
    /// The key of the event `event_id` in live mode (`livemode: true`) or test mode.
    pub fn new(event_id: impl Into<String>, livemode: bool) -> Self {
        DedupKey {
            event_id: event_id.into(),
            livemode,
        }
    }

    /// The key of `event`, or `None` when the event carries no id: Ping++ documents
    /// withdrawal events printed without one (seed 002), and such an event cannot be
    /// recognised when it comes again. The receiver then handles it on every delivery.
    pub fn from_event(event: &Event) -> Option<Self> {
        // An empty id cannot tell deliveries apart either: it counts as absent.
        let id = event.id.as_deref().filter(|id| !id.is_empty())?;
        Some(DedupKey::new(id, event.livemode))
    }

    /// The event id.
    pub fn event_id(&self) -> &str {
        &self.event_id
    }

    /// Whether the event is a live-mode event.
    pub fn livemode(&self) -> bool {
        self.livemode
    }

    /// `"live"` or `"test"`.
    pub fn mode(&self) -> &'static str {
        if self.livemode { "live" } else { "test" }
    }
}

impl std::fmt::Display for DedupKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.mode(), self.event_id)
    }
}

/// Proof of a claim, handed out by [`DedupStore::claim`] and handed back to
/// [`complete`](DedupStore::complete), [`release`](DedupStore::release) and
/// [`renew`](DedupStore::renew), so that a store acts on a claim only while it is still
/// the claimer's: a claim that expired and was taken by another delivery is left alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClaimToken(u128);

impl ClaimToken {
    /// A token with the given value; a store makes each claim's token unique.
    pub const fn new(value: u128) -> Self {
        ClaimToken(value)
    }

    /// The token's value.
    pub const fn get(self) -> u128 {
        self.0
    }
}

/// Result of [`DedupStore::claim`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Claim {
    /// The event was not seen (or was released, or its claim expired): this delivery now
    /// owns it; process the event, then [`complete`](DedupStore::complete) or
    /// [`release`](DedupStore::release) it with this token.
    New(ClaimToken),
    /// Another delivery of this event is being processed right now. Answer non-2xx
    /// (the server answers 409) so Ping++ delivers it again later: if that processing
    /// fails, the event must not be lost.
    InProgress,
    /// The event was already processed: acknowledge with 2xx and do nothing.
    Duplicate,
}

/// Why a [`DedupStore`] could not answer (e.g. Redis unreachable). The server answers
/// 500, so Ping++ delivers the event again later.
#[derive(Debug, thiserror::Error)]
#[error("the webhook dedup store failed")]
pub struct DedupError {
    #[source]
    source: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl DedupError {
    /// Wraps the store's own error.
    pub fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        DedupError {
            source: source.into(),
        }
    }
}

/// The future a [`DedupStore`] method returns.
pub type DedupFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, DedupError>> + Send + 'a>>;

/// A store remembering which events were already processed.
///
/// [`MemoryDedup`] is the in-process default; `RedisDedup` (feature `redis`) is shared
/// by several receiver instances; implement it over your own database otherwise. The
/// trait is object-safe: `Arc<dyn DedupStore>` is a store too.
///
/// Claim a key after verifying the event and before acting on it; complete it when
/// acting succeeded, release it when acting failed:
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use std::sync::Arc;
/// use pingpp_webhook::{Claim, DedupKey, DedupStore, MemoryDedup};
///
/// let seen: Arc<dyn DedupStore> = Arc::new(MemoryDedup::default());
/// let key = DedupKey::new("evt_1", true);
/// let Claim::New(token) = seen.claim(&key).await? else { unreachable!() };
/// // ...acting on the event; meanwhile another delivery of it gets `InProgress` (409):
/// assert_eq!(seen.claim(&key).await?, Claim::InProgress);
/// seen.release(&key, token).await?; // acting failed: answer 500, let the retry through
///
/// let Claim::New(token) = seen.claim(&key).await? else { unreachable!() }; // the retry
/// seen.complete(&key, token).await?; // ...succeeded: answer 200
/// assert_eq!(seen.claim(&key).await?, Claim::Duplicate); // answer 200, do nothing
/// # Ok::<(), pingpp_webhook::DedupError>(())
/// # }).unwrap();
/// ```
pub trait DedupStore: Send + Sync + 'static {
    /// Atomically records `key` as in progress if it is unknown, and reports what it was.
    fn claim<'a>(&'a self, key: &'a DedupKey) -> DedupFuture<'a, Claim>;

    /// Marks `key` as processed, if the claim `token` still holds it (a claim that
    /// expired and was taken by another delivery is not overwritten).
    fn complete<'a>(&'a self, key: &'a DedupKey, token: ClaimToken) -> DedupFuture<'a, ()>;

    /// Forgets the claim `token` on `key`, so the next delivery is processed. Called
    /// when processing failed; a claim now held by another delivery is left alone.
    fn release<'a>(&'a self, key: &'a DedupKey, token: ClaimToken) -> DedupFuture<'a, ()>;

    /// How often the server renews a claim while the handler runs; `None` (the default)
    /// for stores whose claims do not expire soon enough to matter.
    fn renew_interval(&self) -> Option<Duration> {
        None
    }

    /// Extends the claim `token` on `key` by a full lease. `Ok(false)` when the claim is
    /// no longer ours (it expired, and maybe another delivery took it). The default
    /// renews nothing and answers `Ok(true)`.
    fn renew<'a>(&'a self, key: &'a DedupKey, token: ClaimToken) -> DedupFuture<'a, bool> {
        let _ = (key, token);
        Box::pin(std::future::ready(Ok(true)))
    }
}

/// An in-memory [`DedupStore`] with bounded memory: at most `capacity` keys, each kept
/// for `ttl`.
///
/// When full, the oldest key is forgotten first. The default keeps 10 000 keys for
/// 26 hours, which covers Ping++'s retry schedule (last retry about 25 hours after the
/// first delivery). A claim not completed or released within the *lease* (default
/// 10 minutes; a hung handler) stops blocking later deliveries. Memory is per process:
/// with several receivers behind a load balancer, a retried event reaches each once;
/// use a shared store then (`RedisDedup`, feature `redis`).
#[derive(Debug)]
pub struct MemoryDedup {
    capacity: usize,
    ttl: Duration,
    lease: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// When the key was claimed.
    at: Instant,
    /// Sequence number of that claim: its token, and how stale queue entries are recognised.
    seq: u64,
    /// Whether processing completed.
    done: bool,
}

#[derive(Debug, Default)]
struct State {
    /// Live keys.
    ids: HashMap<DedupKey, Entry>,
    /// Claims in order; entries whose sequence no longer matches `ids` are stale.
    order: VecDeque<(DedupKey, u64)>,
    next_seq: u64,
}

impl MemoryDedup {
    /// Default number of remembered keys.
    pub const DEFAULT_CAPACITY: usize = 10_000;
    /// Default time a key is remembered: 26 hours, longer than Ping++'s retry window.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(26 * 3600);
    /// Default time a claim blocks other deliveries while not completed or released.
    pub const DEFAULT_LEASE: Duration = Duration::from_secs(10 * 60);

    /// A store remembering at most `capacity` keys (at least 1) for `ttl` each.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        MemoryDedup {
            capacity: capacity.max(1),
            ttl,
            lease: Self::DEFAULT_LEASE.min(ttl),
            state: Mutex::new(State::default()),
        }
    }

    /// Sets how long an uncompleted claim keeps other deliveries of the event out
    /// (capped at the time-to-live).
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease.min(self.ttl);
        self
    }

    /// Number of keys currently remembered (expired ones may still count until the next claim).
    pub fn len(&self) -> usize {
        self.lock().ids.len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave `State` inconsistent in a way that
        // matters (worst case a stale entry), so recover from poisoning.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn claim_at(&self, key: &DedupKey, now: Instant) -> Claim {
        let mut state = self.lock();
        let state = &mut *state;
        // Drop expired claims from the front (they are in claim order).
        while let Some((id, seq)) = state.order.front() {
            match state.ids.get(id) {
                Some(entry) if entry.seq == *seq => {
                    if now.saturating_duration_since(entry.at) < self.ttl {
                        break;
                    }
                    state.ids.remove(id);
                }
                _ => {} // stale entry: released or re-claimed since
            }
            state.order.pop_front();
        }
        if let Some(entry) = state.ids.get(key) {
            let age = now.saturating_duration_since(entry.at);
            if entry.done && age < self.ttl {
                return Claim::Duplicate;
            }
            if !entry.done && age < self.lease {
                return Claim::InProgress;
            }
        }
        let seq = state.next_seq;
        state.next_seq += 1;
        state.ids.insert(
            key.clone(),
            Entry {
                at: now,
                seq,
                done: false,
            },
        );
        state.order.push_back((key.clone(), seq));
        // Evict the oldest live keys beyond capacity.
        while state.ids.len() > self.capacity {
            let Some((id, seq)) = state.order.pop_front() else {
                break;
            };
            if state.ids.get(&id).is_some_and(|e| e.seq == seq) {
                state.ids.remove(&id);
            }
        }
        // Released keys leave stale entries behind; keep the queue bounded too.
        if state.order.len() > 2 * self.capacity {
            let ids = &state.ids;
            state
                .order
                .retain(|(id, seq)| ids.get(id).is_some_and(|e| e.seq == *seq));
        }
        Claim::New(ClaimToken(u128::from(seq)))
    }

    /// The entry of `key` if it is still the claim `token` made.
    fn owned<'s>(state: &'s mut State, key: &DedupKey, token: ClaimToken) -> Option<&'s mut Entry> {
        state
            .ids
            .get_mut(key)
            .filter(|entry| u128::from(entry.seq) == token.0)
    }

    fn complete_now(&self, key: &DedupKey, token: ClaimToken) {
        if let Some(entry) = Self::owned(&mut self.lock(), key, token) {
            entry.done = true;
        }
    }

    fn release_now(&self, key: &DedupKey, token: ClaimToken) {
        let mut state = self.lock();
        if Self::owned(&mut state, key, token).is_some_and(|entry| !entry.done) {
            state.ids.remove(key);
        }
    }

    #[cfg(test)]
    fn queue_len(&self) -> usize {
        self.lock().order.len()
    }
}

impl Default for MemoryDedup {
    fn default() -> Self {
        MemoryDedup::new(Self::DEFAULT_CAPACITY, Self::DEFAULT_TTL)
    }
}

impl DedupStore for MemoryDedup {
    fn claim<'a>(&'a self, key: &'a DedupKey) -> DedupFuture<'a, Claim> {
        Box::pin(std::future::ready(Ok(self.claim_at(key, Instant::now()))))
    }

    fn complete<'a>(&'a self, key: &'a DedupKey, token: ClaimToken) -> DedupFuture<'a, ()> {
        self.complete_now(key, token);
        Box::pin(std::future::ready(Ok(())))
    }

    fn release<'a>(&'a self, key: &'a DedupKey, token: ClaimToken) -> DedupFuture<'a, ()> {
        self.release_now(key, token);
        Box::pin(std::future::ready(Ok(())))
    }
}

macro_rules! forward_dedup_store {
    ($($wrapper:ident),*) => {$(
        impl<T: DedupStore + ?Sized> DedupStore for $wrapper<T> {
            fn claim<'a>(&'a self, key: &'a DedupKey) -> DedupFuture<'a, Claim> {
                (**self).claim(key)
            }
            fn complete<'a>(&'a self, key: &'a DedupKey, token: ClaimToken) -> DedupFuture<'a, ()> {
                (**self).complete(key, token)
            }
            fn release<'a>(&'a self, key: &'a DedupKey, token: ClaimToken) -> DedupFuture<'a, ()> {
                (**self).release(key, token)
            }
            fn renew_interval(&self) -> Option<Duration> {
                (**self).renew_interval()
            }
            fn renew<'a>(&'a self, key: &'a DedupKey, token: ClaimToken) -> DedupFuture<'a, bool> {
                (**self).renew(key, token)
            }
        }
    )*};
}

forward_dedup_store!(Arc, Box);

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    fn key(id: &str) -> DedupKey {
        DedupKey::new(id, true)
    }

    /// The token of a claim that must be new.
    fn new(claim: Claim) -> ClaimToken {
        match claim {
            Claim::New(token) => token,
            other => panic!("expected a new claim, got {other:?}"),
        }
    }

    /// Claims and completes, as a successful delivery does; `true` when it was new.
    fn handled(d: &MemoryDedup, id: &str, t: Instant) -> bool {
        match d.claim_at(&key(id), t) {
            Claim::New(token) => {
                d.complete_now(&key(id), token);
                true
            }
            _ => false,
        }
    }

    #[test]
    fn completed_event_is_duplicate() {
        let d = MemoryDedup::default();
        let t = Instant::now();
        assert!(handled(&d, "evt_1", t));
        assert_eq!(d.claim_at(&key("evt_1"), t), Claim::Duplicate);
        assert!(matches!(d.claim_at(&key("evt_2"), t), Claim::New(_)));
        assert_eq!(d.len(), 2);
    }

    #[test]
    fn live_and_test_mode_events_are_distinct() {
        let d = MemoryDedup::default();
        let t = Instant::now();
        assert!(handled(&d, "evt_1", t));
        assert!(matches!(
            d.claim_at(&DedupKey::new("evt_1", false), t),
            Claim::New(_)
        ));
    }

    #[test]
    fn claimed_event_is_in_progress_until_completed() {
        let d = MemoryDedup::default();
        let t = Instant::now();
        let token = new(d.claim_at(&key("evt_1"), t));
        assert_eq!(d.claim_at(&key("evt_1"), t), Claim::InProgress);
        d.complete_now(&key("evt_1"), token);
        assert_eq!(d.claim_at(&key("evt_1"), t), Claim::Duplicate);
    }

    #[test]
    fn released_key_can_be_claimed_again() {
        let d = MemoryDedup::default();
        let t = Instant::now();
        let token = new(d.claim_at(&key("evt_1"), t));
        d.release_now(&key("evt_1"), token);
        let again = new(d.claim_at(&key("evt_1"), t));
        assert_ne!(again, token, "every claim has its own token");
        assert_eq!(d.claim_at(&key("evt_1"), t), Claim::InProgress);
    }

    #[test]
    fn abandoned_claim_stops_blocking_after_lease() {
        let d = MemoryDedup::new(10, 10 * HOUR).with_lease(Duration::from_secs(60));
        let t = Instant::now();
        let _abandoned = new(d.claim_at(&key("evt_1"), t));
        assert_eq!(
            d.claim_at(&key("evt_1"), t + Duration::from_secs(59)),
            Claim::InProgress
        );
        let token = new(d.claim_at(&key("evt_1"), t + Duration::from_secs(60)));
        // A completed key is remembered for the whole TTL, not just the lease.
        d.complete_now(&key("evt_1"), token);
        assert_eq!(d.claim_at(&key("evt_1"), t + 9 * HOUR), Claim::Duplicate);
    }

    #[test]
    fn a_stale_claimer_cannot_release_or_complete_the_new_claim() {
        let d = MemoryDedup::new(10, 10 * HOUR).with_lease(Duration::from_secs(60));
        let t = Instant::now();
        let stale = new(d.claim_at(&key("evt_1"), t));
        let later = t + Duration::from_secs(61);
        let current = new(d.claim_at(&key("evt_1"), later));
        // The first handler comes back late and fails: the second claim stays.
        d.release_now(&key("evt_1"), stale);
        assert_eq!(d.claim_at(&key("evt_1"), later), Claim::InProgress);
        // Or succeeds: it does not decide for the delivery now running.
        d.complete_now(&key("evt_1"), stale);
        assert_eq!(d.claim_at(&key("evt_1"), later), Claim::InProgress);
        d.release_now(&key("evt_1"), current);
        assert!(matches!(d.claim_at(&key("evt_1"), later), Claim::New(_)));
    }

    #[test]
    fn releasing_a_completed_key_keeps_it_done() {
        let d = MemoryDedup::default();
        let t = Instant::now();
        let token = new(d.claim_at(&key("evt_1"), t));
        d.complete_now(&key("evt_1"), token);
        d.release_now(&key("evt_1"), token);
        assert_eq!(d.claim_at(&key("evt_1"), t), Claim::Duplicate);
    }

    #[test]
    fn keys_expire_after_ttl() {
        let d = MemoryDedup::new(10, HOUR);
        let t = Instant::now();
        assert!(handled(&d, "evt_1", t));
        assert_eq!(
            d.claim_at(&key("evt_1"), t + HOUR - Duration::from_secs(1)),
            Claim::Duplicate
        );
        assert!(matches!(d.claim_at(&key("evt_1"), t + HOUR), Claim::New(_)));
        // The expired entry was purged, not kept alongside the new claim.
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn expired_keys_are_purged_on_later_claims() {
        let d = MemoryDedup::new(100, HOUR);
        let t = Instant::now();
        for i in 0..50 {
            assert!(handled(&d, &format!("evt_{i}"), t));
        }
        assert!(matches!(
            d.claim_at(&key("evt_new"), t + 2 * HOUR),
            Claim::New(_)
        ));
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn capacity_evicts_oldest_first() {
        let d = MemoryDedup::new(3, HOUR);
        let t = Instant::now();
        for id in ["a", "b", "c", "d"] {
            assert!(handled(&d, id, t));
        }
        assert_eq!(d.len(), 3);
        // "a" was evicted, the others are remembered.
        assert_eq!(d.claim_at(&key("d"), t), Claim::Duplicate);
        assert_eq!(d.claim_at(&key("c"), t), Claim::Duplicate);
        assert_eq!(d.claim_at(&key("b"), t), Claim::Duplicate);
        assert!(matches!(d.claim_at(&key("a"), t), Claim::New(_)));
    }

    #[test]
    fn memory_stays_bounded_under_claim_release_churn() {
        let d = MemoryDedup::new(4, HOUR);
        let t = Instant::now();
        for i in 0..1000 {
            let k = key(&format!("evt_{}", i % 7));
            let token = new(d.claim_at(&k, t));
            d.release_now(&k, token);
        }
        assert!(
            d.queue_len() <= 2 * 4 + 1,
            "queue grew to {}",
            d.queue_len()
        );
        assert!(d.len() <= 4);
    }

    #[test]
    fn trait_objects_delegate() {
        let d: Arc<dyn DedupStore> = Arc::new(MemoryDedup::default());
        let boxed: Box<dyn DedupStore> = Box::new(Arc::clone(&d));
        let k = key("evt_x");
        let token = new(ready(d.claim(&k)).unwrap());
        assert_eq!(ready(boxed.claim(&k)).unwrap(), Claim::InProgress);
        ready(boxed.release(&k, token)).unwrap();
        let token = new(ready(boxed.claim(&k)).unwrap());
        assert!(ready(d.renew(&k, token)).unwrap());
        assert_eq!(d.renew_interval(), None);
        ready(d.complete(&k, token)).unwrap();
        assert_eq!(ready(d.claim(&k)).unwrap(), Claim::Duplicate);
    }

    #[test]
    fn event_without_id_has_no_key() {
        use pingpp_types::EventData;
        let data = EventData::Other {
            event_type: "balance.withdrawal.succeeded".into(),
            object: serde_json::Value::Null,
        };
        let mut event = Event::new("", 1_700_000_000, true, data);
        assert_eq!(DedupKey::from_event(&event), None, "an empty id");
        event.id = None;
        assert_eq!(DedupKey::from_event(&event), None, "no id");
        event.id = Some("evt_1".into());
        let key = DedupKey::from_event(&event).expect("key");
        assert_eq!((key.event_id(), key.mode()), ("evt_1", "live"));
        assert_eq!(key.to_string(), "live:evt_1");
    }

    /// Polls a future that is expected to be ready at once.
    fn ready<F: Future>(f: F) -> F::Output {
        use std::task::{Context, Poll, Waker};
        let mut f = std::pin::pin!(f);
        match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("MemoryDedup future was not ready"),
        }
    }
}
