//! Every settle-account endpoint over the scripted test transport: method, path,
//! body, signature, validation, decoding and paging.

use std::sync::LazyLock;

use futures_util::StreamExt;
use http::Method;
use pingpp_sign::{KeyPair, PublicKey};
use pingpp_transport::test_util::{TestTransport, assert_signed, signed_test_client};
use pingpp_transport::{Client, Error};
use pingpp_types::{
    BankAccountRecipient, CreateSettleAccount, ListParams, RecipientType, SettleAccountChannel,
    ValidationError, WxPubRecipient,
};
use pingpp_withdrawal::WithdrawalsExt;
use serde_json::{Value, json};

const KEY: &str = "sk_test_ibbTe5jLGCi5rzfH4OqPW9KC";
const APP: &str = "app_1Gqj58ynP0mHeX1q";
const SA: &str = "320217031816231000001001";

static KEYPAIR: LazyLock<KeyPair> =
    LazyLock::new(|| pingpp_sign::generate_keypair().expect("key generation"));

fn setup() -> (Client, TestTransport) {
    signed_test_client(KEY, APP, KEYPAIR.private_key().expect("private key")).expect("client")
}

fn public() -> PublicKey {
    PublicKey::from_pem(KEYPAIR.public_pem()).expect("public key")
}

/// The Go SDK demo's bank account.
fn account(id: &str) -> Value {
    json!({"id": id, "object": "settle_account", "created": 1489827943,
           "channel": "bank_account",
           "recipient": {"account": "6214666666666666", "name": "张三", "type": "b2c",
                         "open_bank": "招商银行", "open_bank_code": "0308"}})
}

#[tokio::test]
async fn create_posts_channel_and_recipient_signed() {
    let (client, transport) = setup();
    transport.push_json(200, account(SA).to_string());
    let params = CreateSettleAccount::BankAccount(
        BankAccountRecipient::new("6214666666666666", "张三")
            .kind(RecipientType::B2c)
            .open_bank("招商银行")
            .open_bank_code("0308"),
    );
    let created = client
        .settle_accounts("test_user_003")
        .create(&params)
        .await
        .expect("created");
    assert_eq!(created.id, SA);
    assert_eq!(created.channel, SettleAccountChannel::BankAccount);
    assert_eq!(created.recipient.open_bank_code.as_deref(), Some("0308"));
    let req = transport.last_request().expect("sent");
    assert_eq!(req.method, Method::POST);
    assert_eq!(
        req.request_uri(),
        format!("/v1/apps/{APP}/users/test_user_003/settle_accounts")
    );
    assert_eq!(
        req.json(),
        json!({"channel": "bank_account", "recipient": account(SA)["recipient"]})
    );
    assert_signed(&req, KEY, &public());
}

#[tokio::test]
async fn retrieve_list_and_delete() {
    let (client, transport) = setup();
    let accounts = client.settle_accounts("user 004");
    transport.push_json(200, account(SA).to_string());
    assert_eq!(accounts.retrieve(SA).await.expect("retrieved").id, SA);
    let req = transport.last_request().expect("sent");
    assert_eq!(req.method, Method::GET);
    assert_eq!(
        req.request_uri(),
        format!("/v1/apps/{APP}/users/user%20004/settle_accounts/{SA}")
    );
    assert_signed(&req, KEY, &public());

    transport.push_json(
        200,
        json!({"object": "list", "url": "/v1/x", "has_more": false, "data": [account(SA)]})
            .to_string(),
    );
    let page = accounts
        .list(&ListParams::new().page(1).per_page(2))
        .await
        .expect("listed");
    assert_eq!(page.data.len(), 1);
    assert!(
        transport
            .last_request()
            .expect("sent")
            .request_uri()
            .ends_with("/settle_accounts?page=1&per_page=2")
    );

    transport.push_json(200, json!({"id": SA, "deleted": true}).to_string());
    let deleted = accounts.delete(SA).await.expect("deleted");
    assert!(deleted.deleted);
    assert_eq!(deleted.id, SA);
    let req = transport.last_request().expect("sent");
    assert_eq!(req.method, Method::DELETE);
    assert!(req.body.is_empty());
    assert_signed(&req, KEY, &public());
}

#[tokio::test]
async fn list_all_walks_every_page() {
    let (client, transport) = setup();
    for (ids, more) in [(vec!["1", "2"], true), (vec!["3"], false)] {
        let data: Vec<Value> = ids.iter().map(|id| account(id)).collect();
        transport.push_json(
            200,
            json!({"object": "list", "url": "/v1/x", "has_more": more, "data": data}).to_string(),
        );
    }
    let all: Vec<String> = client
        .settle_accounts("u")
        .list_all(ListParams::new().per_page(2))
        .map(|a| a.expect("account").id)
        .collect()
        .await;
    assert_eq!(all, ["1", "2", "3"]);
    let uris: Vec<String> = transport
        .requests()
        .iter()
        .map(|r| r.request_uri().to_owned())
        .collect();
    assert!(uris[0].ends_with("page=1&per_page=2") && uris[1].ends_with("page=2&per_page=2"));
}

#[tokio::test]
async fn bad_input_is_refused_before_sending() {
    let (client, transport) = setup();
    let e = client
        .settle_accounts("u")
        .create(&CreateSettleAccount::WxPub(WxPubRecipient::new("")))
        .await
        .expect_err("empty open id");
    assert!(matches!(
        e,
        Error::Validation(ValidationError::Empty {
            field: "recipient.account"
        })
    ));
    assert!(client.settle_accounts("").retrieve(SA).await.is_err());
    assert!(client.settle_accounts("u").delete("").await.is_err());
    assert!(
        client
            .settle_accounts("u")
            .list(&ListParams::new().per_page(0))
            .await
            .is_err()
    );
    assert_eq!(transport.requests().len(), 0, "nothing was sent");
}
