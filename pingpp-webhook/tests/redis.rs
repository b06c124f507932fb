//! `RedisDedup` against a real `redis-server` (started per test on a free port of
//! 127.0.0.1, in a temporary directory, and killed at the end), and receivers sharing it.
//!
//! Without `redis-server` installed these tests print why and pass, unless `CI` is set:
//! then they fail (`.ci/run` installs it).
#![cfg(all(feature = "redis", feature = "server"))]

mod common;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::http::post_signed;
use common::redis_server::RedisServer;
use common::{event_body, verifier};
use pingpp_webhook::redis::AsyncCommands;
use pingpp_webhook::server::{HandlerError, WebhookService};
use pingpp_webhook::{Claim, ClaimToken, DedupKey, DedupStore, Event, RedisDedup};

const APP: &str = "app_1Gqj58ynP0mHeX1q";

/// Bounds waits that take milliseconds when things work.
const LIVENESS: Duration = Duration::from_secs(30);

async fn store(redis: &RedisServer, lease: Duration) -> RedisDedup {
    RedisDedup::builder(APP)
        .lease(lease)
        .connect(&redis.url())
        .await
        .expect("connect to the test redis-server")
}

/// A plain connection to look at what the store wrote.
async fn inspect(redis: &RedisServer) -> pingpp_webhook::redis::aio::MultiplexedConnection {
    pingpp_webhook::redis::Client::open(redis.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

fn new(claim: Claim) -> ClaimToken {
    match claim {
        Claim::New(token) => token,
        other => panic!("expected a new claim, got {other:?}"),
    }
}

/// Starts a receiver deduplicating in `redis`, with `handler`.
async fn receiver<F, Fut>(redis: &RedisServer, lease: Duration, handler: F) -> SocketAddr
where
    F: Fn(Event) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
{
    let service = WebhookService::with_dedup(verifier(), handler, store(redis, lease).await);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(pingpp_webhook::server::serve(listener, service));
    addr
}

/// How many times the handler ran, per event id.
#[derive(Default, Clone)]
struct Handled(Arc<Mutex<HashMap<String, usize>>>);

impl Handled {
    fn record(&self, event: &Event) {
        *self
            .0
            .lock()
            .unwrap()
            .entry(event.id.clone().unwrap_or_default())
            .or_default() += 1;
    }
    fn count(&self, id: &str) -> usize {
        self.0.lock().unwrap().get(id).copied().unwrap_or(0)
    }
    /// A handler recording each event, then working for `work`, then succeeding.
    fn handler(
        &self,
        work: Duration,
    ) -> impl Fn(Event) -> std::pin::Pin<Box<dyn Future<Output = Result<(), HandlerError>> + Send>>
    + Send
    + Sync
    + 'static {
        let handled = self.clone();
        move |event: Event| {
            handled.record(&event);
            Box::pin(async move {
                if !work.is_zero() {
                    tokio::time::sleep(work).await;
                }
                Ok(())
            })
        }
    }
}

/// Delivers like Ping++ until acknowledged: 409 and 500 are retried after a pause.
async fn deliver_until_ok(addr: SocketAddr, body: &[u8]) -> Vec<u16> {
    let mut statuses = Vec::new();
    let deadline = tokio::time::Instant::now() + LIVENESS;
    loop {
        let (status, _) = post_signed(addr, body).await;
        statuses.push(status);
        match status {
            200 => return statuses,
            409 | 500 => {}
            other => panic!("unexpected status {other}"),
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not acknowledged in time: {statuses:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_complete_and_release_under_namespaced_keys() {
    let Some(redis) =
        RedisServer::start_or_skip("claims_complete_and_release_under_namespaced_keys")
    else {
        return;
    };
    let dedup = store(&redis, Duration::from_secs(30)).await;
    let mut raw = inspect(&redis).await;
    let live = DedupKey::new("evt_1", true);
    let name = "pingpp:webhook:app_1Gqj58ynP0mHeX1q:live:evt_1";
    assert_eq!(dedup.redis_key(&live), name);

    let token = new(dedup.claim(&live).await.unwrap());
    let value: String = raw.get(name).await.unwrap();
    assert!(value.starts_with("claim:"), "{value}");
    let ttl: i64 = raw.pttl(name).await.unwrap();
    assert!(ttl > 0 && ttl <= 30_000, "claim lease {ttl} ms");
    assert_eq!(dedup.claim(&live).await.unwrap(), Claim::InProgress);

    // The same id in test mode, or for another app, is another event.
    let test_mode = DedupKey::new("evt_1", false);
    assert!(matches!(
        dedup.claim(&test_mode).await.unwrap(),
        Claim::New(_)
    ));
    let other_app = RedisDedup::builder("app_other")
        .connect(&redis.url())
        .await
        .unwrap();
    assert!(matches!(
        other_app.claim(&live).await.unwrap(),
        Claim::New(_)
    ));

    dedup.complete(&live, token).await.unwrap();
    let value: String = raw.get(name).await.unwrap();
    assert_eq!(value, "done");
    let ttl: i64 = raw.pttl(name).await.unwrap();
    assert!(
        ttl > 25 * 3_600_000 && ttl <= 26 * 3_600_000,
        "a handled event is remembered beyond Ping++'s 25-hour retry window, not {ttl} ms"
    );
    assert_eq!(dedup.claim(&live).await.unwrap(), Claim::Duplicate);

    // Releasing a failed attempt lets the next delivery claim it again.
    let key = DedupKey::new("evt_2", true);
    let token = new(dedup.claim(&key).await.unwrap());
    dedup.release(&key, token).await.unwrap();
    let exists: bool = raw.exists(dedup.redis_key(&key)).await.unwrap();
    assert!(!exists);
    assert!(matches!(dedup.claim(&key).await.unwrap(), Claim::New(_)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_that_expired_and_was_taken_is_neither_overwritten_nor_released() {
    let Some(redis) = RedisServer::start_or_skip("claim_taken_after_expiry") else {
        return;
    };
    let lease = Duration::from_millis(300);
    let slow = store(&redis, lease).await; // an instance whose handler outlived its lease
    let other = store(&redis, lease).await;
    let mut raw = inspect(&redis).await;
    let key = DedupKey::new("evt_expired", true);
    let name = slow.redis_key(&key);

    let stale = new(slow.claim(&key).await.unwrap());
    tokio::time::sleep(lease + Duration::from_millis(200)).await;
    let current = new(other.claim(&key).await.unwrap());
    let held: String = raw.get(&name).await.unwrap();

    // The late instance fails, or succeeds: either way the new claim stays as it is.
    slow.release(&key, stale).await.unwrap();
    slow.complete(&key, stale).await.unwrap();
    assert!(
        !slow.renew(&key, stale).await.unwrap(),
        "renewed a claim it lost"
    );
    let value: String = raw.get(&name).await.unwrap();
    assert_eq!(value, held);
    assert_eq!(other.claim(&key).await.unwrap(), Claim::InProgress);
    assert!(other.renew(&key, current).await.unwrap());

    other.complete(&key, current).await.unwrap();
    assert_eq!(slow.claim(&key).await.unwrap(), Claim::Duplicate);

    // A claim that expired and that nobody took is completed: the event was handled.
    let key = DedupKey::new("evt_expired_alone", true);
    let token = new(slow.claim(&key).await.unwrap());
    tokio::time::sleep(lease + Duration::from_millis(200)).await;
    slow.complete(&key, token).await.unwrap();
    assert_eq!(other.claim(&key).await.unwrap(), Claim::Duplicate);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_event_sent_to_two_receivers_at_once_many_times_is_handled_once() {
    let Some(redis) = RedisServer::start_or_skip("two_receivers_handle_once") else {
        return;
    };
    let handled = Handled::default();
    let lease = Duration::from_secs(5);
    // Each handling takes long enough for concurrent deliveries to overlap.
    let a = receiver(&redis, lease, handled.handler(Duration::from_millis(30))).await;
    let b = receiver(&redis, lease, handled.handler(Duration::from_millis(30))).await;

    let events: Vec<String> = (0..20).map(|i| format!("evt_shared_{i}")).collect();
    let mut deliveries = Vec::new();
    for id in &events {
        let body = event_body(id, true);
        for n in 0..8 {
            let addr = if n % 2 == 0 { a } else { b };
            let body = body.clone();
            deliveries.push(tokio::spawn(
                async move { deliver_until_ok(addr, &body).await },
            ));
        }
    }
    let mut statuses = Vec::new();
    for delivery in deliveries {
        statuses.extend(delivery.await.unwrap());
    }
    for id in &events {
        assert_eq!(
            handled.count(id),
            1,
            "{id} handled {} times",
            handled.count(id)
        );
    }
    assert!(statuses.contains(&409), "the deliveries never overlapped");
    assert!(!statuses.contains(&500), "{statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_failure_on_one_receiver_lets_the_retry_on_the_other_be_handled() {
    let Some(redis) = RedisServer::start_or_skip("failure_then_other_receiver") else {
        return;
    };
    let failed = Arc::new(AtomicUsize::new(0));
    let handled = Handled::default();
    let lease = Duration::from_secs(30);
    let failing = {
        let failed = Arc::clone(&failed);
        receiver(&redis, lease, move |_event: Event| {
            failed.fetch_add(1, Ordering::SeqCst);
            async { Err::<(), HandlerError>("database unavailable".into()) }
        })
        .await
    };
    let working = receiver(&redis, lease, handled.handler(Duration::ZERO)).await;
    let body = event_body("evt_retry_elsewhere", true);
    assert_eq!(post_signed(failing, &body).await.0, 500);
    // Ping++ retries; the load balancer sends it to the other instance.
    assert_eq!(post_signed(working, &body).await, (200, "ok".into()));
    assert_eq!(post_signed(failing, &body).await, (200, "duplicate".into()));
    assert_eq!(failed.load(Ordering::SeqCst), 1);
    assert_eq!(handled.count("evt_retry_elsewhere"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_instances_claim_expires_after_the_lease_and_the_retry_is_handled() {
    let Some(redis) = RedisServer::start_or_skip("crashed_instance") else {
        return;
    };
    let lease = Duration::from_millis(500);
    let handled = Handled::default();
    let addr = receiver(&redis, lease, handled.handler(Duration::ZERO)).await;
    // An instance claimed the event and died before completing or releasing it.
    let crashed = store(&redis, lease).await;
    let key = DedupKey::new("evt_orphan", true);
    let _never_settled = new(crashed.claim(&key).await.unwrap());
    drop(crashed);

    let body = event_body("evt_orphan", true);
    assert_eq!(post_signed(addr, &body).await.0, 409);
    tokio::time::sleep(lease + Duration::from_millis(200)).await;
    assert_eq!(post_signed(addr, &body).await, (200, "ok".into()));
    assert_eq!(handled.count("evt_orphan"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_running_longer_than_the_lease_keeps_its_claim() {
    let Some(redis) = RedisServer::start_or_skip("renewal") else {
        return;
    };
    let lease = Duration::from_millis(300);
    let handled = Handled::default();
    let work = Duration::from_millis(1500); // five leases
    let a = receiver(&redis, lease, handled.handler(work)).await;
    let b = receiver(&redis, lease, handled.handler(work)).await;
    let body = event_body("evt_long", true);
    let first = {
        let body = body.clone();
        tokio::spawn(async move { post_signed(a, &body).await })
    };
    // Retries reach the other instance all along the handling, past the lease.
    tokio::time::sleep(Duration::from_millis(100)).await;
    for _ in 0..10 {
        assert_eq!(post_signed(b, &body).await.0, 409);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(first.await.unwrap(), (200, "ok".into()));
    assert_eq!(post_signed(b, &body).await, (200, "duplicate".into()));
    assert_eq!(handled.count("evt_long"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_answers_500_and_the_event_is_handled_once_redis_is_back() {
    let Some(mut redis) = RedisServer::start_or_skip("redis_down") else {
        return;
    };
    let handled = Handled::default();
    let addr = receiver(
        &redis,
        Duration::from_secs(30),
        handled.handler(Duration::ZERO),
    )
    .await;
    assert_eq!(
        post_signed(addr, &event_body("evt_before", true)).await.0,
        200
    );

    redis.stop();
    let body = event_body("evt_during_outage", true);
    for _ in 0..3 {
        let (status, _) = tokio::time::timeout(LIVENESS, post_signed(addr, &body))
            .await
            .expect("an answer while Redis is down");
        assert_eq!(status, 500, "never 200 without a claim");
    }
    assert_eq!(handled.count("evt_during_outage"), 0);

    redis.start();
    let statuses = deliver_until_ok(addr, &body).await;
    assert_eq!(statuses.last(), Some(&200));
    assert_eq!(handled.count("evt_during_outage"), 1);
    assert_eq!(post_signed(addr, &body).await, (200, "duplicate".into()));
    assert_eq!(handled.count("evt_during_outage"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_redis_password_never_shows_in_debug_or_errors() {
    let Some(redis) = RedisServer::start_or_skip("password_hidden") else {
        return;
    };
    let mut raw = inspect(&redis).await;
    let _: () = pingpp_webhook::redis::cmd("CONFIG")
        .arg("SET")
        .arg("requirepass")
        .arg("s3cret-Pa55")
        .query_async(&mut raw)
        .await
        .unwrap();
    let url = format!("redis://:s3cret-Pa55@{}/", redis.addr());
    let dedup = RedisDedup::builder(APP).connect(&url).await.unwrap();
    let shown = format!("{dedup:?}");
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(matches!(
        dedup.claim(&DedupKey::new("evt_pw", true)).await.unwrap(),
        Claim::New(_)
    ));

    let wrong = format!("redis://:wr0ng-Pa55@{}/", redis.addr());
    let error = RedisDedup::builder(APP).connect(&wrong).await.unwrap_err();
    let mut text = format!("{error} {error:?}");
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(&format!(" {cause} {cause:?}"));
        source = cause.source();
    }
    assert!(!text.contains("wr0ng"), "{text}");
}
