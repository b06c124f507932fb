//! Verification and parsing, as a receiver uses them.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use common::{OTHER_KEYS, PING_KEYS, event_body, fixture, sign, verifier};
use pingpp_webhook::{EventData, Verifier, WebhookError, find_signature, parse};

#[test]
fn signed_event_verifies_and_parses() {
    let body = fixture("recharge_succeeded.json");
    let event = verifier()
        .verify_and_parse(&body, sign(&body).as_str())
        .expect("valid delivery");
    assert_eq!(event.id.as_deref(), Some("evt_401170613151232012345678"));
    assert_eq!(event.event_type(), "recharge.succeeded");
    verifier()
        .verify(&body, sign(&body).as_str())
        .expect("verify only");
}

#[test]
fn signature_found_in_headers_verifies() {
    let body = event_body("evt_h", true);
    let headers = [
        ("content-type".to_string(), "application/json".to_string()),
        ("x-pingplusplus-signature".to_string(), sign(&body)),
    ];
    let signature = find_signature(headers.iter().map(|(k, v)| (k, v)));
    let event = verifier().verify_and_parse(&body, signature).unwrap();
    assert_eq!(event.id.as_deref(), Some("evt_h"));
}

#[test]
fn openssl_dgst_signature_with_line_breaks_verifies() {
    // Made with: openssl dgst -sha256 -sign ping_priv.pem body | openssl base64
    // (openssl wraps base64 at 64 columns, so the value has line breaks).
    let body = fixture("recharge_succeeded.json");
    let signature = String::from_utf8(fixture("recharge_succeeded.openssl.sig")).unwrap();
    assert!(signature.trim_end().contains('\n'));
    let pem = String::from_utf8(fixture("openssl_public.pem")).unwrap();
    let verifier = Verifier::from_pem(&pem).unwrap();
    let event = verifier
        .verify_and_parse(&body, signature.as_str())
        .unwrap();
    assert!(matches!(event.data, EventData::RechargeSucceeded(_)));
    // The same signature over a body with one extra trailing newline does not verify.
    let mut reserialized = body.clone();
    reserialized.push(b'\n');
    assert!(matches!(
        verifier.verify(&reserialized, signature.as_str()),
        Err(WebhookError::SignatureMismatch { .. })
    ));
}

#[test]
fn openssl_cli_signature_made_now_verifies() {
    // Signs with the openssl command line, using a key this test made.
    let Ok(version) = std::process::Command::new("openssl")
        .arg("version")
        .output()
    else {
        eprintln!("openssl not installed; covered by the committed fixture test");
        return;
    };
    assert!(version.status.success());
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("key.pem");
    let body_path = dir.path().join("body.json");
    std::fs::write(&key_path, PING_KEYS.private_pem()).unwrap();
    let body = fixture("refund_succeeded.json");
    std::fs::write(&body_path, &body).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(&key_path)
        .arg(&body_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let signature = STANDARD.encode(&out.stdout);
    let event = verifier()
        .verify_and_parse(&body, signature.as_str())
        .unwrap();
    assert!(matches!(event.data, EventData::RefundSucceeded(_)));
}

#[test]
fn base64_leniency_is_exactly_padding_and_whitespace() {
    let body = event_body("evt_b64", true);
    let raw = STANDARD.decode(sign(&body)).unwrap();
    let v = verifier();
    // Accepted: padded, unpadded, wrapped with \n or \r\n, surrounding spaces.
    let padded = STANDARD.encode(&raw);
    let unpadded = STANDARD_NO_PAD.encode(&raw);
    assert_ne!(padded, unpadded);
    let wrapped: String = padded
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n");
    for ok in [padded.clone(), unpadded, wrapped, format!("  {padded}\n")] {
        v.verify(&body, ok.as_str())
            .unwrap_or_else(|e| panic!("{ok:?} rejected: {e}"));
    }
    // Rejected as not base64: URL-safe alphabet (when it differs), junk characters.
    let url = URL_SAFE.encode(&raw);
    if url != padded {
        for bad in [url, URL_SAFE_NO_PAD.encode(&raw)] {
            assert!(
                matches!(
                    v.verify(&body, bad.as_str()),
                    Err(WebhookError::InvalidBase64 { .. })
                ),
                "{bad:?}"
            );
        }
    }
    for bad in [
        format!("{padded}!"),
        format!("sha256={padded}"),
        "%%%".to_string(),
    ] {
        assert!(
            matches!(
                v.verify(&body, bad.as_str()),
                Err(WebhookError::InvalidBase64 { .. })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn missing_or_empty_signature_is_rejected_by_default() {
    let body = event_body("evt_test", false);
    let v = verifier();
    for signature in [None, Some(""), Some("  \r\n")] {
        let err = v.verify_and_parse(&body, signature).unwrap_err();
        assert!(
            matches!(err, WebhookError::MissingSignature),
            "{signature:?}: {err}"
        );
        assert!(
            err.to_string()
                .contains("insecure_accept_unsigned_test_events")
        );
        assert_eq!(err.http_status(), 400);
    }
    assert!(!v.accepts_unsigned_test_events());
}

#[test]
fn unsigned_test_events_only_with_explicit_opt_in_and_only_test_mode() {
    let v = verifier().insecure_accept_unsigned_test_events();
    let test_event = event_body("evt_test", false);
    let event = v.verify_and_parse(&test_event, None).unwrap();
    assert_eq!(event.id.as_deref(), Some("evt_test"));
    v.verify(&test_event, "").unwrap();
    // An unsigned live event is still rejected.
    let live = event_body("evt_live", true);
    assert!(matches!(
        v.verify_and_parse(&live, None),
        Err(WebhookError::MissingSignature)
    ));
    assert!(matches!(
        v.verify(&live, None),
        Err(WebhookError::MissingSignature)
    ));
    // A signed delivery is still checked.
    let wrong = OTHER_KEYS.sign(&test_event).unwrap();
    assert!(matches!(
        v.verify_and_parse(&test_event, wrong.as_str()),
        Err(WebhookError::SignatureMismatch { .. })
    ));
}

#[test]
fn signature_from_another_key_is_a_mismatch_naming_the_cause() {
    let body = event_body("evt_k", true);
    // E.g. the merchant verified with their own key pair.
    let signature = OTHER_KEYS.sign(&body).unwrap();
    let err = verifier()
        .verify_and_parse(&body, signature.as_str())
        .unwrap_err();
    assert!(matches!(err, WebhookError::SignatureMismatch { .. }));
    assert!(err.is_signature_error());
    let msg = err.to_string();
    assert!(msg.contains("raw body"), "{msg}");
    assert!(msg.contains("Ping++ public key"), "{msg}");
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn reserialized_body_does_not_verify() {
    let body = fixture("recharge_succeeded.json");
    let signature = sign(&body);
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let reserialized = serde_json::to_vec(&value).unwrap();
    assert_ne!(reserialized, body);
    assert!(matches!(
        verifier().verify(&reserialized, signature.as_str()),
        Err(WebhookError::SignatureMismatch { .. })
    ));
}

#[test]
fn body_size_limit_is_checked_first() {
    let body = event_body("evt_big", true);
    let v = verifier().with_max_body_size(body.len() - 1);
    // Even with a valid signature, and before looking at the (missing) signature.
    for signature in [Some(sign(&body)), None] {
        let err = v.verify_and_parse(&body, signature.as_deref()).unwrap_err();
        match err {
            WebhookError::BodyTooLarge { size, limit } => {
                assert_eq!((size, limit), (body.len(), body.len() - 1));
            }
            other => panic!("expected BodyTooLarge, got {other}"),
        }
    }
    let v = verifier().with_max_body_size(body.len());
    v.verify(&body, sign(&body).as_str()).unwrap();
    assert_eq!(
        Verifier::new(PING_KEYS.public_key()).max_body_size(),
        1024 * 1024
    );
}

#[test]
fn signed_body_that_is_not_json_or_not_an_event() {
    let v = verifier();
    let not_json = b"<xml>not json</xml>".to_vec();
    let err = v
        .verify_and_parse(&not_json, sign(&not_json).as_str())
        .unwrap_err();
    assert!(matches!(err, WebhookError::InvalidJson { .. }), "{err}");
    // Verify-only does not parse.
    v.verify(&not_json, sign(&not_json).as_str()).unwrap();

    for not_event in [
        &b"[1,2,3]"[..],
        b"{}",
        br#"{"id":"evt_1","object":"event"}"#,
    ] {
        let err = v
            .verify_and_parse(not_event, sign(not_event).as_str())
            .unwrap_err();
        assert!(matches!(err, WebhookError::NotAnEvent { .. }), "{err}");
        assert_eq!(err.http_status(), 400);
    }
}

#[test]
fn parse_only_parses_the_four_typed_events_and_unknown_types() {
    let e = parse(&fixture("recharge_succeeded.json")).unwrap();
    match &e.data {
        EventData::RechargeSucceeded(r) => {
            assert_eq!(r.amount, 10000);
        }
        other => panic!("expected RechargeSucceeded, got {other:?}"),
    }
    assert!(e.livemode);

    let e = parse(&fixture("refund_succeeded.json")).unwrap();
    match &e.data {
        EventData::RefundSucceeded(r) => {
            assert_eq!(r.id, "re_y1u944PmfnrTHyvnL0nD0iD1");
            assert_eq!(r.amount, 10000);
        }
        other => panic!("expected RefundSucceeded, got {other:?}"),
    }

    let e = parse(&fixture("withdrawal_succeeded.json")).unwrap();
    match &e.data {
        EventData::WithdrawalSucceeded(w) => {
            assert_eq!(w.id, "1701706151234567890");
            assert_eq!(w.amount, 20000);
        }
        other => panic!("expected WithdrawalSucceeded, got {other:?}"),
    }

    let e = parse(&fixture("withdrawal_failed.json")).unwrap();
    match &e.data {
        EventData::WithdrawalFailed(w) => {
            assert_eq!(w.failure_msg.as_deref(), Some("账户名与实名不符"));
        }
        other => panic!("expected WithdrawalFailed, got {other:?}"),
    }
    assert!(!e.livemode);

    let e = parse(&fixture("unknown_type.json")).unwrap();
    assert_eq!(e.event_type(), "summary.daily.available");
    assert!(
        matches!(&e.data, EventData::Other { .. }),
        "unknown type should be Other, got {:?}",
        e.data
    );
}

#[test]
fn parse_errors_are_distinct() {
    assert!(matches!(parse(b""), Err(WebhookError::InvalidJson { .. })));
    assert!(matches!(
        parse(b"{\"id\":"),
        Err(WebhookError::InvalidJson { .. })
    ));
    assert!(matches!(
        parse(b"null"),
        Err(WebhookError::NotAnEvent { .. })
    ));
    assert!(matches!(
        parse(br#"{"object":"refund","id":"re_1"}"#),
        Err(WebhookError::NotAnEvent { .. })
    ));
}

#[test]
fn key_errors_are_reported_and_name_the_expected_key() {
    let err = Verifier::from_pem("not a key").unwrap_err();
    assert!(matches!(err, WebhookError::Key { .. }));
    assert!(err.to_string().contains("BEGIN PUBLIC KEY"));
}

#[test]
fn debug_output_carries_no_private_key_material() {
    // The receiver only ever holds a public key; make sure nothing private leaks from
    // the helpers that generate signatures in tests either.
    let v = verifier();
    let debug = format!("{v:?}");
    assert!(!debug.contains("PRIVATE"), "{debug}");
    let private_pem = PING_KEYS.private_pem();
    let private_body: String = private_pem.lines().nth(3).unwrap().to_string();
    assert!(!debug.contains(&private_body));
    let err = verifier()
        .verify(b"{}", OTHER_KEYS.sign(b"{}").unwrap().as_str())
        .unwrap_err();
    assert!(!format!("{err:?}{err}").contains(&private_body));
}

#[cfg(feature = "http")]
#[test]
fn http_header_map_is_searched_case_insensitively() {
    let body = event_body("evt_http", true);
    let mut headers = http::HeaderMap::new();
    headers.insert("Content-Type", "application/json".parse().unwrap());
    headers.insert("X-PingPlusPlus-Signature", sign(&body).parse().unwrap());
    let event = verifier()
        .verify_and_parse_headers(&headers, &body)
        .unwrap();
    assert_eq!(event.id.as_deref(), Some("evt_http"));
    headers.remove("x-pingplusplus-signature");
    assert!(matches!(
        verifier().verify_and_parse_headers(&headers, &body),
        Err(WebhookError::MissingSignature)
    ));
}

#[test]
fn types_can_be_shared_across_threads_and_tasks() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<Verifier>();
    shareable::<WebhookError>();
    shareable::<pingpp_webhook::MemoryDedup>();
    // A verifier is loaded once and used from many threads.
    let v = verifier();
    let body = event_body("evt_threads", true);
    let signature = sign(&body);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| v.verify(&body, signature.as_str()).unwrap());
        }
    });
}
