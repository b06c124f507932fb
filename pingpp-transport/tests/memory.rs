//! Peak heap of the client against a server that sends an endless body.
//!
//! Counts every allocation of this test binary with dhat's global allocator (the
//! server's too: it writes one static buffer over and over) while the client reads an
//! endless chunked body with the default 4 MiB limit. Without the limit the body would
//! be buffered until memory ran out. Figures:
//! `cargo test -p pingpp-transport --release --test memory -- --nocapture`.
#![cfg(all(
    feature = "hyper-transport",
    any(feature = "aws-lc-rs", feature = "ring")
))]

use std::time::Duration;

use pingpp_transport::{Client, DEFAULT_MAX_RESPONSE_BYTES, Error, ProxyConfig};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

static CHUNK: [u8; 64 * 1024] = [b' '; 64 * 1024];

async fn endless_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let mut seen = 0usize;
                // Read the request head (a GET has no body).
                loop {
                    match s.read(&mut buf[seen..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen += n,
                    }
                    if buf[..seen].windows(4).any(|w| w == b"\r\n\r\n") || seen == buf.len() {
                        break;
                    }
                }
                let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
                if s.write_all(head).await.is_err() {
                    return;
                }
                loop {
                    if s.write_all(b"10000\r\n").await.is_err()
                        || s.write_all(&CHUNK).await.is_err()
                        || s.write_all(b"\r\n").await.is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    base
}

#[test]
fn an_endless_body_costs_a_bounded_amount_of_memory() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let base = runtime.block_on(endless_server());
    let client = Client::builder()
        .api_key("sk_test_ibbTe5jLGCi5rzfH4OqPW9KC")
        .app_id("app_1")
        .base_url(base)
        .proxy(ProxyConfig::none())
        .max_attempts(1)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let profiler = dhat::Profiler::builder().testing().build();
    let err = runtime
        .block_on(client.get::<Value, _>("/v1/x", &()))
        .unwrap_err();
    let stats = dhat::HeapStats::get();
    drop(profiler);
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
    let peak = stats.max_bytes;
    println!(
        "endless body: peak heap {peak} B ({:.1} MiB) with a {} MiB limit, {} allocations",
        peak as f64 / (1024.0 * 1024.0),
        DEFAULT_MAX_RESPONSE_BYTES >> 20,
        stats.total_blocks
    );
    // The body is held up to the limit, plus buffers: never more than twice the limit.
    assert!(
        peak < 2 * DEFAULT_MAX_RESPONSE_BYTES,
        "peak heap {peak} B for a {DEFAULT_MAX_RESPONSE_BYTES} B limit"
    );
}
