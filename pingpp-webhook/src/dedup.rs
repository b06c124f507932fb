//! Deduplication of deliveries by event id.
//!
//! Ping++ delivers each event at least once and signs no timestamp, so the same event
//! (same `id`) can arrive several times: after a timeout, a non-2xx answer, or a replay
//! of a captured request. A receiver *claims* the id before acting on the event, marks it
//! *completed* once acting succeeded, and *releases* it when acting failed, so that
//! Ping++'s next attempt is processed again.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Result of [`DedupStore::claim`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Claim {
    /// The id was not seen (or was released, or expired): this delivery now owns it;
    /// process the event, then [`complete`](DedupStore::complete) or
    /// [`release`](DedupStore::release) it.
    New,
    /// Another delivery of this event is being processed right now. Answer non-2xx
    /// (the server answers 409) so Ping++ delivers it again later: if that processing
    /// fails, the event must not be lost.
    InProgress,
    /// The event was already processed: acknowledge with 2xx and do nothing.
    Duplicate,
}

/// A store remembering which event ids were already processed.
///
/// Implement it over your own database or cache (e.g. `SET NX` with an expiry in
/// Redis) to dedupe across several receiver instances; [`MemoryDedup`] is the
/// in-process default. A store that cannot tell "in progress" from "done" may return
/// [`Claim::Duplicate`] for both and keep the default [`complete`](Self::complete).
///
/// Claim an id after verifying the event and before acting on it; complete it when
/// acting succeeded, release it when acting failed:
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use pingpp_webhook::{Claim, DedupStore, MemoryDedup};
///
/// let seen = MemoryDedup::default();
/// assert_eq!(seen.claim("evt_1").await?, Claim::New); // act on the event...
/// assert_eq!(seen.claim("evt_1").await?, Claim::InProgress); // meanwhile: answer 409
/// seen.release("evt_1").await?; // acting failed: answer 500, let the retry through
///
/// assert_eq!(seen.claim("evt_1").await?, Claim::New); // the retry acts again...
/// seen.complete("evt_1").await?; // ...successfully: answer 200
/// assert_eq!(seen.claim("evt_1").await?, Claim::Duplicate); // answer 200, do nothing
/// # Ok::<(), std::convert::Infallible>(())
/// # }).unwrap();
/// ```
pub trait DedupStore: Send + Sync + 'static {
    /// The store's error. An error makes the server answer 500, so Ping++ tries again.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Atomically records `event_id` as in progress if it is unknown, and reports what
    /// it was.
    fn claim(&self, event_id: &str) -> impl Future<Output = Result<Claim, Self::Error>> + Send;

    /// Marks a claimed `event_id` as processed. The default does nothing (for stores
    /// where a claim already means "done").
    fn complete(&self, event_id: &str) -> impl Future<Output = Result<(), Self::Error>> + Send {
        let _ = event_id;
        std::future::ready(Ok(()))
    }

    /// Forgets `event_id`, so the next delivery of it is processed. Called when
    /// processing failed.
    fn release(&self, event_id: &str) -> impl Future<Output = Result<(), Self::Error>> + Send;
}

/// An in-memory [`DedupStore`] with bounded memory: at most `capacity` ids, each kept
/// for `ttl`.
///
/// When full, the oldest id is forgotten first. The default keeps 10 000 ids for
/// 26 hours, which covers Ping++'s retry schedule (last retry about 25 hours after the
/// first delivery). A claim not completed or released within the *lease* (default
/// 10 minutes; a hung handler) stops blocking later deliveries. Memory is per process:
/// with several receivers, a duplicate can reach each once; use a shared store then.
#[derive(Debug)]
pub struct MemoryDedup {
    capacity: usize,
    ttl: Duration,
    lease: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// When the id was claimed.
    at: Instant,
    /// Sequence number of that claim, to recognise stale queue entries.
    seq: u64,
    /// Whether processing completed.
    done: bool,
}

#[derive(Debug, Default)]
struct State {
    /// Live ids.
    ids: HashMap<String, Entry>,
    /// Claims in order; entries whose sequence no longer matches `ids` are stale.
    order: VecDeque<(String, u64)>,
    next_seq: u64,
}

impl MemoryDedup {
    /// Default number of remembered ids.
    pub const DEFAULT_CAPACITY: usize = 10_000;
    /// Default time an id is remembered: 26 hours, longer than Ping++'s retry window.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(26 * 3600);
    /// Default time a claim blocks other deliveries while not completed or released.
    pub const DEFAULT_LEASE: Duration = Duration::from_secs(10 * 60);

    /// A store remembering at most `capacity` ids (at least 1) for `ttl` each.
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

    /// Number of ids currently remembered (expired ones may still count until the next claim).
    pub fn len(&self) -> usize {
        self.lock().ids.len()
    }

    /// Whether no id is remembered.
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

    pub(crate) fn claim_at(&self, event_id: &str, now: Instant) -> Claim {
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
        if let Some(entry) = state.ids.get(event_id) {
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
            event_id.to_owned(),
            Entry {
                at: now,
                seq,
                done: false,
            },
        );
        state.order.push_back((event_id.to_owned(), seq));
        // Evict the oldest live ids beyond capacity.
        while state.ids.len() > self.capacity {
            let Some((id, seq)) = state.order.pop_front() else {
                break;
            };
            if state.ids.get(&id).is_some_and(|e| e.seq == seq) {
                state.ids.remove(&id);
            }
        }
        // Released ids leave stale entries behind; keep the queue bounded too.
        if state.order.len() > 2 * self.capacity {
            let ids = &state.ids;
            state
                .order
                .retain(|(id, seq)| ids.get(id).is_some_and(|e| e.seq == *seq));
        }
        Claim::New
    }

    fn complete_now(&self, event_id: &str) {
        if let Some(entry) = self.lock().ids.get_mut(event_id) {
            entry.done = true;
        }
    }

    fn release_now(&self, event_id: &str) {
        self.lock().ids.remove(event_id);
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
    type Error = Infallible;

    fn claim(&self, event_id: &str) -> impl Future<Output = Result<Claim, Infallible>> + Send {
        std::future::ready(Ok(self.claim_at(event_id, Instant::now())))
    }

    fn complete(&self, event_id: &str) -> impl Future<Output = Result<(), Infallible>> + Send {
        self.complete_now(event_id);
        std::future::ready(Ok(()))
    }

    fn release(&self, event_id: &str) -> impl Future<Output = Result<(), Infallible>> + Send {
        self.release_now(event_id);
        std::future::ready(Ok(()))
    }
}

impl<T: DedupStore> DedupStore for std::sync::Arc<T> {
    type Error = T::Error;

    fn claim(&self, event_id: &str) -> impl Future<Output = Result<Claim, Self::Error>> + Send {
        (**self).claim(event_id)
    }

    fn complete(&self, event_id: &str) -> impl Future<Output = Result<(), Self::Error>> + Send {
        (**self).complete(event_id)
    }

    fn release(&self, event_id: &str) -> impl Future<Output = Result<(), Self::Error>> + Send {
        (**self).release(event_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    /// Claims and completes, as a successful delivery does.
    fn handled(d: &MemoryDedup, id: &str, t: Instant) -> Claim {
        let claim = d.claim_at(id, t);
        if claim == Claim::New {
            d.complete_now(id);
        }
        claim
    }

    #[test]
    fn completed_event_is_duplicate() {
        let d = MemoryDedup::default();
        let t = Instant::now();
        assert_eq!(handled(&d, "evt_1", t), Claim::New);
        assert_eq!(d.claim_at("evt_1", t), Claim::Duplicate);
        assert_eq!(d.claim_at("evt_2", t), Claim::New);
        assert_eq!(d.len(), 2);
    }

    #[test]
    fn claimed_event_is_in_progress_until_completed() {
        let d = MemoryDedup::default();
        let t = Instant::now();
        assert_eq!(d.claim_at("evt_1", t), Claim::New);
        assert_eq!(d.claim_at("evt_1", t), Claim::InProgress);
        d.complete_now("evt_1");
        assert_eq!(d.claim_at("evt_1", t), Claim::Duplicate);
    }

    #[test]
    fn released_id_can_be_claimed_again() {
        let d = MemoryDedup::default();
        let t = Instant::now();
        assert_eq!(d.claim_at("evt_1", t), Claim::New);
        d.release_now("evt_1");
        assert_eq!(d.claim_at("evt_1", t), Claim::New);
        assert_eq!(d.claim_at("evt_1", t), Claim::InProgress);
    }

    #[test]
    fn abandoned_claim_stops_blocking_after_lease() {
        let d = MemoryDedup::new(10, 10 * HOUR).with_lease(Duration::from_secs(60));
        let t = Instant::now();
        assert_eq!(d.claim_at("evt_1", t), Claim::New);
        assert_eq!(
            d.claim_at("evt_1", t + Duration::from_secs(59)),
            Claim::InProgress
        );
        assert_eq!(d.claim_at("evt_1", t + Duration::from_secs(60)), Claim::New);
        // A completed id is remembered for the whole TTL, not just the lease.
        d.complete_now("evt_1");
        assert_eq!(d.claim_at("evt_1", t + 9 * HOUR), Claim::Duplicate);
    }

    #[test]
    fn ids_expire_after_ttl() {
        let d = MemoryDedup::new(10, HOUR);
        let t = Instant::now();
        assert_eq!(handled(&d, "evt_1", t), Claim::New);
        assert_eq!(
            d.claim_at("evt_1", t + HOUR - Duration::from_secs(1)),
            Claim::Duplicate
        );
        assert_eq!(d.claim_at("evt_1", t + HOUR), Claim::New);
        // The expired entry was purged, not kept alongside the new claim.
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn expired_ids_are_purged_on_later_claims() {
        let d = MemoryDedup::new(100, HOUR);
        let t = Instant::now();
        for i in 0..50 {
            assert_eq!(handled(&d, &format!("evt_{i}"), t), Claim::New);
        }
        assert_eq!(d.claim_at("evt_new", t + 2 * HOUR), Claim::New);
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn capacity_evicts_oldest_first() {
        let d = MemoryDedup::new(3, HOUR);
        let t = Instant::now();
        for id in ["a", "b", "c", "d"] {
            assert_eq!(handled(&d, id, t), Claim::New);
        }
        assert_eq!(d.len(), 3);
        // "a" was evicted, the others are remembered.
        assert_eq!(d.claim_at("d", t), Claim::Duplicate);
        assert_eq!(d.claim_at("c", t), Claim::Duplicate);
        assert_eq!(d.claim_at("b", t), Claim::Duplicate);
        assert_eq!(d.claim_at("a", t), Claim::New);
    }

    #[test]
    fn memory_stays_bounded_under_claim_release_churn() {
        let d = MemoryDedup::new(4, HOUR);
        let t = Instant::now();
        for i in 0..1000 {
            let id = format!("evt_{}", i % 7);
            let _ = d.claim_at(&id, t);
            d.release_now(&id);
        }
        assert!(
            d.queue_len() <= 2 * 4 + 1,
            "queue grew to {}",
            d.queue_len()
        );
        assert!(d.len() <= 4);
    }

    #[test]
    fn trait_methods_delegate() {
        let d = std::sync::Arc::new(MemoryDedup::default());
        assert_eq!(ready(d.claim("evt_x")), Ok(Claim::New));
        assert_eq!(ready(d.claim("evt_x")), Ok(Claim::InProgress));
        assert_eq!(ready(d.release("evt_x")), Ok(()));
        assert_eq!(ready(d.claim("evt_x")), Ok(Claim::New));
        assert_eq!(ready(d.complete("evt_x")), Ok(()));
        assert_eq!(ready(d.claim("evt_x")), Ok(Claim::Duplicate));
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
