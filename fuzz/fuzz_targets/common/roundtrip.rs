//! Shared by the `parse_*` targets: anything that parses must survive
//! serialize → parse unchanged, serialize the same way the second time, and serialize
//! to the very JSON it was parsed from (equal as `serde_json::Value`: nothing added,
//! nothing lost, `null` stays `null`, absent stays absent).

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;

/// Parses `data` as `T`; if that works, checks the JSON round trip.
pub fn check<T>(data: &[u8])
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let Ok(first) = serde_json::from_slice::<T>(data) else {
        return;
    };
    let json = serde_json::to_vec(&first).expect("a parsed value must serialize");
    let original: serde_json::Value =
        serde_json::from_slice(data).expect("what parses as a type parses as a value");
    let written: serde_json::Value = serde_json::from_slice(&json).expect("our output is JSON");
    assert_eq!(
        original, written,
        "serializing a parsed object changed the JSON"
    );
    let second: T = serde_json::from_slice(&json).unwrap_or_else(|e| {
        panic!(
            "re-parsing our own output failed: {e}\noutput: {}",
            String::from_utf8_lossy(&json)
        )
    });
    assert_eq!(
        first,
        second,
        "round trip changed the value\noutput: {}",
        String::from_utf8_lossy(&json)
    );
    let json_again = serde_json::to_vec(&second).expect("a parsed value must serialize");
    assert_eq!(
        String::from_utf8_lossy(&json),
        String::from_utf8_lossy(&json_again),
        "serialization is not stable"
    );
}
