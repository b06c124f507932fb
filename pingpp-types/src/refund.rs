//! Recharge refunds: the [`Refund`] object and [`CreateRechargeRefund`] parameters.

use serde::{Deserialize, Serialize};

use crate::common::{JsonMap, Metadata, null_as_default};
use crate::enums::{FundingSource, RefundStatus};

/// A refund object (`object: "refund"`, ids `re_...`).
///
/// A recharge refund refunds the whole recharge. A refund that fails fails
/// synchronously: `failure_msg` is set in the create response and no webhook
/// is sent.
///
/// Fields the server always sends are always serialized (`null` when `None`);
/// `currency` and `funding_source`, which only some refunds carry, are omitted
/// when `None`. Unknown top-level fields are kept in [`Refund::other`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refund {
    /// Refund id (`re_...`).
    pub id: String,
    /// Object type, `"refund"`.
    #[serde(default = "refund_object")]
    pub object: String,
    /// Refund order number.
    #[serde(default)]
    pub order_no: Option<String>,
    /// Amount in fen.
    pub amount: i64,
    /// Creation time (Unix seconds).
    pub created: i64,
    /// Whether the refund succeeded.
    #[serde(default)]
    pub succeed: bool,
    /// Refund status.
    pub status: RefundStatus,
    /// Time the refund succeeded (Unix seconds), if it did.
    #[serde(default)]
    pub time_succeed: Option<i64>,
    /// Refund description.
    #[serde(default)]
    pub description: Option<String>,
    /// Failure code, when the refund failed.
    #[serde(default)]
    pub failure_code: Option<String>,
    /// Failure message, when the refund failed (often Chinese).
    #[serde(default)]
    pub failure_msg: Option<String>,
    /// Merchant metadata (`null` reads as empty).
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
    /// Id of the charge this refund belongs to.
    #[serde(default)]
    pub charge: Option<String>,
    /// Order number of that charge.
    #[serde(default)]
    pub charge_order_no: Option<String>,
    /// Channel transaction number.
    #[serde(default)]
    pub transaction_no: Option<String>,
    /// Channel-specific extra data (`null` reads as empty).
    #[serde(default, deserialize_with = "null_as_default")]
    pub extra: JsonMap,
    /// Currency (e.g. `cny`); only some refunds carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Source of the refunded funds; only some refunds carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funding_source: Option<FundingSource>,
    /// Top-level fields this SDK does not know, kept verbatim.
    #[serde(flatten)]
    pub other: JsonMap,
}

fn refund_object() -> String {
    "refund".to_owned()
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
pub struct CreateRechargeRefund {
    /// Refund description: required, at most 255 characters.
    pub description: String,
    /// Merchant metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
