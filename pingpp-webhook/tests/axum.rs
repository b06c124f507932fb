//! The webhook endpoint inside a real axum 0.8 app served on 127.0.0.1: the whole
//! service mounted with `route_service`, and the `VerifiedEvent` extractor.
#![cfg(feature = "axum")]

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use common::http::{post_signed_to, request};
use common::{OTHER_KEYS, event_body, fixture, sign, verifier};
use pingpp_webhook::axum::{VerifiedEvent, WebhookRejection};
use pingpp_webhook::server::WebhookService;
use pingpp_webhook::{Event, EventData, Verifier};

/// The app's own state; the extractor finds the verifier in it through `FromRef`.
#[derive(Clone)]
struct AppState {
    verifier: Verifier,
    events: Arc<Mutex<Vec<Event>>>,
}

impl FromRef<AppState> for Verifier {
    fn from_ref(state: &AppState) -> Verifier {
        state.verifier.clone()
    }
}

async fn extracted(
    State(state): State<AppState>,
    VerifiedEvent(event): VerifiedEvent,
) -> StatusCode {
    state.events.lock().unwrap().push(event);
    StatusCode::OK
}

/// Serves an app with the service at `/webhooks` and the extractor at `/extract`.
async fn start(verifier: Verifier) -> (SocketAddr, Arc<AtomicUsize>, Arc<Mutex<Vec<Event>>>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let service = WebhookService::new(verifier.clone(), move |_event: Event| {
        counter.fetch_add(1, Ordering::SeqCst);
        async { Ok::<(), std::io::Error>(()) }
    });
    let events = Arc::new(Mutex::new(Vec::new()));
    let app = Router::new()
        .route_service("/webhooks", service)
        .route("/extract", post(extracted))
        .with_state(AppState {
            verifier,
            events: Arc::clone(&events),
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, calls, events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_mounted_with_route_service_verifies_and_dedupes() {
    let (addr, calls, _) = start(verifier()).await;
    let body = fixture("withdrawal_succeeded.json");
    assert_eq!(
        post_signed_to(addr, "/webhooks", &body).await,
        (200, "ok".into())
    );
    assert_eq!(
        post_signed_to(addr, "/webhooks", &body).await,
        (200, "duplicate".into())
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    let forged = OTHER_KEYS.sign(&body).unwrap();
    let (status, _) = request(
        addr,
        "POST",
        "/webhooks",
        &[("x-pingplusplus-signature", &forged)],
        &event_body("evt_forged", true),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extractor_gives_the_typed_verified_event() {
    let (addr, _, events) = start(verifier()).await;
    let body = fixture("withdrawal_failed.json");
    assert_eq!(post_signed_to(addr, "/extract", &body).await.0, 200);
    let events = events.lock().unwrap();
    assert_eq!(events.len(), 1);
    assert!(matches!(events[0].data, EventData::WithdrawalFailed(_)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extractor_rejects_bad_deliveries_with_the_services_statuses() {
    let (addr, _, events) = start(verifier().with_max_body_size(256)).await;
    let body = event_body("evt_x", true);

    let (status, text) = request(addr, "POST", "/extract", &[], &body).await;
    assert_eq!(status, 400, "missing signature: {text}");
    assert!(text.contains("missing"), "{text}");

    let forged = OTHER_KEYS.sign(&body).unwrap();
    let (status, text) = request(
        addr,
        "POST",
        "/extract",
        &[("x-pingplusplus-signature", &forged)],
        &body,
    )
    .await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("does not match"), "{text}");

    assert_eq!(post_signed_to(addr, "/extract", b"[1,2]").await.0, 400);

    // Over the verifier's limit: declared, and streamed without a length.
    let large = format!(
        r#"{{"id":"evt_large","object":"event","pad":"{}"}}"#,
        "x".repeat(400)
    );
    assert_eq!(
        post_signed_to(addr, "/extract", large.as_bytes()).await.0,
        413
    );
    let (status, _) = chunked(addr, "/extract", large.as_bytes()).await;
    assert_eq!(status, 413);
    assert!(events.lock().unwrap().is_empty());
}

#[test]
fn rejection_statuses() {
    use axum::response::IntoResponse;
    let too_large = WebhookRejection::BodyTooLarge { limit: 10 };
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_large.into_response().status(), 413);
    let invalid = WebhookRejection::from(pingpp_webhook::WebhookError::MissingSignature);
    assert_eq!(invalid.into_response().status(), 400);
}

/// POSTs a signed body with chunked transfer encoding (no Content-Length).
async fn chunked(addr: SocketAddr, path: &str, body: &[u8]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nTransfer-Encoding: chunked\r\nx-pingplusplus-signature: {}\r\n\r\n{:x}\r\n",
        sign(body),
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    stream.write_all(b"\r\n0\r\n\r\n").await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    common::http::parse_response(&response)
}
