//! Small shared pieces: metadata maps.

/// Merchant metadata: a JSON object of flat key/value pairs (at most 10 pairs and
/// 1000 characters, see [`crate::validate_metadata`]).
pub type Metadata = serde_json::Map<String, serde_json::Value>;

/// A JSON object as sent by the server (e.g. a response `extra`).
pub type JsonMap = serde_json::Map<String, serde_json::Value>;
