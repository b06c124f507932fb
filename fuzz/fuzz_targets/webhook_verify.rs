//! Arbitrary body bytes and signature header → `Verifier::verify_and_parse`: `Ok` or
//! `Err`, never a panic, and the right one:
//!
//! * a genuine signature (made here with the test private key in `test-keys/`, as
//!   sent, re-wrapped with line breaks or without padding) verifies, and the result is
//!   exactly what `pingpp_webhook::parse` gives for the body;
//! * a genuine signature with one byte changed is a signature error;
//! * a fuzzed signature (directly, or found among fuzzed headers) is only ever accepted
//!   if it decodes to the genuine signature;
//! * no signature is `MissingSignature`, unless unsigned test events are accepted, and
//!   then only a parsable event with `"livemode": false` passes;
//! * a body over the limit is `BodyTooLarge` before anything else.
#![no_main]

use std::sync::LazyLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pingpp_sign::{PrivateKey, PublicKey};
use pingpp_webhook::{Verifier, WebhookError};

/// Throwaway key pair made for fuzzing only (`openssl genpkey`); it protects nothing.
const TEST_PRIVATE_KEY: &str = include_str!("../test-keys/test_private_key.pem");
const TEST_PUBLIC_KEY: &str = include_str!("../test-keys/test_public_key.pem");

static SIGNER: LazyLock<PrivateKey> = LazyLock::new(|| {
    PrivateKey::from_pem(TEST_PRIVATE_KEY).expect("the committed test private key loads")
});
static PUBLIC: LazyLock<PublicKey> = LazyLock::new(|| {
    PublicKey::from_pem(TEST_PUBLIC_KEY).expect("the committed test public key loads")
});

#[derive(Arbitrary, Debug)]
enum Signature<'a> {
    /// The genuine signature, as `PrivateKey::sign` makes it.
    Genuine,
    /// The genuine signature with a line break every `wrap` characters and, optionally,
    /// without its `=` padding.
    Reformatted { wrap: u8, strip_padding: bool },
    /// The genuine signature with one decoded byte changed.
    Corrupted { index: u16, xor: u8 },
    /// A fuzzed header value.
    Fuzzed(&'a str),
    /// Fuzzed headers, searched with `find_signature`.
    Headers(Vec<(&'a str, &'a [u8])>),
    /// No signature header.
    Absent,
}

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    signature: Signature<'a>,
    accept_unsigned: bool,
    max_body_size: Option<u16>,
    body: &'a [u8],
}

fn genuine(body: &[u8]) -> String {
    SIGNER.sign(body).expect("the test key signs")
}

fn decode(signature: &str) -> Vec<u8> {
    pingpp_sign::decode_signature(signature).expect("our own signature decodes")
}

fuzz_target!(|input: Input<'_>| {
    let mut verifier = Verifier::new(PUBLIC.clone());
    if input.accept_unsigned {
        verifier = verifier.insecure_accept_unsigned_test_events();
    }
    if let Some(limit) = input.max_body_size {
        verifier = verifier.with_max_body_size(usize::from(limit));
    }
    let body = input.body;
    let too_large = body.len() > verifier.max_body_size();
    let parsed = pingpp_webhook::parse(body);

    let (signature, result) = match &input.signature {
        Signature::Genuine => {
            let sig = genuine(body);
            let result = verifier.verify_and_parse(body, sig.as_str());
            (Some(sig), result)
        }
        Signature::Reformatted {
            wrap,
            strip_padding,
        } => {
            let mut sig = genuine(body);
            if *strip_padding {
                sig = sig.trim_end_matches('=').to_owned();
            }
            let wrap = usize::from(*wrap).max(1);
            let wrapped: Vec<String> = sig
                .as_bytes()
                .chunks(wrap)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect();
            let sig = wrapped.join("\r\n");
            let result = verifier.verify_and_parse(body, sig.as_str());
            (Some(sig), result)
        }
        Signature::Corrupted { index, xor } => {
            use base64::Engine as _;
            let mut raw = decode(&genuine(body));
            let i = usize::from(*index) % raw.len();
            raw[i] ^= xor.max(&1);
            let sig = base64::engine::general_purpose::STANDARD.encode(&raw);
            let result = verifier.verify_and_parse(body, sig.as_str());
            if !too_large {
                assert!(
                    matches!(result, Err(WebhookError::SignatureMismatch { .. })),
                    "a corrupted signature gave {result:?}"
                );
            }
            (None, result)
        }
        Signature::Fuzzed(sig) => {
            let result = verifier.verify_and_parse(body, *sig);
            (None, check_forgery(body, Some(sig), result))
        }
        Signature::Headers(headers) => {
            let found = pingpp_webhook::find_signature(headers.iter().map(|(k, v)| (k, *v)));
            let result = verifier.verify_and_parse(body, found);
            (None, check_forgery(body, found, result))
        }
        Signature::Absent => {
            let result = verifier.verify_and_parse(body, None);
            if !too_large {
                match &parsed {
                    Ok(event) if input.accept_unsigned && !event.livemode => {
                        assert_eq!(result.as_ref().ok(), Some(event));
                    }
                    Err(_) if input.accept_unsigned => assert!(result.is_err()),
                    _ => assert!(
                        matches!(result, Err(WebhookError::MissingSignature)),
                        "an unsigned delivery gave {result:?}"
                    ),
                }
            }
            (None, result)
        }
    };

    if too_large {
        assert!(
            matches!(result, Err(WebhookError::BodyTooLarge { .. })),
            "an oversized body gave {result:?}"
        );
    } else if signature.is_some() {
        // A genuine signature: the outcome is exactly the parser's.
        match (&parsed, &result) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(_), Err(e)) => assert!(
                !e.is_signature_error(),
                "a genuine signature was rejected: {e:?}"
            ),
            _ => panic!("verify_and_parse {result:?} disagrees with parse {parsed:?}"),
        }
    }
    if let Err(e) = &result {
        let _ = e.to_string();
        assert!(matches!(e.http_status(), 400 | 413));
    }
});

/// A fuzzed signature that was accepted must be the genuine one.
fn check_forgery(
    body: &[u8],
    signature: Option<&str>,
    result: Result<pingpp_types::Event, WebhookError>,
) -> Result<pingpp_types::Event, WebhookError> {
    if result.is_ok()
        && let Some(sig) = signature.filter(|s| !s.trim_ascii().is_empty())
    {
        assert_eq!(
            pingpp_sign::decode_signature(sig).ok(),
            Some(decode(&genuine(body))),
            "a signature that is not the genuine one was accepted"
        );
    }
    result
}
