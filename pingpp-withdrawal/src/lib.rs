//! Ping++ balance withdrawals, batch withdrawals and settle accounts
//! ([`WithdrawalsExt::settle_accounts`]: a user's saved payout destinations).
//!
//! Bring [`WithdrawalsExt`] into scope and call the resources on a
//! [`Client`]:
//!
//! ```no_run
//! # async fn demo() -> Result<(), pingpp_transport::Error> {
//! use pingpp_transport::Client;
//! use pingpp_types::{ChannelExtra, CreateWithdrawal, WxExtra};
//! use pingpp_withdrawal::WithdrawalsExt;
//!
//! let client = Client::from_env()?;
//! let params = CreateWithdrawal::new(
//!     "user_001",
//!     20_000, // fen
//!     "2026113000001",
//!     ChannelExtra::Wx(WxExtra::new("o9zpMs9jIaLynQY9N6yxcZ")),
//! );
//! let created = client.withdrawals().create(&params).await?;
//! let confirmed = client.withdrawals().confirm(&created.id).await?;
//! println!("{} is {:?}", confirmed.id, confirmed.status);
//! # Ok(()) }
//! ```
//!
//! Creating, confirming and cancelling move money: they are never retried once the
//! request may have reached the server. When one fails with
//! [`Error::may_have_been_sent`](pingpp_transport::Error::may_have_been_sent) `== true`,
//! look the withdrawal up (e.g. [`Withdrawals::list`] filtered by user) before
//! trying again with the same `order_no`.
#![forbid(unsafe_code)]

mod settle_account;
pub use settle_account::SettleAccounts;

use futures_core::Stream;
use pingpp_transport::{Client, Error, require_id};
use pingpp_types::{
    BatchWithdrawal, BatchWithdrawalListParams, CreateBatchWithdrawal, CreateWithdrawal, List,
    UpdateWithdrawal, Validate, Withdrawal, WithdrawalListParams,
};

/// Adds the withdrawal resources to [`Client`].
pub trait WithdrawalsExt {
    /// Balance withdrawals (`/v1/apps/{app}/withdrawals`).
    fn withdrawals(&self) -> Withdrawals<'_>;
    /// Batch confirmation or cancellation of withdrawals
    /// (`/v1/apps/{app}/batch_withdrawals`).
    fn batch_withdrawals(&self) -> BatchWithdrawals<'_>;
    /// The settle accounts of `user` (`/v1/apps/{app}/users/{user}/settle_accounts`).
    fn settle_accounts(&self, user: &str) -> SettleAccounts<'_>;
}

impl WithdrawalsExt for Client {
    fn withdrawals(&self) -> Withdrawals<'_> {
        Withdrawals { client: self }
    }

    fn batch_withdrawals(&self) -> BatchWithdrawals<'_> {
        BatchWithdrawals { client: self }
    }

    fn settle_accounts(&self, user: &str) -> SettleAccounts<'_> {
        SettleAccounts::new(self, user)
    }
}

/// Balance withdrawals of the client's app. Get one with [`WithdrawalsExt::withdrawals`].
#[derive(Debug, Clone, Copy)]
pub struct Withdrawals<'a> {
    client: &'a Client,
}

impl Withdrawals<'_> {
    /// Creates a withdrawal (status `created`): the amount is debited from the user's
    /// balance at once, and the payout starts only when it is confirmed.
    /// `POST /v1/apps/{app}/withdrawals`. The parameters are validated first.
    pub async fn create(&self, params: &CreateWithdrawal) -> Result<Withdrawal, Error> {
        params.validate()?;
        let path = self.client.app_path(&["withdrawals"])?;
        self.client.post(&path, params).await
    }

    /// Retrieves a withdrawal. `GET /v1/apps/{app}/withdrawals/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<Withdrawal, Error> {
        require_id("withdrawal_id", id)?;
        let path = self.client.app_path(&["withdrawals", id])?;
        self.client.get(&path, &()).await
    }

    /// Lists one page of withdrawals, optionally filtered by status, channel and user.
    /// `GET /v1/apps/{app}/withdrawals`.
    pub async fn list(&self, params: &WithdrawalListParams) -> Result<List<Withdrawal>, Error> {
        params.validate()?;
        let path = self.client.app_path(&["withdrawals"])?;
        self.client.get(&path, params).await
    }

    /// Every withdrawal matching `params`, page after page from `params.page` (default
    /// 1), until a page says `has_more: false` or comes back empty. The stream ends
    /// after yielding an error.
    ///
    /// ```no_run
    /// # async fn demo(client: pingpp_transport::Client) -> Result<(), pingpp_transport::Error> {
    /// use futures_util::StreamExt;
    /// use pingpp_types::{WithdrawalListParams, WithdrawalStatus};
    /// use pingpp_withdrawal::WithdrawalsExt;
    ///
    /// let params = WithdrawalListParams::new().status(WithdrawalStatus::Created).per_page(100);
    /// let mut all = std::pin::pin!(client.withdrawals().list_all(params));
    /// while let Some(w) = all.next().await {
    ///     let w = w?;
    ///     println!("{} {}", w.id, w.amount);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_all(
        &self,
        params: WithdrawalListParams,
    ) -> impl Stream<Item = Result<Withdrawal, Error>> + Send + 'static {
        let first = params.page.unwrap_or(1);
        self.client.paginate(first, move |client, page| {
            let params = WithdrawalListParams {
                page: Some(page),
                ..params.clone()
            };
            Box::pin(async move { client.withdrawals().list(&params).await })
        })
    }

    /// Confirms a created withdrawal (status becomes `pending`): this moves money.
    /// `PUT /v1/apps/{app}/withdrawals/{id}` with `{"status":"pending"}`.
    pub async fn confirm(&self, id: &str) -> Result<Withdrawal, Error> {
        self.update(id, &UpdateWithdrawal::confirm()).await
    }

    /// Cancels a created withdrawal (status becomes `canceled`).
    /// `PUT /v1/apps/{app}/withdrawals/{id}` with `{"status":"canceled"}`.
    pub async fn cancel(&self, id: &str) -> Result<Withdrawal, Error> {
        self.update(id, &UpdateWithdrawal::cancel()).await
    }

    /// Confirms or cancels, as `params` says. `PUT /v1/apps/{app}/withdrawals/{id}`.
    pub async fn update(&self, id: &str, params: &UpdateWithdrawal) -> Result<Withdrawal, Error> {
        require_id("withdrawal_id", id)?;
        params.validate()?;
        let path = self.client.app_path(&["withdrawals", id])?;
        self.client.put(&path, params).await
    }
}

/// Batch withdrawals of the client's app. Get one with
/// [`WithdrawalsExt::batch_withdrawals`].
#[derive(Debug, Clone, Copy)]
pub struct BatchWithdrawals<'a> {
    client: &'a Client,
}

impl BatchWithdrawals<'_> {
    /// Confirms or cancels up to 200 created withdrawals at once.
    /// `POST /v1/apps/{app}/batch_withdrawals`. The parameters are validated first.
    ///
    /// ```no_run
    /// # async fn demo(client: pingpp_transport::Client) -> Result<(), pingpp_transport::Error> {
    /// use pingpp_types::CreateBatchWithdrawal;
    /// use pingpp_withdrawal::WithdrawalsExt;
    ///
    /// let batch = client
    ///     .batch_withdrawals()
    ///     .create(&CreateBatchWithdrawal::confirm(["1701611150302360654", "1701611150302360655"]))
    ///     .await?;
    /// println!("batch {} is {:?}", batch.id, batch.status);
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, params: &CreateBatchWithdrawal) -> Result<BatchWithdrawal, Error> {
        params.validate()?;
        let path = self.client.app_path(&["batch_withdrawals"])?;
        self.client.post(&path, params).await
    }

    /// Retrieves a batch. `GET /v1/apps/{app}/batch_withdrawals/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<BatchWithdrawal, Error> {
        require_id("batch_withdrawal_id", id)?;
        let path = self.client.app_path(&["batch_withdrawals", id])?;
        self.client.get(&path, &()).await
    }

    /// Lists one page of batches. `GET /v1/apps/{app}/batch_withdrawals`.
    pub async fn list(
        &self,
        params: &BatchWithdrawalListParams,
    ) -> Result<List<BatchWithdrawal>, Error> {
        params.validate()?;
        let path = self.client.app_path(&["batch_withdrawals"])?;
        self.client.get(&path, params).await
    }

    /// Every batch matching `params`, page after page; see [`Withdrawals::list_all`].
    pub fn list_all(
        &self,
        params: BatchWithdrawalListParams,
    ) -> impl Stream<Item = Result<BatchWithdrawal, Error>> + Send + 'static {
        let first = params.page.unwrap_or(1);
        self.client.paginate(first, move |client, page| {
            let params = BatchWithdrawalListParams {
                page: Some(page),
                ..params.clone()
            };
            Box::pin(async move { client.batch_withdrawals().list(&params).await })
        })
    }
}
