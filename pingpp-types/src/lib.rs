//! Ping++ account-system data model: refunds, withdrawals, recharges, settle accounts,
//! events, parameters and validation.
//!
//! This crate is pure data: it depends on `serde`, `serde_json` and
//! `thiserror` only, and does no I/O. The Ping++ emulator (`pingpp-mock`) reads
//! requests with these same types and checks them with the same [`Validate`], so the
//! SDK and the emulator enforce one set of rules.
//!
//! * Objects read from the server — [`Refund`], [`Withdrawal`], [`Recharge`],
//!   [`BatchWithdrawal`], [`SettleAccount`], [`Event`], [`List`], [`ApiErrorBody`] —
//!   are lenient: nullable fields are `Option`, server string enums
//!   ([`WithdrawalStatus`], [`Channel`], [`ErrorType`], ...) keep unknown values in
//!   `Unknown(String)`, and unknown fields are kept in an `other` map.
//! * They are also exact: each remembers which fields were absent or `null` on the
//!   wire, so parse → serialize gives back the same JSON, adding nothing that was
//!   absent (a refund inside an event gains no `"extra": {}`, an event without `id`
//!   or `pending_webhooks` gains neither). Every JSON sample of Ping++'s refund and
//!   withdrawal guides is tested this way.
//! * JSON with a key repeated in one object (`{"amount":1,"amount":9}`) is refused, at
//!   every depth — in responses, and in requests read by the emulator; see
//!   [`parse_json_strict`].
//! * Request parameters — [`CreateWithdrawal`], [`CreateBatchWithdrawal`],
//!   [`UpdateWithdrawal`], [`CreateRecharge`], [`CreateRechargeRefund`],
//!   [`CreateSettleAccount`] and the list queries — serialize to the documented wire
//!   form and implement [`Validate`], which refuses only what a source says the server
//!   refuses (each rule cites its source where it is written).
//! * Withdrawal destinations are typed: [`ChannelExtra`] has one variant per
//!   channel with the fields that channel requires.
//! * Types the server may grow are `#[non_exhaustive]`; build them with their `new`
//!   functions and builder methods.
//!
//! Amounts are `i64` fen (1/100 CNY); timestamps are Unix seconds.
//!
//! # Wire details worth knowing
//!
//! * `user_fee` is always sent on withdrawal create (`0` unless set): documented as
//!   required ("必传").
//! * `balance_bonus` on recharge create is an object, `{"amount": N}`; it must not be
//!   sent together with `user_fee`.
//! * WeChat `force_check` without `name` is sent as given and ignored by the server.
//! * Order numbers: only unionpay has a documented rule (at most 16 digits); other
//!   withdrawal channels only need a non-empty order number. Charge order numbers are
//!   letters and digits.
//! * Metadata: at most 10 flat pairs and 1000 characters. Pages: 1 to 1,000,000,000.
//! * `charge.time_expire` is sent as an integer and read from an integer or a numeric
//!   string.
//!
//! # Example
//!
//! Build and validate a withdrawal, then parse the webhook that reports it:
//!
//! ```
//! use pingpp_types::{
//!     ChannelExtra, CreateWithdrawal, Event, EventData, UnionpayBank, UnionpayExtra, Validate,
//!     ValidationError, WithdrawalStatus,
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
//! // Unionpay order numbers are at most 16 digits.
//! let extra = ChannelExtra::Unionpay(UnionpayExtra::new(
//!     "6225880137003000",
//!     "张三",
//!     UnionpayBank::Code("0308".into()),
//! ));
//! let bad = CreateWithdrawal::new("user_001", 100, "20261130000000001", extra);
//! assert!(matches!(bad.validate(), Err(ValidationError::InvalidOrderNo { .. })));
//!
//! // The withdrawal guide's event: no `id`, no `pending_webhooks`.
//! let event: Event = serde_json::from_str(r#"{
//!     "created": 1505992666,
//!     "livemode": true,
//!     "type": "balance.withdrawal.succeeded",
//!     "data": {"object": {
//!         "id": "1711111111222210555", "object": "withdrawal", "amount": 100,
//!         "channel": "wx_pub", "created": 1505992661, "status": "succeeded",
//!         "extra": {"open_id": "openid"}
//!     }},
//!     "object": "event",
//!     "request": "iar_xxxxxxxxxx"
//! }"#)?;
//! assert_eq!(event.id, None); // cannot be deduplicated by id
//! match &event.data {
//!     EventData::WithdrawalSucceeded(w) => {
//!         assert_eq!(w.status, WithdrawalStatus::Succeeded);
//!         assert_eq!(w.amount, 100);
//!     }
//!     other => panic!("unexpected event {}", other.event_type()),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

#[macro_use]
mod enums;
#[macro_use]
mod wire;

mod batch;
mod common;
mod error;
mod event;
mod list;
mod params;
mod recharge;
mod refund;
mod settle_account;
mod strict;
mod validation;
mod withdrawal;

pub use batch::{
    BatchWithdrawal, BatchWithdrawalItems, CreateBatchWithdrawal, MAX_BATCH_WITHDRAWALS,
};
pub use common::{JsonMap, Metadata};
pub use enums::{
    AlipayAccountType, BatchWithdrawalStatus, Channel, ErrorType, FundingSource, RecipientType,
    RefundStatus, SettleAccountChannel, WithdrawalStatus,
};
pub use error::{ApiErrorBody, ApiErrorDetail, ErrorCode};
pub use event::{Event, EventData, event_type};
pub use list::List;
pub use params::{
    BatchWithdrawalListParams, ListParams, MAX_PAGE, MAX_PER_PAGE, WithdrawalListParams,
};
pub use recharge::{BalanceBonus, CreateRecharge, CreateRechargeCharge, Recharge};
pub use refund::{CreateRechargeRefund, Refund};
pub use settle_account::{
    AlipayRecipient, BankAccountRecipient, CreateSettleAccount, Deleted, SettleAccount,
    SettleAccountRecipient, WxPubRecipient,
};
pub use strict::parse_json_strict;
pub use validation::{
    MAX_CHARGE_BODY_CHARS, MAX_CHARGE_SUBJECT_CHARS, MAX_METADATA_CHARS, MAX_METADATA_KEYS,
    MAX_REFUND_DESCRIPTION_CHARS, MAX_WITHDRAWAL_DESCRIPTION_CHARS, Validate, ValidationError,
    validate_metadata,
};
pub use withdrawal::{
    AlipayExtra, AllinpayExtra, ChannelExtra, CreateWithdrawal, JdpayExtra, UnionpayBank,
    UnionpayExtra, UpdateWithdrawal, Withdrawal, WithdrawalAction, WithdrawalDestination, WxExtra,
};
