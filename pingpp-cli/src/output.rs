//! What a command prints: results (pretty JSON for people, one line of JSON with
//! `--json`), NDJSON streams for `list --all`, progress notes, and errors (text on
//! stderr, or a JSON object on stdout with `--json`). Every error text goes through the
//! SDK's [`redact_secrets`] first.

use std::process::ExitCode;

use futures_util::{Stream, StreamExt as _};
use pingpp_transport::redact_secrets;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::exit::{self, Failure};
use crate::{BoxError, outln};

/// How results and errors are printed: the global `--json` flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// For people: pretty JSON results, text errors on stderr.
    Human,
    /// For programs: one line of JSON per result on stdout, errors as JSON on stdout.
    Json,
}

impl Format {
    /// From the `--json` flag.
    pub(crate) fn from_flag(json: bool) -> Self {
        if json { Format::Json } else { Format::Human }
    }

    /// Whether `--json` was given.
    pub(crate) fn is_json(self) -> bool {
        self == Format::Json
    }

    /// Prints a result: the object as the SDK parsed it, serialized again.
    pub(crate) fn print<T: Serialize + ?Sized>(self, value: &T) -> Result<ExitCode, BoxError> {
        let text = match self {
            Format::Human => serde_json::to_string_pretty(value)?,
            Format::Json => serde_json::to_string(value)?,
        };
        outln!("{text}");
        Ok(ExitCode::SUCCESS)
    }

    /// A progress line: stdout for people, stderr with `--json` (stdout then carries
    /// only the result).
    pub(crate) fn note(self, args: std::fmt::Arguments<'_>) {
        match self {
            Format::Human => crate::write_stdout(format_args!("{args}\n")),
            Format::Json => eprintln!("{args}"),
        }
    }

    /// Prints the error that ended a command; returns its exit status.
    pub(crate) fn error(self, error: &BoxError) -> ExitCode {
        let failure = exit::classify(&**error);
        match self {
            Format::Json => {
                let _ = crate::try_write_stdout(format_args!("{}\n", error_json(error, &failure)));
            }
            Format::Human => {
                let mut first = true;
                for text in chain(error) {
                    let prefix = if first { "error: " } else { "  caused by: " };
                    eprintln!("{prefix}{text}");
                    first = false;
                }
                if failure.status == exit::UNKNOWN {
                    eprintln!(
                        "note: the outcome is unknown. A create, confirm, cancel or refund may have taken effect: look it up (withdrawal find / recharge find --user U --order-no N) before sending it again; a read can simply be run again"
                    );
                }
            }
        }
        ExitCode::from(failure.status)
    }
}

/// Prints every item of a paged listing as it arrives, one JSON object per line
/// (NDJSON), whatever the format. An error ends the stream (the lines printed stay).
pub(crate) async fn print_all<T, S>(items: S) -> Result<ExitCode, BoxError>
where
    T: Serialize,
    S: Stream<Item = Result<T, pingpp_transport::Error>>,
{
    let mut items = std::pin::pin!(items);
    while let Some(item) = items.next().await {
        outln!("{}", serde_json::to_string(&item?)?);
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints what a `find` found: the object, or `null` (with a note for people).
pub(crate) fn print_found<T: serde::Serialize>(
    format: Format,
    found: Option<T>,
    what: &str,
    args: &crate::args::FindArgs,
) -> Result<ExitCode, BoxError> {
    if found.is_none() && !format.is_json() {
        eprintln!(
            "no {what} of user {} has order_no {}",
            args.user, args.order_no
        );
    }
    format.print(&found)
}

/// Errors whose messages the SDK already keeps free of secrets (scrubbing them again
/// would mangle hints such as `sk_test_...`).
fn scrubbed_by_the_sdk(e: &(dyn std::error::Error + 'static)) -> bool {
    e.is::<pingpp_transport::Error>()
        || e.is::<pingpp_transport::ConfigError>()
        || e.is::<crate::args::CredentialsError>()
}

/// The messages of an error and its causes, secrets removed; a cause already quoted by
/// the message before it is left out.
fn chain(error: &BoxError) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(&**error);
    while let Some(e) = current {
        let text = e.to_string();
        let text = if scrubbed_by_the_sdk(e) {
            text
        } else {
            redact_secrets(&text).into_owned()
        };
        if out.last().is_none_or(|prev| !prev.contains(&text)) {
            out.push(text);
        }
        current = e.source();
    }
    out
}

/// `{"error": {"type", "message", "code", "status", "outcome", "request_id"?, "param"?}}`.
fn error_json(error: &BoxError, failure: &Failure<'_>) -> Value {
    let sdk = failure.sdk;
    let mut e = Map::new();
    e.insert("type".into(), json!(failure.kind.as_str()));
    e.insert("message".into(), json!(chain(error).join(": ")));
    e.insert(
        "code".into(),
        json!(sdk.and_then(|s| s.code()).map(|c| c.as_str())),
    );
    e.insert(
        "status".into(),
        json!(sdk.and_then(|s| s.status()).map(|s| s.as_u16())),
    );
    e.insert("outcome".into(), json!(failure.outcome.map(|o| o.as_str())));
    if let Some(id) = sdk.and_then(|s| s.request_id()) {
        e.insert("request_id".into(), json!(id));
    }
    if let Some(param) = sdk
        .and_then(|s| s.as_api())
        .and_then(|a| a.param.as_deref())
    {
        e.insert("param".into(), json!(param));
    }
    json!({ "error": e })
}

/// A usage error found by clap, as a `--json` error (message: the first paragraph of
/// clap's text, secrets removed).
pub(crate) fn usage_error_json(rendered: &str) -> Value {
    let first = rendered.split("\n\n").next().unwrap_or_default().trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    json!({ "error": {
        "type": exit::Kind::Usage.as_str(),
        "message": redact_secrets(first),
        "code": null,
        "status": null,
        "outcome": pingpp_transport::Outcome::NotSent.as_str(),
    }})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::CliError;

    #[test]
    fn json_errors_have_every_field_and_no_secret() {
        let e: BoxError = CliError::usage("bad --api-key sk_live_SECRETSECRET1").into();
        let v = error_json(&e, &exit::classify(&*e));
        let err = &v["error"];
        assert_eq!(err["type"], "usage");
        assert_eq!(err["outcome"], "not_sent");
        assert!(err["code"].is_null() && err["status"].is_null());
        assert!(err.get("request_id").is_none());
        let text = v.to_string();
        assert!(!text.contains("SECRETSECRET1"), "{text}");

        let v = usage_error_json(
            "error: unexpected argument 'sk_test_SECRET12345' found\n\nUsage: pingpp\n",
        );
        assert_eq!(v["error"]["type"], "usage");
        let text = v.to_string();
        assert!(text.contains("unexpected argument"), "{text}");
        assert!(!text.contains("SECRET12345"), "{text}");
        assert!(!text.contains("Usage:"), "{text}");
    }

    #[test]
    fn causes_already_quoted_are_not_repeated() {
        #[derive(Debug, thiserror::Error)]
        #[error("outer: inner")]
        struct Outer(#[source] std::io::Error);
        let e: BoxError = Box::new(Outer(std::io::Error::other("inner")));
        assert_eq!(chain(&e), vec!["outer: inner".to_owned()]);
    }
}
