//! Events: read back what a webhook carried (`GET /v1/events/{id}`), e.g. to reconcile
//! after downtime or to re-check a notification before acting on it.

use pingpp_transport::{Client, Error, encode_path_segment, require_id};
use pingpp_types::Event;

/// Adds [`Events`] to [`Client`].
pub trait EventsExt {
    /// Events of the account (`/v1/events`; not scoped to the app).
    fn events(&self) -> Events<'_>;
}

impl EventsExt for Client {
    fn events(&self) -> Events<'_> {
        Events { client: self }
    }
}

/// Events. Get one with [`EventsExt::events`].
#[derive(Debug, Clone, Copy)]
pub struct Events<'a> {
    client: &'a Client,
}

impl Events<'_> {
    /// Retrieves an event by id (`evt_...`). `GET /v1/events/{id}`.
    ///
    /// ```no_run
    /// use pingpp::prelude::*;
    /// # async fn demo(client: Client) -> Result<(), Error> {
    /// let event = client.events().retrieve("evt_401161130175010015520703").await?;
    /// println!("{} {}", event.event_type(), event.pending_webhooks.unwrap_or(0));
    /// # Ok(()) }
    /// ```
    pub async fn retrieve(&self, id: &str) -> Result<Event, Error> {
        require_id("event_id", id)?;
        let path = format!("/v1/events/{}", encode_path_segment(id)?);
        self.client.get(&path, &()).await
    }
}
