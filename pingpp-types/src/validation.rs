//! Client-side validation of request parameters.
//!
//! Every parameter type implements [`Validate`]. Validation catches the
//! mistakes the server would reject anyway (or worse, accept), before any
//! money moves. Lengths are counted in Unicode characters (`char`s), not
//! bytes, because descriptions are usually Chinese.

use serde_json::Value;

use crate::batch::{CreateBatchWithdrawal, MAX_BATCH_WITHDRAWALS};
use crate::common::Metadata;
use crate::enums::AlipayAccountType;
use crate::params::{
    BatchWithdrawalListParams, ListParams, MAX_PAGE, MAX_PER_PAGE, WithdrawalListParams,
};
use crate::recharge::{CreateRecharge, CreateRechargeCharge};
use crate::refund::CreateRechargeRefund;
use crate::settle_account::{
    AlipayRecipient, BankAccountRecipient, CreateSettleAccount, WxPubRecipient,
};
use crate::withdrawal::{
    AlipayExtra, AllinpayExtra, ChannelExtra, CreateWithdrawal, JdpayExtra, UnionpayBank,
    UnionpayExtra, UpdateWithdrawal, WithdrawalDestination, WxExtra,
};

/// Most characters in a withdrawal description.
pub const MAX_WITHDRAWAL_DESCRIPTION_CHARS: usize = 60;
/// Most characters in a refund description.
pub const MAX_REFUND_DESCRIPTION_CHARS: usize = 255;
/// Most characters in a recharge charge `subject`.
pub const MAX_CHARGE_SUBJECT_CHARS: usize = 32;
/// Most characters in a recharge charge `body`.
pub const MAX_CHARGE_BODY_CHARS: usize = 128;
/// Most key/value pairs in `metadata` (the Go SDK guide: "支持最多 10 对键值对").
pub const MAX_METADATA_KEYS: usize = 10;
/// Most characters in `metadata`, counted as described in [`validate_metadata`] (the Go
/// SDK guide: "总长度要在 1000 个 unicode 字符").
pub const MAX_METADATA_CHARS: usize = 1000;

/// Why parameters were rejected before sending. Messages name the field and
/// the rule. They never contain account numbers, names or open ids.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// A required field is empty (or only whitespace).
    #[error("`{field}` must not be empty")]
    Empty {
        /// The field, e.g. `extra.account`.
        field: &'static str,
    },
    /// An amount that must be positive is not.
    #[error("`{field}` must be greater than 0, got {value}")]
    NotPositive {
        /// The field.
        field: &'static str,
        /// The value given.
        value: i64,
    },
    /// An amount that must not be negative is.
    #[error("`{field}` must not be negative, got {value}")]
    Negative {
        /// The field.
        field: &'static str,
        /// The value given.
        value: i64,
    },
    /// The fee borne by the user is larger than the amount.
    #[error("`user_fee` ({user_fee}) must not exceed `{amount_field}` ({amount})")]
    FeeExceedsAmount {
        /// The fee given.
        user_fee: i64,
        /// The amount field compared with.
        amount_field: &'static str,
        /// The amount.
        amount: i64,
    },
    /// A text field is too long.
    #[error("`{field}` must be at most {max} characters, got {actual}")]
    TooLong {
        /// The field.
        field: &'static str,
        /// The limit, in characters.
        max: usize,
        /// The length given, in characters.
        actual: usize,
    },
    /// `order_no` does not follow the channel's rule.
    #[error("`order_no` {order_no:?} is invalid for {channel}: it must be {rule}")]
    InvalidOrderNo {
        /// The channel, or `settle_account`.
        channel: String,
        /// The order number given.
        order_no: String,
        /// The rule, in words.
        rule: &'static str,
    },
    /// Two fields that must not be sent together were.
    #[error("`{field}` and `{other}` must not be sent together")]
    Conflict {
        /// The field refused.
        field: &'static str,
        /// The field it conflicts with.
        other: &'static str,
    },
    /// An Alipay account declared `ALIPAY_USERID` is not a user id.
    #[error(
        "`extra.account` must be an Alipay user id (16 digits starting with 2088) when `extra.account_type` is ALIPAY_USERID"
    )]
    InvalidAlipayUserId,
    /// A field holds a value outside its allowed set.
    #[error("`{field}` must be {allowed}, got {value}")]
    NotAllowed {
        /// The field.
        field: &'static str,
        /// The allowed values, in words.
        allowed: &'static str,
        /// The value given.
        value: String,
    },
    /// `metadata` has too many keys.
    #[error("`metadata` must have at most {max} pairs, got {actual}")]
    MetadataTooManyKeys {
        /// The limit.
        max: usize,
        /// The number of keys given.
        actual: usize,
    },
    /// A `metadata` value is an object or an array (metadata is flat).
    #[error("`metadata` values must be flat (no objects or arrays), but `{key}` is not")]
    MetadataNotFlat {
        /// The key whose value is nested.
        key: String,
    },
    /// `metadata` is too long.
    #[error("`metadata` must have at most {max} characters in its keys and values, got {actual}")]
    MetadataTooLong {
        /// The limit.
        max: usize,
        /// The characters counted.
        actual: usize,
    },
    /// A batch has no ids, or too many.
    #[error("`withdrawals` must hold 1 to {max} ids, got {actual}")]
    BatchSize {
        /// The limit.
        max: usize,
        /// The number of ids given.
        actual: usize,
    },
    /// A batch holds an empty id.
    #[error("`withdrawals[{index}]` must not be empty")]
    EmptyWithdrawalId {
        /// Position of the empty id.
        index: usize,
    },
    /// A number is out of its range.
    #[error("`{field}` must be between {min} and {max}, got {value}")]
    OutOfRange {
        /// The field.
        field: &'static str,
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
        /// The value given.
        value: i64,
    },
}

impl ValidationError {
    /// The parameter at fault, in dotted form (`order_no`, `extra.account`,
    /// `charge.amount`), when there is one.
    pub fn field(&self) -> Option<&str> {
        Some(match self {
            Self::Empty { field }
            | Self::NotPositive { field, .. }
            | Self::Negative { field, .. }
            | Self::TooLong { field, .. }
            | Self::NotAllowed { field, .. }
            | Self::OutOfRange { field, .. }
            | Self::Conflict { field, .. } => field,
            Self::FeeExceedsAmount { .. } => "user_fee",
            Self::InvalidOrderNo { .. } => "order_no",
            Self::InvalidAlipayUserId => "extra.account",
            Self::MetadataTooManyKeys { .. }
            | Self::MetadataNotFlat { .. }
            | Self::MetadataTooLong { .. } => "metadata",
            Self::BatchSize { .. } | Self::EmptyWithdrawalId { .. } => "withdrawals",
        })
    }
}

/// Client-side validation of request parameters.
pub trait Validate {
    /// Checks the parameters; the first problem found is returned.
    fn validate(&self) -> Result<(), ValidationError>;
}

fn non_empty(field: &'static str, value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        Err(ValidationError::Empty { field })
    } else {
        Ok(())
    }
}

fn max_chars(field: &'static str, value: &str, max: usize) -> Result<(), ValidationError> {
    let actual = value.chars().count();
    if actual > max {
        Err(ValidationError::TooLong { field, max, actual })
    } else {
        Ok(())
    }
}

fn positive(field: &'static str, value: i64) -> Result<(), ValidationError> {
    if value > 0 {
        Ok(())
    } else {
        Err(ValidationError::NotPositive { field, value })
    }
}

fn user_fee(
    fee: Option<i64>,
    amount_field: &'static str,
    amount: i64,
) -> Result<(), ValidationError> {
    match fee {
        Some(value) if value < 0 => Err(ValidationError::Negative {
            field: "user_fee",
            value,
        }),
        Some(fee) if fee > amount => Err(ValidationError::FeeExceedsAmount {
            user_fee: fee,
            amount_field,
            amount,
        }),
        _ => Ok(()),
    }
}

fn opt_metadata(metadata: Option<&Metadata>) -> Result<(), ValidationError> {
    metadata.map_or(Ok(()), validate_metadata)
}

/// Checks the metadata limits of the Go SDK guide ("支持最多 10 对键值对，不支持嵌套，总长度要在
/// 1000 个 unicode 字符"): at most [`MAX_METADATA_KEYS`] pairs, flat values (no object or
/// array), at most [`MAX_METADATA_CHARS`] characters.
///
/// Characters counted: every key, plus every value — a string value by its
/// characters (without quotes), any other value by the characters of its
/// JSON text (`true` is 4, `12` is 2).
pub fn validate_metadata(metadata: &Metadata) -> Result<(), ValidationError> {
    if metadata.len() > MAX_METADATA_KEYS {
        return Err(ValidationError::MetadataTooManyKeys {
            max: MAX_METADATA_KEYS,
            actual: metadata.len(),
        });
    }
    if let Some((key, _)) = metadata
        .iter()
        .find(|(_, v)| matches!(v, Value::Object(_) | Value::Array(_)))
    {
        return Err(ValidationError::MetadataNotFlat { key: key.clone() });
    }
    let actual: usize = metadata
        .iter()
        .map(|(k, v)| {
            k.chars().count()
                + match v {
                    Value::String(s) => s.chars().count(),
                    other => other.to_string().chars().count(),
                }
        })
        .sum();
    if actual > MAX_METADATA_CHARS {
        return Err(ValidationError::MetadataTooLong {
            max: MAX_METADATA_CHARS,
            actual,
        });
    }
    Ok(())
}

/// `page` 1 to 1,000,000,000 and `per_page` 1 to 100 (the refund guide's Go sample, seed 000:
/// "取值范围：1~1000000000" and "1~100").
fn page_params(page: Option<u32>, per_page: Option<u32>) -> Result<(), ValidationError> {
    if let Some(page) = page
        && !(1..=MAX_PAGE).contains(&page)
    {
        return Err(ValidationError::OutOfRange {
            field: "page",
            min: 1,
            max: i64::from(MAX_PAGE),
            value: i64::from(page),
        });
    }
    if let Some(per_page) = per_page
        && !(1..=MAX_PER_PAGE).contains(&per_page)
    {
        return Err(ValidationError::OutOfRange {
            field: "per_page",
            min: 1,
            max: i64::from(MAX_PER_PAGE),
            value: i64::from(per_page),
        });
    }
    Ok(())
}

/// The unionpay order number rule, the only withdrawal order number rule a source states:
/// "提现订单号，为长度不大于 16 的数字" (Node SDK, `docs/withdrawal.md`, a unionpay
/// example). Other channels' order numbers have no documented format (the official
/// allinpay samples alone range from 10 to 22 digits), so only emptiness is refused.
fn unionpay_order_no(order_no: &str) -> bool {
    (1..=16).contains(&order_no.len()) && order_no.bytes().all(|b| b.is_ascii_digit())
}

/// Charge order numbers: letters and digits only ("要求数字或字母，不允许其他字符",
/// Node SDK `example/charge_create.js`; the length it gives, 8-20, is only a
/// recommendation).
fn charge_order_no(order_no: &str) -> bool {
    order_no.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl Validate for UnionpayExtra {
    fn validate(&self) -> Result<(), ValidationError> {
        non_empty("extra.account", &self.account)?;
        non_empty("extra.name", &self.name)?;
        match &self.bank {
            UnionpayBank::Code(code) => non_empty("extra.open_bank_code", code),
            UnionpayBank::Name(name) => non_empty("extra.open_bank", name),
            UnionpayBank::Both { code, name } => {
                non_empty("extra.open_bank_code", code)?;
                non_empty("extra.open_bank", name)
            }
        }
    }
}

/// Whether `account` is an Alipay user id: 16 ASCII digits starting with 2088.
fn is_alipay_user_id(account: &str) -> bool {
    account.len() == 16
        && account.starts_with("2088")
        && account.bytes().all(|b| b.is_ascii_digit())
}

impl Validate for AlipayExtra {
    fn validate(&self) -> Result<(), ValidationError> {
        non_empty("extra.account", &self.account)?;
        non_empty("extra.name", &self.name)?;
        if self.account_type == Some(AlipayAccountType::UserId) && !is_alipay_user_id(&self.account)
        {
            return Err(ValidationError::InvalidAlipayUserId);
        }
        Ok(())
    }
}

impl Validate for WxExtra {
    /// Checks: `open_id` non-empty; `name`, when given, non-empty. `force_check`
    /// without `name` is not an error: the server ignores it.
    fn validate(&self) -> Result<(), ValidationError> {
        non_empty("extra.open_id", &self.open_id)?;
        match &self.name {
            Some(name) => non_empty("extra.name", name),
            None => Ok(()),
        }
    }
}

impl Validate for AllinpayExtra {
    fn validate(&self) -> Result<(), ValidationError> {
        non_empty("extra.account", &self.account)?;
        non_empty("extra.name", &self.name)?;
        non_empty("extra.open_bank_code", &self.open_bank_code)?;
        if let Some(code) = &self.business_code {
            non_empty("extra.business_code", code)?;
        }
        match self.card_type {
            Some(t) if t > 1 => Err(ValidationError::NotAllowed {
                field: "extra.card_type",
                allowed: "0 (bank card) or 1 (passbook)",
                value: t.to_string(),
            }),
            _ => Ok(()),
        }
    }
}

impl Validate for JdpayExtra {
    fn validate(&self) -> Result<(), ValidationError> {
        non_empty("extra.account", &self.account)?;
        non_empty("extra.name", &self.name)?;
        non_empty("extra.open_bank_code", &self.open_bank_code)
    }
}

impl Validate for ChannelExtra {
    fn validate(&self) -> Result<(), ValidationError> {
        match self {
            Self::Unionpay(e) => e.validate(),
            Self::Alipay(e) => e.validate(),
            Self::Wx(e) | Self::WxPub(e) | Self::WxLite(e) => e.validate(),
            Self::Allinpay(e) => e.validate(),
            Self::Jdpay(e) => e.validate(),
        }
    }
}

impl Validate for WithdrawalDestination {
    fn validate(&self) -> Result<(), ValidationError> {
        match self {
            Self::Channel(e) => e.validate(),
            Self::SettleAccount(id) => non_empty("settle_account", id),
        }
    }
}

impl Validate for CreateWithdrawal {
    /// Checks: `user` non-empty; `amount` > 0; 0 ≤ `user_fee` ≤ `amount`;
    /// `order_no` non-empty, and for unionpay at most 16 digits; `description`
    /// at most 60 characters; metadata limits; the channel's required extra
    /// fields non-empty, and an `ALIPAY_USERID` account shaped like one.
    fn validate(&self) -> Result<(), ValidationError> {
        non_empty("user", &self.user)?;
        positive("amount", self.amount)?;
        user_fee(Some(self.user_fee), "amount", self.amount)?;
        if self.order_no.is_empty() {
            return Err(ValidationError::Empty { field: "order_no" });
        }
        if let WithdrawalDestination::Channel(ChannelExtra::Unionpay(_)) = &self.destination
            && !unionpay_order_no(&self.order_no)
        {
            return Err(ValidationError::InvalidOrderNo {
                channel: "channel `unionpay`".to_owned(),
                order_no: self.order_no.clone(),
                rule: "1-16 digits",
            });
        }
        if let Some(d) = &self.description {
            max_chars("description", d, MAX_WITHDRAWAL_DESCRIPTION_CHARS)?;
        }
        opt_metadata(self.metadata.as_ref())?;
        self.destination.validate()
    }
}

impl Validate for UpdateWithdrawal {
    /// Always valid: the type only allows confirm or cancel.
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

impl Validate for CreateBatchWithdrawal {
    /// Checks: 1 to 200 ids, none empty; metadata limits.
    fn validate(&self) -> Result<(), ValidationError> {
        let actual = self.withdrawals.len();
        if !(1..=MAX_BATCH_WITHDRAWALS).contains(&actual) {
            return Err(ValidationError::BatchSize {
                max: MAX_BATCH_WITHDRAWALS,
                actual,
            });
        }
        if let Some(index) = self.withdrawals.iter().position(|id| id.trim().is_empty()) {
            return Err(ValidationError::EmptyWithdrawalId { index });
        }
        opt_metadata(self.metadata.as_ref())
    }
}

impl Validate for CreateRechargeRefund {
    /// Checks: `description` non-empty, at most 255 characters; metadata limits;
    /// `funding_source`, when given, `unsettled_funds` or `recharge_funds`.
    fn validate(&self) -> Result<(), ValidationError> {
        non_empty("description", &self.description)?;
        max_chars(
            "description",
            &self.description,
            MAX_REFUND_DESCRIPTION_CHARS,
        )?;
        opt_metadata(self.metadata.as_ref())?;
        match &self.funding_source {
            Some(f) if f.is_unknown() => Err(ValidationError::NotAllowed {
                field: "funding_source",
                allowed: "unsettled_funds or recharge_funds",
                value: f.to_string(),
            }),
            _ => Ok(()),
        }
    }
}

impl Validate for CreateRechargeCharge {
    /// Checks: `amount` > 0; `channel` non-empty; `order_no` non-empty, letters
    /// and digits only; `subject` non-empty, at most 32 characters; `body`
    /// non-empty, at most 128.
    fn validate(&self) -> Result<(), ValidationError> {
        positive("charge.amount", self.amount)?;
        non_empty("charge.channel", &self.channel)?;
        non_empty("charge.order_no", &self.order_no)?;
        if !charge_order_no(&self.order_no) {
            return Err(ValidationError::InvalidOrderNo {
                channel: format!("charge channel `{}`", self.channel),
                order_no: self.order_no.clone(),
                rule: "letters and digits only",
            });
        }
        non_empty("charge.subject", &self.subject)?;
        max_chars("charge.subject", &self.subject, MAX_CHARGE_SUBJECT_CHARS)?;
        non_empty("charge.body", &self.body)?;
        max_chars("charge.body", &self.body, MAX_CHARGE_BODY_CHARS)
    }
}

impl Validate for CreateRecharge {
    /// Checks: `user` non-empty; the charge; 0 ≤ `user_fee` ≤ `charge.amount`;
    /// `balance_bonus.amount` ≥ 0; not both `user_fee` and `balance_bonus` (Java and
    /// Node SDK docs: "不可和 `balance_bonus[amount]` 同时传"); `from_user`, when given,
    /// non-empty; metadata limits.
    fn validate(&self) -> Result<(), ValidationError> {
        non_empty("user", &self.user)?;
        self.charge.validate()?;
        user_fee(self.user_fee, "charge.amount", self.charge.amount)?;
        if let Some(bonus) = self.balance_bonus {
            if bonus.amount < 0 {
                return Err(ValidationError::Negative {
                    field: "balance_bonus.amount",
                    value: bonus.amount,
                });
            }
            if self.user_fee.is_some() {
                return Err(ValidationError::Conflict {
                    field: "balance_bonus",
                    other: "user_fee",
                });
            }
        }
        if let Some(from) = &self.from_user {
            non_empty("from_user", from)?;
        }
        opt_metadata(self.metadata.as_ref())
    }
}

/// A bank or Alipay recipient: account and name both required.
fn named_recipient(account: &str, name: &str) -> Result<(), ValidationError> {
    non_empty("recipient.account", account)?;
    non_empty("recipient.name", name)
}

impl Validate for BankAccountRecipient {
    fn validate(&self) -> Result<(), ValidationError> {
        named_recipient(&self.account, &self.name)
    }
}

impl Validate for AlipayRecipient {
    fn validate(&self) -> Result<(), ValidationError> {
        named_recipient(&self.account, &self.name)
    }
}

impl Validate for WxPubRecipient {
    fn validate(&self) -> Result<(), ValidationError> {
        non_empty("recipient.account", &self.open_id)?;
        match &self.name {
            Some(name) => non_empty("recipient.name", name),
            None => Ok(()),
        }
    }
}

impl Validate for CreateSettleAccount {
    /// Checks: `recipient.account` non-empty; `recipient.name` non-empty for bank
    /// accounts and Alipay (the withdrawal they pay needs it: "收款人姓名" is required
    /// for unionpay and alipay) and, when given, for `wx_pub`.
    fn validate(&self) -> Result<(), ValidationError> {
        match self {
            Self::BankAccount(r) => r.validate(),
            Self::Alipay(r) => r.validate(),
            Self::WxPub(r) => r.validate(),
        }
    }
}

impl Validate for ListParams {
    /// Checks: `page` 1 to 1,000,000,000, `per_page` 1-100.
    fn validate(&self) -> Result<(), ValidationError> {
        page_params(self.page, self.per_page)
    }
}

impl Validate for WithdrawalListParams {
    /// Checks: `page` 1 to 1,000,000,000, `per_page` 1-100, `user`, when given,
    /// non-empty.
    fn validate(&self) -> Result<(), ValidationError> {
        page_params(self.page, self.per_page)?;
        if let Some(user) = &self.user {
            non_empty("user", user)?;
        }
        Ok(())
    }
}

impl Validate for BatchWithdrawalListParams {
    /// Checks: `page` 1 to 1,000,000,000, `per_page` 1-100.
    fn validate(&self) -> Result<(), ValidationError> {
        page_params(self.page, self.per_page)
    }
}
