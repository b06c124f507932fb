//! Recharges: the [`Recharge`] object and [`CreateRecharge`] parameters.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::common::{JsonMap, Metadata};

wire_object! {
    /// A recharge object (`object: "recharge"`).
    ///
    /// The embedded `charge` (and `balance_bonus`) are kept as raw JSON: they are
    /// Ping++ payment objects outside the account system. Parsing keeps the shape the
    /// server sent and serializing writes it back unchanged; unknown fields are kept in
    /// [`Recharge::other`].
    pub struct Recharge {
        /// Recharge id.
        pub id: String = "id" [required],
        /// Object type, `"recharge"`.
        pub object: String = "object" [default = "recharge"],
        /// App id.
        pub app: Option<String> = "app" [nullable],
        /// Creation time (Unix seconds).
        pub created: i64 = "created" [required],
        /// Live mode.
        pub livemode: bool = "livemode" [default = false],
        /// Amount in fen.
        pub amount: i64 = "amount" [required],
        /// Whether the recharge succeeded.
        pub succeeded: bool = "succeeded" [default = false],
        /// Time it succeeded (Unix seconds).
        pub time_succeeded: Option<i64> = "time_succeeded" [nullable],
        /// Whether it was refunded.
        pub refunded: bool = "refunded" [default = false],
        /// User credited.
        pub user: Option<String> = "user" [nullable],
        /// User who paid, when different.
        pub from_user: Option<String> = "from_user" [nullable],
        /// Fee in fen borne by the user.
        pub user_fee: Option<i64> = "user_fee" [nullable],
        /// The embedded charge object (raw JSON; may also be a charge id string).
        pub charge: Option<Value> = "charge" [nullable],
        /// Bonus granted with the recharge (raw JSON, an object with `amount`).
        pub balance_bonus: Option<Value> = "balance_bonus" [nullable],
        /// Balance transaction id.
        pub balance_transaction: Option<String> = "balance_transaction" [nullable],
        /// Description.
        pub description: Option<String> = "description" [nullable],
        /// Merchant metadata (`null` and absent read as empty).
        pub metadata: Metadata = "metadata" [map],
    }
}

impl Recharge {
    /// A recharge with the given id, amount and creation time; every other field
    /// empty.
    pub fn new(id: impl Into<String>, amount: i64, created: i64) -> Self {
        Self {
            id: id.into(),
            object: "recharge".to_owned(),
            app: None,
            created,
            livemode: false,
            amount,
            succeeded: false,
            time_succeeded: None,
            refunded: false,
            user: None,
            from_user: None,
            user_fee: None,
            charge: None,
            balance_bonus: None,
            balance_transaction: None,
            description: None,
            metadata: Metadata::new(),
            other: JsonMap::new(),
            shape: Self::BLANK_SHAPE,
        }
    }

    /// The amount in fen of the bonus granted with this recharge (`balance_bonus.amount`).
    pub fn bonus_amount(&self) -> Option<i64> {
        self.balance_bonus.as_ref()?.get("amount")?.as_i64()
    }

    /// Id of the embedded charge: `charge.id`, or `charge` itself when the
    /// server sent only the id.
    pub fn charge_id(&self) -> Option<&str> {
        match self.charge.as_ref()? {
            Value::String(id) => Some(id),
            Value::Object(charge) => charge.get("id").and_then(Value::as_str),
            _ => None,
        }
    }
}

/// The `charge` part of [`CreateRecharge`]: how the user pays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateRechargeCharge {
    /// Amount in fen (> 0).
    pub amount: i64,
    /// Payment channel of the charge (e.g. `alipay`, `wx`, `upacp`).
    pub channel: String,
    /// Charge order number: letters and digits only (see [`crate::Validate`]).
    pub order_no: String,
    /// Subject, at most 32 characters.
    pub subject: String,
    /// Body, at most 128 characters.
    pub body: String,
    /// Client IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<String>,
    /// Expiry time (Unix seconds). Sent as an integer; read from an integer or a
    /// numeric string (the Python SDK's README sends a string).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "int_or_numeric_string"
    )]
    pub time_expire: Option<i64>,
    /// Channel-specific extra parameters of the charge.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::strict::opt_map"
    )]
    pub extra: Option<JsonMap>,
}

impl CreateRechargeCharge {
    /// Charge parameters with the required fields.
    pub fn new(
        amount: i64,
        channel: impl Into<String>,
        order_no: impl Into<String>,
        subject: impl Into<String>,
        body: impl Into<String>,
    ) -> Self {
        Self {
            amount,
            channel: channel.into(),
            order_no: order_no.into(),
            subject: subject.into(),
            body: body.into(),
            client_ip: None,
            time_expire: None,
            extra: None,
        }
    }

    /// Sets the client IP.
    pub fn client_ip(mut self, client_ip: impl Into<String>) -> Self {
        self.client_ip = Some(client_ip.into());
        self
    }

    /// Sets the expiry time (Unix seconds).
    pub fn time_expire(mut self, time_expire: i64) -> Self {
        self.time_expire = Some(time_expire);
        self
    }

    /// Sets the channel-specific extra.
    pub fn extra(mut self, extra: JsonMap) -> Self {
        self.extra = Some(extra);
        self
    }
}

/// `balance_bonus` of [`CreateRecharge`]: `{"amount": N}`, the bonus in fen credited
/// on top of the payment.
///
/// An object, never a bare number: the PHP and Python samples send
/// `balance_bonus[amount]`, the Go SDK a `RechargeBonus{Amount}` struct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(expecting = "an object {\"amount\": N}, the bonus in fen")]
#[non_exhaustive]
pub struct BalanceBonus {
    /// Bonus in fen (≥ 0).
    pub amount: i64,
}

impl BalanceBonus {
    /// A bonus of `amount` fen.
    pub fn new(amount: i64) -> Self {
        Self { amount }
    }
}

/// Parameters of `POST /v1/apps/{app}/recharges`.
///
/// `user_fee` and `balance_bonus` must not be sent together (Java and Node SDK
/// docs: "不可和 `balance_bonus[amount]` 同时传"); [`crate::Validate`] refuses it.
///
/// ```
/// use pingpp_types::{CreateRecharge, CreateRechargeCharge, Validate};
/// let params = CreateRecharge::new(
///     "user_001",
///     CreateRechargeCharge::new(1000, "alipay", "R2026113000001", "余额充值", "充值 10 元"),
/// )
/// .balance_bonus(100);
/// params.validate().unwrap();
/// assert_eq!(serde_json::to_value(&params).unwrap()["balance_bonus"], serde_json::json!({"amount": 100}));
/// assert!(params.user_fee(10).validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateRecharge {
    /// User to credit (required).
    pub user: String,
    /// The payment.
    pub charge: CreateRechargeCharge,
    /// Fee in fen borne by the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_fee: Option<i64>,
    /// Bonus credited with the recharge, sent as `{"amount": N}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance_bonus: Option<BalanceBonus>,
    /// User who pays, when different from `user`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_user: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Merchant metadata.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::strict::opt_map"
    )]
    pub metadata: Option<Metadata>,
}

impl CreateRecharge {
    /// Parameters with the required fields.
    pub fn new(user: impl Into<String>, charge: CreateRechargeCharge) -> Self {
        Self {
            user: user.into(),
            charge,
            user_fee: None,
            balance_bonus: None,
            from_user: None,
            description: None,
            metadata: None,
        }
    }

    /// Sets the fee borne by the user.
    pub fn user_fee(mut self, user_fee: i64) -> Self {
        self.user_fee = Some(user_fee);
        self
    }

    /// Sets the bonus, in fen, credited on top (sent as `{"amount": N}`).
    pub fn balance_bonus(mut self, amount: i64) -> Self {
        self.balance_bonus = Some(BalanceBonus::new(amount));
        self
    }

    /// Sets the paying user.
    pub fn from_user(mut self, from_user: impl Into<String>) -> Self {
        self.from_user = Some(from_user.into());
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the metadata.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = Some(metadata);
        self
    }
}

/// Reads an optional Unix time given as an integer or as a string of digits.
fn int_or_numeric_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a Unix time as an integer or a numeric string")
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            i64::try_from(v)
                .map(Some)
                .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let t = v.trim();
            if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                t.parse()
                    .map(Some)
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            } else {
                Err(E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
    }
    d.deserialize_option(V)
}
