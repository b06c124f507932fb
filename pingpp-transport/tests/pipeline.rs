//! The request pipeline over the scripted test transport: headers, signatures, error
//! mapping, retries, configuration and pagination.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use futures_util::StreamExt;
use http::{Method, StatusCode};
use pingpp_sign::{KeyPair, PublicKey};
use pingpp_transport::test_util::{InstantSleep, TestTransport};
use pingpp_transport::{
    Client, ClientBuilder, ConfigError, Error, Outcome, TransportErrorKind, USER_AGENT_VALUE,
};
use pingpp_types::{ErrorType, List};
use serde_json::{Value, json};

const KEY: &str = "sk_test_ibbTe5jLGCi5rzfH4OqPW9KC";
const APP: &str = "app_1Gqj58ynP0mHeX1q";

static KEYPAIR: LazyLock<KeyPair> =
    LazyLock::new(|| pingpp_sign::generate_keypair().expect("key generation"));

fn public_key() -> PublicKey {
    PublicKey::from_pem(KEYPAIR.public_pem()).expect("public key")
}

struct Harness {
    client: Client,
    transport: TestTransport,
    sleep: InstantSleep,
}

fn harness(configure: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Harness {
    let transport = TestTransport::new();
    let sleep = InstantSleep::new();
    let builder = Client::builder()
        .api_key(KEY)
        .app_id(APP)
        .transport(Arc::new(transport.clone()))
        .sleep(Arc::new(sleep.clone()));
    let client = configure(builder).build().expect("client");
    Harness {
        client,
        transport,
        sleep,
    }
}

fn signed() -> impl FnOnce(ClientBuilder) -> ClientBuilder {
    |b| b.private_key(KEYPAIR.private_key().expect("private key"))
}

fn error_body(kind: &str, message: &str) -> String {
    json!({"error": {"type": kind, "message": message, "code": "E1", "param": "amount"}})
        .to_string()
}

#[tokio::test]
async fn sends_auth_user_agent_and_json_headers() {
    let h = harness(|b| b.api_version("2017-05-01"));
    h.transport.push_json(200, r#"{"ok":true}"#);
    let path = h.client.app_path(&["withdrawals"]).unwrap();
    let _: Value = h.client.post(&path, &json!({"a": 1})).await.unwrap();

    let req = h.transport.last_request().unwrap();
    assert_eq!(req.method, Method::POST);
    assert_eq!(
        req.uri.to_string(),
        format!("https://api.pingxx.com/v1/apps/{APP}/withdrawals")
    );
    assert_eq!(req.header("authorization"), Some(&*format!("Bearer {KEY}")));
    assert!(req.headers["authorization"].is_sensitive());
    assert_eq!(req.header("user-agent"), Some(USER_AGENT_VALUE));
    assert!(USER_AGENT_VALUE.starts_with("Pingpp/v1 RustBindings/"));
    let cua: Value =
        serde_json::from_str(req.header("x-pingpp-client-user-agent").unwrap()).unwrap();
    assert_eq!(cua["lang"], "Rust");
    assert_eq!(cua["bindings_version"], env!("CARGO_PKG_VERSION"));
    // The compiler version, e.g. "1.88.0", as the official SDKs send their language's.
    let lang_version = cua["lang_version"].as_str().unwrap();
    assert!(
        lang_version.split('.').count() >= 3 && lang_version.starts_with("1."),
        "{lang_version}"
    );
    assert_eq!(req.header("accept-language"), Some("zh-CN"));
    assert_eq!(
        req.header("content-type"),
        Some("application/json; charset=UTF-8")
    );
    assert_eq!(req.header("pingplusplus-version"), Some("2017-05-01"));
    assert_eq!(&req.body[..], br#"{"a":1}"#);
    // No private key configured: no signature, but the timestamp is always sent (as
    // the Go, Java, Python and Node SDKs do).
    assert!(req.header("pingplusplus-signature").is_none());
    let ts: i64 = req
        .header("pingplusplus-request-timestamp")
        .unwrap()
        .parse()
        .unwrap();
    assert!((ts - now()).abs() < 60, "{ts}");
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn accept_language_is_configurable() {
    let h = harness(|b| b.accept_language(Some("en-US")));
    h.transport.push_json(200, "{}").push_json(200, "{}");
    let _: Value = h.client.get("/v1/x", &()).await.unwrap();
    assert_eq!(
        h.transport
            .last_request()
            .unwrap()
            .header("accept-language"),
        Some("en-US")
    );
    let h = harness(|b| b.accept_language(None::<String>));
    h.transport.push_json(200, "{}");
    let _: Value = h.client.get("/v1/x", &()).await.unwrap();
    assert!(
        h.transport
            .last_request()
            .unwrap()
            .header("accept-language")
            .is_none()
    );
}

#[tokio::test]
async fn get_has_query_and_no_content_type() {
    let h = harness(|b| b);
    h.transport.push_json(200, "{}");
    let path = h.client.app_path(&["recharges"]).unwrap();
    let _: Value = h
        .client
        .get(&path, &[("page", "2"), ("per_page", "10")])
        .await
        .unwrap();
    let req = h.transport.last_request().unwrap();
    assert_eq!(req.method, Method::GET);
    assert_eq!(
        req.request_uri(),
        format!("/v1/apps/{APP}/recharges?page=2&per_page=10")
    );
    assert!(req.header("content-type").is_none());
    assert!(req.header("pingplusplus-version").is_none());
    assert!(req.body.is_empty());
}

#[tokio::test]
async fn post_signature_verifies_over_body_uri_and_timestamp() {
    let h = harness(|b| signed()(b).clock(|| 1_700_000_000));
    h.transport.push_json(200, "{}");
    let path = h
        .client
        .app_path(&["withdrawals", "17016111503023606541"])
        .unwrap();
    let _: Value = h
        .client
        .put(&path, &json!({"status": "pending"}))
        .await
        .unwrap();
    let req = h.transport.last_request().unwrap();
    let ts: i64 = req
        .header("pingplusplus-request-timestamp")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(ts, 1_700_000_000);
    let sig = req.header("pingplusplus-signature").unwrap();
    let pk = public_key();
    pk.verify_request(&req.body, req.request_uri(), ts, sig)
        .expect("signature over body + URI + timestamp");
    // Not over the body alone, nor with another timestamp.
    assert!(pk.verify(&req.body, sig).is_err());
    assert!(
        pk.verify_request(&req.body, req.request_uri(), ts + 1, sig)
            .is_err()
    );
}

#[tokio::test]
async fn get_signature_covers_the_query_and_a_base_path_prefix() {
    let h = harness(|b| signed()(b).base_url("http://127.0.0.1:9/proxy/"));
    h.transport.push_json(200, "{}");
    let path = h.client.app_path(&["withdrawals"]).unwrap();
    let _: Value = h.client.get(&path, &[("page", 1)]).await.unwrap();
    let req = h.transport.last_request().unwrap();
    assert_eq!(
        req.request_uri(),
        format!("/proxy/v1/apps/{APP}/withdrawals?page=1")
    );
    let ts: i64 = req
        .header("pingplusplus-request-timestamp")
        .unwrap()
        .parse()
        .unwrap();
    public_key()
        .verify_request(
            b"",
            req.request_uri(),
            ts,
            req.header("pingplusplus-signature").unwrap(),
        )
        .expect("GET signature over URI + timestamp");
}

#[tokio::test]
async fn every_attempt_gets_a_fresh_timestamp_and_signature() {
    let now = Arc::new(AtomicI64::new(1_000));
    let clock = now.clone();
    let h = harness(move |b| signed()(b).clock(move || clock.fetch_add(7, Ordering::SeqCst)));
    h.transport
        .push_json(502, "bad gateway")
        .push_json(200, r#"{"id":"x"}"#);
    let path = h.client.app_path(&["withdrawals", "x"]).unwrap();
    let v: Value = h.client.get(&path, &()).await.unwrap();
    assert_eq!(v["id"], "x");
    let reqs = h.transport.requests();
    assert_eq!(reqs.len(), 2);
    let ts: Vec<i64> = reqs
        .iter()
        .map(|r| {
            r.header("pingplusplus-request-timestamp")
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(ts, vec![1_000, 1_007]);
    for (r, t) in reqs.iter().zip(ts) {
        public_key()
            .verify_request(
                b"",
                r.request_uri(),
                t,
                r.header("pingplusplus-signature").unwrap(),
            )
            .unwrap();
    }
}

#[tokio::test]
async fn error_statuses_map_to_the_official_error_classes() {
    let cases: [(u16, &str, &str); 8] = [
        (400, "invalid_request_error", "invalid_request"),
        (401, "invalid_request_error", "authentication"),
        (402, "channel_error", "channel"),
        (403, "invalid_request_error", "rate_limit"),
        (404, "invalid_request_error", "invalid_request"),
        (429, "invalid_request_error", "rate_limit"),
        (500, "api_error", "api"),
        (502, "api_error", "api"),
    ];
    for (status, kind, class) in cases {
        let h = harness(|b| b.max_attempts(1));
        h.transport.push_json(status, error_body(kind, "参数错误"));
        let path = h.client.app_path(&["withdrawals", "1"]).unwrap();
        let err = h.client.get::<Value, _>(&path, &()).await.unwrap_err();
        let api = err.as_api().unwrap_or_else(|| panic!("{status}: {err:?}"));
        assert_eq!(api.status.as_u16(), status);
        assert_eq!(api.message, "参数错误");
        assert_eq!(
            api.code.as_ref().map(pingpp_types::ErrorCode::as_str),
            Some("E1")
        );
        assert_eq!(api.param.as_deref(), Some("amount"));
        let classes = [
            ("invalid_request", api.is_invalid_request()),
            ("authentication", api.is_authentication()),
            ("channel", api.is_channel()),
            ("rate_limit", api.is_rate_limit()),
            ("api", api.is_api()),
        ];
        for (name, is) in classes {
            assert_eq!(is, name == class, "HTTP {status}: is_{name}");
        }
        let expected_kind = match kind {
            "invalid_request_error" => ErrorType::InvalidRequest,
            "channel_error" => ErrorType::Channel,
            _ => ErrorType::Api,
        };
        assert_eq!(api.kind, expected_kind);
        assert_eq!(err.may_have_been_sent(), status >= 500, "HTTP {status}");
        let expected = if status < 500 {
            Outcome::Rejected
        } else {
            Outcome::Unknown
        };
        assert_eq!(err.outcome(), expected, "HTTP {status}");
        assert!(err.to_string().contains("参数错误"), "{err}");
    }
}

#[tokio::test]
async fn unknown_error_types_are_kept() {
    let h = harness(|b| b);
    h.transport.push_json(400, error_body("quota_error", "x"));
    let err = h.client.get::<Value, _>("/v1/x", &()).await.unwrap_err();
    assert_eq!(
        err.as_api().unwrap().kind,
        ErrorType::Unknown("quota_error".into())
    );
}

#[tokio::test]
async fn non_json_error_bodies_become_decode_errors_with_a_short_excerpt() {
    let h = harness(|b| b.max_attempts(1));
    let html = format!("<html>{}</html>", "x".repeat(5000));
    h.transport.push_json(502, html);
    let err = h.client.get::<Value, _>("/v1/x", &()).await.unwrap_err();
    match &err {
        Error::Decode {
            status, excerpt, ..
        } => {
            assert_eq!(*status, StatusCode::BAD_GATEWAY);
            assert!(excerpt.starts_with("<html>xxx"));
            assert!(excerpt.len() <= pingpp_transport::EXCERPT_LIMIT + 3);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.status(), Some(StatusCode::BAD_GATEWAY));
}

#[tokio::test]
async fn undecodable_success_bodies_are_decode_errors() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Needs {
        id: String,
    }
    let h = harness(|b| b);
    h.transport.push_json(200, r#"{"no_id":1}"#);
    let err = h.client.get::<Needs, _>("/v1/x", &()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Decode { status, source: Some(_), .. } if *status == StatusCode::OK),
        "{err:?}"
    );
}

// ---- retries ----

#[tokio::test]
async fn post_whose_connection_dropped_after_sending_is_not_retried() {
    let h = harness(|b| b);
    h.transport
        .push_error(TransportErrorKind::Io)
        .push_json(200, "{}");
    let err = h
        .client
        .post::<Value, _>("/v1/apps/a/withdrawals", &json!({}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(err.may_have_been_sent());
    assert_eq!(h.transport.requests().len(), 1);
    assert!(h.sleep.waits().is_empty());
}

#[tokio::test]
async fn put_that_timed_out_is_not_retried() {
    let h = harness(|b| b.timeout(Duration::from_millis(50)));
    h.transport.push_hang().push_json(200, "{}");
    let err = h
        .client
        .put::<Value, _>("/v1/apps/a/withdrawals/1", &json!({"status":"pending"}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.may_have_been_sent());
    assert_eq!(h.transport.requests().len(), 1);
}

#[tokio::test]
async fn post_with_a_connect_error_is_retried() {
    let h = harness(|b| b);
    h.transport
        .push_error(TransportErrorKind::Connect)
        .push_json(200, r#"{"id":"w1"}"#);
    let v: Value = h
        .client
        .post("/v1/apps/a/withdrawals", &json!({}))
        .await
        .unwrap();
    assert_eq!(v["id"], "w1");
    let reqs = h.transport.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].body, reqs[1].body, "the same bytes are re-sent");
    assert_eq!(h.sleep.waits().len(), 1);
}

#[tokio::test]
async fn post_that_never_connects_reports_not_sent_after_max_attempts() {
    let h = harness(|b| b.max_attempts(4));
    for _ in 0..10 {
        h.transport.push_error(TransportErrorKind::Connect);
    }
    let err = h
        .client
        .post::<Value, _>("/v1/apps/a/withdrawals", &json!({}))
        .await
        .unwrap_err();
    assert!(!err.may_have_been_sent());
    assert_eq!(h.transport.requests().len(), 4);
    assert_eq!(h.sleep.waits().len(), 3);
}

#[tokio::test]
async fn post_is_not_retried_on_502() {
    let h = harness(|b| b);
    h.transport
        .push_json(502, error_body("api_error", "gateway"))
        .push_json(200, "{}");
    let err = h
        .client
        .post::<Value, _>("/v1/apps/a/withdrawals", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::BAD_GATEWAY));
    assert_eq!(h.transport.requests().len(), 1);
}

#[tokio::test]
async fn get_that_got_502_is_retried_then_succeeds() {
    let h = harness(|b| b);
    h.transport
        .push_json(502, "<html>bad gateway</html>")
        .push_json(200, r#"{"id":"1"}"#);
    let v: Value = h.client.get("/v1/apps/a/withdrawals/1", &()).await.unwrap();
    assert_eq!(v["id"], "1");
    assert_eq!(h.transport.requests().len(), 2);
    let waits = h.sleep.waits();
    assert_eq!(waits.len(), 1);
    assert!(waits[0] <= Duration::from_millis(500), "{waits:?}");
}

#[tokio::test]
async fn get_retries_on_io_errors_timeouts_and_retryable_statuses() {
    let h = harness(|b| b.max_attempts(6).timeout(Duration::from_millis(50)));
    h.transport
        .push_error(TransportErrorKind::Io)
        .push_hang()
        .push_json(429, error_body("invalid_request_error", "slow down"))
        .push_json(503, "")
        .push_json(504, "")
        .push_json(200, "[]");
    let v: Value = h.client.get("/v1/x", &()).await.unwrap();
    assert_eq!(v, json!([]));
    assert_eq!(h.transport.requests().len(), 6);
}

#[tokio::test]
async fn get_retries_are_capped_at_max_attempts() {
    let h = harness(|b| b.max_attempts(3));
    for _ in 0..5 {
        h.transport.push_json(503, error_body("api_error", "busy"));
    }
    let err = h.client.get::<Value, _>("/v1/x", &()).await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(h.transport.requests().len(), 3);
    let waits = h.sleep.waits();
    assert_eq!(waits.len(), 2);
    assert!(waits[0] <= Duration::from_millis(500));
    assert!(waits[1] <= Duration::from_secs(1));
}

#[tokio::test]
async fn get_is_not_retried_on_other_errors() {
    for status in [400u16, 401, 403, 404, 500] {
        let h = harness(|b| b);
        h.transport
            .push_json(status, error_body("api_error", "no"))
            .push_json(200, "{}");
        let err = h.client.get::<Value, _>("/v1/x", &()).await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(h.transport.requests().len(), 1, "HTTP {status}");
    }
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let h = harness(|b| b);
    let mut busy = http::Response::new(bytes::Bytes::from(error_body("api_error", "busy")));
    *busy.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    busy.headers_mut().insert(
        http::header::RETRY_AFTER,
        http::HeaderValue::from_static("2"),
    );
    h.transport.push_response(busy).push_json(200, "{}");
    let _: Value = h.client.get("/v1/x", &()).await.unwrap();
    assert_eq!(h.sleep.waits(), vec![Duration::from_secs(2)]);
}

// ---- ids in paths ----

#[tokio::test]
async fn ids_are_percent_encoded_and_bad_ids_send_nothing() {
    let h = harness(|b| b);
    assert_eq!(
        h.client.app_path(&["withdrawals", "a/b?c#d e%"]).unwrap(),
        format!("/v1/apps/{APP}/withdrawals/a%2Fb%3Fc%23d%20e%25")
    );
    assert_eq!(
        h.client.app_path(&["withdrawals", "提现"]).unwrap(),
        format!("/v1/apps/{APP}/withdrawals/%E6%8F%90%E7%8E%B0")
    );
    for bad in ["", ".", ".."] {
        let err = h.client.app_path(&["withdrawals", bad]).unwrap_err();
        assert!(matches!(err, Error::Request { .. }));
        assert!(!err.may_have_been_sent());
    }
    assert!(h.transport.requests().is_empty());
}

// ---- configuration ----

fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

fn env_err(vars: &[(&str, &str)]) -> ConfigError {
    ClientBuilder::from_env_with(env(vars)).unwrap_err()
}

#[test]
fn from_env_names_each_missing_or_malformed_variable() {
    assert!(matches!(
        env_err(&[]),
        ConfigError::Missing {
            name: "PINGPP_API_KEY",
            ..
        }
    ));
    assert!(matches!(
        env_err(&[("PINGPP_API_KEY", "  ")]),
        ConfigError::Missing {
            name: "PINGPP_API_KEY",
            ..
        }
    ));
    let e = env_err(&[("PINGPP_API_KEY", "pk_test_secretvalue")]);
    assert!(matches!(
        e,
        ConfigError::Invalid {
            name: "PINGPP_API_KEY",
            ..
        }
    ));
    assert!(!e.to_string().contains("secretvalue"));
    assert!(matches!(
        env_err(&[("PINGPP_API_KEY", KEY)]),
        ConfigError::Missing {
            name: "PINGPP_APP_ID",
            ..
        }
    ));
    let base = [("PINGPP_API_KEY", KEY), ("PINGPP_APP_ID", APP)];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut v = base.to_vec();
        v.extend_from_slice(extra);
        v
    };
    assert!(matches!(
        env_err(&with(&[("PINGPP_API_BASE", "api.pingxx.com")])),
        ConfigError::Invalid {
            name: "PINGPP_API_BASE",
            ..
        }
    ));
    let e = env_err(&with(&[(
        "PINGPP_PRIVATE_KEY",
        "-----BEGIN PRIVATE KEY-----\nnope\n",
    )]));
    assert!(
        matches!(
            e,
            ConfigError::PrivateKey {
                name: "PINGPP_PRIVATE_KEY",
                ..
            }
        ),
        "{e:?}"
    );
    let e = env_err(&with(&[(
        "PINGPP_PRIVATE_KEY_PATH",
        "/nonexistent/key.pem",
    )]));
    assert!(
        matches!(
            e,
            ConfigError::ReadFile {
                name: "PINGPP_PRIVATE_KEY_PATH",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("/nonexistent/key.pem"));
    let e = env_err(&with(&[
        ("PINGPP_PRIVATE_KEY", "x"),
        ("PINGPP_PRIVATE_KEY_PATH", "y"),
    ]));
    assert!(matches!(e, ConfigError::Invalid { .. }), "{e:?}");
}

#[test]
fn from_env_reads_every_variable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("merchant.pem");
    std::fs::write(&path, KEYPAIR.private_pem()).unwrap();
    let path = path.to_str().unwrap().to_owned();
    let transport = Arc::new(TestTransport::new());
    let client = ClientBuilder::from_env_with(env(&[
        ("PINGPP_API_KEY", "sk_live_abc"),
        ("PINGPP_APP_ID", APP),
        ("PINGPP_PRIVATE_KEY_PATH", &path),
        ("PINGPP_API_BASE", "http://127.0.0.1:8080/"),
    ]))
    .unwrap()
    .transport(transport)
    .build()
    .unwrap();
    assert_eq!(client.app_id(), APP);
    assert_eq!(client.base_url(), "http://127.0.0.1:8080");
    assert!(client.is_live());
    assert!(client.signs_requests());

    // PEM text with escaped newlines, as pasted into a one-line variable.
    let one_line = KEYPAIR.private_pem().replace('\n', "\\n");
    let client = ClientBuilder::from_env_with(env(&[
        ("PINGPP_API_KEY", KEY),
        ("PINGPP_APP_ID", APP),
        ("PINGPP_PRIVATE_KEY", &one_line),
    ]))
    .unwrap()
    .transport(Arc::new(TestTransport::new()))
    .build()
    .unwrap();
    assert!(client.signs_requests());
    assert_eq!(client.base_url(), "https://api.pingxx.com");
}

#[test]
fn builder_rejects_bad_values() {
    let t = || Arc::new(TestTransport::new());
    let b = || Client::builder().api_key(KEY).app_id(APP).transport(t());
    assert!(matches!(
        Client::builder().app_id(APP).transport(t()).build(),
        Err(ConfigError::Missing {
            name: "api_key",
            ..
        })
    ));
    assert!(matches!(
        Client::builder().api_key(KEY).transport(t()).build(),
        Err(ConfigError::Missing { name: "app_id", .. })
    ));
    assert!(matches!(
        b().max_attempts(0).build(),
        Err(ConfigError::Invalid {
            name: "max_attempts",
            ..
        })
    ));
    assert!(matches!(
        b().timeout(Duration::ZERO).build(),
        Err(ConfigError::Invalid {
            name: "timeout",
            ..
        })
    ));
    assert!(matches!(
        b().base_url("ftp://x").build(),
        Err(ConfigError::Invalid {
            name: "base_url",
            ..
        })
    ));
    assert!(matches!(
        b().api_version("a\nb").build(),
        Err(ConfigError::Invalid {
            name: "api_version",
            ..
        })
    ));
}

#[test]
fn debug_never_shows_secrets() {
    let secret = "sk_test_TOPSECRETkey123";
    let key = KEYPAIR.private_key().unwrap();
    let builder = Client::builder()
        .api_key(secret)
        .app_id(APP)
        .private_key(key)
        .transport(Arc::new(TestTransport::new()));
    let builder_dbg = format!("{builder:?} {builder:#?}");
    let client = builder.build().unwrap();
    let client_dbg = format!("{client:?} {client:#?}");
    let pem = KEYPAIR.private_pem();
    let pem_body = pem.lines().nth(1).unwrap();
    for dbg in [&builder_dbg, &client_dbg] {
        assert!(!dbg.contains("TOPSECRET"), "{dbg}");
        assert!(!dbg.contains(pem_body), "{dbg}");
        assert!(dbg.contains(APP));
    }
    assert!(client_dbg.contains("redacted"));
}

// ---- pagination ----

fn page(items: &[i64], has_more: bool) -> String {
    let data: Vec<Value> = items
        .iter()
        .map(|n| json!({"id": format!("obj_{n}"), "n": n}))
        .collect();
    json!({"object":"list","url":"/v1/x","has_more":has_more,"data":data}).to_string()
}

async fn collect_pages(h: &Harness, first: u32) -> Vec<Result<i64, Error>> {
    h.client
        .paginate(first, |client, page| {
            Box::pin(async move {
                client
                    .get::<List<Value>, _>("/v1/x", &[("page", page)])
                    .await
            })
        })
        .map(|item| item.map(|v| v["n"].as_i64().expect("n")))
        .collect()
        .await
}

#[tokio::test]
async fn paginate_walks_pages_until_has_more_is_false() {
    let h = harness(|b| b);
    h.transport
        .push_json(200, page(&[1, 2], true))
        .push_json(200, page(&[3], false))
        .push_json(200, page(&[4], false));
    let items: Vec<i64> = collect_pages(&h, 2)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(items, vec![1, 2, 3]);
    let uris: Vec<String> = h
        .transport
        .requests()
        .iter()
        .map(|r| r.request_uri().to_owned())
        .collect();
    assert_eq!(uris, vec!["/v1/x?page=2", "/v1/x?page=3"]);
}

#[tokio::test]
async fn paginate_stops_on_an_empty_page_and_after_an_error() {
    let h = harness(|b| b);
    h.transport
        .push_json(200, page(&[1], true))
        .push_json(200, page(&[], true));
    let items = collect_pages(&h, 1).await;
    assert_eq!(items.len(), 1);
    assert_eq!(h.transport.requests().len(), 2);

    let h = harness(|b| b.max_attempts(1));
    h.transport
        .push_json(200, page(&[1], true))
        .push_json(404, error_body("invalid_request_error", "gone"))
        .push_json(200, page(&[2], false));
    let items = collect_pages(&h, 1).await;
    assert_eq!(items.len(), 2);
    assert!(items[0].is_ok());
    assert!(
        items[1]
            .as_ref()
            .unwrap_err()
            .as_api()
            .unwrap()
            .is_not_found()
    );
    assert_eq!(h.transport.requests().len(), 2);
}

// ---- tracing ----

#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn tracing_records_method_path_status_attempt_and_latency_but_no_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let h = harness(signed());
    h.transport
        .push_json(503, error_body("api_error", "busy"))
        .push_json(200, "{}");
    let path = h.client.app_path(&["withdrawals", "w1"]).unwrap();
    let _: Value = h.client.get(&path, &[("user", "u1")]).await.unwrap();
    let sent = h.transport.last_request().unwrap();
    let signature = sent.header("pingplusplus-signature").unwrap().to_owned();

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("pingpp_request"), "{log}");
    assert!(log.contains("method=GET"), "{log}");
    assert!(
        log.contains(&format!("path=/v1/apps/{APP}/withdrawals/w1")),
        "{log}"
    );
    assert!(
        log.contains("attempt=1") && log.contains("attempt=2"),
        "{log}"
    );
    assert!(
        log.contains("status=503") && log.contains("status=200"),
        "{log}"
    );
    assert!(log.contains("latency_ms="), "{log}");
    assert!(!log.contains(KEY), "API key in logs: {log}");
    assert!(!log.contains("ibbTe5"), "API key in logs: {log}");
    assert!(!log.contains(&signature[..20]), "signature in logs: {log}");
}
