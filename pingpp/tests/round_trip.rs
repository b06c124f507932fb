//! Withdrawal and refund round trips over the default hyper transport, against a small
//! Ping++-like server on 127.0.0.1 that checks the API key and the request signature.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use pingpp::prelude::*;
use pingpp::transport::test_util::InstantSleep;
use pingpp::{
    ChannelExtra, CreateRechargeRefund, CreateWithdrawal, PublicKey, RefundStatus,
    WithdrawalStatus, WxExtra,
};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

const KEY: &str = "sk_test_ibbTe5jLGCi5rzfH4OqPW9KC";
const APP: &str = "app_1Gqj58ynP0mHeX1q";

static KEYPAIR: LazyLock<pingpp::sign::KeyPair> =
    LazyLock::new(|| pingpp::sign::generate_keypair().expect("key generation"));

#[derive(Default)]
struct ServerState {
    withdrawals: HashMap<String, Value>,
    refunds: HashMap<String, Value>,
    requests: usize,
}

fn error(status: u16, kind: &str, message: &str) -> (u16, Value) {
    (status, json!({"error": {"type": kind, "message": message}}))
}

/// Checks the key and signature, then routes like the account-system API.
fn handle(
    state: &Mutex<ServerState>,
    public_key: &PublicKey,
    method: &str,
    uri: &str,
    headers: &http::HeaderMap,
    body: &[u8],
) -> (u16, Value) {
    let mut st = state.lock().unwrap();
    st.requests += 1;
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&*format!("Bearer {KEY}"))
    {
        return error(401, "invalid_request_error", "bad key");
    }
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    let (Some(ts), Some(sig)) = (
        header("pingplusplus-request-timestamp").and_then(|t| t.parse::<i64>().ok()),
        header("pingplusplus-signature"),
    ) else {
        return error(401, "invalid_request_error", "unsigned");
    };
    if public_key.verify_request(body, uri, ts, sig).is_err() {
        return error(401, "invalid_request_error", "签名验证失败");
    }
    let json_body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let base = format!("/v1/apps/{APP}/");
    let Some(rest) = uri.strip_prefix(&base) else {
        return error(404, "invalid_request_error", "no such app");
    };
    let segments: Vec<&str> = rest.split('/').collect();
    match (method, segments.as_slice()) {
        ("POST", ["withdrawals"]) => {
            let id = format!("170161115030236{:04}", st.withdrawals.len());
            let w = json!({
                "id": id, "object": "withdrawal", "app": APP,
                "amount": json_body["amount"], "user": json_body["user"],
                "order_no": json_body["order_no"], "channel": json_body["channel"],
                "extra": json_body["extra"], "created": 1_700_000_000, "status": "created",
                "livemode": false, "metadata": {}
            });
            st.withdrawals.insert(id, w.clone());
            (200, w)
        }
        ("PUT", ["withdrawals", id]) => match st.withdrawals.get_mut(*id) {
            Some(w) => {
                w["status"] = json_body["status"].clone();
                (200, w.clone())
            }
            None => error(404, "invalid_request_error", "no such withdrawal"),
        },
        ("GET", ["withdrawals", id]) => match st.withdrawals.get(*id) {
            Some(w) => (200, w.clone()),
            None => error(404, "invalid_request_error", "no such withdrawal"),
        },
        ("POST", ["recharges", recharge, "refunds"]) => {
            let id = format!("re_{}", st.refunds.len() + 1);
            let r = json!({
                "id": id, "object": "refund", "amount": 10000, "created": 1_700_000_000,
                "succeed": true, "status": "succeeded", "charge": recharge,
                "description": json_body["description"], "metadata": {}, "extra": {}
            });
            st.refunds.insert(id, r.clone());
            (200, r)
        }
        ("GET", ["recharges", _, "refunds", id]) => match st.refunds.get(*id) {
            Some(r) => (200, r.clone()),
            None => error(404, "invalid_request_error", "no such refund"),
        },
        _ => error(404, "invalid_request_error", "no such route"),
    }
}

async fn start_server() -> (String, Arc<Mutex<ServerState>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(Mutex::new(ServerState::default()));
    let public_key = PublicKey::from_pem(KEYPAIR.public_pem()).unwrap();
    let st = state.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let st = st.clone();
            let pk = public_key.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: hyper::Request<Incoming>| {
                    let st = st.clone();
                    let pk = pk.clone();
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = body
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        let uri = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                        let (status, json) =
                            handle(&st, &pk, parts.method.as_str(), uri, &parts.headers, &body);
                        let mut resp =
                            hyper::Response::new(Full::new(Bytes::from(json.to_string())));
                        *resp.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
                        Ok::<_, Infallible>(resp)
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (base, state)
}

fn client(base: &str, key: pingpp::PrivateKey) -> Client {
    Client::builder()
        .api_key(KEY)
        .app_id(APP)
        .private_key(key)
        .base_url(base)
        .sleep(Arc::new(InstantSleep::new()))
        .build()
        .unwrap()
}

fn wx_withdrawal() -> CreateWithdrawal {
    CreateWithdrawal::new(
        "user_001",
        5_000,
        "W2026113000001",
        ChannelExtra::Wx(WxExtra::new("o9zpMs9jIaLynQY9N6yxcZ")),
    )
}

#[tokio::test]
async fn withdrawal_round_trip() {
    let (base, state) = start_server().await;
    let client = client(&base, KEYPAIR.private_key().unwrap());

    let created = client.withdrawals().create(&wx_withdrawal()).await.unwrap();
    assert_eq!(created.status, WithdrawalStatus::Created);
    assert_eq!(created.amount, 5_000);
    assert_eq!(created.order_no.as_deref(), Some("W2026113000001"));

    let confirmed = client.withdrawals().confirm(&created.id).await.unwrap();
    assert_eq!(confirmed.status, WithdrawalStatus::Pending);
    let fetched = client.withdrawals().retrieve(&created.id).await.unwrap();
    assert_eq!(fetched.status, WithdrawalStatus::Pending);

    let second = client.withdrawals().create(&wx_withdrawal()).await.unwrap();
    let canceled = client.withdrawals().cancel(&second.id).await.unwrap();
    assert_eq!(canceled.status, WithdrawalStatus::Canceled);

    let err = client.withdrawals().retrieve("nope").await.unwrap_err();
    assert!(err.as_api().unwrap().is_not_found(), "{err:?}");
    assert_eq!(state.lock().unwrap().requests, 6);
}

#[tokio::test]
async fn refund_round_trip() {
    let (base, _state) = start_server().await;
    let client = client(&base, KEYPAIR.private_key().unwrap());
    let refund = client
        .recharge_refunds()
        .create(
            "220161130175010015520701",
            &CreateRechargeRefund::new("用户申请退款"),
        )
        .await
        .unwrap();
    assert_eq!(refund.status, RefundStatus::Succeeded);
    assert_eq!(refund.description.as_deref(), Some("用户申请退款"));
    let again = client
        .recharge_refunds()
        .retrieve("220161130175010015520701", &refund.id)
        .await
        .unwrap();
    assert_eq!(again, refund);
}

#[tokio::test]
async fn a_wrongly_signed_request_is_an_authentication_error() {
    let (base, _state) = start_server().await;
    let other = pingpp::sign::generate_keypair().unwrap();
    let client = client(&base, other.private_key().unwrap());
    let err = client
        .withdrawals()
        .create(&wx_withdrawal())
        .await
        .unwrap_err();
    let api = err.as_api().expect("API error");
    assert!(api.is_authentication());
    assert_eq!(api.message, "签名验证失败");
}

#[tokio::test]
async fn a_withdrawal_whose_connection_drops_is_not_retried() {
    // Reads the request, then closes the connection without answering.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 8192];
            let _ = stream.read(&mut buf).await;
        }
    });
    let client = client(&base, KEYPAIR.private_key().unwrap());
    let err = client
        .withdrawals()
        .create(&wx_withdrawal())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(err.may_have_been_sent(), "the withdrawal may exist");
    assert_eq!(connections.load(Ordering::SeqCst), 1, "not retried");
}
