//! Exit statuses: the one place that decides them.
//!
//! Today: 0 success; 1 any failure; 2 a usage error (clap's own, or a [`UsageError`]
//! found after parsing). The finer table (1 refused, 3 outcome unknown, 4 configuration)
//! will be filled in here from the SDK's error classification, nowhere else.

use std::process::ExitCode;

use crate::BoxError;

/// Status of a usage error, as clap uses for its own.
const USAGE: u8 = 2;

/// A usage error found after the arguments were parsed (arguments that contradict each
/// other or a file that does not fit): exit status 2, like clap's own.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UsageError(pub(crate) String);

/// The exit status for an error that ended a command.
pub(crate) fn for_error(error: &BoxError) -> ExitCode {
    if error.is::<UsageError>() {
        ExitCode::from(USAGE)
    } else {
        ExitCode::FAILURE
    }
}

/// `webhook trigger`: the receiver never answered 2xx.
pub(crate) fn webhook_not_accepted() -> ExitCode {
    ExitCode::FAILURE
}

/// `webhook verify`: the signature does not match (kept at 1 for scripts).
pub(crate) fn signature_invalid() -> ExitCode {
    ExitCode::FAILURE
}
