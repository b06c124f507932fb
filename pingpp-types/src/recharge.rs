//! Recharges: the [`Recharge`] object and [`CreateRecharge`] parameters.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::common::{JsonMap, Metadata, null_as_default};

/// A recharge object (`object: "recharge"`).
///
/// The embedded `charge` (and `balance_bonus`) are kept as raw JSON: they are
/// Ping++ payment objects outside the account system. Every field is always
/// serialized; unknown fields are kept in [`Recharge::other`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recharge {
    /// Recharge id.
    pub id: String,
    /// Object type, `"recharge"`.
    #[serde(default = "recharge_object")]
    pub object: String,
    /// App id.
    #[serde(default)]
    pub app: Option<String>,
    /// Creation time (Unix seconds).
    pub created: i64,
    /// Live mode.
    #[serde(default)]
    pub livemode: bool,
    /// Amount in fen.
    pub amount: i64,
    /// Whether the recharge succeeded.
    #[serde(default)]
    pub succeeded: bool,
    /// Time it succeeded (Unix seconds).
    #[serde(default)]
    pub time_succeeded: Option<i64>,
    /// Whether it was refunded.
    #[serde(default)]
    pub refunded: bool,
    /// User credited.
    #[serde(default)]
    pub user: Option<String>,
    /// User who paid, when different.
    #[serde(default)]
    pub from_user: Option<String>,
    /// Fee in fen borne by the user.
    #[serde(default)]
    pub user_fee: Option<i64>,
    /// The embedded charge object (raw JSON; may also be a charge id string).
    #[serde(default)]
    pub charge: Option<Value>,
    /// Bonus granted with the recharge (raw JSON).
    #[serde(default)]
    pub balance_bonus: Option<Value>,
    /// Balance transaction id.
    #[serde(default)]
    pub balance_transaction: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Merchant metadata (`null` reads as empty).
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
    /// Fields this SDK does not know, kept verbatim.
    #[serde(flatten)]
    pub other: JsonMap,
}

fn recharge_object() -> String {
    "recharge".to_owned()
}

impl Recharge {
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
pub struct CreateRechargeCharge {
    /// Amount in fen (> 0).
    pub amount: i64,
    /// Payment channel of the charge (e.g. `alipay`, `wx`, `upacp`).
    pub channel: String,
    /// Charge order number.
    pub order_no: String,
    /// Subject, at most 32 characters.
    pub subject: String,
    /// Body, at most 128 characters.
    pub body: String,
    /// Client IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<String>,
    /// Expiry time (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_expire: Option<i64>,
    /// Channel-specific extra parameters of the charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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

/// Parameters of `POST /v1/apps/{app}/recharges`.
///
/// ```
/// use pingpp_types::{CreateRecharge, CreateRechargeCharge, Validate};
/// let params = CreateRecharge::new(
///     "user_001",
///     CreateRechargeCharge::new(1000, "alipay", "R2026113000001", "余额充值", "充值 10 元"),
/// );
/// params.validate().unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateRecharge {
    /// User to credit (required).
    pub user: String,
    /// The payment.
    pub charge: CreateRechargeCharge,
    /// Fee in fen borne by the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_fee: Option<i64>,
    /// Bonus in fen granted with the recharge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance_bonus: Option<i64>,
    /// User who pays, when different from `user`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_user: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Merchant metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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

    /// Sets the bonus.
    pub fn balance_bonus(mut self, balance_bonus: i64) -> Self {
        self.balance_bonus = Some(balance_bonus);
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
