//! `pingpp mock` as a developer runs it: the request log on stderr (human and JSON,
//! never a secret), `--quiet`, and the connection and timestamp flags.
#![cfg(unix)]
#![allow(missing_docs)]

mod common;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{API_KEY, APP_ID, MockProcess, keypair, run};
use serde_json::Value;

/// The emulator's request-log lines among its stderr lines.
fn request_lines(lines: &[String]) -> Vec<&str> {
    lines
        .iter()
        .map(String::as_str)
        .filter(|l| l.contains(" fault="))
        .collect()
}

/// Sends raw bytes on a new connection; the answer as text, read until the server
/// closes (at most 20 s).
fn raw(base_url: &str, request: &str) -> String {
    let addr = base_url.strip_prefix("http://").expect("http base URL");
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    stream.write_all(request.as_bytes()).expect("write");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// A request head with the test API key and `extra` header lines.
fn head(method: &str, path: &str, extra: &str) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {API_KEY}\r\nContent-Type: application/json\r\n{extra}\r\n"
    )
}

#[test]
fn mock_logs_one_line_per_request_with_no_secret() {
    let pair = keypair();
    let m = MockProcess::start_logged(&[
        "--api-key",
        API_KEY,
        "--merchant-public-key",
        pair.public_pem(),
    ]);
    let signed = |args: &[&str]| {
        let o = m
            .command()
            .env("PINGPP_PRIVATE_KEY", pair.private_pem())
            .args(["--json"])
            .args(args)
            .output()
            .expect("run");
        let v: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
        (o.status.code(), v)
    };
    let (code, _) = signed(&[
        "recharge",
        "create",
        "--user",
        "u1",
        "--amount",
        "10000",
        "--order-no",
        "logrc1",
    ]);
    assert_eq!(code, Some(0));
    let (code, w) = signed(&[
        "withdrawal",
        "create",
        "--user",
        "u1",
        "--amount",
        "1000",
        "--order-no",
        "logw1",
        "--channel",
        "wx",
        "--extra",
        r#"{"open_id":"oSECRETBODY"}"#,
        "--metadata",
        r#"{"mock_outcome":"failed"}"#,
    ]);
    assert_eq!(code, Some(0), "{w}");
    let id = w["id"].as_str().expect("id").to_owned();
    assert_eq!(signed(&["withdrawal", "confirm", &id]).0, Some(0));
    assert_eq!(
        signed(&["withdrawal", "list", "--per-page", "3"]).0,
        Some(0)
    );
    assert_eq!(signed(&["withdrawal", "get", "nosuch"]).0, Some(1));

    let lines = m.stop_with_log();
    let all = lines.join("\n");
    let requests = request_lines(&lines);
    let w = format!("/v1/apps/{APP_ID}/withdrawals");
    let expected = [
        format!("POST /v1/apps/{APP_ID}/recharges 200 "),
        format!("POST {w} 200 "),
        format!("PUT {w}/{id} 200 "),
        format!("GET {w} 200 "),
        format!("GET {w}/nosuch 404 "),
    ];
    assert_eq!(requests.len(), expected.len(), "{all}");
    for (line, start) in requests.iter().zip(&expected) {
        // `2026-01-01T10:00:00.123456Z POST /path 200 1.2ms fault=none`
        let (time, rest) = line.split_once(' ').expect("a time first");
        assert!(time.ends_with('Z') && time.contains('T'), "{line}");
        assert!(rest.starts_with(start.as_str()), "{line} / {start}");
        assert!(rest.contains("ms fault=none"), "{line}");
    }
    assert!(requests[1].ends_with(" mock_outcome=failed"), "{all}");
    assert!(requests[2].ends_with(" mock_outcome=failed"), "{all}");
    assert!(!requests[3].contains('?'), "no query: {all}");
    for secret in [
        API_KEY,
        "Bearer",
        "oSECRETBODY",
        "logw1",
        "PRIVATE KEY",
        "ignature:",
    ] {
        assert!(!all.contains(secret), "{secret} in the log: {all}");
    }
}

#[test]
fn mock_logs_json_lines_and_names_faults() {
    let m = MockProcess::start_logged(&["--log-format", "json", "--fault-cut-rate", "1"]);
    // A GET is retried by the SDK after a cut; it never gets an answer.
    let o = m
        .command()
        .args(["withdrawal", "list"])
        .output()
        .expect("run");
    assert_ne!(o.status.code(), Some(0));
    let lines = m.stop_with_log();
    assert!(!lines.is_empty());
    // Every stderr line is a JSON object with the documented fields.
    for line in &lines {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let keys: Vec<&str> = v
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "fault",
                "latency_ms",
                "method",
                "mock_outcome",
                "path",
                "status",
                "time"
            ],
            "{line}"
        );
        assert_eq!(v["method"], "GET");
        assert_eq!(v["path"], format!("/v1/apps/{APP_ID}/withdrawals"));
        assert_eq!(v["status"], 200, "processed, then cut: {line}");
        assert_eq!(v["fault"], "cut");
        assert!(v["mock_outcome"].is_null());
        assert!(v["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0));
    }
}

#[test]
fn mock_quiet_writes_nothing_to_stderr() {
    let m = MockProcess::start_logged(&["--quiet"]);
    let list = m.pingpp(&["withdrawal", "list"]);
    assert_eq!(list["object"], "list");
    let lines = m.stop_with_log();
    assert!(lines.is_empty(), "{lines:?}");
}

#[test]
fn mock_read_timeout_and_connection_cap_flags() {
    let m = MockProcess::start_logged(&["--read-timeout-ms", "300", "--max-connections", "4"]);
    // Idle connections far past the cap do not keep a command out.
    let addr = m.base_url.strip_prefix("http://").expect("http").to_owned();
    let idle: Vec<TcpStream> = (0..50)
        .map(|_| TcpStream::connect(&addr).expect("connect"))
        .collect();
    let list = m.pingpp(&["withdrawal", "list"]);
    assert_eq!(list["object"], "list");
    drop(idle);

    // A body that stops: 408 within the read timeout, with a JSON error.
    let path = format!("/v1/apps/{APP_ID}/withdrawals");
    let sent = Instant::now();
    let answer = raw(
        &m.base_url,
        &(head("POST", &path, "Content-Length: 10\r\n") + "{"),
    );
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(answer.contains(r#"{"error":{"#), "{answer}");
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "{:?}",
        sent.elapsed()
    );

    // A declared body over the limit: 413 without waiting for it.
    let answer = raw(
        &m.base_url,
        &head("POST", &path, "Content-Length: 1000000000\r\n"),
    );
    assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");

    let lines = m.stop_with_log();
    let requests = request_lines(&lines);
    assert!(
        requests
            .iter()
            .any(|l| l.contains(&format!("POST {path} 408 "))),
        "{lines:?}"
    );
    assert!(
        requests
            .iter()
            .any(|l| l.contains(&format!("POST {path} 413 "))),
        "{lines:?}"
    );
}

#[test]
fn mock_timestamp_window_flag_refuses_stale_signatures() {
    let public = keypair().public_pem();
    let path = format!("/v1/apps/{APP_ID}/withdrawals");
    // Timestamp 1 (1970): stale under any window. The window is checked before the
    // signature, so any signature shows it.
    let stale = head(
        "POST",
        &path,
        "Content-Length: 2\r\nPingplusplus-Signature: c2ln\r\nPingplusplus-Request-Timestamp: 1\r\nConnection: close\r\n",
    ) + "{}";
    let m = MockProcess::start(&["--merchant-public-key", public, "--timestamp-window", "60"]);
    let answer = raw(&m.base_url, &stale);
    assert!(answer.starts_with("HTTP/1.1 401 "), "{answer}");
    assert!(answer.contains("timestamp_stale"), "{answer}");
    // A fresh, valid signature is still accepted.
    let o = m
        .command()
        .env("PINGPP_PRIVATE_KEY", keypair().private_pem())
        .args(["withdrawal", "list"])
        .output()
        .expect("run");
    assert!(o.status.success(), "{o:?}");
    drop(m);

    // Without the flag, no window: the same request fails on its signature instead.
    let m = MockProcess::start(&["--merchant-public-key", public]);
    let answer = raw(&m.base_url, &stale);
    assert!(answer.starts_with("HTTP/1.1 401 "), "{answer}");
    assert!(answer.contains("signature_invalid"), "{answer}");
}

#[test]
fn mock_refuses_bad_hygiene_flags_as_usage_errors() {
    for bad in [
        &["--read-timeout-ms", "0"][..],
        &["--max-connections", "0"],
        &["--log-format", "xml"],
        &["--timestamp-window", "-5"],
    ] {
        let o = run(&[&["mock", "--addr", "127.0.0.1:0"][..], bad].concat());
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {o:?}");
    }
}
