//! Cost of verifying (and parsing) a 1 KB Ping++ event, with the key parsed once
//! (as a receiver holds it).
//!
//! Compare `webhook/verify_1k` with one RSA-2048 verify from `openssl speed -seconds 3 rsa2048`
//! (1 / verify/s) on the same machine; `cargo xtask bench` prints both. Under a backend
//! other than the default the group is named after it (`webhook_ring/...`,
//! `webhook_rust-crypto/...`), so the backends show side by side.

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

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture key")
}

/// The signature of `body` with the fixture "Ping++" key: ours where this build
/// signs, openssl's in a verify-only build.
fn signature(body: &[u8]) -> String {
    let private_pem = fixture("ping_private_key.pem");
    if pingpp_sign::backend().can_sign() {
        let key = pingpp_sign::PrivateKey::from_pem(&private_pem).expect("fixture key");
        return key.sign(body).expect("sign");
    }
    let dir = std::env::temp_dir().join(format!("pingpp-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (key, message) = (dir.join("key.pem"), dir.join("body.json"));
    std::fs::write(&key, private_pem).expect("write key");
    std::fs::write(&message, body).expect("write body");
    let out = std::process::Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(&key)
        .arg(&message)
        .output()
        .expect("openssl signs in a verify-only build");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "openssl dgst -sign failed");
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(out.stdout)
}

fn bench(c: &mut Criterion) {
    let body = body_1k();
    let signature = signature(&body);
    let verifier =
        pingpp_webhook::Verifier::from_pem(&fixture("ping_public_key.pem")).expect("verifier");
    verifier
        .verify_and_parse(&body, signature.as_str())
        .expect("valid");

    let name = match pingpp_sign::backend() {
        pingpp_sign::Backend::AwsLcRs => "webhook".to_owned(),
        other => format!("webhook_{other}"),
    };
    let mut group = c.benchmark_group(name);
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
