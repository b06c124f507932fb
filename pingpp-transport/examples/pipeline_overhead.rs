//! Measures the cost of the request pipeline: over the in-memory test transport (headers,
//! serialization, signing, decoding) and over the default hyper transport against a
//! loopback server (keep-alive). Run with
//! `cargo run -p pingpp-transport --example pipeline_overhead --features test-util --release`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use pingpp_transport::Client;
use pingpp_transport::test_util::TestTransport;
use serde_json::{Value, json};

const N: usize = 2000;

fn client(transport: Option<Arc<TestTransport>>, base: &str, signed: bool) -> Client {
    let mut b = Client::builder()
        .api_key("sk_test_ibbTe5jLGCi5rzfH4OqPW9KC")
        .app_id("app_1")
        .base_url(base);
    if let Some(t) = transport {
        b = b.transport(t);
    }
    if signed {
        let pair = pingpp_sign::generate_keypair().expect("keygen");
        b = b.private_key(pair.private_key().expect("key"));
    }
    b.build().expect("client")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let body = json!({"user": "user_001", "amount": 20000, "order_no": "2026113000001",
                      "channel": "wx", "extra": {"open_id": "o9zpMs9jIaLynQY9N6yxcZ"}});
    for signed in [false, true] {
        let t = Arc::new(TestTransport::new());
        for _ in 0..N {
            t.push_json(200, r#"{"id":"1","object":"withdrawal","amount":20000}"#);
        }
        let c = client(Some(t.clone()), "https://api.pingxx.com", signed);
        let start = Instant::now();
        for _ in 0..N {
            let _: Value = c
                .post("/v1/apps/app_1/withdrawals", &body)
                .await
                .expect("post");
        }
        let per = start.elapsed() / N as u32;
        println!("test transport, signed={signed}: {per:?} per POST ({N} requests)");
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let svc = service_fn(|_req| async {
                    Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from_static(
                        br#"{"id":"1"}"#,
                    ))))
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    let c = client(None, &base, false);
    let start = Instant::now();
    for _ in 0..N {
        let _: Value = c
            .get("/v1/apps/app_1/withdrawals/1", &())
            .await
            .expect("get");
    }
    let elapsed = start.elapsed();
    println!(
        "hyper transport, loopback keep-alive: {:?} per GET, {:.0} requests/s ({N} requests)",
        elapsed / N as u32,
        N as f64 / elapsed.as_secs_f64()
    );
}
