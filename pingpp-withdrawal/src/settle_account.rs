//! Settle accounts: a user's saved payout destinations
//! (`/v1/apps/{app}/users/{user}/settle_accounts`), so that a withdrawal can name one
//! with [`CreateWithdrawal::to_settle_account`](pingpp_types::CreateWithdrawal::to_settle_account)
//! instead of giving a channel and its extra each time.

use futures_core::Stream;
use pingpp_transport::{Client, Error, require_id};
use pingpp_types::{CreateSettleAccount, Deleted, List, ListParams, SettleAccount, Validate};

/// The settle accounts of one user. Get one with
/// [`WithdrawalsExt::settle_accounts`](crate::WithdrawalsExt::settle_accounts).
///
/// ```no_run
/// # async fn demo(client: pingpp_transport::Client) -> Result<(), pingpp_transport::Error> {
/// use pingpp_types::{AlipayRecipient, CreateSettleAccount, CreateWithdrawal, RecipientType};
/// use pingpp_withdrawal::WithdrawalsExt;
///
/// let account = client
///     .settle_accounts("user_001")
///     .create(&CreateSettleAccount::Alipay(
///         AlipayRecipient::new("zhangsan@example.com", "张三").kind(RecipientType::B2c),
///     ))
///     .await?;
/// // Later: pay the user out to it.
/// let params = CreateWithdrawal::to_settle_account("user_001", 5_000, "2026113000002", &account.id);
/// let withdrawal = client.withdrawals().create(&params).await?;
/// println!("{} -> {:?}", withdrawal.id, withdrawal.status);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SettleAccounts<'a> {
    client: &'a Client,
    user: String,
}

impl<'a> SettleAccounts<'a> {
    pub(crate) fn new(client: &'a Client, user: &str) -> Self {
        Self {
            client,
            user: user.to_owned(),
        }
    }

    fn path(&self, id: Option<&str>) -> Result<String, Error> {
        require_id("user", &self.user)?;
        match id {
            None => self
                .client
                .app_path(&["users", &self.user, "settle_accounts"]),
            Some(id) => {
                require_id("settle_account_id", id)?;
                self.client
                    .app_path(&["users", &self.user, "settle_accounts", id])
            }
        }
    }

    /// Creates a settle account for the user.
    /// `POST /v1/apps/{app}/users/{user}/settle_accounts`. The parameters are validated
    /// first.
    pub async fn create(&self, params: &CreateSettleAccount) -> Result<SettleAccount, Error> {
        params.validate()?;
        let path = self.path(None)?;
        self.client.post(&path, params).await
    }

    /// Retrieves one of the user's settle accounts.
    /// `GET /v1/apps/{app}/users/{user}/settle_accounts/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<SettleAccount, Error> {
        let path = self.path(Some(id))?;
        self.client.get(&path, &()).await
    }

    /// Lists one page of the user's settle accounts.
    /// `GET /v1/apps/{app}/users/{user}/settle_accounts`.
    pub async fn list(&self, params: &ListParams) -> Result<List<SettleAccount>, Error> {
        params.validate()?;
        let path = self.path(None)?;
        self.client.get(&path, params).await
    }

    /// Every settle account of the user, page after page from `params.page` (default 1),
    /// until a page says `has_more: false` or comes back empty. The stream ends after
    /// yielding an error.
    pub fn list_all(
        &self,
        params: ListParams,
    ) -> impl Stream<Item = Result<SettleAccount, Error>> + Send + 'static {
        let first = params.page.unwrap_or(1);
        let user = self.user.clone();
        self.client.paginate(first, move |client, page| {
            let params = params.clone().page(page);
            let user = user.clone();
            Box::pin(async move { SettleAccounts::new(&client, &user).list(&params).await })
        })
    }

    /// Deletes one of the user's settle accounts; a withdrawal can no longer name it.
    /// `DELETE /v1/apps/{app}/users/{user}/settle_accounts/{id}`, answered with
    /// `{"id": ..., "deleted": true}`.
    pub async fn delete(&self, id: &str) -> Result<Deleted, Error> {
        let path = self.path(Some(id))?;
        self.client.delete(&path).await
    }
}
