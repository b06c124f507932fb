//! Hostile clients against `server::serve_with`: idle connections past the connection
//! cap or the file-descriptor limit must not keep a real delivery out, and header and
//! idle timeouts close what hangs.
#![cfg(feature = "server")]

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::http::{closed_within, post_signed, post_signed_keep_alive};
use common::{event_body, verifier};
use pingpp_webhook::Event;
use pingpp_webhook::server::{ServeConfig, WebhookService, serve_with};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// Far longer than any assertion below waits: only making room can let a delivery in.
const LONG: Duration = Duration::from_secs(120);

/// A deadline for things that take milliseconds when the server works; it only bounds
/// how long a broken server makes the test hang.
const LIVENESS: Duration = Duration::from_secs(20);

async fn start(config: ServeConfig) -> (SocketAddr, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let service = WebhookService::new(verifier(), move |_event: Event| {
        counter.fetch_add(1, Ordering::SeqCst);
        async { Ok::<(), std::io::Error>(()) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve_with(listener, service, config));
    (addr, calls)
}

async fn idle_connections(addr: SocketAddr, n: usize) -> Vec<TcpStream> {
    let mut held = Vec::with_capacity(n);
    for _ in 0..n {
        held.push(TcpStream::connect(addr).await.expect("connect"));
    }
    held
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_delivery_gets_through_while_idle_connections_fill_the_cap() {
    let cap = 32;
    let config = ServeConfig::default()
        .with_max_connections(cap)
        .with_header_read_timeout(LONG)
        .with_idle_timeout(LONG);
    let (addr, calls) = start(config).await;
    let mut held = idle_connections(addr, 200).await;

    let body = event_body("evt_through_the_crowd", true);
    let delivery = post_signed(addr, &body);
    let (status, _) = tokio::time::timeout(LIVENESS, delivery)
        .await
        .expect("the delivery was kept out by idle connections");
    assert_eq!(status, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // Room was made by closing idle connections, oldest first; at most `cap` stay open.
    let mut closed = 0;
    for stream in &mut held {
        if closed_within(stream, Duration::from_millis(50)).await {
            closed += 1;
        }
    }
    assert!(
        closed >= 200 - cap,
        "only {closed} idle connections were closed"
    );
    assert!(
        closed_within(&mut held[0], Duration::ZERO).await,
        "the oldest idle connection is closed first"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_whose_request_is_being_handled_is_never_closed_to_make_room() {
    let started = Arc::new(tokio::sync::Notify::new());
    let finish = Arc::new(tokio::sync::Notify::new());
    let (s, f) = (Arc::clone(&started), Arc::clone(&finish));
    let service = WebhookService::new(verifier(), move |event: Event| {
        let (started, finish) = (Arc::clone(&s), Arc::clone(&f));
        async move {
            if event.id.as_deref() == Some("evt_slow") {
                started.notify_one();
                finish.notified().await;
            }
            Ok::<(), std::io::Error>(())
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = ServeConfig::default()
        .with_max_connections(4)
        .with_header_read_timeout(LONG)
        .with_idle_timeout(LONG);
    tokio::spawn(serve_with(listener, service, config));

    let slow = tokio::spawn(async move { post_signed(addr, &event_body("evt_slow", true)).await });
    started.notified().await;
    let _held = idle_connections(addr, 50).await;
    let body = event_body("evt_other", true);
    let other = post_signed(addr, &body);
    assert_eq!(tokio::time::timeout(LIVENESS, other).await.unwrap().0, 200);
    finish.notify_one();
    let (status, _) = tokio::time::timeout(LIVENESS, slow).await.unwrap().unwrap();
    assert_eq!(status, 200, "the busy connection kept its answer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_and_idle_timeouts_close_connections() {
    let config = ServeConfig::default()
        .with_header_read_timeout(Duration::from_millis(300))
        .with_idle_timeout(Duration::from_millis(1500));
    let (addr, _) = start(config).await;

    // Connects and says nothing.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    assert!(closed_within(&mut silent, LIVENESS).await);

    // Sends half a request head, then stalls.
    let mut slow_head = TcpStream::connect(addr).await.unwrap();
    slow_head
        .write_all(b"POST /webhooks/pingpp HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    assert!(closed_within(&mut slow_head, LIVENESS).await);

    // A kept-alive connection outlives the header timeout between requests, serves a
    // second request, and is closed once idle for the idle timeout.
    let mut kept = TcpStream::connect(addr).await.unwrap();
    let (status, _) = post_signed_keep_alive(&mut kept, &event_body("evt_ka_1", true)).await;
    assert_eq!(status, 200);
    assert!(
        !closed_within(&mut kept, Duration::from_millis(600)).await,
        "closed by the header timeout while idle between requests"
    );
    let (status, _) = post_signed_keep_alive(&mut kept, &event_body("evt_ka_2", true)).await;
    assert_eq!(status, 200);
    assert!(closed_within(&mut kept, LIVENESS).await);
}

/// Environment variable marking the child process of the descriptor-limit test.
const CHILD: &str = "PINGPP_WEBHOOK_FD_LIMIT_CHILD";

/// The issue's scenario: 260 idle connections to a server limited to 200 file
/// descriptors. The server runs in a child process under `ulimit -n 200`
/// ([`fd_limited_server`]); the clients run here, with the usual limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_beyond_the_descriptor_limit_do_not_block_a_delivery() {
    use std::io::BufRead;
    let exe = std::env::current_exe().unwrap();
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -n 200 && exec "$0" "$@""#)
        .arg(&exe)
        .args(["--exact", "fd_limited_server", "--ignored", "--nocapture"])
        .env(CHILD, common::PING_KEYS.public_pem())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the fd-limited server");
    let stdout = child.stdout.take().unwrap();
    let port: u16 = std::io::BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("PORT=")
                .map(|p| p.trim().parse().unwrap())
        })
        .expect("the child prints its port");
    let addr = SocketAddr::from(([127, 0, 0, 1], port));

    let held = idle_connections(addr, 260).await;
    let body = event_body("evt_fd_limit", true);
    let delivery = post_signed(addr, &body);
    let result = tokio::time::timeout(LIVENESS, delivery).await;
    let _ = child.kill();
    let _ = child.wait();
    drop(held);
    let (status, body) = result.expect("the delivery was kept out by idle connections");
    assert_eq!((status, body.as_str()), (200, "ok"));
}

/// The server of the test above; does nothing unless started by it.
#[test]
#[ignore = "started by idle_connections_beyond_the_descriptor_limit_do_not_block_a_delivery"]
fn fd_limited_server() {
    let Ok(public_pem) = std::env::var(CHILD) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let verifier = pingpp_webhook::Verifier::from_pem(&public_pem).unwrap();
        let service = WebhookService::new(verifier, |_event: Event| async {
            Ok::<(), std::io::Error>(())
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("PORT={}", listener.local_addr().unwrap().port());
        // The default cap (1024) is above the descriptor limit and the timeouts are
        // long, so only closing idle connections when `accept` runs out of descriptors
        // can help. The server stops by itself if the parent never kills it.
        let config = ServeConfig::default()
            .with_header_read_timeout(LONG)
            .with_idle_timeout(LONG);
        let serve = serve_with(listener, service, config);
        let _ = tokio::time::timeout(Duration::from_secs(60), serve).await;
    });
}
