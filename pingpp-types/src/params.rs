//! Query parameters of the list endpoints.
//!
//! All are `Serialize` with `None` fields skipped, ready for
//! `serde_urlencoded`; `Deserialize` reads them back from a query string.

use serde::{Deserialize, Serialize};

use crate::enums::{BatchWithdrawalStatus, Channel, WithdrawalStatus};

/// Most objects one page may hold.
pub const MAX_PER_PAGE: u32 = 100;

/// Highest page number (the refund guide's Go sample, seed 000: "页码，取值范围：1~1000000000").
pub const MAX_PAGE: u32 = 1_000_000_000;

/// Paging of recharge, recharge-refund and settle-account lists (`page` 1 to
/// 1,000,000,000, `per_page` 1-100).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListParams {
    /// Page number, 1 to 1,000,000,000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Objects per page, 1-100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
}

impl ListParams {
    /// No paging parameters (server defaults).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the page number.
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// Sets the page size.
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = Some(per_page);
        self
    }
}

/// Query of `GET /v1/apps/{app}/withdrawals`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawalListParams {
    /// Page number, 1 to 1,000,000,000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Objects per page, 1-100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
    /// Only withdrawals with this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<WithdrawalStatus>,
    /// Only withdrawals through this channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// Only withdrawals of this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

impl WithdrawalListParams {
    /// No filters, server paging defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the page number.
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// Sets the page size.
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = Some(per_page);
        self
    }

    /// Filters by status.
    pub fn status(mut self, status: WithdrawalStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Filters by channel.
    pub fn channel(mut self, channel: Channel) -> Self {
        self.channel = Some(channel);
        self
    }

    /// Filters by user.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }
}

/// Query of `GET /v1/apps/{app}/batch_withdrawals`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchWithdrawalListParams {
    /// Page number, 1 to 1,000,000,000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Objects per page, 1-100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
    /// Only batches with this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<BatchWithdrawalStatus>,
}

impl BatchWithdrawalListParams {
    /// No filters, server paging defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the page number.
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// Sets the page size.
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = Some(per_page);
        self
    }

    /// Filters by status.
    pub fn status(mut self, status: BatchWithdrawalStatus) -> Self {
        self.status = Some(status);
        self
    }
}
