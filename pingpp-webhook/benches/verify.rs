//! Cost of verifying (and parsing) a 1 KB Ping++ event.
//!
//! Compare `webhook/verify_1k` with one RSA-2048 verify from `openssl speed -seconds 3 rsa2048`
//! (1 / verify/s) on the same machine.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn body_1k() -> Vec<u8> {
    let mut body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/withdrawal_succeeded.json"
    ))
    .expect("fixture");
    // Pad the description to make the body exactly 1024 bytes of valid JSON.
    let text = String::from_utf8(body).expect("utf-8 fixture");
    let pad = 1024 - text.len();
    body = text
        .replacen(
            "\"description\":\"提现\"",
            &format!("\"description\":\"提现{}\"", "x".repeat(pad)),
            1,
        )
        .into_bytes();
    assert_eq!(body.len(), 1024);
    body
}

fn bench(c: &mut Criterion) {
    let pair = pingpp_sign::generate_keypair().expect("key pair");
    let body = body_1k();
    let signature = pair.private_key().expect("key").sign(&body).expect("sign");
    let verifier = pingpp_webhook::Verifier::from_pem(pair.public_pem()).expect("verifier");
    verifier
        .verify_and_parse(&body, signature.as_str())
        .expect("valid");

    let mut group = c.benchmark_group("webhook");
    group.bench_function("verify_1k", |b| {
        b.iter(|| verifier.verify(black_box(&body), black_box(signature.as_str())))
    });
    group.bench_function("verify_parse_1k", |b| {
        b.iter(|| verifier.verify_and_parse(black_box(&body), black_box(signature.as_str())))
    });
    // For reference: the parsing share of verify_parse_1k (no verification).
    group.bench_function("parse_1k", |b| {
        b.iter(|| pingpp_webhook::parse(black_box(&body)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
