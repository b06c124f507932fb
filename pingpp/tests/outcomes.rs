//! Through the facade, against the emulator on 127.0.0.1: each kind of failure reports
//! the outcome a payments engineer acts on, with the prelude alone in scope.

use pingpp::prelude::*;
use pingpp::{
    ChannelExtra, CreateRecharge, CreateRechargeCharge, CreateWithdrawal, ProxyConfig,
    WithdrawalListParams, WxExtra,
};
use pingpp_mock::{FaultConfig, MockServer, RunningMock};

const KEY: &str = "sk_test_outcomes000000";
const APP: &str = "app_outcomes00000000";

fn client(base: String) -> Client {
    Client::builder()
        .api_key(KEY)
        .app_id(APP)
        .base_url(base)
        .proxy(ProxyConfig::none())
        .max_attempts(1)
        .build()
        .expect("client")
}

fn withdrawal(order_no: &str, amount: i64) -> CreateWithdrawal {
    CreateWithdrawal::new(
        "u1",
        amount,
        order_no,
        ChannelExtra::Wx(WxExtra::new("o9zpMs9jIaLynQY9N6yxcZ")),
    )
}

async fn mock(faults: Option<FaultConfig>) -> RunningMock {
    let key = pingpp::sign::generate_keypair()
        .and_then(|k| k.private_key())
        .expect("key");
    let mut b = MockServer::builder().signing_key(key);
    if let Some(f) = faults {
        b = b.faults(f);
    }
    b.start().await.expect("start")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_sent_rejected_and_unknown_as_the_emulator_answers() {
    let m = mock(None).await;
    let c = client(m.base_url());
    let recharge = CreateRecharge::new(
        "u1",
        CreateRechargeCharge::new(10_000, "alipay", "r1", "s", "b"),
    );
    c.recharges().create(&recharge).await.expect("recharge");

    // Invalid parameters: nothing sent.
    let e = c
        .withdrawals()
        .create(&withdrawal("w1", 0))
        .await
        .unwrap_err();
    assert_eq!(e.outcome(), Outcome::NotSent);
    assert!(!e.may_have_been_sent());

    // More than the balance: refused, typed code, nothing moved.
    let e = c
        .withdrawals()
        .create(&withdrawal("w1", 50_000))
        .await
        .unwrap_err();
    assert_eq!(e.outcome(), Outcome::Rejected, "{e}");
    assert_eq!(e.code(), Some(&ErrorCode::BalanceInsufficient));
    assert!(!e.may_have_been_sent(), "a refusal proves nothing moved");
    assert_eq!(m.balance(APP, "u1"), Some(10_000));

    // A used order_no: refused with its code.
    c.withdrawals()
        .create(&withdrawal("w2", 1_000))
        .await
        .expect("created");
    let e = c
        .withdrawals()
        .create(&withdrawal("w2", 1_000))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(&ErrorCode::OrderNoUsed));
    assert_eq!(e.outcome().as_str(), "rejected");

    // The listing helpers from the prelude.
    let all: Vec<_> = c
        .withdrawals()
        .list_all(WithdrawalListParams::new().user("u1"))
        .try_collect()
        .await
        .expect("list");
    assert_eq!(all.len(), 1);
    m.shutdown().await;

    // Processed, then the connection was cut: unknown, and it did happen.
    let m = mock(Some(FaultConfig::new(7).with_cut_rate(1.0))).await;
    let c = client(m.base_url());
    let e = c.recharges().create(&recharge).await.unwrap_err();
    assert_eq!(e.outcome(), Outcome::Unknown, "{e}");
    assert!(!e.is_retryable());
    assert_eq!(m.balance(APP, "u1"), Some(10_000));
    let addr = m.addr();
    m.shutdown().await;

    // Nobody listens any more: nothing was sent, and sending again is safe.
    let c = client(format!("http://{addr}"));
    let e = c.recharges().create(&recharge).await.unwrap_err();
    assert_eq!(e.outcome(), Outcome::NotSent, "{e:?}");
    assert!(e.is_retryable());
}
