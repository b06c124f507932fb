//! Batch withdrawals: the [`BatchWithdrawal`] object and [`CreateBatchWithdrawal`].

use serde::{Deserialize, Serialize};

use crate::common::{JsonMap, Metadata, null_as_default};
use crate::enums::BatchWithdrawalStatus;
use crate::list::List;
use crate::withdrawal::{Withdrawal, WithdrawalAction};

/// Most withdrawal ids one batch may carry.
pub const MAX_BATCH_WITHDRAWALS: usize = 200;

/// A batch withdrawal object (`object: "batch_withdrawal"`).
///
/// Numbers are `Option` because the server may send `null`; every field is
/// always serialized and unknown fields are kept in [`BatchWithdrawal::other`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchWithdrawal {
    /// Batch withdrawal id.
    pub id: String,
    /// Object type, `"batch_withdrawal"`.
    #[serde(default = "batch_object")]
    pub object: String,
    /// App id.
    #[serde(default)]
    pub app: Option<String>,
    /// Creation time (Unix seconds).
    pub created: i64,
    /// Live mode.
    #[serde(default)]
    pub livemode: bool,
    /// Total amount in fen.
    #[serde(default)]
    pub amount: Option<i64>,
    /// Amount in fen that succeeded.
    #[serde(default)]
    pub amount_succeeded: Option<i64>,
    /// Amount in fen that failed.
    #[serde(default)]
    pub amount_failed: Option<i64>,
    /// Amount in fen that was canceled.
    #[serde(default)]
    pub amount_canceled: Option<i64>,
    /// Number of withdrawals.
    #[serde(default)]
    pub count: Option<i64>,
    /// Number of withdrawals that succeeded.
    #[serde(default)]
    pub count_succeeded: Option<i64>,
    /// Number of withdrawals that failed.
    #[serde(default)]
    pub count_failed: Option<i64>,
    /// Number of withdrawals that were canceled.
    #[serde(default)]
    pub count_canceled: Option<i64>,
    /// Fee in fen.
    #[serde(default)]
    pub fee: Option<i64>,
    /// Merchant metadata (`null` reads as empty).
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
    /// Operation URL.
    #[serde(default)]
    pub operation_url: Option<String>,
    /// Source.
    #[serde(default)]
    pub source: Option<String>,
    /// Status.
    pub status: BatchWithdrawalStatus,
    /// Time the batch finished (Unix seconds).
    #[serde(default)]
    pub time_finished: Option<i64>,
    /// Fee in fen borne by the users.
    #[serde(default)]
    pub user_fee: Option<i64>,
    /// The withdrawals of the batch: a list object of withdrawals, or (leniently)
    /// a plain array of ids, or anything else kept as raw JSON.
    #[serde(default)]
    pub withdrawals: Option<BatchWithdrawalItems>,
    /// Fields this SDK does not know, kept verbatim.
    #[serde(flatten)]
    pub other: JsonMap,
}

/// The `withdrawals` field of a [`BatchWithdrawal`].
///
/// Ping++ sends a list object; the official SDKs disagree, so a plain array of ids
/// also parses, and any other shape is kept verbatim instead of failing the whole
/// response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum BatchWithdrawalItems {
    /// A list object of withdrawals (the documented form).
    List(List<Withdrawal>),
    /// A plain array of withdrawal ids.
    Ids(Vec<String>),
    /// Any other shape, kept as raw JSON.
    Other(serde_json::Value),
}

impl BatchWithdrawalItems {
    /// The withdrawal ids, from either known form (empty for [`Self::Other`]).
    pub fn ids(&self) -> Vec<&str> {
        match self {
            Self::List(list) => list.data.iter().map(|w| w.id.as_str()).collect(),
            Self::Ids(ids) => ids.iter().map(String::as_str).collect(),
            Self::Other(_) => Vec::new(),
        }
    }
}

fn batch_object() -> String {
    "batch_withdrawal".to_owned()
}

/// Body of `POST /v1/apps/{app}/batch_withdrawals`: confirm or cancel up to
/// 200 created withdrawals at once.
///
/// `status` is always sent; when reading a body without it, it defaults to
/// confirm (`"pending"`), as on the server.
///
/// ```
/// use pingpp_types::{CreateBatchWithdrawal, Validate};
/// let batch = CreateBatchWithdrawal::confirm(["1701611150302360654", "1701611151015078981"]);
/// batch.validate().unwrap();
/// assert_eq!(
///     serde_json::to_string(&batch).unwrap(),
///     r#"{"withdrawals":["1701611150302360654","1701611151015078981"],"status":"pending"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateBatchWithdrawal {
    /// Withdrawal ids, 1 to 200, none empty.
    pub withdrawals: Vec<String>,
    /// Confirm (`"pending"`) or cancel (`"canceled"`).
    #[serde(default)]
    pub status: WithdrawalAction,
    /// Merchant metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl CreateBatchWithdrawal {
    /// A batch applying `status` to `withdrawals`.
    pub fn new<I, S>(withdrawals: I, status: WithdrawalAction) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            withdrawals: withdrawals.into_iter().map(Into::into).collect(),
            status,
            metadata: None,
        }
    }

    /// A batch confirming `withdrawals`.
    pub fn confirm<I, S>(withdrawals: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::new(withdrawals, WithdrawalAction::Confirm)
    }

    /// A batch canceling `withdrawals`.
    pub fn cancel<I, S>(withdrawals: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::new(withdrawals, WithdrawalAction::Cancel)
    }

    /// Sets the metadata.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = Some(metadata);
        self
    }
}
