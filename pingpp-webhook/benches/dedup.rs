//! Per-delivery cost of deduplication in memory: one claim and one complete of a new
//! event (two boxed futures), on a `MemoryDedup` and through an `Arc<dyn DedupStore>`.
//! Compare with `webhook/verify_1k` (benches/verify.rs): it should be noise.

use std::future::Future;
use std::hint::black_box;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use criterion::{Criterion, criterion_group, criterion_main};
use pingpp_webhook::{Claim, DedupKey, DedupStore, MemoryDedup};

/// Polls a future that `MemoryDedup` always has ready.
fn ready<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("MemoryDedup future was not ready"),
    }
}

/// Claims and completes the next new key, as one delivery does.
fn deliver(store: &dyn DedupStore, keys: &[DedupKey], n: &mut usize) {
    let key = &keys[*n % keys.len()];
    *n += 1;
    if let Claim::New(token) = ready(store.claim(key)).expect("claim") {
        ready(store.complete(key, token)).expect("complete");
    }
}

fn bench(c: &mut Criterion) {
    // More keys than the store keeps, so that claims stay new and eviction runs.
    let keys: Vec<DedupKey> = (0..50_000)
        .map(|i| DedupKey::new(format!("evt_{i:020}"), true))
        .collect();
    let mut group = c.benchmark_group("dedup");
    let memory = MemoryDedup::default();
    let mut n = 0;
    group.bench_function("memory_claim_complete", |b| {
        b.iter(|| deliver(black_box(&memory), &keys, &mut n))
    });
    let shared: Arc<dyn DedupStore> = Arc::new(MemoryDedup::default());
    let mut n = 0;
    group.bench_function("arc_dyn_memory_claim_complete", |b| {
        b.iter(|| deliver(black_box(&*shared), &keys, &mut n))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
