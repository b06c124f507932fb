//! Hostile clients against the emulator: slow and endless bodies end with 408, a
//! declared or streamed body over the limit with 413, slow heads are closed, and idle
//! connections past the cap or the file-descriptor limit never keep a request out.
#![allow(missing_docs)]

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{APP, KEY, MERCHANT};
use pingpp_mock::{MockServer, MockServerBuilder, RunningMock};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Far longer than any assertion below waits.
const LONG: Duration = Duration::from_secs(120);

/// Bounds how long a broken server makes a test hang; things take milliseconds.
const LIVENESS: Duration = Duration::from_secs(20);

/// The read timeout of the tests that exercise it.
const READ_TIMEOUT: Duration = Duration::from_millis(400);

fn builder() -> MockServerBuilder {
    MockServer::builder().signing_key(MERCHANT.private_key().expect("key"))
}

async fn start(builder: MockServerBuilder) -> RunningMock {
    builder.start().await.expect("start")
}

fn list_path() -> String {
    format!("/v1/apps/{APP}/withdrawals")
}

/// A request head for `path`, with `extra` header lines (each ending in CRLF).
fn head(method: &str, path: &str, extra: &str) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\nContent-Type: application/json\r\n{extra}\r\n"
    )
}

/// Reads until the server closes the connection (at most `LIVENESS`) and splits the
/// answer into (status, body); `None` when it closed without answering.
async fn read_answer(stream: &mut TcpStream) -> Option<(u16, String)> {
    let mut bytes = Vec::new();
    let read = tokio::time::timeout(LIVENESS, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => bytes.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.expect("the server neither answered nor closed the connection");
    if bytes.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())?;
    Some((status, body))
}

/// The Ping++ error object of a JSON error body.
fn error_of(body: &str) -> Value {
    let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body:?}"));
    let error = v["error"].clone();
    assert!(error["type"].is_string(), "{v}");
    assert!(error["message"].is_string(), "{v}");
    error
}

/// A GET that must be answered 200.
async fn list_succeeds(addr: SocketAddr) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let request = head("GET", &list_path(), "Connection: close\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let (status, body) = read_answer(&mut stream).await.expect("an answer");
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_stops_after_one_byte_gets_408_within_the_read_timeout() {
    let m = start(builder().read_timeout(READ_TIMEOUT)).await;
    let mut stream = TcpStream::connect(m.addr()).await.expect("connect");
    let request = head("POST", &list_path(), "Content-Length: 100\r\n") + "{";
    stream.write_all(request.as_bytes()).await.expect("write");
    let sent = Instant::now();
    let (status, body) = read_answer(&mut stream).await.expect("an answer");
    let waited = sent.elapsed();
    assert_eq!(status, 408, "{body}");
    assert!(
        error_of(&body)["message"]
            .as_str()
            .is_some_and(|m| m.contains("not received within")),
        "{body}"
    );
    assert!(waited >= READ_TIMEOUT, "answered after {waited:?}");
    assert!(waited < READ_TIMEOUT * 10, "answered after {waited:?}");
    assert_eq!(m.requests_received(), 0, "an unread request is not counted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_trickle_of_chunks_gets_408_within_the_read_timeout() {
    let m = start(builder().read_timeout(READ_TIMEOUT)).await;
    let stream = TcpStream::connect(m.addr()).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let request = head("POST", &list_path(), "Transfer-Encoding: chunked\r\n");
    writer.write_all(request.as_bytes()).await.expect("write");
    let sent = Instant::now();
    // One byte every 50 ms, for ever: far under the size limit, never finished.
    let trickle = tokio::spawn(async move {
        while writer.write_all(b"1\r\n \r\n").await.is_ok() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let mut answer = Vec::new();
    let read = tokio::time::timeout(LIVENESS, reader.read_to_end(&mut answer)).await;
    let waited = sent.elapsed();
    trickle.abort();
    let _ = read.expect("the endless body was never cut off");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408 "), "{text}");
    assert!(text.contains("\"error\""), "a JSON error body: {text}");
    assert!(waited < READ_TIMEOUT * 10, "answered after {waited:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_content_length_over_the_limit_gets_413_before_any_body() {
    // The read timeout is long: only refusing at once can answer in time.
    let m = start(builder().body_limit(1024).read_timeout(LONG)).await;
    let mut stream = TcpStream::connect(m.addr()).await.expect("connect");
    let request = head("POST", &list_path(), "Content-Length: 1000000000\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let (status, body) = read_answer(&mut stream).await.expect("an answer");
    assert_eq!(status, 413, "{body}");
    assert_eq!(error_of(&body)["type"], "invalid_request_error", "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_body_over_the_limit_gets_413() {
    let m = start(builder().body_limit(1024).read_timeout(LONG)).await;
    let stream = TcpStream::connect(m.addr()).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let request = head("POST", &list_path(), "Transfer-Encoding: chunked\r\n");
    writer.write_all(request.as_bytes()).await.expect("write");
    // 512-byte chunks as fast as the server takes them, without end.
    let flood = tokio::spawn(async move {
        let chunk = format!("200\r\n{}\r\n", " ".repeat(512));
        while writer.write_all(chunk.as_bytes()).await.is_ok() {}
    });
    let mut answer = Vec::new();
    let read = tokio::time::timeout(LIVENESS, reader.read_to_end(&mut answer)).await;
    flood.abort();
    let _ = read.expect("the endless body was never cut off");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 413 "), "{text}");
    assert!(text.contains("larger than 1024 bytes"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_chunk_gets_400_with_a_json_error() {
    let m = start(builder()).await;
    let mut stream = TcpStream::connect(m.addr()).await.expect("connect");
    let request = head("POST", &list_path(), "Transfer-Encoding: chunked\r\n") + "zz\r\n{}\r\n";
    stream.write_all(request.as_bytes()).await.expect("write");
    let (status, body) = read_answer(&mut stream).await.expect("an answer");
    assert_eq!(status, 400, "{body}");
    let error = error_of(&body);
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("could not read the request body")),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_sent_one_byte_at_a_time_is_closed_after_the_read_timeout() {
    let m = start(builder().read_timeout(READ_TIMEOUT)).await;
    let stream = TcpStream::connect(m.addr()).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let started = Instant::now();
    let request = head("GET", &list_path(), "");
    // 100 ms a byte: the head would take several seconds.
    let trickle = tokio::spawn(async move {
        for byte in request.bytes() {
            if writer.write_all(&[byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let mut answer = Vec::new();
    let read = tokio::time::timeout(LIVENESS, reader.read_to_end(&mut answer)).await;
    trickle.abort();
    let closed_after = started.elapsed();
    assert!(read.is_ok(), "the slow head was never cut off");
    assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
    assert!(
        closed_after < READ_TIMEOUT * 5,
        "closed after {closed_after:?}"
    );
}

/// A malformed or oversized head never reaches the emulator: hyper answers it itself
/// with an empty body (hyper 1 has no hook to change that answer), and the emulator
/// keeps serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hyper_answers_malformed_and_oversized_heads_itself() {
    let m = start(builder()).await;
    let many_headers: String = (0..101).map(|i| format!("X-H{i}: {i}\r\n")).collect();
    let close = "Connection: close\r\n";
    let huge_header = format!("{close}X-Long: {}\r\n", "a".repeat(200 * 1024));
    let long_uri = format!("/v1/{}", "a".repeat(70 * 1024));
    let cases: [(&str, String, &[u16]); 4] = [
        (
            "a bad header name",
            "GET /v1 HTTP/1.1\r\nBad Header: x\r\n\r\n".to_owned(),
            &[400],
        ),
        (
            "101 headers",
            head("GET", &list_path(), &(many_headers + close)),
            &[431],
        ),
        // hyper's 64 KiB read buffer fills before the head is complete.
        (
            "a 200 KiB header",
            head("GET", &list_path(), &huge_header),
            &[431],
        ),
        // Over 65,534 bytes: 414 when the whole head was read before the buffer
        // filled up, else 431.
        ("a 70 KiB URI", head("GET", &long_uri, close), &[414, 431]),
    ];
    for (what, request, expected) in cases {
        let mut stream = TcpStream::connect(m.addr()).await.expect("connect");
        // The server may answer and close before reading all of a long head.
        let _ = stream.write_all(request.as_bytes()).await;
        let (status, body) = read_answer(&mut stream).await.expect("an answer");
        assert!(expected.contains(&status), "{what}: {status}");
        assert_eq!(body, "", "{what}: hyper's own answer");
    }
    list_succeeds(m.addr()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_gets_through_while_idle_connections_fill_the_cap() {
    let cap = 16;
    let m = start(builder().max_connections(cap).read_timeout(LONG)).await;
    let mut held = Vec::new();
    for _ in 0..200 {
        held.push(TcpStream::connect(m.addr()).await.expect("connect"));
    }
    tokio::time::timeout(LIVENESS, list_succeeds(m.addr()))
        .await
        .expect("the request was kept out by idle connections");
    // Room was made by closing idle connections; at most `cap` stay open.
    let mut open = 0;
    for stream in &mut held {
        let mut byte = [0u8; 1];
        match tokio::time::timeout(Duration::from_millis(20), stream.read(&mut byte)).await {
            Ok(Ok(0) | Err(_)) => {}
            Ok(Ok(_)) => panic!("unexpected data on an idle connection"),
            Err(_) => open += 1,
        }
    }
    assert!(open <= cap, "{open} idle connections still open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_idle_keep_alive_connections() {
    let m = start(builder().read_timeout(LONG)).await;
    let mut kept = TcpStream::connect(m.addr()).await.expect("connect");
    // A whole request, answered, and the connection kept alive.
    let request = head("GET", &list_path(), "");
    kept.write_all(request.as_bytes()).await.expect("write");
    let mut buf = [0u8; 4096];
    let n = tokio::time::timeout(LIVENESS, kept.read(&mut buf))
        .await
        .expect("an answer")
        .expect("read");
    assert!(buf[..n].starts_with(b"HTTP/1.1 200 "));
    let stopped = Instant::now();
    tokio::time::timeout(LIVENESS, m.shutdown())
        .await
        .expect("shutdown returns");
    assert!(stopped.elapsed() < Duration::from_secs(2));
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(2), kept.read_to_end(&mut rest)).await;
    assert!(read.is_ok(), "the kept-alive connection is still open");
}

/// Environment variable marking the child process of the descriptor-limit tests; its
/// value is the emulator's read timeout in milliseconds.
const CHILD: &str = "PINGPP_MOCK_FD_LIMIT_CHILD";

/// Starts [`fd_limited_emulator`] under `ulimit -n 200` with this read timeout; its
/// process and address.
fn fd_limited_child(read_timeout: Duration) -> (std::process::Child, SocketAddr) {
    use std::io::BufRead;
    let exe = std::env::current_exe().expect("test binary");
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -n 200 && exec "$0" "$@""#)
        .arg(&exe)
        .args(["--exact", "fd_limited_emulator", "--ignored", "--nocapture"])
        .env(CHILD, read_timeout.as_millis().to_string())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the fd-limited emulator");
    let stdout = child.stdout.take().expect("stdout");
    let port: u16 = std::io::BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("PORT=")
                .map(|p| p.trim().parse().expect("port"))
        })
        .expect("the child prints its port");
    (child, SocketAddr::from(([127, 0, 0, 1], port)))
}

/// 260 idle connections to an emulator limited to 200 file descriptors: the emulator
/// runs in a child process under `ulimit -n 200` ([`fd_limited_emulator`]), the
/// clients here with the usual limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_beyond_the_descriptor_limit_do_not_keep_a_request_out() {
    // The default cap (1024) is above the descriptor limit and the read timeout is
    // long, so only closing idle connections when `accept` runs out of descriptors
    // can help.
    let (mut child, addr) = fd_limited_child(LONG);
    let mut held = Vec::new();
    for _ in 0..260 {
        held.push(TcpStream::connect(addr).await.expect("connect"));
    }
    let result = tokio::time::timeout(LIVENESS, list_succeeds(addr)).await;
    let _ = child.kill();
    let _ = child.wait();
    drop(held);
    result.expect("the request was kept out by idle connections");
}

/// The issue's scenario: 260 clients that send headers and one body byte, then
/// nothing, against 200 descriptors. Their requests are being handled, so none is
/// closed to make room; each ends with 408 after the read timeout, and a real request
/// waits for those ahead of it, not for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_bodies_beyond_the_descriptor_limit_delay_a_request_only_by_the_read_timeout() {
    let read_timeout = Duration::from_millis(500);
    let (mut child, addr) = fd_limited_child(read_timeout);
    let stalled = head("POST", &list_path(), "Content-Length: 100\r\n") + "{";
    let mut held = Vec::new();
    for _ in 0..260 {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.write_all(stalled.as_bytes()).await.expect("write");
        held.push(stream);
    }
    let started = Instant::now();
    let result = tokio::time::timeout(LIVENESS, list_succeeds(addr)).await;
    let waited = started.elapsed();
    // Each stalled client ends: 408, or closed unanswered when it was accepted but
    // not yet read at a moment the emulator ran out of descriptors (it then looked
    // idle, and the idlest connection is closed to make room).
    let (mut timed_out, mut closed) = (0, 0);
    for stream in &mut held {
        match tokio::time::timeout(Duration::from_secs(5), read_answer(stream)).await {
            Ok(Some((408, _))) => timed_out += 1,
            Ok(None) => closed += 1,
            other => panic!("a stalled client got {other:?}"),
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    result.expect("stalled bodies kept the request out");
    // Two or three rounds of read timeouts (about 190 descriptors per round).
    assert!(waited < read_timeout * 10, "the request waited {waited:?}");
    eprintln!("stalled: {timed_out} got 408, {closed} closed; the request waited {waited:?}");
    assert_eq!(timed_out + closed, 260);
    assert!(
        timed_out >= 190,
        "{timed_out} got 408, {closed} were closed"
    );
}

/// The emulator of the tests above; does nothing unless started by one of them.
#[test]
#[ignore = "started by the descriptor-limit tests"]
fn fd_limited_emulator() {
    let Some(read_timeout) = std::env::var(CHILD).ok().and_then(|ms| ms.parse().ok()) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let read_timeout = Duration::from_millis(read_timeout);
        let m = start(builder().read_timeout(read_timeout)).await;
        println!("PORT={}", m.addr().port());
        // Stops by itself if the parent never kills it.
        tokio::time::sleep(Duration::from_secs(60)).await;
        m.shutdown().await;
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zero_read_timeout_is_refused_at_start() {
    let e = builder()
        .read_timeout(Duration::ZERO)
        .start()
        .await
        .expect_err("a zero read timeout");
    assert!(matches!(e, pingpp_mock::MockError::Config(_)), "{e:?}");
}
