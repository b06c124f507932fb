//! Every single-byte change to a signed delivery is rejected.

mod common;

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{fixture, sign, verifier};
use pingpp_webhook::{Verifier, WebhookError};
use proptest::prelude::*;

static BODY: LazyLock<Vec<u8>> = LazyLock::new(|| fixture("withdrawal_succeeded.json"));
static SIGNATURE: LazyLock<String> = LazyLock::new(|| sign(&BODY));
static VERIFIER: LazyLock<Verifier> = LazyLock::new(verifier);

/// The signature text with whitespace and padding removed: two texts that agree on this
/// decode to the same bytes under the documented leniency.
fn canonical(text: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    while v.last() == Some(&b'=') {
        v.pop();
    }
    v
}

#[test]
fn untouched_delivery_verifies() {
    VERIFIER
        .verify_and_parse(&BODY, SIGNATURE.as_str())
        .expect("the baseline delivery must verify");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_changed_body_byte_is_rejected(index in any::<prop::sample::Index>(), xor in 1u8..=255) {
        let mut body = BODY.clone();
        let i = index.index(body.len());
        body[i] ^= xor;
        let err = VERIFIER.verify_and_parse(&body, SIGNATURE.as_str()).unwrap_err();
        prop_assert!(matches!(err, WebhookError::SignatureMismatch { .. }), "{}", err);
    }

    #[test]
    fn any_changed_raw_signature_byte_is_rejected(index in any::<prop::sample::Index>(), xor in 1u8..=255) {
        let mut raw = STANDARD.decode(SIGNATURE.as_bytes()).unwrap();
        let i = index.index(raw.len());
        raw[i] ^= xor;
        let tampered = STANDARD.encode(&raw);
        let err = VERIFIER.verify_and_parse(&BODY, tampered.as_str()).unwrap_err();
        prop_assert!(matches!(err, WebhookError::SignatureMismatch { .. }), "{}", err);
    }

    /// Any byte of the header text changed to any other byte is rejected, except for the
    /// documented leniency: a padding `=` turned into whitespace decodes to the same
    /// signature (that case is asserted to verify, so the property stays exact).
    #[test]
    fn any_changed_signature_text_byte_is_rejected(index in any::<prop::sample::Index>(), xor in 1u8..=255) {
        let mut text = SIGNATURE.clone().into_bytes();
        let i = index.index(text.len());
        text[i] ^= xor;
        let result = match std::str::from_utf8(&text) {
            Ok(s) => VERIFIER.verify_and_parse(&BODY, s),
            // A non-UTF-8 header value cannot be passed as &str; find_signature maps it
            // to a value that is rejected as not base64.
            Err(_) => VERIFIER.verify_and_parse(&BODY, "\u{FFFD}"),
        };
        if canonical(&text) == canonical(SIGNATURE.as_bytes()) {
            prop_assert!(result.is_ok());
        } else {
            let err = result.unwrap_err();
            prop_assert!(
                matches!(err, WebhookError::SignatureMismatch { .. } | WebhookError::InvalidBase64 { .. }),
                "{}", err
            );
        }
    }
}
