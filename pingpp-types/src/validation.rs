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
use crate::params::{BatchWithdrawalListParams, ListParams, MAX_PER_PAGE, WithdrawalListParams};
use crate::recharge::{CreateRecharge, CreateRechargeCharge};
use crate::refund::CreateRechargeRefund;
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
/// Most keys in `metadata`.
pub const MAX_METADATA_KEYS: usize = 20;
/// Most characters in `metadata`, counted as described in [`validate_metadata`].
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
    /// WeChat `force_check` was given without `name`.
    #[error("`extra.force_check` is only allowed together with `extra.name`")]
    ForceCheckWithoutName,
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
    #[error("`metadata` must have at most {max} keys, got {actual}")]
    MetadataTooManyKeys {
        /// The limit.
        max: usize,
        /// The number of keys given.
        actual: usize,
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

/// Checks the metadata limits: at most [`MAX_METADATA_KEYS`] keys and
/// [`MAX_METADATA_CHARS`] characters.
///
/// Characters counted: every key, plus every value — a string value by its
/// characters (without quotes), any other value by the characters of its
/// compact JSON text (`true` is 4, `12` is 2, `{"a":1}` is 7).
pub fn validate_metadata(metadata: &Metadata) -> Result<(), ValidationError> {
    if metadata.len() > MAX_METADATA_KEYS {
        return Err(ValidationError::MetadataTooManyKeys {
            max: MAX_METADATA_KEYS,
            actual: metadata.len(),
        });
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

fn page_params(page: Option<u32>, per_page: Option<u32>) -> Result<(), ValidationError> {
    if let Some(page) = page
        && page < 1
    {
        return Err(ValidationError::OutOfRange {
            field: "page",
            min: 1,
            max: i64::from(u32::MAX),
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

/// Order number rule of a withdrawal destination.
#[derive(Clone, Copy)]
enum OrderNoRule {
    /// 1 to n ASCII digits.
    Digits(usize),
    /// 1 to n ASCII letters or digits.
    Alnum(usize),
    /// 10 digits then 10 to 30 letters or digits.
    Allinpay,
}

impl OrderNoRule {
    fn describe(self) -> &'static str {
        match self {
            Self::Digits(16) => "1-16 digits",
            Self::Alnum(50) => "1-50 letters or digits",
            Self::Alnum(_) => "1-64 letters or digits",
            Self::Digits(_) => "digits",
            Self::Allinpay => {
                "a 10-digit merchant number followed by a 10-30 character alphanumeric serial (20-40 characters)"
            }
        }
    }

    fn matches(self, s: &str) -> bool {
        let len = s.len();
        match self {
            Self::Digits(max) => (1..=max).contains(&len) && s.bytes().all(|b| b.is_ascii_digit()),
            Self::Alnum(max) => {
                (1..=max).contains(&len) && s.bytes().all(|b| b.is_ascii_alphanumeric())
            }
            Self::Allinpay => {
                (20..=40).contains(&len)
                    && s.bytes().all(|b| b.is_ascii_alphanumeric())
                    && s.bytes().take(10).all(|b| b.is_ascii_digit())
            }
        }
    }
}

fn order_no_rule(destination: &WithdrawalDestination) -> OrderNoRule {
    match destination {
        WithdrawalDestination::Channel(ChannelExtra::Unionpay(_)) => OrderNoRule::Digits(16),
        WithdrawalDestination::Channel(
            ChannelExtra::Wx(_) | ChannelExtra::WxPub(_) | ChannelExtra::WxLite(_),
        ) => OrderNoRule::Alnum(50),
        WithdrawalDestination::Channel(ChannelExtra::Allinpay(_)) => OrderNoRule::Allinpay,
        WithdrawalDestination::Channel(ChannelExtra::Alipay(_) | ChannelExtra::Jdpay(_))
        | WithdrawalDestination::SettleAccount(_) => OrderNoRule::Alnum(64),
    }
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
    fn validate(&self) -> Result<(), ValidationError> {
        non_empty("extra.open_id", &self.open_id)?;
        match &self.name {
            Some(name) => non_empty("extra.name", name),
            None if self.force_check.is_some() => Err(ValidationError::ForceCheckWithoutName),
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
    /// `order_no` follows the channel's rule (unionpay 1-16 digits; alipay,
    /// jdpay and settle accounts 1-64 alphanumeric; wx, wx_pub, wx_lite 1-50
    /// alphanumeric; allinpay 10 digits + 10-30 alphanumeric); `description`
    /// at most 60 characters; metadata limits; the channel's required extra
    /// fields non-empty, `force_check` only with `name`, and an
    /// `ALIPAY_USERID` account shaped like one.
    fn validate(&self) -> Result<(), ValidationError> {
        non_empty("user", &self.user)?;
        positive("amount", self.amount)?;
        user_fee(self.user_fee, "amount", self.amount)?;
        if self.order_no.is_empty() {
            return Err(ValidationError::Empty { field: "order_no" });
        }
        let rule = order_no_rule(&self.destination);
        if !rule.matches(&self.order_no) {
            return Err(ValidationError::InvalidOrderNo {
                channel: match self.destination.channel() {
                    Some(c) => format!("channel `{c}`"),
                    None => "a settle account".to_owned(),
                },
                order_no: self.order_no.clone(),
                rule: rule.describe(),
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
    /// Checks: `description` non-empty, at most 255 characters; metadata limits.
    fn validate(&self) -> Result<(), ValidationError> {
        non_empty("description", &self.description)?;
        max_chars(
            "description",
            &self.description,
            MAX_REFUND_DESCRIPTION_CHARS,
        )?;
        opt_metadata(self.metadata.as_ref())
    }
}

impl Validate for CreateRechargeCharge {
    /// Checks: `amount` > 0; `channel` and `order_no` non-empty; `subject`
    /// non-empty, at most 32 characters; `body` non-empty, at most 128.
    fn validate(&self) -> Result<(), ValidationError> {
        positive("charge.amount", self.amount)?;
        non_empty("charge.channel", &self.channel)?;
        non_empty("charge.order_no", &self.order_no)?;
        non_empty("charge.subject", &self.subject)?;
        max_chars("charge.subject", &self.subject, MAX_CHARGE_SUBJECT_CHARS)?;
        non_empty("charge.body", &self.body)?;
        max_chars("charge.body", &self.body, MAX_CHARGE_BODY_CHARS)
    }
}

impl Validate for CreateRecharge {
    /// Checks: `user` non-empty; the charge; 0 ≤ `user_fee` ≤ `charge.amount`;
    /// `balance_bonus` ≥ 0; `from_user`, when given, non-empty; metadata limits.
    fn validate(&self) -> Result<(), ValidationError> {
        non_empty("user", &self.user)?;
        self.charge.validate()?;
        user_fee(self.user_fee, "charge.amount", self.charge.amount)?;
        if let Some(value) = self.balance_bonus
            && value < 0
        {
            return Err(ValidationError::Negative {
                field: "balance_bonus",
                value,
            });
        }
        if let Some(from) = &self.from_user {
            non_empty("from_user", from)?;
        }
        opt_metadata(self.metadata.as_ref())
    }
}

impl Validate for ListParams {
    /// Checks: `page` ≥ 1, `per_page` 1-100.
    fn validate(&self) -> Result<(), ValidationError> {
        page_params(self.page, self.per_page)
    }
}

impl Validate for WithdrawalListParams {
    /// Checks: `page` ≥ 1, `per_page` 1-100, `user`, when given, non-empty.
    fn validate(&self) -> Result<(), ValidationError> {
        page_params(self.page, self.per_page)?;
        if let Some(user) = &self.user {
            non_empty("user", user)?;
        }
        Ok(())
    }
}

impl Validate for BatchWithdrawalListParams {
    /// Checks: `page` ≥ 1, `per_page` 1-100.
    fn validate(&self) -> Result<(), ValidationError> {
        page_params(self.page, self.per_page)
    }
}
