//! Shared arguments: secrets that never show, value parsers that refuse bad input before
//! anything runs (exit status 2, like every usage error), and the credential flags of
//! the API commands.

use std::ffi::OsStr;
use std::fmt;

use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::{Args, Subcommand};
use pingpp_sign::PrivateKey;
use pingpp_transport::{
    Client, ClientBuilder, ConfigError, ENV_API_BASE, ENV_API_KEY, ENV_APP_ID, ENV_PRIVATE_KEY,
    ENV_PRIVATE_KEY_PATH,
};
use pingpp_types::{ListParams, MAX_PER_PAGE, Metadata};

use crate::exit::CliError;
use crate::{BoxError, read_pem};

/// A secret from the command line (an API key, PEM text or the path of a key file): its
/// `Debug` never shows it, so neither does the `Debug` of any argument struct.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    /// The secret itself.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Value parser for PEM text or a key file path (checked when loaded).
pub(crate) fn secret(value: &str) -> Result<Secret, std::convert::Infallible> {
    Ok(Secret(value.to_owned()))
}

/// A usage error (exit status 2) whose message is ours alone: clap's own validation
/// errors quote the rejected value, which must not happen for a secret.
fn usage_error(cmd: &clap::Command, message: String) -> clap::Error {
    clap::Error::raw(ErrorKind::ValueValidation, format!("{message}\n")).with_cmd(cmd)
}

fn arg_name(arg: Option<&clap::Arg>) -> String {
    arg.map_or_else(|| "the value".to_owned(), |a| format!("'{a}'"))
}

/// Checks one value the way the SDK checks its environment variable `var`, so the
/// command line and the SDK cannot disagree: the SDK's rules run on `value`, with
/// well-formed stand-ins for the other required variables. Returns why it is refused.
fn check_like_the_sdk(var: &'static str, value: &str) -> Result<(), String> {
    let result = ClientBuilder::from_env_with(|name| {
        if name == var {
            Some(value.to_owned())
        } else if name == ENV_API_KEY {
            Some("sk_test_stand_in".to_owned())
        } else if name == ENV_APP_ID {
            Some("app_stand_in".to_owned())
        } else {
            None
        }
    });
    match result {
        Ok(_) => Ok(()),
        Err(ConfigError::Invalid { reason, .. }) => Err(reason),
        Err(ConfigError::Missing { .. }) => Err("must not be empty".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

/// `--api-key`: `sk_test_…` or `sk_live_…`, as the SDK requires. The value is never
/// quoted back, not even when refused.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ApiKeyParser;

impl TypedValueParser for ApiKeyParser {
    type Value = Secret;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Secret, clap::Error> {
        let name = arg_name(arg);
        let text = value
            .to_str()
            .ok_or_else(|| usage_error(cmd, format!("invalid value for {name}: not UTF-8")))?;
        check_like_the_sdk(ENV_API_KEY, text).map_err(|reason| {
            usage_error(
                cmd,
                format!("invalid value for {name} (value not shown): {reason}"),
            )
        })?;
        Ok(Secret(text.trim().to_owned()))
    }
}

/// `--app-id`, checked like `PINGPP_APP_ID`.
pub(crate) fn app_id(value: &str) -> Result<String, String> {
    check_like_the_sdk(ENV_APP_ID, value)?;
    Ok(value.trim().to_owned())
}

/// `--base-url`, checked like `PINGPP_API_BASE`.
pub(crate) fn base_url(value: &str) -> Result<String, String> {
    check_like_the_sdk(ENV_API_BASE, value)?;
    Ok(value.trim().to_owned())
}

/// A factor that divides delays: finite and above zero.
pub(crate) fn time_scale(value: &str) -> Result<f64, String> {
    let f: f64 = value
        .trim()
        .parse()
        .map_err(|_| "not a number".to_owned())?;
    if f.is_finite() && f > 0.0 {
        Ok(f)
    } else {
        Err("must be a finite number above 0".to_owned())
    }
}

/// A JSON object given on the command line (`--metadata`, `--extra`).
pub(crate) fn json_object(value: &str) -> Result<Metadata, String> {
    serde_json::from_str::<Metadata>(value)
        .map_err(|e| format!("must be a JSON object such as '{{\"key\":\"value\"}}' ({e})"))
}

/// Paging of a list command: one page, or every page with `--all`. The values are
/// checked by the SDK's validation (exit status 2), not here.
#[derive(Debug, Args)]
pub(crate) struct PageArgs {
    /// Page, from 1 (with --all: the first page read).
    #[arg(long)]
    page: Option<u32>,
    /// Items per page, 1-100 (with --all: 100 unless given).
    #[arg(long)]
    per_page: Option<u32>,
    /// Every page, streamed as one JSON object per line (NDJSON) as the pages arrive;
    /// an error ends the stream (with --json, as a last line {"error": ...}).
    #[arg(long)]
    pub(crate) all: bool,
}

impl PageArgs {
    /// Sets the page and page size on list parameters `p` with their setters; `--all`
    /// reads 100 per page unless told otherwise.
    pub(crate) fn apply<P>(
        &self,
        mut p: P,
        page: impl Fn(P, u32) -> P,
        per_page: impl Fn(P, u32) -> P,
    ) -> P {
        if let Some(v) = self.page {
            p = page(p, v);
        }
        match (self.per_page, self.all) {
            (Some(v), _) => per_page(p, v),
            (None, true) => per_page(p, MAX_PER_PAGE),
            (None, false) => p,
        }
    }

    /// The paging as [`ListParams`].
    pub(crate) fn list_params(&self) -> ListParams {
        self.apply(ListParams::new(), ListParams::page, ListParams::per_page)
    }
}

/// `find --user U --order-no N` (withdrawals and recharges).
#[derive(Debug, Args)]
pub(crate) struct FindArgs {
    /// The user.
    #[arg(long)]
    pub(crate) user: String,
    /// The order number given at create.
    #[arg(long)]
    pub(crate) order_no: String,
}

/// An HTTP method the Ping++ API uses. Accepted in any case, used in upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "UPPER")]
pub(crate) enum HttpMethod {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// DELETE.
    Delete,
}

impl HttpMethod {
    /// Whether the body is part of the string to sign: POST and PUT only
    /// (pingpp-protocol.md §3).
    pub(crate) fn signs_body(self) -> bool {
        matches!(self, HttpMethod::Post | HttpMethod::Put)
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Delete => "DELETE",
        })
    }
}

/// The credential flags of the API commands; each wins over its environment variable.
/// Given before or after the subcommand (`pingpp withdrawal --api-key K get 1` or
/// `pingpp withdrawal get 1 --api-key K`).
#[derive(Debug, Args)]
pub(crate) struct ClientArgs {
    /// Secret API key, sk_test_... or sk_live_... [default: $PINGPP_API_KEY]. Other local
    /// users can see command lines: on a shared machine prefer the variable.
    #[arg(long, global = true, value_name = "KEY", value_parser = ApiKeyParser)]
    api_key: Option<Secret>,
    /// App id, app_... [default: $PINGPP_APP_ID].
    #[arg(long, global = true, value_name = "APP", value_parser = app_id)]
    app_id: Option<String>,
    /// Merchant private key that signs requests: a PEM file or the PEM text
    /// [default: $PINGPP_PRIVATE_KEY or $PINGPP_PRIVATE_KEY_PATH].
    #[arg(long, global = true, value_name = "PEM", allow_hyphen_values = true, value_parser = secret)]
    private_key: Option<Secret>,
    /// API base URL [default: $PINGPP_API_BASE, else https://api.pingxx.com].
    #[arg(long, global = true, value_name = "URL", value_parser = base_url)]
    base_url: Option<String>,
}

/// An API command group: the credential flags plus its subcommands.
#[derive(Debug, Args)]
pub(crate) struct Api<C: Subcommand> {
    #[command(flatten)]
    pub(crate) client: ClientArgs,
    #[command(subcommand)]
    pub(crate) command: C,
}

/// The flag that overrides an environment variable, for error hints.
fn flag_for(var: &str) -> Option<&'static str> {
    match var {
        ENV_API_KEY => Some("--api-key"),
        ENV_APP_ID => Some("--app-id"),
        ENV_PRIVATE_KEY | ENV_PRIVATE_KEY_PATH => Some("--private-key"),
        ENV_API_BASE => Some("--base-url"),
        _ => None,
    }
}

/// A configuration error, with the flag that would have set the value.
#[derive(Debug, thiserror::Error)]
#[error("{source}{}", hint.map(|f| format!(" (give {f} or set the variable)")).unwrap_or_default())]
pub(crate) struct CredentialsError {
    hint: Option<&'static str>,
    #[source]
    source: ConfigError,
}

impl ClientArgs {
    /// The client: flags first, then the environment (`PINGPP_API_KEY`, `PINGPP_APP_ID`,
    /// `PINGPP_PRIVATE_KEY` or `PINGPP_PRIVATE_KEY_PATH`, `PINGPP_API_BASE`).
    pub(crate) fn client(&self) -> Result<Client, BoxError> {
        self.client_with_env(|name| std::env::var(name).ok())
    }

    fn client_with_env(&self, env: impl Fn(&str) -> Option<String>) -> Result<Client, BoxError> {
        let lookup = |name: &str| -> Option<String> {
            match name {
                ENV_API_KEY if self.api_key.is_some() => {
                    self.api_key.as_ref().map(|k| k.expose().to_owned())
                }
                ENV_APP_ID if self.app_id.is_some() => self.app_id.clone(),
                ENV_API_BASE if self.base_url.is_some() => self.base_url.clone(),
                // The flag replaces both key variables.
                ENV_PRIVATE_KEY | ENV_PRIVATE_KEY_PATH if self.private_key.is_some() => None,
                _ => env(name),
            }
        };
        let with_hint = |source: ConfigError| {
            let hint = match &source {
                ConfigError::Missing { name, .. } => flag_for(name),
                _ => None,
            };
            CredentialsError { hint, source }
        };
        let mut builder = ClientBuilder::from_env_with(lookup).map_err(with_hint)?;
        if let Some(pem) = &self.private_key {
            let key = PrivateKey::from_pem(&read_pem(pem.expose())?)
                .map_err(|e| CliError::key("cannot load --private-key", e))?;
            builder = builder.private_key(key);
        }
        // The builder refuses an sk_live_ key towards a non-https, non-loopback base URL
        // (pingpp-transport's rule; the CLI keeps no copy of it).
        Ok(builder.build().map_err(with_hint)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct T {
        #[command(flatten)]
        client: ClientArgs,
    }

    fn parse(args: &[&str]) -> Result<T, clap::Error> {
        T::try_parse_from(std::iter::once("t").chain(args.iter().copied()))
    }

    #[test]
    fn a_live_key_over_plain_http_is_refused_by_the_sdk_rule() {
        let no_env = |_: &str| None;
        let live = |url: &str| {
            parse(&[
                "--api-key",
                "sk_live_SECRETVALUE1",
                "--app-id",
                "app_1",
                "--base-url",
                url,
            ])
            .expect("parses")
            .client
            .client_with_env(no_env)
        };
        let e = live("http://api.example.com").unwrap_err().to_string();
        assert!(e.contains("https"), "{e}");
        assert!(!e.contains("SECRETVALUE"), "{e}");
        live("http://127.0.0.1:8080").expect("loopback is allowed");
        live("https://api.example.com").expect("https is allowed");
    }

    #[test]
    fn flags_win_over_the_environment() {
        let t = parse(&[
            "--api-key",
            "sk_test_flag",
            "--app-id",
            "app_flag",
            "--base-url",
            "http://127.0.0.1:1",
        ])
        .expect("parses");
        let env = |name: &str| match name {
            ENV_API_KEY => Some("sk_test_env".to_owned()),
            ENV_APP_ID => Some("app_env".to_owned()),
            ENV_API_BASE => Some("http://127.0.0.1:2".to_owned()),
            ENV_PRIVATE_KEY_PATH => Some("/nonexistent/key.pem".to_owned()),
            _ => None,
        };
        // The private key flag is absent: the environment's (missing) file is used.
        let e = t.client.client_with_env(env).unwrap_err();
        assert!(e.to_string().contains(ENV_PRIVATE_KEY_PATH), "{e}");

        let t = parse(&[
            "--app-id",
            "app_flag",
            "--base-url",
            "http://127.0.0.1:1",
            "--private-key",
            pingpp_sign::generate_keypair()
                .expect("keypair")
                .private_pem(),
        ])
        .expect("parses");
        let client = t
            .client
            .client_with_env(env)
            .expect("flags replace the key file");
        assert_eq!(client.app_id(), "app_flag");
        assert_eq!(client.base_url(), "http://127.0.0.1:1");
        assert!(client.signs_requests());
        assert!(!client.is_live(), "the environment's test key");
    }

    #[test]
    fn a_missing_value_names_the_flag_and_the_variable() {
        let t = parse(&[]).expect("parses");
        let e = t.client.client_with_env(|_| None).unwrap_err();
        let shown = e.to_string();
        assert!(
            shown.contains(ENV_API_KEY) && shown.contains("--api-key"),
            "{shown}"
        );
    }

    #[test]
    fn bad_values_are_usage_errors_that_never_quote_a_key() {
        for bad in [
            "",
            "sk_test_",
            "pk_live_SECRET1",
            "sk_live_SECRET1 x",
            "app_SECRET1",
        ] {
            let e = parse(&["--api-key", bad]).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad:?}");
            let shown = e.render().to_string();
            assert!(shown.contains("--api-key"), "{shown}");
            assert!(!shown.contains("SECRET1"), "{shown}");
        }
        for good in ["sk_test_x", " sk_live_abc "] {
            let t = parse(&["--api-key", good]).expect(good);
            assert_eq!(
                t.client.api_key.as_ref().map(Secret::expose),
                Some(good.trim())
            );
        }
        assert_eq!(parse(&["--app-id", "app 1"]).unwrap_err().exit_code(), 2);
        assert_eq!(
            parse(&["--base-url", "ftp://x"]).unwrap_err().exit_code(),
            2
        );
    }

    #[test]
    fn time_scales_are_positive_and_finite() {
        assert_eq!(time_scale("1000"), Ok(1000.0));
        for bad in ["0", "-1", "inf", "NaN", "x"] {
            assert!(time_scale(bad).is_err(), "{bad}");
        }
    }
}
