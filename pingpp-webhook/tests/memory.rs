//! Heap use of verify + parse grows with the event, not beyond it.
//!
//! Counts every allocation with dhat's global allocator (this binary only) and reports
//! the peak of live heap bytes while one event of 1 KB and one of 64 KB is verified and
//! parsed. `cargo test -p pingpp-webhook --release --test memory -- --nocapture` prints
//! the figures; `cargo xtask bench` runs it.

mod common;

use serde_json::json;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// A `balance.withdrawal.succeeded` event padded to about `size` bytes.
fn event_of_size(size: usize) -> Vec<u8> {
    let mut event: serde_json::Value =
        serde_json::from_slice(&common::fixture("withdrawal_succeeded.json")).expect("fixture");
    let base = serde_json::to_vec(&event).expect("serialize").len();
    event["data"]["object"]["description"] = json!("x".repeat(size.saturating_sub(base).max(1)));
    serde_json::to_vec(&event).expect("serialize")
}

/// Peak live heap bytes allocated while verifying and parsing `body`.
fn peak_bytes(body: &[u8]) -> u64 {
    let verifier = common::verifier();
    let signature = common::sign(body);
    let profiler = dhat::Profiler::builder().testing().build();
    let event = verifier
        .verify_and_parse(body, signature.as_str())
        .expect("verifies and parses");
    let stats = dhat::HeapStats::get();
    drop(event);
    drop(profiler);
    stats.max_bytes as u64
}

#[test]
fn verify_and_parse_allocates_in_proportion_to_the_event() {
    // Make the lazily generated key before measuring.
    let _ = common::verifier();
    let small = event_of_size(1024);
    let large = event_of_size(64 * 1024);
    let peak_small = peak_bytes(&small);
    let peak_large = peak_bytes(&large);
    println!(
        "verify+parse peak heap: {} B for a {} B event, {} B for a {} B event",
        peak_small,
        small.len(),
        peak_large,
        large.len()
    );
    // The event is held once as typed data; transient copies stay a small multiple.
    assert!(
        peak_large <= 4 * large.len() as u64,
        "64 KB event peaked at {peak_large} B"
    );
    assert!(
        peak_small <= 16 * 1024,
        "1 KB event peaked at {peak_small} B"
    );
    // Growth is linear: 64× the body costs well under 64× the small event's fixed part.
    let per_byte = (peak_large - peak_small) as f64 / (large.len() - small.len()) as f64;
    assert!(per_byte < 4.0, "{per_byte:.2} heap bytes per body byte");
}
