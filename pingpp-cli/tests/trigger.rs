//! `pingpp webhook trigger` against real receivers on 127.0.0.1.
#![allow(missing_docs)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use common::{keypair, run, stderr, stdout};
use http_body_util::{BodyExt, Full};
use pingpp_types::{Event, EventData};

/// A receiver built on pingpp-webhook's server: verifies with the test key, records the
/// typed events; its handler fails (500) the first `failures` times.
struct Receiver {
    url: String,
    events: Arc<Mutex<Vec<Event>>>,
    calls: Arc<AtomicUsize>,
    /// Runs the server; dropping it stops the server.
    _runtime: tokio::runtime::Runtime,
}

/// A one-thread runtime and a listener on 127.0.0.1; the URL of `path` on it.
fn listen(path: &str) -> (tokio::runtime::Runtime, tokio::net::TcpListener, String) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let url = format!("http://{}{path}", listener.local_addr().expect("addr"));
    (runtime, listener, url)
}

impl Receiver {
    fn start(failures: usize) -> Self {
        let (runtime, listener, url) = listen("/pingpp/webhooks");
        let verifier =
            pingpp_webhook::Verifier::from_pem(keypair().public_pem()).expect("verifier");
        let events = Arc::new(Mutex::new(Vec::new()));
        let calls = Arc::new(AtomicUsize::new(0));
        let (sink, count) = (Arc::clone(&events), Arc::clone(&calls));
        let service = pingpp_webhook::server::WebhookService::new(verifier, move |event: Event| {
            let (sink, count) = (Arc::clone(&sink), Arc::clone(&count));
            async move {
                if count.fetch_add(1, Ordering::SeqCst) < failures {
                    return Err(std::io::Error::other("not yet"));
                }
                sink.lock().expect("lock").push(event);
                Ok(())
            }
        });
        runtime.spawn(pingpp_webhook::server::serve(listener, service));
        Receiver {
            url,
            events,
            calls,
            _runtime: runtime,
        }
    }

    fn events(&self) -> Vec<Event> {
        self.events.lock().expect("lock").clone()
    }
}

/// `pingpp webhook trigger TYPE --to URL EXTRA...`.
fn trigger(event_type: &str, to: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["webhook", "trigger", event_type, "--to", to];
    args.extend_from_slice(extra);
    run(&args)
}

fn key_file(dir: &std::path::Path) -> String {
    let path = dir.join("pingpp_private.pem");
    std::fs::write(&path, keypair().private_pem()).expect("write");
    path.to_str().expect("utf-8").to_owned()
}

#[test]
fn each_sample_arrives_verified_and_typed() {
    let receiver = Receiver::start(0);
    let dir = tempfile::tempdir().expect("tempdir");
    let key = key_file(dir.path());
    let types = [
        "recharge.succeeded",
        "refund.succeeded",
        "balance.withdrawal.succeeded",
        "balance.withdrawal.failed",
    ];
    for t in types {
        let o = trigger(t, &receiver.url, &["--signing-key", &key]);
        assert!(o.status.success(), "{t}: {o:?}");
        let out = stdout(&o);
        assert!(out.contains("attempt 1/1: 200 OK"), "{out}");
        assert!(out.contains("accepted"), "{out}");
    }
    let events = receiver.events();
    assert_eq!(events.len(), 4, "{events:?}");
    for (event, t) in events.iter().zip(types) {
        assert_eq!(event.event_type(), t);
        assert!(!event.livemode);
        assert!(event.id.as_deref().is_some_and(|id| id.starts_with("evt_")));
        let typed = match &event.data {
            EventData::RechargeSucceeded(r) => r.user.as_deref() == Some("user_001"),
            EventData::RefundSucceeded(r) => r.status == pingpp_types::RefundStatus::Succeeded,
            EventData::WithdrawalSucceeded(w) => {
                w.status == pingpp_types::WithdrawalStatus::Succeeded
            }
            EventData::WithdrawalFailed(w) => w.status == pingpp_types::WithdrawalStatus::Failed,
            other => panic!("{t} not typed: {other:?}"),
        };
        assert!(typed, "{t}: {:?}", event.data);
    }
    // Fresh ids every time.
    let mut ids: Vec<_> = events.iter().map(|e| e.id.clone()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 4);
}

#[test]
fn retry_follows_the_schedule_until_a_2xx() {
    let receiver = Receiver::start(2);
    let dir = tempfile::tempdir().expect("tempdir");
    let key = key_file(dir.path());
    let o = trigger(
        "balance.withdrawal.succeeded",
        &receiver.url,
        &["--signing-key", &key, "--retry", "--time-scale", "1000"],
    );
    let out = stdout(&o);
    assert!(o.status.success(), "{out}\n{}", stderr(&o));
    let attempts: Vec<&str> = out.lines().filter(|l| l.starts_with("attempt ")).collect();
    assert_eq!(attempts.len(), 3, "{out}");
    assert!(attempts[0].starts_with("attempt 1/11: 500"), "{out}");
    assert!(attempts[1].starts_with("attempt 2/11: 500"), "{out}");
    assert!(attempts[2].starts_with("attempt 3/11: 200"), "{out}");
    // Ping++'s first two delays, 5 s and 10 s, divided by 1000.
    assert!(out.contains("next attempt in 5.0ms"), "{out}");
    assert!(out.contains("next attempt in 10.0ms"), "{out}");
    assert_eq!(receiver.calls.load(Ordering::SeqCst), 3);
    assert_eq!(receiver.events().len(), 1);
}

#[test]
fn a_handler_that_never_accepts_gives_1_and_one_never_reached_4() {
    let receiver = Receiver::start(usize::MAX);
    let dir = tempfile::tempdir().expect("tempdir");
    let key = key_file(dir.path());
    let o = trigger("refund.succeeded", &receiver.url, &["--signing-key", &key]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(stdout(&o).contains("attempt 1/1: 500"), "{}", stdout(&o));
    assert!(stderr(&o).contains("--retry"), "{}", stderr(&o));
    assert_eq!(
        receiver.calls.load(Ordering::SeqCst),
        1,
        "no retry without --retry"
    );

    // Nobody listening: no answer, nothing delivered: status 4.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let o = trigger(
        "refund.succeeded",
        &format!("http://{closed}/hook"),
        &["--signing-key", &key],
    );
    assert_eq!(o.status.code(), Some(4), "{o:?}");
    assert!(stdout(&o).contains("no answer"), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("could not be reached"),
        "{}",
        stderr(&o)
    );
}

/// One delivery as received.
struct Delivery {
    body: Bytes,
    signature: String,
    content_type: String,
}

/// A receiver that records raw deliveries and answers 200.
struct Recorder {
    url: String,
    seen: Arc<Mutex<Vec<Delivery>>>,
    /// Runs the server; dropping it stops the server.
    _runtime: tokio::runtime::Runtime,
}

impl Recorder {
    fn start() -> Self {
        let (runtime, listener, url) = listen("/hook");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let sink = Arc::clone(&sink);
                let service =
                    hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        let sink = Arc::clone(&sink);
                        async move {
                            let header = |name: &str| {
                                req.headers()
                                    .get(name)
                                    .and_then(|v| v.to_str().ok())
                                    .unwrap_or_default()
                                    .to_owned()
                            };
                            let signature = header("x-pingplusplus-signature");
                            let content_type = header("content-type");
                            let body = req.into_body().collect().await?.to_bytes();
                            sink.lock().expect("lock").push(Delivery {
                                body,
                                signature,
                                content_type,
                            });
                            let ok = Full::new(Bytes::from_static(b"ok"));
                            Ok::<_, hyper::Error>(http::Response::new(ok))
                        }
                    });
                tokio::spawn(
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service),
                );
            }
        });
        Recorder {
            url,
            seen,
            _runtime: runtime,
        }
    }
}

#[test]
fn a_generated_key_is_printed_or_written_safely() {
    let recorder = Recorder::start();
    let (url, seen) = (recorder.url.as_str(), &recorder.seen);
    // Printed.
    let o = trigger("recharge.succeeded", url, &[]);
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    let start = out
        .find("-----BEGIN PUBLIC KEY-----")
        .expect("a public key");
    let end = out.find("-----END PUBLIC KEY-----").expect("its end") + 24;
    let printed = pingpp_webhook::Verifier::from_pem(&out[start..end]).expect("key");
    // Written.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("pingpp_public.pem");
    let arg = path.to_str().expect("utf-8");
    let o = trigger("refund.succeeded", url, &["--public-key-out", arg]);
    assert!(o.status.success(), "{o:?}");
    assert!(!stdout(&o).contains("BEGIN"), "{}", stdout(&o));
    let written =
        pingpp_webhook::Verifier::from_pem(&std::fs::read_to_string(&path).expect("read"))
            .expect("key");
    {
        let seen = seen.lock().expect("lock");
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].content_type, "application/json");
        let event = printed
            .verify_and_parse(&seen[0].body, seen[0].signature.as_str())
            .expect("verifies");
        assert_eq!(event.event_type(), "recharge.succeeded");
        let event = written
            .verify_and_parse(&seen[1].body, seen[1].signature.as_str())
            .expect("verifies");
        assert_eq!(event.event_type(), "refund.succeeded");
    }
    // The file is never replaced without --force, and nothing is sent then.
    let before = std::fs::read_to_string(&path).expect("read");
    let o = trigger("refund.succeeded", url, &["--public-key-out", arg]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), before);
    assert_eq!(seen.lock().expect("lock").len(), 2, "nothing sent");
    let o = trigger(
        "refund.succeeded",
        url,
        &["--public-key-out", arg, "--force"],
    );
    assert!(o.status.success(), "{o:?}");
    assert_ne!(std::fs::read_to_string(&path).expect("read"), before);
}

#[test]
fn data_files_replace_the_object_or_the_whole_event() {
    let recorder = Recorder::start();
    let (url, seen) = (recorder.url.as_str(), &recorder.seen);
    let dir = tempfile::tempdir().expect("tempdir");
    let key = key_file(dir.path());
    let verifier = pingpp_webhook::Verifier::from_pem(keypair().public_pem()).expect("key");

    // A whole event, sent byte for byte (spacing and key order kept).
    let event = "{\"id\": \"evt_captured\", \"object\": \"event\", \"created\": 1458786607,\n \"livemode\": true, \"type\": \"refund.succeeded\", \"data\": {\"object\": {\"id\": \"re_1\", \"object\": \"refund\", \"amount\": 1, \"status\": \"succeeded\"}}, \"pending_webhooks\": 0, \"request\": null}\n";
    let event_file = dir.path().join("event.json");
    std::fs::write(&event_file, event).expect("write");
    let ev = event_file.to_str().expect("utf-8");
    let o = trigger(
        "refund.succeeded",
        url,
        &["--signing-key", &key, "--data", ev],
    );
    assert!(o.status.success(), "{o:?}");
    assert!(stdout(&o).contains("evt_captured"), "{}", stdout(&o));
    // Its type must be the one named.
    let o = trigger(
        "recharge.succeeded",
        url,
        &["--signing-key", &key, "--data", ev],
    );
    assert_eq!(o.status.code(), Some(2), "{o:?}");

    // An object of a type without a sample: wrapped in a fresh event.
    let object_file = dir.path().join("charge.json");
    std::fs::write(
        &object_file,
        r#"{"id":"ch_1","object":"charge","amount":100}"#,
    )
    .expect("write");
    let ob = object_file.to_str().expect("utf-8");
    let o = trigger(
        "charge.succeeded",
        url,
        &["--signing-key", &key, "--data", ob],
    );
    assert!(o.status.success(), "{o:?}");
    // Without --data there is no sample of it.
    let o = trigger("charge.succeeded", url, &["--signing-key", &key]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(stderr(&o).contains("--data"), "{}", stderr(&o));

    let seen = seen.lock().expect("lock");
    assert_eq!(seen.len(), 2, "refused runs send nothing");
    assert_eq!(&seen[0].body[..], event.as_bytes(), "byte for byte");
    verifier
        .verify(&seen[0].body, seen[0].signature.as_str())
        .expect("signed");
    let wrapped = verifier
        .verify_and_parse(&seen[1].body, seen[1].signature.as_str())
        .expect("signed");
    assert_eq!(wrapped.event_type(), "charge.succeeded");
    assert!(
        wrapped
            .id
            .as_deref()
            .is_some_and(|id| id.starts_with("evt_"))
    );
    match &wrapped.data {
        EventData::Other { object, .. } => assert_eq!(object["id"], "ch_1"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn json_prints_one_object_with_every_attempt() {
    let receiver = Receiver::start(1);
    let dir = tempfile::tempdir().expect("tempdir");
    let key = key_file(dir.path());
    let o = run(&[
        "--json",
        "webhook",
        "trigger",
        "refund.succeeded",
        "--to",
        &receiver.url,
        "--signing-key",
        &key,
        "--retry",
        "--time-scale",
        "1000",
    ]);
    assert!(o.status.success(), "{o:?}");
    // Progress goes to stderr; stdout is one JSON object.
    assert!(stderr(&o).contains("attempt 1/11"), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    assert_eq!(v["accepted"], true);
    assert_eq!(v["event"]["type"], "refund.succeeded");
    let attempts = v["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 2, "{v}");
    assert_eq!(attempts[0]["status"], 500);
    assert_eq!(attempts[1]["status"], 200);
    let events = receiver.events();
    assert_eq!(events.len(), 1);
    assert_eq!(
        serde_json::to_value(&events[0]).expect("json")["id"],
        v["event"]["id"]
    );

    // A generated key is part of the object; nobody listening gives exit status 4.
    let o = run(&[
        "--json",
        "webhook",
        "trigger",
        "recharge.succeeded",
        "--to",
        &format!("http://{}/hook", common::closed_port()),
    ]);
    assert_eq!(o.status.code(), Some(4), "{o:?}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    assert_eq!(v["accepted"], false);
    assert!(v["attempts"][0]["error"].is_string(), "{v}");
    let pem = v["public_key"].as_str().expect("the generated public key");
    pingpp_webhook::Verifier::from_pem(pem).expect("a public key");
}
