//! Settle accounts (`/v1/apps/{app}/users/{user}/settle_accounts`): a user's saved payout
//! destinations, so that a withdrawal can name `settle_account` instead of `channel` +
//! `extra`.
//!
//! Source: the Go SDK (`settleAccount` client, `SettleAccount` / `Recipient` types and its
//! settle-account demo), protocol notes §5.6.

use serde::de::{self, Deserializer, Error as _};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::common::JsonMap;
use crate::enums::{RecipientType, SettleAccountChannel};

wire_object! {
    /// A settle account (`object: "settle_account"`, numeric-looking string ids).
    ///
    /// Parsing keeps the shape the server sent and serializing writes it back
    /// unchanged; unknown fields are kept in [`SettleAccount::other`].
    ///
    /// ```
    /// use pingpp_types::{RecipientType, SettleAccount, SettleAccountChannel};
    /// let account: SettleAccount = serde_json::from_str(r#"{
    ///     "id": "320217031816231000001001", "object": "settle_account", "created": 1489827943,
    ///     "channel": "bank_account",
    ///     "recipient": {"account": "6214666666666666", "name": "张三", "type": "b2c",
    ///                   "open_bank": "招商银行", "open_bank_code": "0308"}
    /// }"#).unwrap();
    /// assert_eq!(account.channel, SettleAccountChannel::BankAccount);
    /// assert_eq!(account.recipient.kind, Some(RecipientType::B2c));
    /// ```
    pub struct SettleAccount {
        /// Settle account id.
        pub id: String = "id" [required],
        /// Object type, `"settle_account"`.
        pub object: String = "object" [default = "settle_account"],
        /// Creation time (Unix seconds).
        pub created: i64 = "created" [required],
        /// Channel: `bank_account`, `alipay` or `wx_pub`.
        pub channel: SettleAccountChannel = "channel" [required],
        /// Who is paid.
        pub recipient: SettleAccountRecipient = "recipient" [required],
    }
}

impl SettleAccount {
    /// A settle account with the given id, creation time, channel and recipient.
    pub fn new(
        id: impl Into<String>,
        created: i64,
        channel: SettleAccountChannel,
        recipient: SettleAccountRecipient,
    ) -> Self {
        Self {
            id: id.into(),
            object: "settle_account".to_owned(),
            created,
            channel,
            recipient,
            other: JsonMap::new(),
            shape: Self::BLANK_SHAPE,
        }
    }
}

wire_object! {
    /// The `recipient` of a [`SettleAccount`], as the server reports it.
    pub struct SettleAccountRecipient {
        /// Card number, Alipay account or WeChat open id.
        pub account: Option<String> = "account" [nullable],
        /// Recipient's name.
        pub name: Option<String> = "name" [optional],
        /// Transfer type: `b2c` or `b2b` (`type` on the wire).
        pub kind: Option<RecipientType> = "type" [optional],
        /// Bank name (bank accounts).
        pub open_bank: Option<String> = "open_bank" [optional],
        /// Bank code (bank accounts).
        pub open_bank_code: Option<String> = "open_bank_code" [optional],
        /// Whether WeChat checks the name (`wx_pub`; ignored without a name).
        pub force_check: Option<bool> = "force_check" [optional],
    }
}

impl SettleAccountRecipient {
    /// A recipient with only an account.
    pub fn new(account: impl Into<String>) -> Self {
        Self {
            account: Some(account.into()),
            name: None,
            kind: None,
            open_bank: None,
            open_bank_code: None,
            force_check: None,
            other: JsonMap::new(),
            shape: Self::BLANK_SHAPE,
        }
    }
}

/// `recipient` of a `bank_account` settle account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BankAccountRecipient {
    /// Card number.
    pub account: String,
    /// Account holder's name.
    pub name: String,
    /// Transfer type (`type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<RecipientType>,
    /// Bank name, e.g. `招商银行`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_bank: Option<String>,
    /// Bank code, e.g. `0308`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_bank_code: Option<String>,
}

impl BankAccountRecipient {
    /// A bank card recipient.
    pub fn new(account: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            account: account.into(),
            name: name.into(),
            kind: None,
            open_bank: None,
            open_bank_code: None,
        }
    }

    /// Sets the transfer type.
    pub fn kind(mut self, kind: RecipientType) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Sets the bank name.
    pub fn open_bank(mut self, open_bank: impl Into<String>) -> Self {
        self.open_bank = Some(open_bank.into());
        self
    }

    /// Sets the bank code.
    pub fn open_bank_code(mut self, open_bank_code: impl Into<String>) -> Self {
        self.open_bank_code = Some(open_bank_code.into());
        self
    }
}

/// `recipient` of an `alipay` settle account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AlipayRecipient {
    /// Alipay account.
    pub account: String,
    /// Account holder's real name.
    pub name: String,
    /// Transfer type (`type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<RecipientType>,
}

impl AlipayRecipient {
    /// An Alipay recipient.
    pub fn new(account: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            account: account.into(),
            name: name.into(),
            kind: None,
        }
    }

    /// Sets the transfer type.
    pub fn kind(mut self, kind: RecipientType) -> Self {
        self.kind = Some(kind);
        self
    }
}

/// `recipient` of a `wx_pub` settle account: the open id goes in `account`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WxPubRecipient {
    /// The recipient's WeChat open id (`account` on the wire).
    #[serde(rename = "account")]
    pub open_id: String,
    /// Recipient's real name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Transfer type (`type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<RecipientType>,
    /// Whether WeChat checks `name`; without a name the server ignores it, so it then has
    /// no effect (Go SDK demo: "仅当 name 参数不为空时该参数生效").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_check: Option<bool>,
}

impl WxPubRecipient {
    /// A WeChat recipient by open id.
    pub fn new(open_id: impl Into<String>) -> Self {
        Self {
            open_id: open_id.into(),
            name: None,
            kind: None,
            force_check: None,
        }
    }

    /// Sets the recipient's name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the transfer type.
    pub fn kind(mut self, kind: RecipientType) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Sets `force_check`; it has no effect unless a name is given too.
    pub fn force_check(mut self, force_check: bool) -> Self {
        self.force_check = Some(force_check);
        self
    }
}

/// Body of `POST /v1/apps/{app}/users/{user}/settle_accounts`: a channel and its typed
/// recipient, sent as `{"channel": "...", "recipient": {...}}`.
///
/// ```
/// use pingpp_types::{BankAccountRecipient, CreateSettleAccount, RecipientType, Validate};
/// let params = CreateSettleAccount::BankAccount(
///     BankAccountRecipient::new("6214666666666666", "张三")
///         .kind(RecipientType::B2c)
///         .open_bank("招商银行")
///         .open_bank_code("0308"),
/// );
/// params.validate().unwrap();
/// let json = serde_json::to_value(&params).unwrap();
/// assert_eq!(json["channel"], "bank_account");
/// assert_eq!(json["recipient"]["type"], "b2c");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CreateSettleAccount {
    /// `bank_account`.
    BankAccount(BankAccountRecipient),
    /// `alipay`.
    Alipay(AlipayRecipient),
    /// `wx_pub`.
    WxPub(WxPubRecipient),
}

impl CreateSettleAccount {
    /// The channel of this settle account.
    pub fn channel(&self) -> SettleAccountChannel {
        match self {
            Self::BankAccount(_) => SettleAccountChannel::BankAccount,
            Self::Alipay(_) => SettleAccountChannel::Alipay,
            Self::WxPub(_) => SettleAccountChannel::WxPub,
        }
    }

    /// The recipient as JSON (what the server stores as `recipient`).
    pub fn recipient_json(&self) -> Value {
        // Plain structs of strings: serializing them cannot fail.
        let v = match self {
            Self::BankAccount(r) => serde_json::to_value(r),
            Self::Alipay(r) => serde_json::to_value(r),
            Self::WxPub(r) => serde_json::to_value(r),
        };
        v.unwrap_or(Value::Null)
    }
}

impl From<BankAccountRecipient> for CreateSettleAccount {
    fn from(r: BankAccountRecipient) -> Self {
        Self::BankAccount(r)
    }
}

impl From<AlipayRecipient> for CreateSettleAccount {
    fn from(r: AlipayRecipient) -> Self {
        Self::Alipay(r)
    }
}

impl From<WxPubRecipient> for CreateSettleAccount {
    fn from(r: WxPubRecipient) -> Self {
        Self::WxPub(r)
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum RecipientRef<'a> {
    Bank(&'a BankAccountRecipient),
    Alipay(&'a AlipayRecipient),
    WxPub(&'a WxPubRecipient),
}

#[derive(Serialize)]
struct CreateSer<'a> {
    channel: SettleAccountChannel,
    recipient: RecipientRef<'a>,
}

impl Serialize for CreateSettleAccount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        CreateSer {
            channel: self.channel(),
            recipient: match self {
                Self::BankAccount(r) => RecipientRef::Bank(r),
                Self::Alipay(r) => RecipientRef::Alipay(r),
                Self::WxPub(r) => RecipientRef::WxPub(r),
            },
        }
        .serialize(s)
    }
}

#[derive(Deserialize)]
struct CreateDe {
    channel: SettleAccountChannel,
    #[serde(deserialize_with = "crate::strict::value")]
    recipient: Value,
}

impl<'de> Deserialize<'de> for CreateSettleAccount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = CreateDe::deserialize(d)?;
        let typed = match &w.channel {
            SettleAccountChannel::BankAccount => {
                BankAccountRecipient::deserialize(w.recipient).map(Self::BankAccount)
            }
            SettleAccountChannel::Alipay => {
                AlipayRecipient::deserialize(w.recipient).map(Self::Alipay)
            }
            SettleAccountChannel::WxPub => {
                WxPubRecipient::deserialize(w.recipient).map(Self::WxPub)
            }
            other => {
                return Err(de::Error::invalid_value(
                    de::Unexpected::Str(other.as_str()),
                    &"one of bank_account, alipay, wx_pub",
                ));
            }
        };
        typed.map_err(|e| D::Error::custom(format_args!("invalid `recipient`: {e}")))
    }
}

wire_object! {
    /// The answer to a delete: `{"id": "...", "deleted": true}`.
    pub struct Deleted {
        /// Id of the deleted object.
        pub id: String = "id" [required],
        /// Whether it was deleted.
        pub deleted: bool = "deleted" [default = false],
    }
}

impl Deleted {
    /// `{"id": id, "deleted": true}`.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            deleted: true,
            other: JsonMap::new(),
            shape: Self::BLANK_SHAPE,
        }
    }
}
