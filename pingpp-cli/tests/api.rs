//! The API commands against the emulator running in this test process: one test per
//! exit status, `--json` results and errors, and the resource commands.
#![allow(missing_docs)]

mod common;

use std::collections::BTreeSet;

use common::{APP_ID, Emulator, closed_port, json_error_of, pingpp, run, stderr, stdout};
use serde_json::Value;

/// Recharges `user` with `amount` fen through the command line.
fn recharge(e: &Emulator, user: &str, amount: i64, order_no: &str) -> Value {
    e.json(&[
        "recharge",
        "create",
        "--user",
        user,
        "--amount",
        &amount.to_string(),
        "--order-no",
        order_no,
    ])
}

/// The arguments of a wx withdrawal.
fn withdrawal_args<'a>(user: &'a str, amount: &'a str, order_no: &'a str) -> Vec<&'a str> {
    vec![
        "withdrawal",
        "create",
        "--user",
        user,
        "--amount",
        amount,
        "--order-no",
        order_no,
        "--channel",
        "wx",
        "--extra",
        r#"{"open_id":"o_cli"}"#,
    ]
}

fn id(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id: {v}"))
        .to_owned()
}

/// The objects of an NDJSON output, each line parsed on its own.
fn ndjson(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect()
}

#[test]
fn exit_status_0_prints_the_object_and_1_when_the_api_refuses() {
    let e = Emulator::start(|b| b);
    let r = recharge(&e, "u1", 10_000, "ex01");
    assert_eq!(r["object"], "recharge");
    // Human output: the same object, pretty.
    let o = e.run(&["recharge", "get", &id(&r)]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(stdout(&o).contains("\n  \"id\""), "pretty: {}", stdout(&o));
    let human: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(human, e.json(&["recharge", "get", &id(&r)]));

    // Refused: exit 1, the API's error with its code, status and outcome.
    let err = e.json_error(1, &["withdrawal", "get", "1701000000000000999"]);
    assert_eq!(err["type"], "api");
    assert_eq!(err["status"], 404);
    assert_eq!(err["outcome"], "rejected");
    assert_eq!(err["code"], "resource_missing");
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("No such withdrawal")),
        "{err}"
    );
    // More than the balance: refused with the typed code; nothing was debited.
    let err = e.json_error(1, &withdrawal_args("u1", "20000", "ex02"));
    assert_eq!(err["code"], "balance_insufficient");
    assert_eq!(e.mock.balance(APP_ID, "u1"), Some(10_000));
    // Human: the message on stderr, nothing on stdout.
    let o = e.run(&["withdrawal", "get", "1701000000000000999"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty(), "{o:?}");
    assert!(stderr(&o).contains("No such withdrawal"), "{o:?}");
}

#[test]
fn exit_status_2_for_usage_and_parameters_the_sdk_refuses() {
    let e = Emulator::start(|b| b);
    // clap's own, as text or as a JSON error.
    let o = e.run(&["withdrawal", "get", "1", "--bogus"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(stderr(&o).contains("--bogus"), "{o:?}");
    let err = e.json_error(2, &["withdrawal", "get", "1", "--bogus"]);
    assert_eq!(err["type"], "usage");
    assert_eq!(err["outcome"], "not_sent");
    // Malformed JSON arguments.
    let err = e.json_error(
        2,
        &[
            "recharge",
            "refund",
            "1",
            "--description",
            "d",
            "--metadata",
            "[1]",
        ],
    );
    assert_eq!(err["type"], "usage");
    // Contradicting or missing arguments.
    let o = e.run(&["batch-withdrawal", "create", "1701"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let o = e.run(&[
        "batch-withdrawal",
        "create",
        "--confirm",
        "--cancel",
        "1701",
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let mut args = withdrawal_args("u1", "100", "ex03");
    args[9] = "alipay";
    let err = e.json_error(2, &args);
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("--extra")),
        "{err}"
    );
    // Parameters the SDK refuses before sending.
    let err = e.json_error(2, &withdrawal_args("u1", "0", "ex04"));
    assert_eq!(err["type"], "validation");
    assert_eq!(err["outcome"], "not_sent");
    let err = e.json_error(2, &["withdrawal", "list", "--per-page", "101"]);
    assert_eq!(err["type"], "validation");
    let ids: Vec<String> = (0..201).map(|i| format!("1701{i:015}")).collect();
    let mut args = vec!["batch-withdrawal", "create", "--confirm"];
    args.extend(ids.iter().map(String::as_str));
    assert_eq!(e.json_error(2, &args)["type"], "validation");
    assert_eq!(e.mock.requests_received(), 0, "nothing was sent");
}

#[test]
fn exit_status_3_when_a_cut_request_may_have_moved_money() {
    // Every request is processed, then its connection cut.
    let e = Emulator::start(|b| b.faults(pingpp_mock::FaultConfig::new(7).with_cut_rate(1.0)));
    let o = e.run(&[
        "recharge",
        "create",
        "--user",
        "u1",
        "--amount",
        "10000",
        "--order-no",
        "cut01",
    ]);
    assert_eq!(o.status.code(), Some(3), "{o:?}");
    assert!(stdout(&o).is_empty(), "{o:?}");
    assert!(stderr(&o).contains("recharge find"), "{}", stderr(&o));
    // It did take effect: the user was credited.
    assert_eq!(e.mock.balance(APP_ID, "u1"), Some(10_000));

    let err = e.json_error(3, &withdrawal_args("u1", "1000", "cut02"));
    assert_eq!(err["type"], "transport");
    assert_eq!(err["outcome"], "unknown");
    assert_eq!(
        e.mock.balance(APP_ID, "u1"),
        Some(9_000),
        "the withdrawal debited"
    );
}

#[test]
fn exit_status_4_when_nothing_was_sent() {
    // No credentials at all.
    let o = pingpp()
        .args(["--json", "withdrawal", "get", "1"])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(4), "{o:?}");
    let err = json_error_of(&o);
    assert_eq!(err["type"], "config");
    assert_eq!(err["outcome"], "not_sent");
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("--api-key")),
        "{err}"
    );

    let e = Emulator::start(|b| b);
    // A key file that is missing, or not a key.
    let err = e.json_error(
        4,
        &[
            "withdrawal",
            "get",
            "1",
            "--private-key",
            "/nonexistent/k.pem",
        ],
    );
    assert_eq!(err["type"], "key");
    let dir = tempfile::tempdir().expect("tempdir");
    let not_a_key = dir.path().join("k.pem");
    std::fs::write(
        &not_a_key,
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .expect("write");
    let err = e.json_error(
        4,
        &[
            "withdrawal",
            "get",
            "1",
            "--private-key",
            not_a_key.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(err["type"], "key");
    assert_eq!(e.mock.requests_received(), 0);

    // Nobody listening: the connection was refused, nothing was sent.
    let url = format!("http://{}", closed_port());
    let err = e.json_error(4, &["withdrawal", "get", "1", "--base-url", &url]);
    assert_eq!(err["type"], "transport");
    assert_eq!(err["outcome"], "not_sent");
    let o = e.run(&[
        "recharge",
        "create",
        "--user",
        "u",
        "--amount",
        "1",
        "--order-no",
        "x",
        "--base-url",
        &url,
    ]);
    assert_eq!(o.status.code(), Some(4), "{o:?}");
}

#[test]
fn json_errors_never_show_secrets() {
    let e = Emulator::start(|b| b.api_key(common::API_KEY));
    let o = e
        .command()
        .args([
            "--json",
            "withdrawal",
            "list",
            "--api-key",
            "sk_test_SECRETSECRET99",
        ])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let err = json_error_of(&o);
    assert_eq!(err["status"], 401);
    // Key text that lost its PEM header, and a key where an argument should be.
    let headerless = "MIIEv".to_owned() + &"SECRETSECRET99".repeat(30);
    let o = e
        .command()
        .args([
            "--json",
            "withdrawal",
            "get",
            "1",
            "--private-key",
            &headerless,
        ])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(4), "{o:?}");
    assert_eq!(json_error_of(&o)["type"], "key");
    let stray = ["withdrawal", "get", "1", "sk_live_SECRETSECRET99"];
    let json = e.command().arg("--json").args(stray).output().expect("run");
    assert_eq!(json.status.code(), Some(2), "{json:?}");
    assert_eq!(json_error_of(&json)["type"], "usage");
    let human = e.command().args(stray).output().expect("run");
    assert_eq!(human.status.code(), Some(2), "{human:?}");
    assert!(stderr(&human).contains("unexpected argument"), "{human:?}");
    for out in [&o, &json, &human] {
        let all = format!("{}{}", stdout(out), stderr(out));
        assert!(!all.contains("SECRETSECRET99"), "{all}");
    }
}

#[test]
fn find_looks_a_create_up_by_order_no() {
    let e = Emulator::start(|b| b);
    let r = recharge(&e, "u1", 10_000, "find01");
    let w = e.json(&withdrawal_args("u1", "1000", "find02"));
    let found = e.json(&["withdrawal", "find", "--user", "u1", "--order-no", "find02"]);
    assert_eq!(found, w);
    let found = e.json(&["recharge", "find", "--user", "u1", "--order-no", "find01"]);
    assert_eq!(found["id"], r["id"]);
    // None: `null` and exit 0 (the lookup worked; it was never created).
    assert!(
        e.json(&["withdrawal", "find", "--user", "u1", "--order-no", "nope"])
            .is_null()
    );
    assert!(
        e.json(&["recharge", "find", "--user", "u2", "--order-no", "find01"])
            .is_null()
    );
    let o = e.run(&["withdrawal", "find", "--user", "u1", "--order-no", "nope"]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o).trim(), "null");
    assert!(stderr(&o).contains("no withdrawal of user u1"), "{o:?}");
}

#[test]
fn create_or_find_returns_the_same_withdrawal_and_refuses_a_different_one() {
    let e = Emulator::start(|b| b);
    recharge(&e, "u1", 10_000, "orf01");
    let first = e.json(&withdrawal_args("u1", "1000", "orf02"));
    // Plainly again: refused, the order number is used.
    let err = e.json_error(1, &withdrawal_args("u1", "1000", "orf02"));
    assert_eq!(err["code"], "order_no_used");
    // With --or-find: the same withdrawal, nothing debited twice.
    let mut again = withdrawal_args("u1", "1000", "orf02");
    again.push("--or-find");
    assert_eq!(e.json(&again)["id"], first["id"]);
    assert_eq!(e.mock.balance(APP_ID, "u1"), Some(9_000));
    // A different request under the same order number: refused, exit 1.
    let mut other = withdrawal_args("u1", "2000", "orf02");
    other.push("--or-find");
    let err = e.json_error(1, &other);
    assert_eq!(err["type"], "order_no_conflict");
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("amount")),
        "{err}"
    );
    // A new order number: created.
    let mut new = withdrawal_args("u1", "500", "orf03");
    new.push("--or-find");
    assert_ne!(e.json(&new)["id"], first["id"]);
    assert_eq!(e.mock.balance(APP_ID, "u1"), Some(8_500));
    let o = e.run(&["withdrawal", "create", "--help"]);
    assert!(stdout(&o).contains("--or-find"), "{o:?}");
}

#[test]
fn list_all_streams_every_page_as_ndjson() {
    let e = Emulator::start(|b| b);
    recharge(&e, "u1", 10_000, "all00");
    let mut created = BTreeSet::new();
    for i in 1..=5 {
        let w = e.json(&withdrawal_args("u1", "100", &format!("all0{i}")));
        created.insert(id(&w));
    }
    for json in [false, true] {
        let mut c = e.command();
        if json {
            c.arg("--json");
        }
        let o = c
            .args([
                "withdrawal",
                "list",
                "--all",
                "--per-page",
                "2",
                "--user",
                "u1",
            ])
            .output()
            .expect("run");
        assert!(o.status.success(), "{o:?}");
        let items = ndjson(&stdout(&o));
        assert_eq!(items.len(), 5, "{}", stdout(&o));
        let seen: BTreeSet<String> = items.iter().map(id).collect();
        assert_eq!(seen, created, "each once, over three pages");
        assert!(items.iter().all(|w| w["object"] == "withdrawal"));
    }
    let recharges = ndjson(&stdout(&e.run(&["recharge", "list", "--all"])));
    assert_eq!(recharges.len(), 1);
    // One page: the list object.
    let page = e.json(&[
        "withdrawal",
        "list",
        "--per-page",
        "2",
        "--page",
        "3",
        "--user",
        "u1",
    ]);
    assert_eq!(page["object"], "list");
    assert_eq!(page["data"].as_array().map(Vec::len), Some(1));
}

#[test]
fn batch_withdrawal_create_get_list() {
    let e = Emulator::start(|b| b);
    recharge(&e, "u1", 10_000, "bw00");
    let w1 = id(&e.json(&withdrawal_args("u1", "1000", "bw01")));
    let w2 = id(&e.json(&withdrawal_args("u1", "2000", "bw02")));
    let w3 = id(&e.json(&withdrawal_args("u1", "3000", "bw03")));
    assert_eq!(e.mock.balance(APP_ID, "u1"), Some(4_000));

    let confirm = e.json(&["batch-withdrawal", "create", "--confirm", &w1, &w2]);
    assert_eq!(confirm["object"], "batch_withdrawal");
    assert_eq!(confirm["amount"], 3000);
    // Confirmed: pending, or already paid out on the fast clock.
    let status = e.json(&["withdrawal", "get", &w1])["status"].clone();
    assert!(status == "pending" || status == "succeeded", "{status}");
    let cancel = e.json(&[
        "batch-withdrawal",
        "create",
        "--cancel",
        &w3,
        "--metadata",
        r#"{"why":"test"}"#,
    ]);
    assert_eq!(cancel["status"], "canceled");
    assert_eq!(cancel["metadata"]["why"], "test");
    assert_eq!(e.json(&["withdrawal", "get", &w3])["status"], "canceled");
    assert_eq!(
        e.mock.balance(APP_ID, "u1"),
        Some(7_000),
        "the canceled amount is back"
    );

    let got = e.json(&["batch-withdrawal", "get", &id(&confirm)]);
    assert_eq!(got["id"], confirm["id"]);
    let list = e.json(&["batch-withdrawal", "list"]);
    let listed: BTreeSet<String> = list["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(id)
        .collect();
    assert_eq!(listed, BTreeSet::from([id(&confirm), id(&cancel)]));
    let all = ndjson(&stdout(&e.run(&[
        "batch-withdrawal",
        "list",
        "--all",
        "--per-page",
        "1",
    ])));
    assert_eq!(all.len(), 2);
    // Confirming a canceled withdrawal is refused.
    let err = e.json_error(1, &["batch-withdrawal", "create", "--confirm", &w3]);
    assert_eq!(err["code"], "invalid_status");
}

#[test]
fn recharge_refunds_create_get_list_and_the_emulators_mock_outcome() {
    let e = Emulator::start(|b| b);
    let ok = id(&recharge(&e, "u1", 10_000, "rf01"));
    let failing = id(&recharge(&e, "u1", 500, "rf02"));
    let refund = e.json(&["recharge", "refund", &ok, "--description", "cli"]);
    assert_eq!(refund["status"], "pending");
    assert_eq!(e.mock.balance(APP_ID, "u1"), Some(500));
    let failed = e.json(&[
        "recharge",
        "refund",
        &failing,
        "--description",
        "cli",
        "--metadata",
        r#"{"mock_outcome":"failed"}"#,
    ]);
    assert_eq!(failed["status"], "failed");
    assert!(failed["failure_msg"].is_string(), "{failed}");
    assert_eq!(
        e.mock.balance(APP_ID, "u1"),
        Some(500),
        "a failed refund moves nothing"
    );
    let err = e.json_error(
        1,
        &[
            "recharge",
            "refund",
            &failing,
            "--description",
            "x",
            "--metadata",
            r#"{"mock_outcome":"maybe"}"#,
        ],
    );
    assert_eq!(err["param"], "metadata[mock_outcome]");

    let got = e.json(&["recharge", "refund-get", &ok, &id(&refund)]);
    assert_eq!(got["id"], refund["id"]);
    let page = e.json(&["recharge", "refunds", &ok]);
    assert_eq!(page["data"][0]["id"], refund["id"]);
    let all = ndjson(&stdout(&e.run(&["recharge", "refunds", &ok, "--all"])));
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["id"], refund["id"]);
}

#[test]
fn events_get_returns_what_a_webhook_carried() {
    let e = Emulator::start(|b| b);
    let r = recharge(&e, "u1", 10_000, "ev01");
    let events = e.mock.events();
    let emitted = events
        .iter()
        .find(|ev| ev["data"]["object"]["id"] == r["id"])
        .unwrap_or_else(|| panic!("an event for the recharge: {events:?}"));
    let event_id = emitted["id"].as_str().expect("id");
    let got = e.json(&["events", "get", event_id]);
    assert_eq!(got["id"], event_id);
    assert_eq!(got["type"], "recharge.succeeded");
    assert_eq!(got["data"]["object"]["id"], r["id"]);
    assert_eq!(e.json(&["event", "get", event_id])["id"], event_id, "alias");
    let err = e.json_error(1, &["events", "get", "evt_nope"]);
    assert_eq!(err["status"], 404);
}

#[test]
fn help_documents_exit_statuses_and_mock_outcomes() {
    let help = stdout(&run(&["--help"]));
    for line in [
        "Exit status:",
        "0  success",
        "1  refused",
        "2  usage",
        "3  outcome unknown",
        "4  nothing was sent",
        "\"outcome\"",
    ] {
        assert!(help.contains(line), "{line}: {help}");
    }
    let help = stdout(&run(&["mock", "--help"]));
    for word in [
        "mock_outcome",
        "\"failed\"",
        "\"funds_insufficient\"",
        "refund.succeeded",
        "Request log:",
        "--log-format",
        "--quiet",
        "--read-timeout-ms",
        "--max-connections",
        "--timestamp-window",
    ] {
        assert!(help.contains(word), "{word}: {help}");
    }
}
