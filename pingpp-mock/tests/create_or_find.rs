//! `withdrawals().create_or_find` against the emulator's cut fault, over hundreds of
//! seeded runs: the emulator processes a share of requests and then cuts the connection
//! without an answer (the request *did* take effect), and answers another share with
//! 502 without processing. Whatever happens, one order_no never becomes two
//! withdrawals, every `Ok` is the withdrawal asked for, every error that says "nothing
//! was done" (`NotSent`/`Rejected`) left nothing on the server, and the money debited is
//! exactly the sum of the withdrawals that exist.
#![allow(missing_docs)]

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use common::MERCHANT;
use futures_util::TryStreamExt;
use pingpp_mock::{FaultConfig, MockServer};
use pingpp_recharge::RechargesExt;
use pingpp_transport::{BoxFuture, Client, Error, Outcome, RetryPolicy, Sleep};
use pingpp_types::{
    ChannelExtra, CreateRecharge, CreateRechargeCharge, CreateWithdrawal, Withdrawal,
    WithdrawalListParams, WxExtra,
};
use pingpp_withdrawal::WithdrawalsExt;

const KEY: &str = "sk_test_cutfault000000";
const APP: &str = "app_cutfault00000000";
const USER: &str = "u1";
const RUNS: u64 = 300;

/// Backoffs are not what is tested here: do not wait.
struct NoWait;

impl Sleep for NoWait {
    fn sleep(&self, _: Duration) -> BoxFuture<'static, ()> {
        Box::pin(async {})
    }
}

fn client(base_url: String, max_attempts: u32) -> Client {
    Client::builder()
        .api_key(KEY)
        .app_id(APP)
        .base_url(base_url)
        .retry_policy(
            RetryPolicy::builder()
                .max_attempts(max_attempts)
                .build()
                .expect("policy"),
        )
        .sleep(Arc::new(NoWait))
        .build()
        .expect("client")
}

fn params(order_no: &str, amount: i64) -> CreateWithdrawal {
    CreateWithdrawal::new(
        USER,
        amount,
        order_no,
        ChannelExtra::Wx(WxExtra::new("o9zpMs9jIaLynQY9N6yxcZ")),
    )
}

#[derive(Default)]
struct Tally {
    ok: usize,
    unknown: usize,
    refused: usize,
    conflicts: usize,
    /// Withdrawal creates and lookups that reached the emulator.
    requests: usize,
}

/// One seeded run; returns what the calls ended with.
async fn run(seed: u64) -> Tally {
    let mock = MockServer::builder()
        .signing_key(MERCHANT.private_key().expect("key"))
        .faults(
            FaultConfig::new(seed)
                .with_cut_rate(0.3)
                .with_error_rate(0.1),
        )
        .start()
        .await
        .expect("start");
    let c = client(mock.base_url(), 8);

    // Fund the user; a recharge may be cut or refused, the ledger tells what happened.
    for i in 0.. {
        if mock.balance(APP, USER).unwrap_or(0) >= 100_000 || i == 50 {
            break;
        }
        let p = CreateRecharge::new(
            USER,
            CreateRechargeCharge::new(50_000, "alipay", format!("r{seed}x{i}"), "s", "b"),
        );
        let _ = c.recharges().create(&p).await;
    }
    let funded = mock.balance(APP, USER).expect("recharged");
    let before = mock.requests_received();
    assert!(funded >= 100_000, "seed {seed}: could not fund the user");

    // Five withdrawals with their own order numbers, then each order number again with
    // a different amount (must never create a second withdrawal).
    let mut results: Vec<(String, i64, Result<Withdrawal, Error>)> = Vec::new();
    for i in 0..5i64 {
        let order_no = format!("s{seed}n{i}");
        let amount = 1_000 + i * 100 + i64::try_from(seed % 7).expect("small");
        let r = c
            .withdrawals()
            .create_or_find(&params(&order_no, amount))
            .await;
        results.push((order_no, amount, r));
    }
    for i in 0..5i64 {
        let order_no = format!("s{seed}n{i}");
        let amount = 5_000 + i;
        let r = c
            .withdrawals()
            .create_or_find(&params(&order_no, amount))
            .await;
        results.push((order_no, amount, r));
    }

    let requests = mock.requests_received() - before;

    // What the server holds (GETs are retried through cuts and 502s; the checker
    // insists harder than the code under test).
    let listed: Vec<Withdrawal> = client(mock.base_url(), 60)
        .withdrawals()
        .list_all(WithdrawalListParams::new().user(USER).per_page(100))
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("seed {seed}: listing failed: {e}"));
    let mut by_order: HashMap<String, &Withdrawal> = HashMap::new();
    for w in &listed {
        let order_no = w.order_no.clone().expect("order_no");
        assert!(
            by_order.insert(order_no.clone(), w).is_none(),
            "seed {seed}: two withdrawals for order_no {order_no}"
        );
    }
    let in_flight: i64 = listed.iter().map(|w| w.amount).sum();
    let ledger = mock.ledger(APP, USER).expect("ledger");
    assert_eq!(
        ledger.in_flight, in_flight,
        "seed {seed}: money debited differs from the withdrawals that exist"
    );
    assert_eq!(ledger.balance, funded - in_flight, "seed {seed}");

    let mut tally = Tally {
        requests,
        ..Tally::default()
    };
    for (order_no, amount, result) in results {
        let existing = by_order.get(&order_no);
        match result {
            Ok(w) => {
                tally.ok += 1;
                assert_eq!(
                    w.order_no.as_deref(),
                    Some(order_no.as_str()),
                    "seed {seed}"
                );
                assert_eq!(w.amount, amount, "seed {seed}: Ok for another amount");
                assert_eq!(w.user.as_deref(), Some(USER), "seed {seed}");
                let on_server =
                    existing.unwrap_or_else(|| panic!("seed {seed}: Ok but not on the server"));
                assert_eq!(on_server.id, w.id, "seed {seed}");
            }
            Err(Error::OrderNoConflict(conflict)) => {
                tally.conflicts += 1;
                // Refused because another request owns the order_no: it exists with
                // another amount, and nothing new was created.
                let on_server =
                    existing.unwrap_or_else(|| panic!("seed {seed}: conflict over nothing"));
                assert_ne!(on_server.amount, amount, "seed {seed}");
                assert_eq!(conflict.existing_id.as_deref(), Some(on_server.id.as_str()));
            }
            Err(e) => match e.outcome() {
                Outcome::Unknown => tally.unknown += 1,
                Outcome::NotSent | Outcome::Rejected => {
                    tally.refused += 1;
                    // "Nothing was done": unless an earlier call owns the order_no, it
                    // must not exist.
                    if let Some(w) = existing {
                        assert_ne!(w.amount, amount, "seed {seed}: {e} but it was created");
                    }
                }
                other => panic!("seed {seed}: unexpected outcome {other}: {e}"),
            },
        }
    }
    mock.shutdown().await;
    tally
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_or_find_never_pays_twice_and_every_ok_is_the_right_one() {
    let mut total = Tally::default();
    for seed in 0..RUNS {
        let t = run(seed).await;
        total.ok += t.ok;
        total.unknown += t.unknown;
        total.refused += t.refused;
        total.conflicts += t.conflicts;
        total.requests += t.requests;
    }
    eprintln!(
        "{RUNS} runs: {} ok, {} conflicts, {} refused, {} unknown; {} requests for the calls",
        total.ok, total.conflicts, total.refused, total.unknown, total.requests
    );
    let calls = usize::try_from(RUNS).expect("small") * 10;
    // Each call is at least one POST; the conflicts add a lookup each, and cuts and
    // 502s make the client send again.
    assert!(total.requests > calls * 3 / 2, "the faults did not bite");
    // Not vacuous: the faults did bite, and recovery mostly succeeded.
    assert!(
        total.ok + total.conflicts > calls * 9 / 10,
        "too few recoveries"
    );
    assert!(
        total.conflicts > calls / 4,
        "the repeated order numbers were not refused"
    );
}
