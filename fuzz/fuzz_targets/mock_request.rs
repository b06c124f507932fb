//! Sequences of fuzzed HTTP requests → the `pingpp-mock` emulator.
//!
//! `pingpp-mock` has no socket-free entry point, so a real
//! emulator is started per input on `127.0.0.1:0` (a tokio runtime with one worker
//! thread), so every input starts from an empty state and reproduces alone, and the
//! input's requests are written over one kept-alive `TcpStream` (a new one after an
//! answer that closes it), with bounded timeouts.
//!
//! An input is up to 8 steps (`arbitrary`), each either
//! * an API call (recharge, refund, withdraw, confirm, cancel, batch, get, list) made
//!   well-formed with fuzzed amounts, users, channels and `mock_outcome`s, its body then
//!   changed by fuzzed tweaks (keys set to fuzzed JSON, or removed), so that the fuzzer
//!   reaches the emulator's money rules; or
//! * a raw request: method, path segments, query, `Authorization`, headers and body
//!   from a vocabulary of the API's own words (resource names, field names, channels,
//!   statuses, "the id the previous response returned") mixed with fuzzed strings.
//!
//! Checked for every request: the emulator answers (no hang, no cut connection), with
//! a status below 500, a JSON body, and for an error the documented
//! `{"error": {"type": .., "message": ..}}` shape. After every request the money
//! invariant holds for every user of the input's app (`Ledger::is_balanced`, no
//! negative balance), and again once pending refunds and withdrawals have finished.
//!
//! A panic in the emulator (on its runtime thread) aborts the process too: libFuzzer's
//! panic hook turns every panic into an abort.
#![no_main]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

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

/// The runtime the emulators run on: one worker thread, driven while the fuzz thread
/// does blocking I/O.
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a tokio runtime")
});

static SIGNING_KEY: LazyLock<pingpp_sign::PrivateKey> = LazyLock::new(|| {
    pingpp_sign::PrivateKey::from_pem(TEST_PRIVATE_KEY)
        .expect("the committed test private key loads")
});

/// A fresh emulator: every input starts from an empty state, so that a crash reproduces
/// from its input alone and memory does not grow over a run.
fn start_mock() -> RunningMock {
    RUNTIME
        .block_on(
            MockServer::builder()
                .addr(SocketAddr::from(([127, 0, 0, 1], 0)))
                .signing_key(SIGNING_KEY.clone())
                .time_scale(1000.0)
                .processing_delay(Duration::ZERO)
                .body_limit(64 * 1024)
                .start(),
        )
        .expect("the emulator starts")
}

/// With `PINGPP_FUZZ_STATS` set, a count of answers per status and route is printed to
/// stderr every 20 000 requests, to see how deep the fuzzer gets.
static STATS: LazyLock<Option<Mutex<BTreeMap<String, u64>>>> =
    LazyLock::new(|| std::env::var_os("PINGPP_FUZZ_STATS").map(|_| Mutex::new(BTreeMap::new())));

fn record(request: &[u8], status: u16, value: &Value) {
    let Some(stats) = STATS.as_ref() else {
        return;
    };
    let line = String::from_utf8_lossy(request);
    let method = line.split(' ').next().unwrap_or_default();
    let object = value.get("object").and_then(Value::as_str).unwrap_or("-");
    let code = value["error"]["code"]
        .as_str()
        .or(value["error"]["param"].as_str())
        .unwrap_or("");
    let mut stats = stats.lock().unwrap_or_else(|e| e.into_inner());
    *stats
        .entry(format!("{status} {method} {object} {code}"))
        .or_default() += 1;
    let total: u64 = stats.values().sum();
    if total.is_multiple_of(20_000) {
        eprintln!("--- {total} requests");
        for (k, v) in stats
            .iter()
            .filter(|(k, v)| !k.starts_with('4') || **v > total / 100)
        {
            eprintln!("{v:>8} {k}");
        }
        let errors: u64 = stats
            .iter()
            .filter(|(k, _)| k.starts_with('4'))
            .map(|(_, v)| v)
            .sum();
        eprintln!(
            "{errors:>8} 4xx in {} kinds",
            stats.keys().filter(|k| k.starts_with('4')).count()
        );
    }
}

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

/// A well-formed API call with fuzzed parameters: these reach the emulator's money
/// rules, which raw requests rarely get past validation to.
#[derive(Arbitrary, Debug)]
enum Op {
    /// Amounts are the fuzzed value + 1 fen and fees at most the amount (tweaks can still
    /// set anything).
    Recharge {
        user: u8,
        amount: u32,
        user_fee: u16,
        bonus: u16,
        channel: u8,
    },
    /// Refund of the last recharge created.
    Refund { outcome: u8 },
    Withdraw {
        user: u8,
        amount: u32,
        user_fee: u16,
        channel: u8,
        outcome: u8,
    },
    /// Confirm the last withdrawal created.
    Confirm,
    /// Cancel the last withdrawal created.
    Cancel,
    /// Confirm or cancel the last `count` withdrawals created, as a batch.
    Batch { count: u8, cancel: bool },
    /// `GET` the last object answered.
    GetLast,
    List {
        kind: u8,
        page: u8,
        per_page: u8,
        status: Option<u8>,
    },
}

/// Changes to an [`Op`]'s body: set a top-level key to a value, or remove it.
#[derive(Arbitrary, Debug)]
struct Tweak<'a> {
    key: Key<'a>,
    value: Option<Json<'a>>,
}

#[derive(Arbitrary, Debug)]
enum Step<'a> {
    Op {
        op: Op,
        live: bool,
        tweaks: Vec<Tweak<'a>>,
    },
    Raw(Request<'a>),
}

/// What one input remembers between its requests.
struct Session {
    app: String,
    last_id: String,
    last_path: String,
    last_recharge: String,
    withdrawals: Vec<String>,
    orders: u32,
}

fuzz_target!(|steps: Vec<Step<'_>>| {
    if steps.is_empty() {
        return;
    }
    let mock = start_mock();
    let mut conn = None;
    let mut session = Session {
        app: "app_fuzz".to_owned(),
        last_id: "none".to_owned(),
        last_path: "/v1/events/none".to_owned(),
        last_recharge: "none".to_owned(),
        withdrawals: Vec::new(),
        orders: 0,
    };
    for step in steps.iter().take(MAX_REQUESTS) {
        let raw = match step {
            Step::Op { op, live, tweaks } => render_op(op, *live, tweaks, &mut session),
            Step::Raw(request) => render(request, &mut session),
        };
        let answer = send(&mut conn, mock.addr(), &raw);
        let (status, value) = check_answer(&raw, &answer);
        record(&raw, status, &value);
        remember(&value, &mut session);
        check_ledgers(&mock, &session.app, &raw);
    }
    close(conn);
    // Let pending refunds and withdrawals finish, then check the books once more.
    let deadline = Instant::now() + IO_TIMEOUT;
    while !mock.is_idle() {
        assert!(Instant::now() < deadline, "background work never finished");
        std::thread::sleep(Duration::from_micros(100));
    }
    check_ledgers(&mock, &session.app, b"the end of the input");
    RUNTIME.block_on(mock.shutdown());
});

fn check_ledgers(mock: &RunningMock, app: &str, after: &[u8]) {
    for user in USERS {
        if let Some(ledger) = mock.ledger(app, user) {
            assert!(
                ledger.is_balanced(),
                "ledger of {user} unbalanced after {}: {ledger:?}",
                String::from_utf8_lossy(after)
            );
            assert!(ledger.balance >= 0, "negative balance: {ledger:?}");
            assert!(ledger.in_flight >= 0, "negative in-flight sum: {ledger:?}");
        }
    }
}

/// Remembers the ids an answer carries, for later steps to refer to.
fn remember(value: &Value, session: &mut Session) {
    let Some(id) = value.get("id").and_then(Value::as_str) else {
        return;
    };
    session.last_id = id.to_owned();
    let app = &session.app;
    match value.get("object").and_then(Value::as_str) {
        Some("recharge") => {
            session.last_recharge = id.to_owned();
            session.last_path = format!("/v1/apps/{app}/recharges/{}", encode(id));
        }
        Some("withdrawal") => {
            session.withdrawals.push(id.to_owned());
            session.last_path = format!("/v1/apps/{app}/withdrawals/{}", encode(id));
        }
        Some("batch_withdrawal") => {
            session.last_path = format!("/v1/apps/{app}/batch_withdrawals/{}", encode(id));
        }
        Some("refund") => {
            session.last_path = format!(
                "/v1/apps/{app}/recharges/{}/refunds/{}",
                encode(&session.last_recharge),
                encode(id)
            );
        }
        Some("event") => session.last_path = format!("/v1/events/{}", encode(id)),
        _ => {}
    }
}

/// A well-formed request for `op`, with `tweaks` applied to its body.
fn render_op(op: &Op, live: bool, tweaks: &[Tweak<'_>], session: &mut Session) -> Vec<u8> {
    const CHANNELS: [&str; 7] = [
        "unionpay", "alipay", "wx", "wx_pub", "wx_lite", "allinpay", "jdpay",
    ];
    const OUTCOMES: [Option<&str>; 4] = [
        None,
        Some("failed"),
        Some("funds_insufficient"),
        Some("succeeded"),
    ];
    const RECHARGE_CHANNELS: [&str; 3] = ["alipay", "wx", "upacp"];
    let pick_user = |i: u8| USERS[usize::from(i) % USERS.len()];
    session.orders += 1;
    let order = session.orders;
    let app = session.app.clone();
    let (method, path, body) = match op {
        Op::Recharge {
            user,
            amount,
            user_fee,
            bonus,
            channel,
        } => {
            let mut body = json!({
                "user": pick_user(*user),
                "charge": {
                    "amount": i64::from(*amount) + 1,
                    "channel": RECHARGE_CHANNELS[usize::from(*channel) % RECHARGE_CHANNELS.len()],
                    "order_no": format!("2026{order:08}"),
                    "subject": "fuzz",
                    "body": "fuzz recharge",
                },
            });
            // `balance_bonus` is {"amount": N} and never goes with `user_fee`.
            if *bonus > 0 {
                body["balance_bonus"] = json!({"amount": bonus});
            } else {
                body["user_fee"] = json!(i64::from(*user_fee) % (i64::from(*amount) + 1));
            }
            ("POST", format!("/v1/apps/{app}/recharges"), Some(body))
        }
        Op::Refund { outcome } => {
            let mut body = json!({"description": "fuzz refund"});
            if let Some(o) = OUTCOMES[usize::from(*outcome) % OUTCOMES.len()] {
                body["metadata"] = json!({"mock_outcome": o});
            }
            (
                "POST",
                format!(
                    "/v1/apps/{app}/recharges/{}/refunds",
                    encode(&session.last_recharge)
                ),
                Some(body),
            )
        }
        Op::Withdraw {
            user,
            amount,
            user_fee,
            channel,
            outcome,
        } => {
            let channel = CHANNELS[usize::from(*channel) % CHANNELS.len()];
            let extra = match channel {
                "unionpay" => {
                    json!({"account": "6225880137003000", "name": "张三", "open_bank_code": "0308"})
                }
                "alipay" => json!({"account": "fuzz@example.com", "name": "张三"}),
                "allinpay" | "jdpay" => {
                    json!({"account": "6225880137003000", "name": "张三", "open_bank_code": "0308"})
                }
                _ => json!({"open_id": "o9zpMs9jIaLynQY9N6yxcZ"}),
            };
            let order_no = if channel == "allinpay" {
                format!("1234567890{order:010}")
            } else {
                format!("2026{order:08}")
            };
            let mut body = json!({
                "user": pick_user(*user),
                "amount": i64::from(*amount) + 1,
                "user_fee": i64::from(*user_fee) % (i64::from(*amount) + 2),
                "channel": channel,
                "order_no": order_no,
                "extra": extra,
            });
            if let Some(o) = OUTCOMES[usize::from(*outcome) % OUTCOMES.len()] {
                body["metadata"] = json!({"mock_outcome": o});
            }
            ("POST", format!("/v1/apps/{app}/withdrawals"), Some(body))
        }
        Op::Confirm | Op::Cancel => {
            let id = session.withdrawals.last().map_or("none", String::as_str);
            let status = if matches!(op, Op::Cancel) {
                "canceled"
            } else {
                "pending"
            };
            (
                "PUT",
                format!("/v1/apps/{app}/withdrawals/{}", encode(id)),
                Some(json!({"status": status})),
            )
        }
        Op::Batch { count, cancel } => {
            let n = session.withdrawals.len();
            let ids = &session.withdrawals[n.saturating_sub(usize::from(*count))..];
            let mut body = json!({"withdrawals": ids});
            if *cancel {
                body["status"] = json!("canceled");
            }
            (
                "POST",
                format!("/v1/apps/{app}/batch_withdrawals"),
                Some(body),
            )
        }
        Op::GetLast => ("GET", session.last_path.clone(), None),
        Op::List {
            kind,
            page,
            per_page,
            status,
        } => {
            let resource =
                ["recharges", "withdrawals", "batch_withdrawals"][usize::from(*kind) % 3];
            let mut path = format!(
                "/v1/apps/{app}/{resource}?page={}&per_page={}",
                u16::from(*page) % 5 + 1,
                u16::from(*per_page) % 101 + 1
            );
            if let Some(s) = status {
                let statuses = ["created", "pending", "succeeded", "failed", "canceled"];
                path.push_str("&status=");
                path.push_str(statuses[usize::from(*s) % statuses.len()]);
            }
            ("GET", path, None)
        }
    };
    let body = body.map(|mut body| {
        for tweak in tweaks {
            if let Some(map) = body.as_object_mut() {
                match &tweak.value {
                    Some(v) => {
                        let v = json(v, session);
                        map.insert(key(&tweak.key), v);
                    }
                    None => {
                        map.remove(&key(&tweak.key));
                    }
                }
            }
        }
        serde_json::to_vec(&body).unwrap_or_default()
    });
    let key = if live { "sk_live_fuzz" } else { "sk_test_fuzz" };
    let mut out =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n")
            .into_bytes();
    if let Some(body) = body {
        out.extend_from_slice(
            format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(&body);
    } else {
        out.extend_from_slice(b"\r\n");
    }
    out
}

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
            "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
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

fn connect(addr: SocketAddr) -> BufReader<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT).expect("connect to the emulator");
    stream
        .set_read_timeout(Some(IO_TIMEOUT))
        .expect("set a read timeout");
    stream
        .set_write_timeout(Some(IO_TIMEOUT))
        .expect("set a write timeout");
    stream.set_nodelay(true).expect("set TCP_NODELAY");
    BufReader::new(stream)
}

/// Closes a connection with a reset rather than a FIN, so that no socket lingers in
/// TIME_WAIT: hundreds of connections a second would soon use up the local ports.
fn close(conn: Option<BufReader<TcpStream>>) {
    if let Some(conn) = conn {
        let stream = conn.into_inner();
        let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
    }
}

/// Writes the request on the input's connection (opened on first use, and again after
/// an answer that closes it) and reads one whole answer (head and body).
fn send(slot: &mut Option<BufReader<TcpStream>>, addr: SocketAddr, raw: &[u8]) -> Vec<u8> {
    let mut conn = slot.take().unwrap_or_else(|| connect(addr));
    match exchange(&mut conn, raw, raw.starts_with(b"HEAD ")) {
        Ok((answer, keep)) => {
            if keep {
                *slot = Some(conn);
            } else {
                close(Some(conn));
            }
            answer
        }
        Err(e) => no_answer(raw, &e),
    }
}

fn no_answer(raw: &[u8], e: &std::io::Error) -> ! {
    panic!(
        "no complete answer within {IO_TIMEOUT:?} ({e}) to {}",
        String::from_utf8_lossy(raw)
    )
}

/// One request and its answer; also says whether the connection can be used again.
fn exchange(
    conn: &mut BufReader<TcpStream>,
    raw: &[u8],
    head_request: bool,
) -> std::io::Result<(Vec<u8>, bool)> {
    conn.get_mut().write_all(raw)?;
    let mut answer = Vec::new();
    let mut content_length = None;
    let mut keep = true;
    let mut json = false;
    loop {
        let mut line = Vec::new();
        if conn.read_until(b'\n', &mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        answer.extend_from_slice(&line);
        let text = String::from_utf8_lossy(&line).to_ascii_lowercase();
        if text == "\r\n" {
            break;
        }
        if let Some(v) = text.strip_prefix("content-length:") {
            content_length = v.trim().parse::<usize>().ok();
        }
        if text.starts_with("connection:") && text.contains("close") {
            keep = false;
        }
        if text.starts_with("content-type:") && text.contains("application/json") {
            json = true;
        }
    }
    // Not the emulator's answer (hyper refused the request): start afresh.
    if !json {
        keep = false;
    }
    match content_length {
        _ if head_request => {}
        Some(n) => {
            let mut body = vec![0; n];
            conn.read_exact(&mut body)?;
            answer.extend_from_slice(&body);
        }
        None => {
            conn.read_to_end(&mut answer)?;
            keep = false;
        }
    }
    Ok((answer, keep))
}

/// Checks the answer's shape; returns its status and JSON body.
fn check_answer(raw: &[u8], answer: &[u8]) -> (u16, Value) {
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
        return (status, Value::Null);
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
        return (status, Value::Null);
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
    (status, value)
}
