//! `pingpp events ...`: read back what a webhook carried.

use std::process::ExitCode;

use clap::Subcommand;
use pingpp::EventsExt;

use crate::BoxError;
use crate::args::Api;
use crate::output::Format;

/// `pingpp events ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum EventsCommand {
    /// Retrieve an event (`GET /v1/events/{id}`), e.g. to re-check a webhook before
    /// acting on it.
    Get {
        /// Event id, evt_...
        id: String,
    },
}

pub(crate) async fn run(api: Api<EventsCommand>, format: Format) -> Result<ExitCode, BoxError> {
    let client = api.client.client()?;
    match api.command {
        EventsCommand::Get { id } => format.print(&client.events().retrieve(&id).await?),
    }
}
