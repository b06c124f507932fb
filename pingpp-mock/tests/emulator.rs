//! The emulator over real sockets, driven by a plain hyper client.
#![allow(missing_docs)]

mod common;

use std::time::Duration;

use common::*;
use pingpp_mock::{FaultConfig, InjectedFault, MockServer, RequestRecord};
use serde_json::{Value, json};

fn error_type(r: &Resp) -> &str {
    r.json["error"]["type"].as_str().unwrap_or("")
}

fn error_message(r: &Resp) -> String {
    r.json["error"]["message"].as_str().unwrap_or("").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recharge_refund_story_moves_money_and_parses_as_sdk_types() {
    let m = mock().await;
    let a = m.addr();
    let id = recharge(a, "u1", 10_000, "rc1").await;
    assert_eq!(m.balance(APP, "u1"), Some(10_000));

    let r = call(a, "GET", &app_path(&format!("recharges/{id}")), None).await;
    assert_eq!(r.status, 200);
    let rec: pingpp_types::Recharge = serde_json::from_value(r.json).expect("Recharge");
    assert_eq!(rec.amount, 10_000);
    assert!(rec.succeeded);

    // Same order number again: refused.
    let r = call(
        a,
        "POST",
        &app_path("recharges"),
        Some(recharge_body("u1", 5, "rc1")),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json["error"]["param"], "charge[order_no]");

    let list = call(a, "GET", &app_path("recharges?page=1&per_page=10"), None).await;
    let list: pingpp_types::List<pingpp_types::Recharge> =
        serde_json::from_value(list.json).expect("List<Recharge>");
    assert_eq!(list.data.len(), 1);

    let refund_path = app_path(&format!("recharges/{id}/refunds"));
    let r = call(
        a,
        "POST",
        &refund_path,
        Some(json!({"description": "give it back"})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["status"], "pending");
    let refund_id = r.json["id"].as_str().expect("id").to_owned();
    assert!(refund_id.starts_with("re_"));
    assert_eq!(m.balance(APP, "u1"), Some(0));

    // A second refund of the same recharge is refused.
    let r = call(
        a,
        "POST",
        &refund_path,
        Some(json!({"description": "again"})),
    )
    .await;
    assert_eq!(r.status, 400);

    assert!(m.wait_idle(Duration::from_secs(10)).await);
    let r = call(a, "GET", &format!("{refund_path}/{refund_id}"), None).await;
    let refund: pingpp_types::Refund = serde_json::from_value(r.json).expect("Refund");
    assert_eq!(refund.status, pingpp_types::RefundStatus::Succeeded);
    let r = call(a, "GET", &refund_path, None).await;
    assert_eq!(r.json["data"].as_array().map(Vec::len), Some(1));

    let events = m.events();
    let types: Vec<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(types, ["recharge.succeeded", "refund.succeeded"]);
    for e in &events {
        let id = e["id"].as_str().expect("id");
        let r = call(a, "GET", &format!("/v1/events/{id}"), None).await;
        assert_eq!(r.status, 200);
        let ev: pingpp_types::Event = serde_json::from_value(r.json).expect("Event");
        assert_eq!(ev.pending_webhooks, Some(0), "no webhook URL configured");
    }
    let l = m.ledger(APP, "u1").expect("ledger");
    assert_eq!((l.recharged, l.refunded, l.balance), (10_000, 10_000, 0));
    assert!(l.is_balanced());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refund_refused_when_balance_short_and_failed_refund_moves_nothing() {
    let m = mock().await;
    let a = m.addr();
    let id = recharge(a, "u2", 1_000, "rc2").await;
    // Spend part of it.
    let r = call(
        a,
        "POST",
        &app_path("withdrawals"),
        Some(withdrawal_body("wx", "u2", 600, 1)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let refund_path = app_path(&format!("recharges/{id}/refunds"));
    let r = call(a, "POST", &refund_path, Some(json!({"description": "x"}))).await;
    assert_eq!(r.status, 402, "{}", r.json);
    assert_eq!(m.balance(APP, "u2"), Some(400));

    let r = call(
        a,
        "POST",
        &refund_path,
        Some(json!({"description": "x", "metadata": {"mock_outcome": "failed"}})),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["status"], "failed");
    assert!(
        r.json["failure_msg"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert_eq!(m.balance(APP, "u2"), Some(400));
    assert!(m.wait_idle(Duration::from_secs(10)).await);
    assert!(m.events().iter().all(|e| e["type"] != "refund.succeeded"));
    assert!(m.ledger(APP, "u2").expect("ledger").is_balanced());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_channel_withdraws_and_each_outcome_is_deterministic() {
    let receiver = Receiver::start(0).await;
    let m = MockServer::builder()
        .signing_key(MERCHANT.private_key().expect("key"))
        .time_scale(1000.0)
        .webhook_url(receiver.url())
        .start()
        .await
        .expect("start");
    let a = m.addr();
    recharge(a, "u3", 100_000, "rc3").await;
    let mut ids = Vec::new();
    for (n, ch) in CHANNELS.iter().enumerate() {
        let r = call(
            a,
            "POST",
            &app_path("withdrawals"),
            Some(withdrawal_body(ch, "u3", 1_000, n as u32)),
        )
        .await;
        assert_eq!(r.status, 200, "{ch}: {}", r.json);
        let w: pingpp_types::Withdrawal =
            serde_json::from_value(r.json.clone()).expect("Withdrawal");
        assert_eq!(w.status, pingpp_types::WithdrawalStatus::Created);
        if ch.starts_with("wx") {
            assert!(
                r.json["extra"]["open_id"].is_string(),
                "{ch} answers open_id"
            );
        }
        ids.push(w.id);
    }
    assert_eq!(m.balance(APP, "u3"), Some(93_000));
    // Confirm all but the last; cancel the last.
    for id in &ids[..6] {
        let r = call(
            a,
            "PUT",
            &app_path(&format!("withdrawals/{id}")),
            Some(json!({"status": "pending"})),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.json);
        assert_eq!(r.json["status"], "pending");
    }
    let last = &ids[6];
    let r = call(
        a,
        "PUT",
        &app_path(&format!("withdrawals/{last}")),
        Some(json!({"status": "canceled"})),
    )
    .await;
    assert_eq!(r.json["status"], "canceled");
    assert_eq!(m.balance(APP, "u3"), Some(94_000));
    // Cancel only from created.
    let r = call(
        a,
        "PUT",
        &app_path(&format!("withdrawals/{}", ids[0])),
        Some(json!({"status": "canceled"})),
    )
    .await;
    assert_eq!(r.status, 400);

    // Failure outcome, and funds_insufficient.
    let mut body = withdrawal_body("alipay", "u3", 2_000, 100);
    body["metadata"] = json!({"mock_outcome": "failed"});
    let failed = call(a, "POST", &app_path("withdrawals"), Some(body))
        .await
        .json["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let mut body = withdrawal_body("alipay", "u3", 3_000, 101);
    body["metadata"] = json!({"mock_outcome": "funds_insufficient"});
    let short = call(a, "POST", &app_path("withdrawals"), Some(body))
        .await
        .json["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let r = call(
        a,
        "POST",
        &app_path("batch_withdrawals"),
        Some(json!({"withdrawals": [failed, short]})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let batch_id = r.json["id"].as_str().expect("id").to_owned();
    assert!(m.wait_idle(Duration::from_secs(10)).await);

    let get = |id: String| async move {
        call(a, "GET", &app_path(&format!("withdrawals/{id}")), None)
            .await
            .json
    };
    for id in &ids[..6] {
        assert_eq!(get(id.clone()).await["status"], "succeeded");
    }
    let f = get(failed.clone()).await;
    assert_eq!(f["status"], "failed");
    assert!(f["failure_msg"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(get(short.clone()).await["status"], "created");
    let r = call(
        a,
        "PUT",
        &app_path(&format!("withdrawals/{short}")),
        Some(json!({"status": "canceled"})),
    )
    .await;
    assert_eq!(r.json["status"], "canceled");

    let l = m.ledger(APP, "u3").expect("ledger");
    assert_eq!(l.paid_out, 6_000);
    assert_eq!(l.in_flight, 0);
    assert_eq!(l.balance, 94_000);
    assert!(l.is_balanced());

    let b = call(
        a,
        "GET",
        &app_path(&format!("batch_withdrawals/{batch_id}")),
        None,
    )
    .await;
    let b: pingpp_types::BatchWithdrawal = serde_json::from_value(b.json).expect("BatchWithdrawal");
    assert_eq!(b.count, Some(2));
    let bl = call(a, "GET", &app_path("batch_withdrawals"), None).await;
    assert_eq!(bl.json["data"].as_array().map(Vec::len), Some(1));

    // Lists filter and total.
    let r = call(
        a,
        "GET",
        &app_path("withdrawals?status=succeeded&per_page=4"),
        None,
    )
    .await;
    let list: pingpp_types::List<pingpp_types::Withdrawal> =
        serde_json::from_value(r.json).expect("list");
    assert_eq!(list.data.len(), 4);
    assert!(list.has_more);
    assert_eq!(list.total_withdrawals_amount, Some(6_000));
    let r = call(a, "GET", &app_path("withdrawals?channel=jdpay"), None).await;
    assert_eq!(r.json["data"].as_array().map(Vec::len), Some(1));

    // Webhooks: 1 recharge + 6 succeeded + 1 failed, each verified with the emulator key.
    eventually(|| receiver.received.lock().expect("lock").len() == 8).await;
    let verifier = pingpp_webhook::Verifier::new(m.webhook_public_key());
    let mut kinds = Vec::new();
    for (sig, body) in receiver.received.lock().expect("lock").iter() {
        let ev = verifier
            .verify_and_parse(body, sig.as_deref())
            .expect("verified event");
        kinds.push(ev.event_type().to_owned());
    }
    kinds.sort();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == "balance.withdrawal.succeeded")
            .count(),
        6
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == "balance.withdrawal.failed")
            .count(),
        1
    );
    assert_eq!(
        kinds.iter().filter(|k| *k == "recharge.succeeded").count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawal_validation_errors_name_the_parameter() {
    let m = mock().await;
    let a = m.addr();
    recharge(a, "u4", 10_000, "rc4").await;
    let cases = [
        (
            json!({"user": "u4", "amount": 1, "user_fee": 0, "order_no": "12345678901234567", "channel": "unionpay",
                "extra": {"account": "1", "name": "n", "open_bank_code": "1"}}),
            400,
            "order_no",
        ),
        (
            json!({"user": "u4", "amount": 1, "user_fee": 0, "order_no": "a1", "channel": "wx", "extra": {}}),
            400,
            "extra[open_id]",
        ),
        (
            json!({"user": "u4", "amount": 1, "user_fee": 0, "order_no": "a1", "channel": "jdpay",
                "extra": {"account": "1", "name": "n"}}),
            400,
            "extra[open_bank_code]",
        ),
        (
            json!({"user": "u4", "amount": 1.5, "user_fee": 0, "order_no": "a1", "channel": "wx", "extra": {"open_id": "o"}}),
            400,
            "amount",
        ),
        (
            json!({"user": "u4", "amount": 1, "user_fee": 0, "order_no": "a1"}),
            400,
            "channel",
        ),
        (
            json!({"user": "u4", "amount": 1, "order_no": "a1", "channel": "wx", "extra": {"open_id": "o"}}),
            400,
            "user_fee",
        ),
        (
            json!({"user": "u4", "amount": 1, "user_fee": 2, "order_no": "a1", "channel": "wx", "extra": {"open_id": "o"}}),
            400,
            "user_fee",
        ),
        (
            json!({"user": "u4", "amount": 1_000_000, "user_fee": 0, "order_no": "a1", "channel": "wx", "extra": {"open_id": "o"}}),
            402,
            "",
        ),
        (
            json!({"user": "nobody", "amount": 1, "user_fee": 0, "order_no": "a1", "channel": "wx", "extra": {"open_id": "o"}}),
            404,
            "user",
        ),
    ];
    for (body, status, param) in cases {
        let r = call(a, "POST", &app_path("withdrawals"), Some(body.clone())).await;
        assert_eq!(r.status, status, "{body} -> {}", r.json);
        if !param.is_empty() {
            assert_eq!(r.json["error"]["param"], param, "{body}");
        }
    }
    // Order number unique per app, but another app may reuse it.
    let body = withdrawal_body("wx", "u4", 10, 7);
    assert_eq!(
        call(a, "POST", &app_path("withdrawals"), Some(body.clone()))
            .await
            .status,
        200
    );
    assert_eq!(
        call(a, "POST", &app_path("withdrawals"), Some(body))
            .await
            .status,
        400
    );
    assert_eq!(m.balance(APP, "u4"), Some(9_990));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication() {
    let m = MockServer::builder()
        .signing_key(MERCHANT.private_key().expect("key"))
        .api_key(KEY)
        .start()
        .await
        .expect("start");
    let a = m.addr();
    let path = app_path("withdrawals");
    let no_auth = raw(a, "GET", &path, None, None, Sig::None)
        .await
        .expect("answer");
    assert_eq!(no_auth.status, 401);
    assert_eq!(error_type(&no_auth), "invalid_request_error");
    let other = raw(
        a,
        "GET",
        &path,
        Some("Bearer sk_test_other"),
        None,
        Sig::None,
    )
    .await
    .expect("answer");
    assert_eq!(other.status, 401);
    assert!(
        !error_message(&other).contains("sk_test_other"),
        "the key is not echoed"
    );
    let basic = format!("Basic {}", base64_encode(&format!("{KEY}:")));
    let ok = raw(a, "GET", &path, Some(&basic), None, Sig::None)
        .await
        .expect("answer");
    assert_eq!(ok.status, 200, "{}", ok.json);
    let bad = raw(a, "GET", &path, Some("Bearer pk_test_x"), None, Sig::None)
        .await
        .expect("answer");
    assert_eq!(bad.status, 401);

    // Without configured keys any sk_test_/sk_live_ key works, and sets livemode.
    let open = mock().await;
    let r = raw(
        open.addr(),
        "POST",
        &app_path("recharges"),
        Some("Bearer sk_live_abc"),
        Some(serde_json::to_vec(&recharge_body("u", 1, "o1")).expect("json")),
        Sig::None,
    )
    .await
    .expect("answer");
    assert_eq!(r.status, 200);
    assert_eq!(r.json["livemode"], true);
}

fn base64_encode(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signatures_are_checked_with_distinct_errors() {
    let m = MockServer::builder()
        .signing_key(MERCHANT.private_key().expect("key"))
        .merchant_public_key(MERCHANT.public_key().expect("public"))
        .start()
        .await
        .expect("start");
    let a = m.addr();
    let body = Some(recharge_body("s1", 100, "sig1"));
    let path = app_path("recharges");
    let r = call_sig(a, "POST", &path, body.clone(), Sig::None).await;
    assert_eq!(r.status, 401);
    assert!(error_message(&r).contains("no signature"), "{}", r.json);
    let r = call_sig(a, "POST", &path, body.clone(), Sig::BodyOnly).await;
    assert_eq!(r.status, 401);
    assert!(error_message(&r).contains("bad signature"), "{}", r.json);
    assert_eq!(m.balance(APP, "s1"), None, "no refused request moved money");
    let r = call_sig(a, "POST", &path, body, Sig::Good).await;
    assert_eq!(r.status, 200, "{}", r.json);
    // GET signs the URI with its query and the timestamp, no body.
    let r = call_sig(
        a,
        "GET",
        &app_path("recharges?page=1&per_page=5"),
        None,
        Sig::Good,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_retried_until_2xx_and_pending_counts_down() {
    let receiver = Receiver::start(3).await;
    let m = MockServer::builder()
        .signing_key(MERCHANT.private_key().expect("key"))
        // 5 s + 10 s + 120 s of retries in about 135 ms.
        .time_scale(1000.0)
        .webhook_url(receiver.url())
        .start()
        .await
        .expect("start");
    recharge(m.addr(), "w1", 100, "wh1").await;
    let ev = m.events().into_iter().next().expect("event");
    assert_eq!(ev["pending_webhooks"], 1);
    assert!(m.wait_idle(Duration::from_secs(10)).await);
    let attempts = m.deliveries();
    assert_eq!(attempts.len(), 4);
    assert_eq!(
        attempts.iter().map(|d| d.status).collect::<Vec<_>>(),
        [Some(500), Some(500), Some(500), Some(200)]
    );
    assert_eq!(
        attempts.iter().map(|d| d.attempt).collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );
    let id = ev["id"].as_str().expect("id");
    let r = call(m.addr(), "GET", &format!("/v1/events/{id}"), None).await;
    assert_eq!(r.json["pending_webhooks"], 0);
    let (sig, body) = receiver.received.lock().expect("lock")[0].clone();
    m.webhook_public_key()
        .verify(&body, sig.as_deref().expect("signature header"))
        .expect("signed over the raw body");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_gives_up_after_ten_retries() {
    let receiver = Receiver::start(usize::MAX).await;
    let m = MockServer::builder()
        .signing_key(MERCHANT.private_key().expect("key"))
        // The full 25-hour schedule in about 90 ms.
        .time_scale(1_000_000.0)
        .webhook_url(receiver.url())
        .start()
        .await
        .expect("start");
    recharge(m.addr(), "w2", 100, "wh2").await;
    assert!(m.wait_idle(Duration::from_secs(20)).await);
    assert_eq!(m.deliveries().len(), 11);
    assert_eq!(m.events()[0]["pending_webhooks"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn money_is_never_created_or_lost_under_concurrency() {
    let m = MockServer::builder()
        .signing_key(MERCHANT.private_key().expect("key"))
        .time_scale(1000.0)
        .start()
        .await
        .expect("start");
    let a = m.addr();
    let users = ["c1", "c2", "c3"];
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..16u32 {
        tasks.spawn(async move {
            for i in 0..12u32 {
                let user = users[((t + i) % 3) as usize];
                let n = t * 1000 + i;
                let rid = recharge(a, user, 500, &format!("cc{n}")).await;
                let mut body = withdrawal_body(common::CHANNELS[(n % 7) as usize], user, 300, n);
                if n % 5 == 0 {
                    body["metadata"] = json!({"mock_outcome": "failed"});
                }
                let w = call(a, "POST", &app_path("withdrawals"), Some(body)).await;
                if w.status == 200 {
                    let id = w.json["id"].as_str().expect("id").to_owned();
                    let status = if n % 3 == 0 { "canceled" } else { "pending" };
                    call(
                        a,
                        "PUT",
                        &app_path(&format!("withdrawals/{id}")),
                        Some(json!({"status": status})),
                    )
                    .await;
                }
                if n % 4 == 0 {
                    call(
                        a,
                        "POST",
                        &app_path(&format!("recharges/{rid}/refunds")),
                        Some(json!({"description": "r"})),
                    )
                    .await;
                }
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.expect("task");
    }
    assert!(m.wait_idle(Duration::from_secs(20)).await);
    let ledgers = m.ledgers();
    assert_eq!(ledgers.len(), 3);
    let mut total_recharged = 0;
    for (_, user, l) in &ledgers {
        assert!(l.is_balanced(), "{user}: {l:?}");
        assert!(l.balance >= 0 && l.in_flight == 0, "{user}: {l:?}");
        total_recharged += l.recharged;
    }
    assert_eq!(total_recharged, 16 * 12 * 500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arbitrary_input_gets_an_error_body_never_a_crash() {
    let m = MockServer::builder()
        .signing_key(MERCHANT.private_key().expect("key"))
        .body_limit(1024)
        .start()
        .await
        .expect("start");
    let a = m.addr();
    let auth = format!("Bearer {KEY}");
    let cases: Vec<(&str, String, Option<Vec<u8>>, u16)> = vec![
        ("GET", "/".into(), None, 404),
        ("GET", "/v1/apps//withdrawals".into(), None, 404),
        ("DELETE", app_path("withdrawals"), None, 405),
        ("PATCH", app_path("withdrawals/1"), None, 405),
        (
            "POST",
            app_path("withdrawals"),
            Some(b"not json".to_vec()),
            400,
        ),
        (
            "POST",
            app_path("withdrawals"),
            Some(b"[1,2]".to_vec()),
            400,
        ),
        ("POST", app_path("withdrawals"), Some(Vec::new()), 400),
        ("POST", app_path("withdrawals"), Some(vec![0xff, 0xfe]), 400),
        ("POST", app_path("recharges"), Some(vec![b' '; 4096]), 413),
        ("GET", app_path("withdrawals?page=0"), None, 400),
        ("GET", app_path("withdrawals?per_page=101"), None, 400),
        ("GET", app_path("withdrawals/%FF%FE"), None, 404),
        ("GET", "/v1/events/evt_missing".into(), None, 404),
        (
            "PUT",
            app_path("withdrawals/123"),
            Some(br#"{"status":"pending"}"#.to_vec()),
            404,
        ),
        (
            "PUT",
            app_path("withdrawals/123"),
            Some(br#"{"status":"paid"}"#.to_vec()),
            400,
        ),
        (
            "POST",
            app_path("batch_withdrawals"),
            Some(br#"{"withdrawals":[]}"#.to_vec()),
            400,
        ),
        (
            "POST",
            app_path("recharges"),
            Some(br#"{"user":"u","charge":{"amount":-1}}"#.to_vec()),
            400,
        ),
        (
            "POST",
            app_path("recharges"),
            Some(br#"{"user":"u","charge":{"amount":99999999999999999999}}"#.to_vec()),
            400,
        ),
    ];
    for (method, uri, body, status) in cases {
        let r = raw(a, method, &uri, Some(&auth), body, Sig::None)
            .await
            .expect("an answer");
        assert_eq!(r.status, status, "{method} {uri}: {}", r.json);
        assert!(
            r.json["error"]["message"].is_string(),
            "{method} {uri}: {}",
            r.json
        );
        assert!(!error_type(&r).is_empty());
    }
    // Still serving.
    assert_eq!(
        call(a, "GET", &app_path("withdrawals"), None).await.status,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_injection_502_and_cut_after_processing() {
    let m = MockServer::builder()
        .signing_key(MERCHANT.private_key().expect("key"))
        .faults(FaultConfig::new(7).with_error_rate(1.0))
        .start()
        .await
        .expect("start");
    let r = call(
        m.addr(),
        "POST",
        &app_path("recharges"),
        Some(recharge_body("f", 1, "f1")),
    )
    .await;
    assert_eq!(r.status, 502);
    assert_eq!(error_type(&r), "api_error");
    assert_eq!(m.balance(APP, "f"), None, "a 502 moved no money");

    let m = MockServer::builder()
        .signing_key(MERCHANT.private_key().expect("key"))
        .faults(FaultConfig::new(7).with_cut_rate(1.0))
        .start()
        .await
        .expect("start");
    let body = serde_json::to_vec(&recharge_body("f", 1, "f1")).expect("json");
    let auth = format!("Bearer {KEY}");
    let r = raw(
        m.addr(),
        "POST",
        &app_path("recharges"),
        Some(&auth),
        Some(body),
        Sig::None,
    )
    .await;
    assert!(r.is_err(), "the connection is cut");
    assert_eq!(m.balance(APP, "f"), Some(1), "but the request took effect");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_seed_same_faults() {
    async fn pattern(seed: u64) -> Vec<u16> {
        let m = MockServer::builder()
            .signing_key(MERCHANT.private_key().expect("key"))
            .faults(FaultConfig::new(seed).with_error_rate(0.5))
            .start()
            .await
            .expect("start");
        let mut out = Vec::new();
        for _ in 0..20 {
            out.push(
                call(m.addr(), "GET", &app_path("withdrawals"), None)
                    .await
                    .status,
            );
        }
        out
    }
    let p = pattern(42).await;
    assert_eq!(p, pattern(42).await);
    assert!(p.contains(&502) && p.contains(&200), "{p:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_stops_serving() {
    let m = mock().await;
    let a = m.addr();
    assert_eq!(
        call(a, "GET", &app_path("withdrawals"), None).await.status,
        200
    );
    m.shutdown().await;
    let r = raw(
        a,
        "GET",
        &app_path("withdrawals"),
        Some("Bearer sk_test_x"),
        None,
        Sig::None,
    )
    .await;
    assert!(r.is_err());
}

#[test]
fn builder_debug_hides_api_keys() {
    let b = MockServer::builder().api_key("sk_live_secret123");
    let s = format!("{b:?}");
    assert!(!s.contains("sk_live_secret123"), "{s}");
    let _unused: Value = Value::Null;
}

/// Random requests built from the API's own vocabulary (so they reach deep into the
/// handlers): every one gets a JSON answer, the server never drops a connection, and the
/// books still balance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_requests_never_crash_and_keep_the_books_balanced() {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    let m = mock().await;
    let a = m.addr();
    recharge(a, "r1", 1_000_000, "seed1").await;
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];
    let segments = [
        "v1",
        "apps",
        APP,
        "recharges",
        "refunds",
        "withdrawals",
        "batch_withdrawals",
        "events",
        "",
        "%00",
        "..",
        "1701",
        "re_x",
        "%E4%B8%AD",
    ];
    let values = [
        json!(null),
        json!(""),
        json!(-1),
        json!(0),
        json!(1),
        json!(1.5),
        json!(i64::MAX),
        json!("r1"),
        json!("wx"),
        json!("unionpay"),
        json!("pending"),
        json!("canceled"),
        json!([]),
        json!({}),
        json!({"open_id": "o"}),
        json!({"mock_outcome": "failed"}),
        json!("a".repeat(300)),
        json!(["1701"]),
    ];
    let keys = [
        "user",
        "amount",
        "order_no",
        "channel",
        "extra",
        "status",
        "withdrawals",
        "charge",
        "description",
        "metadata",
        "user_fee",
        "settle_account",
        "balance_bonus",
    ];
    let mut ids: Vec<String> = Vec::new();
    for i in 0..400 {
        let method = methods[rng.gen_range(0..methods.len())];
        let mut path = String::new();
        for _ in 0..rng.gen_range(1..7) {
            path.push('/');
            if !ids.is_empty() && rng.gen_bool(0.2) {
                path.push_str(&ids[rng.gen_range(0..ids.len())]);
            } else {
                path.push_str(segments[rng.gen_range(0..segments.len())]);
            }
        }
        if rng.gen_bool(0.3) {
            path = format!(
                "/v1/apps/{APP}/{}",
                ["withdrawals", "recharges", "batch_withdrawals"][i % 3]
            );
        }
        if rng.gen_bool(0.2) {
            path.push_str(
                [
                    "?page=2",
                    "?per_page=0",
                    "?status=created&user=r1",
                    "?page=x",
                ][i % 4],
            );
        }
        let body = if rng.gen_bool(0.1) {
            Some(
                (0..rng.gen_range(0..64))
                    .map(|_| rng.r#gen::<u8>())
                    .collect(),
            )
        } else {
            let mut obj = serde_json::Map::new();
            for _ in 0..rng.gen_range(0..8) {
                let k = keys[rng.gen_range(0..keys.len())];
                let v = if k == "charge" && rng.gen_bool(0.5) {
                    json!({"amount": 100, "channel": "alipay", "order_no": format!("fz{i}"), "subject": "s", "body": "b"})
                } else {
                    values[rng.gen_range(0..values.len())].clone()
                };
                obj.insert(k.into(), v);
            }
            Some(serde_json::to_vec(&obj).expect("json"))
        };
        let auth = format!("Bearer {KEY}");
        let r = raw(a, method, &path, Some(&auth), body, Sig::None)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: connection failed: {e}"));
        if method != "HEAD" {
            assert!(
                (200..300).contains(&r.status) || r.json["error"]["message"].is_string(),
                "{method} {path}: {} {}",
                r.status,
                r.json
            );
        }
        if let Some(id) = r.json["id"].as_str() {
            ids.push(id.to_owned());
        }
    }
    assert!(m.wait_idle(Duration::from_secs(10)).await);
    for (_, user, l) in m.ledgers() {
        assert!(l.is_balanced(), "{user}: {l:?}");
        assert!(l.balance >= 0, "{user}: {l:?}");
    }
    assert_eq!(
        call(a, "GET", &app_path("withdrawals"), None).await.status,
        200
    );
}

/// A request log that keeps every record.
fn recording() -> (
    std::sync::Arc<std::sync::Mutex<Vec<RequestRecord>>>,
    impl Fn(&RequestRecord) + Send + Sync + 'static,
) {
    let records = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = std::sync::Arc::clone(&records);
    (records, move |r: &RequestRecord| {
        sink.lock().expect("log").push(r.clone())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_log_has_one_record_per_request_and_no_secret() {
    let (records, log) = recording();
    let m = MockServer::builder()
        .signing_key(MERCHANT.private_key().expect("key"))
        .merchant_public_key(MERCHANT.public_key().expect("public key"))
        .time_scale(1000.0)
        .body_limit(4096)
        .request_log(log)
        .start()
        .await
        .expect("start");
    let a = m.addr();
    let rc = call_sig(
        a,
        "POST",
        &app_path("recharges"),
        Some(recharge_body("log1", 10_000, "logrc1")),
        Sig::Good,
    )
    .await;
    assert_eq!(rc.status, 200, "{}", rc.json);
    let mut body = withdrawal_body("wx", "log1", 1_000, 900);
    body["metadata"] = json!({"mock_outcome": "failed"});
    let w = call_sig(a, "POST", &app_path("withdrawals"), Some(body), Sig::Good).await;
    assert_eq!(w.status, 200, "{}", w.json);
    let id = w.json["id"].as_str().expect("id").to_owned();
    let confirm = call_sig(
        a,
        "PUT",
        &app_path(&format!("withdrawals/{id}")),
        Some(json!({"status": "pending"})),
        Sig::Good,
    )
    .await;
    assert_eq!(confirm.status, 200, "{}", confirm.json);
    let list = call(
        a,
        "GET",
        &app_path("withdrawals?per_page=3&user=log1"),
        None,
    )
    .await;
    assert_eq!(list.status, 200);
    let unsigned = call(a, "POST", &app_path("withdrawals"), Some(json!({}))).await;
    assert_eq!(unsigned.status, 401);
    let big = call_sig(
        a,
        "POST",
        &app_path("recharges"),
        Some(json!({"pad": " ".repeat(5000)})),
        Sig::Good,
    )
    .await;
    assert_eq!(big.status, 413);

    let records = records.lock().expect("log").clone();
    let seen: Vec<(String, String, u16, Option<&str>)> = records
        .iter()
        .map(|r| {
            (
                r.method.to_string(),
                r.path.clone(),
                r.status.as_u16(),
                r.mock_outcome,
            )
        })
        .collect();
    let w_path = app_path("withdrawals");
    assert_eq!(
        seen,
        vec![
            ("POST".into(), app_path("recharges"), 200, None),
            ("POST".into(), w_path.clone(), 200, Some("failed")),
            (
                "PUT".into(),
                app_path(&format!("withdrawals/{id}")),
                200,
                Some("failed")
            ),
            // The path only: no query string.
            ("GET".into(), w_path.clone(), 200, None),
            ("POST".into(), w_path, 401, None),
            ("POST".into(), app_path("recharges"), 413, None),
        ]
    );
    for r in &records {
        assert_eq!(r.fault, InjectedFault::None);
        let shown = format!("{r} {r:?} {}", r.to_json());
        for secret in [KEY, "Bearer", "Pingplusplus-Signature", "open_id", "pad"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_log_names_the_injected_fault() {
    async fn fault_of(faults: FaultConfig) -> RequestRecord {
        let (records, log) = recording();
        let m = MockServer::builder()
            .signing_key(MERCHANT.private_key().expect("key"))
            .faults(faults)
            .request_log(log)
            .start()
            .await
            .expect("start");
        let auth = format!("Bearer {KEY}");
        let _ = raw(
            m.addr(),
            "GET",
            &app_path("withdrawals"),
            Some(&auth),
            None,
            Sig::None,
        )
        .await;
        let records = records.lock().expect("log").clone();
        assert_eq!(records.len(), 1, "{records:?}");
        records[0].clone()
    }
    let r = fault_of(FaultConfig::new(1).with_error_rate(1.0)).await;
    assert_eq!(
        (r.fault, r.status.as_u16()),
        (InjectedFault::BadGateway, 502)
    );
    let r = fault_of(FaultConfig::new(1).with_cut_rate(1.0)).await;
    // Processed (200), but the client got no answer.
    assert_eq!((r.fault, r.status.as_u16()), (InjectedFault::Cut, 200));
    let delay = Duration::from_millis(80);
    let r = fault_of(FaultConfig::new(1).with_delay(1.0, delay)).await;
    assert_eq!(r.fault, InjectedFault::Delay(delay));
    assert!(r.latency >= delay, "{r:?}");
}
