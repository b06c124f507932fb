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
        withdrawal("3010021700000000123456", allinpay()),
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

/// The official samples' order numbers (seed 002): PHP `time() . mt_rand(100000, 999999)`,
/// Java `"1010" + System.currentTimeMillis()`, Node `Date.getTime()` cut to 10, Python
/// `1234567890`, Go `20160829133002`, C# `2016111000039`, Ruby allinpay
/// `"301002" + unix time + 6 digits` and Ruby otherwise `unix time + 4 digits`.
const OFFICIAL_ORDER_NOS: [&str; 8] = [
    "1700000000123456",
    "10101700000000123",
    "1700000000",
    "1234567890",
    "20160829133002",
    "2016111000039",
    "3010021700000000123456",
    "17000000000042",
];

#[test]
fn every_official_sample_order_no_passes_on_its_channels() {
    for order_no in OFFICIAL_ORDER_NOS {
        for extra in [
            alipay(),
            wx(WxExtra::new("o")),
            ChannelExtra::WxPub(WxExtra::new("o")),
            ChannelExtra::WxLite(WxExtra::new("o")),
            allinpay(),
            jdpay(),
        ] {
            assert_eq!(
                withdrawal(order_no, extra.clone()).validate(),
                Ok(()),
                "{order_no} {extra:?}"
            );
        }
        // unionpay: at most 16 digits (Node SDK docs); the 17- and 22-digit ones are refused.
        let unionpay_ok = order_no.len() <= 16;
        assert_eq!(
            withdrawal(order_no, unionpay()).validate().is_ok(),
            unionpay_ok,
            "{order_no}"
        );
    }
}

#[test]
fn order_numbers_without_a_documented_rule_only_need_to_be_non_empty() {
    // No source gives a format for these channels: nothing but emptiness is refused.
    for order_no in ["a-b_c.d", "订单1", &"x".repeat(80)] {
        for extra in [alipay(), wx(WxExtra::new("o")), allinpay(), jdpay()] {
            assert_eq!(withdrawal(order_no, extra).validate(), Ok(()), "{order_no}");
        }
        assert_eq!(
            CreateWithdrawal::to_settle_account("u", 1, order_no, "320").validate(),
            Ok(())
        );
    }
    assert_eq!(
        withdrawal("", allinpay()).validate(),
        Err(ValidationError::Empty { field: "order_no" })
    );
}

#[test]
fn settle_account_id_must_not_be_empty() {
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
fn force_check_without_name_is_accepted_and_sent() {
    // The server ignores force_check when name is empty: not an error.
    for check in [true, false] {
        let e = WxExtra::new("o").force_check(check);
        assert_eq!(withdrawal("1", wx(e.clone())).validate(), Ok(()));
        let body = serde_json::to_value(withdrawal("1", wx(e))).unwrap();
        assert_eq!(body["extra"], json!({"open_id": "o", "force_check": check}));
    }
    let e = WxExtra::new("o").checked_name("n");
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
        withdrawal("3010021700000000123456", bad).validate(),
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
    assert_eq!(validate_metadata(&metadata(10, "v")), Ok(()));
    assert_eq!(
        validate_metadata(&metadata(11, "v")),
        Err(ValidationError::MetadataTooManyKeys {
            max: 10,
            actual: 11
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
    // Flat: no objects or arrays ("不支持嵌套").
    for nested in [json!({"a": 1}), json!([1, 2])] {
        let mut m = metadata(2, "v");
        m.insert("deep".into(), nested);
        assert_eq!(
            validate_metadata(&m),
            Err(ValidationError::MetadataNotFlat { key: "deep".into() })
        );
    }
    let mut flat = metadata(2, "v");
    flat.insert("n".into(), json!(null));
    flat.insert("f".into(), json!(1.5));
    assert_eq!(validate_metadata(&flat), Ok(()));
    // Withdrawals, batches, refunds and recharges check their metadata.
    assert!(
        withdrawal("1", unionpay())
            .metadata(metadata(11, "v"))
            .validate()
            .is_err()
    );
    assert!(
        CreateBatchWithdrawal::confirm(["1"])
            .metadata(metadata(11, "v"))
            .validate()
            .is_err()
    );
    assert!(
        CreateRechargeRefund::new("d")
            .metadata(metadata(11, "v"))
            .validate()
            .is_err()
    );
    assert!(recharge().metadata(metadata(11, "v")).validate().is_err());
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
            field: "balance_bonus.amount",
            ..
        })
    ));
    assert_eq!(recharge().balance_bonus(0).validate(), Ok(()));
    // user_fee and balance_bonus must not be sent together (Java, Node docs).
    assert_eq!(
        recharge().user_fee(10).balance_bonus(100).validate(),
        Err(ValidationError::Conflict {
            field: "balance_bonus",
            other: "user_fee"
        })
    );
    // Charge order numbers: letters and digits only.
    let mut r = recharge();
    r.charge.order_no = "R-1".into();
    assert!(matches!(
        r.validate(),
        Err(ValidationError::InvalidOrderNo { .. })
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
    assert_eq!(ListParams::new().page(1_000_000_000).validate(), Ok(()));
    let too_far = ListParams::new()
        .page(1_000_000_001)
        .validate()
        .unwrap_err();
    assert_eq!(
        too_far.to_string(),
        "`page` must be between 1 and 1000000000, got 1000000001"
    );
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
        ChannelExtra::Wx(WxExtra::new("oSECRETopenid").name(" ").force_check(true)),
    );
    let msg = w.validate().unwrap_err().to_string();
    assert!(!msg.contains("oSECRETopenid"), "{msg}");
}

#[test]
fn errors_name_their_parameter() {
    assert_eq!(
        withdrawal("12345678901234567", unionpay())
            .validate()
            .unwrap_err()
            .field(),
        Some("order_no")
    );
    assert_eq!(
        ChannelExtra::Jdpay(JdpayExtra::new("1", "n", ""))
            .validate()
            .unwrap_err()
            .field(),
        Some("extra.open_bank_code")
    );
    assert_eq!(
        withdrawal("1", unionpay())
            .user_fee(5000)
            .validate()
            .unwrap_err()
            .field(),
        Some("user_fee")
    );
    assert_eq!(
        recharge()
            .user_fee(1)
            .balance_bonus(1)
            .validate()
            .unwrap_err()
            .field(),
        Some("balance_bonus")
    );
}

#[test]
fn settle_account_recipients() {
    use pingpp_types::{
        AlipayRecipient, BankAccountRecipient, CreateSettleAccount, WxPubRecipient,
    };
    assert_eq!(
        CreateSettleAccount::BankAccount(BankAccountRecipient::new("6214", "张三")).validate(),
        Ok(())
    );
    assert_eq!(
        CreateSettleAccount::Alipay(AlipayRecipient::new("a@example.com", "")).validate(),
        Err(ValidationError::Empty {
            field: "recipient.name"
        })
    );
    assert_eq!(
        CreateSettleAccount::WxPub(WxPubRecipient::new("")).validate(),
        Err(ValidationError::Empty {
            field: "recipient.account"
        })
    );
    // force_check without a name: accepted (ignored by the server).
    assert_eq!(
        CreateSettleAccount::WxPub(WxPubRecipient::new("o1").force_check(true)).validate(),
        Ok(())
    );
}
