//! Withdrawals: the [`Withdrawal`] object, typed channel destinations and the
//! create / update parameters.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::common::{JsonMap, Metadata, null_as_default};
use crate::enums::{AlipayAccountType, Channel, WithdrawalStatus};

/// A withdrawal object (`object: "withdrawal"`, numeric-looking string ids).
///
/// The server may send most string fields as `null` or `""`, so they are
/// `Option<String>`; `""` stays `Some("")`. Every field is always serialized
/// (`null` when `None`), and unknown top-level fields are kept in
/// [`Withdrawal::other`]. The response [`Withdrawal::extra`] is kept as a JSON
/// map with every key, known or not; [`Withdrawal::channel_extra`] reads a
/// typed view of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Withdrawal {
    /// Withdrawal id.
    pub id: String,
    /// Object type, `"withdrawal"`.
    #[serde(default = "withdrawal_object")]
    pub object: String,
    /// App id.
    #[serde(default)]
    pub app: Option<String>,
    /// Amount in fen deducted from the user's balance.
    pub amount: i64,
    /// Asset transaction id.
    #[serde(default)]
    pub asset_transaction: Option<String>,
    /// Balance transaction id.
    #[serde(default)]
    pub balance_transaction: Option<String>,
    /// Channel; `None` for some settle-account withdrawals.
    #[serde(default)]
    pub channel: Option<Channel>,
    /// Creation time (Unix seconds).
    pub created: i64,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Recipient details echoed by the server, with every key it sent
    /// (`null` reads as empty).
    #[serde(default, deserialize_with = "null_as_default")]
    pub extra: JsonMap,
    /// Failure message (often Chinese).
    #[serde(default)]
    pub failure_msg: Option<String>,
    /// Fee in fen.
    #[serde(default)]
    pub fee: Option<i64>,
    /// Live mode (`false` in test mode).
    #[serde(default)]
    pub livemode: bool,
    /// Merchant metadata (`null` reads as empty).
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
    /// Operation URL.
    #[serde(default)]
    pub operation_url: Option<String>,
    /// Merchant order number.
    #[serde(default)]
    pub order_no: Option<String>,
    /// Source (e.g. the batch withdrawal id).
    #[serde(default)]
    pub source: Option<String>,
    /// Status.
    pub status: WithdrawalStatus,
    /// Cancel time (Unix seconds).
    #[serde(default)]
    pub time_canceled: Option<i64>,
    /// Success time (Unix seconds).
    #[serde(default)]
    pub time_succeeded: Option<i64>,
    /// User id.
    #[serde(default)]
    pub user: Option<String>,
    /// Fee in fen borne by the user.
    #[serde(default)]
    pub user_fee: Option<i64>,
    /// Settlement account id, for settle-account withdrawals.
    #[serde(default)]
    pub settle_account: Option<String>,
    /// Top-level fields this SDK does not know, kept verbatim.
    #[serde(flatten)]
    pub other: JsonMap,
}

fn withdrawal_object() -> String {
    "withdrawal".to_owned()
}

impl Withdrawal {
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
pub struct AlipayExtra {
    /// Alipay account (user id or logon id).
    pub account: String,
    /// Account holder's real name.
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
/// Serialized as `open_id`; `openid` is accepted when reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WxExtra {
    /// The recipient's WeChat open id.
    #[serde(alias = "openid")]
    pub open_id: String,
    /// Recipient's real name, checked by WeChat when `force_check` is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether WeChat must check `name`; only allowed together with `name`.
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
}

/// `extra` of an `allinpay` withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
        Ok(match channel {
            Channel::Unionpay => Self::Unionpay(serde_json::from_value(extra)?),
            Channel::Alipay => Self::Alipay(serde_json::from_value(extra)?),
            Channel::Wx => Self::Wx(serde_json::from_value(extra)?),
            Channel::WxPub => Self::WxPub(serde_json::from_value(extra)?),
            Channel::WxLite => Self::WxLite(serde_json::from_value(extra)?),
            Channel::Allinpay => Self::Allinpay(serde_json::from_value(extra)?),
            Channel::Jdpay => Self::Jdpay(serde_json::from_value(extra)?),
            other => {
                return Err(serde_json::Error::custom(format_args!(
                    "unsupported withdrawal channel `{other}`"
                )));
            }
        })
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

/// Parameters of `POST /v1/apps/{app}/withdrawals`.
///
/// On the wire the destination is flat: either `channel` + `extra`, or
/// `settle_account`. When reading a body that has both, the channel wins (as
/// on the server, which then ignores the settle account).
///
/// ```
/// use pingpp_types::{AlipayExtra, ChannelExtra, CreateWithdrawal, Validate};
/// let params = CreateWithdrawal::new(
///     "user_001",
///     20_000,
///     "2026113000001",
///     ChannelExtra::Alipay(AlipayExtra::new("someone@example.com", "张三")),
/// )
/// .user_fee(50)
/// .description("余额提现");
/// params.validate().unwrap();
/// let json = serde_json::to_value(&params).unwrap();
/// assert_eq!(json["channel"], "alipay");
/// assert_eq!(json["extra"]["name"], "张三");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CreateWithdrawal {
    /// User id (required).
    pub user: String,
    /// Amount in fen deducted from the user's balance (required, > 0).
    pub amount: i64,
    /// Fee in fen borne by the user (0 ≤ user_fee ≤ amount).
    pub user_fee: Option<i64>,
    /// Merchant order number (required, unique; format depends on the channel).
    pub order_no: String,
    /// Description, at most 60 characters.
    pub description: Option<String>,
    /// Merchant metadata.
    pub metadata: Option<Metadata>,
    /// Channel + extra, or settle account.
    pub destination: WithdrawalDestination,
}

impl CreateWithdrawal {
    /// Parameters with the required fields.
    pub fn new(
        user: impl Into<String>,
        amount: i64,
        order_no: impl Into<String>,
        destination: impl Into<WithdrawalDestination>,
    ) -> Self {
        Self {
            user: user.into(),
            amount,
            user_fee: None,
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
        self.user_fee = Some(user_fee);
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
    #[serde(skip_serializing_if = "Option::is_none")]
    user_fee: Option<i64>,
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

#[derive(Deserialize)]
struct CreateWithdrawalDe {
    user: String,
    amount: i64,
    #[serde(default)]
    user_fee: Option<i64>,
    order_no: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(default)]
    channel: Option<Channel>,
    #[serde(default)]
    extra: Option<Value>,
    #[serde(default)]
    settle_account: Option<String>,
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

impl<'de> Deserialize<'de> for CreateWithdrawal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = CreateWithdrawalDe::deserialize(d)?;
        let destination = match (w.channel, w.settle_account) {
            (Some(channel), _) => {
                let extra = w.extra.unwrap_or_else(|| Value::Object(JsonMap::new()));
                WithdrawalDestination::Channel(
                    ChannelExtra::from_parts(&channel, extra).map_err(D::Error::custom)?,
                )
            }
            (None, Some(account)) => WithdrawalDestination::SettleAccount(account),
            (None, None) => {
                return Err(D::Error::custom(
                    "a withdrawal needs `channel` + `extra` or `settle_account`",
                ));
            }
        };
        Ok(Self {
            user: w.user,
            amount: w.amount,
            user_fee: w.user_fee,
            order_no: w.order_no,
            description: w.description,
            metadata: w.metadata,
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
