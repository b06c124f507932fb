//! The [`Client`] and the one request pipeline every API call goes through.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_core::Stream;
use http::header::{ACCEPT, ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use http::{HeaderMap, HeaderValue, Method, Uri};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use pingpp_sign::PrivateKey;
use pingpp_types::List;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::config::{ApiKey, ClientBuilder, ConfigError};
use crate::error::{ApiError, Error};
use crate::retry::{RetryPolicy, Sleep, retry_after};
use crate::transport::{BoxFuture, ResponseBodyLimit, Transport};

/// The clock used for request timestamps (Unix seconds).
pub(crate) type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// Header carrying the request timestamp that is part of the signature.
pub const HEADER_TIMESTAMP: &str = "pingplusplus-request-timestamp";
/// Header carrying the request signature.
pub const HEADER_SIGNATURE: &str = "pingplusplus-signature";
/// Header pinning the API version.
pub const HEADER_VERSION: &str = "pingplusplus-version";
/// Header carrying the client description as JSON.
pub const HEADER_CLIENT_USER_AGENT: &str = "x-pingpp-client-user-agent";

/// The `User-Agent` sent with every request.
pub const USER_AGENT_VALUE: &str = concat!("Pingpp/v1 RustBindings/", env!("CARGO_PKG_VERSION"));

static CLIENT_USER_AGENT: LazyLock<HeaderValue> = LazyLock::new(|| {
    let json = serde_json::json!({
        "bindings_version": env!("CARGO_PKG_VERSION"),
        "lang": "Rust",
        "lang_version": option_env!("PINGPP_RUSTC_VERSION").unwrap_or("unknown"),
        "publisher": "pingpp-rs",
        "uname": format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
    });
    HeaderValue::from_str(&json.to_string()).unwrap_or(HeaderValue::from_static("{}"))
});

/// Characters left as they are in a path segment: RFC 3986 "unreserved". Everything
/// else, including `/`, `?`, `#` and `%`, is percent-encoded.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes `segment` for use as one path segment. Empty, `.` and `..` are
/// refused (they would change the path's meaning).
pub fn encode_path_segment(segment: &str) -> Result<String, Error> {
    if segment.is_empty() || segment == "." || segment == ".." {
        return Err(Error::request(
            format!("{segment:?} cannot be used as an id in a path"),
            None,
        ));
    }
    Ok(utf8_percent_encode(segment, PATH_SEGMENT).to_string())
}

/// Checks that an object id given for the path segment `field` is not blank, so that a
/// missing id fails validation (nothing is sent) instead of addressing the collection.
pub fn require_id(field: &'static str, id: &str) -> Result<(), Error> {
    if id.trim().is_empty() {
        return Err(Error::Validation(pingpp_types::ValidationError::Empty {
            field,
        }));
    }
    Ok(())
}

/// A Ping++ API client: configuration plus the transport. Cheap to clone (an `Arc`
/// inside); share one per process.
///
/// Resource calls come from the resource crates' extension traits, e.g.
/// `client.withdrawals().create(&params)` with `pingpp_withdrawal::WithdrawalsExt`.
///
/// ```no_run
/// # async fn demo() -> Result<(), pingpp_transport::Error> {
/// use pingpp_transport::Client;
///
/// // PINGPP_API_KEY, PINGPP_APP_ID, optionally PINGPP_PRIVATE_KEY(_PATH) and PINGPP_API_BASE.
/// let client = Client::from_env()?;
/// let path = client.app_path(&["withdrawals", "1701611150302360654"])?;
/// let withdrawal: serde_json::Value = client.get(&path, &()).await?;
/// # let _ = withdrawal; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Clone)]
pub(crate) struct Inner {
    pub(crate) api_key: ApiKey,
    pub(crate) app_id: String,
    pub(crate) private_key: Option<Arc<PrivateKey>>,
    pub(crate) base_url: String,
    pub(crate) api_version: Option<String>,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: usize,
    pub(crate) accept_language: Option<HeaderValue>,
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) sleep: Arc<dyn Sleep>,
    pub(crate) clock: Clock,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Client")
            .field("api_key", &i.api_key)
            .field("app_id", &i.app_id)
            .field("private_key", &i.private_key.as_ref().map(|_| "[redacted]"))
            .field("base_url", &i.base_url)
            .field("api_version", &i.api_version)
            .field("timeout", &i.timeout)
            .field("connect_timeout", &i.connect_timeout)
            .field("retry", &i.retry)
            .field("max_response_bytes", &i.max_response_bytes)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A [`ClientBuilder`] with the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the process environment; see
    /// [`ClientBuilder::from_env_with`].
    pub fn from_env() -> Result<Client, ConfigError> {
        ClientBuilder::from_env()?.build()
    }

    /// A client configured from variables looked up by `lookup` instead of the process
    /// environment (for tests and secret stores).
    ///
    /// ```
    /// use pingpp_transport::{Client, ConfigError};
    ///
    /// let err = Client::from_env_with(|name| match name {
    ///     "PINGPP_API_KEY" => Some("sk_test_123".to_string()),
    ///     _ => None,
    /// })
    /// .unwrap_err();
    /// assert!(matches!(err, ConfigError::Missing { name: "PINGPP_APP_ID", .. }));
    /// ```
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Client, ConfigError> {
        ClientBuilder::from_env_with(lookup)?.build()
    }

    /// The app id every account-system path is under.
    pub fn app_id(&self) -> &str {
        &self.inner.app_id
    }

    /// The API base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Whether the API key is a live-mode key (`sk_live_`).
    pub fn is_live(&self) -> bool {
        self.inner.api_key.is_live()
    }

    /// Whether requests are signed with a merchant private key.
    pub fn signs_requests(&self) -> bool {
        self.inner.private_key.is_some()
    }

    /// A client like this one, sharing its connections, whose requests time out after
    /// `timeout` (per attempt): a per-call override.
    ///
    /// ```no_run
    /// # async fn demo(client: pingpp_transport::Client) -> Result<(), pingpp_transport::Error> {
    /// use std::time::Duration;
    /// let quick = client.with_timeout(Duration::from_secs(5));
    /// let path = quick.app_path(&["withdrawals", "1701611150302360654"])?;
    /// let w: serde_json::Value = quick.get(&path, &()).await?;
    /// # let _ = w; Ok(()) }
    /// ```
    pub fn with_timeout(&self, timeout: Duration) -> Client {
        let mut inner = (*self.inner).clone();
        // A zero timeout would fail every call; the builder refuses it too.
        inner.timeout = timeout.max(Duration::from_millis(1));
        Client {
            inner: Arc::new(inner),
        }
    }

    /// The request timeout (per attempt).
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// Waits as the retry policy says after the `attempt`-th attempt (1-based) failed,
    /// or `retry_after` (capped) when the server asked for it, with the client's sleep.
    /// For callers that retry whole operations themselves (e.g. `create_or_find`).
    pub async fn wait_before_retry(&self, attempt: u32, retry_after: Option<Duration>) {
        let wait = self.inner.retry.backoff(attempt, retry_after);
        self.inner.sleep.sleep(wait).await;
    }

    /// `/v1/apps/{app_id}/{segments...}`, every segment percent-encoded.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = pingpp_transport::Client::builder().api_key("sk_test_x").app_id("app_1")
    /// #     .transport(std::sync::Arc::new(pingpp_transport::test_util::TestTransport::new())).build()?;
    /// assert_eq!(
    ///     client.app_path(&["withdrawals", "a/b c"])?,
    ///     "/v1/apps/app_1/withdrawals/a%2Fb%20c"
    /// );
    /// # Ok(()) }
    /// ```
    pub fn app_path(&self, segments: &[&str]) -> Result<String, Error> {
        let mut path = format!("/v1/apps/{}", encode_path_segment(&self.inner.app_id)?);
        for s in segments {
            path.push('/');
            path.push_str(&encode_path_segment(s)?);
        }
        Ok(path)
    }

    /// GETs `path` (starting with `/v1`) with `query` URL-encoded (fields that are
    /// `None` are left out; pass `&()` for none) and decodes the JSON response.
    pub async fn get<T, Q>(&self, path: &str, query: &Q) -> Result<T, Error>
    where
        T: DeserializeOwned,
        Q: Serialize + ?Sized,
    {
        let query = serde_urlencoded::to_string(query).map_err(|e| {
            Error::request("the query parameters do not URL-encode", Some(e.into()))
        })?;
        let target = if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        };
        self.execute_json(Method::GET, &target, None).await
    }

    /// POSTs `body` as JSON to `path` and decodes the JSON response. Retried only when
    /// the connection could not be made.
    pub async fn post<T, B>(&self, path: &str, body: &B) -> Result<T, Error>
    where
        T: DeserializeOwned,
        B: Serialize + ?Sized,
    {
        let body = to_json(body)?;
        self.execute_json(Method::POST, path, Some(body)).await
    }

    /// PUTs `body` as JSON to `path` and decodes the JSON response. Retried only when
    /// the connection could not be made.
    pub async fn put<T, B>(&self, path: &str, body: &B) -> Result<T, Error>
    where
        T: DeserializeOwned,
        B: Serialize + ?Sized,
    {
        let body = to_json(body)?;
        self.execute_json(Method::PUT, path, Some(body)).await
    }

    /// DELETEs `path` (no body; signed over the request URI and timestamp) and decodes the
    /// JSON response. Retried only when the connection could not be made.
    pub async fn delete<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        self.execute_json(Method::DELETE, path, None).await
    }

    async fn execute_json<T: DeserializeOwned>(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Bytes>,
    ) -> Result<T, Error> {
        let response = self.execute(method.clone(), path_and_query, body).await?;
        let (parts, body) = response.into_parts();
        serde_json::from_slice(&body)
            .map_err(|e| Error::decode(parts.status, &parts.headers, &method, &body, Some(e)))
    }

    /// The pipeline: sends `body` (already serialized) to `path_and_query` with auth,
    /// user-agent and signature headers, applies the timeout and retry rules, and returns
    /// the successful (2xx) response or the mapped error.
    pub async fn execute(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Bytes>,
    ) -> Result<http::Response<Bytes>, Error> {
        let inner = &self.inner;
        if !path_and_query.starts_with('/') {
            return Err(Error::request("the request path must start with '/'", None));
        }
        let uri: Uri = format!("{}{}", inner.base_url, path_and_query)
            .parse()
            .map_err(|e: http::uri::InvalidUri| {
                Error::request("invalid request URL", Some(e.into()))
            })?;
        // What the server sees on the request line, and so what is signed.
        let request_uri = uri
            .path_and_query()
            .map(|pq| pq.as_str().to_owned())
            .unwrap_or_else(|| "/".to_owned());
        let path_only = uri.path().to_owned();
        let max_attempts = inner.retry.max_attempts.max(1);
        let limit = inner.max_response_bytes;

        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let request = self.build_request(&method, &uri, &request_uri, body.clone())?;
            let span = tracing::info_span!(
                "pingpp_request",
                method = %method,
                path = %path_only,
                attempt,
                status = tracing::field::Empty,
                latency_ms = tracing::field::Empty,
            );
            let started = Instant::now();
            let result = tokio::time::timeout(inner.timeout, inner.transport.send(request))
                .instrument(span.clone())
                .await;
            span.record("latency_ms", started.elapsed().as_millis() as u64);

            let mut wait_hint = None;
            let error = match result {
                Ok(Ok(response)) => {
                    let status = response.status();
                    span.record("status", status.as_u16());
                    // A custom transport may ignore the limit: check again.
                    if response.body().len() > limit {
                        Error::ResponseTooLarge {
                            status,
                            limit,
                            method: method.clone(),
                        }
                    } else if status.is_success() {
                        tracing::debug!(parent: &span, "Ping++ request succeeded");
                        return Ok(response);
                    } else {
                        wait_hint = retry_after(response.headers());
                        map_error_response(&method, &response)
                    }
                }
                Ok(Err(transport_error)) => transport_error.into_error(&method),
                Err(_elapsed) => Error::Timeout {
                    timeout: inner.timeout,
                    method: method.clone(),
                },
            };
            if !error.is_retryable() {
                if error.outcome() == crate::Outcome::Unknown {
                    tracing::warn!(parent: &span, error = %error, outcome = %error.outcome(), "Ping++ request failed and may have taken effect; not retried");
                } else {
                    tracing::debug!(parent: &span, error = %error, outcome = %error.outcome(), "Ping++ request failed");
                }
                return Err(error);
            }
            if attempt >= max_attempts {
                tracing::warn!(parent: &span, error = %error, "Ping++ request failed; no attempts left");
                return Err(error);
            }
            let wait = inner.retry.backoff(attempt, wait_hint);
            tracing::info!(parent: &span, error = %error, wait_ms = wait.as_millis() as u64, "retrying Ping++ request");
            inner.sleep.sleep(wait).await;
        }
    }

    fn build_request(
        &self,
        method: &Method,
        uri: &Uri,
        request_uri: &str,
        body: Option<Bytes>,
    ) -> Result<http::Request<Bytes>, Error> {
        let inner = &self.inner;
        let mut headers = HeaderMap::new();
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", inner.api_key.expose()))
            .map_err(|_| Error::request("the API key is not a valid header value", None))?;
        auth.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth);
        headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        headers.insert(HEADER_CLIENT_USER_AGENT, CLIENT_USER_AGENT.clone());
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(language) = &inner.accept_language {
            headers.insert(ACCEPT_LANGUAGE, language.clone());
        }
        if body.is_some() {
            headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=UTF-8"),
            );
        }
        if let Some(v) = &inner.api_version {
            let v = HeaderValue::from_str(v)
                .map_err(|_| Error::request("the API version is not a valid header value", None))?;
            headers.insert(HEADER_VERSION, v);
        }
        // Sent on every request, as the Go, Java, Python and Node SDKs do; signed when
        // there is a private key (protocol notes, section 2).
        let timestamp = (inner.clock)();
        headers.insert(HEADER_TIMESTAMP, HeaderValue::from(timestamp));
        if let Some(key) = &inner.private_key {
            let signed_body = body.as_deref().unwrap_or_default();
            let signature = key
                .sign_request(signed_body, request_uri, timestamp)
                .map_err(Error::Signing)?;
            let signature = HeaderValue::from_str(&signature)
                .map_err(|_| Error::request("the signature is not a valid header value", None))?;
            headers.insert(HEADER_SIGNATURE, signature);
        }
        let mut request = http::Request::new(body.unwrap_or_default());
        *request.method_mut() = method.clone();
        *request.uri_mut() = uri.clone();
        *request.headers_mut() = headers;
        request
            .extensions_mut()
            .insert(ResponseBodyLimit(inner.max_response_bytes));
        Ok(request)
    }

    /// A stream of every item of a paged list, fetching page after page from `first_page`
    /// with `fetch(client, page)`. It stops after a page with `has_more: false`, after an
    /// empty page, or after yielding an error.
    ///
    /// Each item is yielded once: an item seen on an earlier page (the list shifted
    /// because objects were created meanwhile) is skipped. A page that brings nothing
    /// new — a server repeating itself — ends the stream with [`Error::Pagination`]
    /// instead of looping forever. The ids seen are kept for that (a few dozen bytes
    /// per item).
    pub fn paginate<T, F>(
        &self,
        first_page: u32,
        fetch: F,
    ) -> impl Stream<Item = Result<T, Error>> + Send + 'static
    where
        T: ListItem + Send + 'static,
        F: FnMut(Client, u32) -> BoxFuture<'static, Result<List<T>, Error>> + Send + 'static,
    {
        struct State<T, F> {
            client: Client,
            fetch: F,
            next_page: Option<u32>,
            buffer: VecDeque<T>,
            seen: HashSet<String>,
        }
        let state = State {
            client: self.clone(),
            fetch,
            next_page: Some(first_page.max(1)),
            buffer: VecDeque::new(),
            seen: HashSet::new(),
        };
        futures_util::stream::unfold(state, |mut st| async move {
            loop {
                if let Some(item) = st.buffer.pop_front() {
                    return Some((Ok(item), st));
                }
                let page = st.next_page?;
                match (st.fetch)(st.client.clone(), page).await {
                    Err(e) => {
                        st.next_page = None;
                        return Some((Err(e), st));
                    }
                    Ok(list) => {
                        if list.data.is_empty() {
                            return None;
                        }
                        let mut fresh = 0usize;
                        for item in list.data {
                            match item.list_item_id() {
                                Some(id) if st.seen.contains(id) => {
                                    tracing::debug!(
                                        page,
                                        id,
                                        "item repeated from an earlier page; skipped"
                                    );
                                }
                                id => {
                                    if let Some(id) = id {
                                        st.seen.insert(id.to_owned());
                                    }
                                    fresh += 1;
                                    st.buffer.push_back(item);
                                }
                            }
                        }
                        if fresh == 0 && !list.has_more {
                            return None;
                        }
                        if fresh == 0 {
                            st.next_page = None;
                            let reason = "the page repeats only items already seen; the server makes no progress".to_owned();
                            tracing::warn!(page, "{reason}");
                            return Some((Err(Error::Pagination { page, reason }), st));
                        }
                        st.next_page = if list.has_more {
                            page.checked_add(1)
                        } else {
                            None
                        };
                    }
                }
            }
        })
    }
}

/// An object of a paged list: its id lets [`Client::paginate`] yield each item once and
/// notice a server that repeats itself.
pub trait ListItem {
    /// The object's id; `None` when it has none (such items are never taken for repeats).
    fn list_item_id(&self) -> Option<&str>;
}

macro_rules! list_item_by_id {
    ($($t:ty),+) => {$(
        impl ListItem for $t {
            fn list_item_id(&self) -> Option<&str> {
                Some(&self.id)
            }
        }
    )+};
}

list_item_by_id!(
    pingpp_types::Withdrawal,
    pingpp_types::BatchWithdrawal,
    pingpp_types::Recharge,
    pingpp_types::Refund,
    pingpp_types::SettleAccount
);

impl ListItem for pingpp_types::Event {
    fn list_item_id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

impl ListItem for serde_json::Value {
    fn list_item_id(&self) -> Option<&str> {
        self.get("id").and_then(serde_json::Value::as_str)
    }
}

fn to_json<B: Serialize + ?Sized>(body: &B) -> Result<Bytes, Error> {
    serde_json::to_vec(body)
        .map(Bytes::from)
        .map_err(|e| Error::request("the parameters do not serialize to JSON", Some(e.into())))
}

/// Maps a non-2xx response to [`Error::Api`] when the body is a Ping++ error object,
/// else to [`Error::Decode`].
pub(crate) fn map_error_response(method: &Method, response: &http::Response<Bytes>) -> Error {
    let (status, headers, body) = (response.status(), response.headers(), response.body());
    match serde_json::from_slice::<pingpp_types::ApiErrorBody>(body) {
        Ok(parsed) => ApiError::from_response(status, headers, method, parsed.error).into(),
        Err(e) => Error::decode(status, headers, method, body, Some(e)),
    }
}
