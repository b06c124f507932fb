//! Recharge refunds: the [`Refund`] object and [`CreateRechargeRefund`] parameters.

use serde::{Deserialize, Serialize};

use crate::common::{JsonMap, Metadata};
use crate::enums::{FundingSource, RefundStatus};

wire_object! {
    /// A refund object (`object: "refund"`, ids `re_...`).
    ///
    /// A recharge refund refunds the whole recharge. A refund that fails fails
    /// synchronously: `failure_msg` is set in the create response and no webhook
    /// is sent.
    ///
    /// Parsing keeps the shape the server sent (a refund inside a `refund.succeeded`
    /// event has no `extra`, one in a create response has `"extra": {}`) and
    /// serializing writes it back unchanged. A refund built with [`Refund::new`] writes
    /// every documented field, `null` when `None`, except `currency` and
    /// `funding_source`, which only some refunds carry. Unknown top-level fields are
    /// kept in [`Refund::other`].
    pub struct Refund {
        /// Refund id (`re_...`).
        pub id: String = "id" [required],
        /// Object type, `"refund"`.
        pub object: String = "object" [default = "refund"],
        /// Refund order number.
        pub order_no: Option<String> = "order_no" [nullable],
        /// Amount in fen.
        pub amount: i64 = "amount" [required],
        /// Creation time (Unix seconds).
        pub created: i64 = "created" [required],
        /// Whether the refund succeeded.
        pub succeed: bool = "succeed" [default = false],
        /// Refund status.
        pub status: RefundStatus = "status" [required],
        /// Time the refund succeeded (Unix seconds), if it did.
        pub time_succeed: Option<i64> = "time_succeed" [nullable],
        /// Refund description.
        pub description: Option<String> = "description" [nullable],
        /// Failure code, when the refund failed.
        pub failure_code: Option<String> = "failure_code" [nullable],
        /// Failure message, when the refund failed (often Chinese).
        pub failure_msg: Option<String> = "failure_msg" [nullable],
        /// Merchant metadata (`null` and absent read as empty).
        pub metadata: Metadata = "metadata" [map],
        /// Id of the charge this refund belongs to.
        pub charge: Option<String> = "charge" [nullable],
        /// Order number of that charge.
        pub charge_order_no: Option<String> = "charge_order_no" [nullable],
        /// Channel transaction number.
        pub transaction_no: Option<String> = "transaction_no" [nullable],
        /// Channel-specific extra data (`null` and absent read as empty).
        pub extra: JsonMap = "extra" [map],
        /// Currency (e.g. `cny`); only some refunds carry it.
        pub currency: Option<String> = "currency" [optional],
        /// Source of the refunded funds; only some refunds carry it.
        pub funding_source: Option<FundingSource> = "funding_source" [optional],
    }
}

impl Refund {
    /// A refund with the given id, amount, creation time and status; every other
    /// field empty.
    pub fn new(id: impl Into<String>, amount: i64, created: i64, status: RefundStatus) -> Self {
        Self {
            id: id.into(),
            object: "refund".to_owned(),
            order_no: None,
            amount,
            created,
            succeed: status == RefundStatus::Succeeded,
            status,
            time_succeed: None,
            description: None,
            failure_code: None,
            failure_msg: None,
            metadata: Metadata::new(),
            charge: None,
            charge_order_no: None,
            transaction_no: None,
            extra: JsonMap::new(),
            currency: None,
            funding_source: None,
            other: JsonMap::new(),
            shape: Self::BLANK_SHAPE,
        }
    }
}

/// Parameters of `POST /v1/apps/{app}/recharges/{recharge_id}/refunds`.
///
/// ```
/// use pingpp_types::{CreateRechargeRefund, FundingSource, Validate};
/// let params = CreateRechargeRefund::new("用户申请退款")
///     .funding_source(FundingSource::RechargeFunds);
/// assert!(params.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateRechargeRefund {
    /// Refund description: required, at most 255 characters.
    pub description: String,
    /// Merchant metadata.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::strict::opt_map"
    )]
    pub metadata: Option<Metadata>,
    /// Where the refunded money comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funding_source: Option<FundingSource>,
}

impl CreateRechargeRefund {
    /// Parameters with the required description.
    pub fn new(description: impl Into<String>) -> Self {
        Self {
            description: description.into(),
            metadata: None,
            funding_source: None,
        }
    }

    /// Sets the metadata.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// Sets the funding source.
    pub fn funding_source(mut self, funding_source: FundingSource) -> Self {
        self.funding_source = Some(funding_source);
        self
    }
}
