//! Every fixture parses into its type and serializes back to the same JSON.

use pingpp_types::{
    AlipayAccountType, ApiErrorBody, BatchWithdrawal, BatchWithdrawalItems, BatchWithdrawalStatus,
    Channel, ChannelExtra, ErrorType, Event, EventData, FundingSource, List, Recharge, Refund,
    RefundStatus, UnionpayBank, Withdrawal, WithdrawalStatus,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Parses `json` as `T`, serializes it back, and checks both are equal as JSON.
fn round_trip<T: DeserializeOwned + Serialize>(name: &str, json: &str) -> T {
    let original: Value =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{name}: bad JSON: {e}"));
    let parsed: T =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{name}: parse failed: {e}"));
    let back =
        serde_json::to_value(&parsed).unwrap_or_else(|e| panic!("{name}: serialize failed: {e}"));
    assert_eq!(back, original, "{name}: round trip changed the JSON");
    parsed
}

macro_rules! fixture {
    ($name:literal) => {
        ($name, include_str!(concat!("fixtures/", $name, ".json")))
    };
}

#[test]
fn refund_round_trips() {
    let (n, j) = fixture!("refund");
    let r: Refund = round_trip(n, j);
    assert_eq!(r.status, RefundStatus::Succeeded);
    assert!(r.succeed);
    assert_eq!(r.amount, 1000);
    assert_eq!(r.time_succeed, Some(1_480_499_412));
    assert_eq!(r.failure_msg, None);
    assert_eq!(r.funding_source, Some(FundingSource::RechargeFunds));
    assert_eq!(r.currency, None);
    // `app` is not a documented refund field: kept in `other`.
    assert_eq!(r.other["app"], "app_1Gqj58ynP0mHeX1q");
}

#[test]
fn unionpay_withdrawal_round_trips_with_typed_extra() {
    let (n, j) = fixture!("withdrawal_unionpay");
    let w: Withdrawal = round_trip(n, j);
    assert_eq!(w.channel, Some(Channel::Unionpay));
    assert_eq!(w.status, WithdrawalStatus::Created);
    assert_eq!(w.asset_transaction.as_deref(), Some(""));
    match w.channel_extra() {
        Some(ChannelExtra::Unionpay(e)) => {
            assert_eq!(e.account, "6225880137003000");
            assert_eq!(
                e.bank,
                UnionpayBank::Both {
                    code: "0308".into(),
                    name: "招商银行".into()
                }
            );
            assert_eq!(e.sub_bank.as_deref(), Some("招商银行上海分行张江支行"));
        }
        other => panic!("unexpected extra {other:?}"),
    }
}

#[test]
fn legacy_unionpay_withdrawal_keeps_unknown_extra_keys() {
    let (n, j) = fixture!("withdrawal_unionpay_legacy");
    let w: Withdrawal = round_trip(n, j);
    assert_eq!(w.extra_str("card_number"), Some("6225880137003000"));
    assert_eq!(w.extra_str("batch_no"), Some("201607281630"));
    assert_eq!(w.settle_account.as_deref(), Some(""));
    // The typed view reads the older names as account / name.
    match w.channel_extra() {
        Some(ChannelExtra::Unionpay(e)) => {
            assert_eq!(e.account, "6225880137003000");
            assert_eq!(e.name, "张三");
            assert_eq!(e.bank, UnionpayBank::Code("0308".into()));
        }
        other => panic!("unexpected extra {other:?}"),
    }
}

#[test]
fn alipay_withdrawal_round_trips() {
    let (n, j) = fixture!("withdrawal_alipay");
    let w: Withdrawal = round_trip(n, j);
    assert_eq!(w.status, WithdrawalStatus::Pending);
    assert_eq!(w.metadata["level"], 3);
    match w.channel_extra() {
        Some(ChannelExtra::Alipay(e)) => {
            assert_eq!(e.account_type, Some(AlipayAccountType::UserId));
        }
        other => panic!("unexpected extra {other:?}"),
    }
}

#[test]
fn wx_withdrawal_round_trips_with_null_numbers() {
    let (n, j) = fixture!("withdrawal_wx");
    let w: Withdrawal = round_trip(n, j);
    assert_eq!(w.fee, None);
    assert_eq!(w.user_fee, None);
    assert_eq!(w.status, WithdrawalStatus::Canceled);
    assert_eq!(w.time_canceled, Some(1_479_190_000));
    assert_eq!(w.open_id(), Some("o9zpMs9jIaLynQY9N6yxcZ"));
    match w.channel_extra() {
        Some(ChannelExtra::Wx(e)) => {
            assert_eq!(e.name.as_deref(), Some("王五"));
            assert_eq!(e.force_check, Some(true));
        }
        other => panic!("unexpected extra {other:?}"),
    }
}

#[test]
fn wx_pub_withdrawal_accepts_openid_spelling() {
    let (n, j) = fixture!("withdrawal_wx_pub");
    let w: Withdrawal = round_trip(n, j);
    // The response spelling is kept as sent...
    assert!(w.extra.contains_key("openid"));
    assert_eq!(w.extra_str("nickname"), Some("小王"));
    // ...and read through both helpers.
    assert_eq!(w.open_id(), Some("oBdA9t1hn1ULQsPAFgj5Whx2VYjI"));
    match w.channel_extra() {
        Some(ChannelExtra::WxPub(e)) => assert_eq!(e.open_id, "oBdA9t1hn1ULQsPAFgj5Whx2VYjI"),
        other => panic!("unexpected extra {other:?}"),
    }
}

#[test]
fn wx_lite_withdrawal_round_trips() {
    let (n, j) = fixture!("withdrawal_wx_lite");
    let w: Withdrawal = round_trip(n, j);
    assert_eq!(w.status, WithdrawalStatus::Failed);
    assert_eq!(w.failure_msg.as_deref(), Some("收款用户姓名校验不一致"));
    assert!(matches!(w.channel_extra(), Some(ChannelExtra::WxLite(_))));
}

#[test]
fn allinpay_withdrawal_round_trips() {
    let (n, j) = fixture!("withdrawal_allinpay");
    let w: Withdrawal = round_trip(n, j);
    assert!(w.livemode);
    match w.channel_extra() {
        Some(ChannelExtra::Allinpay(e)) => {
            assert_eq!(e.card_type, Some(0));
            assert_eq!(e.business_code.as_deref(), Some("09900"));
        }
        other => panic!("unexpected extra {other:?}"),
    }
}

#[test]
fn jdpay_withdrawal_keeps_unknown_top_level_fields() {
    let (n, j) = fixture!("withdrawal_jdpay");
    let w: Withdrawal = round_trip(n, j);
    assert_eq!(w.other["risk_level"], "low");
    assert_eq!(w.source.as_deref(), Some("1901611151015122025"));
    assert!(matches!(w.channel_extra(), Some(ChannelExtra::Jdpay(_))));
}

#[test]
fn settle_account_withdrawal_round_trips() {
    let (n, j) = fixture!("withdrawal_settle_account");
    let w: Withdrawal = round_trip(n, j);
    assert_eq!(w.channel, None);
    assert_eq!(w.channel_extra(), None);
    assert_eq!(w.settle_account.as_deref(), Some("320116111500013812"));
}

#[test]
fn null_extra_and_metadata_read_as_empty_maps() {
    let mut v: Value =
        serde_json::from_str(include_str!("fixtures/withdrawal_settle_account.json")).unwrap();
    v["extra"] = Value::Null;
    v["metadata"] = Value::Null;
    let w: Withdrawal = serde_json::from_value(v).unwrap();
    assert!(w.extra.is_empty());
    assert!(w.metadata.is_empty());
}

#[test]
fn minimal_withdrawal_parses() {
    let w: Withdrawal = serde_json::from_str(
        r#"{"id":"1","amount":1,"created":2,"status":"created","channel":"","order_no":null}"#,
    )
    .unwrap();
    assert_eq!(w.object, "withdrawal");
    assert_eq!(w.channel, Some(Channel::Unknown(String::new())));
    assert_eq!(w.order_no, None);
}

#[test]
fn recharge_round_trips_with_embedded_charge() {
    let (n, j) = fixture!("recharge");
    let r: Recharge = round_trip(n, j);
    assert_eq!(r.charge_id(), Some("ch_L8qn10mLmr1GS8e5OODmHaL4"));
    assert!(r.succeeded);
    assert_eq!(r.balance_bonus, None);
    assert_eq!(r.metadata["campaign"], "double11");
}

#[test]
fn batch_withdrawal_round_trips() {
    let (n, j) = fixture!("batch_withdrawal");
    let b: BatchWithdrawal = round_trip(n, j);
    assert_eq!(b.status, BatchWithdrawalStatus::Pending);
    assert_eq!(b.count, Some(2));
    let Some(BatchWithdrawalItems::List(list)) = &b.withdrawals else {
        panic!("withdrawals should be a list object: {:?}", b.withdrawals);
    };
    assert_eq!(list.data.len(), 2);
    assert_eq!(list.data[1].channel, Some(Channel::WxPub));
    assert_eq!(b.withdrawals.as_ref().map(|w| w.ids().len()), Some(2));

    // Leniency: a plain array of ids, or any other shape, still parses.
    let mut ids: Value = serde_json::from_str(j).expect("fixture JSON");
    ids["withdrawals"] = serde_json::json!(["1701611150302360654", "1701611151015078981"]);
    let b: BatchWithdrawal = round_trip("batch_withdrawal (ids)", &ids.to_string());
    assert_eq!(
        b.withdrawals.as_ref().map(|w| w.ids()),
        Some(vec!["1701611150302360654", "1701611151015078981"])
    );
    let mut odd: Value = serde_json::from_str(j).expect("fixture JSON");
    odd["withdrawals"] = serde_json::json!({"unexpected": true});
    let b: BatchWithdrawal = round_trip("batch_withdrawal (other)", &odd.to_string());
    assert!(matches!(
        b.withdrawals,
        Some(BatchWithdrawalItems::Other(_))
    ));
}

#[test]
fn withdrawal_list_round_trips_with_total() {
    let (n, j) = fixture!("withdrawal_list");
    let l: List<Withdrawal> = round_trip(n, j);
    assert!(l.has_more);
    assert_eq!(l.data.len(), 3);
    assert_eq!(l.total_withdrawals_amount, Some(20000 + 8800 + 100));
}

#[test]
fn error_body_round_trips() {
    let (n, j) = fixture!("error");
    let e: ApiErrorBody = round_trip(n, j);
    assert_eq!(e.error.kind, ErrorType::InvalidRequest);
    assert_eq!(e.error.param.as_deref(), Some("order_no"));
    assert_eq!(
        e.to_string(),
        "invalid_request_error: 订单号 order_no 格式不正确 (code invalid_parameter) (param `order_no`)"
    );
}

#[test]
fn recharge_succeeded_event_is_typed() {
    let (n, j) = fixture!("event_recharge_succeeded");
    let e: Event = round_trip(n, j);
    assert_eq!(e.event_type(), "recharge.succeeded");
    assert_eq!(e.pending_webhooks, Some(1));
    match &e.data {
        EventData::RechargeSucceeded(r) => assert_eq!(r.amount, 1000),
        other => panic!("unexpected data {other:?}"),
    }
}

#[test]
fn refund_succeeded_event_is_typed_and_keeps_scope() {
    let (n, j) = fixture!("event_refund_succeeded");
    let e: Event = round_trip(n, j);
    assert_eq!(e.scope.as_deref(), Some("app"));
    assert_eq!(e.acct_id.as_deref(), Some("acct_0eHSiDyzv9G09ejT"));
    match &e.data {
        EventData::RefundSucceeded(r) => assert_eq!(r.status, RefundStatus::Succeeded),
        other => panic!("unexpected data {other:?}"),
    }
}

#[test]
fn withdrawal_succeeded_event_is_typed() {
    let (n, j) = fixture!("event_withdrawal_succeeded");
    let e: Event = round_trip(n, j);
    match &e.data {
        EventData::WithdrawalSucceeded(w) => assert_eq!(w.status, WithdrawalStatus::Succeeded),
        other => panic!("unexpected data {other:?}"),
    }
    assert!(e.data.withdrawal().is_some());
}

#[test]
fn withdrawal_failed_event_is_typed() {
    let (n, j) = fixture!("event_withdrawal_failed");
    let e: Event = round_trip(n, j);
    assert_eq!(e.request, None);
    match &e.data {
        EventData::WithdrawalFailed(w) => assert_eq!(w.status, WithdrawalStatus::Failed),
        other => panic!("unexpected data {other:?}"),
    }
}

#[test]
fn unknown_event_type_is_kept_raw() {
    let (n, j) = fixture!("event_summary_daily_available");
    let e: Event = round_trip(n, j);
    assert_eq!(e.event_type(), "summary.daily.available");
    match &e.data {
        EventData::Other { event_type, object } => {
            assert_eq!(event_type, "summary.daily.available");
            assert_eq!(object["charges_count"], 42);
        }
        other => panic!("unexpected data {other:?}"),
    }
    assert!(e.data_other.contains_key("previous_attributes"));
    assert_eq!(e.other["delivery_attempts"], 0);
}

#[test]
fn known_type_with_other_object_kind_is_kept_raw() {
    let json = r#"{"id":"evt_1","object":"event","created":1,"livemode":false,
        "type":"refund.succeeded","data":{"object":{"object":"charge_refund_v2","id":"x"}},
        "pending_webhooks":0,"request":null}"#;
    let e: Event = round_trip("other kind", json);
    assert!(matches!(e.data, EventData::Other { .. }));
    assert_eq!(e.event_type(), "refund.succeeded");
}

#[test]
fn known_type_with_broken_object_is_an_error() {
    let json = r#"{"id":"evt_1","object":"event","created":1,"livemode":false,
        "type":"balance.withdrawal.succeeded","data":{"object":{"object":"withdrawal","id":"1"}},
        "pending_webhooks":0,"request":null}"#;
    assert!(serde_json::from_str::<Event>(json).is_err());
}

#[test]
fn unknown_enum_strings_round_trip() {
    let w: Withdrawal = serde_json::from_str(
        r#"{"id":"1","amount":1,"created":2,"status":"reviewing","channel":"bank_v3"}"#,
    )
    .unwrap();
    assert_eq!(w.status, WithdrawalStatus::Unknown("reviewing".into()));
    assert_eq!(w.channel, Some(Channel::Unknown("bank_v3".into())));
    let back = serde_json::to_value(&w).unwrap();
    assert_eq!(back["status"], "reviewing");
    assert_eq!(back["channel"], "bank_v3");

    let e: ApiErrorBody =
        serde_json::from_str(r#"{"error":{"type":"rate_limit_error","message":"慢一点"}}"#)
            .unwrap();
    assert_eq!(e.error.kind, ErrorType::Unknown("rate_limit_error".into()));
    assert_eq!(
        serde_json::to_value(&e).unwrap()["error"]["type"],
        "rate_limit_error"
    );

    let r: RefundStatus = serde_json::from_str(r#""partially_refunded""#).unwrap();
    assert_eq!(r.as_str(), "partially_refunded");
    assert!(r.is_unknown());
    let b: BatchWithdrawalStatus = serde_json::from_str(r#""processing""#).unwrap();
    assert_eq!(serde_json::to_string(&b).unwrap(), r#""processing""#);
    let f: FundingSource = serde_json::from_str(r#""bonus_funds""#).unwrap();
    assert_eq!(f, FundingSource::Unknown("bonus_funds".into()));
    let a: AlipayAccountType = serde_json::from_str(r#""ALIPAY_OPENID""#).unwrap();
    assert_eq!(serde_json::to_string(&a).unwrap(), r#""ALIPAY_OPENID""#);
}

#[test]
fn known_enum_strings_parse_to_known_variants() {
    for s in WithdrawalStatus::KNOWN {
        let v: WithdrawalStatus = serde_json::from_value(Value::from(*s)).unwrap();
        assert!(!v.is_unknown(), "{s}");
        assert_eq!(v.as_str(), *s);
    }
    for s in Channel::KNOWN {
        let v: Channel = s.parse().unwrap();
        assert!(!v.is_unknown(), "{s}");
        assert_eq!(v.to_string(), *s);
    }
}

/// Found by fuzzing: floats inside free-form maps must survive parse → serialize →
/// parse exactly (serde_json's `float_roundtrip`).
#[test]
fn floats_in_free_form_fields_round_trip_exactly() {
    let json = r#"{"id":"re_1","object":"refund","amount":1,"created":1,"succeed":true,"status":"succeeded","metadata":{"x":1.333e129,"y":0.1,"z":2.2250738585072014e-308}}"#;
    let first: Refund = serde_json::from_str(json).expect("parses");
    let again: Refund = serde_json::from_str(&serde_json::to_string(&first).expect("serializes"))
        .expect("re-parses");
    assert_eq!(first, again);
    assert_eq!(first.metadata["x"].as_f64(), Some(1.333e129));
}
