//! `sign/request_1k`: sign a request with a 1 KB body, its URI and timestamp.
//! `sign/verify_1k`: verify that signature. Compare with `openssl speed rsa2048`
//! (`cargo xtask bench` prints both).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pingpp_sign::generate_keypair;

fn bench(c: &mut Criterion) {
    let pair = generate_keypair().expect("key generation");
    let key = pair.private_key().expect("private key");
    let public = pair.public_key().expect("public key");
    let body = vec![b'x'; 1024];
    let uri = "/v1/apps/app_1Gqj58ynP0mHeX1q/withdrawals";
    let timestamp = 1_700_000_000;

    let mut group = c.benchmark_group("sign");
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
