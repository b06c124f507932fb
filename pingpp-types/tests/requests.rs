//! Wire form of the request parameters.

use pingpp_types::{
    AlipayAccountType, AlipayExtra, AllinpayExtra, BatchWithdrawalListParams, ChannelExtra,
    CreateBatchWithdrawal, CreateRecharge, CreateRechargeCharge, CreateRechargeRefund,
    CreateWithdrawal, FundingSource, JdpayExtra, ListParams, UnionpayBank, UnionpayExtra,
    UpdateWithdrawal, WithdrawalAction, WithdrawalDestination, WithdrawalListParams,
    WithdrawalStatus, WxExtra,
};
use serde_json::{Value, json};

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

#[test]
fn unionpay_withdrawal_is_flat_channel_and_extra() {
    let p = CreateWithdrawal::new(
        "user_001",
        20_000,
        "2016111500001",
        ChannelExtra::Unionpay(
            UnionpayExtra::new(
                "6225880137003000",
                "张三",
                UnionpayBank::Code("0308".into()),
            )
            .prov("上海")
            .city("上海"),
        ),
    )
    .user_fee(100)
    .description("余额提现")
    .metadata_entry("ticket", "T-1");
    assert_eq!(
        to_json(&p),
        json!({
            "user": "user_001",
            "amount": 20000,
            "user_fee": 100,
            "order_no": "2016111500001",
            "description": "余额提现",
            "metadata": {"ticket": "T-1"},
            "channel": "unionpay",
            "extra": {
                "account": "6225880137003000",
                "name": "张三",
                "open_bank_code": "0308",
                "prov": "上海",
                "city": "上海"
            }
        })
    );
}

#[test]
fn unionpay_bank_variants_serialize_their_keys() {
    let name = UnionpayExtra::new("1", "n", UnionpayBank::Name("招商银行".into()));
    assert_eq!(
        to_json(&name),
        json!({"account": "1", "name": "n", "open_bank": "招商银行"})
    );
    let both = UnionpayExtra::new(
        "1",
        "n",
        UnionpayBank::Both {
            code: "0308".into(),
            name: "招商银行".into(),
        },
    );
    assert_eq!(
        to_json(&both),
        json!({"account": "1", "name": "n", "open_bank_code": "0308", "open_bank": "招商银行"})
    );
}

#[test]
fn unionpay_extra_without_bank_is_rejected() {
    let err = serde_json::from_value::<UnionpayExtra>(json!({"account": "1", "name": "n"}))
        .unwrap_err()
        .to_string();
    assert!(err.contains("open_bank_code"), "{err}");
}

#[test]
fn wechat_sends_open_id_and_reads_openid() {
    let p = CreateWithdrawal::new(
        "u",
        100,
        "wx1",
        ChannelExtra::WxLite(WxExtra::new("oABC").checked_name("王五")),
    );
    let v = to_json(&p);
    assert_eq!(v["channel"], "wx_lite");
    assert_eq!(
        v["extra"],
        json!({"open_id": "oABC", "name": "王五", "force_check": true})
    );

    let read: CreateWithdrawal = serde_json::from_value(json!({
        "user": "u", "amount": 100, "user_fee": 0, "order_no": "wx1", "channel": "wx_pub",
        "extra": {"openid": "oXYZ"}
    }))
    .unwrap();
    assert_eq!(
        read.destination,
        WithdrawalDestination::Channel(ChannelExtra::WxPub(WxExtra::new("oXYZ")))
    );
}

#[test]
fn other_channels_serialize_their_extra() {
    let alipay = ChannelExtra::Alipay(
        AlipayExtra::new("2088102165732546", "李四").account_type(AlipayAccountType::UserId),
    );
    assert_eq!(
        to_json(&alipay),
        json!({"channel": "alipay", "extra": {"account": "2088102165732546", "name": "李四", "account_type": "ALIPAY_USERID"}})
    );
    let allinpay = ChannelExtra::Allinpay(AllinpayExtra::new("6214", "赵六", "0308").card_type(1));
    assert_eq!(
        to_json(&allinpay),
        json!({"channel": "allinpay", "extra": {"account": "6214", "name": "赵六", "open_bank_code": "0308", "card_type": 1}})
    );
    let jdpay = ChannelExtra::Jdpay(JdpayExtra::new("6222", "钱七", "0102"));
    assert_eq!(
        to_json(&jdpay),
        json!({"channel": "jdpay", "extra": {"account": "6222", "name": "钱七", "open_bank_code": "0102"}})
    );
    assert_eq!(
        to_json(&ChannelExtra::Wx(WxExtra::new("o1")))["channel"],
        "wx"
    );
}

#[test]
fn settle_account_withdrawal_sends_settle_account_only() {
    let p = CreateWithdrawal::to_settle_account("u", 500, "s1", "320116111500013812");
    assert_eq!(
        to_json(&p),
        json!({"user": "u", "amount": 500, "user_fee": 0, "order_no": "s1", "settle_account": "320116111500013812"})
    );
    let back: CreateWithdrawal = serde_json::from_value(to_json(&p)).unwrap();
    assert_eq!(back, p);
}

#[test]
fn reading_a_body_with_channel_and_settle_account_keeps_the_channel() {
    let read: CreateWithdrawal = serde_json::from_value(json!({
        "user": "u", "amount": 100, "user_fee": 0, "order_no": "a1", "channel": "alipay",
        "extra": {"account": "a@example.com", "name": "n"}, "settle_account": "320"
    }))
    .unwrap();
    assert!(matches!(
        read.destination,
        WithdrawalDestination::Channel(ChannelExtra::Alipay(_))
    ));
}

#[test]
fn reading_a_body_without_destination_or_with_unknown_channel_fails() {
    let none = serde_json::from_value::<CreateWithdrawal>(
        json!({"user": "u", "amount": 1, "user_fee": 0, "order_no": "1"}),
    );
    assert!(none.unwrap_err().to_string().contains("channel"));
    let unknown = serde_json::from_value::<CreateWithdrawal>(
        json!({"user": "u", "amount": 1, "user_fee": 0, "order_no": "1", "channel": "paypal", "extra": {}}),
    );
    assert!(unknown.unwrap_err().to_string().contains("paypal"));
    let missing = serde_json::from_value::<CreateWithdrawal>(
        json!({"user": "u", "amount": 1, "user_fee": 0, "order_no": "1", "channel": "jdpay", "extra": {"account": "1"}}),
    );
    assert!(missing.is_err());
}

#[test]
fn update_withdrawal_bodies() {
    assert_eq!(
        serde_json::to_string(&UpdateWithdrawal::confirm()).unwrap(),
        r#"{"status":"pending"}"#
    );
    assert_eq!(
        serde_json::to_string(&UpdateWithdrawal::cancel()).unwrap(),
        r#"{"status":"canceled"}"#
    );
    assert_eq!(WithdrawalAction::Cancel.as_str(), "canceled");
}

#[test]
fn batch_withdrawal_status_defaults_to_confirm_when_reading() {
    let b: CreateBatchWithdrawal =
        serde_json::from_value(json!({"withdrawals": ["1", "2"]})).unwrap();
    assert_eq!(b.status, WithdrawalAction::Confirm);
    let cancel = CreateBatchWithdrawal::cancel(["1"]);
    assert_eq!(
        to_json(&cancel),
        json!({"withdrawals": ["1"], "status": "canceled"})
    );
}

#[test]
fn refund_and_recharge_params_skip_absent_fields() {
    assert_eq!(
        to_json(&CreateRechargeRefund::new("退款")),
        json!({"description": "退款"})
    );
    assert_eq!(
        to_json(&CreateRechargeRefund::new("退款").funding_source(FundingSource::UnsettledFunds)),
        json!({"description": "退款", "funding_source": "unsettled_funds"})
    );
    let r = CreateRecharge::new(
        "u",
        CreateRechargeCharge::new(1000, "alipay", "R1", "充值", "充值 10 元")
            .client_ip("127.0.0.1"),
    )
    .balance_bonus(10);
    assert_eq!(
        to_json(&r),
        json!({
            "user": "u",
            "charge": {"amount": 1000, "channel": "alipay", "order_no": "R1", "subject": "充值", "body": "充值 10 元", "client_ip": "127.0.0.1"},
            "balance_bonus": {"amount": 10}
        })
    );
}

#[test]
fn list_params_skip_none() {
    assert_eq!(to_json(&ListParams::new()), json!({}));
    assert_eq!(
        to_json(&ListParams::new().page(2).per_page(50)),
        json!({"page": 2, "per_page": 50})
    );
    assert_eq!(
        to_json(
            &WithdrawalListParams::new()
                .status(WithdrawalStatus::Created)
                .user("u1")
        ),
        json!({"status": "created", "user": "u1"})
    );
    assert_eq!(
        to_json(&BatchWithdrawalListParams::new().per_page(10)),
        json!({"per_page": 10})
    );
}

#[test]
fn withdrawal_always_sends_user_fee_and_reading_requires_it() {
    let p = CreateWithdrawal::new("u", 100, "1", ChannelExtra::Wx(WxExtra::new("o")));
    assert_eq!(to_json(&p)["user_fee"], 0);
    assert_eq!(to_json(&p.clone().user_fee(7))["user_fee"], 7);
    // The server refuses a body without it ("必传"): so does reading.
    let err = serde_json::from_value::<CreateWithdrawal>(json!({
        "user": "u", "amount": 100, "order_no": "1", "channel": "wx", "extra": {"open_id": "o"}
    }))
    .unwrap_err();
    assert!(
        err.to_string().contains("missing field `user_fee`"),
        "{err}"
    );
}

#[test]
fn balance_bonus_is_an_object_and_a_bare_number_is_refused() {
    let official = json!({
        "user": "u", "balance_bonus": {"amount": 100},
        "charge": {"amount": 1000, "channel": "alipay", "order_no": "R1", "subject": "s", "body": "b"}
    });
    let r: CreateRecharge = serde_json::from_value(official.clone()).unwrap();
    assert_eq!(r.balance_bonus.map(|b| b.amount), Some(100));
    assert_eq!(to_json(&r), official);
    let mut bare = official;
    bare["balance_bonus"] = json!(100);
    assert!(serde_json::from_value::<CreateRecharge>(bare).is_err());
}

#[test]
fn time_expire_reads_an_integer_or_a_numeric_string() {
    let charge = |t: serde_json::Value| {
        serde_json::from_value::<CreateRechargeCharge>(json!({
            "amount": 1, "channel": "alipay", "order_no": "R1", "subject": "s", "body": "b",
            "time_expire": t
        }))
    };
    assert_eq!(
        charge(json!(1_700_000_000)).unwrap().time_expire,
        Some(1_700_000_000)
    );
    let from_string = charge(json!("1700000000")).unwrap();
    assert_eq!(from_string.time_expire, Some(1_700_000_000));
    // Written back as the documented integer.
    assert_eq!(to_json(&from_string)["time_expire"], 1_700_000_000);
    assert_eq!(charge(json!(null)).unwrap().time_expire, None);
    for bad in [json!("soon"), json!(""), json!("-5"), json!(1.5)] {
        assert!(charge(bad.clone()).is_err(), "{bad}");
    }
}

#[test]
fn duplicate_keys_are_refused_at_every_level() {
    let bodies = [
        r#"{"user":"u","amount":1,"amount":99999999999,"user_fee":0,"order_no":"1","channel":"wx","extra":{"open_id":"o"}}"#,
        r#"{"user":"u","amount":1,"user_fee":0,"order_no":"1","channel":"wx","extra":{"open_id":"o","open_id":"p"}}"#,
        r#"{"user":"u","amount":1,"user_fee":0,"order_no":"1","channel":"wx","extra":{"open_id":"o"},"metadata":{"k":1,"k":2}}"#,
        r#"{"user":"u","amount":1,"user_fee":0,"order_no":"1","extra":{"open_id":"o","name":"a","name":"b"},"channel":"wx"}"#,
    ];
    for body in bodies {
        assert!(
            serde_json::from_str::<CreateWithdrawal>(body).is_err(),
            "{body}"
        );
    }
    assert!(
        serde_json::from_str::<CreateRechargeRefund>(
            r#"{"description":"d","metadata":{"a":1,"a":2}}"#
        )
        .is_err()
    );
    assert!(
        serde_json::from_str::<CreateRecharge>(
            r#"{"user":"u","charge":{"amount":1,"channel":"c","order_no":"1","subject":"s","body":"b","extra":{"x":1,"x":2}}}"#
        )
        .is_err()
    );
    // Responses too: a repeated field, or a repeated key inside metadata.
    assert!(
        serde_json::from_str::<pingpp_types::Withdrawal>(
            r#"{"id":"1","amount":1,"amount":2,"created":1,"status":"created"}"#
        )
        .is_err()
    );
    assert!(
        serde_json::from_str::<pingpp_types::Withdrawal>(
            r#"{"id":"1","amount":1,"created":1,"status":"created","metadata":{"a":{"b":1,"b":2}}}"#
        )
        .is_err()
    );
}

#[test]
fn settle_account_params_wire_form() {
    use pingpp_types::{AlipayRecipient, CreateSettleAccount, RecipientType, WxPubRecipient};
    let wx = CreateSettleAccount::WxPub(
        WxPubRecipient::new("oXYZ")
            .name("张三")
            .kind(RecipientType::B2c)
            .force_check(false),
    );
    assert_eq!(
        to_json(&wx),
        json!({"channel": "wx_pub", "recipient": {"account": "oXYZ", "name": "张三", "type": "b2c", "force_check": false}})
    );
    let back: CreateSettleAccount = serde_json::from_value(to_json(&wx)).unwrap();
    assert_eq!(back, wx);
    let ali = CreateSettleAccount::from(AlipayRecipient::new("a@example.com", "李四"));
    assert_eq!(
        to_json(&ali)["recipient"],
        json!({"account": "a@example.com", "name": "李四"})
    );
    assert!(
        serde_json::from_value::<CreateSettleAccount>(
            json!({"channel": "paypal", "recipient": {"account": "x"}})
        )
        .is_err()
    );
    assert!(
        serde_json::from_value::<CreateSettleAccount>(
            json!({"channel": "alipay", "recipient": {"account": "x"}})
        )
        .unwrap_err()
        .to_string()
        .contains("name")
    );
}
