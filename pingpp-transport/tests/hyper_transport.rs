//! The default hyper transport against small servers on 127.0.0.1 port 0.
#![cfg(feature = "hyper-transport")]

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use pingpp_transport::test_util::InstantSleep;
use pingpp_transport::{Client, Error, HyperTransport, Transport, TransportErrorKind};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

const KEY: &str = "sk_test_ibbTe5jLGCi5rzfH4OqPW9KC";
const APP: &str = "app_1";

fn client(
    base: &str,
    configure: impl FnOnce(pingpp_transport::ClientBuilder) -> pingpp_transport::ClientBuilder,
) -> (Client, InstantSleep) {
    let sleep = InstantSleep::new();
    let b = Client::builder()
        .api_key(KEY)
        .app_id(APP)
        .base_url(base)
        .sleep(Arc::new(sleep.clone()));
    (configure(b).build().expect("client"), sleep)
}

/// An echo server: answers every request with its method, URI, auth header and body as
/// JSON. Counts accepted connections. Runs until the test's runtime ends.
async fn echo_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let service = service_fn(|req: hyper::Request<Incoming>| async move {
                    let method = req.method().to_string();
                    let uri = req.uri().to_string();
                    let auth = req
                        .headers()
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    let body = req
                        .into_body()
                        .collect()
                        .await
                        .map(|b| b.to_bytes())
                        .unwrap_or_default();
                    let echo = json!({
                        "method": method,
                        "uri": uri,
                        "auth": auth,
                        "body": String::from_utf8_lossy(&body),
                    });
                    Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from(
                        echo.to_string(),
                    ))))
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (base, connections)
}

/// A server that reads each request and then either closes the connection or holds it
/// open without answering. Counts connections.
async fn bad_server(close: bool) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let mut seen = Vec::new();
                // Read until the end of the headers (the test bodies are tiny and arrive with them).
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                if close {
                    drop(stream);
                } else {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            });
        }
    });
    (base, connections)
}

#[tokio::test]
async fn round_trip_reuses_the_connection() {
    let (base, connections) = echo_server().await;
    let (client, _) = client(&base, |b| b);
    let path = client.app_path(&["withdrawals", "w 1"]).unwrap();
    let got: Value = client
        .put(&path, &json!({"status": "pending"}))
        .await
        .unwrap();
    assert_eq!(got["method"], "PUT");
    assert_eq!(got["uri"], "/v1/apps/app_1/withdrawals/w%201");
    assert_eq!(got["auth"], format!("Bearer {KEY}"));
    assert_eq!(got["body"], r#"{"status":"pending"}"#);
    let got: Value = client.get(&path, &[("page", 3)]).await.unwrap();
    assert_eq!(got["method"], "GET");
    assert_eq!(got["uri"], "/v1/apps/app_1/withdrawals/w%201?page=3");
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "keep-alive reuses one connection"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_without_retrying_a_post() {
    let (base, connections) = bad_server(false).await;
    let (client, sleep) = client(&base, |b| b.timeout(Duration::from_millis(200)));
    let err = client
        .post::<Value, _>("/v1/apps/app_1/withdrawals", &json!({"amount": 1}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.may_have_been_sent());
    assert_eq!(connections.load(Ordering::SeqCst), 1);
    assert!(sleep.waits().is_empty());
}

#[tokio::test]
async fn a_dropped_connection_is_may_have_been_sent_and_a_post_is_not_retried() {
    let (base, connections) = bad_server(true).await;
    let (client, sleep) = client(&base, |b| b);
    let err = client
        .post::<Value, _>("/v1/apps/app_1/withdrawals", &json!({"amount": 1}))
        .await
        .unwrap_err();
    match &err {
        Error::Transport(t) => assert_ne!(t.kind(), TransportErrorKind::Connect, "{t:?}"),
        other => panic!("{other:?}"),
    }
    assert!(err.may_have_been_sent());
    assert_eq!(connections.load(Ordering::SeqCst), 1);
    assert!(sleep.waits().is_empty());
}

#[tokio::test]
async fn a_get_over_a_dropped_connection_is_retried() {
    let (base, connections) = bad_server(true).await;
    let (client, sleep) = client(&base, |b| b.max_attempts(3));
    let err = client
        .get::<Value, _>("/v1/apps/app_1/withdrawals", &())
        .await
        .unwrap_err();
    assert!(err.may_have_been_sent());
    assert_eq!(connections.load(Ordering::SeqCst), 3);
    assert_eq!(sleep.waits().len(), 2);
}

#[tokio::test]
async fn a_refused_connection_is_not_sent_and_a_post_is_retried() {
    // Bind then drop a listener: its port now refuses connections.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (client, sleep) = client(&format!("http://127.0.0.1:{port}"), |b| b.max_attempts(2));
    let err = client
        .post::<Value, _>("/v1/apps/app_1/withdrawals", &json!({}))
        .await
        .unwrap_err();
    match &err {
        Error::Transport(t) => assert_eq!(t.kind(), TransportErrorKind::Connect, "{t:?}"),
        other => panic!("{other:?}"),
    }
    assert!(!err.may_have_been_sent());
    assert_eq!(sleep.waits().len(), 1, "retried once");
}

#[tokio::test]
async fn transport_is_usable_directly_as_a_trait_object() {
    let (base, _) = echo_server().await;
    let t: Arc<dyn Transport> = Arc::new(HyperTransport::new().unwrap());
    let req = http::Request::builder()
        .method("POST")
        .uri(format!("{base}/x?y=1"))
        .body(Bytes::from_static(b"hello"))
        .unwrap();
    let resp = t.send(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = serde_json::from_slice(resp.body()).unwrap();
    assert_eq!(v["body"], "hello");
    assert_eq!(v["uri"], "/x?y=1");
}
