//! `types/parse_event_1k`: parse a ~1 KB `balance.withdrawal.succeeded` event.
//!
//! Two spellings of the same event: keys sorted (`data` before `type`, as
//! `serde_json::Value` writes them) and in Ping++'s order (`type` before `data`).
//! `types/parse_withdrawal_1k` parses the `data.object` alone, for reference.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pingpp_types::{Event, Withdrawal};

fn bench(c: &mut Criterion) {
    let mut event: serde_json::Value = serde_json::from_str(include_str!(
        "../tests/fixtures/event_withdrawal_succeeded.json"
    ))
    .expect("fixture");
    // Pad the description so the body is about 1 KB, as a real notification is.
    let mut body = serde_json::to_vec(&event).expect("serialize");
    let pad = 1024usize.saturating_sub(body.len());
    event["data"]["object"]["description"] = serde_json::Value::String("x".repeat(pad.max(1)));
    body = serde_json::to_vec(&event).expect("serialize");
    // The same event as Ping++ writes it: `type` before `data`.
    let parsed: Event = serde_json::from_slice(&body).expect("parse");
    let type_first = serde_json::to_vec(&parsed).expect("serialize");
    assert!(
        String::from_utf8_lossy(&type_first).find("\"type\"")
            < String::from_utf8_lossy(&type_first).find("\"data\"")
    );
    let object = serde_json::to_vec(&event["data"]["object"]).expect("serialize");

    let mut group = c.benchmark_group("types");
    group.bench_function("parse_event_1k", |b| {
        b.iter(|| serde_json::from_slice::<Event>(black_box(&body)).expect("parse"))
    });
    group.bench_function("parse_event_1k_type_first", |b| {
        b.iter(|| serde_json::from_slice::<Event>(black_box(&type_first)).expect("parse"))
    });
    group.bench_function("parse_withdrawal_1k", |b| {
        b.iter(|| serde_json::from_slice::<Withdrawal>(black_box(&object)).expect("parse"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
