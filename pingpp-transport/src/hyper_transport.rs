//! The default transport: hyper 1 + hyper-util's pooled client + rustls (ring).

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::transport::{BoxFuture, Transport, TransportError};

use crate::config::DEFAULT_CONNECT_TIMEOUT;

/// The default [`Transport`]: HTTP/1.1 with keep-alive connection reuse, TLS by rustls
/// with the `ring` provider and the bundled webpki roots (or the OS roots with the
/// `native-roots` feature). Plain `http://` URLs are allowed (for the emulator).
///
/// Connect failures (DNS, refused, connect timeout, TLS handshake) are reported as
/// [`TransportErrorKind::Connect`](crate::TransportErrorKind::Connect): the request was not sent.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use std::time::Duration;
/// use pingpp_transport::{HyperTransport, Transport};
///
/// let transport: Arc<dyn Transport> =
///     Arc::new(HyperTransport::with_connect_timeout(Duration::from_secs(5))?);
/// # let _ = transport; Ok(()) }
/// ```
#[derive(Clone)]
pub struct HyperTransport {
    client: HyperClient<HttpsConnector<HttpConnector>, Full<Bytes>>,
    connect_timeout: Duration,
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransport")
            .field("connect_timeout", &self.connect_timeout)
            .finish_non_exhaustive()
    }
}

/// The TLS setup of a [`HyperTransport`] could not be built.
#[derive(Debug, thiserror::Error)]
#[error("could not set up TLS for the HTTP transport")]
pub struct TlsSetupError {
    #[source]
    source: crate::transport::BoxError,
}

impl HyperTransport {
    /// A transport with the default 30 s connect timeout.
    pub fn new() -> Result<Self, TlsSetupError> {
        Self::with_connect_timeout(DEFAULT_CONNECT_TIMEOUT)
    }

    /// A transport with the given connect timeout.
    pub fn with_connect_timeout(connect_timeout: Duration) -> Result<Self, TlsSetupError> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(connect_timeout));
        http.set_nodelay(true);
        http.set_keepalive(Some(Duration::from_secs(60)));

        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let builder = hyper_rustls::HttpsConnectorBuilder::new();
        #[cfg(feature = "native-roots")]
        let builder = builder
            .with_provider_and_native_roots(provider)
            .map_err(|e| TlsSetupError { source: e.into() })?;
        #[cfg(not(feature = "native-roots"))]
        let builder = builder
            .with_provider_and_webpki_roots(provider)
            .map_err(|e| TlsSetupError { source: e.into() })?;
        let https = builder.https_or_http().enable_http1().wrap_connector(http);

        let client = HyperClient::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(50))
            .build(https);
        Ok(HyperTransport {
            client,
            connect_timeout,
        })
    }
}

impl Transport for HyperTransport {
    fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
        let request = request.map(Full::new);
        Box::pin(async move {
            let response = self.client.request(request).await.map_err(|e| {
                if e.is_connect() {
                    TransportError::connect(e)
                } else {
                    TransportError::io(e)
                }
            })?;
            let (parts, body) = response.into_parts();
            let body = body.collect().await.map_err(TransportError::io)?.to_bytes();
            Ok(http::Response::from_parts(parts, body))
        })
    }
}
