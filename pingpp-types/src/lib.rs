//! Ping++ account-system data model: refunds, withdrawals, recharges, events,
//! parameters and validation.
//!
//! This crate is pure data: it depends on `serde`, `serde_json` and
//! `thiserror` only, and does no I/O.
//!
//! * Objects read from the server — [`Refund`], [`Withdrawal`], [`Recharge`],
//!   [`BatchWithdrawal`], [`Event`], [`List`], [`ApiErrorBody`] — are lenient:
//!   nullable fields are `Option`, server string enums ([`WithdrawalStatus`],
//!   [`Channel`], [`ErrorType`], ...) keep unknown values in `Unknown(String)`,
//!   and unknown fields are kept in an `other` map, so parse → serialize gives
//!   back the same JSON.
//! * Request parameters — [`CreateWithdrawal`], [`CreateBatchWithdrawal`],
//!   [`UpdateWithdrawal`], [`CreateRecharge`], [`CreateRechargeRefund`] and the
//!   list queries — serialize to the documented wire form and implement
//!   [`Validate`], which checks the documented limits before anything is sent.
//! * Withdrawal destinations are typed: [`ChannelExtra`] has one variant per
//!   channel with the fields that channel requires.
//!
//! Amounts are `i64` fen (1/100 CNY); timestamps are Unix seconds.
//!
//! # Example
//!
//! Build and validate a withdrawal, then parse the webhook that reports it:
//!
//! ```
//! use pingpp_types::{
//!     ChannelExtra, CreateWithdrawal, Event, EventData, UnionpayBank, UnionpayExtra, Validate,
//!     ValidationError, WithdrawalStatus, WxExtra,
//! };
//!
//! let params = CreateWithdrawal::new(
//!     "user_001",
//!     20_000,
//!     "2026113000001",
//!     ChannelExtra::Unionpay(UnionpayExtra::new(
//!         "6225880137003000",
//!         "张三",
//!         UnionpayBank::Code("0308".into()),
//!     )),
//! )
//! .user_fee(100)
//! .description("余额提现");
//! params.validate()?;
//!
//! // WeChat order numbers are alphanumeric, at most 50 characters.
//! let bad = CreateWithdrawal::new("user_001", 100, "no-dashes", ChannelExtra::Wx(WxExtra::new("o9zpMs9jIaLynQY9N6yxcZ")));
//! assert!(matches!(bad.validate(), Err(ValidationError::InvalidOrderNo { .. })));
//!
//! let event: Event = serde_json::from_str(r#"{
//!     "id": "evt_401161130175010015520701",
//!     "object": "event",
//!     "created": 1480499410,
//!     "livemode": false,
//!     "type": "balance.withdrawal.succeeded",
//!     "data": {"object": {
//!         "id": "1701611301750100155", "object": "withdrawal", "amount": 20000,
//!         "channel": "unionpay", "created": 1480499000, "status": "succeeded",
//!         "extra": {"account": "6225880137003000", "name": "张三", "open_bank_code": "0308"}
//!     }},
//!     "pending_webhooks": 1,
//!     "request": null
//! }"#)?;
//! match &event.data {
//!     EventData::WithdrawalSucceeded(w) => {
//!         assert_eq!(w.status, WithdrawalStatus::Succeeded);
//!         assert_eq!(w.amount, 20_000);
//!     }
//!     other => panic!("unexpected event {}", other.event_type()),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

#[macro_use]
mod enums;

mod batch;
mod common;
mod error;
mod event;
mod list;
mod params;
mod recharge;
mod refund;
mod validation;
mod withdrawal;

pub use batch::{
    BatchWithdrawal, BatchWithdrawalItems, CreateBatchWithdrawal, MAX_BATCH_WITHDRAWALS,
};
pub use common::{JsonMap, Metadata};
pub use enums::{
    AlipayAccountType, BatchWithdrawalStatus, Channel, ErrorType, FundingSource, RefundStatus,
    WithdrawalStatus,
};
pub use error::{ApiErrorBody, ApiErrorDetail, ErrorCode};
pub use event::{Event, EventData, event_type};
pub use list::List;
pub use params::{BatchWithdrawalListParams, ListParams, MAX_PER_PAGE, WithdrawalListParams};
pub use recharge::{CreateRecharge, CreateRechargeCharge, Recharge};
pub use refund::{CreateRechargeRefund, Refund};
pub use validation::{
    MAX_CHARGE_BODY_CHARS, MAX_CHARGE_SUBJECT_CHARS, MAX_METADATA_CHARS, MAX_METADATA_KEYS,
    MAX_REFUND_DESCRIPTION_CHARS, MAX_WITHDRAWAL_DESCRIPTION_CHARS, Validate, ValidationError,
    validate_metadata,
};
pub use withdrawal::{
    AlipayExtra, AllinpayExtra, ChannelExtra, CreateWithdrawal, JdpayExtra, UnionpayBank,
    UnionpayExtra, UpdateWithdrawal, Withdrawal, WithdrawalAction, WithdrawalDestination, WxExtra,
};
