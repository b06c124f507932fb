//! `pingpp webhook trigger`: a signed test event POSTed to a handler under development,
//! the way Ping++ delivers webhooks (pingpp-protocol.md §4), without the emulator.
//!
//! * Samples follow the shapes of the Ping++ documents (the `refund.succeeded` and
//!   `balance.withdrawal.*` samples in the recharge-refund and withdrawal guides, the
//!   recharge fields of pingpp-protocol.md §5.4), with fresh ids, the current time and
//!   `livemode: false`.
//! * `--data FILE` holding an event (`"object": "event"`) is sent byte for byte, so a
//!   captured delivery can be replayed; any other JSON object becomes `data.object` of
//!   a fresh event.
//! * The body is signed like Ping++ signs it: RSA-SHA256 over the raw bytes, base64, in
//!   `X-Pingplusplus-Signature`.
//! * `--retry` follows Ping++'s schedule ([`pingpp_mock::WEBHOOK_RETRY_SCHEDULE`]: 5 s,
//!   10 s, 2 min, ... 15 h), divided by `--time-scale`, until a 2xx answer.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use clap::Args;
use pingpp_sign::PrivateKey;
use pingpp_transport::{HyperTransport, Transport as _, TransportErrorKind};
use pingpp_types::event_type::{
    RECHARGE_SUCCEEDED, REFUND_SUCCEEDED, WITHDRAWAL_FAILED, WITHDRAWAL_SUCCEEDED,
};
use pingpp_types::{CreateRechargeCharge, EventData};
use rand::Rng as _;
use serde_json::{Value, json};

use crate::args::{Secret, secret, time_scale};
use crate::exit::{self, CliError};
use crate::output::Format;
use crate::{BoxError, files, read_pem};

/// The event types with a built-in sample.
const SAMPLE_TYPES: [&str; 4] = [
    RECHARGE_SUCCEEDED,
    REFUND_SUCCEEDED,
    WITHDRAWAL_SUCCEEDED,
    WITHDRAWAL_FAILED,
];

/// How much of a receiver's answer is shown.
const ANSWER_EXCERPT_CHARS: usize = 200;

/// `pingpp webhook trigger`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  pingpp keygen --out-dir keys
  pingpp webhook trigger refund.succeeded --to http://127.0.0.1:8080/webhooks \\
      --signing-key keys/rsa_private_key.pem      # your handler trusts keys/rsa_public_key.pem
  pingpp webhook trigger balance.withdrawal.failed --to http://127.0.0.1:8080/webhooks \\
      --public-key-out pingpp_public.pem --retry --time-scale 100
  pingpp webhook trigger charge.succeeded --to http://127.0.0.1:8080/webhooks --data charge.json

Exit status: 0 the handler answered 2xx; 1 it answered, never with 2xx; 2 usage; 4 it
could not be reached (connection refused, every attempt), or a key or file cannot be read.
With --json, progress goes to stderr and stdout carries one object: {\"event\", \"to\",
\"accepted\", \"attempts\": [{\"attempt\", \"status\", \"answer\"} or {\"attempt\", \"error\"}],
\"public_key\" or \"public_key_file\" (when generated)}.")]
pub(crate) struct TriggerArgs {
    /// Event type: recharge.succeeded, refund.succeeded, balance.withdrawal.succeeded,
    /// balance.withdrawal.failed (built-in samples), or any other type with --data.
    #[arg(value_name = "TYPE", value_parser = event_type)]
    event_type: String,
    /// Your handler's URL, http:// or https://.
    #[arg(long, value_name = "URL", value_parser = receiver_url)]
    to: http::Uri,
    /// Sign with this private key (PEM file or text); your handler verifies with its
    /// public half. Without it, a fresh key pair is made and its public half printed (or
    /// written with --public-key-out).
    #[arg(long, value_name = "PEM", allow_hyphen_values = true, value_parser = secret)]
    signing_key: Option<Secret>,
    /// Write the generated public key to this file instead of printing it (never
    /// replaces a file without --force).
    #[arg(long, value_name = "FILE", conflicts_with = "signing_key")]
    public_key_out: Option<PathBuf>,
    /// Replace an existing --public-key-out file.
    #[arg(long, requires = "public_key_out")]
    force: bool,
    /// A JSON file: a whole event ("object": "event"; sent byte for byte, its type must be
    /// TYPE) or the data.object to wrap in a fresh event.
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// Send again until a 2xx answer, on Ping++'s schedule: after 5 s, 10 s, 2 min, 5 min,
    /// 10 min, 30 min, 1 h, 2 h, 6 h and 15 h (11 attempts in all).
    #[arg(long)]
    retry: bool,
    /// Divide the retry delays by this factor (1000 turns 5 s into 5 ms).
    #[arg(long, default_value_t = 1.0, value_parser = time_scale, requires = "retry")]
    time_scale: f64,
    /// Seconds to wait for each answer.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
}

/// An event type: a non-empty word without spaces or control characters.
fn event_type(value: &str) -> Result<String, String> {
    if value.is_empty() || !value.chars().all(|c| c.is_ascii_graphic()) {
        return Err("an event type is a word like refund.succeeded".to_owned());
    }
    Ok(value.to_owned())
}

/// The receiver's URL: http or https, with a host.
fn receiver_url(value: &str) -> Result<http::Uri, String> {
    let uri: http::Uri = value
        .trim()
        .parse()
        .map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return Err("the URL must start with http:// or https://".to_owned());
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err("the URL has no host".to_owned());
    }
    Ok(uri)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `prefix` followed by `n` random letters and digits, like Ping++'s `evt_`, `re_`, `ch_` ids.
fn alnum_id(prefix: &str, n: usize) -> String {
    let tail: String = rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(n)
        .map(char::from)
        .collect();
    format!("{prefix}{tail}")
}

/// `prefix` followed by random digits up to `len` characters, like Ping++'s numeric ids
/// (recharges `2211708...`, withdrawals `1711111...`).
fn numeric_id(prefix: &str, len: usize) -> String {
    let mut rng = rand::thread_rng();
    let mut id = prefix.to_owned();
    while id.len() < len {
        id.push(char::from(b'0' + rng.gen_range(0..10u8)));
    }
    id
}

/// Shared values of one sample, so the objects in it agree with each other.
struct Sample {
    now: i64,
    app: String,
    user: &'static str,
}

impl Sample {
    fn new(now: i64) -> Self {
        Sample {
            now,
            app: alnum_id("app_", 16),
            user: "user_001",
        }
    }

    /// A paid charge, as embedded in a recharge (the emulator's shape).
    fn charge(&self, amount: i64) -> Value {
        let params = CreateRechargeCharge::new(
            amount,
            "alipay",
            numeric_id("2017", 16),
            "Balance recharge",
            "Balance recharge",
        )
        .time_expire(self.now + 86_400);
        pingpp_mock::paid_charge(
            &params,
            &self.app,
            false,
            self.now - 1,
            &numeric_id("2017", 28),
        )
    }

    /// `recharge.succeeded`: a recharge (pingpp-protocol.md §5.4), its charge paid.
    fn recharge(&self) -> Value {
        let amount = 10_000;
        json!({
            "id": numeric_id("221", 24),
            "object": "recharge",
            "app": self.app,
            "created": self.now - 3,
            "livemode": false,
            "amount": amount,
            "succeeded": true,
            "time_succeeded": self.now,
            "refunded": false,
            "user": self.user,
            "from_user": self.user,
            "user_fee": 0,
            "charge": self.charge(amount),
            "balance_bonus": {"amount": 0},
            "balance_transaction": numeric_id("6011", 19),
            "description": "Balance recharge",
            "metadata": {},
        })
    }

    /// `refund.succeeded`: the refund of a recharge (the recharge-refund guide's sample).
    fn refund(&self) -> Value {
        let order_no = alnum_id("", 24);
        json!({
            "id": format!("re_{order_no}"),
            "object": "refund",
            "order_no": order_no,
            "amount": 10_000,
            "created": self.now - 2,
            "succeed": true,
            "status": "succeeded",
            "time_succeed": self.now,
            "description": "Recharge refund",
            "failure_code": null,
            "failure_msg": null,
            "metadata": {},
            "charge": alnum_id("ch_", 24),
            "charge_order_no": numeric_id("2017", 16),
            "transaction_no": numeric_id("2017", 28),
            "extra": {},
        })
    }

    /// `balance.withdrawal.*`: a wx_pub withdrawal (the withdrawal guide's samples).
    fn withdrawal(&self, succeeded: bool) -> Value {
        json!({
            "id": numeric_id("1711", 19),
            "object": "withdrawal",
            "app": self.app,
            "amount": 1_000,
            "asset_transaction": null,
            "balance_transaction": if succeeded { json!(numeric_id("6011", 19)) } else { Value::Null },
            "channel": "wx_pub",
            "created": self.now - 5,
            "description": "Balance withdrawal",
            "extra": {"open_id": alnum_id("o", 27)},
            "failure_msg": if succeeded { Value::Null } else { json!("收款账户信息有误") },
            "fee": 0,
            "livemode": false,
            "metadata": {},
            "operation_url": null,
            "order_no": numeric_id("2017", 16),
            "source": alnum_id("tr_", 24),
            "status": if succeeded { "succeeded" } else { "failed" },
            "time_canceled": null,
            "time_succeeded": if succeeded { json!(self.now) } else { Value::Null },
            "user": self.user,
            "user_fee": 0,
            "settle_account": null,
        })
    }

    /// The built-in `data.object` of `event_type`, if there is one.
    fn object(&self, event_type: &str) -> Option<Value> {
        match event_type {
            RECHARGE_SUCCEEDED => Some(self.recharge()),
            REFUND_SUCCEEDED => Some(self.refund()),
            WITHDRAWAL_SUCCEEDED => Some(self.withdrawal(true)),
            WITHDRAWAL_FAILED => Some(self.withdrawal(false)),
            _ => None,
        }
    }

    /// An event around `object` (pingpp-protocol.md §5.3); withdrawal events carry
    /// `scope` and `acct_id` as in the withdrawal guide's samples.
    fn event(&self, event_type: &str, object: Value) -> Value {
        let mut event = json!({
            "id": alnum_id("evt_", 24),
            "object": "event",
            "created": self.now,
            "livemode": false,
            "type": event_type,
            "data": {"object": object},
            "pending_webhooks": 1,
            "request": alnum_id("iar_", 24),
        });
        if event_type.starts_with("balance.withdrawal.")
            && let Some(map) = event.as_object_mut()
        {
            map.insert("scope".to_owned(), json!(self.app));
            map.insert("acct_id".to_owned(), json!(alnum_id("acct_", 16)));
        }
        event
    }
}

/// The body to send and its event id.
fn build_body(event_type: &str, data: Option<&PathBuf>) -> Result<(Bytes, String), BoxError> {
    let sample = Sample::new(now());
    let Some(path) = data else {
        let object = sample.object(event_type).ok_or_else(|| {
            CliError::usage(format!(
                "there is no built-in sample of {event_type} (there are: {}): give --data FILE with its data.object",
                SAMPLE_TYPES.join(", ")
            ))
        })?;
        let event = sample.event(event_type, object);
        let id = event["id"].as_str().unwrap_or_default().to_owned();
        return Ok((Bytes::from(serde_json::to_vec(&event)?), id));
    };
    let raw = std::fs::read(path)
        .map_err(|e| CliError::io(format!("cannot read --data file {}", path.display()), e))?;
    let value: Value = serde_json::from_slice(&raw)
        .map_err(|e| CliError::usage(format!("--data {} is not JSON: {e}", path.display())))?;
    let Value::Object(map) = &value else {
        return Err(CliError::usage(format!(
            "--data {} must hold a JSON object (an event or its data.object)",
            path.display()
        ))
        .into());
    };
    if map.get("object").and_then(Value::as_str) == Some("event") {
        let found = map.get("type").and_then(Value::as_str).unwrap_or_default();
        if found != event_type {
            return Err(CliError::usage(format!(
                "--data {} is a {found:?} event, not {event_type}",
                path.display()
            ))
            .into());
        }
        let id = map
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        // Sent exactly as given: a captured delivery replays byte for byte.
        return Ok((Bytes::from(raw), id));
    }
    if SAMPLE_TYPES.contains(&event_type)
        && let Err(e) = EventData::from_parts(event_type.to_owned(), value.clone())
    {
        // Sent anyway: a handler must cope with what it cannot parse.
        eprintln!("note: the SDK does not parse this data.object as a {event_type} object: {e}");
    }
    let event = sample.event(event_type, value);
    let id = event["id"].as_str().unwrap_or_default().to_owned();
    Ok((Bytes::from(serde_json::to_vec(&event)?), id))
}

/// Where the public half of the signing key is.
enum PublicHalf {
    /// The user gave the key: they have its public half.
    Theirs,
    /// Generated here; shown to the user.
    Shown(String),
    /// Generated here; written to this file.
    Written(PathBuf),
}

/// The signing key, and where its public half is.
fn signing_key(args: &TriggerArgs) -> Result<(PrivateKey, PublicHalf), BoxError> {
    if let Some(pem) = &args.signing_key {
        let key = PrivateKey::from_pem(&read_pem(pem.expose())?)
            .map_err(|e| CliError::key("cannot load --signing-key", e))?;
        return Ok((key, PublicHalf::Theirs));
    }
    if let Some(path) = &args.public_key_out {
        // Before the key is made: refuse at once.
        files::check_targets([path.as_path()], args.force)?;
    }
    let pair = pingpp_sign::generate_keypair()?;
    let half = match &args.public_key_out {
        Some(path) => {
            files::write_file(path, pair.public_pem().as_bytes(), false, args.force)?;
            PublicHalf::Written(path.clone())
        }
        None => PublicHalf::Shown(pair.public_pem().trim_end().to_owned()),
    };
    Ok((pair.private_key()?, half))
}

/// The first characters of an answer, on one line (whitespace runs become one space).
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let words = text.split(|c: char| c.is_whitespace() || c.is_control());
    let mut out = String::new();
    let mut cut = false;
    for word in words.filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        if out.chars().count() > ANSWER_EXCERPT_CHARS {
            cut = true;
            break;
        }
    }
    if cut {
        out = out.chars().take(ANSWER_EXCERPT_CHARS).collect();
        out.push('…');
    }
    out
}

/// A delivery attempt without an answer.
struct NoAnswer {
    /// Why, with the whole chain of causes.
    why: String,
    /// Whether the request may have reached the handler (false: the connection could
    /// not be made).
    connected: bool,
}

/// One delivery attempt; the status, or why there was none.
async fn post(
    transport: &HyperTransport,
    to: &http::Uri,
    body: &Bytes,
    signature: &str,
    timeout: Duration,
) -> Result<(http::StatusCode, Bytes), NoAnswer> {
    let request = http::Request::post(to.clone())
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(
            http::header::USER_AGENT,
            concat!(
                "pingpp-cli/",
                env!("CARGO_PKG_VERSION"),
                " (webhook trigger)"
            ),
        )
        .header("X-Pingplusplus-Signature", signature)
        .body(body.clone())
        .map_err(|e| NoAnswer {
            why: format!("cannot build the request: {e}"),
            connected: false,
        })?;
    match tokio::time::timeout(timeout, transport.send(request)).await {
        Ok(Ok(response)) => Ok((response.status(), response.into_body())),
        Ok(Err(e)) => {
            // The whole chain: "could not connect ...: client error (Connect): tcp connect
            // error: Connection refused ...".
            let connected = e.kind() != TransportErrorKind::Connect;
            let mut why = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                why = format!("{why}: {cause}");
                source = cause.source();
            }
            Err(NoAnswer { why, connected })
        }
        Err(_) => Err(NoAnswer {
            why: format!("no answer within {}s", timeout.as_secs()),
            connected: true,
        }),
    }
}

pub(crate) async fn run(args: TriggerArgs, format: Format) -> Result<ExitCode, BoxError> {
    let (body, event_id) = build_body(&args.event_type, args.data.as_ref())?;
    let (key, public_half) = signing_key(&args)?;
    let signature = key.sign(&body)?;
    let timeout = Duration::from_secs(args.timeout);
    let transport = HyperTransport::with_connect_timeout(timeout)?;
    let mut result = json!({
        "event": {"id": event_id, "type": args.event_type},
        "to": args.to.to_string(),
    });
    match &public_half {
        PublicHalf::Theirs => {}
        PublicHalf::Written(path) => {
            result["public_key_file"] = json!(path);
            format.note(format_args!(
                "signed with a fresh key; its public half is in {}",
                path.display()
            ));
        }
        PublicHalf::Shown(pem) => {
            result["public_key"] = json!(pem);
            if !format.is_json() {
                format.note(format_args!(
                    "signed with a fresh key; verify with this public key:\n{pem}"
                ));
            }
        }
    }
    format.note(format_args!(
        "event {event_id} ({}) to {}",
        args.event_type, args.to
    ));
    let attempts = if args.retry {
        pingpp_mock::WEBHOOK_RETRY_SCHEDULE.len() + 1
    } else {
        1
    };
    let mut log = Vec::new();
    let mut accepted = false;
    // Whether any attempt may have reached the handler.
    let mut reached = false;
    for attempt in 0..attempts {
        let n = attempt + 1;
        match post(&transport, &args.to, &body, &signature, timeout).await {
            Ok((status, answer)) => {
                reached = true;
                let answer = excerpt(&answer);
                let sep = if answer.is_empty() { "" } else { ": " };
                format.note(format_args!(
                    "attempt {n}/{attempts}: {status}{sep}{answer}"
                ));
                log.push(json!({"attempt": n, "status": status.as_u16(), "answer": answer}));
                if status.is_success() {
                    format.note(format_args!("accepted"));
                    accepted = true;
                    break;
                }
            }
            Err(NoAnswer { why, connected }) => {
                reached |= connected;
                format.note(format_args!("attempt {n}/{attempts}: no answer: {why}"));
                log.push(json!({"attempt": n, "error": why}));
            }
        }
        if let Some(wait) = pingpp_mock::WEBHOOK_RETRY_SCHEDULE
            .get(attempt)
            .filter(|_| n < attempts)
        {
            let wait = wait.div_f64(args.time_scale);
            format.note(format_args!("next attempt in {wait:.1?}"));
            tokio::time::sleep(wait).await;
        }
    }
    result["accepted"] = json!(accepted);
    result["attempts"] = json!(log);
    if format.is_json() {
        format.print(&result)?;
    }
    if accepted {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "the handler {}{}",
        if reached {
            "did not accept the event"
        } else {
            "could not be reached"
        },
        if args.retry {
            ""
        } else {
            " (--retry sends it again on Ping++'s schedule)"
        }
    );
    Ok(if reached {
        exit::webhook_not_accepted()
    } else {
        exit::webhook_unreachable()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pingpp_types::Event;

    #[test]
    fn every_sample_parses_as_its_typed_event() {
        let sample = Sample::new(1_700_000_000);
        for t in SAMPLE_TYPES {
            let event = sample.event(t, sample.object(t).expect("a sample"));
            let bytes = serde_json::to_vec(&event).expect("json");
            let parsed: Event = serde_json::from_slice(&bytes).expect(t);
            assert_eq!(parsed.event_type(), t);
            assert!(!parsed.livemode);
            assert!(
                parsed
                    .id
                    .as_deref()
                    .is_some_and(|id| id.starts_with("evt_")),
                "{:?}",
                parsed.id
            );
            let typed = match (&parsed.data, t) {
                (EventData::RechargeSucceeded(r), RECHARGE_SUCCEEDED) => r.amount == 10_000,
                (EventData::RefundSucceeded(r), REFUND_SUCCEEDED) => r.id.starts_with("re_"),
                (EventData::WithdrawalSucceeded(w), WITHDRAWAL_SUCCEEDED) => {
                    w.failure_msg.is_none()
                }
                (EventData::WithdrawalFailed(w), WITHDRAWAL_FAILED) => w.failure_msg.is_some(),
                _ => false,
            };
            assert!(typed, "{t}: {:?}", parsed.data);
        }
        assert!(sample.object("charge.succeeded").is_none());
    }

    #[test]
    fn ids_are_fresh_and_shaped_like_pingpp_ids() {
        let a = alnum_id("evt_", 24);
        assert_eq!(a.len(), 28);
        assert_ne!(a, alnum_id("evt_", 24));
        let w = numeric_id("1711", 19);
        assert_eq!(w.len(), 19);
        assert!(w.bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn receiver_urls_and_event_types_are_checked() {
        assert!(receiver_url("http://127.0.0.1:8080/hook").is_ok());
        assert!(receiver_url("https://example.com/hook").is_ok());
        for bad in ["ftp://x/y", "127.0.0.1:8080", "/hook", "http://"] {
            assert!(receiver_url(bad).is_err(), "{bad}");
        }
        assert!(event_type("refund.succeeded").is_ok());
        for bad in ["", "refund succeeded", "a\nb"] {
            assert!(event_type(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn excerpts_are_one_short_line() {
        assert_eq!(excerpt(b" ok\r\n  then\tmore\n"), "ok then more");
        assert_eq!(excerpt(b""), "");
        let long = "é".repeat(300);
        let e = excerpt(long.as_bytes());
        assert_eq!(e.chars().count(), ANSWER_EXCERPT_CHARS + 1);
        assert!(e.ends_with('…'));
    }
}
