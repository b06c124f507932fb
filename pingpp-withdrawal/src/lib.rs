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
//! Creating, confirming and cancelling move money: the client sends them again only when
//! they provably did nothing (the connection could not be made, or the server refused
//! them with 408/429), never after an unknown outcome. When a create fails, ask
//! [`Error::outcome`](pingpp_transport::Error::outcome): `NotSent` and `Rejected` mean
//! nothing was created; `Unknown` means it may exist — look it up with
//! [`Withdrawals::find_by_order_no`], or let [`Withdrawals::create_or_find`] do the
//! whole recovery.
#![forbid(unsafe_code)]

mod settle_account;
pub use settle_account::SettleAccounts;

use futures_core::Stream;
use pingpp_transport::{
    Client, Error, ErrorCode, FieldDifference, OrderNoConflict, Outcome, require_id,
};
use pingpp_types::{
    BatchWithdrawal, BatchWithdrawalListParams, CreateBatchWithdrawal, CreateWithdrawal, List,
    MAX_PER_PAGE, UpdateWithdrawal, Validate, Withdrawal, WithdrawalDestination,
    WithdrawalListParams,
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

    /// The withdrawal of `user` whose `order_no` is `order_no`, if there is one.
    ///
    /// Uses only documented list filters: the withdrawal list is filtered by `user` and
    /// scanned page by page (100 per page) until the order number is found; `order_no`
    /// is not a documented filter. The cost is one request per 100 of the user's
    /// withdrawals older than the one sought (the list is newest first, so a withdrawal
    /// just created is on the first page), and every page when there is none.
    ///
    /// ```no_run
    /// # async fn demo(client: pingpp_transport::Client) -> Result<(), pingpp_transport::Error> {
    /// use pingpp_withdrawal::WithdrawalsExt;
    ///
    /// match client.withdrawals().find_by_order_no("user_001", "2026113000001").await? {
    ///     Some(w) => println!("it exists: {} is {}", w.id, w.status),
    ///     None => println!("it was never created"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn find_by_order_no(
        &self,
        user: &str,
        order_no: &str,
    ) -> Result<Option<Withdrawal>, Error> {
        require_id("user", user)?;
        require_id("order_no", order_no)?;
        let params = WithdrawalListParams::new()
            .user(user)
            .per_page(MAX_PER_PAGE);
        let mut all = std::pin::pin!(self.list_all(params));
        while let Some(w) = std::future::poll_fn(|cx| all.as_mut().poll_next(cx)).await {
            let w = w?;
            // Trust the documented filter, but never take another user's withdrawal.
            if w.order_no.as_deref() == Some(order_no)
                && w.user.as_deref().is_none_or(|u| u == user)
            {
                return Ok(Some(w));
            }
        }
        Ok(None)
    }

    /// Creates a withdrawal, or returns the one this very request already created: the
    /// safe way to pay out when the network may fail.
    ///
    /// The parameters are validated first. When a create ends with an
    /// [`Outcome::Unknown`] (connection cut or timeout after sending, 5xx), it is sent
    /// again with the same `order_no` — at most the client's
    /// [`max_attempts`](pingpp_transport::RetryPolicy::max_attempts) times, waiting the
    /// retry policy's backoff — which cannot pay twice: the server refuses a used
    /// `order_no`. When the server answers `order_no_used` (now or on the first try, e.g.
    /// after a crash), the withdrawal is looked up with
    /// [`find_by_order_no`](Self::find_by_order_no) and returned if it is the same
    /// request — same user, amount, channel or settle account, and user fee — else the
    /// call fails with [`Error::OrderNoConflict`] saying what differs. A refusal that
    /// follows an unknown attempt (e.g. `balance_insufficient` because the first attempt
    /// did debit the balance) is checked the same way before it is returned.
    ///
    /// Errors keep their outcome: `NotSent`/`Rejected` mean no withdrawal exists for
    /// this `order_no` from this call; `Unknown` (including
    /// [`Error::RecoveryFailed`]) means look again later.
    ///
    /// ```no_run
    /// # async fn demo(client: pingpp_transport::Client) -> Result<(), pingpp_transport::Error> {
    /// use pingpp_types::{ChannelExtra, CreateWithdrawal, WxExtra};
    /// use pingpp_withdrawal::WithdrawalsExt;
    ///
    /// let params = CreateWithdrawal::new(
    ///     "user_001",
    ///     20_000,
    ///     "2026113000001",
    ///     ChannelExtra::Wx(WxExtra::new("o9zpMs9jIaLynQY9N6yxcZ")),
    /// );
    /// // Safe to call again after a crash: it returns the same withdrawal.
    /// let w = client.withdrawals().create_or_find(&params).await?;
    /// client.withdrawals().confirm(&w.id).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_or_find(&self, params: &CreateWithdrawal) -> Result<Withdrawal, Error> {
        params.validate()?;
        let max_attempts = self.client.retry_policy().max_attempts.max(1);
        let mut unknown_before = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let error = match self.create(params).await {
                Ok(w) => return Ok(w),
                Err(e) => e,
            };
            if error.code() == Some(&ErrorCode::OrderNoUsed) {
                tracing::info!(order_no = %params.order_no, attempt, "order_no already used; looking the withdrawal up");
                return self.find_same(params, unknown_before, error).await;
            }
            match error.outcome() {
                Outcome::Unknown if attempt < max_attempts => {
                    tracing::warn!(order_no = %params.order_no, attempt, error = %error, "withdrawal create may have taken effect; sending it again with the same order_no");
                    unknown_before = true;
                    self.client
                        .wait_before_retry(attempt, error.retry_after())
                        .await;
                }
                Outcome::Unknown => {
                    // No attempts left: it may exist; look before giving up.
                    return match self.find_by_order_no(&params.user, &params.order_no).await {
                        Ok(Some(w)) => check_same(params, w),
                        Ok(None) | Err(_) => Err(error),
                    };
                }
                _ if unknown_before => {
                    // An earlier attempt may have been done, and this refusal may be
                    // because of it: look before saying nothing was done.
                    return self.find_same(params, true, error).await;
                }
                _ => return Err(error),
            }
        }
    }

    /// After `order_no_used`, or a refusal that followed an unknown attempt: the
    /// withdrawal under the order number, if it is the one `params` asks for.
    async fn find_same(
        &self,
        params: &CreateWithdrawal,
        unknown_before: bool,
        refusal: Error,
    ) -> Result<Withdrawal, Error> {
        let order_no_used = refusal.code() == Some(&ErrorCode::OrderNoUsed);
        // One more look after a pause when our own attempt may just have been written.
        let looks = if unknown_before && order_no_used {
            2
        } else {
            1
        };
        for look in 1..=looks {
            match self.find_by_order_no(&params.user, &params.order_no).await {
                Ok(Some(w)) => return check_same(params, w),
                Ok(None) if look < looks => self.client.wait_before_retry(look, None).await,
                Ok(None) if order_no_used => {
                    return Err(OrderNoConflict::new(
                        "withdrawal",
                        params.order_no.clone(),
                        None,
                        Vec::new(),
                    )
                    .into());
                }
                Ok(None) => return Err(refusal),
                Err(lookup) => {
                    return Err(Error::RecoveryFailed {
                        resource: "withdrawal",
                        order_no: params.order_no.clone(),
                        source: Box::new(lookup),
                    });
                }
            }
        }
        Err(refusal)
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

/// `w` if it is the withdrawal `params` asks for, else the conflict.
fn check_same(params: &CreateWithdrawal, w: Withdrawal) -> Result<Withdrawal, Error> {
    let differences = differences(params, &w);
    if differences.is_empty() {
        return Ok(w);
    }
    tracing::warn!(order_no = %params.order_no, id = %w.id, "order_no belongs to a different withdrawal");
    Err(OrderNoConflict::new(
        "withdrawal",
        params.order_no.clone(),
        Some(w.id),
        differences,
    )
    .into())
}

/// How the withdrawal found differs from the request: user, amount, user fee (an unset
/// fee is 0, as the Go SDK sends), channel, settle account. Fields the server left out
/// are not compared.
fn differences(params: &CreateWithdrawal, w: &Withdrawal) -> Vec<FieldDifference> {
    let mut diffs = Vec::new();
    let show = |v: Option<&str>| v.map_or_else(|| "null".to_owned(), str::to_owned);
    if let Some(user) = w.user.as_deref()
        && user != params.user
    {
        diffs.push(FieldDifference::new("user", params.user.clone(), user));
    }
    if w.amount != params.amount {
        diffs.push(FieldDifference::new(
            "amount",
            params.amount.to_string(),
            w.amount.to_string(),
        ));
    }
    let fee = params.user_fee;
    if let Some(found) = w.user_fee
        && found != fee
    {
        diffs.push(FieldDifference::new(
            "user_fee",
            fee.to_string(),
            found.to_string(),
        ));
    }
    if let Some(channel) = params.destination.channel()
        && w.channel.as_ref() != Some(&channel)
    {
        diffs.push(FieldDifference::new(
            "channel",
            channel.to_string(),
            show(w.channel.as_ref().map(|c| c.as_str())),
        ));
    }
    if let WithdrawalDestination::SettleAccount(account) = &params.destination
        && w.settle_account.as_deref().is_some_and(|s| s != account)
    {
        diffs.push(FieldDifference::new(
            "settle_account",
            account.clone(),
            show(w.settle_account.as_deref()),
        ));
    }
    diffs
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
