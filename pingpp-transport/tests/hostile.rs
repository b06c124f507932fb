//! The client against misbehaving servers and proxies written here, on 127.0.0.1 port
//! 0: a huge `Content-Length`, an endless chunked body, a server that echoes the
//! request headers, a server that repeats the same page forever, a slow server (per-call
//! timeout), and HTTP proxies (forwarding for http://, CONNECT for https:// with a TLS
//! server trusted through a custom rustls configuration).
#![cfg(all(
    feature = "hyper-transport",
    any(feature = "aws-lc-rs", feature = "ring")
))]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use http::StatusCode;
use pingpp_transport::test_util::InstantSleep;
use pingpp_transport::{Client, ClientBuilder, Error, Outcome, ProxyConfig};
use pingpp_types::List;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const KEY: &str = "sk_test_ibbTe5jLGCi5rzfH4OqPW9KC";
const SECRET_PART: &str = "ibbTe5jLGCi5rzfH4OqPW9KC";

fn client(base: &str, configure: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Client {
    let b = Client::builder()
        .api_key(KEY)
        .app_id("app_1")
        .base_url(base)
        .proxy(ProxyConfig::none())
        .sleep(Arc::new(InstantSleep::new()));
    configure(b).build().expect("client")
}

/// Reads one request: the head (up to the blank line) and a `Content-Length` body.
async fn read_request(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let len = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).await.ok()?;
    Some((head, body))
}

/// A server that hands every connection to `handle`; returns its base URL.
async fn serve<F, Fut>(handle: F) -> String
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let handle = Arc::new(handle);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(handle(stream));
        }
    });
    base
}

/// Writes a 200 response with a JSON body; `false` when the client has gone.
async fn reply_json(s: &mut TcpStream, body: &Value) -> bool {
    let body = body.to_string();
    let reply = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(reply.as_bytes()).await.is_ok()
}

/// Bounds every test: a hang is a failure, not a stuck suite.
async fn within<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .expect("the client gave up in time")
}

#[tokio::test]
async fn a_huge_content_length_is_refused_before_reading() {
    for (status, method, outcome) in [
        (200, "GET", Outcome::Unknown),
        (200, "POST", Outcome::Unknown),
        (400, "POST", Outcome::Rejected),
    ] {
        let base = serve(move |mut s| async move {
            if read_request(&mut s).await.is_some() {
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n{{\"a\":"
                );
                let _ = s.write_all(head.as_bytes()).await;
                // Never send the rest: only the head is needed to refuse.
                tokio::time::sleep(Duration::from_secs(30)).await;
            }
        })
        .await;
        let c = client(&base, |b| b.max_response_bytes(1 << 20));
        let err = within(async {
            if method == "GET" {
                c.get::<Value, _>("/v1/x", &()).await
            } else {
                c.post::<Value, _>("/v1/x", &json!({})).await
            }
        })
        .await
        .unwrap_err();
        match &err {
            Error::ResponseTooLarge {
                status: s, limit, ..
            } => {
                assert_eq!(s.as_u16(), status);
                assert_eq!(*limit, 1 << 20);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(err.outcome(), outcome, "{status} {method}");
        assert!(!err.is_retryable());
    }
}

#[tokio::test]
async fn an_endless_chunked_body_stops_at_the_limit() {
    let written = Arc::new(AtomicUsize::new(0));
    let counter = written.clone();
    let base = serve(move |mut s| {
        let counter = counter.clone();
        async move {
            if read_request(&mut s).await.is_none() {
                return;
            }
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
            if s.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = [b' '; 64 * 1024];
            loop {
                let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
                frame.extend_from_slice(&chunk);
                frame.extend_from_slice(b"\r\n");
                if s.write_all(&frame).await.is_err() {
                    return;
                }
                counter.fetch_add(frame.len(), Ordering::SeqCst);
            }
        }
    })
    .await;
    let c = client(&base, |b| b.max_response_bytes(1 << 20).max_attempts(1));
    let err = within(c.get::<Value, _>("/v1/x", &())).await.unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { status, .. } if status == StatusCode::OK),
        "{err:?}"
    );
    // The client hung up: the server's writes stop soon after the limit (socket
    // buffers hold a few MiB at most).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = written.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        written.load(Ordering::SeqCst),
        sent,
        "the server is still writing"
    );
    assert!(sent < 32 << 20, "{sent} bytes were pushed");
}

/// A server (or proxy) that answers with the request it received: its head in an
/// HTML page, or inside a JSON error message.
async fn echoing_server(json_error: bool) -> String {
    serve(move |mut s| async move {
        let Some((head, _)) = read_request(&mut s).await else {
            return;
        };
        let body = if json_error {
            json!({"error": {"type": "api_error", "message": format!("upstream said: {head}")}})
                .to_string()
        } else {
            format!("<html><pre>{head}</pre></html>")
        };
        let reply = format!(
            "HTTP/1.1 502 Bad Gateway\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = s.write_all(reply.as_bytes()).await;
    })
    .await
}

#[tokio::test]
async fn an_echoed_authorization_header_never_reaches_the_error() {
    for json_error in [false, true] {
        let base = echoing_server(json_error).await;
        let c = client(&base, |b| b.max_attempts(1));
        let err = within(c.post::<Value, _>("/v1/x", &json!({})))
            .await
            .unwrap_err();
        let mut shown = format!("{err} {err:?}");
        let mut source = std::error::Error::source(&err);
        while let Some(s) = source {
            shown.push_str(&s.to_string());
            source = s.source();
        }
        assert!(!shown.contains(SECRET_PART), "{shown}");
        // The echo was understood and kept, redacted.
        assert!(
            shown
                .to_ascii_lowercase()
                .contains("authorization: [redacted]"),
            "{shown}"
        );
        assert_eq!(err.outcome(), Outcome::Unknown);
        if let Error::Decode { excerpt, .. } = &err {
            assert!(excerpt.len() <= pingpp_transport::EXCERPT_LIMIT + 3);
        }
    }
}

#[tokio::test]
async fn a_server_repeating_the_same_page_ends_the_walk_with_an_error() {
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    let base = serve(move |mut s| {
        let counter = counter.clone();
        async move {
            while read_request(&mut s).await.is_some() {
                counter.fetch_add(1, Ordering::SeqCst);
                let page = json!({"object": "list", "url": "/v1/x", "has_more": true,
                    "data": [{"id": "w1"}, {"id": "w2"}]});
                if !reply_json(&mut s, &page).await {
                    return;
                }
            }
        }
    })
    .await;
    let c = client(&base, |b| b);
    let items: Vec<Result<Value, Error>> = within(
        c.paginate(1, |client, page| {
            Box::pin(async move {
                client
                    .get::<List<Value>, _>("/v1/x", &[("page", page)])
                    .await
            })
        })
        .collect(),
    )
    .await;
    assert_eq!(items.len(), 3, "w1, w2, then the error");
    assert_eq!(items[0].as_ref().unwrap()["id"], "w1");
    assert_eq!(items[1].as_ref().unwrap()["id"], "w2");
    assert!(
        matches!(items[2], Err(Error::Pagination { page: 2, .. })),
        "{:?}",
        items[2]
    );
    assert_eq!(requests.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_per_call_timeout_overrides_the_clients() {
    let base = serve(|mut s| async move {
        while read_request(&mut s).await.is_some() {
            tokio::time::sleep(Duration::from_millis(600)).await;
            if !reply_json(&mut s, &json!({})).await {
                return;
            }
        }
    })
    .await;
    let c = client(&base, |b| {
        b.timeout(Duration::from_secs(10)).max_attempts(1)
    });
    let quick = c.with_timeout(Duration::from_millis(100));
    assert_eq!(quick.timeout(), Duration::from_millis(100));
    let err = within(quick.post::<Value, _>("/v1/x", &json!({})))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Timeout { timeout, .. } if timeout == Duration::from_millis(100)),
        "{err:?}"
    );
    assert_eq!(err.outcome(), Outcome::Unknown);
    // The original client is unchanged.
    let v: Value = within(c.get("/v1/x", &())).await.unwrap();
    assert_eq!(v, json!({}));
}

// ---- proxies ----

/// What a test proxy saw.
#[derive(Default)]
struct Seen {
    /// Request lines (`CONNECT host:443 HTTP/1.1`, `GET http://... HTTP/1.1`).
    lines: Vec<String>,
    /// `Proxy-Authorization` values.
    auth: Vec<String>,
}

/// A tiny HTTP proxy on 127.0.0.1: `CONNECT` opens a tunnel, an absolute-form request
/// is forwarded. Whatever host is asked for, it connects to `target`.
async fn proxy(target: String) -> (String, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let log = seen.clone();
    let base = serve(move |mut s| {
        let (log, target) = (log.clone(), target.clone());
        async move {
            let Some((head, body)) = read_request(&mut s).await else {
                return;
            };
            let line = head.lines().next().unwrap_or_default().to_owned();
            {
                let mut log = log.lock().unwrap();
                log.lines.push(line.clone());
                if let Some(v) = head.lines().find_map(|l| {
                    l.to_ascii_lowercase()
                        .starts_with("proxy-authorization:")
                        .then(|| l.split_once(':').unwrap().1.trim().to_owned())
                }) {
                    log.auth.push(v);
                }
            }
            let Ok(mut upstream) = TcpStream::connect(&target).await else {
                return;
            };
            if line.starts_with("CONNECT ") {
                if s.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
            } else {
                // Forward the request as it came (absolute form is valid HTTP/1.1).
                if upstream.write_all(head.as_bytes()).await.is_err()
                    || upstream.write_all(&body).await.is_err()
                {
                    return;
                }
            }
            let _ = tokio::io::copy_bidirectional(&mut s, &mut upstream).await;
        }
    })
    .await;
    (base, seen)
}

/// A plain HTTP server answering every request with its request target as JSON.
async fn target_server() -> String {
    let base = serve(|mut s| async move {
        while let Some((head, _)) = read_request(&mut s).await {
            let target = head
                .split_whitespace()
                .nth(1)
                .unwrap_or_default()
                .to_owned();
            if !reply_json(&mut s, &json!({"target": target})).await {
                return;
            }
        }
    })
    .await;
    base.trim_start_matches("http://").to_owned()
}

#[tokio::test]
async fn http_requests_are_forwarded_through_the_proxy_with_its_credentials() {
    let target = target_server().await;
    let (proxy_base, seen) = proxy(target).await;
    let proxy_url = proxy_base.replace("http://", "http://agent:s3cret@");
    // A host name nobody resolves: only the proxy can reach it.
    let c = client("http://api.pingxx.test", |b| {
        b.proxy(ProxyConfig::all(&proxy_url))
    });
    let v: Value = within(c.get("/v1/apps/app_1/withdrawals", &[("page", 1)]))
        .await
        .unwrap();
    assert_eq!(
        v["target"],
        "http://api.pingxx.test/v1/apps/app_1/withdrawals?page=1"
    );
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.lines,
        ["GET http://api.pingxx.test/v1/apps/app_1/withdrawals?page=1 HTTP/1.1"]
    );
    // base64("agent:s3cret")
    assert_eq!(seen.auth, ["Basic YWdlbnQ6czNjcmV0"]);
}

#[tokio::test]
async fn the_proxy_variables_are_read_from_the_environment() {
    let target = target_server().await;
    let (proxy_base, seen) = proxy(target).await;
    let vars = [
        ("PINGPP_API_KEY", KEY.to_owned()),
        ("PINGPP_APP_ID", "app_1".to_owned()),
        ("PINGPP_API_BASE", "http://api.pingxx.test".to_owned()),
        ("http_proxy", proxy_base),
    ];
    let c = ClientBuilder::from_env_with(|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    })
    .unwrap()
    .build()
    .unwrap();
    let _: Value = within(c.get("/v1/x", &())).await.unwrap();
    assert_eq!(
        seen.lock().unwrap().lines,
        ["GET http://api.pingxx.test/v1/x HTTP/1.1"]
    );

    // Loopback destinations never use the proxy, whatever the variables say.
    let (proxy_base, seen) = proxy(target_server().await).await;
    let direct = target_server().await;
    let vars = [
        ("PINGPP_API_KEY", KEY.to_owned()),
        ("PINGPP_APP_ID", "app_1".to_owned()),
        ("PINGPP_API_BASE", format!("http://{direct}")),
        ("HTTP_PROXY", proxy_base),
    ];
    let c = ClientBuilder::from_env_with(|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    })
    .unwrap()
    .build()
    .unwrap();
    let v: Value = within(c.get("/v1/x", &())).await.unwrap();
    assert_eq!(v["target"], "/v1/x", "origin form: sent directly");
    assert!(seen.lock().unwrap().lines.is_empty());
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    #[cfg(feature = "aws-lc-rs")]
    {
        Arc::new(rustls::crypto::aws_lc_rs::default_provider())
    }
    #[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
    {
        Arc::new(rustls::crypto::ring::default_provider())
    }
}

/// A TLS server for `api.pingxx.test` with a certificate from a test CA; returns its
/// address and the CA certificate.
async fn tls_server() -> (String, rustls::pki_types::CertificateDer<'static>) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["api.pingxx.test".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let base = serve(move |s| {
        let acceptor = acceptor.clone();
        async move {
            let Ok(mut tls) = acceptor.accept(s).await else {
                return;
            };
            let mut buf = vec![0u8; 8192];
            let mut head = Vec::new();
            while !head.ends_with(b"\r\n\r\n") {
                match tls.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let body = json!({"tls": true}).to_string();
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = tls.write_all(reply.as_bytes()).await;
            let _ = tls.shutdown().await;
        }
    })
    .await;
    (
        base.trim_start_matches("http://").to_owned(),
        ca_cert.der().clone(),
    )
}

#[tokio::test]
async fn https_goes_through_a_connect_tunnel_and_trusts_a_custom_root() {
    let (target, ca) = tls_server().await;
    let (proxy_base, seen) = proxy(target).await;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca).unwrap();
    let tls = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let c = client("https://api.pingxx.test", |b| {
        b.proxy(ProxyConfig::none().https(&proxy_base))
            .tls_config(tls)
    });
    let v: Value = within(c.get("/v1/x", &())).await.unwrap();
    assert_eq!(v, json!({"tls": true}));
    assert_eq!(
        seen.lock().unwrap().lines,
        ["CONNECT api.pingxx.test:443 HTTP/1.1"]
    );

    // With the default roots the test CA is not trusted: the handshake fails inside
    // the tunnel, before anything is sent.
    let (proxy_base, seen) = proxy(tls_server().await.0).await;
    let c = client("https://api.pingxx.test", |b| {
        b.proxy(ProxyConfig::all(&proxy_base)).max_attempts(1)
    });
    let err = within(c.post::<Value, _>("/v1/x", &json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.outcome(), Outcome::NotSent, "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(
        seen.lock().unwrap().lines,
        ["CONNECT api.pingxx.test:443 HTTP/1.1"]
    );
}

#[test]
fn a_live_key_is_refused_over_plain_http_to_a_remote_host() {
    let build = |base: &str| {
        Client::builder()
            .api_key("sk_live_SECRETSECRET")
            .app_id("app_1")
            .base_url(base)
            .proxy(ProxyConfig::none())
            .build()
    };
    let err = build("http://api.pingxx.com").unwrap_err();
    assert!(!format!("{err} {err:?}").contains("SECRETSECRET"));
    assert!(build("http://127.0.0.1:8080").is_ok());
    assert!(build("https://api.pingxx.com").is_ok());
}
