//! Shared helpers: a plain hyper client and a scripted webhook receiver.
#![allow(dead_code, missing_docs)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

pub const KEY: &str = "sk_test_ibbTe5jLGCi5rzfH4OqPW9KC";
pub const APP: &str = "app_1Gqj58ynP0mHeX1q";

/// One RSA key pair per test binary.
pub static MERCHANT: LazyLock<pingpp_sign::KeyPair> =
    LazyLock::new(|| pingpp_sign::generate_keypair().expect("keygen"));

/// How a request is signed.
#[derive(Clone, Copy)]
pub enum Sig {
    None,
    Good,
    /// Signs the body only (the classic user mistake).
    BodyOnly,
    /// A valid signature, with this timestamp offset from now.
    Skewed(i64),
}

pub struct Resp {
    pub status: u16,
    pub json: Value,
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

/// Sends one request on a fresh connection; `Err` when the connection was cut.
pub async fn raw(
    addr: SocketAddr,
    method: &str,
    uri: &str,
    auth: Option<&str>,
    body: Option<Vec<u8>>,
    sig: Sig,
) -> Result<Resp, String> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let body = body.unwrap_or_default();
    let mut req = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("host", addr.to_string())
        .header("content-type", "application/json; charset=UTF-8");
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let signed_body: &[u8] = if method == "POST" || method == "PUT" {
        &body
    } else {
        &[]
    };
    let key = MERCHANT.private_key().expect("private key");
    match sig {
        Sig::None => {}
        Sig::Good | Sig::Skewed(_) => {
            let ts = now() + if let Sig::Skewed(d) = sig { d } else { 0 };
            let s = key.sign_request(signed_body, uri, ts).expect("sign");
            req = req
                .header("Pingplusplus-Request-Timestamp", ts.to_string())
                .header("Pingplusplus-Signature", s);
        }
        Sig::BodyOnly => {
            let ts = now();
            let s = key.sign(signed_body).expect("sign");
            req = req
                .header("Pingplusplus-Request-Timestamp", ts.to_string())
                .header("Pingplusplus-Signature", s);
        }
    }
    let req = req
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Ok(Resp { status, json })
}

/// Bearer-authenticated JSON call that must get an answer.
pub async fn call(addr: SocketAddr, method: &str, uri: &str, body: Option<Value>) -> Resp {
    call_sig(addr, method, uri, body, Sig::None).await
}

pub async fn call_sig(
    addr: SocketAddr,
    method: &str,
    uri: &str,
    body: Option<Value>,
    sig: Sig,
) -> Resp {
    let auth = format!("Bearer {KEY}");
    raw(
        addr,
        method,
        uri,
        Some(&auth),
        body.map(|b| serde_json::to_vec(&b).expect("json")),
        sig,
    )
    .await
    .expect("an answer")
}

pub fn app_path(rest: &str) -> String {
    format!("/v1/apps/{APP}/{rest}")
}

pub fn recharge_body(user: &str, amount: i64, order_no: &str) -> Value {
    json!({
        "user": user,
        "charge": {
            "amount": amount, "channel": "alipay", "order_no": order_no,
            "subject": "recharge", "body": "balance recharge"
        },
        "description": "test recharge"
    })
}

/// Recharges `user` with `amount` and returns the recharge id.
pub async fn recharge(addr: SocketAddr, user: &str, amount: i64, order_no: &str) -> String {
    let r = call(
        addr,
        "POST",
        &app_path("recharges"),
        Some(recharge_body(user, amount, order_no)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    r.json["id"].as_str().expect("id").to_owned()
}

/// A valid withdrawal body for each of the seven channels.
pub fn withdrawal_body(channel: &str, user: &str, amount: i64, n: u32) -> Value {
    let (extra, order_no) = match channel {
        "unionpay" => (
            json!({"account": "6214850266666666", "name": "张三", "open_bank_code": "0308"}),
            format!("{:016}", 1000 + n),
        ),
        "alipay" => (
            json!({"account": "test@example.com", "name": "张三", "account_type": "ALIPAY_LOGONID"}),
            format!("ali{n}"),
        ),
        "wx" => (json!({"open_id": "oWx123"}), format!("wx{n}")),
        "wx_pub" => (
            json!({"openid": "oPub123", "name": "张三", "force_check": true}),
            format!("wxpub{n}"),
        ),
        "wx_lite" => (json!({"open_id": "oLite123"}), format!("wxlite{n}")),
        "allinpay" => (
            json!({"account": "6214850266666666", "name": "张三", "open_bank_code": "0308", "card_type": 0}),
            format!("1234567890serial{n:06}"),
        ),
        "jdpay" => (
            json!({"account": "6214850266666666", "name": "张三", "open_bank_code": "0308"}),
            format!("jd{n}"),
        ),
        other => panic!("unknown channel {other}"),
    };
    json!({
        "user": user, "amount": amount, "user_fee": 0, "order_no": order_no,
        "channel": channel, "extra": extra, "description": "withdraw"
    })
}

pub const CHANNELS: [&str; 7] = [
    "unionpay", "alipay", "wx", "wx_pub", "wx_lite", "allinpay", "jdpay",
];

/// A delivery the receiver accepted: signature header and raw body.
pub type Delivery = (Option<String>, Bytes);

/// A webhook receiver answering `fail_first` deliveries with 500, then 200.
pub struct Receiver {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Delivery>>>,
    pub hits: Arc<AtomicUsize>,
}

impl Receiver {
    pub async fn start(fail_first: usize) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let received = Arc::new(Mutex::new(Vec::new()));
        let hits = Arc::new(AtomicUsize::new(0));
        let (r, h) = (Arc::clone(&received), Arc::clone(&hits));
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (r, h) = (Arc::clone(&r), Arc::clone(&h));
                tokio::spawn(async move {
                    let svc = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                        let (r, h) = (Arc::clone(&r), Arc::clone(&h));
                        async move {
                            let sig = req
                                .headers()
                                .get("x-pingplusplus-signature")
                                .and_then(|v| v.to_str().ok())
                                .map(str::to_owned);
                            let body = req.into_body().collect().await?.to_bytes();
                            let n = h.fetch_add(1, Ordering::SeqCst);
                            let status = if n < fail_first { 500 } else { 200 };
                            if status == 200 {
                                r.lock().expect("lock").push((sig, body));
                            }
                            let mut resp =
                                hyper::Response::new(Full::new(Bytes::from_static(b"ok")));
                            *resp.status_mut() =
                                http::StatusCode::from_u16(status).expect("status");
                            Ok::<_, hyper::Error>(resp)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Self {
            addr,
            received,
            hits,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/webhooks", self.addr)
    }
}

/// An emulator on 127.0.0.1 with the test webhook key, every delay divided by 1000.
pub async fn mock() -> pingpp_mock::RunningMock {
    pingpp_mock::MockServer::builder()
        .signing_key(MERCHANT.private_key().expect("key"))
        .time_scale(1000.0)
        .start()
        .await
        .expect("start")
}

/// Polls `f` until it is true, at most 10 s.
pub async fn eventually(mut f: impl FnMut() -> bool) {
    for _ in 0..2000 {
        if f() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("condition not reached within 10 s");
}
