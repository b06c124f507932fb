//! Small shared pieces: metadata maps and lenient (de)serialization helpers.

use serde::{Deserialize, Deserializer};

/// Merchant metadata: a JSON object of key/value pairs (at most 20 keys and
/// 1000 characters, see [`crate::validate_metadata`]).
pub type Metadata = serde_json::Map<String, serde_json::Value>;

/// A JSON object as sent by the server (e.g. a response `extra`).
pub type JsonMap = serde_json::Map<String, serde_json::Value>;

/// Deserializes `null` as `T::default()` (e.g. a `null` map reads as an empty map).
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
