//! The SDK client (pingpp-transport + resource crates) against the emulator over real
//! sockets on 127.0.0.1, with a pingpp-webhook receiver.
#![allow(missing_docs)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{MERCHANT, eventually};
use futures_util::StreamExt;
use pingpp_mock::{FaultConfig, MockServer, RunningMock};
use pingpp_recharge::RechargesExt;
use pingpp_transport::{Client, Error};
use pingpp_types::{
    AlipayExtra, AllinpayExtra, BatchWithdrawalListParams, ChannelExtra, CreateBatchWithdrawal,
    CreateRecharge, CreateRechargeCharge, CreateRechargeRefund, CreateSettleAccount,
    CreateWithdrawal, Event, JdpayExtra, ListParams, RefundStatus, UnionpayBank, UnionpayExtra,
    WithdrawalListParams, WithdrawalStatus, WxExtra, WxPubRecipient,
};
use pingpp_withdrawal::WithdrawalsExt;

const KEY: &str = "sk_test_sdk000000000000";
const APP: &str = "app_sdk0000000000000";

fn client(mock: &RunningMock) -> Client {
    Client::builder()
        .api_key(KEY)
        .app_id(APP)
        .base_url(mock.base_url())
        .private_key(MERCHANT.private_key().expect("key"))
        .build()
        .expect("client")
}

fn extra(channel: &str) -> ChannelExtra {
    match channel {
        "unionpay" => ChannelExtra::Unionpay(UnionpayExtra::new(
            "6214850266666666",
            "张三",
            UnionpayBank::Name("招商银行".into()),
        )),
        "alipay" => ChannelExtra::Alipay(AlipayExtra::new("13800000000", "张三")),
        "wx" => ChannelExtra::Wx(WxExtra::new("o1")),
        "wx_pub" => ChannelExtra::WxPub(WxExtra::new("o2").checked_name("张三")),
        "wx_lite" => ChannelExtra::WxLite(WxExtra::new("o3").name("张三")),
        "allinpay" => ChannelExtra::Allinpay(AllinpayExtra::new("6214", "张三", "0308")),
        _ => ChannelExtra::Jdpay(JdpayExtra::new("6214", "张三", "0308")),
    }
}

fn order_no(channel: &str, n: u32) -> String {
    match channel {
        "unionpay" => format!("{n:08}"),
        "allinpay" => format!("1234567890sdk{n:08}"),
        _ => format!("sdk{n}"),
    }
}

async fn recharge(c: &Client, user: &str, amount: i64, order_no: &str) -> String {
    let p = CreateRecharge::new(
        user,
        CreateRechargeCharge::new(amount, "alipay", order_no, "充值", "balance recharge"),
    );
    c.recharges().create(&p).await.expect("recharge").id
}

type Seen = Arc<Mutex<Vec<Event>>>;

/// A pingpp-webhook receiver whose handler fails the first `fail_first` events.
async fn receiver(mock_key: pingpp_sign::PublicKey, fail_first: usize) -> (String, Seen) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hooks", listener.local_addr().expect("addr"));
    let seen: Seen = Arc::default();
    let calls = Arc::new(AtomicUsize::new(0));
    let sink = Arc::clone(&seen);
    let service = pingpp_webhook::server::WebhookService::new(
        pingpp_webhook::Verifier::new(mock_key),
        move |event: Event| {
            let (sink, calls) = (Arc::clone(&sink), Arc::clone(&calls));
            async move {
                if calls.fetch_add(1, Ordering::SeqCst) < fail_first {
                    return Err(std::io::Error::other("not yet"));
                }
                sink.lock().expect("lock").push(event);
                Ok(())
            }
        },
    );
    tokio::spawn(pingpp_webhook::server::serve(listener, service));
    (url, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_through_the_sdk_with_signed_requests_and_webhooks() {
    let signing = pingpp_sign::generate_keypair().expect("keygen");
    let (url, seen) = receiver(signing.public_key().expect("pub"), 0).await;
    let mock = MockServer::builder()
        .api_key(KEY)
        .merchant_public_key(MERCHANT.public_key().expect("pub"))
        .signing_key(signing.private_key().expect("key"))
        .webhook_url(url)
        .time_scale(1000.0)
        .start()
        .await
        .expect("start");
    let c = client(&mock);

    // Recharges: create, retrieve, list, list_all.
    let r1 = recharge(&c, "alice", 50_000, "sdkrc1").await;
    let r2 = recharge(&c, "alice", 2_000, "sdkrc2").await;
    assert_eq!(
        c.recharges().retrieve(&r1).await.expect("retrieve").amount,
        50_000
    );
    let page = c
        .recharges()
        .list(&ListParams::new().per_page(1))
        .await
        .expect("list");
    assert!(page.has_more);
    let all: Vec<_> = c
        .recharges()
        .list_all(ListParams::new().per_page(1))
        .collect()
        .await;
    assert_eq!(all.len(), 2);

    // Refund: create (pending), retrieve (succeeded later), list.
    let refund = c
        .recharge_refunds()
        .create(&r2, &CreateRechargeRefund::new("退款"))
        .await
        .expect("refund");
    assert_eq!(refund.status, RefundStatus::Pending);
    assert!(mock.wait_idle(Duration::from_secs(10)).await);
    let got = c
        .recharge_refunds()
        .retrieve(&r2, &refund.id)
        .await
        .expect("retrieve");
    assert_eq!(got.status, RefundStatus::Succeeded);
    assert!(got.succeed);
    let list = c
        .recharge_refunds()
        .list(&r2, &ListParams::new())
        .await
        .expect("list");
    assert_eq!(list.data.len(), 1);
    assert_eq!(mock.balance(APP, "alice"), Some(50_000));

    // Every channel, plus a settle account.
    let channels = [
        "unionpay", "alipay", "wx", "wx_pub", "wx_lite", "allinpay", "jdpay",
    ];
    let mut ids = Vec::new();
    for (n, ch) in channels.iter().enumerate() {
        let p = CreateWithdrawal::new("alice", 1_000, order_no(ch, n as u32), extra(ch));
        let w = c
            .withdrawals()
            .create(&p)
            .await
            .unwrap_or_else(|e| panic!("{ch}: {e}"));
        assert_eq!(w.status, WithdrawalStatus::Created);
        assert_eq!(w.channel.as_ref().map(|c| c.as_str()), Some(*ch));
        ids.push(w.id);
    }
    let account = c
        .settle_accounts("alice")
        .create(&CreateSettleAccount::WxPub(
            WxPubRecipient::new("oAlice")
                .name("Alice")
                .force_check(true),
        ))
        .await
        .expect("settle account");
    assert_eq!(
        c.settle_accounts("alice")
            .retrieve(&account.id)
            .await
            .expect("retrieve settle account"),
        account
    );
    let sa = CreateWithdrawal::to_settle_account("alice", 500, "sdksa1", &account.id);
    let sa = c
        .withdrawals()
        .create(&sa)
        .await
        .expect("settle account withdrawal");
    assert_eq!(sa.settle_account.as_deref(), Some(account.id.as_str()));
    assert_eq!(sa.open_id(), Some("oAlice"));
    assert_eq!(mock.balance(APP, "alice"), Some(50_000 - 7_000 - 500));

    // Confirm two one by one, batch-confirm three, batch-cancel two, cancel one.
    for id in &ids[..2] {
        assert_eq!(
            c.withdrawals().confirm(id).await.expect("confirm").status,
            WithdrawalStatus::Pending
        );
    }
    let b1 = c
        .batch_withdrawals()
        .create(&CreateBatchWithdrawal::confirm(ids[2..5].to_vec()))
        .await
        .expect("batch confirm");
    assert_eq!(b1.count, Some(3));
    let b2 = c
        .batch_withdrawals()
        .create(&CreateBatchWithdrawal::cancel(ids[5..7].to_vec()))
        .await
        .expect("batch cancel");
    assert_eq!(
        c.withdrawals().cancel(&sa.id).await.expect("cancel").status,
        WithdrawalStatus::Canceled
    );
    let again = c
        .withdrawals()
        .confirm(&sa.id)
        .await
        .expect_err("canceled is final");
    assert_eq!(again.status().map(|s| s.as_u16()), Some(400));

    assert!(mock.wait_idle(Duration::from_secs(10)).await);
    for id in &ids[..5] {
        assert_eq!(
            c.withdrawals().retrieve(id).await.expect("get").status,
            WithdrawalStatus::Succeeded
        );
    }
    for id in &ids[5..] {
        assert_eq!(
            c.withdrawals().retrieve(id).await.expect("get").status,
            WithdrawalStatus::Canceled
        );
    }
    let b1 = c.batch_withdrawals().retrieve(&b1.id).await.expect("batch");
    assert_eq!(b1.count_succeeded, Some(3));
    assert_eq!(b1.amount_succeeded, Some(3_000));
    let b2 = c.batch_withdrawals().retrieve(&b2.id).await.expect("batch");
    assert_eq!(b2.count_canceled, Some(2));
    let batches = c
        .batch_withdrawals()
        .list(&BatchWithdrawalListParams::new())
        .await
        .expect("batches");
    assert_eq!(batches.data.len(), 2);

    let list = c
        .withdrawals()
        .list(
            &WithdrawalListParams::new()
                .user("alice")
                .status(WithdrawalStatus::Succeeded),
        )
        .await
        .expect("list");
    assert_eq!(list.data.len(), 5);
    assert_eq!(list.total_withdrawals_amount, Some(5_000));
    let all: Vec<_> = c
        .withdrawals()
        .list_all(WithdrawalListParams::new().per_page(3))
        .collect()
        .await;
    assert_eq!(all.len(), 8);

    let l = mock.ledger(APP, "alice").expect("ledger");
    assert_eq!((l.balance, l.paid_out, l.in_flight), (45_000, 5_000, 0));
    assert!(l.is_balanced());

    // Webhooks: 2 recharges, 1 refund, 5 withdrawals, all verified; and each event
    // retrievable through the client with pending_webhooks counted down.
    eventually(|| seen.lock().expect("lock").len() == 8).await;
    let events = seen.lock().expect("lock").clone();
    for e in &events {
        let fetched: Event = c
            .get(
                &format!("/v1/events/{}", e.id.as_deref().unwrap_or_default()),
                &(),
            )
            .await
            .expect("event");
        assert_eq!(fetched.id, e.id);
        assert_eq!(fetched.pending_webhooks, Some(0));
    }
    let count = |t: &str| events.iter().filter(|e| e.event_type() == t).count();
    assert_eq!(count("recharge.succeeded"), 2);
    assert_eq!(count("refund.succeeded"), 1);
    assert_eq!(count("balance.withdrawal.succeeded"), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_outcome_through_the_sdk() {
    let mock = MockServer::builder()
        .signing_key(MERCHANT.private_key().expect("key"))
        .time_scale(1000.0)
        .start()
        .await
        .expect("start");
    let c = client(&mock);
    let rc = recharge(&c, "bob", 10_000, "oc1").await;

    let failed = CreateWithdrawal::new("bob", 1_000, "oc2", extra("alipay"))
        .metadata_entry("mock_outcome", "failed");
    let failed = c.withdrawals().create(&failed).await.expect("create");
    let short = CreateWithdrawal::new("bob", 2_000, "oc3", extra("wx"))
        .metadata_entry("mock_outcome", "funds_insufficient");
    let short = c.withdrawals().create(&short).await.expect("create");
    c.withdrawals().confirm(&failed.id).await.expect("confirm");
    c.withdrawals().confirm(&short.id).await.expect("confirm");
    assert_eq!(mock.balance(APP, "bob"), Some(7_000));
    assert!(mock.wait_idle(Duration::from_secs(10)).await);

    let f = c.withdrawals().retrieve(&failed.id).await.expect("get");
    assert_eq!(f.status, WithdrawalStatus::Failed);
    assert!(f.failure_msg.is_some_and(|m| !m.is_empty()));
    let s = c.withdrawals().retrieve(&short.id).await.expect("get");
    assert_eq!(
        s.status,
        WithdrawalStatus::Created,
        "funds_insufficient goes back to created"
    );
    assert_eq!(
        mock.balance(APP, "bob"),
        Some(8_000),
        "failed money is back, short is still held"
    );
    c.withdrawals().cancel(&short.id).await.expect("cancel");
    assert_eq!(mock.balance(APP, "bob"), Some(10_000));

    let refund = c
        .recharge_refunds()
        .create(
            &rc,
            &CreateRechargeRefund::new("x").metadata(
                serde_json::json!({"mock_outcome": "failed"})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            ),
        )
        .await
        .expect("a failed refund is still a 200");
    assert_eq!(refund.status, RefundStatus::Failed);
    assert!(refund.failure_msg.is_some());
    assert_eq!(mock.balance(APP, "bob"), Some(10_000));
    // Spend, then a real refund is refused for lack of balance.
    c.withdrawals()
        .create(&CreateWithdrawal::new("bob", 9_999, "oc4", extra("jdpay")))
        .await
        .expect("create");
    let err = c
        .recharge_refunds()
        .create(&rc, &CreateRechargeRefund::new("y"))
        .await
        .expect_err("balance short");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(402));
    assert!(mock.ledger(APP, "bob").expect("ledger").is_balanced());
    assert!(mock.wait_idle(Duration::from_secs(10)).await);
    assert!(
        mock.events()
            .iter()
            .all(|e| e["type"] != "refund.succeeded")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signature_failures_reach_the_sdk_as_authentication_errors() {
    let mock = MockServer::builder()
        .signing_key(MERCHANT.private_key().expect("key"))
        .merchant_public_key(MERCHANT.public_key().expect("pub"))
        .start()
        .await
        .expect("start");
    let message = |e: Error| -> String {
        assert_eq!(e.status().map(|s| s.as_u16()), Some(401), "{e}");
        e.as_api().map(|a| a.message.clone()).unwrap_or_default()
    };
    let unsigned = Client::builder()
        .api_key(KEY)
        .app_id(APP)
        .base_url(mock.base_url())
        .build()
        .expect("client");
    let p = CreateRecharge::new("c", CreateRechargeCharge::new(1, "alipay", "st1", "s", "b"));
    let e = unsigned
        .recharges()
        .create(&p)
        .await
        .expect_err("no signature");
    assert!(message(e).contains("no signature"));
    // GETs need no signature (Ping++ checks POST and PUT).
    unsigned
        .withdrawals()
        .list(&WithdrawalListParams::new())
        .await
        .expect("unsigned GET");

    let other = pingpp_sign::generate_keypair().expect("keygen");
    let wrong = Client::builder()
        .api_key(KEY)
        .app_id(APP)
        .base_url(mock.base_url())
        .private_key(other.private_key().expect("key"))
        .build()
        .expect("client");
    let e = wrong
        .withdrawals()
        .list(&WithdrawalListParams::new())
        .await
        .expect_err("bad signature");
    assert!(message(e).contains("bad signature"));

    assert_eq!(mock.balance(APP, "c"), None);

    // The right key, GET with a query and POST with a body.
    let good = client(&mock);
    good.recharges().create(&p).await.expect("signed POST");
    good.withdrawals()
        .list(&WithdrawalListParams::new().page(1).per_page(5).user("c"))
        .await
        .expect("signed GET with query");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_retried_until_the_receiver_accepts() {
    let signing = pingpp_sign::generate_keypair().expect("keygen");
    // The handler fails twice: 500, 500, then 200.
    let (url, seen) = receiver(signing.public_key().expect("pub"), 2).await;
    let mock = MockServer::builder()
        .signing_key(signing.private_key().expect("key"))
        .webhook_url(url)
        .time_scale(1000.0)
        .start()
        .await
        .expect("start");
    let c = client(&mock);
    recharge(&c, "d", 100, "wr1").await;
    assert!(mock.wait_idle(Duration::from_secs(10)).await);
    let statuses: Vec<_> = mock.deliveries().iter().map(|d| d.status).collect();
    assert_eq!(statuses, [Some(500), Some(500), Some(200)]);
    assert_eq!(seen.lock().expect("lock").len(), 1, "handled once");
    let ev = &mock.events()[0];
    assert_eq!(ev["pending_webhooks"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn money_invariant_with_many_concurrent_sdk_clients() {
    let mock = MockServer::builder()
        .signing_key(MERCHANT.private_key().expect("key"))
        .merchant_public_key(MERCHANT.public_key().expect("pub"))
        .time_scale(1000.0)
        .start()
        .await
        .expect("start");
    let channels = [
        "unionpay", "alipay", "wx", "wx_pub", "wx_lite", "allinpay", "jdpay",
    ];
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..8u32 {
        let c = client(&mock);
        tasks.spawn(async move {
            let mut refused = 0u32;
            for i in 0..10u32 {
                let n = t * 100 + i;
                // Two users shared by all clients, to contend on the same balances.
                let user = if n % 2 == 0 { "even" } else { "odd" };
                let rid = recharge(&c, user, 700, &format!("mc{n}")).await;
                let ch = channels[(n % 7) as usize];
                let mut p = CreateWithdrawal::new(
                    user,
                    400 + i64::from(n % 5) * 100,
                    order_no(ch, n),
                    extra(ch),
                );
                if n % 4 == 1 {
                    p = p.metadata_entry("mock_outcome", "failed");
                }
                match c.withdrawals().create(&p).await {
                    Ok(w) if n % 3 == 0 => {
                        c.withdrawals().cancel(&w.id).await.expect("cancel");
                    }
                    Ok(w) => {
                        c.withdrawals().confirm(&w.id).await.expect("confirm");
                    }
                    Err(e) if e.status().map(|s| s.as_u16()) == Some(402) => refused += 1,
                    Err(e) => panic!("unexpected {e}"),
                }
                if n % 3 == 1 {
                    match c
                        .recharge_refunds()
                        .create(&rid, &CreateRechargeRefund::new("r"))
                        .await
                    {
                        Ok(_) => {}
                        Err(e) if e.status().map(|s| s.as_u16()) == Some(402) => refused += 1,
                        Err(e) => panic!("unexpected {e}"),
                    }
                }
            }
            refused
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.expect("task");
    }
    assert!(mock.wait_idle(Duration::from_secs(20)).await);
    let ledgers = mock.ledgers();
    assert_eq!(ledgers.len(), 2);
    let mut recharged = 0;
    for (_, user, l) in ledgers {
        assert!(l.is_balanced(), "{user}: {l:?}");
        assert!(l.balance >= 0, "{user}: {l:?}");
        assert_eq!(l.in_flight, 0, "{user}: all settled");
        recharged += l.recharged;
    }
    assert_eq!(recharged, 8 * 10 * 700);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_connection_is_not_retried_and_the_sdk_says_it_may_have_been_sent() {
    let mock = MockServer::builder()
        .signing_key(MERCHANT.private_key().expect("key"))
        .faults(FaultConfig::new(1).with_cut_rate(1.0))
        .start()
        .await
        .expect("start");
    let c = client(&mock);
    let p = CreateRecharge::new(
        "e",
        CreateRechargeCharge::new(100, "alipay", "cut1", "s", "b"),
    );
    let e = c.recharges().create(&p).await.expect_err("cut");
    assert!(e.may_have_been_sent(), "{e}");
    assert_eq!(
        mock.requests_received(),
        1,
        "a POST that may have moved money is not retried"
    );
    assert_eq!(
        mock.balance(APP, "e"),
        Some(100),
        "the request did take effect"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_502_moves_no_money() {
    let mock = MockServer::builder()
        .signing_key(MERCHANT.private_key().expect("key"))
        .faults(FaultConfig::new(3).with_error_rate(1.0))
        .start()
        .await
        .expect("start");
    let c = client(&mock);
    let p = CreateRecharge::new(
        "g",
        CreateRechargeCharge::new(100, "alipay", "bg1", "s", "b"),
    );
    let e = c.recharges().create(&p).await.expect_err("502");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(mock.balance(APP, "g"), None);
    let e = c
        .withdrawals()
        .list(&WithdrawalListParams::new())
        .await
        .expect_err("502");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(502));
    assert!(mock.requests_received() >= 2);
}
