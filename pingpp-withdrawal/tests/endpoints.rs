//! Every withdrawal and batch-withdrawal endpoint over the scripted test transport:
//! method, path, query, headers, body, signature, validation and paging.

use std::sync::LazyLock;

use futures_util::StreamExt;
use http::Method;
use pingpp_sign::{KeyPair, PublicKey};
use pingpp_transport::test_util::{RecordedRequest, TestTransport, signed_test_client};
use pingpp_transport::{Client, Error, TransportErrorKind};
use pingpp_types::{
    BatchWithdrawalListParams, BatchWithdrawalStatus, Channel, ChannelExtra, CreateBatchWithdrawal,
    CreateWithdrawal, UnionpayBank, UnionpayExtra, ValidationError, WithdrawalListParams,
    WithdrawalStatus,
};
use pingpp_withdrawal::WithdrawalsExt;
use serde_json::{Value, json};

const KEY: &str = "sk_test_ibbTe5jLGCi5rzfH4OqPW9KC";
const APP: &str = "app_1Gqj58ynP0mHeX1q";
const WID: &str = "1701611150302360654";

static KEYPAIR: LazyLock<KeyPair> =
    LazyLock::new(|| pingpp_sign::generate_keypair().expect("key generation"));

fn setup() -> (Client, TestTransport) {
    signed_test_client(KEY, APP, KEYPAIR.private_key().expect("private key")).expect("client")
}

fn withdrawal(id: &str, status: &str) -> Value {
    json!({
        "id": id, "object": "withdrawal", "app": APP, "amount": 20000,
        "channel": "unionpay", "created": 1480499000, "status": status,
        "order_no": "2026113000001", "user": "user_001", "user_fee": 100,
        "extra": {"account": "6225880137003000", "name": "张三", "open_bank_code": "0308"},
        "metadata": {}
    })
}

fn batch(id: &str) -> Value {
    json!({"id": id, "object": "batch_withdrawal", "app": APP, "created": 1480499000,
           "livemode": false, "status": "pending", "metadata": {},
           "withdrawals": {"object": "list", "url": "/v1/x", "has_more": false,
                           "data": [withdrawal(WID, "pending")]}})
}

fn list(items: Vec<Value>, has_more: bool) -> String {
    json!({"object": "list", "url": "/v1/x", "has_more": has_more, "data": items}).to_string()
}

fn assert_signed(req: &RecordedRequest) {
    let public = PublicKey::from_pem(KEYPAIR.public_pem()).expect("public key");
    pingpp_transport::test_util::assert_signed(req, KEY, &public);
}

fn unionpay_params() -> CreateWithdrawal {
    CreateWithdrawal::new(
        "user_001",
        20_000,
        "2026113000001",
        ChannelExtra::Unionpay(UnionpayExtra::new(
            "6225880137003000",
            "张三",
            UnionpayBank::Code("0308".into()),
        )),
    )
    .user_fee(100)
    .description("余额提现")
}

#[tokio::test]
async fn create_posts_the_params() {
    let (client, t) = setup();
    t.push_json(200, withdrawal(WID, "created").to_string());
    let w = client
        .withdrawals()
        .create(&unionpay_params())
        .await
        .unwrap();
    assert_eq!(w.id, WID);
    assert_eq!(w.status, WithdrawalStatus::Created);
    assert_eq!(w.amount, 20_000);

    let req = t.last_request().unwrap();
    assert_eq!(req.method, Method::POST);
    assert_eq!(req.request_uri(), format!("/v1/apps/{APP}/withdrawals"));
    assert_signed(&req);
    let body = req.json();
    assert_eq!(body["user"], "user_001");
    assert_eq!(body["amount"], 20000);
    assert_eq!(body["user_fee"], 100);
    assert_eq!(body["order_no"], "2026113000001");
    assert_eq!(body["channel"], "unionpay");
    assert_eq!(body["extra"]["account"], "6225880137003000");
    assert_eq!(body["extra"]["open_bank_code"], "0308");
    assert_eq!(body["description"], "余额提现");
}

#[tokio::test]
async fn retrieve_gets_the_percent_encoded_id() {
    let (client, t) = setup();
    t.push_json(200, withdrawal(WID, "pending").to_string());
    let w = client.withdrawals().retrieve(WID).await.unwrap();
    assert_eq!(w.status, WithdrawalStatus::Pending);
    let req = t.last_request().unwrap();
    assert_eq!(req.method, Method::GET);
    assert_eq!(
        req.request_uri(),
        format!("/v1/apps/{APP}/withdrawals/{WID}")
    );
    assert!(req.body.is_empty());
    assert_signed(&req);

    t.push_json(200, withdrawal("a/b", "pending").to_string());
    client.withdrawals().retrieve("a/b ?").await.unwrap();
    assert_eq!(
        t.last_request().unwrap().request_uri(),
        format!("/v1/apps/{APP}/withdrawals/a%2Fb%20%3F")
    );
}

#[tokio::test]
async fn list_sends_the_filters_as_query() {
    let (client, t) = setup();
    t.push_json(
        200,
        json!({"object":"list","url":"/v1/x","has_more":false,
               "data":[withdrawal(WID, "succeeded")], "total_withdrawals_amount": 20000})
        .to_string(),
    );
    let params = WithdrawalListParams::new()
        .page(2)
        .per_page(30)
        .status(WithdrawalStatus::Succeeded)
        .channel(Channel::Unionpay)
        .user("user_001");
    let page = client.withdrawals().list(&params).await.unwrap();
    assert_eq!(page.data.len(), 1);
    assert_eq!(page.total_withdrawals_amount, Some(20000));
    let req = t.last_request().unwrap();
    assert_eq!(req.method, Method::GET);
    assert_eq!(
        req.request_uri(),
        format!(
            "/v1/apps/{APP}/withdrawals?page=2&per_page=30&status=succeeded&channel=unionpay&user=user_001"
        )
    );
    assert_signed(&req);

    t.push_json(200, list(vec![], false));
    client
        .withdrawals()
        .list(&WithdrawalListParams::new())
        .await
        .unwrap();
    assert_eq!(
        t.last_request().unwrap().request_uri(),
        format!("/v1/apps/{APP}/withdrawals")
    );
}

#[tokio::test]
async fn confirm_and_cancel_put_the_status() {
    let (client, t) = setup();
    t.push_json(200, withdrawal(WID, "pending").to_string());
    let w = client.withdrawals().confirm(WID).await.unwrap();
    assert_eq!(w.status, WithdrawalStatus::Pending);
    let req = t.last_request().unwrap();
    assert_eq!(req.method, Method::PUT);
    assert_eq!(
        req.request_uri(),
        format!("/v1/apps/{APP}/withdrawals/{WID}")
    );
    assert_eq!(&req.body[..], br#"{"status":"pending"}"#);
    assert_signed(&req);

    t.push_json(200, withdrawal(WID, "canceled").to_string());
    let w = client.withdrawals().cancel(WID).await.unwrap();
    assert_eq!(w.status, WithdrawalStatus::Canceled);
    let req = t.last_request().unwrap();
    assert_eq!(req.method, Method::PUT);
    assert_eq!(&req.body[..], br#"{"status":"canceled"}"#);
    assert_signed(&req);
}

#[tokio::test]
async fn batch_endpoints() {
    let (client, t) = setup();
    t.push_json(200, batch("1901611150302360600").to_string());
    let b = client
        .batch_withdrawals()
        .create(&CreateBatchWithdrawal::cancel([WID, "1701611150302360655"]))
        .await
        .unwrap();
    assert_eq!(b.id, "1901611150302360600");
    let req = t.last_request().unwrap();
    assert_eq!(req.method, Method::POST);
    assert_eq!(
        req.request_uri(),
        format!("/v1/apps/{APP}/batch_withdrawals")
    );
    assert_eq!(
        req.json(),
        json!({"withdrawals": [WID, "1701611150302360655"], "status": "canceled"})
    );
    assert_signed(&req);

    t.push_json(200, batch("1901611150302360600").to_string());
    client
        .batch_withdrawals()
        .retrieve("1901611150302360600")
        .await
        .unwrap();
    let req = t.last_request().unwrap();
    assert_eq!(req.method, Method::GET);
    assert_eq!(
        req.request_uri(),
        format!("/v1/apps/{APP}/batch_withdrawals/1901611150302360600")
    );
    assert_signed(&req);

    t.push_json(200, list(vec![batch("1")], false));
    let page = client
        .batch_withdrawals()
        .list(
            &BatchWithdrawalListParams::new()
                .page(1)
                .per_page(5)
                .status(BatchWithdrawalStatus::Pending),
        )
        .await
        .unwrap();
    assert_eq!(page.data.len(), 1);
    let req = t.last_request().unwrap();
    assert_eq!(
        req.request_uri(),
        format!("/v1/apps/{APP}/batch_withdrawals?page=1&per_page=5&status=pending")
    );
    assert_signed(&req);
}

#[tokio::test]
async fn invalid_params_and_blank_ids_send_nothing() {
    let (client, t) = setup();
    // unionpay order numbers are at most 16 digits.
    let bad_order_no = CreateWithdrawal::new(
        "user_001",
        100,
        "12345678901234567",
        ChannelExtra::Unionpay(UnionpayExtra::new(
            "6225880137003000",
            "张三",
            UnionpayBank::Code("0308".into()),
        )),
    );
    let err = client
        .withdrawals()
        .create(&bad_order_no)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Validation(ValidationError::InvalidOrderNo { .. })
        ),
        "{err:?}"
    );
    assert!(!err.may_have_been_sent());

    let err = client
        .withdrawals()
        .create(&unionpay_params().user_fee(30_000))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");

    for r in [
        client.withdrawals().confirm("").await,
        client.withdrawals().cancel("  ").await,
        client.withdrawals().retrieve("").await,
    ] {
        let err = r.unwrap_err();
        assert!(
            matches!(err, Error::Validation(ValidationError::Empty { .. })),
            "{err:?}"
        );
    }
    let err = client.withdrawals().retrieve("..").await.unwrap_err();
    assert!(!err.may_have_been_sent());

    let err = client
        .batch_withdrawals()
        .create(&CreateBatchWithdrawal::confirm(Vec::<String>::new()))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Validation(ValidationError::BatchSize { .. })
    ));
    let too_many: Vec<String> = (0..201).map(|i| i.to_string()).collect();
    let err = client
        .batch_withdrawals()
        .create(&CreateBatchWithdrawal::confirm(too_many))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Validation(ValidationError::BatchSize { .. })
    ));
    assert!(client.batch_withdrawals().retrieve("").await.is_err());

    let err = client
        .withdrawals()
        .list(&WithdrawalListParams::new().per_page(101))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");

    assert!(t.requests().is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn list_all_walks_pages_from_the_given_page() {
    let (client, t) = setup();
    t.push_json(
        200,
        list(
            vec![withdrawal("1", "created"), withdrawal("2", "created")],
            true,
        ),
    )
    .push_json(200, list(vec![withdrawal("3", "created")], false));
    let ids: Vec<String> = client
        .withdrawals()
        .list_all(
            WithdrawalListParams::new()
                .page(3)
                .per_page(2)
                .status(WithdrawalStatus::Created),
        )
        .map(|w| w.unwrap().id)
        .collect()
        .await;
    assert_eq!(ids, ["1", "2", "3"]);
    let uris: Vec<String> = t
        .requests()
        .iter()
        .map(|r| r.request_uri().to_owned())
        .collect();
    assert_eq!(
        uris,
        [
            format!("/v1/apps/{APP}/withdrawals?page=3&per_page=2&status=created"),
            format!("/v1/apps/{APP}/withdrawals?page=4&per_page=2&status=created"),
        ]
    );

    let (client, t) = setup();
    t.push_json(200, list(vec![batch("1")], true))
        .push_json(200, list(vec![], true));
    let n = client
        .batch_withdrawals()
        .list_all(BatchWithdrawalListParams::new())
        .count()
        .await;
    assert_eq!(n, 1);
    assert_eq!(t.requests().len(), 2);
    assert_eq!(
        t.requests()[0].request_uri(),
        format!("/v1/apps/{APP}/batch_withdrawals?page=1")
    );
}

#[tokio::test]
async fn money_moving_calls_are_not_retried_after_they_may_have_been_sent() {
    let (client, t) = setup();
    t.push_error(TransportErrorKind::Io)
        .push_json(200, withdrawal(WID, "pending").to_string());
    let err = client.withdrawals().confirm(WID).await.unwrap_err();
    assert!(err.may_have_been_sent());
    assert_eq!(t.requests().len(), 1);

    let (client, t) = setup();
    t.push_json(502, "bad gateway")
        .push_json(200, withdrawal(WID, "created").to_string());
    let err = client
        .withdrawals()
        .create(&unionpay_params())
        .await
        .unwrap_err();
    assert!(err.may_have_been_sent());
    assert_eq!(t.requests().len(), 1);

    // A retrieve that hit 502 is retried.
    let (client, t) = setup();
    t.push_json(502, "bad gateway")
        .push_json(200, withdrawal(WID, "created").to_string());
    client.withdrawals().retrieve(WID).await.unwrap();
    let reqs = t.requests();
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        assert_signed(r);
    }
}

#[test]
fn futures_are_send() {
    fn is_send<T: Send>(_: &T) {}
    let (client, _) = setup();
    let params = unionpay_params();
    is_send(&client.withdrawals().create(&params));
    is_send(&client.withdrawals().confirm(WID));
    is_send(&client.withdrawals().list_all(WithdrawalListParams::new()));
    is_send(&client.batch_withdrawals().retrieve("1"));
}
