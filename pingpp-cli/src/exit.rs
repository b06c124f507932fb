//! Exit statuses: the one place that decides them.
//!
//! Today: 0 success; 1 any failure; 2 a usage error (clap's own). The finer table
//! (1 refused, 3 outcome unknown, 4 configuration) will be filled in here from the SDK's
//! error classification, nowhere else.

use std::process::ExitCode;

use crate::BoxError;

/// The exit status for an error that ended a command.
pub(crate) fn for_error(_error: &BoxError) -> ExitCode {
    ExitCode::FAILURE
}

/// `webhook verify`: the signature does not match (kept at 1 for scripts).
pub(crate) fn signature_invalid() -> ExitCode {
    ExitCode::FAILURE
}
