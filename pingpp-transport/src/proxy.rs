//! HTTP proxy configuration: explicit, or from `HTTPS_PROXY` / `HTTP_PROXY` /
//! `ALL_PROXY` / `NO_PROXY`.

use std::fmt;
use std::net::IpAddr;

use crate::config::ConfigError;

/// Which HTTP proxy the default transport goes through.
///
/// `https://` requests are tunnelled with HTTP `CONNECT` (TLS runs end to end, the proxy
/// sees only the host name); plain `http://` requests are sent to the proxy in absolute
/// form. Proxy URLs are `http://[user:password@]host:port` (a URL without scheme means
/// `http://`); credentials are sent as `Proxy-Authorization: Basic`. `NO_PROXY` follows
/// curl: a comma-separated list of host names (matching subdomains too), IP addresses,
/// CIDR networks, or `*`. Loopback destinations (`localhost`, `127.0.0.0/8`, `::1`)
/// never go through a proxy, so a local emulator keeps working behind a corporate proxy.
///
/// Without a proxy setting on the builder, the client reads the environment
/// ([`ProxyConfig::from_env`]).
///
/// ```
/// use pingpp_transport::ProxyConfig;
///
/// let proxy = ProxyConfig::all("http://proxy.corp.example:3128").no_proxy("internal.example");
/// let from_env = ProxyConfig::from_env_with(|name| match name {
///     "HTTPS_PROXY" => Some("http://user:secret@proxy.corp.example:3128".into()),
///     _ => None,
/// });
/// // Credentials never show in Debug output.
/// assert!(!format!("{from_env:?}").contains("secret"));
/// # let _ = proxy;
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProxyConfig {
    http: Option<String>,
    https: Option<String>,
    no_proxy: Option<String>,
}

impl ProxyConfig {
    /// No proxy: connect directly, whatever the environment says.
    pub fn none() -> Self {
        Self::default()
    }

    /// This proxy for both `http://` and `https://` destinations.
    pub fn all(url: impl Into<String>) -> Self {
        let url = url.into();
        ProxyConfig {
            http: Some(url.clone()),
            https: Some(url),
            no_proxy: None,
        }
    }

    /// This proxy for `http://` destinations.
    #[must_use]
    pub fn http(mut self, url: impl Into<String>) -> Self {
        self.http = Some(url.into());
        self
    }

    /// This proxy for `https://` destinations (the Ping++ API).
    #[must_use]
    pub fn https(mut self, url: impl Into<String>) -> Self {
        self.https = Some(url.into());
        self
    }

    /// Destinations that bypass the proxy, in `NO_PROXY` syntax.
    #[must_use]
    pub fn no_proxy(mut self, list: impl Into<String>) -> Self {
        self.no_proxy = Some(list.into());
        self
    }

    /// The proxies named by the process environment; see
    /// [`from_env_with`](Self::from_env_with).
    pub fn from_env() -> Self {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// The proxies named by variables looked up by `lookup`, as curl reads them:
    /// `HTTPS_PROXY` (or `https_proxy`) for https destinations, `http_proxy` (or
    /// `HTTP_PROXY`, ignored when `REQUEST_METHOD` is set, i.e. under CGI where a
    /// request header could set it) for http ones, `ALL_PROXY` (or `all_proxy`) for
    /// both when the specific one is unset, and `NO_PROXY` (or `no_proxy`). Empty values
    /// count as unset.
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |names: &[&str]| {
            names.iter().find_map(|n| {
                lookup(n)
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty())
            })
        };
        let cgi = lookup("REQUEST_METHOD").is_some();
        let all = get(&["ALL_PROXY", "all_proxy"]);
        let http = if cgi {
            get(&["http_proxy"])
        } else {
            get(&["http_proxy", "HTTP_PROXY"])
        };
        ProxyConfig {
            http: http.or_else(|| all.clone()),
            https: get(&["HTTPS_PROXY", "https_proxy"]).or(all),
            no_proxy: get(&["NO_PROXY", "no_proxy"]),
        }
    }

    /// Whether no proxy is configured at all.
    pub fn is_none(&self) -> bool {
        self.http.is_none() && self.https.is_none()
    }

    /// Checks the proxy URLs: `http://` (or no scheme), a host, nothing else.
    pub(crate) fn check(&self, name: &'static str) -> Result<(), ConfigError> {
        for url in [&self.http, &self.https].into_iter().flatten() {
            let uri: http::Uri = with_scheme(url).parse().map_err(|_| ConfigError::Invalid {
                name,
                reason: format!("{} is not a URL", redact_userinfo(url)),
            })?;
            if uri.scheme_str() != Some("http") {
                return Err(ConfigError::Invalid {
                    name,
                    reason: format!(
                        "{}: only http:// proxies are supported (https destinations are tunnelled through them with CONNECT)",
                        redact_userinfo(url)
                    ),
                });
            }
            if uri.host().is_none_or(str::is_empty) {
                return Err(ConfigError::Invalid {
                    name,
                    reason: format!("{} has no host", redact_userinfo(url)),
                });
            }
        }
        Ok(())
    }

    #[cfg(feature = "hyper-transport")]
    pub(crate) fn matcher(&self) -> hyper_util::client::proxy::matcher::Matcher {
        let mut b = hyper_util::client::proxy::matcher::Matcher::builder();
        if let Some(u) = &self.http {
            b = b.http(with_scheme(u));
        }
        if let Some(u) = &self.https {
            b = b.https(with_scheme(u));
        }
        if let Some(n) = &self.no_proxy {
            b = b.no(n.as_str());
        }
        b.build()
    }
}

/// `http://` in front of a URL given without a scheme (as curl assumes).
fn with_scheme(url: &str) -> String {
    if url.contains("://") {
        url.to_owned()
    } else {
        format!("http://{url}")
    }
}

/// The URL with any `user:password@` replaced.
fn redact_userinfo(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            let prefix = if scheme.is_empty() {
                String::new()
            } else {
                format!("{scheme}://")
            };
            format!("{prefix}[redacted]@{}", &rest[at + 1..])
        }
        None => url.to_owned(),
    }
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyConfig")
            .field("http", &self.http.as_deref().map(redact_userinfo))
            .field("https", &self.https.as_deref().map(redact_userinfo))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// Whether `host` (from a URI: IPv6 in brackets) is a loopback name or address.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost") {
        return true;
    }
    host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn environment_is_read_like_curl() {
        let p = ProxyConfig::from_env_with(env(&[
            ("HTTPS_PROXY", "http://p1:3128"),
            ("http_proxy", "p2:8080"),
            ("NO_PROXY", "internal.example"),
        ]));
        assert_eq!(p.https.as_deref(), Some("http://p1:3128"));
        assert_eq!(p.http.as_deref(), Some("p2:8080"));
        assert_eq!(p.no_proxy.as_deref(), Some("internal.example"));

        let all = ProxyConfig::from_env_with(env(&[("ALL_PROXY", "http://p3:1")]));
        assert_eq!(all, ProxyConfig::all("http://p3:1"));

        // Under CGI, HTTP_PROXY may come from a request header: ignored.
        let cgi = ProxyConfig::from_env_with(env(&[
            ("HTTP_PROXY", "http://evil:1"),
            ("REQUEST_METHOD", "GET"),
        ]));
        assert!(cgi.is_none());
        assert!(ProxyConfig::from_env_with(env(&[("HTTPS_PROXY", " ")])).is_none());
    }

    #[test]
    fn proxy_urls_are_checked_without_showing_credentials() {
        assert!(
            ProxyConfig::all("http://u:pw@proxy:3128")
                .check("proxy")
                .is_ok()
        );
        assert!(ProxyConfig::all("proxy:3128").check("proxy").is_ok());
        for bad in [
            "https://u:pw@proxy:443",
            "socks5://u:pw@proxy:1080",
            "http://u:pw@",
        ] {
            let e = ProxyConfig::all(bad).check("proxy").unwrap_err();
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains("pw"), "{shown}");
        }
        assert_eq!(
            redact_userinfo("http://user:pass@host:1/x@y"),
            "http://[redacted]@host:1/x@y"
        );
    }

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.8.9.10",
            "[::1]",
            "a.localhost",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in ["api.pingxx.com", "10.0.0.1", "[::2]", "localhost.example"] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }
}
