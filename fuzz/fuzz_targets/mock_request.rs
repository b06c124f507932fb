//! Sequences of fuzzed HTTP requests → the `pingpp-mock` emulator.
//!
//! `pingpp-mock` has no socket-free entry point, so one emulator is started per process
//! on `127.0.0.1:0` (its own tokio runtime on a background thread) and each request is
//! written over a fresh `TcpStream` with `Connection: close`, with bounded timeouts.
//!
//! The requests are structured (`arbitrary`): methods, path segments, query parameters,
//! `Authorization` headers and JSON bodies come from a vocabulary of the API's own
//! words (resource names, field names, channels, statuses, "the id the previous
//! response returned") mixed with raw fuzzed strings, so that the fuzzer reaches the
//! emulator's business rules rather than stopping at the router. Every input works in
//! its own app (`fuzz{n}`), so inputs do not depend on one another's state.
//!
//! Checked for every request: the emulator answers (no hang, no cut connection), with
//! a status below 500, a JSON body, and for an error the documented
//! `{"error": {"type": .., "message": ..}}` shape. After every request the money
//! invariant holds for every user of the input's app (`Ledger::is_balanced`).
//!
//! A panic in the emulator (on its runtime thread) aborts the process too: libFuzzer's
//! panic hook turns every panic into an abort.
#![no_main]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pingpp_mock::{MockServer, RunningMock};
use serde_json::{Map, Value, json};

/// Throwaway key made for fuzzing only; signs the emulator's (undelivered) webhooks, so
/// no key is generated at start-up.
const TEST_PRIVATE_KEY: &str = include_str!("../test-keys/test_private_key.pem");

/// Longest wait for one answer. The emulator answers in microseconds; this only bounds
/// a hang, generously, for a machine shared with other builds.
const IO_TIMEOUT: Duration = Duration::from_secs(20);

/// At most this many requests per input.
const MAX_REQUESTS: usize = 8;

/// At most this many fuzzed headers per request (hyper refuses more than 100).
const MAX_HEADERS: usize = 16;

/// Users of the vocabulary; the ledger check looks at these.
const USERS: [&str; 3] = ["u1", "u2", "user_with_a_longer_name_0123456789"];

struct Mock {
    running: RunningMock,
    addr: SocketAddr,
}

static MOCK: LazyLock<Mock> = LazyLock::new(|| {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("pingpp-mock".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime");
            rt.block_on(async move {
                let key = pingpp_sign::PrivateKey::from_pem(TEST_PRIVATE_KEY)
                    .expect("the committed test private key loads");
                let running = MockServer::builder()
                    .addr(SocketAddr::from(([127, 0, 0, 1], 0)))
                    .signing_key(key)
                    .time_scale(1000.0)
                    .processing_delay(Duration::from_millis(50))
                    .body_limit(64 * 1024)
                    .start()
                    .await
                    .expect("the emulator starts");
                tx.send(running)
                    .expect("the fuzz thread waits for the emulator");
                std::future::pending::<()>().await;
            });
        })
        .expect("the emulator thread starts");
    let running = rx.recv().expect("the emulator starts");
    let addr = running.addr();
    Mock { running, addr }
});

static INPUT_NO: AtomicU64 = AtomicU64::new(0);

#[derive(Arbitrary, Debug)]
enum Method<'a> {
    Get,
    Post,
    Put,
    Delete,
    Patch,
    Head,
    Other(&'a str),
}

#[derive(Arbitrary, Debug)]
enum Segment<'a> {
    V1,
    Apps,
    /// This input's app.
    App,
    Recharges,
    Refunds,
    Withdrawals,
    BatchWithdrawals,
    Events,
    /// The `id` of the last JSON object answered.
    LastId,
    /// The id of the last recharge created.
    LastRecharge,
    Empty,
    Raw(&'a str),
}

#[derive(Arbitrary, Debug)]
enum Auth<'a> {
    TestKey,
    LiveKey,
    BasicTestKey,
    Raw(&'a str),
    Absent,
}

#[derive(Arbitrary, Debug)]
enum Word<'a> {
    User(u8),
    LastId,
    LastRecharge,
    Channel(u8),
    Status(u8),
    MockOutcome(u8),
    /// A numeric order number, unique within the input.
    OrderNo,
    /// An order number with the given digits (may repeat: duplicate orders).
    FixedOrderNo(u16),
    Text(u8),
    Raw(&'a str),
}

#[derive(Arbitrary, Debug)]
enum Key<'a> {
    User,
    Amount,
    UserFee,
    BalanceBonus,
    Charge,
    Channel,
    OrderNo,
    Subject,
    Body,
    Extra,
    Account,
    Name,
    OpenBankCode,
    OpenBank,
    OpenId,
    Openid,
    AccountType,
    ForceCheck,
    Status,
    Withdrawals,
    Metadata,
    MockOutcome,
    Description,
    SettleAccount,
    FundingSource,
    ClientIp,
    TimeExpire,
    FromUser,
    Raw(&'a str),
}

#[derive(Arbitrary, Debug)]
enum Json<'a> {
    Null,
    Bool(bool),
    /// A plausible amount in fen.
    Amount(u16),
    Int(i64),
    Float(f64),
    Str(Word<'a>),
    Array(Vec<Json<'a>>),
    Object(Vec<(Key<'a>, Json<'a>)>),
}

#[derive(Arbitrary, Debug)]
enum Body<'a> {
    None,
    Json(Json<'a>),
    Raw(&'a [u8]),
}

#[derive(Arbitrary, Debug)]
enum QueryKey<'a> {
    Page,
    PerPage,
    Status,
    Channel,
    User,
    Raw(&'a str),
}

#[derive(Arbitrary, Debug)]
enum QueryValue<'a> {
    Number(u32),
    Word(Word<'a>),
}

#[derive(Arbitrary, Debug)]
struct Request<'a> {
    method: Method<'a>,
    path: Vec<Segment<'a>>,
    query: Vec<(QueryKey<'a>, QueryValue<'a>)>,
    auth: Auth<'a>,
    headers: Vec<(&'a str, &'a str)>,
    body: Body<'a>,
}

/// What one input remembers between its requests.
struct Session {
    app: String,
    last_id: String,
    last_recharge: String,
    orders: u32,
}

fuzz_target!(|requests: Vec<Request<'_>>| {
    let mock = &*MOCK;
    let n = INPUT_NO.fetch_add(1, Ordering::Relaxed);
    let mut session = Session {
        app: format!("fuzz{n}"),
        last_id: "none".to_owned(),
        last_recharge: "none".to_owned(),
        orders: 0,
    };
    for request in requests.iter().take(MAX_REQUESTS) {
        let raw = render(request, &mut session);
        let answer = send(mock.addr, &raw);
        let value = check_answer(&raw, &answer);
        if let Some(id) = value.get("id").and_then(Value::as_str) {
            session.last_id = id.to_owned();
            if value.get("object").and_then(Value::as_str) == Some("recharge") {
                session.last_recharge = id.to_owned();
            }
        }
        for user in USERS {
            if let Some(ledger) = mock.running.ledger(&session.app, user) {
                assert!(
                    ledger.is_balanced(),
                    "ledger of {user} unbalanced after {}: {ledger:?}",
                    String::from_utf8_lossy(&raw)
                );
                assert!(ledger.balance >= 0, "negative balance: {ledger:?}");
            }
        }
    }
});

/// Keeps only the characters allowed in an HTTP token (method, header name).
fn token(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(*c))
        .collect()
}

/// Percent-encodes everything but unreserved characters, so that fuzzed text stays a
/// valid request target (the emulator decodes it again).
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn word(w: &Word<'_>, session: &mut Session) -> String {
    const CHANNELS: [&str; 9] = [
        "unionpay", "alipay", "wx", "wx_pub", "wx_lite", "allinpay", "jdpay", "", "bogus",
    ];
    const STATUSES: [&str; 7] = [
        "pending",
        "canceled",
        "created",
        "succeeded",
        "failed",
        "",
        "PENDING",
    ];
    const OUTCOMES: [&str; 4] = ["failed", "funds_insufficient", "succeeded", "bogus"];
    const TEXTS: [&str; 5] = [
        "fuzz",
        "",
        "余额提现",
        "a string that is longer than sixty characters for the fields that limit it ........",
        "6225880137003000",
    ];
    let pick = |list: &[&str], i: u8| list[usize::from(i) % list.len()].to_owned();
    match w {
        Word::User(i) => pick(&USERS, *i),
        Word::LastId => session.last_id.clone(),
        Word::LastRecharge => session.last_recharge.clone(),
        Word::Channel(i) => pick(&CHANNELS, *i),
        Word::Status(i) => pick(&STATUSES, *i),
        Word::MockOutcome(i) => pick(&OUTCOMES, *i),
        Word::OrderNo => {
            session.orders += 1;
            format!("2026{:08}", session.orders)
        }
        Word::FixedOrderNo(d) => format!("2026{d:08}"),
        Word::Text(i) => pick(&TEXTS, *i),
        Word::Raw(s) => (*s).to_owned(),
    }
}

fn key(k: &Key<'_>) -> String {
    match k {
        Key::User => "user",
        Key::Amount => "amount",
        Key::UserFee => "user_fee",
        Key::BalanceBonus => "balance_bonus",
        Key::Charge => "charge",
        Key::Channel => "channel",
        Key::OrderNo => "order_no",
        Key::Subject => "subject",
        Key::Body => "body",
        Key::Extra => "extra",
        Key::Account => "account",
        Key::Name => "name",
        Key::OpenBankCode => "open_bank_code",
        Key::OpenBank => "open_bank",
        Key::OpenId => "open_id",
        Key::Openid => "openid",
        Key::AccountType => "account_type",
        Key::ForceCheck => "force_check",
        Key::Status => "status",
        Key::Withdrawals => "withdrawals",
        Key::Metadata => "metadata",
        Key::MockOutcome => "mock_outcome",
        Key::Description => "description",
        Key::SettleAccount => "settle_account",
        Key::FundingSource => "funding_source",
        Key::ClientIp => "client_ip",
        Key::TimeExpire => "time_expire",
        Key::FromUser => "from_user",
        Key::Raw(s) => s,
    }
    .to_owned()
}

fn json(j: &Json<'_>, session: &mut Session) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => json!(b),
        Json::Amount(a) => json!(a),
        Json::Int(i) => json!(i),
        // NaN and infinities have no JSON form: null.
        Json::Float(f) => json!(f),
        Json::Str(w) => Value::String(word(w, session)),
        Json::Array(items) => Value::Array(items.iter().map(|i| json(i, session)).collect()),
        Json::Object(pairs) => {
            let mut map = Map::new();
            for (k, v) in pairs {
                let v = json(v, session);
                map.insert(key(k), v);
            }
            Value::Object(map)
        }
    }
}

/// The raw HTTP/1.1 request.
fn render(r: &Request<'_>, session: &mut Session) -> Vec<u8> {
    let method = match &r.method {
        Method::Get => "GET".to_owned(),
        Method::Post => "POST".to_owned(),
        Method::Put => "PUT".to_owned(),
        Method::Delete => "DELETE".to_owned(),
        Method::Patch => "PATCH".to_owned(),
        Method::Head => "HEAD".to_owned(),
        // CONNECT needs an authority-form target: hyper refuses it before the emulator.
        Method::Other(m) => Some(token(m))
            .filter(|m| !m.is_empty() && !m.eq_ignore_ascii_case("connect"))
            .unwrap_or_else(|| "GET".to_owned()),
    };
    let mut target = String::new();
    for segment in &r.path {
        target.push('/');
        let s = match segment {
            Segment::V1 => "v1".to_owned(),
            Segment::Apps => "apps".to_owned(),
            Segment::App => session.app.clone(),
            Segment::Recharges => "recharges".to_owned(),
            Segment::Refunds => "refunds".to_owned(),
            Segment::Withdrawals => "withdrawals".to_owned(),
            Segment::BatchWithdrawals => "batch_withdrawals".to_owned(),
            Segment::Events => "events".to_owned(),
            Segment::LastId => session.last_id.clone(),
            Segment::LastRecharge => session.last_recharge.clone(),
            Segment::Empty => String::new(),
            Segment::Raw(s) => (*s).to_owned(),
        };
        target.push_str(&encode(&s));
    }
    if target.is_empty() {
        target.push('/');
    }
    for (i, (k, v)) in r.query.iter().enumerate() {
        target.push(if i == 0 { '?' } else { '&' });
        let k = match k {
            QueryKey::Page => "page".to_owned(),
            QueryKey::PerPage => "per_page".to_owned(),
            QueryKey::Status => "status".to_owned(),
            QueryKey::Channel => "channel".to_owned(),
            QueryKey::User => "user".to_owned(),
            QueryKey::Raw(s) => (*s).to_owned(),
        };
        let v = match v {
            QueryValue::Number(n) => n.to_string(),
            QueryValue::Word(w) => word(w, session),
        };
        target.push_str(&encode(&k));
        target.push('=');
        target.push_str(&encode(&v));
    }
    let body: Vec<u8> = match &r.body {
        Body::None => Vec::new(),
        Body::Json(j) => serde_json::to_vec(&json(j, session)).unwrap_or_default(),
        Body::Raw(b) => b.to_vec(),
    };

    let mut out = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n").into_bytes();
    let auth = match &r.auth {
        Auth::TestKey => Some("Bearer sk_test_fuzz".to_owned()),
        Auth::LiveKey => Some("Bearer sk_live_fuzz".to_owned()),
        // base64("sk_test_fuzz:")
        Auth::BasicTestKey => Some("Basic c2tfdGVzdF9mdXp6Og==".to_owned()),
        Auth::Raw(s) => Some(header_value(s)),
        Auth::Absent => None,
    };
    if let Some(auth) = auth {
        out.extend_from_slice(format!("Authorization: {auth}\r\n").as_bytes());
    }
    for (name, value) in r.headers.iter().take(MAX_HEADERS) {
        let name = token(name);
        let lower = name.to_ascii_lowercase();
        // Framing headers are ours; a fuzzed one would only test hyper's framing.
        if name.is_empty()
            || [
                "content-length",
                "transfer-encoding",
                "connection",
                "host",
                "upgrade",
                "expect",
            ]
            .contains(&lower.as_str())
        {
            continue;
        }
        out.extend_from_slice(format!("{name}: {}\r\n", header_value(value)).as_bytes());
    }
    out.extend_from_slice(
        format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&body);
    out
}

/// A fuzzed header value without the bytes that would end the header early.
fn header_value(s: &str) -> String {
    s.chars()
        .filter(|c| *c == '\t' || (*c >= ' ' && *c != '\u{7f}'))
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Writes the request and reads the whole answer (the server closes the connection).
fn send(addr: SocketAddr, raw: &[u8]) -> Vec<u8> {
    let mut stream =
        TcpStream::connect_timeout(&addr, IO_TIMEOUT).expect("connect to the emulator");
    stream
        .set_read_timeout(Some(IO_TIMEOUT))
        .expect("set a read timeout");
    stream
        .set_write_timeout(Some(IO_TIMEOUT))
        .expect("set a write timeout");
    stream.write_all(raw).expect("send the request");
    let mut answer = Vec::new();
    if let Err(e) = stream.read_to_end(&mut answer) {
        panic!(
            "no complete answer within {IO_TIMEOUT:?} ({e}) to {}",
            String::from_utf8_lossy(raw)
        );
    }
    answer
}

/// Checks the answer's shape; returns its JSON body.
fn check_answer(raw: &[u8], answer: &[u8]) -> Value {
    let request = String::from_utf8_lossy(raw);
    let text = String::from_utf8_lossy(answer);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        panic!("no answer (connection cut?) to {request}\nanswer: {text:?}");
    };
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {head:?} for {request}"));
    assert!(
        status < 500,
        "server error {status} for {request}\nanswer: {text}"
    );
    if request.starts_with("HEAD ") {
        return Value::Null;
    }
    if !head
        .to_ascii_lowercase()
        .contains("content-type: application/json")
    {
        // Not the emulator's answer: hyper refused the request before routing it. Only
        // a malformed request may get here.
        assert!(
            matches!(status, 400 | 414 | 431),
            "a non-JSON {status} answer for {request}\nanswer: {text}"
        );
        return Value::Null;
    }
    let value: Value = serde_json::from_str(body)
        .unwrap_or_else(|e| panic!("answer body is not JSON ({e}) for {request}\nanswer: {text}"));
    if status >= 400 {
        let error = &value["error"];
        assert!(
            error["type"].is_string() && error["message"].is_string(),
            "error answer without error.type/message for {request}\nanswer: {text}"
        );
    } else {
        assert!(
            value.is_object(),
            "success answer is not an object for {request}\nanswer: {text}"
        );
    }
    value
}
