//! Withdrawals: the [`Withdrawal`] object, typed channel destinations and the
//! create / update parameters.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Error as _, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::common::{JsonMap, Metadata};
use crate::enums::{AlipayAccountType, Channel, WithdrawalStatus};
use crate::strict::StrictValue;
use crate::wire::W;

wire_object! {
    /// A withdrawal object (`object: "withdrawal"`, numeric-looking string ids).
    ///
    /// The server may send most string fields as `null` or `""`, so they are
    /// `Option<String>`; `""` stays `Some("")` (a withdrawal just created has
    /// `"asset_transaction": ""`). Parsing keeps the shape the server sent and
    /// serializing writes it back unchanged; a withdrawal built with
    /// [`Withdrawal::new`] writes every documented field (`null` when `None`).
    /// Unknown top-level fields are kept in [`Withdrawal::other`]. The response
    /// [`Withdrawal::extra`] is kept as a JSON map with every key, known or not (the
    /// server answers unionpay `card_number` / `user_name` where the request said
    /// `account` / `name`); [`Withdrawal::channel_extra`] reads a typed view of it.
    pub struct Withdrawal {
        /// Withdrawal id.
        pub id: String = "id" [required],
        /// Object type, `"withdrawal"`.
        pub object: String = "object" [default = "withdrawal"],
        /// App id.
        pub app: Option<String> = "app" [nullable],
        /// Amount in fen deducted from the user's balance.
        pub amount: i64 = "amount" [required],
        /// Asset transaction id (`""` until money moves).
        pub asset_transaction: Option<String> = "asset_transaction" [nullable],
        /// Balance transaction id (`""` until money moves).
        pub balance_transaction: Option<String> = "balance_transaction" [nullable],
        /// Channel; `None` for some settle-account withdrawals.
        pub channel: Option<Channel> = "channel" [nullable],
        /// Creation time (Unix seconds).
        pub created: i64 = "created" [required],
        /// Description.
        pub description: Option<String> = "description" [nullable],
        /// Recipient details as the server reports them, with every key it sent
        /// (`null` and absent read as empty).
        pub extra: JsonMap = "extra" [map],
        /// Failure message (often Chinese).
        pub failure_msg: Option<String> = "failure_msg" [nullable],
        /// Fee in fen.
        pub fee: Option<i64> = "fee" [nullable],
        /// Live mode (`false` in test mode).
        pub livemode: bool = "livemode" [default = false],
        /// Merchant metadata (`null` and absent read as empty).
        pub metadata: Metadata = "metadata" [map],
        /// Operation URL.
        pub operation_url: Option<String> = "operation_url" [nullable],
        /// Merchant order number.
        pub order_no: Option<String> = "order_no" [nullable],
        /// Source: the transfer (`tr_...`) once confirmed, or the batch withdrawal id.
        pub source: Option<String> = "source" [nullable],
        /// Status.
        pub status: WithdrawalStatus = "status" [required],
        /// Cancel time (Unix seconds).
        pub time_canceled: Option<i64> = "time_canceled" [nullable],
        /// Success time (Unix seconds).
        pub time_succeeded: Option<i64> = "time_succeeded" [nullable],
        /// User id.
        pub user: Option<String> = "user" [nullable],
        /// Fee in fen borne by the user.
        pub user_fee: Option<i64> = "user_fee" [nullable],
        /// Settlement account id, for settle-account withdrawals.
        pub settle_account: Option<String> = "settle_account" [nullable],
    }
}

impl Withdrawal {
    /// A withdrawal with the given id, amount, creation time and status; every other
    /// field empty (for tests and for building responses).
    pub fn new(id: impl Into<String>, amount: i64, created: i64, status: WithdrawalStatus) -> Self {
        Self {
            id: id.into(),
            object: "withdrawal".to_owned(),
            app: None,
            amount,
            asset_transaction: None,
            balance_transaction: None,
            channel: None,
            created,
            description: None,
            extra: JsonMap::new(),
            failure_msg: None,
            fee: None,
            livemode: false,
            metadata: Metadata::new(),
            operation_url: None,
            order_no: None,
            source: None,
            status,
            time_canceled: None,
            time_succeeded: None,
            user: None,
            user_fee: None,
            settle_account: None,
            other: JsonMap::new(),
            shape: Self::BLANK_SHAPE,
        }
    }

    /// A string value of the response `extra`, if present and a string.
    pub fn extra_str(&self, key: &str) -> Option<&str> {
        self.extra.get(key).and_then(Value::as_str)
    }

    /// The WeChat `open_id` of the recipient, read from `extra.open_id` or,
    /// failing that, `extra.openid`.
    pub fn open_id(&self) -> Option<&str> {
        self.extra_str("open_id")
            .or_else(|| self.extra_str("openid"))
    }

    /// A typed view of the response `extra`, if the channel is known and the
    /// extra carries the fields the channel requires.
    ///
    /// Reading is lenient: WeChat's `openid` is accepted for `open_id`, and the
    /// older unionpay names `card_number` / `user_name` for `account` / `name`.
    /// Keys the typed view does not know stay in [`Withdrawal::extra`].
    pub fn channel_extra(&self) -> Option<ChannelExtra> {
        let channel = self.channel.as_ref()?;
        let mut extra = self.extra.clone();
        normalize_extra(&mut extra);
        ChannelExtra::from_parts(channel, Value::Object(extra)).ok()
    }
}

/// Renames alternative spellings to the documented key, unless the documented
/// key is already there.
fn normalize_extra(extra: &mut JsonMap) {
    for (alt, canonical) in [
        ("openid", "open_id"),
        ("card_number", "account"),
        ("user_name", "name"),
    ] {
        if extra.contains_key(canonical) {
            extra.remove(alt);
        } else if let Some(v) = extra.remove(alt) {
            extra.insert(canonical.to_owned(), v);
        }
    }
}

/// The bank of a unionpay withdrawal: `open_bank_code` (preferred) or
/// `open_bank`, or both. The type makes it impossible to give neither.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "UnionpayBankWire", into = "UnionpayBankWire")]
#[non_exhaustive]
pub enum UnionpayBank {
    /// Bank code (`open_bank_code`), e.g. `0308` for China Merchants Bank.
    Code(String),
    /// Bank name (`open_bank`), e.g. `招商银行`.
    Name(String),
    /// Both the code and the name.
    Both {
        /// `open_bank_code`.
        code: String,
        /// `open_bank`.
        name: String,
    },
}

impl UnionpayBank {
    /// The `open_bank_code`, if given.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Code(c) | Self::Both { code: c, .. } => Some(c),
            Self::Name(_) => None,
        }
    }

    /// The `open_bank` name, if given.
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Name(n) | Self::Both { name: n, .. } => Some(n),
            Self::Code(_) => None,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct UnionpayBankWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    open_bank_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    open_bank: Option<String>,
}

impl TryFrom<UnionpayBankWire> for UnionpayBank {
    type Error = &'static str;
    fn try_from(w: UnionpayBankWire) -> Result<Self, Self::Error> {
        match (w.open_bank_code, w.open_bank) {
            (Some(code), Some(name)) => Ok(Self::Both { code, name }),
            (Some(code), None) => Ok(Self::Code(code)),
            (None, Some(name)) => Ok(Self::Name(name)),
            (None, None) => Err("unionpay extra needs `open_bank_code` or `open_bank`"),
        }
    }
}

impl From<UnionpayBank> for UnionpayBankWire {
    fn from(b: UnionpayBank) -> Self {
        match b {
            UnionpayBank::Code(c) => Self {
                open_bank_code: Some(c),
                open_bank: None,
            },
            UnionpayBank::Name(n) => Self {
                open_bank_code: None,
                open_bank: Some(n),
            },
            UnionpayBank::Both { code, name } => Self {
                open_bank_code: Some(code),
                open_bank: Some(name),
            },
        }
    }
}

/// `extra` of a `unionpay` withdrawal.
///
/// Sent as `account` / `name`; the older names `card_number` / `user_name` (which
/// the server uses in its answers, and the Node SDK's docs in requests) are accepted
/// when reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UnionpayExtra {
    /// Card or passbook number (older responses call it `card_number`).
    #[serde(alias = "card_number")]
    pub account: String,
    /// Account holder's name (older responses call it `user_name`).
    #[serde(alias = "user_name")]
    pub name: String,
    /// `open_bank_code` and/or `open_bank`.
    #[serde(flatten)]
    pub bank: UnionpayBank,
    /// Province of the bank branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prov: Option<String>,
    /// City of the bank branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Bank branch name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_bank: Option<String>,
}

impl UnionpayExtra {
    /// Unionpay extra with the required fields.
    pub fn new(account: impl Into<String>, name: impl Into<String>, bank: UnionpayBank) -> Self {
        Self {
            account: account.into(),
            name: name.into(),
            bank,
            prov: None,
            city: None,
            sub_bank: None,
        }
    }

    /// Sets the province of the branch.
    pub fn prov(mut self, prov: impl Into<String>) -> Self {
        self.prov = Some(prov.into());
        self
    }

    /// Sets the city of the branch.
    pub fn city(mut self, city: impl Into<String>) -> Self {
        self.city = Some(city.into());
        self
    }

    /// Sets the branch name.
    pub fn sub_bank(mut self, sub_bank: impl Into<String>) -> Self {
        self.sub_bank = Some(sub_bank.into());
        self
    }
}

/// `extra` of an `alipay` withdrawal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AlipayExtra {
    /// Alipay account (user id or logon id).
    pub account: String,
    /// Account holder's real name (the server answers `user_name`, accepted when
    /// reading).
    #[serde(alias = "user_name")]
    pub name: String,
    /// Kind of `account`; when `ALIPAY_USERID`, the account must be a
    /// 16-digit number starting with `2088`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<AlipayAccountType>,
}

impl AlipayExtra {
    /// Alipay extra with the required fields.
    pub fn new(account: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            account: account.into(),
            name: name.into(),
            account_type: None,
        }
    }

    /// Sets the account type.
    pub fn account_type(mut self, account_type: AlipayAccountType) -> Self {
        self.account_type = Some(account_type);
        self
    }
}

/// `extra` of a WeChat withdrawal (`wx`, `wx_pub`, `wx_lite`).
///
/// Serialized as `open_id` (the Go SDK's spelling); `openid` (several documentation
/// samples) is accepted when reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WxExtra {
    /// The recipient's WeChat open id.
    #[serde(alias = "openid")]
    pub open_id: String,
    /// Recipient's real name, checked by WeChat when `force_check` is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether WeChat must check `name`. Without `name` the server ignores it (the Go
    /// SDK's settle-account demo: "仅当 name 参数不为空时该参数生效"), so it then has no
    /// effect; it is sent as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_check: Option<bool>,
}

impl WxExtra {
    /// WeChat extra with the required open id.
    pub fn new(open_id: impl Into<String>) -> Self {
        Self {
            open_id: open_id.into(),
            name: None,
            force_check: None,
        }
    }

    /// Sets the recipient's name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the recipient's name and asks WeChat to check it.
    pub fn checked_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self.force_check = Some(true);
        self
    }

    /// Sets `force_check`; it has no effect unless a name is given too.
    pub fn force_check(mut self, force_check: bool) -> Self {
        self.force_check = Some(force_check);
        self
    }
}

/// `extra` of an `allinpay` withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AllinpayExtra {
    /// Card or passbook number.
    pub account: String,
    /// Account holder's name.
    pub name: String,
    /// Bank code.
    pub open_bank_code: String,
    /// Business code (the server defaults to `09900`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_code: Option<String>,
    /// Card type: `0` bank card, `1` passbook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_type: Option<u8>,
}

impl AllinpayExtra {
    /// Allinpay extra with the required fields.
    pub fn new(
        account: impl Into<String>,
        name: impl Into<String>,
        open_bank_code: impl Into<String>,
    ) -> Self {
        Self {
            account: account.into(),
            name: name.into(),
            open_bank_code: open_bank_code.into(),
            business_code: None,
            card_type: None,
        }
    }

    /// Sets the business code.
    pub fn business_code(mut self, business_code: impl Into<String>) -> Self {
        self.business_code = Some(business_code.into());
        self
    }

    /// Sets the card type (`0` bank card, `1` passbook).
    pub fn card_type(mut self, card_type: u8) -> Self {
        self.card_type = Some(card_type);
        self
    }
}

/// `extra` of a `jdpay` withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JdpayExtra {
    /// Card number.
    pub account: String,
    /// Account holder's name.
    pub name: String,
    /// Bank code.
    pub open_bank_code: String,
}

impl JdpayExtra {
    /// JD Pay extra with the required fields.
    pub fn new(
        account: impl Into<String>,
        name: impl Into<String>,
        open_bank_code: impl Into<String>,
    ) -> Self {
        Self {
            account: account.into(),
            name: name.into(),
            open_bank_code: open_bank_code.into(),
        }
    }
}

/// A withdrawal channel together with its typed `extra`.
///
/// Serializes as `{"channel": "...", "extra": {...}}`; inside
/// [`CreateWithdrawal`] these two keys sit at the top level of the body.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ChannelExtra {
    /// `unionpay`.
    Unionpay(UnionpayExtra),
    /// `alipay`.
    Alipay(AlipayExtra),
    /// `wx`.
    Wx(WxExtra),
    /// `wx_pub`.
    WxPub(WxExtra),
    /// `wx_lite`.
    WxLite(WxExtra),
    /// `allinpay`.
    Allinpay(AllinpayExtra),
    /// `jdpay`.
    Jdpay(JdpayExtra),
}

impl ChannelExtra {
    /// The channel of this destination.
    pub fn channel(&self) -> Channel {
        match self {
            Self::Unionpay(_) => Channel::Unionpay,
            Self::Alipay(_) => Channel::Alipay,
            Self::Wx(_) => Channel::Wx,
            Self::WxPub(_) => Channel::WxPub,
            Self::WxLite(_) => Channel::WxLite,
            Self::Allinpay(_) => Channel::Allinpay,
            Self::Jdpay(_) => Channel::Jdpay,
        }
    }

    /// Builds the typed extra of `channel` from a JSON `extra` object.
    ///
    /// Fails for an unknown channel, or when `extra` lacks a field the
    /// channel requires.
    pub fn from_parts(channel: &Channel, extra: Value) -> Result<Self, serde_json::Error> {
        Self::from_deserializer(channel, extra)
    }

    /// Reads the typed extra of `channel` from `d`, refusing duplicate keys.
    fn from_deserializer<'de, D: Deserializer<'de>>(
        channel: &Channel,
        d: D,
    ) -> Result<Self, D::Error> {
        if !is_withdrawal_channel(channel) {
            return Err(D::Error::custom(format_args!(
                "unsupported withdrawal channel `{channel}`"
            )));
        }
        // Through a strict value first: a key repeated in `extra` is refused.
        let extra = StrictValue.deserialize(d)?;
        let typed = match channel {
            Channel::Unionpay => UnionpayExtra::deserialize(extra).map(Self::Unionpay),
            Channel::Alipay => AlipayExtra::deserialize(extra).map(Self::Alipay),
            Channel::Wx => WxExtra::deserialize(extra).map(Self::Wx),
            Channel::WxPub => WxExtra::deserialize(extra).map(Self::WxPub),
            Channel::WxLite => WxExtra::deserialize(extra).map(Self::WxLite),
            Channel::Allinpay => AllinpayExtra::deserialize(extra).map(Self::Allinpay),
            _ => JdpayExtra::deserialize(extra).map(Self::Jdpay),
        };
        typed.map_err(D::Error::custom)
    }

    fn body(&self) -> ExtraBody<'_> {
        ExtraBody(self)
    }
}

/// Serializes only the inner extra struct of a [`ChannelExtra`].
struct ExtraBody<'a>(&'a ChannelExtra);

impl Serialize for ExtraBody<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            ChannelExtra::Unionpay(e) => e.serialize(s),
            ChannelExtra::Alipay(e) => e.serialize(s),
            ChannelExtra::Wx(e) | ChannelExtra::WxPub(e) | ChannelExtra::WxLite(e) => {
                e.serialize(s)
            }
            ChannelExtra::Allinpay(e) => e.serialize(s),
            ChannelExtra::Jdpay(e) => e.serialize(s),
        }
    }
}

#[derive(Serialize)]
struct ChannelExtraSer<'a> {
    channel: Channel,
    extra: ExtraBody<'a>,
}

#[derive(Deserialize)]
struct ChannelExtraDe {
    channel: Channel,
    #[serde(deserialize_with = "crate::strict::value")]
    extra: Value,
}

impl Serialize for ChannelExtra {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ChannelExtraSer {
            channel: self.channel(),
            extra: self.body(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for ChannelExtra {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = ChannelExtraDe::deserialize(d)?;
        Self::from_parts(&w.channel, w.extra).map_err(D::Error::custom)
    }
}

impl From<UnionpayExtra> for ChannelExtra {
    fn from(e: UnionpayExtra) -> Self {
        Self::Unionpay(e)
    }
}

impl From<AlipayExtra> for ChannelExtra {
    fn from(e: AlipayExtra) -> Self {
        Self::Alipay(e)
    }
}

impl From<AllinpayExtra> for ChannelExtra {
    fn from(e: AllinpayExtra) -> Self {
        Self::Allinpay(e)
    }
}

impl From<JdpayExtra> for ChannelExtra {
    fn from(e: JdpayExtra) -> Self {
        Self::Jdpay(e)
    }
}

/// Where a withdrawal is paid to: a channel with its extra, or a settlement
/// account bound to the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WithdrawalDestination {
    /// Pay through a channel (`channel` + `extra` on the wire).
    Channel(ChannelExtra),
    /// Pay to a settlement account id (`settle_account` on the wire).
    SettleAccount(String),
}

impl From<ChannelExtra> for WithdrawalDestination {
    fn from(e: ChannelExtra) -> Self {
        Self::Channel(e)
    }
}

impl WithdrawalDestination {
    /// The channel, for a channel destination.
    pub fn channel(&self) -> Option<Channel> {
        match self {
            Self::Channel(e) => Some(e.channel()),
            Self::SettleAccount(_) => None,
        }
    }
}

/// Whether `channel` is one of the seven withdrawal channels.
fn is_withdrawal_channel(channel: &Channel) -> bool {
    matches!(
        channel,
        Channel::Unionpay
            | Channel::Alipay
            | Channel::Wx
            | Channel::WxPub
            | Channel::WxLite
            | Channel::Allinpay
            | Channel::Jdpay
    )
}

/// Parameters of `POST /v1/apps/{app}/withdrawals`.
///
/// On the wire the destination is flat: either `channel` + `extra`, or
/// `settle_account`. When reading a body that has both, the channel wins (as
/// on the server, which then ignores the settle account).
///
/// `user_fee` is always sent, `0` unless set: the withdrawal guide marks it
/// required ("必传") and the Go SDK always sends it. Reading a body without it
/// fails, as the server refuses one.
///
/// ```
/// use pingpp_types::{AlipayExtra, ChannelExtra, CreateWithdrawal, Validate};
/// let params = CreateWithdrawal::new(
///     "user_001",
///     20_000,
///     "2026113000001",
///     ChannelExtra::Alipay(AlipayExtra::new("someone@example.com", "张三")),
/// )
/// .description("余额提现");
/// params.validate().unwrap();
/// let json = serde_json::to_value(&params).unwrap();
/// assert_eq!(json["channel"], "alipay");
/// assert_eq!(json["extra"]["name"], "张三");
/// assert_eq!(json["user_fee"], 0);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CreateWithdrawal {
    /// User id (required).
    pub user: String,
    /// Amount in fen deducted from the user's balance (required, > 0).
    pub amount: i64,
    /// Fee in fen borne by the user (0 ≤ user_fee ≤ amount; always sent, 0 by default).
    pub user_fee: i64,
    /// Merchant order number (required, unique; unionpay: at most 16 digits).
    pub order_no: String,
    /// Description, at most 60 characters.
    pub description: Option<String>,
    /// Merchant metadata.
    pub metadata: Option<Metadata>,
    /// Channel + extra, or settle account.
    pub destination: WithdrawalDestination,
}

impl CreateWithdrawal {
    /// Parameters with the required fields (`user_fee` 0).
    pub fn new(
        user: impl Into<String>,
        amount: i64,
        order_no: impl Into<String>,
        destination: impl Into<WithdrawalDestination>,
    ) -> Self {
        Self {
            user: user.into(),
            amount,
            user_fee: 0,
            order_no: order_no.into(),
            description: None,
            metadata: None,
            destination: destination.into(),
        }
    }

    /// Parameters paying to a settlement account bound to the user.
    pub fn to_settle_account(
        user: impl Into<String>,
        amount: i64,
        order_no: impl Into<String>,
        settle_account: impl Into<String>,
    ) -> Self {
        Self::new(
            user,
            amount,
            order_no,
            WithdrawalDestination::SettleAccount(settle_account.into()),
        )
    }

    /// Sets the fee borne by the user.
    pub fn user_fee(mut self, user_fee: i64) -> Self {
        self.user_fee = user_fee;
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

    /// Adds one metadata entry.
    pub fn metadata_entry(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.metadata
            .get_or_insert_with(Metadata::new)
            .insert(key.into(), value.into());
        self
    }
}

#[derive(Serialize)]
struct CreateWithdrawalSer<'a> {
    user: &'a str,
    amount: i64,
    user_fee: i64,
    order_no: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<&'a Metadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<Channel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extra: Option<ExtraBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    settle_account: Option<&'a str>,
}

impl Serialize for CreateWithdrawal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (channel, extra, settle_account) = match &self.destination {
            WithdrawalDestination::Channel(e) => (Some(e.channel()), Some(e.body()), None),
            WithdrawalDestination::SettleAccount(a) => (None, None, Some(a.as_str())),
        };
        CreateWithdrawalSer {
            user: &self.user,
            amount: self.amount,
            user_fee: self.user_fee,
            order_no: &self.order_no,
            description: self.description.as_deref(),
            metadata: self.metadata.as_ref(),
            channel,
            extra,
            settle_account,
        }
        .serialize(s)
    }
}

/// Reads `extra` once the channel is known, so that an error in it is reported
/// under `extra` (e.g. by `serde_path_to_error`).
struct ExtraSeed<'a>(&'a Channel);

impl<'de> DeserializeSeed<'de> for ExtraSeed<'_> {
    type Value = ChannelExtra;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ChannelExtra, D::Error> {
        ChannelExtra::from_deserializer(self.0, d)
    }
}

/// `extra` as read: typed when `channel` came first, else raw until the end.
enum ExtraRead {
    Typed(ChannelExtra),
    Raw(Value),
}

impl<'de> Deserialize<'de> for CreateWithdrawal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(CreateWithdrawalVisitor)
    }
}

struct CreateWithdrawalVisitor;

impl<'de> Visitor<'de> for CreateWithdrawalVisitor {
    type Value = CreateWithdrawal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("withdrawal parameters (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CreateWithdrawal, A::Error> {
        fn once<T, E: de::Error>(slot: &Option<T>, name: &'static str) -> Result<(), E> {
            if slot.is_some() {
                Err(E::duplicate_field(name))
            } else {
                Ok(())
            }
        }
        let mut user: Option<String> = None;
        let mut amount: Option<i64> = None;
        let mut user_fee: Option<i64> = None;
        let mut order_no: Option<String> = None;
        let mut description: Option<Option<String>> = None;
        let mut metadata: Option<Option<Metadata>> = None;
        let mut channel: Option<Option<Channel>> = None;
        let mut extra: Option<ExtraRead> = None;
        let mut settle_account: Option<Option<String>> = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "user" => {
                    once(&user, "user")?;
                    user = Some(map.next_value()?);
                }
                "amount" => {
                    once(&amount, "amount")?;
                    amount = Some(map.next_value()?);
                }
                "user_fee" => {
                    once(&user_fee, "user_fee")?;
                    user_fee = Some(map.next_value()?);
                }
                "order_no" => {
                    once(&order_no, "order_no")?;
                    order_no = Some(map.next_value()?);
                }
                "description" => {
                    once(&description, "description")?;
                    description = Some(map.next_value()?);
                }
                "metadata" => {
                    once(&metadata, "metadata")?;
                    metadata = Some(map.next_value::<W<Option<Metadata>>>()?.0);
                }
                "channel" => {
                    once(&channel, "channel")?;
                    let c: Option<Channel> = map.next_value()?;
                    if let Some(c) = &c
                        && !is_withdrawal_channel(c)
                    {
                        return Err(de::Error::invalid_value(
                            de::Unexpected::Str(c.as_str()),
                            &"one of unionpay, alipay, wx, wx_pub, wx_lite, allinpay, jdpay",
                        ));
                    }
                    channel = Some(c);
                }
                "extra" => {
                    once(&extra, "extra")?;
                    extra = Some(match channel.as_ref() {
                        Some(Some(c)) => ExtraRead::Typed(map.next_value_seed(ExtraSeed(c))?),
                        _ => ExtraRead::Raw(map.next_value_seed(StrictValue)?),
                    });
                }
                "settle_account" => {
                    once(&settle_account, "settle_account")?;
                    settle_account = Some(map.next_value()?);
                }
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        let destination = match (channel.flatten(), settle_account.flatten()) {
            (Some(channel), _) => WithdrawalDestination::Channel(match extra {
                Some(ExtraRead::Typed(e)) => e,
                Some(ExtraRead::Raw(v)) => ChannelExtra::from_parts(&channel, v)
                    .map_err(|e| de::Error::custom(format_args!("invalid `extra`: {e}")))?,
                None => return Err(de::Error::missing_field("extra")),
            }),
            (None, Some(account)) => WithdrawalDestination::SettleAccount(account),
            (None, None) => return Err(de::Error::missing_field("channel")),
        };
        Ok(CreateWithdrawal {
            user: user.ok_or_else(|| de::Error::missing_field("user"))?,
            amount: amount.ok_or_else(|| de::Error::missing_field("amount"))?,
            user_fee: user_fee.ok_or_else(|| de::Error::missing_field("user_fee"))?,
            order_no: order_no.ok_or_else(|| de::Error::missing_field("order_no"))?,
            description: description.flatten(),
            metadata: metadata.flatten(),
            destination,
        })
    }
}

/// What to do with a created withdrawal (`PUT .../withdrawals/{id}` and batch
/// withdrawals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum WithdrawalAction {
    /// Confirm: sends `"pending"`.
    #[default]
    #[serde(rename = "pending")]
    Confirm,
    /// Cancel: sends `"canceled"`.
    #[serde(rename = "canceled")]
    Cancel,
}

impl WithdrawalAction {
    /// The wire string (`"pending"` or `"canceled"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirm => "pending",
            Self::Cancel => "canceled",
        }
    }
}

/// Body of `PUT /v1/apps/{app}/withdrawals/{id}`: `{"status":"pending"}` to
/// confirm, `{"status":"canceled"}` to cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateWithdrawal {
    /// Confirm or cancel.
    pub status: WithdrawalAction,
}

impl UpdateWithdrawal {
    /// Confirm the withdrawal.
    pub fn confirm() -> Self {
        Self {
            status: WithdrawalAction::Confirm,
        }
    }

    /// Cancel the withdrawal.
    pub fn cancel() -> Self {
        Self {
            status: WithdrawalAction::Cancel,
        }
    }
}
