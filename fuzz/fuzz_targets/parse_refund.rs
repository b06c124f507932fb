//! Arbitrary bytes → `serde_json::from_slice::<pingpp_types::Refund>`: never panics, and
//! whatever parses survives serialize → parse unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common/roundtrip.rs"]
mod roundtrip;

fuzz_target!(|data: &[u8]| {
    roundtrip::check::<pingpp_types::Refund>(data);
});
