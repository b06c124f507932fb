//! Exit statuses and error kinds: the one place that decides them.
//!
//! Every error that ends a command is classified here ([`classify`]): its kind (the
//! stable `type` of `--json` errors), its exit status and, for API calls, its
//! [`Outcome`]. The table a script relies on is [`EXIT_STATUS_HELP`], shown by
//! `pingpp --help` and copied in the README:
//!
//! | status | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | refused, nothing was done ([`Outcome::Rejected`]; a file not replaced; an invalid signature); `demo`: a step did not behave as documented |
//! | 2 | usage (clap's own, [`Kind::Usage`], parameters the SDK refuses before sending) |
//! | 3 | outcome unknown: it may have moved money ([`Outcome::Unknown`]) |
//! | 4 | nothing was sent: configuration, keys, files, or the API could not be reached |
//!
//! The rule for [`Outcome::NotSent`]: validation is a usage error (2); everything else
//! — configuration, signing, a connection that could not be made (refused, DNS, TLS,
//! proxy) — is 4. Status 1 is kept for answers from the server, so a script can tell
//! "the API said no" (1) from "the API was never asked" (4); both mean no money moved.

use std::error::Error as StdError;
use std::process::ExitCode;

use pingpp_transport::{ConfigError, Outcome};

use crate::BoxError;
use crate::args::CredentialsError;
use crate::files::FileError;

/// Refused: the API (or the command) refused; nothing was done.
pub(crate) const REFUSED: u8 = 1;
/// A usage error, as clap uses for its own.
pub(crate) const USAGE: u8 = 2;
/// The outcome is unknown: the request may have taken effect.
pub(crate) const UNKNOWN: u8 = 3;
/// Nothing was sent: configuration, keys, files, or the API could not be reached.
pub(crate) const NOT_SENT: u8 = 4;

/// The exit-status table of `pingpp --help` (and the README's).
pub(crate) const EXIT_STATUS_HELP: &str = "\
Exit status:
  0  success
  1  refused, nothing was done: the API refused the request (HTTP 4xx, an order_no
     already used by a different request); a file exists (no --force) or is a
     symbolic link; webhook verify: invalid signature; webhook trigger: the handler
     answered but never with 2xx; demo: a step did not behave as documented
  2  usage: unknown flag, malformed or contradicting arguments, parameters the SDK
     refuses before sending (e.g. an amount of 0 or a 61-character description)
  3  outcome unknown, money may have moved: the connection was cut or timed out
     after the request was sent, HTTP 5xx, an answer that could not be read. Look it
     up before sending again (withdrawal find / recharge find --user U --order-no N),
     or create withdrawals with --or-find. A read (get, list, find) can simply be
     run again
  4  nothing was sent: missing or invalid credentials, a key or file that cannot be
     read or parsed, the emulator cannot start, or the API (webhook trigger: the
     handler) could not be reached: connection refused, DNS, TLS, proxy

With --json, results are JSON on stdout (list --all: one object per line) and so are
errors: {\"error\": {\"type\", \"message\", \"code\", \"status\", \"outcome\",
\"request_id\" (when known), \"param\" (when known)}}.";

/// What kind of failure ended a command: the `type` of a `--json` error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The API answered with an error object.
    Api,
    /// The connection could not be made, or broke.
    Transport,
    /// No answer in time.
    Timeout,
    /// The answer could not be read (not the expected object, or too large).
    Decode,
    /// The `order_no` belongs to a different request.
    OrderNoConflict,
    /// A create may have taken effect and looking it up failed.
    RecoveryFailed,
    /// Listing stopped: the server made no progress.
    Pagination,
    /// Parameters the SDK refuses before sending.
    Validation,
    /// Arguments that do not fit (after clap's own checks).
    Usage,
    /// Missing or invalid configuration: credentials, base URL, emulator settings.
    Config,
    /// A key that cannot be read, parsed or used.
    Key,
    /// A file the command refuses to write (exists without --force, a symbolic link).
    File,
    /// A file or folder that cannot be read or written.
    Io,
    /// Anything else.
    Internal,
}

impl Kind {
    /// The stable name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Api => "api",
            Kind::Transport => "transport",
            Kind::Timeout => "timeout",
            Kind::Decode => "decode",
            Kind::OrderNoConflict => "order_no_conflict",
            Kind::RecoveryFailed => "recovery_failed",
            Kind::Pagination => "pagination",
            Kind::Validation => "validation",
            Kind::Usage => "usage",
            Kind::Config => "config",
            Kind::Key => "key",
            Kind::File => "file",
            Kind::Io => "io",
            Kind::Internal => "internal",
        }
    }

    /// The exit status of a failure of this kind outside an API call.
    fn status(self) -> u8 {
        match self {
            Kind::Usage | Kind::Validation => USAGE,
            Kind::Config | Kind::Key | Kind::Io => NOT_SENT,
            Kind::File | Kind::Internal => REFUSED,
            // API kinds take their status from the SDK's outcome (see `classify`); a
            // stray one is treated as the worst case.
            Kind::Api
            | Kind::Transport
            | Kind::Timeout
            | Kind::Decode
            | Kind::OrderNoConflict
            | Kind::RecoveryFailed
            | Kind::Pagination => UNKNOWN,
        }
    }

    /// The outcome of a failure of this kind outside an API call: nothing was sent
    /// for usage and setup problems, no API outcome otherwise.
    fn outcome(self) -> Option<Outcome> {
        matches!(
            self,
            Kind::Usage | Kind::Validation | Kind::Config | Kind::Key
        )
        .then_some(Outcome::NotSent)
    }
}

/// An error of the command line itself, with its kind. Never wraps an SDK error (those
/// are returned as they are, so their outcome is kept).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub(crate) struct CliError {
    kind: Kind,
    message: String,
    #[source]
    source: Option<BoxError>,
}

impl CliError {
    /// An error of `kind`.
    pub(crate) fn new(kind: Kind, message: impl Into<String>) -> Self {
        CliError {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// Arguments that do not fit: exit status 2.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    /// A key that cannot be read, parsed or used: exit status 4.
    pub(crate) fn key(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Key, message).with_source(source)
    }

    /// A file that cannot be read: exit status 4.
    pub(crate) fn io(message: impl Into<String>, source: std::io::Error) -> Self {
        Self::new(Kind::Io, message).with_source(source)
    }

    /// Keeps `source` as the cause.
    pub(crate) fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }
}

/// A classified failure.
#[derive(Debug)]
pub(crate) struct Failure<'a> {
    /// Its kind.
    pub(crate) kind: Kind,
    /// The exit status.
    pub(crate) status: u8,
    /// What it means for the operation, when there was (or would have been) one.
    pub(crate) outcome: Option<Outcome>,
    /// The SDK error, when the failure is one: code, HTTP status, request id, param.
    pub(crate) sdk: Option<&'a pingpp_transport::Error>,
}

/// The kind and exit status of an SDK error: by its [`Outcome`], with validation a
/// usage error and every other `NotSent` a setup problem.
fn classify_sdk(e: &pingpp_transport::Error) -> Failure<'_> {
    use pingpp_transport::Error as E;
    let kind = match e {
        E::Api(_) => Kind::Api,
        E::Transport(_) => Kind::Transport,
        E::Timeout { .. } => Kind::Timeout,
        E::Decode { .. } | E::ResponseTooLarge { .. } => Kind::Decode,
        E::Config(_) => Kind::Config,
        E::Signing(_) => Kind::Key,
        E::Validation(_) | E::Request { .. } => Kind::Validation,
        E::Pagination { .. } => Kind::Pagination,
        E::OrderNoConflict(_) => Kind::OrderNoConflict,
        E::RecoveryFailed { .. } => Kind::RecoveryFailed,
        _ => Kind::Internal,
    };
    let outcome = e.outcome();
    let status = match outcome {
        Outcome::NotSent if kind == Kind::Validation => USAGE,
        Outcome::NotSent => NOT_SENT,
        Outcome::Rejected => REFUSED,
        // Unknown, and any outcome a later SDK adds: it may have taken effect.
        _ => UNKNOWN,
    };
    Failure {
        kind,
        status,
        outcome: Some(outcome),
        sdk: Some(e),
    }
}

/// The kind of an error of another crate or of the command line, if it is one we know.
fn known_kind(e: &(dyn StdError + 'static)) -> Option<Kind> {
    if let Some(e) = e.downcast_ref::<CliError>() {
        Some(e.kind)
    } else if let Some(e) = e.downcast_ref::<FileError>() {
        Some(match e {
            FileError::Io { .. } => Kind::Io,
            _ => Kind::File,
        })
    } else if e.is::<CredentialsError>()
        || e.is::<ConfigError>()
        || e.is::<pingpp_mock::MockError>()
    {
        Some(Kind::Config)
    } else if e.is::<pingpp_sign::KeyError>()
        || e.is::<pingpp_sign::SignError>()
        || e.is::<pingpp_webhook::WebhookError>()
    {
        Some(Kind::Key)
    } else {
        None
    }
}

/// Classifies the error that ended a command: the first error of the chain (from the
/// top) that is an SDK error or of a known kind decides; an unknown chain is
/// [`Kind::Internal`].
pub(crate) fn classify<'a>(error: &'a (dyn StdError + 'static)) -> Failure<'a> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(sdk) = e.downcast_ref::<pingpp_transport::Error>() {
            return classify_sdk(sdk);
        }
        if let Some(kind) = known_kind(e) {
            return Failure {
                kind,
                status: kind.status(),
                outcome: kind.outcome(),
                sdk: None,
            };
        }
        current = e.source();
    }
    Failure {
        kind: Kind::Internal,
        status: Kind::Internal.status(),
        outcome: None,
        sdk: None,
    }
}

/// `webhook trigger`: the handler answered, but never with 2xx.
pub(crate) fn webhook_not_accepted() -> ExitCode {
    ExitCode::from(REFUSED)
}

/// `webhook trigger`: the handler could not be reached at all (every attempt failed
/// to connect): nothing was delivered.
pub(crate) fn webhook_unreachable() -> ExitCode {
    ExitCode::from(NOT_SENT)
}

/// `demo`: a step did not behave as documented (the demo ran; its report says which).
pub(crate) fn demo_deviated() -> ExitCode {
    ExitCode::from(REFUSED)
}

/// `webhook verify`: the signature does not match (kept at 1 for scripts).
pub(crate) fn signature_invalid() -> ExitCode {
    ExitCode::from(REFUSED)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pingpp_transport::TransportError;
    use pingpp_types::Validate as _;

    fn sdk_status(e: pingpp_transport::Error) -> (Kind, u8, Option<Outcome>) {
        let boxed: BoxError = Box::new(e);
        let f = classify(&*boxed);
        (f.kind, f.status, f.outcome)
    }

    #[test]
    fn sdk_errors_follow_their_outcome() {
        let connect = pingpp_transport::Error::Transport(TransportError::connect("refused"));
        assert_eq!(
            sdk_status(connect),
            (Kind::Transport, NOT_SENT, Some(Outcome::NotSent))
        );
        let cut = pingpp_transport::Error::Transport(TransportError::io("cut"));
        assert_eq!(
            sdk_status(cut),
            (Kind::Transport, UNKNOWN, Some(Outcome::Unknown))
        );
        let timeout = pingpp_transport::Error::Timeout {
            timeout: std::time::Duration::from_secs(1),
            method: "PUT".parse().expect("method"),
        };
        assert_eq!(sdk_status(timeout).1, UNKNOWN);
        let invalid: pingpp_transport::Error = pingpp_types::ListParams::new()
            .per_page(1000)
            .validate()
            .expect_err("too many per page")
            .into();
        assert_eq!(
            sdk_status(invalid),
            (Kind::Validation, USAGE, Some(Outcome::NotSent))
        );
        let missing = pingpp_transport::Error::Config(ConfigError::Missing {
            name: "PINGPP_API_KEY",
            hint: "",
        });
        assert_eq!(sdk_status(missing).1, NOT_SENT);
        let conflict: pingpp_transport::Error =
            pingpp_transport::OrderNoConflict::new("withdrawal", "1", None, Vec::new()).into();
        assert_eq!(
            sdk_status(conflict),
            (Kind::OrderNoConflict, REFUSED, Some(Outcome::Rejected))
        );
    }

    #[test]
    fn command_line_errors_have_their_own_status() {
        let cases: [(BoxError, Kind, u8); 5] = [
            (CliError::usage("x").into(), Kind::Usage, USAGE),
            (CliError::key("x", "bad pem").into(), Kind::Key, NOT_SENT),
            (
                FileError::Exists { path: "a".into() }.into(),
                Kind::File,
                REFUSED,
            ),
            (
                FileError::Io {
                    path: "a".into(),
                    source: std::io::Error::other("disk full"),
                }
                .into(),
                Kind::Io,
                NOT_SENT,
            ),
            ("something else".into(), Kind::Internal, REFUSED),
        ];
        for (e, kind, status) in cases {
            let f = classify(&*e);
            assert_eq!((f.kind, f.status), (kind, status), "{e}");
        }
    }

    #[test]
    fn a_known_error_deep_in_the_chain_decides() {
        #[derive(Debug, thiserror::Error)]
        #[error("wrapper")]
        struct Wrapper(#[source] pingpp_transport::Error);
        let cut = pingpp_transport::Error::Transport(TransportError::io("cut"));
        let e: BoxError = Box::new(Wrapper(cut));
        assert_eq!(classify(&*e).status, UNKNOWN);
    }
}
