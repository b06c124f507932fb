//! Client configuration: the builder, environment variables and their errors.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use pingpp_sign::PrivateKey;

use crate::client::{Client, Clock, Inner};
use crate::proxy::{ProxyConfig, is_loopback_host};
use crate::retry::{RetryPolicy, Sleep, TokioSleep};
use crate::transport::Transport;

/// The production API base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.pingxx.com";
/// Default time allowed to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time allowed for one whole attempt (send and receive).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(80);
/// Default cap on a response body: 4 MiB. A page of 100 withdrawals is about 150 KB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;
/// The `Accept-Language` sent by default, as the Go, Java and Python SDKs do.
pub const DEFAULT_ACCEPT_LANGUAGE: &str = "zh-CN";

/// Environment variable holding the secret API key.
pub const ENV_API_KEY: &str = "PINGPP_API_KEY";
/// Environment variable holding the app id.
pub const ENV_APP_ID: &str = "PINGPP_APP_ID";
/// Environment variable holding the merchant private key as PEM text.
pub const ENV_PRIVATE_KEY: &str = "PINGPP_PRIVATE_KEY";
/// Environment variable holding the path of the merchant private key PEM file.
pub const ENV_PRIVATE_KEY_PATH: &str = "PINGPP_PRIVATE_KEY_PATH";
/// Environment variable overriding the API base URL.
pub const ENV_API_BASE: &str = "PINGPP_API_BASE";

/// A missing or malformed configuration value. `name` is the builder setting or the
/// environment variable at fault; secret values are never included.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required value was not given.
    #[error("{name} is not set{hint}")]
    Missing {
        /// The setting or environment variable.
        name: &'static str,
        /// Extra guidance (may be empty).
        hint: &'static str,
    },
    /// A value is malformed.
    #[error("{name} is invalid: {reason}")]
    Invalid {
        /// The setting or environment variable.
        name: &'static str,
        /// What is wrong (never the secret value itself).
        reason: String,
    },
    /// The merchant private key could not be read.
    #[error("{name}: could not load the merchant private key")]
    PrivateKey {
        /// The setting or environment variable.
        name: &'static str,
        /// Why.
        #[source]
        source: pingpp_sign::KeyError,
    },
    /// The private key file could not be read.
    #[error("{name}: could not read {path}")]
    ReadFile {
        /// The environment variable.
        name: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The default transport could not be created.
    #[error("could not create the HTTP transport")]
    Transport {
        /// Why.
        #[source]
        source: crate::transport::BoxError,
    },
}

/// A secret API key. Its `Debug` shows only the mode prefix.
#[derive(Clone)]
pub(crate) struct ApiKey(String);

impl ApiKey {
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    pub(crate) fn is_live(&self) -> bool {
        self.0.starts_with("sk_live_")
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = if self.is_live() {
            "sk_live_"
        } else {
            "sk_test_"
        };
        write!(f, "\"{mode}[redacted]\"")
    }
}

/// Checks an API key. It must be `sk_test_...` or `sk_live_...` followed by at least one
/// visible ASCII character. This is strict on purpose: the most common mistake is pasting
/// the app id or a public key, and that should fail at start-up, not at the first request.
fn check_api_key(name: &'static str, key: &str) -> Result<ApiKey, ConfigError> {
    let key = key.trim();
    if key.is_empty() {
        return Err(ConfigError::Missing { name, hint: "" });
    }
    let rest = key
        .strip_prefix("sk_test_")
        .or_else(|| key.strip_prefix("sk_live_"));
    let Some(rest) = rest else {
        return Err(ConfigError::Invalid {
            name,
            reason: "a secret key starts with sk_test_ or sk_live_".into(),
        });
    };
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ConfigError::Invalid {
            name,
            reason: "a secret key is sk_test_ or sk_live_ followed by visible ASCII characters"
                .into(),
        });
    }
    Ok(ApiKey(key.to_owned()))
}

fn check_app_id(name: &'static str, app_id: &str) -> Result<String, ConfigError> {
    let app_id = app_id.trim();
    if app_id.is_empty() {
        return Err(ConfigError::Missing {
            name,
            hint: " (the app id, app_..., from the dashboard)",
        });
    }
    // The app id goes into every request path, and so into logs: a secret key pasted
    // here would leak. Never echo it.
    let lower = app_id.to_ascii_lowercase();
    if lower.starts_with("sk_live_") || lower.starts_with("sk_test_") {
        return Err(ConfigError::Invalid {
            name,
            reason: "this is a secret key, not an app id (app_..., from the dashboard)".into(),
        });
    }
    if !app_id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ConfigError::Invalid {
            name,
            reason: "an app id is visible ASCII without spaces".into(),
        });
    }
    Ok(app_id.to_owned())
}

/// Parses a base URL: `http` or `https`, a host, an optional path prefix; no query.
/// Returns it without a trailing slash.
fn check_base_url(name: &'static str, url: &str) -> Result<String, ConfigError> {
    let url = url.trim();
    let uri: http::Uri = url
        .parse()
        .map_err(|e: http::uri::InvalidUri| ConfigError::Invalid {
            name,
            reason: format!("not a URL ({e})"),
        })?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => {
            return Err(ConfigError::Invalid {
                name,
                reason: "the URL must start with https:// or http://".into(),
            });
        }
    }
    if uri.authority().is_none() {
        return Err(ConfigError::Invalid {
            name,
            reason: "the URL has no host".into(),
        });
    }
    if uri.query().is_some() {
        return Err(ConfigError::Invalid {
            name,
            reason: "the URL must not have a query".into(),
        });
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// Builds a [`Client`].
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use pingpp_transport::Client;
///
/// let client = Client::builder()
///     .api_key("sk_test_ibbTe5jLGCi5rzfH4OqPW9KC")
///     .app_id("app_1Gqj58ynP0mHeX1q")
///     .private_key(pingpp_sign::PrivateKey::from_pem_file("merchant_private.pem")?)
///     .timeout(Duration::from_secs(20))
///     .max_attempts(2)
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
#[must_use]
pub struct ClientBuilder {
    api_key: Option<String>,
    app_id: Option<String>,
    private_key: Option<Arc<PrivateKey>>,
    base_url: Option<String>,
    api_version: Option<String>,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    max_response_bytes: usize,
    accept_language: Option<String>,
    proxy: Option<ProxyConfig>,
    #[cfg(feature = "hyper-transport")]
    tls_config: Option<rustls::ClientConfig>,
    transport: Option<Arc<dyn Transport>>,
    sleep: Option<Arc<dyn Sleep>>,
    clock: Option<Clock>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            api_key: None,
            app_id: None,
            private_key: None,
            base_url: None,
            api_version: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            accept_language: Some(DEFAULT_ACCEPT_LANGUAGE.to_owned()),
            proxy: None,
            #[cfg(feature = "hyper-transport")]
            tls_config: None,
            transport: None,
            sleep: None,
            clock: None,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("app_id", &self.app_id)
            .field(
                "private_key",
                &self.private_key.as_ref().map(|_| "[redacted]"),
            )
            .field("base_url", &self.base_url)
            .field("api_version", &self.api_version)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("accept_language", &self.accept_language)
            .field("proxy", &self.proxy)
            .field("custom_transport", &self.transport.is_some())
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A builder with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The secret API key (`sk_test_...` or `sk_live_...`). Required.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The app id (`app_...`). Required: every account-system path is under the app.
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// The merchant private key. When set, every request carries
    /// `Pingplusplus-Request-Timestamp` and `Pingplusplus-Signature`.
    pub fn private_key(mut self, key: PrivateKey) -> Self {
        self.private_key = Some(Arc::new(key));
        self
    }

    /// The API base URL, default `https://api.pingxx.com`. May carry a path prefix
    /// (for a proxy); plain `http://` is allowed (for the emulator).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Pins the API version (sent as `Pingplusplus-Version`).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// Time allowed to establish a connection (default transport only). Default 30 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one whole attempt, from sending to the last response byte.
    /// Default 80 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Total attempts per request, including the first (at least 1). Default 3.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.retry.max_attempts = attempts;
        self
    }

    /// The whole retry policy (see [`RetryPolicy::builder`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest response body accepted, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`]). A larger one fails with
    /// [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge), checked on
    /// `Content-Length` first and while reading.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The `Accept-Language` header (default `zh-CN`, as the official SDKs send; Ping++
    /// messages follow it). `None` sends none.
    pub fn accept_language(mut self, language: Option<impl Into<String>>) -> Self {
        self.accept_language = language.map(Into::into);
        self
    }

    /// The HTTP proxy of the default transport. Without this setting the client reads
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` ([`ProxyConfig::from_env`]);
    /// pass [`ProxyConfig::none`] to connect directly whatever the environment says.
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// Your own rustls configuration for the default transport, e.g. trusting a
    /// corporate root certificate:
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let corporate_root: rustls::pki_types::CertificateDer<'static> = todo!();
    /// let mut roots = rustls::RootCertStore::empty();
    /// roots.add(corporate_root)?;
    /// let tls = rustls::ClientConfig::builder_with_provider(
    ///     rustls::crypto::aws_lc_rs::default_provider().into(),
    /// )
    /// .with_safe_default_protocol_versions()?
    /// .with_root_certificates(roots)
    /// .with_no_client_auth();
    /// let client = pingpp_transport::Client::builder()
    ///     .api_key("sk_test_ibbTe5jLGCi5rzfH4OqPW9KC")
    ///     .app_id("app_1Gqj58ynP0mHeX1q")
    ///     .tls_config(tls)
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    #[cfg(feature = "hyper-transport")]
    pub fn tls_config(mut self, config: rustls::ClientConfig) -> Self {
        self.tls_config = Some(config);
        self
    }

    /// Uses this transport instead of the default one.
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Uses this sleep between attempts (tests inject one that does not wait).
    pub fn sleep(mut self, sleep: Arc<dyn Sleep>) -> Self {
        self.sleep = Some(sleep);
        self
    }

    /// Uses this clock (Unix seconds) for request timestamps instead of the system clock.
    pub fn clock(mut self, clock: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, ConfigError> {
        let api_key = match self.api_key {
            Some(k) => check_api_key("api_key", &k)?,
            None => {
                return Err(ConfigError::Missing {
                    name: "api_key",
                    hint: "",
                });
            }
        };
        let app_id = match self.app_id {
            Some(a) => check_app_id("app_id", &a)?,
            None => {
                return Err(ConfigError::Missing {
                    name: "app_id",
                    hint: "",
                });
            }
        };
        let base_url = check_base_url(
            "base_url",
            self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
        )?;
        check_live_key_transport(&api_key, &base_url)?;
        self.retry.check()?;
        if self.max_response_bytes == 0 {
            return Err(ConfigError::Invalid {
                name: "max_response_bytes",
                reason: "must be at least 1".into(),
            });
        }
        let accept_language =
            match self.accept_language {
                Some(l) => Some(http::HeaderValue::from_str(l.trim()).map_err(|_| {
                    ConfigError::Invalid {
                        name: "accept_language",
                        reason: "must be a header value".into(),
                    }
                })?),
                None => None,
            };
        let proxy = self.proxy.unwrap_or_else(ProxyConfig::from_env);
        proxy.check("proxy")?;
        if self.timeout.is_zero() {
            return Err(ConfigError::Invalid {
                name: "timeout",
                reason: "must be longer than zero".into(),
            });
        }
        let api_version = match self.api_version {
            Some(v) if v.trim().is_empty() || http::HeaderValue::from_str(&v).is_err() => {
                return Err(ConfigError::Invalid {
                    name: "api_version",
                    reason: "must be a non-empty header value".into(),
                });
            }
            other => other,
        };
        let transport = match self.transport {
            Some(t) => t,
            None => default_transport(
                self.connect_timeout,
                proxy,
                #[cfg(feature = "hyper-transport")]
                self.tls_config,
                base_url.starts_with("https://"),
            )?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                api_key,
                app_id,
                private_key: self.private_key,
                base_url,
                api_version,
                timeout: self.timeout,
                connect_timeout: self.connect_timeout,
                retry: self.retry,
                max_response_bytes: self.max_response_bytes,
                accept_language,
                transport,
                sleep: self.sleep.unwrap_or_else(|| Arc::new(TokioSleep)),
                clock: self.clock.unwrap_or_else(|| Arc::new(system_clock)),
            }),
        })
    }

    /// Fills the builder from environment-like variables looked up by `lookup`
    /// (`PINGPP_API_KEY`, `PINGPP_APP_ID`, `PINGPP_PRIVATE_KEY` or
    /// `PINGPP_PRIVATE_KEY_PATH`, `PINGPP_API_BASE`, and the proxy variables read by
    /// [`ProxyConfig::from_env_with`]). Empty values count as unset.
    /// Errors name the variable at fault. Settings made later on the builder win.
    pub fn from_env_with(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<ClientBuilder, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let mut b = ClientBuilder::new();
        let key = get(ENV_API_KEY).ok_or(ConfigError::Missing {
            name: ENV_API_KEY,
            hint: " (your secret key, sk_test_... or sk_live_...)",
        })?;
        b.api_key = Some(check_api_key(ENV_API_KEY, &key)?.0);
        let app = get(ENV_APP_ID).ok_or(ConfigError::Missing {
            name: ENV_APP_ID,
            hint: " (the app id, app_..., from the dashboard)",
        })?;
        b.app_id = Some(check_app_id(ENV_APP_ID, &app)?);
        match (get(ENV_PRIVATE_KEY), get(ENV_PRIVATE_KEY_PATH)) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::Invalid {
                    name: ENV_PRIVATE_KEY,
                    reason: format!("set only one of {ENV_PRIVATE_KEY} and {ENV_PRIVATE_KEY_PATH}"),
                });
            }
            (Some(pem), None) => {
                let pem = unescape_newlines(&pem);
                let key = PrivateKey::from_pem(&pem).map_err(|source| ConfigError::PrivateKey {
                    name: ENV_PRIVATE_KEY,
                    source,
                })?;
                b.private_key = Some(Arc::new(key));
            }
            (None, Some(path)) => {
                let path = PathBuf::from(path);
                let pem =
                    std::fs::read_to_string(&path).map_err(|source| ConfigError::ReadFile {
                        name: ENV_PRIVATE_KEY_PATH,
                        path: path.clone(),
                        source,
                    })?;
                let key = PrivateKey::from_pem(&pem).map_err(|source| ConfigError::PrivateKey {
                    name: ENV_PRIVATE_KEY_PATH,
                    source,
                })?;
                b.private_key = Some(Arc::new(key));
            }
            (None, None) => {}
        }
        if let Some(base) = get(ENV_API_BASE) {
            b.base_url = Some(check_base_url(ENV_API_BASE, &base)?);
        }
        let proxy = ProxyConfig::from_env_with(&lookup);
        proxy.check("HTTPS_PROXY/HTTP_PROXY")?;
        b.proxy = Some(proxy);
        Ok(b)
    }

    /// [`from_env_with`](Self::from_env_with) over the process environment.
    pub fn from_env() -> Result<ClientBuilder, ConfigError> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }
}

/// PEM text pasted into a one-line environment variable often has literal `\n`s.
fn unescape_newlines(pem: &str) -> String {
    if !pem.contains('\n') && pem.contains("\\n") {
        pem.replace("\\n", "\n")
    } else {
        pem.to_owned()
    }
}

fn system_clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A live key sends real money instructions: never in clear text over the network.
fn check_live_key_transport(key: &ApiKey, base_url: &str) -> Result<(), ConfigError> {
    let Some(rest) = base_url.strip_prefix("http://") else {
        return Ok(());
    };
    if !key.is_live() {
        return Ok(());
    }
    let host = base_url
        .parse::<http::Uri>()
        .ok()
        .and_then(|u| u.host().map(str::to_owned))
        .unwrap_or_else(|| rest.to_owned());
    if is_loopback_host(&host) {
        return Ok(());
    }
    Err(ConfigError::Invalid {
        name: "base_url",
        reason: "a live key (sk_live_) is only sent over https:// (plain http:// is allowed to a loopback address)".into(),
    })
}

#[cfg(feature = "hyper-transport")]
fn default_transport(
    connect_timeout: Duration,
    proxy: ProxyConfig,
    tls: Option<rustls::ClientConfig>,
    https: bool,
) -> Result<Arc<dyn Transport>, ConfigError> {
    if https && tls.is_none() && crate::hyper_transport::crypto_provider().is_none() {
        return Err(ConfigError::Missing {
            name: "TLS crypto provider",
            hint: " (enable pingpp-transport's `aws-lc-rs` or `ring` feature, install a rustls CryptoProvider, or pass tls_config)",
        });
    }
    let mut builder = crate::hyper_transport::HyperTransport::builder()
        .connect_timeout(connect_timeout)
        .proxy(proxy);
    if let Some(tls) = tls {
        builder = builder.tls_config(tls);
    }
    let t = builder
        .build()
        .map_err(|e| ConfigError::Transport { source: e.into() })?;
    Ok(Arc::new(t))
}

#[cfg(not(feature = "hyper-transport"))]
fn default_transport(
    _connect_timeout: Duration,
    _proxy: ProxyConfig,
    _https: bool,
) -> Result<Arc<dyn Transport>, ConfigError> {
    Err(ConfigError::Missing {
        name: "transport",
        hint: " (enable the hyper-transport feature or pass one to ClientBuilder::transport)",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_must_be_secret_keys() {
        assert!(check_api_key("k", "sk_test_abc").is_ok());
        assert!(check_api_key("k", " sk_live_abc\n").is_ok());
        for bad in [
            "pk_test_SECRET1",
            "app_1Gqj58ynP0mHeX1q",
            "sk_test_",
            "sk_test_SECRET1 b",
        ] {
            let e = check_api_key("k", bad).unwrap_err();
            assert!(
                matches!(e, ConfigError::Invalid { name: "k", .. }),
                "{bad}: {e}"
            );
            let shown = format!("{e} {e:?}");
            assert!(
                !shown.contains("SECRET1") && !shown.contains("1Gqj"),
                "error echoes the key"
            );
        }
        assert!(matches!(
            check_api_key("k", "  "),
            Err(ConfigError::Missing { .. })
        ));
    }

    #[test]
    fn base_urls_are_checked_and_normalised() {
        assert_eq!(
            check_base_url("u", "https://api.pingxx.com/").unwrap(),
            "https://api.pingxx.com"
        );
        assert_eq!(
            check_base_url("u", "http://127.0.0.1:8080/proxy").unwrap(),
            "http://127.0.0.1:8080/proxy"
        );
        for bad in [
            "api.pingxx.com",
            "ftp://x",
            "https://x/?a=1",
            "not a url",
            "/v1",
        ] {
            assert!(check_base_url("u", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_secret_key_is_refused_as_app_id_without_echoing_it() {
        for bad in ["sk_test_SECRET1abc", " SK_LIVE_SECRET1abc "] {
            let e = check_app_id("app_id", bad).unwrap_err();
            let shown = format!("{e} {e:?}");
            assert!(shown.contains("secret key"), "{shown}");
            assert!(!shown.contains("SECRET1"), "{shown}");
        }
        assert!(check_app_id("app_id", "app_1Gqj58ynP0mHeX1q").is_ok());
    }

    #[test]
    fn a_live_key_goes_over_https_or_to_loopback_only() {
        let live = check_api_key("k", "sk_live_abc").unwrap();
        let test = check_api_key("k", "sk_test_abc").unwrap();
        assert!(check_live_key_transport(&live, "https://api.pingxx.com").is_ok());
        for local in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
        ] {
            assert!(check_live_key_transport(&live, local).is_ok(), "{local}");
        }
        for remote in ["http://api.pingxx.com", "http://10.0.0.5:8080/proxy"] {
            let e = check_live_key_transport(&live, remote).unwrap_err();
            assert!(e.to_string().contains("https://"), "{e}");
            assert!(check_live_key_transport(&test, remote).is_ok());
        }
    }

    #[test]
    fn escaped_newlines_in_pem_are_restored() {
        assert_eq!(unescape_newlines("a\\nb"), "a\nb");
        assert_eq!(unescape_newlines("a\nb\\n"), "a\nb\\n");
    }
}
