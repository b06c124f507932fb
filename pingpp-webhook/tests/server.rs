//! The `server` feature over a real socket on 127.0.0.1.
#![cfg(feature = "server")]

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::http::{post_signed, send};
use common::{OTHER_KEYS, event_body, fixture, sign, verifier};
use pingpp_webhook::server::{HandlerError, WebhookService};
use pingpp_webhook::{Event, EventData};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Events the handler saw (ids), and how many calls it got.
#[derive(Default)]
struct Seen {
    ids: Mutex<Vec<String>>,
    calls: AtomicUsize,
}

/// Starts the service on an ephemeral port. Ids starting with `evt_fail` make the
/// handler fail; `evt_panic` makes it panic. The server stops with the test's runtime.
async fn start(service_verifier: pingpp_webhook::Verifier) -> (SocketAddr, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let record = Arc::clone(&seen);
    let service = WebhookService::new(service_verifier, move |event: Event| {
        let record = Arc::clone(&record);
        async move {
            record.calls.fetch_add(1, Ordering::SeqCst);
            if event.id.as_deref().unwrap_or("").starts_with("evt_panic") {
                panic!("handler bug");
            }
            if event.id.as_deref().unwrap_or("").starts_with("evt_fail") {
                return Err::<(), HandlerError>("database unavailable".into());
            }
            record
                .ids
                .lock()
                .unwrap()
                .push(event.id.clone().unwrap_or_default());
            Ok(())
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(pingpp_webhook::server::serve(listener, service));
    (addr, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepted_event_answers_200_and_reaches_handler() {
    let (addr, seen) = start(verifier()).await;
    let body = fixture("withdrawal_succeeded.json");
    // Header name in Ping++'s own spelling.
    let signature = sign(&body);
    let (status, _) = send(
        addr,
        "POST",
        &[("X-Pingplusplus-Signature", &signature)],
        &body,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        *seen.ids.lock().unwrap(),
        vec!["evt_401170615000000012345680"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_signature_or_body_answers_400_without_calling_handler() {
    let (addr, seen) = start(verifier()).await;
    let body = event_body("evt_bad", true);

    let (status, text) = send(addr, "POST", &[], &body).await;
    assert_eq!(status, 400, "missing signature");
    assert!(text.contains("missing"), "{text}");

    let (status, _) = send(addr, "POST", &[("x-pingplusplus-signature", "%%%")], &body).await;
    assert_eq!(status, 400, "not base64");

    let wrong = OTHER_KEYS.sign(&body).unwrap();
    let (status, text) = send(addr, "POST", &[("x-pingplusplus-signature", &wrong)], &body).await;
    assert_eq!(status, 400, "mismatch");
    assert!(text.contains("raw body"), "{text}");

    let (status, _) = post_signed(addr, b"not json").await;
    assert_eq!(status, 400, "not JSON");
    let (status, _) = post_signed(addr, br#"{"hello":"world"}"#).await;
    assert_eq!(status, 400, "not an event");

    assert_eq!(seen.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handler_failure_answers_500_and_the_retry_is_processed() {
    let (addr, seen) = start(verifier()).await;
    let body = event_body("evt_fail_1", true);
    let (status, _) = post_signed(addr, &body).await;
    assert_eq!(status, 500);
    // Ping++ retries: the failed event was not remembered as handled.
    let (status, _) = post_signed(addr, &body).await;
    assert_eq!(status, 500);
    assert_eq!(seen.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handler_panic_answers_500_and_server_keeps_serving() {
    let (addr, seen) = start(verifier()).await;
    let (status, _) = post_signed(addr, &event_body("evt_panic", true)).await;
    assert_eq!(status, 500);
    let (status, _) = post_signed(addr, &event_body("evt_panic", true)).await;
    assert_eq!(status, 500, "a panic must not mark the event as handled");
    let (status, _) = post_signed(addr, &event_body("evt_after_panic", true)).await;
    assert_eq!(status, 200);
    assert_eq!(seen.calls.load(Ordering::SeqCst), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_event_reaches_handler_once() {
    let (addr, seen) = start(verifier()).await;
    let body = fixture("recharge_succeeded.json");
    for _ in 0..3 {
        let (status, _) = post_signed(addr, &body).await;
        assert_eq!(status, 200);
    }
    // Same event id, different bytes (e.g. pending_webhooks changed): still a duplicate.
    let mut value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    value["pending_webhooks"] = 2.into();
    let resent = serde_json::to_vec(&value).unwrap();
    let (status, text) = post_signed(addr, &resent).await;
    assert_eq!((status, text.as_str()), (200, "duplicate"));
    assert_eq!(seen.calls.load(Ordering::SeqCst), 1);
    assert_eq!(seen.ids.lock().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_duplicates_reach_handler_once() {
    let (addr, seen) = start(verifier()).await;
    let body = event_body("evt_concurrent", true);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let body = body.clone();
        tasks.push(tokio::spawn(
            async move { post_signed(addr, &body).await.0 },
        ));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    // 200 for the delivery that handled it and for those after; 409 for those that
    // arrived while it was being handled.
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );
    assert!(statuses.contains(&200), "{statuses:?}");
    assert_eq!(seen.calls.load(Ordering::SeqCst), 1);
    assert_eq!(post_signed(addr, &body).await.0, 200);
    assert_eq!(seen.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_during_slow_handling_gets_409_so_a_later_failure_is_retried() {
    let started = Arc::new(tokio::sync::Notify::new());
    let finish = Arc::new(tokio::sync::Notify::new());
    let calls = Arc::new(AtomicUsize::new(0));
    let (s, f, c) = (
        Arc::clone(&started),
        Arc::clone(&finish),
        Arc::clone(&calls),
    );
    let service = WebhookService::new(verifier(), move |_event: Event| {
        let (started, finish, calls) = (Arc::clone(&s), Arc::clone(&f), Arc::clone(&c));
        async move {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            if n == 0 {
                started.notify_one();
                finish.notified().await;
                return Err::<(), HandlerError>("first attempt failed".into());
            }
            Ok(())
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(pingpp_webhook::server::serve(listener, service));

    let body = event_body("evt_slow", true);
    let first = {
        let body = body.clone();
        tokio::spawn(async move { post_signed(addr, &body).await.0 })
    };
    started.notified().await;
    // Ping++ timed out and re-sent while the first attempt is still running.
    assert_eq!(post_signed(addr, &body).await.0, 409);
    finish.notify_one();
    assert_eq!(first.await.unwrap(), 500);
    // The next retry is processed, and only then is the event done.
    assert_eq!(post_signed(addr, &body).await.0, 200);
    assert_eq!(post_signed(addr, &body).await.0, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_body_and_wrong_method_are_refused() {
    let (addr, seen) = start(verifier().with_max_body_size(64)).await;
    let body = event_body("evt_large", true);
    assert!(body.len() > 64);
    let (status, _) = post_signed(addr, &body).await;
    assert_eq!(status, 413);
    let (status, _) = send(addr, "GET", &[], b"").await;
    assert_eq!(status, 405);
    assert_eq!(seen.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_test_event_only_with_opt_in() {
    let (addr, seen) = start(verifier().insecure_accept_unsigned_test_events()).await;
    let (status, _) = send(addr, "POST", &[], &event_body("evt_unsigned_test", false)).await;
    assert_eq!(status, 200);
    let (status, _) = send(addr, "POST", &[], &event_body("evt_unsigned_live", true)).await;
    assert_eq!(status, 400);
    assert_eq!(*seen.ids.lock().unwrap(), vec!["evt_unsigned_test"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_event_is_passed_to_handler() {
    let got = Arc::new(Mutex::new(None));
    let slot = Arc::clone(&got);
    let service = WebhookService::new(verifier(), move |event: Event| {
        let slot = Arc::clone(&slot);
        async move {
            *slot.lock().unwrap() = Some(event);
            Ok::<(), std::io::Error>(())
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(pingpp_webhook::server::serve(listener, service));
    let (status, _) = post_signed(addr, &fixture("withdrawal_failed.json")).await;
    assert_eq!(status, 200);
    let event = got.lock().unwrap().take().expect("handler called");
    assert!(matches!(event.data, EventData::WithdrawalFailed(_)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_chunked_body_without_content_length_is_refused() {
    let (addr, seen) = start(verifier().with_max_body_size(64)).await;
    let body = event_body("evt_chunked", true);
    let signature = sign(&body);
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nTransfer-Encoding: chunked\r\nx-pingplusplus-signature: {signature}\r\n\r\n{:x}\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body).await.unwrap();
    stream.write_all(b"\r\n0\r\n\r\n").await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert_eq!(seen.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_dedup_store_behind_dyn_is_used_and_its_failure_answers_500() {
    use pingpp_webhook::{
        Claim, ClaimToken, DedupError, DedupFuture, DedupKey, DedupStore, MemoryDedup,
    };

    /// A store that is down for events whose id starts with `evt_down`.
    #[derive(Default)]
    struct FlakyStore(MemoryDedup);

    #[derive(Debug, thiserror::Error)]
    #[error("store unavailable")]
    struct Down;

    impl DedupStore for FlakyStore {
        fn claim<'a>(&'a self, key: &'a DedupKey) -> DedupFuture<'a, Claim> {
            Box::pin(async move {
                if key.event_id().starts_with("evt_down") {
                    return Err(DedupError::new(Down));
                }
                self.0.claim(key).await
            })
        }
        fn complete<'a>(&'a self, key: &'a DedupKey, token: ClaimToken) -> DedupFuture<'a, ()> {
            self.0.complete(key, token)
        }
        fn release<'a>(&'a self, key: &'a DedupKey, token: ClaimToken) -> DedupFuture<'a, ()> {
            self.0.release(key, token)
        }
    }

    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    // The store is chosen at run time: a trait object.
    let store: Arc<dyn DedupStore> = Arc::new(FlakyStore::default());
    let service = WebhookService::with_dedup(
        verifier(),
        move |_event: Event| {
            counter.fetch_add(1, Ordering::SeqCst);
            async { Ok::<(), std::io::Error>(()) }
        },
        store,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(pingpp_webhook::server::serve(listener, service));

    let (status, _) = post_signed(addr, &event_body("evt_down_1", true)).await;
    assert_eq!(status, 500, "a store failure must make Ping++ retry");
    let body = event_body("evt_up_1", true);
    assert_eq!(post_signed(addr, &body).await.0, 200);
    assert_eq!(post_signed(addr, &body).await.0, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

/// The withdrawal guide prints events without `id`: they cannot be deduplicated, so
/// each delivery reaches the handler (and each is acknowledged).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_without_id_is_handled_on_every_delivery() {
    let (addr, seen) = start(verifier()).await;
    let body = br#"{"created":1505992666,"livemode":true,"type":"balance.withdrawal.succeeded","data":{"object":{"id":"1711111111222210555","object":"withdrawal","amount":100,"created":1505992661,"status":"succeeded","extra":{"open_id":"openid"}}},"object":"event","request":"iar_x"}"#;
    for _ in 0..2 {
        let (status, _) = post_signed(addr, body).await;
        assert_eq!(status, 200);
    }
    assert_eq!(seen.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_body_is_answered_408() {
    let service = WebhookService::new(verifier(), |_event: Event| async {
        Ok::<(), std::io::Error>(())
    })
    .with_body_read_timeout(std::time::Duration::from_millis(200));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(pingpp_webhook::server::serve(listener, service));
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    // Headers promise 100 bytes; 10 come, then nothing.
    stream
        .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789")
        .await
        .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    assert_eq!(common::http::parse_response(&response).0, 408);
}
