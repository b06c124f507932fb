//! Batch withdrawals: the [`BatchWithdrawal`] object and [`CreateBatchWithdrawal`].

use serde::de::DeserializeSeed;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::common::{JsonMap, Metadata};
use crate::enums::BatchWithdrawalStatus;
use crate::list::List;
use crate::strict::StrictValue;
use crate::wire::WireDe;
use crate::withdrawal::{Withdrawal, WithdrawalAction};

/// Most withdrawal ids one batch may carry.
pub const MAX_BATCH_WITHDRAWALS: usize = 200;

wire_object! {
    /// A batch withdrawal object (`object: "batch_withdrawal"`).
    ///
    /// Numbers are `Option` because the server may send `null`. Parsing keeps the shape
    /// the server sent and serializing writes it back unchanged; unknown fields are kept
    /// in [`BatchWithdrawal::other`].
    pub struct BatchWithdrawal {
        /// Batch withdrawal id.
        pub id: String = "id" [required],
        /// Object type, `"batch_withdrawal"`.
        pub object: String = "object" [default = "batch_withdrawal"],
        /// App id.
        pub app: Option<String> = "app" [nullable],
        /// Creation time (Unix seconds).
        pub created: i64 = "created" [required],
        /// Live mode.
        pub livemode: bool = "livemode" [default = false],
        /// Total amount in fen.
        pub amount: Option<i64> = "amount" [nullable],
        /// Amount in fen that succeeded.
        pub amount_succeeded: Option<i64> = "amount_succeeded" [nullable],
        /// Amount in fen that failed.
        pub amount_failed: Option<i64> = "amount_failed" [nullable],
        /// Amount in fen that was canceled.
        pub amount_canceled: Option<i64> = "amount_canceled" [nullable],
        /// Number of withdrawals.
        pub count: Option<i64> = "count" [nullable],
        /// Number of withdrawals that succeeded.
        pub count_succeeded: Option<i64> = "count_succeeded" [nullable],
        /// Number of withdrawals that failed.
        pub count_failed: Option<i64> = "count_failed" [nullable],
        /// Number of withdrawals that were canceled.
        pub count_canceled: Option<i64> = "count_canceled" [nullable],
        /// Fee in fen.
        pub fee: Option<i64> = "fee" [nullable],
        /// Merchant metadata (`null` and absent read as empty).
        pub metadata: Metadata = "metadata" [map],
        /// Operation URL.
        pub operation_url: Option<String> = "operation_url" [nullable],
        /// Source.
        pub source: Option<String> = "source" [nullable],
        /// Status.
        pub status: BatchWithdrawalStatus = "status" [required],
        /// Time the batch finished (Unix seconds).
        pub time_finished: Option<i64> = "time_finished" [nullable],
        /// Fee in fen borne by the users.
        pub user_fee: Option<i64> = "user_fee" [nullable],
        /// The withdrawals of the batch: a list object of withdrawals, or (leniently)
        /// a plain array of ids, or anything else kept as raw JSON.
        pub withdrawals: Option<BatchWithdrawalItems> = "withdrawals" [nullable],
    }
}

impl BatchWithdrawal {
    /// A batch with the given id, creation time and status; every other field empty.
    pub fn new(id: impl Into<String>, created: i64, status: BatchWithdrawalStatus) -> Self {
        Self {
            id: id.into(),
            object: "batch_withdrawal".to_owned(),
            app: None,
            created,
            livemode: false,
            amount: None,
            amount_succeeded: None,
            amount_failed: None,
            amount_canceled: None,
            count: None,
            count_succeeded: None,
            count_failed: None,
            count_canceled: None,
            fee: None,
            metadata: Metadata::new(),
            operation_url: None,
            source: None,
            status,
            time_finished: None,
            user_fee: None,
            withdrawals: None,
            other: JsonMap::new(),
            shape: Self::BLANK_SHAPE,
        }
    }
}

/// The `withdrawals` field of a [`BatchWithdrawal`].
///
/// Ping++ sends a list object; the official SDKs disagree, so a plain array of ids
/// also parses, and any other shape is kept verbatim instead of failing the whole
/// response.
#[derive(Debug, Clone, PartialEq, Serialize)]
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

impl<'de> Deserialize<'de> for BatchWithdrawalItems {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = StrictValue.deserialize(d)?;
        if let Some(ids) = value.as_array()
            && ids.iter().all(Value::is_string)
        {
            let ids = ids.iter().filter_map(Value::as_str).map(str::to_owned);
            return Ok(Self::Ids(ids.collect()));
        }
        if value.is_object()
            && let Ok(list) = List::<Withdrawal>::deserialize(&value)
        {
            return Ok(Self::List(list));
        }
        Ok(Self::Other(value))
    }
}

impl WireDe for BatchWithdrawalItems {
    fn wire_de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::deserialize(d)
    }
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
#[non_exhaustive]
pub struct CreateBatchWithdrawal {
    /// Withdrawal ids, 1 to 200, none empty.
    pub withdrawals: Vec<String>,
    /// Confirm (`"pending"`) or cancel (`"canceled"`).
    #[serde(default)]
    pub status: WithdrawalAction,
    /// Merchant metadata.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::strict::opt_map"
    )]
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
