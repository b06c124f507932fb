//! `sign/request_1k`: sign a request with a 1 KB body, its URI and timestamp.
//! `sign/verify_1k`: verify that signature with a key parsed once. Compare with
//! `openssl speed rsa2048` (`cargo xtask bench` prints both).
//!
//! Under a backend other than the default the group is named after it
//! (`sign_ring/...`), so `cargo xtask bench` can show the backends side by side.
//! A verify-only build (`rust-crypto`) has nothing to sign and skips this bench.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pingpp_sign::{Backend, PrivateKey};

/// Throwaway fixture key (tests/fixtures/README.md), so every backend can load it.
const TEST_PRIVATE: &str = include_str!("../tests/fixtures/test_private_key.pem");

fn bench(c: &mut Criterion) {
    let backend = pingpp_sign::backend();
    if !backend.can_sign() {
        eprintln!("sign bench skipped: the {backend} backend only verifies");
        return;
    }
    let key = PrivateKey::from_pem(TEST_PRIVATE).expect("fixture private key");
    let public = key.public_key();
    let body = vec![b'x'; 1024];
    let uri = "/v1/apps/app_1Gqj58ynP0mHeX1q/withdrawals";
    let timestamp = 1_700_000_000;

    let name = match backend {
        Backend::AwsLcRs => "sign".to_owned(),
        other => format!("sign_{other}"),
    };
    let mut group = c.benchmark_group(name);
    group.bench_function("request_1k", |b| {
        b.iter(|| {
            key.sign_request(black_box(&body), black_box(uri), black_box(timestamp))
                .expect("sign")
        })
    });
    let signature = key.sign_request(&body, uri, timestamp).expect("sign");
    group.bench_function("verify_1k", |b| {
        b.iter(|| {
            public
                .verify_request(black_box(&body), uri, timestamp, black_box(&signature))
                .expect("verify")
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
