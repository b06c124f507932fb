//! The money invariant under arbitrary sequences of operations, checked against a
//! model the test keeps from the SDK's own responses: recharges, refunds (some made to
//! fail), withdrawals on random channels with random outcomes, confirms and cancels,
//! in any order, valid or not. After every sequence the emulator's balance equals the
//! model's, and recharged − refunded = balance + in flight + paid out.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use pingpp_mock::{MockServer, RunningMock};
use pingpp_recharge::RechargesExt;
use pingpp_transport::Client;
use pingpp_types::{
    AlipayExtra, ChannelExtra, CreateRecharge, CreateRechargeCharge, CreateRechargeRefund,
    CreateWithdrawal, RefundStatus, WithdrawalStatus, WxExtra,
};
use pingpp_withdrawal::WithdrawalsExt;
use proptest::prelude::*;

const KEY: &str = "sk_test_moneyprops00000000000";
const APP: &str = "app_moneyprops0000000";

struct World {
    runtime: tokio::runtime::Runtime,
    mock: RunningMock,
    client: Client,
}

/// One emulator for the whole binary; every case uses its own user.
static WORLD: LazyLock<World> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mock = runtime
        .block_on(
            MockServer::builder()
                .api_key(KEY)
                .processing_delay(Duration::from_millis(20))
                .start(),
        )
        .expect("emulator");
    let client = Client::builder()
        .api_key(KEY)
        .app_id(APP)
        .base_url(mock.base_url())
        .build()
        .expect("client");
    World {
        runtime,
        mock,
        client,
    }
});

#[derive(Debug, Clone)]
enum Outcome {
    Succeed,
    Fail,
    FundsShort,
}

#[derive(Debug, Clone)]
enum Op {
    Recharge(i64),
    Refund {
        recharge: usize,
        make_fail: bool,
    },
    Withdraw {
        amount: i64,
        wechat: bool,
        outcome: Outcome,
    },
    Confirm(usize),
    Cancel(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let outcome = prop_oneof![
        3 => Just(Outcome::Succeed),
        1 => Just(Outcome::Fail),
        1 => Just(Outcome::FundsShort),
    ];
    prop_oneof![
        2 => (1i64..50_000).prop_map(Op::Recharge),
        1 => (any::<usize>(), prop::bool::weighted(0.3))
            .prop_map(|(recharge, make_fail)| Op::Refund { recharge, make_fail }),
        3 => (1i64..30_000, any::<bool>(), outcome)
            .prop_map(|(amount, wechat, outcome)| Op::Withdraw { amount, wechat, outcome }),
        2 => any::<usize>().prop_map(Op::Confirm),
        1 => any::<usize>().prop_map(Op::Cancel),
    ]
}

/// What the test knows from the responses it got.
#[derive(Default)]
struct Model {
    recharges: Vec<(String, i64)>,
    refunded: i64,
    credited: i64,
    withdrawals: Vec<(String, i64)>,
}

async fn run(world: &World, user: &str, case: u64, ops: &[Op]) -> Model {
    let c = &world.client;
    let mut model = Model::default();
    for (n, op) in ops.iter().enumerate() {
        let order_no = format!("p{case}n{n}");
        match op {
            Op::Recharge(amount) => {
                let params = CreateRecharge::new(
                    user,
                    CreateRechargeCharge::new(*amount, "alipay", &order_no, "充值", "top up"),
                );
                let recharge = c.recharges().create(&params).await.expect("recharge");
                model.credited += amount;
                model.recharges.push((recharge.id, *amount));
            }
            Op::Refund {
                recharge,
                make_fail,
            } => {
                if model.recharges.is_empty() {
                    continue;
                }
                let (id, amount) = model.recharges[recharge % model.recharges.len()].clone();
                let mut params = CreateRechargeRefund::new("退款");
                if *make_fail {
                    let mut metadata = pingpp_types::Metadata::new();
                    metadata.insert("mock_outcome".into(), "failed".into());
                    params = params.metadata(metadata);
                }
                // Refused (already refunded, balance short) moves nothing.
                if let Ok(refund) = c.recharge_refunds().create(&id, &params).await {
                    if refund.status == RefundStatus::Failed {
                        assert!(*make_fail, "only refunds made to fail fail");
                        assert!(refund.failure_msg.is_some(), "a failed refund says why");
                    } else {
                        model.refunded += amount;
                    }
                }
            }
            Op::Withdraw {
                amount,
                wechat,
                outcome,
            } => {
                let extra = if *wechat {
                    ChannelExtra::WxPub(WxExtra::new("o_props"))
                } else {
                    ChannelExtra::Alipay(AlipayExtra::new("13800000000", "张三"))
                };
                let mut params = CreateWithdrawal::new(user, *amount, &order_no, extra);
                match outcome {
                    Outcome::Succeed => {}
                    Outcome::Fail => params = params.metadata_entry("mock_outcome", "failed"),
                    Outcome::FundsShort => {
                        params = params.metadata_entry("mock_outcome", "funds_insufficient")
                    }
                }
                // Refused when the balance is short: then nothing moved.
                if let Ok(w) = c.withdrawals().create(&params).await {
                    assert_eq!(w.status, WithdrawalStatus::Created);
                    model.withdrawals.push((w.id, *amount));
                }
            }
            Op::Confirm(i) | Op::Cancel(i) => {
                if model.withdrawals.is_empty() {
                    continue;
                }
                let id = &model.withdrawals[i % model.withdrawals.len()].0;
                // Invalid transitions are refused; valid ones are tracked by the
                // final retrieve below.
                let _ = if matches!(op, Op::Confirm(_)) {
                    c.withdrawals().confirm(id).await
                } else {
                    c.withdrawals().cancel(id).await
                };
            }
        }
    }
    model
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn money_is_never_created_or_lost(ops in proptest::collection::vec(op(), 1..25)) {
        // A fresh user and order numbers for every run, shrinking runs included.
        static RUNS: AtomicU64 = AtomicU64::new(0);
        let case = RUNS.fetch_add(1, Ordering::Relaxed);
        let world = &*WORLD;
        let user = format!("u{case}");
        let model = world.runtime.block_on(run(world, &user, case, &ops));
        prop_assert!(world.runtime.block_on(world.mock.wait_idle(Duration::from_secs(30))));

        // Every withdrawal's final state, read back through the SDK.
        let mut held = 0;
        let mut paid_out = 0;
        for (id, amount) in &model.withdrawals {
            let w = world.runtime.block_on(world.client.withdrawals().retrieve(id)).expect("retrieve");
            match w.status {
                WithdrawalStatus::Created | WithdrawalStatus::Pending => held += amount,
                WithdrawalStatus::Succeeded => paid_out += amount,
                WithdrawalStatus::Failed | WithdrawalStatus::Canceled => {}
                ref other => prop_assert!(false, "unexpected status {other:?}"),
            }
        }
        let expected_balance = model.credited - model.refunded - held - paid_out;
        if model.recharges.is_empty() {
            prop_assert_eq!(world.mock.balance(APP, &user), None);
            return Ok(());
        }
        prop_assert_eq!(world.mock.balance(APP, &user), Some(expected_balance));
        let ledger = world.mock.ledger(APP, &user).expect("ledger");
        prop_assert!(ledger.is_balanced(), "{ledger:?}");
        prop_assert_eq!(ledger.recharged, model.credited);
        prop_assert_eq!(ledger.refunded, model.refunded);
        prop_assert_eq!(ledger.in_flight, held);
        prop_assert_eq!(ledger.paid_out, paid_out);
        prop_assert!(expected_balance >= 0, "balance went negative");
    }
}
