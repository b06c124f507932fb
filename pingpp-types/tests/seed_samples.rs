//! Every JSON sample of the two Ping++ guides (copied into `fixtures/seeds/`, see its
//! README) parses into its type and serializes back to the same JSON: nothing added,
//! nothing lost, `null` stays `null`, an absent field stays absent.

use std::path::PathBuf;

use pingpp_types::{Event, EventData, Refund, Withdrawal, WithdrawalStatus};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn samples() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seeds");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("fixtures/seeds")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("read"))
        })
        .collect();
    out.sort();
    out
}

/// Parses `json` as `T` and checks that serializing it gives the same JSON value.
fn round_trip<T: DeserializeOwned + Serialize>(name: &str, json: &str) -> T {
    let original: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{name}: {e}"));
    let parsed: T = serde_json::from_str(json).unwrap_or_else(|e| panic!("{name}: parse: {e}"));
    let back = serde_json::to_value(&parsed).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(back, original, "{name}: parse → serialize changed the JSON");
    parsed
}

#[test]
fn every_seed_sample_round_trips_exactly() {
    let samples = samples();
    // 2 in the refund guide, 10 in the withdrawal guide.
    assert_eq!(
        samples.len(),
        12,
        "{:?}",
        samples.iter().map(|s| &s.0).collect::<Vec<_>>()
    );
    let (mut refunds, mut withdrawals, mut events) = (0, 0, 0);
    for (name, json) in &samples {
        let value: Value = serde_json::from_str(json).expect("JSON");
        match value["object"].as_str() {
            Some("refund") => {
                round_trip::<Refund>(name, json);
                refunds += 1;
            }
            Some("withdrawal") => {
                round_trip::<Withdrawal>(name, json);
                withdrawals += 1;
            }
            Some("event") => {
                let e: Event = round_trip(name, json);
                assert!(
                    !matches!(e.data, EventData::Other { .. }),
                    "{name}: typed data expected"
                );
                events += 1;
            }
            other => panic!("{name}: unexpected object {other:?}"),
        }
    }
    assert_eq!((refunds, withdrawals, events), (1, 8, 3));
}

fn sample(name: &str) -> String {
    samples()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no sample {name}"))
        .1
}

#[test]
fn withdrawal_events_without_id_or_pending_webhooks_parse() {
    for name in [
        "seed002_line1414_event_balance_withdrawal_succeeded.json",
        "seed002_line1455_event_balance_withdrawal_failed.json",
    ] {
        let json = sample(name);
        let e: Event = serde_json::from_str(&json).expect(name);
        assert_eq!(e.id, None, "{name}");
        assert_eq!(e.pending_webhooks, None, "{name}");
        assert_eq!(e.scope.as_deref(), Some("app_xxxxxxxxxx"));
        let w = e.data.withdrawal().expect("withdrawal");
        assert_eq!(w.amount, 100);
        assert_eq!(w.asset_transaction, None);
        // Serializing adds neither `id` nor `pending_webhooks`.
        let back = serde_json::to_value(&e).expect("serialize");
        assert!(back.get("id").is_none() && back.get("pending_webhooks").is_none());
    }
}

#[test]
fn a_refund_inside_an_event_gains_no_extra() {
    let e: Event =
        serde_json::from_str(&sample("seed000_line313_event_refund_succeeded.json")).unwrap();
    let back = serde_json::to_value(&e).unwrap();
    assert!(back["data"]["object"].get("extra").is_none(), "{back}");
    assert_eq!(back["pending_webhooks"], 239);
    // The create response has `"extra": {}` and keeps it.
    let r: Refund = serde_json::from_str(&sample("seed000_line99_refund.json")).unwrap();
    assert_eq!(
        serde_json::to_value(&r).unwrap()["extra"],
        serde_json::json!({})
    );
}

#[test]
fn documented_response_extra_is_read_through_the_typed_view() {
    // unionpay answers `card_number` / `user_name` where the request said account / name.
    let w: Withdrawal =
        serde_json::from_str(&sample("seed002_line919_withdrawal_unionpay.json")).unwrap();
    assert_eq!(w.asset_transaction.as_deref(), Some(""));
    match w.channel_extra() {
        Some(pingpp_types::ChannelExtra::Unionpay(e)) => {
            assert_eq!(e.account, "6225210207073918");
            assert_eq!(e.name, "姓名");
        }
        other => panic!("{other:?}"),
    }
    let w: Withdrawal =
        serde_json::from_str(&sample("seed002_line951_withdrawal_alipay.json")).unwrap();
    match w.channel_extra() {
        Some(pingpp_types::ChannelExtra::Alipay(e)) => assert_eq!(e.name, "姓名"),
        other => panic!("{other:?}"),
    }
    // The confirm response names the transfer in `source`.
    let w: Withdrawal =
        serde_json::from_str(&sample("seed002_line1187_withdrawal_unionpay.json")).unwrap();
    assert_eq!(w.source.as_deref(), Some("tr_testCGyHqD"));
    assert_eq!(w.status, WithdrawalStatus::Succeeded);
}

#[test]
fn null_and_absent_and_empty_stay_as_they_were() {
    // The same withdrawal three ways: `extra` absent, null, {}; `failure_msg` absent, null.
    let base = r#""id":"1","object":"withdrawal","amount":1,"created":2,"status":"created""#;
    for tail in [
        "",
        r#","extra":null,"failure_msg":null,"metadata":null"#,
        r#","extra":{},"metadata":{}"#,
        r#","livemode":false,"channel":null"#,
    ] {
        let json = format!("{{{base}{tail}}}");
        round_trip::<Withdrawal>(&json, &json);
    }
    // An event with `"id": null` keeps it.
    let json = r#"{"id":null,"created":1,"type":"x.y","data":{"object":{"a":1}}}"#;
    let e: Event = round_trip("null id", json);
    assert_eq!(e.id, None);
}
