//! Property tests: every public type survives serialize → parse unchanged.

use pingpp_types::{
    AlipayAccountType, AlipayExtra, AllinpayExtra, ApiErrorBody, ApiErrorDetail, BalanceBonus,
    BatchWithdrawal, BatchWithdrawalItems, BatchWithdrawalListParams, BatchWithdrawalStatus,
    Channel, ChannelExtra, CreateBatchWithdrawal, CreateRecharge, CreateRechargeCharge,
    CreateRechargeRefund, CreateWithdrawal, ErrorType, Event, EventData, FundingSource, JdpayExtra,
    JsonMap, List, ListParams, Recharge, Refund, RefundStatus, UnionpayBank, UnionpayExtra,
    UpdateWithdrawal, Validate, ValidationError, Withdrawal, WithdrawalAction,
    WithdrawalDestination, WithdrawalListParams, WithdrawalStatus, WxExtra,
};
use pingpp_types::{
    AlipayRecipient, BankAccountRecipient, CreateSettleAccount, RecipientType, SettleAccount,
    SettleAccountChannel, SettleAccountRecipient, WxPubRecipient,
};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

// ---------- building blocks ----------

/// Any text, including Chinese and the empty string.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        "[a-zA-Z0-9_]{0,12}",
        "[\\u{4e00}-\\u{4e20}]{1,6}",
        any::<String>().prop_map(|s| s.chars().take(16).collect()),
    ]
    .boxed()
}

/// JSON values without floats (floats are not used by this API).
fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

fn non_null_json() -> impl Strategy<Value = Value> {
    json_value().prop_filter("not null", |v| !v.is_null())
}

/// A map with any keys (metadata, extra).
fn json_map() -> BoxedStrategy<JsonMap> {
    btree_map(text(), json_value(), 0..4)
        .prop_map(|m| m.into_iter().collect())
        .boxed()
}

/// Unknown fields: keys that cannot collide with a documented field.
fn other_fields() -> BoxedStrategy<JsonMap> {
    btree_map("x_[a-z]{1,8}", json_value(), 0..3)
        .prop_map(|m| m.into_iter().collect())
        .boxed()
}

fn opt_text() -> BoxedStrategy<Option<String>> {
    option::of(text()).boxed()
}

fn opt_i64() -> BoxedStrategy<Option<i64>> {
    option::of(any::<i64>()).boxed()
}

/// Known values of a string enum, or an unknown one (`zz_`-prefixed, so it
/// can never be a known value).
fn string_enum<T: From<String> + std::fmt::Debug + Clone + 'static>(
    known: &'static [&'static str],
) -> impl Strategy<Value = T> {
    prop_oneof![
        proptest::sample::select(known).prop_map(|s| T::from(s.to_owned())),
        "zz_[a-z_.]{0,10}".prop_map(T::from),
    ]
}

fn refund_status() -> impl Strategy<Value = RefundStatus> {
    string_enum(RefundStatus::KNOWN)
}
fn withdrawal_status() -> impl Strategy<Value = WithdrawalStatus> {
    string_enum(WithdrawalStatus::KNOWN)
}
fn batch_status() -> impl Strategy<Value = BatchWithdrawalStatus> {
    string_enum(BatchWithdrawalStatus::KNOWN)
}
fn channel() -> impl Strategy<Value = Channel> {
    string_enum(Channel::KNOWN)
}
fn error_type() -> impl Strategy<Value = ErrorType> {
    string_enum(ErrorType::KNOWN)
}
fn funding_source() -> impl Strategy<Value = FundingSource> {
    string_enum(FundingSource::KNOWN)
}
fn alipay_account_type() -> impl Strategy<Value = AlipayAccountType> {
    string_enum(AlipayAccountType::KNOWN)
}

// ---------- objects ----------

fn refund_with_object(object: BoxedStrategy<String>) -> impl Strategy<Value = Refund> {
    (
        (
            text(),
            object,
            opt_text(),
            any::<i64>(),
            any::<i64>(),
            any::<bool>(),
        ),
        (
            refund_status(),
            opt_i64(),
            opt_text(),
            opt_text(),
            opt_text(),
            json_map(),
        ),
        (opt_text(), opt_text(), opt_text(), json_map(), opt_text()),
        (option::of(funding_source()), other_fields()),
    )
        .prop_map(
            |(
                (id, object, order_no, amount, created, succeed),
                (status, time_succeed, description, failure_code, failure_msg, metadata),
                (charge, charge_order_no, transaction_no, extra, currency),
                (funding_source, other),
            )| {
                let mut r = Refund::new(id, amount, created, status);
                r.object = object;
                r.order_no = order_no;
                r.succeed = succeed;
                r.time_succeed = time_succeed;
                r.description = description;
                r.failure_code = failure_code;
                r.failure_msg = failure_msg;
                r.metadata = metadata;
                r.charge = charge;
                r.charge_order_no = charge_order_no;
                r.transaction_no = transaction_no;
                r.extra = extra;
                r.currency = currency;
                r.funding_source = funding_source;
                r.other = other;
                r
            },
        )
}

fn refund() -> impl Strategy<Value = Refund> {
    refund_with_object(text().boxed())
}

fn withdrawal_with_object(object: BoxedStrategy<String>) -> impl Strategy<Value = Withdrawal> {
    (
        (
            text(),
            object,
            opt_text(),
            any::<i64>(),
            opt_text(),
            opt_text(),
        ),
        (
            option::of(channel()),
            any::<i64>(),
            opt_text(),
            json_map(),
            opt_text(),
            opt_i64(),
        ),
        (
            any::<bool>(),
            json_map(),
            opt_text(),
            opt_text(),
            opt_text(),
            withdrawal_status(),
        ),
        (
            opt_i64(),
            opt_i64(),
            opt_text(),
            opt_i64(),
            opt_text(),
            other_fields(),
        ),
    )
        .prop_map(
            |(
                (id, object, app, amount, asset_transaction, balance_transaction),
                (channel, created, description, extra, failure_msg, fee),
                (livemode, metadata, operation_url, order_no, source, status),
                (time_canceled, time_succeeded, user, user_fee, settle_account, other),
            )| {
                let mut w = Withdrawal::new(id, amount, created, status);
                w.object = object;
                w.app = app;
                w.asset_transaction = asset_transaction;
                w.balance_transaction = balance_transaction;
                w.channel = channel;
                w.description = description;
                w.extra = extra;
                w.failure_msg = failure_msg;
                w.fee = fee;
                w.livemode = livemode;
                w.metadata = metadata;
                w.operation_url = operation_url;
                w.order_no = order_no;
                w.source = source;
                w.time_canceled = time_canceled;
                w.time_succeeded = time_succeeded;
                w.user = user;
                w.user_fee = user_fee;
                w.settle_account = settle_account;
                w.other = other;
                w
            },
        )
}

fn withdrawal() -> impl Strategy<Value = Withdrawal> {
    withdrawal_with_object(text().boxed())
}

fn recharge_with_object(object: BoxedStrategy<String>) -> impl Strategy<Value = Recharge> {
    (
        (
            text(),
            object,
            opt_text(),
            any::<i64>(),
            any::<bool>(),
            any::<i64>(),
        ),
        (
            any::<bool>(),
            opt_i64(),
            any::<bool>(),
            opt_text(),
            opt_text(),
            opt_i64(),
        ),
        (
            option::of(non_null_json()),
            option::of(non_null_json()),
            opt_text(),
            opt_text(),
        ),
        (json_map(), other_fields()),
    )
        .prop_map(
            |(
                (id, object, app, created, livemode, amount),
                (succeeded, time_succeeded, refunded, user, from_user, user_fee),
                (charge, balance_bonus, balance_transaction, description),
                (metadata, other),
            )| {
                let mut r = Recharge::new(id, amount, created);
                r.object = object;
                r.app = app;
                r.livemode = livemode;
                r.succeeded = succeeded;
                r.time_succeeded = time_succeeded;
                r.refunded = refunded;
                r.user = user;
                r.from_user = from_user;
                r.user_fee = user_fee;
                r.charge = charge;
                r.balance_bonus = balance_bonus;
                r.balance_transaction = balance_transaction;
                r.description = description;
                r.metadata = metadata;
                r.other = other;
                r
            },
        )
}

fn recharge() -> impl Strategy<Value = Recharge> {
    recharge_with_object(text().boxed())
}

fn list_of<T: std::fmt::Debug + Clone>(
    item: impl Strategy<Value = T>,
) -> impl Strategy<Value = List<T>> {
    (
        text(),
        text(),
        any::<bool>(),
        vec(item, 0..3),
        opt_i64(),
        other_fields(),
    )
        .prop_map(
            |(object, url, has_more, data, total_withdrawals_amount, other)| {
                let mut l = List::new(url, data, has_more);
                l.object = object;
                l.total_withdrawals_amount = total_withdrawals_amount;
                l.other = other;
                l
            },
        )
}

fn batch_withdrawal() -> impl Strategy<Value = BatchWithdrawal> {
    (
        (
            text(),
            text(),
            opt_text(),
            any::<i64>(),
            any::<bool>(),
            opt_i64(),
        ),
        (
            opt_i64(),
            opt_i64(),
            opt_i64(),
            opt_i64(),
            opt_i64(),
            opt_i64(),
        ),
        (
            opt_i64(),
            opt_i64(),
            json_map(),
            opt_text(),
            opt_text(),
            batch_status(),
        ),
        (
            opt_i64(),
            opt_i64(),
            option::of(prop_oneof![
                list_of(withdrawal()).prop_map(BatchWithdrawalItems::List),
                proptest::collection::vec(text(), 0..4).prop_map(BatchWithdrawalItems::Ids),
            ]),
            other_fields(),
        ),
    )
        .prop_map(
            |(
                (id, object, app, created, livemode, amount),
                (
                    amount_succeeded,
                    amount_failed,
                    amount_canceled,
                    count,
                    count_succeeded,
                    count_failed,
                ),
                (count_canceled, fee, metadata, operation_url, source, status),
                (time_finished, user_fee, withdrawals, other),
            )| {
                let mut b = BatchWithdrawal::new(id, created, status);
                b.object = object;
                b.app = app;
                b.livemode = livemode;
                b.amount = amount;
                b.amount_succeeded = amount_succeeded;
                b.amount_failed = amount_failed;
                b.amount_canceled = amount_canceled;
                b.count = count;
                b.count_succeeded = count_succeeded;
                b.count_failed = count_failed;
                b.count_canceled = count_canceled;
                b.fee = fee;
                b.metadata = metadata;
                b.operation_url = operation_url;
                b.source = source;
                b.time_finished = time_finished;
                b.user_fee = user_fee;
                b.withdrawals = withdrawals;
                b.other = other;
                b
            },
        )
}

fn api_error_body() -> impl Strategy<Value = ApiErrorBody> {
    (
        error_type(),
        text(),
        opt_text(),
        opt_text(),
        other_fields(),
        other_fields(),
    )
        .prop_map(
            |(kind, message, code, param, inner_other, other)| ApiErrorBody {
                error: ApiErrorDetail {
                    kind,
                    message,
                    code,
                    param,
                    other: inner_other,
                },
                other,
            },
        )
}

fn event_data() -> impl Strategy<Value = EventData> {
    // Typed objects declare their own kind, as the server's do.
    prop_oneof![
        recharge_with_object(Just("recharge".to_owned()).boxed())
            .prop_map(|r| EventData::RechargeSucceeded(Box::new(r))),
        refund_with_object(Just("refund".to_owned()).boxed())
            .prop_map(|r| EventData::RefundSucceeded(Box::new(r))),
        withdrawal_with_object(Just("withdrawal".to_owned()).boxed())
            .prop_map(|w| EventData::WithdrawalSucceeded(Box::new(w))),
        withdrawal_with_object(Just("withdrawal".to_owned()).boxed())
            .prop_map(|w| EventData::WithdrawalFailed(Box::new(w))),
        ("zz[a-z_.]{0,20}", json_value())
            .prop_map(|(event_type, object)| EventData::Other { event_type, object }),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    (
        (text(), text(), any::<i64>(), any::<bool>(), event_data()),
        (option::of(any::<u32>()), opt_text(), opt_text(), opt_text()),
        (other_fields(), other_fields()),
    )
        .prop_map(
            |(
                (id, object, created, livemode, data),
                (pending_webhooks, request, scope, acct_id),
                (data_other, other),
            )| {
                let mut e = Event::new(id, created, livemode, data);
                e.object = object;
                e.pending_webhooks = pending_webhooks;
                e.request = request;
                e.scope = scope;
                e.acct_id = acct_id;
                e.data_other = data_other;
                e.other = other;
                e
            },
        )
}

// ---------- parameters ----------

fn unionpay_bank() -> BoxedStrategy<UnionpayBank> {
    prop_oneof![
        text().prop_map(UnionpayBank::Code),
        text().prop_map(UnionpayBank::Name),
        (text(), text()).prop_map(|(code, name)| UnionpayBank::Both { code, name }),
    ]
    .boxed()
}

fn unionpay_extra() -> BoxedStrategy<UnionpayExtra> {
    (
        text(),
        text(),
        unionpay_bank(),
        opt_text(),
        opt_text(),
        opt_text(),
    )
        .prop_map(|(account, name, bank, prov, city, sub_bank)| {
            let mut e = UnionpayExtra::new(account, name, bank);
            e.prov = prov;
            e.city = city;
            e.sub_bank = sub_bank;
            e
        })
        .boxed()
}

fn alipay_extra() -> BoxedStrategy<AlipayExtra> {
    (text(), text(), option::of(alipay_account_type()))
        .prop_map(|(account, name, account_type)| {
            let mut e = AlipayExtra::new(account, name);
            e.account_type = account_type;
            e
        })
        .boxed()
}

fn wx_extra() -> BoxedStrategy<WxExtra> {
    (text(), opt_text(), option::of(any::<bool>()))
        .prop_map(|(open_id, name, force_check)| {
            let mut e = WxExtra::new(open_id);
            e.name = name;
            e.force_check = force_check;
            e
        })
        .boxed()
}

fn allinpay_extra() -> BoxedStrategy<AllinpayExtra> {
    (text(), text(), text(), opt_text(), option::of(any::<u8>()))
        .prop_map(
            |(account, name, open_bank_code, business_code, card_type)| {
                let mut e = AllinpayExtra::new(account, name, open_bank_code);
                e.business_code = business_code;
                e.card_type = card_type;
                e
            },
        )
        .boxed()
}

fn jdpay_extra() -> BoxedStrategy<JdpayExtra> {
    (text(), text(), text())
        .prop_map(|(a, n, c)| JdpayExtra::new(a, n, c))
        .boxed()
}

fn channel_extra() -> BoxedStrategy<ChannelExtra> {
    prop_oneof![
        unionpay_extra().prop_map(ChannelExtra::Unionpay),
        alipay_extra().prop_map(ChannelExtra::Alipay),
        wx_extra().prop_map(ChannelExtra::Wx),
        wx_extra().prop_map(ChannelExtra::WxPub),
        wx_extra().prop_map(ChannelExtra::WxLite),
        allinpay_extra().prop_map(ChannelExtra::Allinpay),
        jdpay_extra().prop_map(ChannelExtra::Jdpay),
    ]
    .boxed()
}

fn destination() -> BoxedStrategy<WithdrawalDestination> {
    prop_oneof![
        channel_extra().prop_map(WithdrawalDestination::Channel),
        text().prop_map(WithdrawalDestination::SettleAccount),
    ]
    .boxed()
}

fn create_withdrawal() -> impl Strategy<Value = CreateWithdrawal> {
    (
        text(),
        any::<i64>(),
        any::<i64>(),
        text(),
        opt_text(),
        option::of(json_map()),
        destination(),
    )
        .prop_map(
            |(user, amount, user_fee, order_no, description, metadata, destination)| {
                let mut w = CreateWithdrawal::new(user, amount, order_no, destination);
                w.user_fee = user_fee;
                w.description = description;
                w.metadata = metadata;
                w
            },
        )
}

fn action() -> impl Strategy<Value = WithdrawalAction> {
    prop_oneof![
        Just(WithdrawalAction::Confirm),
        Just(WithdrawalAction::Cancel)
    ]
}

fn create_batch() -> impl Strategy<Value = CreateBatchWithdrawal> {
    (vec(text(), 0..5), action(), option::of(json_map())).prop_map(|(ids, status, metadata)| {
        let mut b = CreateBatchWithdrawal::new(ids, status);
        b.metadata = metadata;
        b
    })
}

fn create_recharge() -> impl Strategy<Value = CreateRecharge> {
    (
        (
            any::<i64>(),
            text(),
            text(),
            text(),
            text(),
            opt_text(),
            opt_i64(),
            option::of(json_map()),
        ),
        (
            text(),
            opt_i64(),
            opt_i64(),
            opt_text(),
            opt_text(),
            option::of(json_map()),
        ),
    )
        .prop_map(
            |(
                (amount, channel, order_no, subject, body, client_ip, time_expire, extra),
                (user, user_fee, balance_bonus, from_user, description, metadata),
            )| {
                let mut charge =
                    CreateRechargeCharge::new(amount, channel, order_no, subject, body);
                charge.client_ip = client_ip;
                charge.time_expire = time_expire;
                charge.extra = extra;
                let mut r = CreateRecharge::new(user, charge);
                r.user_fee = user_fee;
                r.balance_bonus = balance_bonus.map(BalanceBonus::new);
                r.from_user = from_user;
                r.description = description;
                r.metadata = metadata;
                r
            },
        )
}

fn create_refund() -> impl Strategy<Value = CreateRechargeRefund> {
    (text(), option::of(json_map()), option::of(funding_source())).prop_map(
        |(description, metadata, funding_source)| {
            let mut r = CreateRechargeRefund::new(description);
            r.metadata = metadata;
            r.funding_source = funding_source;
            r
        },
    )
}

fn list_params() -> impl Strategy<Value = ListParams> {
    (option::of(any::<u32>()), option::of(any::<u32>()))
        .prop_map(|(page, per_page)| ListParams { page, per_page })
}

fn withdrawal_list_params() -> impl Strategy<Value = WithdrawalListParams> {
    (
        option::of(any::<u32>()),
        option::of(any::<u32>()),
        option::of(withdrawal_status()),
        option::of(channel()),
        opt_text(),
    )
        .prop_map(
            |(page, per_page, status, channel, user)| WithdrawalListParams {
                page,
                per_page,
                status,
                channel,
                user,
            },
        )
}

fn batch_list_params() -> impl Strategy<Value = BatchWithdrawalListParams> {
    (
        option::of(any::<u32>()),
        option::of(any::<u32>()),
        option::of(batch_status()),
    )
        .prop_map(|(page, per_page, status)| BatchWithdrawalListParams {
            page,
            per_page,
            status,
        })
}

fn settle_account() -> impl Strategy<Value = SettleAccount> {
    (
        (
            text(),
            text(),
            any::<i64>(),
            string_enum::<SettleAccountChannel>(SettleAccountChannel::KNOWN),
        ),
        (
            opt_text(),
            opt_text(),
            option::of(string_enum::<RecipientType>(RecipientType::KNOWN)),
        ),
        (
            opt_text(),
            opt_text(),
            option::of(any::<bool>()),
            other_fields(),
            other_fields(),
        ),
    )
        .prop_map(
            |(
                (id, object, created, channel),
                (account, name, kind),
                (open_bank, open_bank_code, force_check, recipient_other, other),
            )| {
                let mut r = SettleAccountRecipient::new("");
                r.account = account;
                r.name = name;
                r.kind = kind;
                r.open_bank = open_bank;
                r.open_bank_code = open_bank_code;
                r.force_check = force_check;
                r.other = recipient_other;
                let mut a = SettleAccount::new(id, created, channel, r);
                a.object = object;
                a.other = other;
                a
            },
        )
}

fn create_settle_account() -> impl Strategy<Value = CreateSettleAccount> {
    let kind = || option::of(string_enum::<RecipientType>(RecipientType::KNOWN));
    prop_oneof![
        (text(), text(), kind(), opt_text(), opt_text()).prop_map(|(a, n, k, ob, oc)| {
            let mut r = BankAccountRecipient::new(a, n);
            r.kind = k;
            r.open_bank = ob;
            r.open_bank_code = oc;
            CreateSettleAccount::BankAccount(r)
        }),
        (text(), text(), kind()).prop_map(|(a, n, k)| {
            let mut r = AlipayRecipient::new(a, n);
            r.kind = k;
            CreateSettleAccount::Alipay(r)
        }),
        (text(), opt_text(), kind(), option::of(any::<bool>())).prop_map(|(o, n, k, f)| {
            let mut r = WxPubRecipient::new(o);
            r.name = n;
            r.kind = k;
            r.force_check = f;
            CreateSettleAccount::WxPub(r)
        }),
    ]
}

// ---------- the property ----------

fn assert_round_trip<T>(value: &T) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_string(value).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back: T = serde_json::from_str(&json)
        .map_err(|e| TestCaseError::fail(format!("{e} while parsing {json}")))?;
    prop_assert_eq!(&back, value, "via {}", json);
    Ok(())
}

macro_rules! round_trip_props {
    ($($name:ident: $strategy:expr;)+) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(128))]
            $(
                #[test]
                fn $name(value in $strategy) {
                    assert_round_trip(&value)?;
                }
            )+
        }
    };
}

round_trip_props! {
    refund_status_round_trips: refund_status();
    withdrawal_status_round_trips: withdrawal_status();
    batch_status_round_trips: batch_status();
    channel_round_trips: channel();
    error_type_round_trips: error_type();
    funding_source_round_trips: funding_source();
    alipay_account_type_round_trips: alipay_account_type();
    refund_round_trips: refund();
    withdrawal_round_trips: withdrawal();
    recharge_round_trips: recharge();
    batch_withdrawal_round_trips: batch_withdrawal();
    withdrawal_list_round_trips: list_of(withdrawal());
    refund_list_round_trips: list_of(refund());
    api_error_round_trips: api_error_body();
    event_data_round_trips: event_data();
    event_round_trips: event();
    unionpay_bank_round_trips: unionpay_extra().prop_map(|e| e.bank);
    unionpay_extra_round_trips: unionpay_extra();
    alipay_extra_round_trips: alipay_extra();
    wx_extra_round_trips: wx_extra();
    allinpay_extra_round_trips: allinpay_extra();
    jdpay_extra_round_trips: jdpay_extra();
    channel_extra_round_trips: channel_extra();
    destination_round_trips: destination();
    create_withdrawal_round_trips: create_withdrawal();
    update_withdrawal_round_trips: action().prop_map(|status| UpdateWithdrawal { status });
    create_batch_round_trips: create_batch();
    create_recharge_round_trips: create_recharge();
    create_refund_round_trips: create_refund();
    list_params_round_trips: list_params();
    withdrawal_list_params_round_trips: withdrawal_list_params();
    batch_list_params_round_trips: batch_list_params();
    settle_account_round_trips: settle_account();
    settle_account_list_round_trips: list_of(settle_account());
    create_settle_account_round_trips: create_settle_account();
}

// ---------- validation properties ----------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Validation never panics, whatever the input.
    #[test]
    fn validation_never_panics(w in create_withdrawal(), r in create_recharge(), b in create_batch()) {
        let _ = w.validate();
        let _ = r.validate();
        let _ = b.validate();
    }

    /// The unionpay order number rule is exactly "1-16 ASCII digits".
    #[test]
    fn unionpay_order_no_rule(order_no in "[0-9a-z]{1,20}") {
        let w = CreateWithdrawal::new(
            "u",
            1,
            order_no.clone(),
            ChannelExtra::Unionpay(UnionpayExtra::new("1", "n", UnionpayBank::Code("0308".into()))),
        );
        let expected_ok = order_no.len() <= 16 && order_no.bytes().all(|b| b.is_ascii_digit());
        prop_assert_eq!(w.validate().is_ok(), expected_ok);
    }

    /// Descriptions are limited by characters, whatever their byte length.
    #[test]
    fn description_limit_counts_characters(description in "\\PC{0,80}") {
        let w = CreateWithdrawal::new("u", 1, "a1", ChannelExtra::Alipay(AlipayExtra::new("a", "n")))
            .description(description.clone());
        let chars = description.chars().count();
        match w.validate() {
            Ok(()) => prop_assert!(chars <= 60),
            Err(ValidationError::TooLong { field: "description", actual, .. }) => {
                prop_assert!(chars > 60);
                prop_assert_eq!(actual, chars);
            }
            Err(other) => prop_assert!(false, "unexpected {other}"),
        }
    }

    /// user_fee is accepted exactly when 0 ≤ user_fee ≤ amount (amount > 0).
    #[test]
    fn user_fee_rule(amount in 1i64..10_000, fee in -100i64..11_000) {
        let w = CreateWithdrawal::new("u", amount, "a1", ChannelExtra::Alipay(AlipayExtra::new("a", "n")))
            .user_fee(fee);
        prop_assert_eq!(w.validate().is_ok(), (0..=amount).contains(&fee));
    }
}

// ---------- wire shape: absent stays absent, null stays null ----------

/// Removes or nulls the given keys of `value` as `plan` says (0 keep, 1 remove, 2 null
/// when `nullable`), then checks parse → serialize gives it back exactly.
fn reshaped_round_trip<T>(
    value: &T,
    keys: &[(&str, bool)],
    plan: &[u8],
    inner: Option<&str>,
) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned,
{
    let mut json = serde_json::to_value(value).map_err(|e| TestCaseError::fail(e.to_string()))?;
    {
        let mut obj = json.as_object_mut().expect("an object");
        if let Some(inner) = inner {
            obj = obj
                .get_mut(inner)
                .and_then(|d| d.get_mut("object"))
                .and_then(Value::as_object_mut)
                .expect("data.object");
        }
        for ((key, nullable), step) in keys.iter().zip(plan) {
            match step {
                1 => {
                    obj.remove(*key);
                }
                2 if *nullable => {
                    obj.insert((*key).to_owned(), Value::Null);
                }
                _ => {}
            }
        }
    }
    let parsed: T = serde_json::from_value(json.clone())
        .map_err(|e| TestCaseError::fail(format!("{e} while parsing {json}")))?;
    let back = serde_json::to_value(&parsed).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(back, json);
    Ok(())
}

/// Withdrawal keys that may be absent, and whether they may be `null`.
const WITHDRAWAL_KEYS: [(&str, bool); 21] = [
    ("object", false),
    ("app", true),
    ("asset_transaction", true),
    ("balance_transaction", true),
    ("channel", true),
    ("description", true),
    ("extra", true),
    ("failure_msg", true),
    ("fee", true),
    ("livemode", false),
    ("metadata", true),
    ("operation_url", true),
    ("order_no", true),
    ("source", true),
    ("time_canceled", true),
    ("time_succeeded", true),
    ("user", true),
    ("user_fee", true),
    ("settle_account", true),
    ("x_unknown", true),
    ("zz", true),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn withdrawal_keeps_absent_and_null_fields(w in withdrawal(), plan in vec(0u8..3, 21)) {
        reshaped_round_trip(&w, &WITHDRAWAL_KEYS, &plan, None)?;
    }

    #[test]
    fn refund_keeps_absent_and_null_fields(r in refund(), plan in vec(0u8..3, 15)) {
        let keys = [
            ("object", false), ("order_no", true), ("succeed", false), ("time_succeed", true),
            ("description", true), ("failure_code", true), ("failure_msg", true),
            ("metadata", true), ("charge", true), ("charge_order_no", true),
            ("transaction_no", true), ("extra", true), ("currency", true),
            ("funding_source", true), ("x_other", true),
        ];
        reshaped_round_trip(&r, &keys, &plan, None)?;
    }

    #[test]
    fn event_keeps_absent_and_null_fields(e in event(), plan in vec(0u8..3, 7)) {
        let keys = [
            ("id", true), ("object", false), ("livemode", false), ("pending_webhooks", true),
            ("request", true), ("scope", true), ("acct_id", true),
        ];
        reshaped_round_trip(&e, &keys, &plan, None)?;
    }

    #[test]
    fn withdrawal_inside_an_event_keeps_its_shape(
        w in withdrawal_with_object(Just("withdrawal".to_owned()).boxed()),
        plan in vec(0u8..3, 19),
    ) {
        let e = Event::new("evt_1", 1, false, EventData::WithdrawalSucceeded(Box::new(w)));
        // Not "object" (it selects the type) and not the unknown keys.
        reshaped_round_trip(&e, &WITHDRAWAL_KEYS[1..20], &plan, Some("data"))?;
    }
}
