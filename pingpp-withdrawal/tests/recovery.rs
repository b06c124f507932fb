//! Recovery by order_no over the scripted test transport: find_by_order_no scans the
//! user's withdrawals with documented filters only, and create_or_find re-sends an
//! unknown create with the same order_no and returns the existing withdrawal only when
//! it is the same request.

use std::sync::Arc;

use pingpp_transport::test_util::{InstantSleep, TestTransport};
use pingpp_transport::{Client, Error, ErrorCode, Outcome, TransportErrorKind};
use pingpp_types::{ChannelExtra, CreateWithdrawal, ValidationError, WxExtra};
use pingpp_withdrawal::WithdrawalsExt;
use serde_json::{Value, json};

const APP: &str = "app_1Gqj58ynP0mHeX1q";
const USER: &str = "user_001";
const ORDER: &str = "wd20261130001";

fn setup(max_attempts: u32) -> (Client, TestTransport, InstantSleep) {
    let transport = TestTransport::new();
    let sleep = InstantSleep::new();
    let client = Client::builder()
        .api_key("sk_test_ibbTe5jLGCi5rzfH4OqPW9KC")
        .app_id(APP)
        .max_attempts(max_attempts)
        .transport(Arc::new(transport.clone()))
        .sleep(Arc::new(sleep.clone()))
        .build()
        .expect("client");
    (client, transport, sleep)
}

fn params() -> CreateWithdrawal {
    CreateWithdrawal::new(
        USER,
        20_000,
        ORDER,
        ChannelExtra::Wx(WxExtra::new("o9zpMs9jIaLynQY9N6yxcZ")),
    )
    .user_fee(100)
}

fn withdrawal(id: &str, order_no: &str, amount: i64) -> Value {
    json!({
        "id": id, "object": "withdrawal", "app": APP, "amount": amount,
        "channel": "wx", "created": 1480499000, "status": "created",
        "order_no": order_no, "user": USER, "user_fee": 100,
        "extra": {"open_id": "o9zpMs9jIaLynQY9N6yxcZ"}, "metadata": {}
    })
}

fn page(items: Vec<Value>, has_more: bool) -> String {
    json!({"object": "list", "url": "/v1/x", "has_more": has_more, "data": items}).to_string()
}

fn api_error(code: &str) -> String {
    json!({"error": {"type": "invalid_request_error", "message": "refused", "code": code}})
        .to_string()
}

fn methods(t: &TestTransport) -> Vec<String> {
    t.requests().iter().map(|r| r.method.to_string()).collect()
}

#[tokio::test]
async fn find_by_order_no_scans_the_users_pages_with_documented_filters() {
    let (client, t, _) = setup(1);
    let first: Vec<Value> = (0..100)
        .map(|i| withdrawal(&format!("17{i:03}"), &format!("other{i}"), 1))
        .collect();
    t.push_json(200, page(first, true))
        .push_json(200, page(vec![withdrawal("17999", ORDER, 20_000)], true));
    let found = client
        .withdrawals()
        .find_by_order_no(USER, ORDER)
        .await
        .unwrap()
        .expect("found on page 2");
    assert_eq!(found.id, "17999");
    let uris: Vec<String> = t
        .requests()
        .iter()
        .map(|r| r.request_uri().to_owned())
        .collect();
    // Stops at the page that has it; only page, per_page and user are sent.
    assert_eq!(
        uris,
        [1, 2].map(|p| format!("/v1/apps/{APP}/withdrawals?page={p}&per_page=100&user={USER}"))
    );

    let (client, t, _) = setup(1);
    t.push_json(200, page(vec![withdrawal("1", "x", 1)], false));
    assert!(
        client
            .withdrawals()
            .find_by_order_no(USER, ORDER)
            .await
            .unwrap()
            .is_none()
    );

    let (client, t, _) = setup(1);
    for (user, order_no) in [("", ORDER), (USER, " ")] {
        let err = client
            .withdrawals()
            .find_by_order_no(user, order_no)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Validation(ValidationError::Empty { .. })),
            "{err}"
        );
        assert_eq!(err.outcome(), Outcome::NotSent);
    }
    assert!(t.requests().is_empty());
}

#[tokio::test]
async fn a_cut_create_is_sent_again_and_order_no_used_returns_the_same_withdrawal() {
    let (client, t, sleep) = setup(3);
    t.push_error(TransportErrorKind::Io)
        .push_json(400, api_error("order_no_used"))
        .push_json(200, page(vec![withdrawal("1701", ORDER, 20_000)], false));
    let w = client
        .withdrawals()
        .create_or_find(&params())
        .await
        .unwrap();
    assert_eq!(w.id, "1701");
    assert_eq!(methods(&t), ["POST", "POST", "GET"]);
    let reqs = t.requests();
    assert_eq!(
        reqs[0].body, reqs[1].body,
        "the same order_no and body are re-sent"
    );
    assert_eq!(sleep.waits().len(), 1, "one backoff before sending again");
}

#[tokio::test]
async fn a_used_order_no_of_a_different_request_is_a_conflict_naming_the_differences() {
    let (client, t, _) = setup(3);
    let mut other = withdrawal("1702", ORDER, 5_000);
    other["channel"] = json!("alipay");
    t.push_json(400, api_error("order_no_used"))
        .push_json(200, page(vec![other], false));
    let err = client
        .withdrawals()
        .create_or_find(&params())
        .await
        .unwrap_err();
    let Error::OrderNoConflict(conflict) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(conflict.existing_id.as_deref(), Some("1702"));
    let fields: Vec<&str> = conflict.differences.iter().map(|d| d.field).collect();
    assert_eq!(fields, ["amount", "channel"]);
    assert_eq!(err.outcome(), Outcome::Rejected);
    let shown = err.to_string();
    assert!(
        shown.contains("amount requested 20000 but found 5000"),
        "{shown}"
    );
    assert_eq!(methods(&t), ["POST", "GET"], "never sent again");
}

#[tokio::test]
async fn order_no_used_by_nothing_this_user_has_is_a_conflict() {
    let (client, t, _) = setup(3);
    t.push_json(400, api_error("order_no_used"))
        .push_json(200, page(vec![], false));
    let err = client
        .withdrawals()
        .create_or_find(&params())
        .await
        .unwrap_err();
    let Error::OrderNoConflict(conflict) = &err else {
        panic!("{err:?}")
    };
    assert!(conflict.existing_id.is_none());
    assert_eq!(err.outcome(), Outcome::Rejected);
}

#[tokio::test]
async fn a_refusal_after_an_unknown_attempt_is_checked_against_the_server() {
    // The first attempt debited the balance, so the second is refused for balance:
    // the withdrawal exists and is returned.
    let (client, t, _) = setup(3);
    t.push_json(503, api_error("busy"))
        .push_json(402, api_error("balance_insufficient"))
        .push_json(200, page(vec![withdrawal("1703", ORDER, 20_000)], false));
    let w = client
        .withdrawals()
        .create_or_find(&params())
        .await
        .unwrap();
    assert_eq!(w.id, "1703");

    // Not found: the refusal is true, nothing exists.
    let (client, t, _) = setup(3);
    t.push_json(503, api_error("busy"))
        .push_json(402, api_error("balance_insufficient"))
        .push_json(200, page(vec![], false));
    let err = client
        .withdrawals()
        .create_or_find(&params())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::BalanceInsufficient));
    assert_eq!(err.outcome(), Outcome::Rejected);
    assert_eq!(methods(&t), ["POST", "POST", "GET"]);
}

#[tokio::test]
async fn a_plain_refusal_is_returned_without_sending_again() {
    let (client, t, _) = setup(3);
    t.push_json(402, api_error("balance_insufficient"));
    let err = client
        .withdrawals()
        .create_or_find(&params())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::BalanceInsufficient));
    assert_eq!(methods(&t), ["POST"]);

    // Invalid parameters: nothing is sent at all.
    let (client, t, _) = setup(3);
    let bad = CreateWithdrawal::new(
        USER,
        0,
        ORDER,
        ChannelExtra::Wx(WxExtra::new("o9zpMs9jIaLynQY9N6yxcZ")),
    );
    let err = client.withdrawals().create_or_find(&bad).await.unwrap_err();
    assert_eq!(err.outcome(), Outcome::NotSent);
    assert!(t.requests().is_empty());
}

#[tokio::test]
async fn attempts_are_bounded_and_an_unresolved_create_stays_unknown() {
    let (client, t, sleep) = setup(3);
    for _ in 0..3 {
        t.push_error(TransportErrorKind::Io);
    }
    t.push_json(200, page(vec![], false));
    let err = client
        .withdrawals()
        .create_or_find(&params())
        .await
        .unwrap_err();
    assert_eq!(err.outcome(), Outcome::Unknown);
    assert!(
        !err.is_retryable(),
        "an unknown POST is never called retryable"
    );
    assert_eq!(methods(&t), ["POST", "POST", "POST", "GET"]);
    assert_eq!(sleep.waits().len(), 2);

    // ...but when the last look finds it, it is returned.
    let (client, t, _) = setup(2);
    t.push_error(TransportErrorKind::Timeout)
        .push_error(TransportErrorKind::Io)
        .push_json(200, page(vec![withdrawal("1704", ORDER, 20_000)], false));
    let w = client
        .withdrawals()
        .create_or_find(&params())
        .await
        .unwrap();
    assert_eq!(w.id, "1704");
}

#[tokio::test]
async fn a_failed_lookup_after_an_unknown_create_is_recovery_failed_and_unknown() {
    let (client, t, _) = setup(2);
    t.push_error(TransportErrorKind::Io)
        .push_json(400, api_error("order_no_used"))
        .push_json(401, api_error("unauthorized"));
    let err = client
        .withdrawals()
        .create_or_find(&params())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RecoveryFailed { .. }), "{err:?}");
    assert_eq!(err.outcome(), Outcome::Unknown);
    let source = std::error::Error::source(&err).expect("the lookup error");
    assert!(source.to_string().contains("401"), "{source}");
}
