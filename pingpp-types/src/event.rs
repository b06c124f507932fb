//! Events (`object: "event"`): webhooks and `GET /v1/events/{id}`.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::common::JsonMap;
use crate::recharge::Recharge;
use crate::refund::Refund;
use crate::withdrawal::Withdrawal;

/// Event type strings this SDK parses into typed data.
pub mod event_type {
    /// A recharge succeeded; `data.object` is a recharge.
    pub const RECHARGE_SUCCEEDED: &str = "recharge.succeeded";
    /// A refund succeeded; `data.object` is a refund.
    pub const REFUND_SUCCEEDED: &str = "refund.succeeded";
    /// A withdrawal was paid out; `data.object` is a withdrawal.
    pub const WITHDRAWAL_SUCCEEDED: &str = "balance.withdrawal.succeeded";
    /// A withdrawal failed; `data.object` is a withdrawal.
    pub const WITHDRAWAL_FAILED: &str = "balance.withdrawal.failed";
}

/// The `data.object` of an event, typed for the four event types the SDK
/// handles, raw JSON for every other type.
///
/// A known type whose `data.object` declares a different `object` kind
/// (e.g. `refund.succeeded` with a non-refund object) is kept as
/// [`EventData::Other`]. Standalone, it serializes as
/// `{"type": "...", "object": {...}}`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EventData {
    /// `recharge.succeeded`.
    RechargeSucceeded(Box<Recharge>),
    /// `refund.succeeded`.
    RefundSucceeded(Box<Refund>),
    /// `balance.withdrawal.succeeded`.
    WithdrawalSucceeded(Box<Withdrawal>),
    /// `balance.withdrawal.failed`.
    WithdrawalFailed(Box<Withdrawal>),
    /// Any other event type, kept as raw JSON.
    Other {
        /// The event type string, e.g. `summary.daily.available`.
        event_type: String,
        /// The raw `data.object`.
        object: Value,
    },
}

/// Parses `object` as `T` unless it declares another object kind.
fn typed<T: DeserializeOwned>(
    object: Value,
    kind: &str,
) -> Result<Result<T, Value>, serde_json::Error> {
    match object.get("object").and_then(Value::as_str) {
        Some(k) if k != kind => Ok(Err(object)),
        _ => serde_json::from_value(object).map(Ok),
    }
}

impl EventData {
    /// Builds event data from the event type and the raw `data.object`.
    ///
    /// Fails only when a handled type's object does not parse as its type.
    pub fn from_parts(event_type: String, object: Value) -> Result<Self, serde_json::Error> {
        let other = |event_type: String, object: Value| Self::Other { event_type, object };
        Ok(match event_type.as_str() {
            event_type::RECHARGE_SUCCEEDED => match typed(object, "recharge")? {
                Ok(r) => Self::RechargeSucceeded(Box::new(r)),
                Err(object) => other(event_type, object),
            },
            event_type::REFUND_SUCCEEDED => match typed(object, "refund")? {
                Ok(r) => Self::RefundSucceeded(Box::new(r)),
                Err(object) => other(event_type, object),
            },
            event_type::WITHDRAWAL_SUCCEEDED => match typed(object, "withdrawal")? {
                Ok(w) => Self::WithdrawalSucceeded(Box::new(w)),
                Err(object) => other(event_type, object),
            },
            event_type::WITHDRAWAL_FAILED => match typed(object, "withdrawal")? {
                Ok(w) => Self::WithdrawalFailed(Box::new(w)),
                Err(object) => other(event_type, object),
            },
            _ => other(event_type, object),
        })
    }

    /// The event type string.
    pub fn event_type(&self) -> &str {
        match self {
            Self::RechargeSucceeded(_) => event_type::RECHARGE_SUCCEEDED,
            Self::RefundSucceeded(_) => event_type::REFUND_SUCCEEDED,
            Self::WithdrawalSucceeded(_) => event_type::WITHDRAWAL_SUCCEEDED,
            Self::WithdrawalFailed(_) => event_type::WITHDRAWAL_FAILED,
            Self::Other { event_type, .. } => event_type,
        }
    }

    /// The withdrawal of a `balance.withdrawal.*` event.
    pub fn withdrawal(&self) -> Option<&Withdrawal> {
        match self {
            Self::WithdrawalSucceeded(w) | Self::WithdrawalFailed(w) => Some(w),
            _ => None,
        }
    }

    fn object_ref(&self) -> ObjectRef<'_> {
        match self {
            Self::RechargeSucceeded(r) => ObjectRef::Recharge(r),
            Self::RefundSucceeded(r) => ObjectRef::Refund(r),
            Self::WithdrawalSucceeded(w) | Self::WithdrawalFailed(w) => ObjectRef::Withdrawal(w),
            Self::Other { object, .. } => ObjectRef::Raw(object),
        }
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum ObjectRef<'a> {
    Recharge(&'a Recharge),
    Refund(&'a Refund),
    Withdrawal(&'a Withdrawal),
    Raw(&'a Value),
}

#[derive(Serialize)]
struct EventDataSer<'a> {
    #[serde(rename = "type")]
    event_type: &'a str,
    object: ObjectRef<'a>,
}

#[derive(Deserialize)]
struct EventDataDe {
    #[serde(rename = "type")]
    event_type: String,
    object: Value,
}

impl Serialize for EventData {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        EventDataSer {
            event_type: self.event_type(),
            object: self.object_ref(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for EventData {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = EventDataDe::deserialize(d)?;
        Self::from_parts(w.event_type, w.object).map_err(D::Error::custom)
    }
}

/// An event (`object: "event"`, ids `evt_...`).
///
/// On the wire: `{id, object, created, livemode, type, data: {object},
/// pending_webhooks, request}`, sometimes `scope` and `acct_id`. The type and
/// `data.object` live together in [`Event::data`]; other keys inside `data`
/// are kept in [`Event::data_other`], unknown top-level keys in
/// [`Event::other`]. `pending_webhooks` and `request` are always serialized
/// (`null` when `None`); `scope` and `acct_id` are omitted when `None`.
///
/// ```
/// use pingpp_types::{Event, EventData};
/// let event: Event = serde_json::from_str(r#"{
///     "id": "evt_401161130175010015520701", "object": "event", "created": 1480499410,
///     "livemode": false, "type": "summary.daily.available",
///     "data": {"object": {"object": "summary", "charges_amount": 1000}},
///     "pending_webhooks": 0, "request": null
/// }"#).unwrap();
/// assert_eq!(event.event_type(), "summary.daily.available");
/// assert!(matches!(event.data, EventData::Other { .. }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Event id (`evt_...`); receivers dedupe webhooks by it.
    pub id: String,
    /// Object type, `"event"`.
    pub object: String,
    /// Creation time (Unix seconds).
    pub created: i64,
    /// Live mode.
    pub livemode: bool,
    /// The event type and its `data.object`.
    pub data: EventData,
    /// Number of webhooks still to be delivered.
    pub pending_webhooks: Option<u32>,
    /// Id of the API request that caused the event.
    pub request: Option<String>,
    /// Scope, carried by some events.
    pub scope: Option<String>,
    /// Account id, carried by some events.
    pub acct_id: Option<String>,
    /// Keys inside `data` other than `object`, kept verbatim.
    pub data_other: JsonMap,
    /// Top-level keys this SDK does not know, kept verbatim.
    pub other: JsonMap,
}

impl Event {
    /// An event with the given id, creation time, mode and data; the other
    /// fields are empty (`pending_webhooks` 0).
    pub fn new(id: impl Into<String>, created: i64, livemode: bool, data: EventData) -> Self {
        Self {
            id: id.into(),
            object: "event".to_owned(),
            created,
            livemode,
            data,
            pending_webhooks: Some(0),
            request: None,
            scope: None,
            acct_id: None,
            data_other: JsonMap::new(),
            other: JsonMap::new(),
        }
    }

    /// The event type string (`type` on the wire).
    pub fn event_type(&self) -> &str {
        self.data.event_type()
    }
}

fn event_object() -> String {
    "event".to_owned()
}

#[derive(Deserialize)]
struct DataDe {
    object: Value,
    #[serde(flatten)]
    other: JsonMap,
}

#[derive(Deserialize)]
struct EventDe {
    id: String,
    #[serde(default = "event_object")]
    object: String,
    created: i64,
    #[serde(default)]
    livemode: bool,
    #[serde(rename = "type")]
    event_type: String,
    data: DataDe,
    #[serde(default)]
    pending_webhooks: Option<u32>,
    #[serde(default)]
    request: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    acct_id: Option<String>,
    #[serde(flatten)]
    other: JsonMap,
}

#[derive(Serialize)]
struct DataSer<'a> {
    object: ObjectRef<'a>,
    #[serde(flatten)]
    other: &'a JsonMap,
}

#[derive(Serialize)]
struct EventSer<'a> {
    id: &'a str,
    object: &'a str,
    created: i64,
    livemode: bool,
    #[serde(rename = "type")]
    event_type: &'a str,
    data: DataSer<'a>,
    pending_webhooks: Option<u32>,
    request: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    acct_id: Option<&'a str>,
    #[serde(flatten)]
    other: &'a JsonMap,
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        EventSer {
            id: &self.id,
            object: &self.object,
            created: self.created,
            livemode: self.livemode,
            event_type: self.event_type(),
            data: DataSer {
                object: self.data.object_ref(),
                other: &self.data_other,
            },
            pending_webhooks: self.pending_webhooks,
            request: self.request.as_deref(),
            scope: self.scope.as_deref(),
            acct_id: self.acct_id.as_deref(),
            other: &self.other,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = EventDe::deserialize(d)?;
        let data = EventData::from_parts(w.event_type, w.data.object).map_err(D::Error::custom)?;
        Ok(Self {
            id: w.id,
            object: w.object,
            created: w.created,
            livemode: w.livemode,
            data,
            pending_webhooks: w.pending_webhooks,
            request: w.request,
            scope: w.scope,
            acct_id: w.acct_id,
            data_other: w.data.other,
            other: w.other,
        })
    }
}
