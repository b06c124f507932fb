//! The emulator speaks Ping++ as the documents and official SDKs do (issue 11): one test
//! per item, over real sockets.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{
    APP, KEY, MERCHANT, Resp, Sig, app_path, call, call_sig, mock, raw, recharge, recharge_body,
    withdrawal_body,
};
use pingpp_mock::{MockServer, Mode};
use pingpp_types::{Event, Withdrawal};
use serde_json::{Value, json};

const LIVE_KEY: &str = "sk_live_ibbTe5jLGCi5rzfH4OqPW9KC";

fn param(r: &Resp) -> &str {
    r.json["error"]["param"].as_str().unwrap_or_default()
}

/// A JSON call with a live-mode key.
async fn call_live(a: SocketAddr, method: &str, uri: &str, body: Option<Value>) -> Resp {
    raw(
        a,
        method,
        uri,
        Some(&format!("Bearer {LIVE_KEY}")),
        body.map(|b| serde_json::to_vec(&b).expect("json")),
        Sig::None,
    )
    .await
    .expect("an answer")
}

async fn post_raw(a: SocketAddr, uri: &str, body: &str) -> Resp {
    raw(
        a,
        "POST",
        uri,
        Some(&format!("Bearer {KEY}")),
        Some(body.as_bytes().to_vec()),
        Sig::None,
    )
    .await
    .expect("an answer")
}

/// Item 1: `balance_bonus` is `{"amount": N}`; a bare number is refused; with `user_fee`
/// it is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn balance_bonus_is_an_object_and_not_sent_with_user_fee() {
    let m = mock().await;
    let a = m.addr();
    let path = app_path("recharges");
    let mut body = recharge_body("b1", 1_000, "bonus1");
    body["balance_bonus"] = json!({"amount": 200});
    let r = call(a, "POST", &path, Some(body.clone())).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["balance_bonus"], json!({"amount": 200}));
    assert_eq!(m.balance(APP, "b1"), Some(1_200));

    body["charge"]["order_no"] = json!("bonus2");
    body["balance_bonus"] = json!(200);
    let r = call(a, "POST", &path, Some(body.clone())).await;
    assert_eq!((r.status, param(&r)), (400, "balance_bonus"), "{}", r.json);
    assert!(
        r.json["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains(r#"{"amount": N}"#),
        "{}",
        r.json
    );

    body["balance_bonus"] = json!({"amount": 200});
    body["user_fee"] = json!(10);
    let r = call(a, "POST", &path, Some(body)).await;
    assert_eq!((r.status, param(&r)), (400, "balance_bonus"), "{}", r.json);
    assert_eq!(
        m.balance(APP, "b1"),
        Some(1_200),
        "refused recharges moved nothing"
    );
}

/// Item 2: `user_fee` is required on withdrawal create.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawal_without_user_fee_is_refused() {
    let m = mock().await;
    let a = m.addr();
    recharge(a, "f1", 1_000, "fee1").await;
    let mut body = withdrawal_body("wx", "f1", 100, 1);
    body.as_object_mut().expect("object").remove("user_fee");
    let r = call(a, "POST", &app_path("withdrawals"), Some(body.clone())).await;
    assert_eq!((r.status, param(&r)), (400, "user_fee"), "{}", r.json);
    body["user_fee"] = json!(0);
    let r = call(a, "POST", &app_path("withdrawals"), Some(body)).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["user_fee"], 0);
}

/// Item 3: `force_check` without `name` is ignored by the server, not refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn force_check_without_name_is_accepted() {
    let m = mock().await;
    let a = m.addr();
    recharge(a, "w1", 1_000, "fc1").await;
    let mut body = withdrawal_body("wx_pub", "w1", 100, 1);
    body["extra"] = json!({"open_id": "oPub", "force_check": true});
    let r = call(a, "POST", &app_path("withdrawals"), Some(body)).await;
    assert_eq!(r.status, 200, "{}", r.json);
}

/// Item 4: only unionpay's order number rule remains; every official sample passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_sample_order_numbers_are_accepted() {
    let m = mock().await;
    let a = m.addr();
    recharge(a, "o1", 100_000, "ord1").await;
    // Ruby's allinpay sample: "301002" + unix time + 6 digits (22 digits); Java's
    // "1010" + milliseconds (17); PHP's time() + 6 digits (16).
    for (i, order_no) in [
        "3010021700000000123456",
        "10101700000000123",
        "1700000000123456",
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = withdrawal_body("allinpay", "o1", 10, i as u32);
        body["order_no"] = json!(order_no);
        let r = call(a, "POST", &app_path("withdrawals"), Some(body)).await;
        assert_eq!(r.status, 200, "allinpay {order_no}: {}", r.json);
    }
    let mut body = withdrawal_body("jdpay", "o1", 10, 9);
    body["order_no"] = json!("any-format_is.fine");
    assert_eq!(
        call(a, "POST", &app_path("withdrawals"), Some(body))
            .await
            .status,
        200
    );
    // unionpay: at most 16 digits (Node SDK docs).
    let mut body = withdrawal_body("unionpay", "o1", 10, 0);
    body["order_no"] = json!("10101700000000123");
    let r = call(a, "POST", &app_path("withdrawals"), Some(body)).await;
    assert_eq!((r.status, param(&r)), (400, "order_no"), "{}", r.json);
}

/// Item 5: metadata 10 flat pairs; page 1 to 1,000,000,000 with the range in the
/// message; `charge.time_expire` as an integer or a numeric string.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_paging_and_time_expire_rules() {
    let m = mock().await;
    let a = m.addr();
    recharge(a, "m1", 1_000, "md0").await;
    let eleven: serde_json::Map<String, Value> =
        (0..11).map(|i| (format!("k{i}"), json!("v"))).collect();
    let mut body = withdrawal_body("wx", "m1", 10, 1);
    body["metadata"] = Value::Object(eleven);
    let r = call(a, "POST", &app_path("withdrawals"), Some(body.clone())).await;
    assert_eq!((r.status, param(&r)), (400, "metadata"), "{}", r.json);
    body["metadata"] = json!({"deep": {"a": 1}});
    let r = call(a, "POST", &app_path("withdrawals"), Some(body.clone())).await;
    assert_eq!((r.status, param(&r)), (400, "metadata"), "{}", r.json);
    let ten: serde_json::Map<String, Value> =
        (0..10).map(|i| (format!("k{i}"), json!(i))).collect();
    body["metadata"] = Value::Object(ten);
    assert_eq!(
        call(a, "POST", &app_path("withdrawals"), Some(body))
            .await
            .status,
        200
    );

    let r = call(a, "GET", &app_path("withdrawals?page=1000000000"), None).await;
    assert_eq!(r.status, 200, "{}", r.json);
    for page in ["0", "1000000001", "99999999999", "x"] {
        let r = call(a, "GET", &app_path(&format!("recharges?page={page}")), None).await;
        assert_eq!(r.status, 400, "page={page}");
        assert_eq!(param(&r), "page");
        let msg = r.json["error"]["message"].as_str().unwrap_or_default();
        assert!(msg.contains("1000000000"), "page={page}: {msg}");
    }

    let mut body = recharge_body("m2", 500, "te1");
    body["charge"]["time_expire"] = json!("1800000000");
    let r = call(a, "POST", &app_path("recharges"), Some(body)).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["charge"]["time_expire"], 1_800_000_000);
    // The embedded charge's refund list is addressed by the charge's own id.
    let charge_id = r.json["charge"]["id"].as_str().expect("charge id");
    assert_eq!(
        r.json["charge"]["refunds"]["url"],
        format!("/v1/charges/{charge_id}/refunds")
    );
}

/// Item 8: settle accounts, and withdrawals to them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settle_accounts_and_withdrawals_to_them() {
    let m = mock().await;
    let a = m.addr();
    recharge(a, "sa_user", 10_000, "sa1").await;
    recharge(a, "sa_other", 10_000, "sa2").await;
    let accounts = app_path("users/sa_user/settle_accounts");
    let bank = json!({"channel": "bank_account", "recipient": {
        "account": "6214666666666666", "name": "张三", "type": "b2c",
        "open_bank": "招商银行", "open_bank_code": "0308"}});
    let r = call(a, "POST", &accounts, Some(bank.clone())).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["object"], "settle_account");
    assert_eq!(r.json["recipient"], bank["recipient"]);
    let sa = r.json["id"].as_str().expect("id").to_owned();
    let other = call(
        a,
        "POST",
        &app_path("users/sa_other/settle_accounts"),
        Some(
            json!({"channel": "alipay", "recipient": {"account": "x@example.com", "name": "李四"}}),
        ),
    )
    .await;
    let other_sa = other.json["id"].as_str().expect("id").to_owned();

    // Retrieve, list; another user's path does not see it.
    let r = call(a, "GET", &format!("{accounts}/{sa}"), None).await;
    assert_eq!((r.status, r.json["id"].as_str()), (200, Some(sa.as_str())));
    let r = call(a, "GET", &accounts, None).await;
    assert_eq!(r.json["data"].as_array().map(Vec::len), Some(1));
    let r = call(
        a,
        "GET",
        &app_path(&format!("users/sa_other/settle_accounts/{sa}")),
        None,
    )
    .await;
    assert_eq!(r.status, 404);

    // A withdrawal to it carries its channel and recipient.
    let w = |n: u32, settle: &str| {
        json!({"user": "sa_user", "amount": 1_000, "user_fee": 0,
               "order_no": format!("sa{n}"), "settle_account": settle})
    };
    let r = call(a, "POST", &app_path("withdrawals"), Some(w(1, &sa))).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["settle_account"], sa.as_str());
    assert_eq!(r.json["channel"], "bank_account");
    assert_eq!(r.json["extra"], bank["recipient"]);

    // Unknown, another user's, deleted: 400, no money moved.
    for (n, id) in [(2, "320000000000000000000"), (3, other_sa.as_str())] {
        let r = call(a, "POST", &app_path("withdrawals"), Some(w(n, id))).await;
        assert_eq!((r.status, param(&r)), (400, "settle_account"), "{}", r.json);
    }
    let r = call(a, "DELETE", &format!("{accounts}/{sa}"), None).await;
    assert_eq!(r.json, json!({"id": sa, "deleted": true}));
    let r = call(a, "POST", &app_path("withdrawals"), Some(w(4, &sa))).await;
    assert_eq!((r.status, param(&r)), (400, "settle_account"), "{}", r.json);
    assert!(
        r.json["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("deleted")
    );
    assert_eq!(
        call(a, "GET", &format!("{accounts}/{sa}"), None)
            .await
            .status,
        404
    );
    assert_eq!(m.balance(APP, "sa_user"), Some(9_000));
}

/// Item 9: answers shaped as documented.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawal_answers_are_shaped_as_documented() {
    let m = mock().await;
    let a = m.addr();
    recharge(a, "r1", 10_000, "shape1").await;
    let r = call(
        a,
        "POST",
        &app_path("withdrawals"),
        Some(withdrawal_body("unionpay", "r1", 100, 1)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["extra"]["card_number"], "6214850266666666");
    assert_eq!(r.json["extra"]["user_name"], "张三");
    assert!(r.json["extra"].get("account").is_none());
    assert_eq!(r.json["asset_transaction"], "");
    assert_eq!(r.json["balance_transaction"], "");
    // The SDK reads the documented names through its typed view.
    let w: Withdrawal = serde_json::from_value(r.json.clone()).expect("typed");
    assert!(w.channel_extra().is_some());
    let id = r.json["id"].as_str().expect("id").to_owned();

    let r = call(
        a,
        "POST",
        &app_path("withdrawals"),
        Some(withdrawal_body("alipay", "r1", 100, 2)),
    )
    .await;
    assert_eq!(r.json["extra"]["user_name"], "张三");
    assert_eq!(r.json["extra"]["account"], "test@example.com");

    let r = call(
        a,
        "PUT",
        &app_path(&format!("withdrawals/{id}")),
        Some(json!({"status": "pending"})),
    )
    .await;
    let source = r.json["source"].as_str().unwrap_or_default();
    assert!(source.starts_with("tr_"), "{}", r.json);
    assert!(m.wait_idle(Duration::from_secs(10)).await);
    let r = call(a, "GET", &app_path(&format!("withdrawals/{id}")), None).await;
    assert_eq!(r.json["status"], "succeeded");
    assert!(
        !r.json["balance_transaction"]
            .as_str()
            .unwrap_or_default()
            .is_empty(),
        "filled once money moved: {}",
        r.json
    );
}

/// Item 10: signatures on POST and PUT only; a signed GET is still checked; the
/// timestamp window is an option, off by default.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signatures_on_post_and_put_only_and_no_default_timestamp_window() {
    let m = MockServer::builder()
        .signing_key(MERCHANT.private_key().expect("key"))
        .merchant_public_key(MERCHANT.public_key().expect("public"))
        .start()
        .await
        .expect("start");
    let a = m.addr();
    let list = app_path("recharges?page=1");
    assert_eq!(call_sig(a, "GET", &list, None, Sig::None).await.status, 200);
    let r = call_sig(a, "GET", &list, None, Sig::BodyOnly).await;
    assert_eq!(r.status, 401, "a GET with a wrong signature is refused");
    assert_eq!(
        call_sig(
            a,
            "PUT",
            &app_path("withdrawals/1"),
            Some(json!({"status": "pending"})),
            Sig::None
        )
        .await
        .status,
        401
    );
    // An hour-old timestamp: no window is documented, so it is accepted...
    let r = call_sig(
        a,
        "POST",
        &app_path("recharges"),
        Some(recharge_body("t1", 100, "old1")),
        Sig::Skewed(-3600),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);

    // ...unless the emulator is asked for a window.
    let strict = MockServer::builder()
        .signing_key(MERCHANT.private_key().expect("key"))
        .merchant_public_key(MERCHANT.public_key().expect("public"))
        .timestamp_window(Duration::from_secs(300))
        .start()
        .await
        .expect("start");
    let r = call_sig(
        strict.addr(),
        "POST",
        &app_path("recharges"),
        Some(recharge_body("t1", 100, "old2")),
        Sig::Skewed(-3600),
    )
    .await;
    assert_eq!(r.status, 401);
    assert!(
        r.json["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("stale timestamp")
    );
}

/// Item 11: test and live mode keep separate books — the scenario of the issue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_key_cannot_spend_test_money() {
    let m = mock().await;
    let a = m.addr();
    let rid = recharge(a, "both", 5_000, "mode1").await;
    // The whole amount, created and confirmed with a live key: refused, no such user.
    let body = withdrawal_body("wx", "both", 5_000, 1);
    let r = call_live(a, "POST", &app_path("withdrawals"), Some(body.clone())).await;
    assert_eq!(r.status, 404, "{}", r.json);
    assert_eq!(m.balance(APP, "both"), Some(5_000));
    assert_eq!(m.balance_in(Mode::Live, APP, "both"), None);
    // Nor can it see test objects or events.
    assert_eq!(
        call_live(a, "GET", &app_path(&format!("recharges/{rid}")), None)
            .await
            .status,
        404
    );
    let r = call_live(a, "GET", &app_path("recharges"), None).await;
    assert_eq!(r.json["data"], json!([]));
    let event_id = m.events()[0]["id"].as_str().expect("id").to_owned();
    assert_eq!(
        call_live(a, "GET", &format!("/v1/events/{event_id}"), None)
            .await
            .status,
        404
    );
    assert_eq!(
        call(a, "GET", &format!("/v1/events/{event_id}"), None)
            .await
            .status,
        200
    );
    // A live recharge lives in the live book, with livemode true; order numbers are
    // per book too.
    let r = call_live(
        a,
        "POST",
        &app_path("recharges"),
        Some(recharge_body("both", 700, "mode1")),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["livemode"], true);
    let r = call_live(a, "POST", &app_path("withdrawals"), Some(body)).await;
    assert_eq!(r.status, 402, "the live balance is 700: {}", r.json);
    assert_eq!(m.balance_in(Mode::Live, APP, "both"), Some(700));
    assert_eq!(m.balance(APP, "both"), Some(5_000));
    let e: Event = serde_json::from_value(m.events()[1].clone()).expect("event");
    assert!(e.livemode);
}

/// Item 12: a key repeated anywhere in a body is refused, and moves no money.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_keys_are_refused() {
    let m = mock().await;
    let a = m.addr();
    recharge(a, "d1", 100_000_000_000, "dup0").await;
    let path = app_path("withdrawals");
    for body in [
        r#"{"user":"d1","amount":1,"amount":99999999999,"user_fee":0,"order_no":"dup1","channel":"wx","extra":{"open_id":"o"}}"#,
        r#"{"user":"d1","amount":1,"user_fee":0,"order_no":"dup2","channel":"wx","extra":{"open_id":"o","open_id":"p"}}"#,
        r#"{"user":"d1","amount":1,"user_fee":0,"order_no":"dup3","channel":"wx","extra":{"open_id":"o"},"metadata":{"a":1,"a":2}}"#,
        r#"{"user":"d1","amount":1,"user_fee":0,"order_no":"dup4","channel":"wx","extra":{"open_id":"o"},"unknown":1,"unknown":2}"#,
    ] {
        let r = post_raw(a, &path, body).await;
        assert_eq!(r.status, 400, "{body}: {}", r.json);
        assert_eq!(r.json["error"]["code"], "duplicate_key", "{body}");
    }
    let r = post_raw(
        a,
        &app_path("recharges"),
        r#"{"user":"d2","user":"d3","charge":{"amount":1,"channel":"alipay","order_no":"dup5","subject":"s","body":"b"}}"#,
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(m.balance(APP, "d1"), Some(100_000_000_000));
    assert_eq!(m.balance(APP, "d2"), None);
    assert_eq!(m.balance(APP, "d3"), None);
}
