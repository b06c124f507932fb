//! `client.events().retrieve(id)` against the emulator over 127.0.0.1.

use std::time::Duration;

use pingpp::prelude::*;
use pingpp::{CreateRecharge, CreateRechargeCharge, EventData};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_retrieved_typed_and_missing_ones_are_not_found() {
    let mock = pingpp_mock::MockServer::builder()
        .api_key("sk_test_events000000000000000")
        .start()
        .await
        .expect("emulator");
    let client = Client::builder()
        .api_key("sk_test_events000000000000000")
        .app_id("app_events00000000000")
        .base_url(mock.base_url())
        .build()
        .expect("client");

    let recharge = client
        .recharges()
        .create(&CreateRecharge::new(
            "event_user",
            CreateRechargeCharge::new(2_000, "alipay", "evtrecharge1", "充值", "top up"),
        ))
        .await
        .expect("recharge");
    assert!(mock.wait_idle(Duration::from_secs(10)).await);

    let ids: Vec<String> = mock
        .events()
        .iter()
        .filter_map(|e| e["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(ids.len(), 1, "one recharge.succeeded event");
    let event = client.events().retrieve(&ids[0]).await.expect("retrieve");
    assert_eq!(event.id.as_deref(), Some(ids[0].as_str()));
    assert_eq!(event.event_type(), "recharge.succeeded");
    match &event.data {
        EventData::RechargeSucceeded(r) => assert_eq!(r.id, recharge.id),
        other => panic!("expected a typed recharge, got {other:?}"),
    }

    let missing = client
        .events()
        .retrieve("evt_does_not_exist")
        .await
        .expect_err("no such event");
    assert!(
        missing.as_api().is_some_and(|e| e.is_not_found()),
        "{missing}"
    );
    let before = mock.requests_received();
    assert!(client.events().retrieve("").await.is_err());
    assert_eq!(
        mock.requests_received(),
        before,
        "an empty id is refused before sending"
    );
    mock.shutdown().await;
}
