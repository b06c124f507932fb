//! Test helpers (feature `test-util`): a transport that records requests and replays
//! scripted responses, and a sleep that does not wait.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode, Uri};

use crate::retry::Sleep;
use crate::transport::{BoxFuture, Transport, TransportError, TransportErrorKind};

/// A request as the [`TestTransport`] received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The method.
    pub method: Method,
    /// The absolute URI.
    pub uri: Uri,
    /// All headers.
    pub headers: HeaderMap,
    /// The exact body bytes.
    pub body: Bytes,
}

impl RecordedRequest {
    /// The path and query as sent on the request line (what is signed).
    pub fn request_uri(&self) -> &str {
        self.uri.path_and_query().map_or("/", |pq| pq.as_str())
    }

    /// A header's value as text, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body parsed as JSON (`Null` when empty or not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

enum Scripted {
    Response(http::Response<Bytes>),
    Error(TransportErrorKind),
    Hang,
}

/// A [`Transport`] that records every request and answers from a script, in order.
/// When the script runs out it answers `500` with a Ping++ `api_error` body.
///
/// ```
/// use pingpp_transport::test_util::TestTransport;
/// use pingpp_transport::TransportErrorKind;
///
/// let t = TestTransport::new();
/// t.push_error(TransportErrorKind::Connect)
///     .push_json(200, r#"{"id":"1"}"#);
/// assert_eq!(t.requests().len(), 0);
/// ```
#[derive(Clone, Default)]
pub struct TestTransport {
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    script: VecDeque<Scripted>,
    requests: Vec<RecordedRequest>,
}

impl TestTransport {
    /// An empty transport.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a response.
    pub fn push_response(&self, response: http::Response<Bytes>) -> &Self {
        self.lock().script.push_back(Scripted::Response(response));
        self
    }

    /// Queues a JSON response with this status.
    pub fn push_json(&self, status: u16, body: impl Into<String>) -> &Self {
        let mut response = http::Response::new(Bytes::from(body.into()));
        *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        self.push_response(response)
    }

    /// Queues a transport failure of this kind.
    pub fn push_error(&self, kind: TransportErrorKind) -> &Self {
        self.lock().script.push_back(Scripted::Error(kind));
        self
    }

    /// Queues an attempt that never completes (to exercise the client timeout).
    pub fn push_hang(&self) -> &Self {
        self.lock().script.push_back(Scripted::Hang);
        self
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    /// The last request received.
    pub fn last_request(&self) -> Option<RecordedRequest> {
        self.lock().requests.last().cloned()
    }

    /// How many scripted answers are left.
    pub fn remaining(&self) -> usize {
        self.lock().script.len()
    }
}

impl Transport for TestTransport {
    fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
        let (parts, body) = request.into_parts();
        let next = {
            let mut st = self.lock();
            st.requests.push(RecordedRequest {
                method: parts.method,
                uri: parts.uri,
                headers: parts.headers,
                body,
            });
            st.script.pop_front()
        };
        Box::pin(async move {
            match next {
                Some(Scripted::Response(r)) => Ok(r),
                Some(Scripted::Error(kind)) => Err(TransportError::new(
                    kind,
                    std::io::Error::other("scripted transport failure"),
                )),
                Some(Scripted::Hang) => std::future::pending().await,
                None => {
                    let mut r = http::Response::new(Bytes::from_static(
                        br#"{"error":{"type":"api_error","message":"TestTransport: script exhausted"}}"#,
                    ));
                    *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                    Ok(r)
                }
            }
        })
    }
}

/// A [`Sleep`] that returns at once and records the requested durations.
#[derive(Clone, Default)]
pub struct InstantSleep {
    waits: Arc<Mutex<Vec<Duration>>>,
}

impl InstantSleep {
    /// A new recorder.
    pub fn new() -> Self {
        Self::default()
    }

    /// The durations asked for so far.
    pub fn waits(&self) -> Vec<Duration> {
        self.waits.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Sleep for InstantSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.waits
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(duration);
        Box::pin(async {})
    }
}

/// A [`Client`](crate::Client) for `api_key` and `app_id` that signs with
/// `private_key`, sends through a fresh [`TestTransport`] and never waits between
/// retries; returns both.
///
/// # Errors
/// The client's configuration error, e.g. for an API key without `sk_test_`/`sk_live_`.
pub fn signed_test_client(
    api_key: &str,
    app_id: &str,
    private_key: pingpp_sign::PrivateKey,
) -> Result<(crate::Client, TestTransport), crate::ConfigError> {
    let transport = TestTransport::new();
    let client = crate::Client::builder()
        .api_key(api_key)
        .app_id(app_id)
        .private_key(private_key)
        .transport(Arc::new(transport.clone()))
        .sleep(Arc::new(InstantSleep::new()))
        .build()?;
    Ok((client, transport))
}

/// Asserts what every request of a signing client carries: `Authorization: Bearer
/// {api_key}`, the user-agent headers, the JSON content type exactly when there is a
/// body, and a `Pingplusplus-Signature` that `public_key` verifies over body +
/// request URI + `Pingplusplus-Request-Timestamp`.
///
/// # Panics
/// When any of those does not hold (it is a test assertion).
pub fn assert_signed(req: &RecordedRequest, api_key: &str, public_key: &pingpp_sign::PublicKey) {
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {api_key}").as_str()),
        "Authorization header"
    );
    assert!(
        req.header("user-agent")
            .is_some_and(|ua| ua.starts_with("Pingpp/v1 RustBindings/")),
        "User-Agent header"
    );
    assert!(
        req.header("x-pingpp-client-user-agent").is_some(),
        "X-Pingpp-Client-User-Agent header"
    );
    if req.body.is_empty() {
        assert!(
            req.header("content-type").is_none(),
            "no Content-Type without a body"
        );
    } else {
        assert_eq!(
            req.header("content-type"),
            Some("application/json; charset=UTF-8"),
            "Content-Type header"
        );
    }
    let timestamp: i64 = req
        .header("pingplusplus-request-timestamp")
        .and_then(|t| t.parse().ok())
        .expect("a decimal Pingplusplus-Request-Timestamp header");
    let signature = req
        .header("pingplusplus-signature")
        .expect("a Pingplusplus-Signature header");
    public_key
        .verify_request(&req.body, req.request_uri(), timestamp, signature)
        .expect("the signature verifies over body + request URI + timestamp");
}
