//! Client-side validation rules.

use pingpp_types::{
    AlipayAccountType, AlipayExtra, AllinpayExtra, BatchWithdrawalListParams, ChannelExtra,
    CreateBatchWithdrawal, CreateRecharge, CreateRechargeCharge, CreateRechargeRefund,
    CreateWithdrawal, JdpayExtra, ListParams, Metadata, UnionpayBank, UnionpayExtra,
    UpdateWithdrawal, Validate, ValidationError, WithdrawalListParams, WxExtra, validate_metadata,
};
use serde_json::json;

fn unionpay() -> ChannelExtra {
    ChannelExtra::Unionpay(UnionpayExtra::new(
        "6225880137003000",
        "张三",
        UnionpayBank::Code("0308".into()),
    ))
}

fn alipay() -> ChannelExtra {
    ChannelExtra::Alipay(AlipayExtra::new("someone@example.com", "李四"))
}

fn wx(e: WxExtra) -> ChannelExtra {
    ChannelExtra::Wx(e)
}

fn allinpay() -> ChannelExtra {
    ChannelExtra::Allinpay(AllinpayExtra::new("6214830215878947", "赵六", "0308"))
}

fn jdpay() -> ChannelExtra {
    ChannelExtra::Jdpay(JdpayExtra::new("6222021001115704287", "钱七", "0102"))
}

fn withdrawal(order_no: &str, extra: ChannelExtra) -> CreateWithdrawal {
    CreateWithdrawal::new("user_001", 1000, order_no, extra)
}

fn is_order_no_error(r: Result<(), ValidationError>) -> bool {
    matches!(r, Err(ValidationError::InvalidOrderNo { .. }))
}

#[test]
fn valid_withdrawals_for_every_channel_pass() {
    let cases = [
        withdrawal("1234567890123456", unionpay()),
        withdrawal(&"a".repeat(64), alipay()),
        withdrawal(&"A1".repeat(25), wx(WxExtra::new("o1"))),
        withdrawal(
            &"B".repeat(50),
            ChannelExtra::WxPub(WxExtra::new("o1").name("王五")),
        ),
        withdrawal(
            "x1",
            ChannelExtra::WxLite(WxExtra::new("o1").checked_name("王五")),
        ),
        withdrawal("2000000001abcdefghij", allinpay()),
        withdrawal(&format!("2000000001{}", "z".repeat(30)), allinpay()),
        withdrawal(&"9".repeat(64), jdpay()),
        CreateWithdrawal::to_settle_account("u", 1, "s".repeat(64), "320116"),
    ];
    for c in cases {
        assert_eq!(c.validate(), Ok(()), "{c:?}");
    }
}

#[test]
fn amount_must_be_positive() {
    let mut w = withdrawal("1", unionpay());
    w.amount = 0;
    assert_eq!(
        w.validate(),
        Err(ValidationError::NotPositive {
            field: "amount",
            value: 0
        })
    );
    w.amount = -5;
    assert!(
        w.validate()
            .unwrap_err()
            .to_string()
            .contains("`amount` must be greater than 0")
    );
}

#[test]
fn user_fee_must_be_between_zero_and_amount() {
    let w = withdrawal("1", unionpay());
    assert_eq!(w.clone().user_fee(1000).validate(), Ok(()));
    assert_eq!(w.clone().user_fee(0).validate(), Ok(()));
    assert_eq!(
        w.clone().user_fee(1001).validate(),
        Err(ValidationError::FeeExceedsAmount {
            user_fee: 1001,
            amount_field: "amount",
            amount: 1000
        })
    );
    assert_eq!(
        w.user_fee(-1).validate(),
        Err(ValidationError::Negative {
            field: "user_fee",
            value: -1
        })
    );
}

#[test]
fn user_and_order_no_must_not_be_empty() {
    let mut w = withdrawal("1", unionpay());
    w.user = "  ".into();
    assert_eq!(w.validate(), Err(ValidationError::Empty { field: "user" }));
    let w = withdrawal("", alipay());
    assert_eq!(
        w.validate(),
        Err(ValidationError::Empty { field: "order_no" })
    );
}

#[test]
fn unionpay_order_no_is_1_to_16_digits() {
    assert!(is_order_no_error(
        withdrawal("12345678901234567", unionpay()).validate()
    ));
    assert!(is_order_no_error(
        withdrawal("12345a", unionpay()).validate()
    ));
    let msg = withdrawal("12345a", unionpay())
        .validate()
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("`order_no`") && msg.contains("unionpay") && msg.contains("1-16 digits"),
        "{msg}"
    );
}

#[test]
fn alipay_and_jdpay_order_no_is_1_to_64_alphanumeric() {
    assert!(is_order_no_error(
        withdrawal(&"a".repeat(65), alipay()).validate()
    ));
    assert!(is_order_no_error(
        withdrawal("abc-123", alipay()).validate()
    ));
    assert!(is_order_no_error(
        withdrawal(&"1".repeat(65), jdpay()).validate()
    ));
    assert!(is_order_no_error(withdrawal("订单1", jdpay()).validate()));
}

#[test]
fn wechat_order_no_is_1_to_50_alphanumeric() {
    for e in [
        ChannelExtra::Wx(WxExtra::new("o")),
        ChannelExtra::WxPub(WxExtra::new("o")),
        ChannelExtra::WxLite(WxExtra::new("o")),
    ] {
        assert!(is_order_no_error(
            withdrawal(&"a".repeat(51), e.clone()).validate()
        ));
        assert!(is_order_no_error(withdrawal("a_b", e).validate()));
    }
}

#[test]
fn allinpay_order_no_is_10_digits_then_10_to_30_alphanumeric() {
    // serial too short / too long
    assert!(is_order_no_error(
        withdrawal("2000000001abcdefghi", allinpay()).validate()
    ));
    assert!(is_order_no_error(
        withdrawal(&format!("2000000001{}", "z".repeat(31)), allinpay()).validate()
    ));
    // merchant number not all digits
    assert!(is_order_no_error(
        withdrawal("200000000Xabcdefghij", allinpay()).validate()
    ));
    // serial with a symbol
    assert!(is_order_no_error(
        withdrawal("2000000001abcdefghi-", allinpay()).validate()
    ));
}

#[test]
fn settle_account_order_no_and_id() {
    assert!(is_order_no_error(
        CreateWithdrawal::to_settle_account("u", 1, "a.b", "320").validate()
    ));
    assert_eq!(
        CreateWithdrawal::to_settle_account("u", 1, "ab", "").validate(),
        Err(ValidationError::Empty {
            field: "settle_account"
        })
    );
}

#[test]
fn description_is_at_most_60_characters_not_bytes() {
    let sixty = "提".repeat(60); // 180 bytes
    assert_eq!(
        withdrawal("1", unionpay()).description(sixty).validate(),
        Ok(())
    );
    assert_eq!(
        withdrawal("1", unionpay())
            .description("提".repeat(61))
            .validate(),
        Err(ValidationError::TooLong {
            field: "description",
            max: 60,
            actual: 61
        })
    );
}

#[test]
fn required_extra_fields_must_not_be_empty() {
    let cases: [(ChannelExtra, &str); 9] = [
        (
            ChannelExtra::Unionpay(UnionpayExtra::new("", "n", UnionpayBank::Code("1".into()))),
            "extra.account",
        ),
        (
            ChannelExtra::Unionpay(UnionpayExtra::new("1", " ", UnionpayBank::Code("1".into()))),
            "extra.name",
        ),
        (
            ChannelExtra::Unionpay(UnionpayExtra::new("1", "n", UnionpayBank::Code("".into()))),
            "extra.open_bank_code",
        ),
        (
            ChannelExtra::Unionpay(UnionpayExtra::new("1", "n", UnionpayBank::Name("".into()))),
            "extra.open_bank",
        ),
        (
            ChannelExtra::Alipay(AlipayExtra::new("a", "")),
            "extra.name",
        ),
        (ChannelExtra::WxPub(WxExtra::new("")), "extra.open_id"),
        (
            ChannelExtra::Allinpay(AllinpayExtra::new("1", "n", "")),
            "extra.open_bank_code",
        ),
        (
            ChannelExtra::Jdpay(JdpayExtra::new("", "n", "1")),
            "extra.account",
        ),
        (
            ChannelExtra::Jdpay(JdpayExtra::new("1", "n", "")),
            "extra.open_bank_code",
        ),
    ];
    for (extra, field) in cases {
        assert_eq!(
            extra.validate(),
            Err(ValidationError::Empty { field }),
            "{extra:?}"
        );
    }
}

#[test]
fn create_withdrawal_checks_its_extra() {
    let w = withdrawal(
        "2000000001abcdefghij",
        ChannelExtra::Allinpay(AllinpayExtra::new("1", "n", "")),
    );
    assert_eq!(
        w.validate(),
        Err(ValidationError::Empty {
            field: "extra.open_bank_code"
        })
    );
}

#[test]
fn force_check_requires_name() {
    let e = WxExtra {
        open_id: "o".into(),
        name: None,
        force_check: Some(true),
    };
    assert_eq!(
        withdrawal("1", wx(e)).validate(),
        Err(ValidationError::ForceCheckWithoutName)
    );
    let e = WxExtra {
        open_id: "o".into(),
        name: None,
        force_check: Some(false),
    };
    assert_eq!(
        withdrawal("1", wx(e)).validate(),
        Err(ValidationError::ForceCheckWithoutName)
    );
    let e = WxExtra {
        open_id: "o".into(),
        name: Some("n".into()),
        force_check: Some(true),
    };
    assert_eq!(withdrawal("1", wx(e)).validate(), Ok(()));
}

#[test]
fn alipay_user_id_format() {
    let ok = AlipayExtra::new("2088102165732546", "n").account_type(AlipayAccountType::UserId);
    assert_eq!(ok.validate(), Ok(()));
    for bad in [
        "208810216573254",
        "20881021657325467",
        "1088102165732546",
        "2088a02165732546",
    ] {
        let e = AlipayExtra::new(bad, "n").account_type(AlipayAccountType::UserId);
        assert_eq!(
            e.validate(),
            Err(ValidationError::InvalidAlipayUserId),
            "{bad}"
        );
        // The message names the field and rule but not the account itself.
        let msg = e.validate().unwrap_err().to_string();
        assert!(msg.contains("extra.account") && msg.contains("2088") && !msg.contains(bad));
    }
    // Logon ids (email or phone) are not checked against the user id rule.
    let logon =
        AlipayExtra::new("someone@example.com", "n").account_type(AlipayAccountType::LogonId);
    assert_eq!(logon.validate(), Ok(()));
}

#[test]
fn allinpay_card_type_is_0_or_1() {
    let bad = ChannelExtra::Allinpay(AllinpayExtra::new("1", "n", "0308").card_type(2));
    assert!(matches!(
        withdrawal("2000000001abcdefghij", bad).validate(),
        Err(ValidationError::NotAllowed {
            field: "extra.card_type",
            ..
        })
    ));
}

fn metadata(n: usize, value: &str) -> Metadata {
    (0..n).map(|i| (format!("k{i:02}"), json!(value))).collect()
}

#[test]
fn metadata_limits() {
    assert_eq!(validate_metadata(&metadata(20, "v")), Ok(()));
    assert_eq!(
        validate_metadata(&metadata(21, "v")),
        Err(ValidationError::MetadataTooManyKeys {
            max: 20,
            actual: 21
        })
    );
    // key "k00" (3 chars) + 997 Chinese chars = 1000 characters exactly.
    assert_eq!(validate_metadata(&metadata(1, &"元".repeat(997))), Ok(()));
    assert_eq!(
        validate_metadata(&metadata(1, &"元".repeat(998))),
        Err(ValidationError::MetadataTooLong {
            max: 1000,
            actual: 1001
        })
    );
    // Non-string values count by their JSON text.
    let mut m = Metadata::new();
    m.insert("a".repeat(995), json!(true)); // 995 + 4
    assert_eq!(validate_metadata(&m), Ok(()));
    m.insert("b".into(), json!(1)); // + 1 + 1
    assert!(matches!(
        validate_metadata(&m),
        Err(ValidationError::MetadataTooLong { actual: 1001, .. })
    ));
    // Withdrawals, batches, refunds and recharges check their metadata.
    assert!(
        withdrawal("1", unionpay())
            .metadata(metadata(21, "v"))
            .validate()
            .is_err()
    );
    assert!(
        CreateBatchWithdrawal::confirm(["1"])
            .metadata(metadata(21, "v"))
            .validate()
            .is_err()
    );
    assert!(
        CreateRechargeRefund::new("d")
            .metadata(metadata(21, "v"))
            .validate()
            .is_err()
    );
    assert!(recharge().metadata(metadata(21, "v")).validate().is_err());
}

#[test]
fn batch_size_is_1_to_200_and_ids_not_empty() {
    assert_eq!(
        CreateBatchWithdrawal::confirm(Vec::<String>::new()).validate(),
        Err(ValidationError::BatchSize {
            max: 200,
            actual: 0
        })
    );
    let ids: Vec<String> = (0..200).map(|i| i.to_string()).collect();
    assert_eq!(
        CreateBatchWithdrawal::confirm(ids.clone()).validate(),
        Ok(())
    );
    let mut too_many = ids;
    too_many.push("200".into());
    assert_eq!(
        CreateBatchWithdrawal::cancel(too_many).validate(),
        Err(ValidationError::BatchSize {
            max: 200,
            actual: 201
        })
    );
    assert_eq!(
        CreateBatchWithdrawal::confirm(["1", "", "3"]).validate(),
        Err(ValidationError::EmptyWithdrawalId { index: 1 })
    );
}

#[test]
fn refund_description_is_required_and_at_most_255_characters() {
    assert_eq!(
        CreateRechargeRefund::new("").validate(),
        Err(ValidationError::Empty {
            field: "description"
        })
    );
    assert_eq!(
        CreateRechargeRefund::new("退".repeat(255)).validate(),
        Ok(())
    );
    assert_eq!(
        CreateRechargeRefund::new("退".repeat(256)).validate(),
        Err(ValidationError::TooLong {
            field: "description",
            max: 255,
            actual: 256
        })
    );
}

fn recharge() -> CreateRecharge {
    CreateRecharge::new(
        "u",
        CreateRechargeCharge::new(1000, "alipay", "R1", "充值", "充值 10 元"),
    )
}

#[test]
fn recharge_rules() {
    assert_eq!(recharge().validate(), Ok(()));
    let mut r = recharge();
    r.charge.subject = "字".repeat(32);
    r.charge.body = "字".repeat(128);
    assert_eq!(r.validate(), Ok(()));
    r.charge.subject = "字".repeat(33);
    assert_eq!(
        r.validate(),
        Err(ValidationError::TooLong {
            field: "charge.subject",
            max: 32,
            actual: 33
        })
    );
    let mut r = recharge();
    r.charge.body = "字".repeat(129);
    assert_eq!(
        r.validate(),
        Err(ValidationError::TooLong {
            field: "charge.body",
            max: 128,
            actual: 129
        })
    );
    let mut r = recharge();
    r.charge.amount = 0;
    assert_eq!(
        r.validate(),
        Err(ValidationError::NotPositive {
            field: "charge.amount",
            value: 0
        })
    );
    assert!(matches!(
        recharge().user_fee(1001).validate(),
        Err(ValidationError::FeeExceedsAmount {
            amount_field: "charge.amount",
            ..
        })
    ));
    assert!(matches!(
        recharge().balance_bonus(-1).validate(),
        Err(ValidationError::Negative {
            field: "balance_bonus",
            ..
        })
    ));
    let mut r = recharge();
    r.user.clear();
    assert_eq!(r.validate(), Err(ValidationError::Empty { field: "user" }));
    let mut r = recharge();
    r.charge.channel.clear();
    assert_eq!(
        r.validate(),
        Err(ValidationError::Empty {
            field: "charge.channel"
        })
    );
}

#[test]
fn paging_rules() {
    assert_eq!(ListParams::new().validate(), Ok(()));
    assert_eq!(ListParams::new().page(1).per_page(1).validate(), Ok(()));
    assert_eq!(ListParams::new().per_page(100).validate(), Ok(()));
    assert!(matches!(
        ListParams::new().per_page(101).validate(),
        Err(ValidationError::OutOfRange {
            field: "per_page",
            min: 1,
            max: 100,
            value: 101
        })
    ));
    assert!(matches!(
        ListParams::new().per_page(0).validate(),
        Err(ValidationError::OutOfRange {
            field: "per_page",
            ..
        })
    ));
    assert!(matches!(
        WithdrawalListParams::new().page(0).validate(),
        Err(ValidationError::OutOfRange { field: "page", .. })
    ));
    assert_eq!(
        WithdrawalListParams::new().user("").validate(),
        Err(ValidationError::Empty { field: "user" })
    );
    assert!(
        BatchWithdrawalListParams::new()
            .per_page(200)
            .validate()
            .is_err()
    );
    assert_eq!(UpdateWithdrawal::cancel().validate(), Ok(()));
}

#[test]
fn messages_do_not_leak_recipient_details() {
    let w = withdrawal(
        "1",
        ChannelExtra::Wx(WxExtra {
            open_id: "oSECRETopenid".into(),
            name: None,
            force_check: Some(true),
        }),
    );
    let msg = w.validate().unwrap_err().to_string();
    assert!(!msg.contains("oSECRETopenid"), "{msg}");
}
