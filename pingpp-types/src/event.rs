//! Events (`object: "event"`): webhooks and `GET /v1/events/{id}`.

use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::common::JsonMap;
use crate::recharge::Recharge;
use crate::refund::Refund;
use crate::strict::{StrictValue, duplicate_key, parse_json_strict};
use crate::wire::{Key, KeySeed, Shape};
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
    /// Any other event type, kept as raw JSON (duplicate keys refused).
    Other {
        /// The event type string, e.g. `summary.daily.available`.
        event_type: String,
        /// The raw `data.object`.
        object: Value,
    },
}

/// The `object` kind a typed object declares.
trait ObjectKind {
    fn object_kind(&self) -> &str;
}

impl ObjectKind for Recharge {
    fn object_kind(&self) -> &str {
        &self.object
    }
}

impl ObjectKind for Refund {
    fn object_kind(&self) -> &str {
        &self.object
    }
}

impl ObjectKind for Withdrawal {
    fn object_kind(&self) -> &str {
        &self.object
    }
}

/// Where a `data.object` is read from: a parsed value, or its raw text.
trait ObjectSource: Sized {
    /// Parses the object as `T`.
    fn typed<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error>;
    /// The object as a value (duplicate keys refused).
    fn value(self) -> Result<Value, serde_json::Error>;
}

impl ObjectSource for Value {
    fn typed<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(self)
    }
    fn value(self) -> Result<Value, serde_json::Error> {
        Ok(self)
    }
}

impl ObjectSource for &RawValue {
    fn typed<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.get())
    }
    fn value(self) -> Result<Value, serde_json::Error> {
        parse_json_strict(self.get().as_bytes())
    }
}

/// Keeps a typed parse whose object is of `kind`; else the raw object, when it declares
/// another kind; else the parse error.
fn typed_or_raw<T, S>(src: S, kind: &str) -> Result<Result<T, Value>, serde_json::Error>
where
    T: ObjectKind + DeserializeOwned,
    S: ObjectSource,
{
    match src.typed::<T>() {
        Ok(t) if t.object_kind() == kind => Ok(Ok(t)),
        Ok(_) => src.value().map(Err),
        Err(e) => {
            let value = src.value()?;
            match value.get("object").and_then(Value::as_str) {
                Some(k) if k != kind => Ok(Err(value)),
                _ => Err(e),
            }
        }
    }
}

impl EventData {
    /// Builds event data from the event type and the raw `data.object`.
    ///
    /// Fails only when a handled type's object does not parse as its type.
    pub fn from_parts(event_type: String, object: Value) -> Result<Self, serde_json::Error> {
        Self::build(event_type, object)
    }

    /// Builds event data from the event type and the text of `data.object`, parsed
    /// straight into its type.
    fn from_raw(event_type: String, raw: &RawValue) -> Result<Self, serde_json::Error> {
        Self::build(event_type, raw)
    }

    fn build<S: ObjectSource>(event_type: String, src: S) -> Result<Self, serde_json::Error> {
        let other = |event_type: String, object: Value| Self::Other { event_type, object };
        Ok(match event_type.as_str() {
            event_type::RECHARGE_SUCCEEDED => match typed_or_raw(src, "recharge")? {
                Ok(r) => Self::RechargeSucceeded(Box::new(r)),
                Err(object) => other(event_type, object),
            },
            event_type::REFUND_SUCCEEDED => match typed_or_raw(src, "refund")? {
                Ok(r) => Self::RefundSucceeded(Box::new(r)),
                Err(object) => other(event_type, object),
            },
            event_type::WITHDRAWAL_SUCCEEDED => match typed_or_raw(src, "withdrawal")? {
                Ok(w) => Self::WithdrawalSucceeded(Box::new(w)),
                Err(object) => other(event_type, object),
            },
            event_type::WITHDRAWAL_FAILED => match typed_or_raw(src, "withdrawal")? {
                Ok(w) => Self::WithdrawalFailed(Box::new(w)),
                Err(object) => other(event_type, object),
            },
            _ => other(event_type, src.value()?),
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
    #[serde(deserialize_with = "crate::strict::value")]
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
        Self::from_parts(w.event_type, w.object).map_err(de::Error::custom)
    }
}

/// An event (`object: "event"`, ids `evt_...`).
///
/// On the wire: `{id, object, created, livemode, type, data: {object},
/// pending_webhooks, request}`, sometimes `scope` and `acct_id`. The type and
/// `data.object` live together in [`Event::data`]; other keys inside `data`
/// are kept in [`Event::data_other`], unknown top-level keys in
/// [`Event::other`].
///
/// `data.object` is parsed straight into its type (no `serde_json::Value` in
/// between), whether `type` comes before or after `data` in the JSON.
///
/// Not every event carries an `id`: the two withdrawal events printed in the
/// withdrawal guide have neither `id` nor `pending_webhooks`. [`Event::id`] is then
/// `None`, and such an event cannot be deduplicated by id: a webhook receiver
/// handles it on each delivery. Parsing keeps the shape the server sent and
/// serializing writes it back unchanged; an event built with [`Event::new`] writes
/// `pending_webhooks` and `request` (`null` when `None`) and leaves out `scope` and
/// `acct_id` when `None`.
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
/// assert_eq!(event.id.as_deref(), Some("evt_401161130175010015520701"));
/// assert!(matches!(event.data, EventData::Other { .. }));
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct Event {
    /// Event id (`evt_...`); receivers dedupe webhooks by it. `None` when the event
    /// carries no id (it then cannot be deduplicated).
    pub id: Option<String>,
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
    shape: Shape,
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("id", &self.id)
            .field("object", &self.object)
            .field("created", &self.created)
            .field("livemode", &self.livemode)
            .field("data", &self.data)
            .field("pending_webhooks", &self.pending_webhooks)
            .field("request", &self.request)
            .field("scope", &self.scope)
            .field("acct_id", &self.acct_id)
            .field("data_other", &self.data_other)
            .field("other", &self.other)
            .finish()
    }
}

impl PartialEq for Event {
    /// Equal when every field is; how the JSON was spelled does not matter.
    fn eq(&self, o: &Self) -> bool {
        self.id == o.id
            && self.object == o.object
            && self.created == o.created
            && self.livemode == o.livemode
            && self.data == o.data
            && self.pending_webhooks == o.pending_webhooks
            && self.request == o.request
            && self.scope == o.scope
            && self.acct_id == o.acct_id
            && self.data_other == o.data_other
            && self.other == o.other
    }
}

/// Field indexes of [`Event`] in its [`Shape`] and key lookup.
mod f {
    pub(super) const ID: u8 = 0;
    pub(super) const OBJECT: u8 = 1;
    pub(super) const CREATED: u8 = 2;
    pub(super) const LIVEMODE: u8 = 3;
    pub(super) const TYPE: u8 = 4;
    pub(super) const DATA: u8 = 5;
    pub(super) const PENDING_WEBHOOKS: u8 = 6;
    pub(super) const REQUEST: u8 = 7;
    pub(super) const SCOPE: u8 = 8;
    pub(super) const ACCT_ID: u8 = 9;

    pub(super) fn lookup(key: &str) -> Option<u8> {
        Some(match key {
            "id" => ID,
            "object" => OBJECT,
            "created" => CREATED,
            "livemode" => LIVEMODE,
            "type" => TYPE,
            "data" => DATA,
            "pending_webhooks" => PENDING_WEBHOOKS,
            "request" => REQUEST,
            "scope" => SCOPE,
            "acct_id" => ACCT_ID,
            _ => return None,
        })
    }

    pub(super) const NAMES: [&str; 10] = [
        "id",
        "object",
        "created",
        "livemode",
        "type",
        "data",
        "pending_webhooks",
        "request",
        "scope",
        "acct_id",
    ];
}

impl Event {
    /// An event with the given id, creation time, mode and data; the other
    /// fields are empty (`pending_webhooks` 0).
    pub fn new(id: impl Into<String>, created: i64, livemode: bool, data: EventData) -> Self {
        Self {
            id: Some(id.into()),
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
            shape: Shape::absent_bits((1 << f::SCOPE) | (1 << f::ACCT_ID)),
        }
    }

    /// The event type string (`type` on the wire).
    pub fn event_type(&self) -> &str {
        self.data.event_type()
    }
}

struct DataSer<'a> {
    data: &'a EventData,
    other: &'a JsonMap,
}

impl Serialize for DataSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("object", &self.data.object_ref())?;
        for (k, v) in self.other {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Writes an `Option` field: the value, `null`, or nothing when it was absent.
fn opt_entry<M: SerializeMap, T: Serialize>(
    m: &mut M,
    shape: Shape,
    i: u8,
    value: Option<&T>,
) -> Result<(), M::Error> {
    match value {
        Some(v) => m.serialize_entry(f::NAMES[usize::from(i)], v),
        None if shape.is_absent(i) => Ok(()),
        None => m.serialize_entry(f::NAMES[usize::from(i)], &()),
    }
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let shape = self.shape;
        let mut m = s.serialize_map(None)?;
        opt_entry(&mut m, shape, f::ID, self.id.as_ref())?;
        if !(shape.is_absent(f::OBJECT) && self.object == "event") {
            m.serialize_entry("object", &self.object)?;
        }
        m.serialize_entry("created", &self.created)?;
        if self.livemode || !shape.is_absent(f::LIVEMODE) {
            m.serialize_entry("livemode", &self.livemode)?;
        }
        m.serialize_entry("type", self.event_type())?;
        m.serialize_entry(
            "data",
            &DataSer {
                data: &self.data,
                other: &self.data_other,
            },
        )?;
        opt_entry(
            &mut m,
            shape,
            f::PENDING_WEBHOOKS,
            self.pending_webhooks.as_ref(),
        )?;
        opt_entry(&mut m, shape, f::REQUEST, self.request.as_ref())?;
        opt_entry(&mut m, shape, f::SCOPE, self.scope.as_ref())?;
        opt_entry(&mut m, shape, f::ACCT_ID, self.acct_id.as_ref())?;
        for (k, v) in &self.other {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// `data` once parsed: the typed object and the other keys.
struct Data {
    data: EventData,
    other: JsonMap,
}

/// Reads `data` (`{"object": {...}, ...}`) for a known event type.
struct DataSeed<'a>(&'a str);

impl<'de> DeserializeSeed<'de> for DataSeed<'_> {
    type Value = Data;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Data, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DataSeed<'_> {
    type Value = Data;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("event data: an object with `object`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Data, A::Error> {
        let mut data = None;
        let mut other = JsonMap::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "object" {
                if data.is_some() {
                    return Err(de::Error::duplicate_field("object"));
                }
                // Captured as text (a fast scan, no tree), then parsed into its type.
                let raw: Box<RawValue> = map.next_value()?;
                data =
                    Some(EventData::from_raw(self.0.to_owned(), &raw).map_err(de::Error::custom)?);
            } else {
                if other.contains_key(&key) {
                    return Err(duplicate_key(&key));
                }
                let v = map.next_value_seed(StrictValue)?;
                other.insert(key, v);
            }
        }
        let data = data.ok_or_else(|| de::Error::missing_field("object"))?;
        Ok(Data { data, other })
    }
}

/// `data` as read: parsed when `type` came first, else its text, parsed at the end.
enum DataRead {
    Parsed(Data),
    Raw(Box<RawValue>),
}

struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = Event;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Ping++ event object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Event, A::Error> {
        fn once<T, E: de::Error>(slot: &Option<T>, i: u8) -> Result<(), E> {
            match slot {
                Some(_) => Err(E::duplicate_field(f::NAMES[usize::from(i)])),
                None => Ok(()),
            }
        }
        let mut shape = Shape::default();
        let mut id: Option<Option<String>> = None;
        let mut object: Option<String> = None;
        let mut created: Option<i64> = None;
        let mut livemode: Option<bool> = None;
        let mut event_type: Option<String> = None;
        let mut data: Option<DataRead> = None;
        let mut pending_webhooks: Option<Option<u32>> = None;
        let mut request: Option<Option<String>> = None;
        let mut scope: Option<Option<String>> = None;
        let mut acct_id: Option<Option<String>> = None;
        let mut other = JsonMap::new();
        // Reads an `Option` field, noting a `null`.
        macro_rules! nullable {
            ($slot:ident, $i:expr) => {{
                once(&$slot, $i)?;
                let v = map.next_value()?;
                if Option::is_none(&v) {
                    shape.set_null($i);
                }
                $slot = Some(v);
            }};
        }
        while let Some(key) = map.next_key_seed(KeySeed(f::lookup))? {
            match key {
                Key::Known(f::ID) => nullable!(id, f::ID),
                Key::Known(f::OBJECT) => {
                    once(&object, f::OBJECT)?;
                    object = Some(map.next_value()?);
                }
                Key::Known(f::CREATED) => {
                    once(&created, f::CREATED)?;
                    created = Some(map.next_value()?);
                }
                Key::Known(f::LIVEMODE) => {
                    once(&livemode, f::LIVEMODE)?;
                    livemode = Some(map.next_value()?);
                }
                Key::Known(f::TYPE) => {
                    once(&event_type, f::TYPE)?;
                    event_type = Some(map.next_value()?);
                }
                Key::Known(f::DATA) => {
                    once(&data, f::DATA)?;
                    data = Some(match &event_type {
                        Some(t) => DataRead::Parsed(map.next_value_seed(DataSeed(t))?),
                        None => DataRead::Raw(map.next_value()?),
                    });
                }
                Key::Known(f::PENDING_WEBHOOKS) => nullable!(pending_webhooks, f::PENDING_WEBHOOKS),
                Key::Known(f::REQUEST) => nullable!(request, f::REQUEST),
                Key::Known(f::SCOPE) => nullable!(scope, f::SCOPE),
                Key::Known(f::ACCT_ID) => nullable!(acct_id, f::ACCT_ID),
                Key::Known(_) => {
                    map.next_value::<de::IgnoredAny>()?;
                }
                Key::Other(k) => {
                    if other.contains_key(&k) {
                        return Err(duplicate_key(&k));
                    }
                    let v = map.next_value_seed(StrictValue)?;
                    other.insert(k, v);
                }
            }
        }
        let event_type = event_type.ok_or_else(|| de::Error::missing_field("type"))?;
        let data = match data.ok_or_else(|| de::Error::missing_field("data"))? {
            DataRead::Parsed(d) => d,
            DataRead::Raw(raw) => {
                let mut de = serde_json::Deserializer::from_str(raw.get());
                DataSeed(&event_type)
                    .deserialize(&mut de)
                    .map_err(de::Error::custom)?
            }
        };
        let mut absent = |slot_present: bool, i: u8| {
            if !slot_present {
                shape.set_absent(i);
            }
        };
        absent(id.is_some(), f::ID);
        absent(object.is_some(), f::OBJECT);
        absent(livemode.is_some(), f::LIVEMODE);
        absent(pending_webhooks.is_some(), f::PENDING_WEBHOOKS);
        absent(request.is_some(), f::REQUEST);
        absent(scope.is_some(), f::SCOPE);
        absent(acct_id.is_some(), f::ACCT_ID);
        Ok(Event {
            id: id.flatten(),
            object: object.unwrap_or_else(|| "event".to_owned()),
            created: created.ok_or_else(|| de::Error::missing_field("created"))?,
            livemode: livemode.unwrap_or(false),
            data: data.data,
            pending_webhooks: pending_webhooks.flatten(),
            request: request.flatten(),
            scope: scope.flatten(),
            acct_id: acct_id.flatten(),
            data_other: data.other,
            other,
            shape,
        })
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(EventVisitor)
    }
}
