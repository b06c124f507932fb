//! Ping++ balance recharges and recharge refunds.
//!
//! Bring [`RechargesExt`] into scope and call the resources on a
//! [`Client`]:
//!
//! ```no_run
//! # async fn demo() -> Result<(), pingpp_transport::Error> {
//! use pingpp_recharge::RechargesExt;
//! use pingpp_transport::Client;
//! use pingpp_types::CreateRechargeRefund;
//!
//! let client = Client::from_env()?;
//! let refund = client
//!     .recharge_refunds()
//!     .create("220161130175010015520701", &CreateRechargeRefund::new("用户申请退款"))
//!     .await?;
//! // A failed refund fails synchronously: check `failure_msg`.
//! println!("{} {:?} {:?}", refund.id, refund.status, refund.failure_msg);
//! # Ok(()) }
//! ```
//!
//! Creating a refund or a recharge moves money: the client sends it again only when it
//! provably did nothing (no connection, or refused with 408/429), never after an
//! unknown outcome. When one fails, ask
//! [`Error::outcome`](pingpp_transport::Error::outcome): `NotSent` and `Rejected` mean
//! nothing was done; `Unknown` means it may have been — look the recharge up with
//! [`Recharges::find_by_order_no`] (or list the recharge's refunds) before trying again.
#![forbid(unsafe_code)]

use futures_core::Stream;
use pingpp_transport::{Client, Error, require_id};
use pingpp_types::{
    CreateRecharge, CreateRechargeRefund, List, ListParams, MAX_PER_PAGE, Recharge, Refund,
    Validate,
};

/// Adds the recharge resources to [`Client`].
pub trait RechargesExt {
    /// Balance recharges (`/v1/apps/{app}/recharges`).
    fn recharges(&self) -> Recharges<'_>;
    /// Refunds of balance recharges (`/v1/apps/{app}/recharges/{id}/refunds`).
    fn recharge_refunds(&self) -> RechargeRefunds<'_>;
}

impl RechargesExt for Client {
    fn recharges(&self) -> Recharges<'_> {
        Recharges { client: self }
    }

    fn recharge_refunds(&self) -> RechargeRefunds<'_> {
        RechargeRefunds { client: self }
    }
}

/// Balance recharges of the client's app. Get one with [`RechargesExt::recharges`].
#[derive(Debug, Clone, Copy)]
pub struct Recharges<'a> {
    client: &'a Client,
}

impl Recharges<'_> {
    /// Creates a recharge (and its charge). `POST /v1/apps/{app}/recharges`.
    /// The parameters are validated first.
    pub async fn create(&self, params: &CreateRecharge) -> Result<Recharge, Error> {
        params.validate()?;
        let path = self.client.app_path(&["recharges"])?;
        self.client.post(&path, params).await
    }

    /// Retrieves a recharge. `GET /v1/apps/{app}/recharges/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<Recharge, Error> {
        require_id("recharge_id", id)?;
        let path = self.client.app_path(&["recharges", id])?;
        self.client.get(&path, &()).await
    }

    /// Lists one page of recharges. `GET /v1/apps/{app}/recharges`.
    pub async fn list(&self, params: &ListParams) -> Result<List<Recharge>, Error> {
        params.validate()?;
        let path = self.client.app_path(&["recharges"])?;
        self.client.get(&path, params).await
    }

    /// Every recharge, page after page from `params.page` (default 1), until a page
    /// says `has_more: false` or comes back empty. The stream ends after an error.
    pub fn list_all(
        &self,
        params: ListParams,
    ) -> impl Stream<Item = Result<Recharge, Error>> + Send + 'static {
        let first = params.page.unwrap_or(1);
        self.client.paginate(first, move |client, page| {
            let params = ListParams {
                page: Some(page),
                ..params.clone()
            };
            Box::pin(async move { client.recharges().list(&params).await })
        })
    }
}

impl Recharges<'_> {
    /// The recharge of `user` whose charge has `order_no` (`charge.order_no`, the order
    /// number given at create), if there is one.
    ///
    /// The recharge list has no documented filter but paging, so every recharge of the
    /// app is scanned, 100 per page, until the order number is found: one request per
    /// 100 recharges newer than the one sought (the list is newest first), and every page
    /// when there is none.
    ///
    /// ```no_run
    /// # async fn demo(client: pingpp_transport::Client) -> Result<(), pingpp_transport::Error> {
    /// use pingpp_recharge::RechargesExt;
    ///
    /// if let Some(r) = client.recharges().find_by_order_no("user_001", "201611301750").await? {
    ///     println!("recharge {} succeeded: {}", r.id, r.succeeded);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn find_by_order_no(
        &self,
        user: &str,
        order_no: &str,
    ) -> Result<Option<Recharge>, Error> {
        require_id("user", user)?;
        require_id("order_no", order_no)?;
        let mut all = std::pin::pin!(self.list_all(ListParams::new().per_page(MAX_PER_PAGE)));
        while let Some(r) = std::future::poll_fn(|cx| all.as_mut().poll_next(cx)).await {
            let r = r?;
            let charge_order_no = r
                .charge
                .as_ref()
                .and_then(|c| c.get("order_no"))
                .and_then(|v| v.as_str());
            if charge_order_no == Some(order_no) && r.user.as_deref() == Some(user) {
                return Ok(Some(r));
            }
        }
        Ok(None)
    }
}

/// Refunds of balance recharges. Get one with [`RechargesExt::recharge_refunds`].
///
/// A recharge refund refunds the whole recharge.
#[derive(Debug, Clone, Copy)]
pub struct RechargeRefunds<'a> {
    client: &'a Client,
}

impl RechargeRefunds<'_> {
    /// Refunds a recharge. `POST /v1/apps/{app}/recharges/{recharge_id}/refunds`.
    /// The parameters are validated first.
    pub async fn create(
        &self,
        recharge_id: &str,
        params: &CreateRechargeRefund,
    ) -> Result<Refund, Error> {
        require_id("recharge_id", recharge_id)?;
        params.validate()?;
        let path = self
            .client
            .app_path(&["recharges", recharge_id, "refunds"])?;
        self.client.post(&path, params).await
    }

    /// Retrieves a refund of a recharge.
    /// `GET /v1/apps/{app}/recharges/{recharge_id}/refunds/{refund_id}`.
    pub async fn retrieve(&self, recharge_id: &str, refund_id: &str) -> Result<Refund, Error> {
        require_id("recharge_id", recharge_id)?;
        require_id("refund_id", refund_id)?;
        let path = self
            .client
            .app_path(&["recharges", recharge_id, "refunds", refund_id])?;
        self.client.get(&path, &()).await
    }

    /// Lists one page of a recharge's refunds.
    /// `GET /v1/apps/{app}/recharges/{recharge_id}/refunds`.
    pub async fn list(
        &self,
        recharge_id: &str,
        params: &ListParams,
    ) -> Result<List<Refund>, Error> {
        require_id("recharge_id", recharge_id)?;
        params.validate()?;
        let path = self
            .client
            .app_path(&["recharges", recharge_id, "refunds"])?;
        self.client.get(&path, params).await
    }

    /// Every refund of a recharge, page after page from `params.page` (default 1),
    /// until a page says `has_more: false` or comes back empty. The stream ends after
    /// an error.
    ///
    /// ```no_run
    /// # async fn demo(client: pingpp_transport::Client) -> Result<(), pingpp_transport::Error> {
    /// use futures_util::TryStreamExt;
    /// use pingpp_recharge::RechargesExt;
    /// use pingpp_types::ListParams;
    ///
    /// let refunds: Vec<_> = client
    ///     .recharge_refunds()
    ///     .list_all("220161130175010015520701", ListParams::new().per_page(100))
    ///     .try_collect()
    ///     .await?;
    /// println!("{} refunds", refunds.len());
    /// # Ok(()) }
    /// ```
    pub fn list_all(
        &self,
        recharge_id: &str,
        params: ListParams,
    ) -> impl Stream<Item = Result<Refund, Error>> + Send + 'static {
        let first = params.page.unwrap_or(1);
        let recharge_id = recharge_id.to_owned();
        self.client.paginate(first, move |client, page| {
            let params = ListParams {
                page: Some(page),
                ..params.clone()
            };
            let recharge_id = recharge_id.clone();
            Box::pin(async move { client.recharge_refunds().list(&recharge_id, &params).await })
        })
    }
}
