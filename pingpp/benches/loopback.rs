//! `client/withdrawal_create_loopback`: one signed withdrawal create through the
//! default transport (hyper + rustls stack, plain HTTP here) against the emulator on
//! 127.0.0.1, connection reused. The emulator verifies every signature, as Ping++
//! does. Signing is the floor of this number: compare it with `openssl speed rsa2048`
//! sign (`cargo xtask bench` prints both).

use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use pingpp::prelude::*;
use pingpp::{AlipayExtra, ChannelExtra, CreateRecharge, CreateRechargeCharge, CreateWithdrawal};

fn bench(c: &mut Criterion) {
    // One thread drives client and emulator alike: no cross-thread wake-ups on the
    // hot path, as in a service that calls Ping++ from its own runtime.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let pair = pingpp::sign::generate_keypair().expect("key generation");
    let mock = runtime
        .block_on(
            pingpp_mock::MockServer::builder()
                .api_key("sk_test_bench0000000000000000")
                .merchant_public_key(pair.public_key().expect("public key"))
                .start(),
        )
        .expect("emulator");
    let client = Client::builder()
        .api_key("sk_test_bench0000000000000000")
        .app_id("app_bench000000000000")
        .base_url(mock.base_url())
        .private_key(pair.private_key().expect("private key"))
        .build()
        .expect("client");
    // Enough balance for every iteration criterion may run (1 fen each).
    runtime
        .block_on(client.recharges().create(&CreateRecharge::new(
            "bench_user",
            CreateRechargeCharge::new(1_000_000_000, "alipay", "benchrecharge1", "充值", "bench"),
        )))
        .expect("recharge");

    let counter = AtomicU64::new(0);
    let mut group = c.benchmark_group("client");
    group.bench_function("withdrawal_create_loopback", |b| {
        b.iter(|| {
            let n = counter.fetch_add(1, Ordering::Relaxed);
            let params = CreateWithdrawal::new(
                "bench_user",
                1,
                format!("bench{n}"),
                ChannelExtra::Alipay(AlipayExtra::new("13800000000", "张三")),
            );
            runtime
                .block_on(client.withdrawals().create(&params))
                .expect("withdrawal create")
        })
    });
    group.finish();
    runtime.block_on(mock.shutdown());
}

criterion_group!(benches, bench);
criterion_main!(benches);
