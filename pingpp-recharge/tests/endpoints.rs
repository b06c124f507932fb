//! Every recharge and recharge-refund endpoint over the scripted test transport:
//! method, path, query, headers, body, signature, validation and paging.

use std::sync::LazyLock;

use futures_util::StreamExt;
use http::Method;
use pingpp_recharge::RechargesExt;
use pingpp_sign::{KeyPair, PublicKey};
use pingpp_transport::test_util::{RecordedRequest, TestTransport, signed_test_client};
use pingpp_transport::{Client, Error, TransportErrorKind};
use pingpp_types::{
    CreateRecharge, CreateRechargeCharge, CreateRechargeRefund, FundingSource, ListParams,
    RefundStatus, ValidationError,
};
use serde_json::{Value, json};

const KEY: &str = "sk_live_ibbTe5jLGCi5rzfH4OqPW9KC";
const APP: &str = "app_1Gqj58ynP0mHeX1q";
const RID: &str = "220161130175010015520701";
const REF: &str = "re_jr1Ci1Xb1uvzP4avbLuPGWb9";

static KEYPAIR: LazyLock<KeyPair> =
    LazyLock::new(|| pingpp_sign::generate_keypair().expect("key generation"));

fn setup() -> (Client, TestTransport) {
    signed_test_client(KEY, APP, KEYPAIR.private_key().expect("private key")).expect("client")
}

fn refund(id: &str, status: &str) -> Value {
    json!({
        "id": id, "object": "refund", "order_no": "RE201611301750", "amount": 10000,
        "created": 1480499410, "succeed": status == "succeeded", "status": status,
        "time_succeed": null, "description": "用户申请退款", "failure_code": null,
        "failure_msg": null, "metadata": {}, "charge": "ch_1", "charge_order_no": "O1",
        "transaction_no": null, "extra": {}, "funding_source": "unsettled_funds"
    })
}

fn recharge(id: &str) -> Value {
    json!({
        "id": id, "object": "recharge", "app": APP, "created": 1480499000,
        "livemode": true, "amount": 10000, "succeeded": true, "refunded": false,
        "user": "user_001", "charge": {"id": "ch_1", "object": "charge"}, "metadata": {}
    })
}

fn list(items: Vec<Value>, has_more: bool) -> String {
    json!({"object": "list", "url": "/v1/x", "has_more": has_more, "data": items}).to_string()
}

fn assert_signed(req: &RecordedRequest) {
    let public = PublicKey::from_pem(KEYPAIR.public_pem()).expect("public key");
    pingpp_transport::test_util::assert_signed(req, KEY, &public);
}

#[tokio::test]
async fn refund_create_posts_description_metadata_and_funding_source() {
    let (client, t) = setup();
    t.push_json(200, refund(REF, "succeeded").to_string());
    let mut metadata = pingpp_types::Metadata::new();
    metadata.insert("ticket".into(), json!("T-1"));
    let params = CreateRechargeRefund::new("用户申请退款")
        .metadata(metadata)
        .funding_source(FundingSource::RechargeFunds);
    let r = client
        .recharge_refunds()
        .create(RID, &params)
        .await
        .unwrap();
    assert_eq!(r.id, REF);
    assert_eq!(r.status, RefundStatus::Succeeded);

    let req = t.last_request().unwrap();
    assert_eq!(req.method, Method::POST);
    assert_eq!(
        req.request_uri(),
        format!("/v1/apps/{APP}/recharges/{RID}/refunds")
    );
    assert_eq!(
        req.json(),
        json!({"description": "用户申请退款", "metadata": {"ticket": "T-1"},
               "funding_source": "recharge_funds"})
    );
    assert_eq!(
        req.header("content-type"),
        Some("application/json; charset=UTF-8")
    );
    assert_signed(&req);
}

#[tokio::test]
async fn refund_retrieve_and_list() {
    let (client, t) = setup();
    t.push_json(200, refund(REF, "pending").to_string());
    let r = client.recharge_refunds().retrieve(RID, REF).await.unwrap();
    assert_eq!(r.status, RefundStatus::Pending);
    let req = t.last_request().unwrap();
    assert_eq!(req.method, Method::GET);
    assert_eq!(
        req.request_uri(),
        format!("/v1/apps/{APP}/recharges/{RID}/refunds/{REF}")
    );
    assert!(req.body.is_empty());
    assert!(req.header("content-type").is_none());
    assert_signed(&req);

    t.push_json(200, list(vec![refund(REF, "succeeded")], false));
    let page = client
        .recharge_refunds()
        .list(RID, &ListParams::new().page(1).per_page(20))
        .await
        .unwrap();
    assert_eq!(page.data.len(), 1);
    let req = t.last_request().unwrap();
    assert_eq!(
        req.request_uri(),
        format!("/v1/apps/{APP}/recharges/{RID}/refunds?page=1&per_page=20")
    );
    assert_signed(&req);
}

#[tokio::test]
async fn recharge_create_retrieve_list() {
    let (client, t) = setup();
    t.push_json(200, recharge(RID).to_string());
    let params = CreateRecharge::new(
        "user_001",
        CreateRechargeCharge::new(
            10_000,
            "alipay",
            "R2026113000001",
            "余额充值",
            "充值 100 元",
        ),
    )
    .user_fee(0)
    .description("充值");
    let r = client.recharges().create(&params).await.unwrap();
    assert_eq!(r.id, RID);
    let req = t.last_request().unwrap();
    assert_eq!(req.method, Method::POST);
    assert_eq!(req.request_uri(), format!("/v1/apps/{APP}/recharges"));
    let body = req.json();
    assert_eq!(body["user"], "user_001");
    assert_eq!(body["charge"]["amount"], 10000);
    assert_eq!(body["charge"]["channel"], "alipay");
    assert_eq!(body["charge"]["subject"], "余额充值");
    assert_signed(&req);

    t.push_json(200, recharge(RID).to_string());
    client.recharges().retrieve(RID).await.unwrap();
    let req = t.last_request().unwrap();
    assert_eq!(req.method, Method::GET);
    assert_eq!(req.request_uri(), format!("/v1/apps/{APP}/recharges/{RID}"));
    assert_signed(&req);

    t.push_json(200, list(vec![recharge(RID)], false));
    client
        .recharges()
        .list(&ListParams::new().per_page(3))
        .await
        .unwrap();
    let req = t.last_request().unwrap();
    assert_eq!(
        req.request_uri(),
        format!("/v1/apps/{APP}/recharges?per_page=3")
    );
    assert_signed(&req);
}

#[tokio::test]
async fn invalid_params_and_blank_ids_send_nothing() {
    let (client, t) = setup();
    let err = client
        .recharge_refunds()
        .create(RID, &CreateRechargeRefund::new(""))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert!(!err.may_have_been_sent());
    let err = client
        .recharge_refunds()
        .create(RID, &CreateRechargeRefund::new("x".repeat(256)))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Validation(ValidationError::TooLong { .. })),
        "{err:?}"
    );
    let err = client
        .recharge_refunds()
        .create(" ", &CreateRechargeRefund::new("ok"))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Validation(ValidationError::Empty {
            field: "recharge_id"
        })
    ));
    assert!(client.recharge_refunds().retrieve(RID, "").await.is_err());
    assert!(
        client
            .recharge_refunds()
            .list("", &ListParams::new())
            .await
            .is_err()
    );
    assert!(client.recharges().retrieve("").await.is_err());
    let err = client
        .recharges()
        .list(&ListParams::new().per_page(0))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    let bad_charge = CreateRecharge::new(
        "user_001",
        CreateRechargeCharge::new(-1, "alipay", "R1", "s", "b"),
    );
    assert!(matches!(
        client.recharges().create(&bad_charge).await,
        Err(Error::Validation(_))
    ));
    assert!(t.requests().is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn refund_list_all_walks_pages_and_stops_on_has_more_false() {
    let (client, t) = setup();
    t.push_json(200, list(vec![refund("re_1", "succeeded")], true))
        .push_json(200, list(vec![refund("re_2", "succeeded")], true))
        .push_json(200, list(vec![refund("re_3", "failed")], false));
    let ids: Vec<String> = client
        .recharge_refunds()
        .list_all(RID, ListParams::new().per_page(1))
        .map(|r| r.unwrap().id)
        .collect()
        .await;
    assert_eq!(ids, ["re_1", "re_2", "re_3"]);
    let uris: Vec<String> = t
        .requests()
        .iter()
        .map(|r| r.request_uri().to_owned())
        .collect();
    let base = format!("/v1/apps/{APP}/recharges/{RID}/refunds");
    assert_eq!(
        uris,
        [
            format!("{base}?page=1&per_page=1"),
            format!("{base}?page=2&per_page=1"),
            format!("{base}?page=3&per_page=1"),
        ]
    );
    assert_eq!(t.remaining(), 0);

    let (client, t) = setup();
    t.push_json(200, list(vec![recharge("1"), recharge("2")], true))
        .push_json(200, list(vec![], true));
    let n = client.recharges().list_all(ListParams::new()).count().await;
    assert_eq!(n, 2);
    assert_eq!(t.requests().len(), 2);
}

#[tokio::test]
async fn refund_create_is_not_retried_once_it_may_have_been_sent() {
    let (client, t) = setup();
    t.push_error(TransportErrorKind::Timeout)
        .push_json(200, refund(REF, "succeeded").to_string());
    let err = client
        .recharge_refunds()
        .create(RID, &CreateRechargeRefund::new("退款"))
        .await
        .unwrap_err();
    assert!(err.may_have_been_sent());
    assert_eq!(t.requests().len(), 1);

    // But a connection that could not be made is retried, with the same body and a
    // fresh signature.
    let (client, t) = setup();
    t.push_error(TransportErrorKind::Connect)
        .push_json(200, refund(REF, "succeeded").to_string());
    client
        .recharge_refunds()
        .create(RID, &CreateRechargeRefund::new("退款"))
        .await
        .unwrap();
    let reqs = t.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].body, reqs[1].body);
    reqs.iter().for_each(assert_signed);
}

#[tokio::test]
async fn a_refused_refund_maps_to_a_channel_error() {
    let (client, t) = setup();
    t.push_json(
        402,
        r#"{"error":{"type":"channel_error","message":"余额不足","code":"insufficient_balance"}}"#,
    );
    let err = client
        .recharge_refunds()
        .create(RID, &CreateRechargeRefund::new("退款"))
        .await
        .unwrap_err();
    let api = err.as_api().unwrap();
    assert!(api.is_channel());
    assert_eq!(
        api.code.as_ref().map(|c| c.as_str()),
        Some("insufficient_balance")
    );
}

fn recharge_with(id: &str, user: &str, order_no: &str) -> Value {
    let mut r = recharge(id);
    r["user"] = json!(user);
    r["charge"]["order_no"] = json!(order_no);
    r
}

#[tokio::test]
async fn find_by_order_no_scans_every_page_for_the_users_charge_order_no() {
    let (client, t) = setup();
    let first: Vec<Value> = (0..100)
        .map(|i| recharge_with(&format!("2201{i:03}"), "user_001", &format!("o{i}")))
        .collect();
    t.push_json(200, list(first, true)).push_json(
        200,
        list(
            vec![
                // Same order number, another user: not this user's recharge.
                recharge_with("2201998", "user_002", "R2026"),
                recharge_with("2201999", "user_001", "R2026"),
            ],
            true,
        ),
    );
    let found = client
        .recharges()
        .find_by_order_no("user_001", "R2026")
        .await
        .unwrap()
        .expect("found on page 2");
    assert_eq!(found.id, "2201999");
    let uris: Vec<String> = t
        .requests()
        .iter()
        .map(|r| r.request_uri().to_owned())
        .collect();
    assert_eq!(
        uris,
        [1, 2].map(|p| format!("/v1/apps/{APP}/recharges?page={p}&per_page=100"))
    );

    let (client, t) = setup();
    t.push_json(200, list(vec![recharge_with("1", "user_001", "x")], false));
    let none = client
        .recharges()
        .find_by_order_no("user_001", "R2026")
        .await;
    assert!(none.unwrap().is_none());

    let (client, t) = setup();
    let err = client
        .recharges()
        .find_by_order_no("user_001", "")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err}");
    assert!(t.requests().is_empty());
}
