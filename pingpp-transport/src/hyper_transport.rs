//! The default transport: hyper 1 + hyper-util's pooled client + rustls, through an HTTP
//! proxy when one is configured, with a cap on response bodies.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::Uri;
use http::header::{CONTENT_LENGTH, PROXY_AUTHORIZATION};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tower_service::Service;

use crate::config::DEFAULT_CONNECT_TIMEOUT;
use crate::proxy::{ProxyConfig, is_loopback_host};
use crate::transport::{BoxError, BoxFuture, ResponseBodyLimit, Transport, TransportError};

/// The default [`Transport`]: HTTP/1.1 with keep-alive connection reuse, TLS by rustls
/// (crypto provider `aws-lc-rs` or `ring`, chosen by the crate features; aws-lc-rs when
/// both are on), the bundled webpki roots (or the OS roots with `native-roots`, or your
/// own [`rustls::ClientConfig`]), and HTTP proxies ([`ProxyConfig`]). Plain `http://`
/// URLs are allowed (for the emulator).
///
/// Connect failures (DNS, refused, connect timeout, proxy, TLS handshake) are reported as
/// [`TransportErrorKind::Connect`](crate::TransportErrorKind::Connect): the request was
/// not sent. A response whose body exceeds the request's [`ResponseBodyLimit`] is refused
/// from its `Content-Length`, or as soon as the limit is passed while reading, so a
/// hostile server cannot exhaust memory.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use std::time::Duration;
/// use pingpp_transport::{HyperTransport, ProxyConfig, Transport};
///
/// let transport: Arc<dyn Transport> = Arc::new(
///     HyperTransport::builder()
///         .connect_timeout(Duration::from_secs(5))
///         .proxy(ProxyConfig::all("http://proxy.corp.example:3128"))
///         .build()?,
/// );
/// # let _ = transport; Ok(()) }
/// ```
#[derive(Clone)]
pub struct HyperTransport {
    client: Client,
    proxy: Arc<Matcher>,
    connect_timeout: Duration,
}

#[derive(Clone)]
enum Client {
    Tls(HyperClient<HttpsConnector<ProxyConnector>, Full<Bytes>>),
    /// No rustls crypto provider was available: plain HTTP only.
    Plain(HyperClient<ProxyConnector, Full<Bytes>>),
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransport")
            .field("connect_timeout", &self.connect_timeout)
            .field("proxy", &self.proxy)
            .field("tls", &matches!(self.client, Client::Tls(_)))
            .finish_non_exhaustive()
    }
}

/// The TLS setup of a [`HyperTransport`] could not be built.
#[derive(Debug, thiserror::Error)]
#[error("could not set up TLS for the HTTP transport")]
pub struct TlsSetupError {
    #[source]
    source: BoxError,
}

/// Builds a [`HyperTransport`]; start with [`HyperTransport::builder`].
#[must_use]
pub struct HyperTransportBuilder {
    connect_timeout: Duration,
    proxy: Option<ProxyConfig>,
    tls: Option<rustls::ClientConfig>,
}

impl fmt::Debug for HyperTransportBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransportBuilder")
            .field("connect_timeout", &self.connect_timeout)
            .field("proxy", &self.proxy)
            .field("custom_tls", &self.tls.is_some())
            .finish()
    }
}

impl HyperTransportBuilder {
    /// Time allowed to establish a connection (TCP, and the proxy's). Default 30 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The proxy to use. Default: [`ProxyConfig::from_env`].
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// Your own rustls configuration (e.g. a corporate root certificate, client
    /// certificates, another crypto provider). Its ALPN list is replaced by `http/1.1`.
    pub fn tls_config(mut self, config: rustls::ClientConfig) -> Self {
        self.tls = Some(config);
        self
    }

    /// Builds the transport.
    pub fn build(self) -> Result<HyperTransport, TlsSetupError> {
        let proxy = self.proxy.unwrap_or_else(ProxyConfig::from_env);
        proxy
            .check("proxy")
            .map_err(|e| TlsSetupError { source: e.into() })?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(self.connect_timeout));
        http.set_nodelay(true);
        http.set_keepalive(Some(Duration::from_secs(60)));
        let matcher = Arc::new(proxy.matcher());
        let connector = ProxyConnector {
            http,
            proxy: Arc::clone(&matcher),
        };

        let builder = || {
            let mut b = HyperClient::builder(TokioExecutor::new());
            b.pool_timer(TokioTimer::new())
                .pool_idle_timeout(Duration::from_secs(50));
            b
        };
        let client = match tls_builder(self.tls)? {
            Some(tls) => {
                let https = tls.https_or_http().enable_http1().wrap_connector(connector);
                Client::Tls(builder().build(https))
            }
            None => {
                tracing::warn!(
                    "no rustls crypto provider (enable pingpp-transport's `aws-lc-rs` or `ring` feature): https is unavailable"
                );
                Client::Plain(builder().build(connector))
            }
        };
        Ok(HyperTransport {
            client,
            proxy: matcher,
            connect_timeout: self.connect_timeout,
        })
    }
}

/// The crypto provider chosen by the crate features, else the process default.
pub(crate) fn crypto_provider() -> Option<Arc<rustls::crypto::CryptoProvider>> {
    #[cfg(feature = "aws-lc-rs")]
    {
        Some(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
    }
    #[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
    {
        Some(Arc::new(rustls::crypto::ring::default_provider()))
    }
    #[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
    {
        rustls::crypto::CryptoProvider::get_default().cloned()
    }
}

type TlsBuilder = hyper_rustls::HttpsConnectorBuilder<hyper_rustls::builderstates::WantsSchemes>;

fn tls_builder(custom: Option<rustls::ClientConfig>) -> Result<Option<TlsBuilder>, TlsSetupError> {
    let builder = hyper_rustls::HttpsConnectorBuilder::new();
    if let Some(mut config) = custom {
        // hyper-rustls sets ALPN itself and refuses a config that already has some.
        config.alpn_protocols.clear();
        return Ok(Some(builder.with_tls_config(config)));
    }
    let Some(provider) = crypto_provider() else {
        return Ok(None);
    };
    #[cfg(feature = "native-roots")]
    let builder = builder
        .with_provider_and_native_roots(provider)
        .map_err(|e| TlsSetupError { source: e.into() })?;
    #[cfg(not(feature = "native-roots"))]
    let builder = builder
        .with_provider_and_webpki_roots(provider)
        .map_err(|e| TlsSetupError { source: e.into() })?;
    Ok(Some(builder))
}

impl HyperTransport {
    /// A builder: 30 s connect timeout, proxies from the environment, default TLS.
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            proxy: None,
            tls: None,
        }
    }

    /// A transport with the defaults of [`builder`](Self::builder).
    pub fn new() -> Result<Self, TlsSetupError> {
        Self::builder().build()
    }

    /// A transport with the given connect timeout and the other defaults.
    pub fn with_connect_timeout(connect_timeout: Duration) -> Result<Self, TlsSetupError> {
        Self::builder().connect_timeout(connect_timeout).build()
    }
}

/// The proxy for `dst`, unless it is a loopback destination.
fn intercept(matcher: &Matcher, dst: &Uri) -> Option<Intercept> {
    if dst.host().is_none_or(is_loopback_host) {
        return None;
    }
    matcher.intercept(dst)
}

impl Transport for HyperTransport {
    fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
        let limit = request.extensions().get::<ResponseBodyLimit>().map(|l| l.0);
        let mut request = request.map(Full::new);
        // A plain-http request through a proxy is forwarded, not tunnelled: the proxy
        // credentials go on the request itself.
        if request.uri().scheme_str() == Some("http")
            && let Some(auth) = intercept(&self.proxy, request.uri())
                .as_ref()
                .and_then(Intercept::basic_auth)
        {
            request
                .headers_mut()
                .insert(PROXY_AUTHORIZATION, auth.clone());
        }
        Box::pin(async move {
            let response = match &self.client {
                Client::Tls(c) => c.request(request).await,
                Client::Plain(c) => {
                    if request.uri().scheme_str() == Some("https") {
                        return Err(TransportError::connect(
                            "https needs a rustls crypto provider: enable pingpp-transport's `aws-lc-rs` or `ring` feature",
                        ));
                    }
                    c.request(request).await
                }
            }
            .map_err(|e| {
                if e.is_connect() {
                    TransportError::connect(e)
                } else {
                    TransportError::io(e)
                }
            })?;
            let (parts, body) = response.into_parts();
            let body = match limit {
                None => body.collect().await.map_err(TransportError::io)?.to_bytes(),
                Some(limit) => {
                    let declared = parts
                        .headers
                        .get(CONTENT_LENGTH)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok());
                    if declared.is_some_and(|n| n > limit as u64) {
                        // Dropping the body closes the connection: nothing more is read.
                        return Err(TransportError::response_too_large(parts.status, limit));
                    }
                    match Limited::new(body, limit).collect().await {
                        Ok(b) => b.to_bytes(),
                        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
                            return Err(TransportError::response_too_large(parts.status, limit));
                        }
                        Err(e) => return Err(TransportError::io(e)),
                    }
                }
            };
            Ok(http::Response::from_parts(parts, body))
        })
    }
}

/// Connects directly, or through the configured proxy: `CONNECT` tunnel for https
/// destinations, a forwarding connection (absolute-form requests) for http ones.
#[derive(Clone)]
struct ProxyConnector {
    http: HttpConnector,
    proxy: Arc<Matcher>,
}

impl Service<Uri> for ProxyConnector {
    type Response = ProxyStream;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<ProxyStream, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let via = intercept(&self.proxy, &dst);
        let mut http = self.http.clone();
        Box::pin(async move {
            match via {
                None => Ok(ProxyStream::new(http.call(dst).await?, false)),
                Some(proxy) if dst.scheme_str() == Some("https") => {
                    tracing::debug!(proxy = %proxy.uri(), host = dst.host(), "CONNECT tunnel");
                    let mut tunnel = Tunnel::new(proxy.uri().clone(), http);
                    if let Some(auth) = proxy.basic_auth() {
                        tunnel = tunnel.with_auth(auth.clone());
                    }
                    Ok(ProxyStream::new(tunnel.call(dst).await?, false))
                }
                Some(proxy) => {
                    tracing::debug!(proxy = %proxy.uri(), "forwarding through proxy");
                    Ok(ProxyStream::new(
                        http.call(proxy.uri().clone()).await?,
                        true,
                    ))
                }
            }
        })
    }
}

/// A TCP connection, direct or to a proxy; `forwarded` makes hyper send absolute-form
/// request targets (what a forwarding proxy needs).
struct ProxyStream {
    io: TokioIo<TcpStream>,
    forwarded: bool,
}

impl ProxyStream {
    fn new(io: TokioIo<TcpStream>, forwarded: bool) -> Self {
        ProxyStream { io, forwarded }
    }
}

impl Connection for ProxyStream {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.forwarded)
    }
}

impl Read for ProxyStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl Write for ProxyStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_and_loopback_destinations_bypass_the_proxy() {
        let m = ProxyConfig::all("http://proxy.corp.example:3128")
            .no_proxy("internal.example, 10.1.0.0/16")
            .matcher();
        let via = |url: &str| intercept(&m, &url.parse().unwrap()).map(|i| i.uri().to_string());
        assert_eq!(
            via("https://api.pingxx.com/v1/x").as_deref(),
            Some("http://proxy.corp.example:3128/")
        );
        assert!(via("http://api.pingxx.com/").is_some());
        for direct in [
            "https://internal.example/",
            "https://pay.internal.example/",
            "http://10.1.2.3/",
            "http://127.0.0.1:8080/",
            "http://localhost:8080/",
            "http://[::1]:8080/",
        ] {
            assert_eq!(via(direct), None, "{direct}");
        }
        let none = ProxyConfig::none().matcher();
        assert!(intercept(&none, &"https://api.pingxx.com/".parse().unwrap()).is_none());
    }
}
