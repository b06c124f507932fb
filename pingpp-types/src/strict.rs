//! JSON that refuses duplicate keys, at every level.
//!
//! `serde_json::Value` keeps the last of two equal keys (`{"amount":1,"amount":9}` reads
//! as 9). For money that ambiguity is not acceptable, and serde's derived structs already
//! refuse a repeated field, so every free-form part of this crate's types (`metadata`,
//! `extra`, unknown fields kept in `other`, raw embedded objects) is read through
//! [`StrictValue`] instead: a key that appears twice in one object is an error, whatever
//! the depth. The same rule applies to requests (the emulator parses them with these
//! types) and to responses (the SDK parses them with these types).

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::common::JsonMap;

/// A [`DeserializeSeed`] producing a [`Value`], refusing duplicate keys in any object.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

/// A [`DeserializeSeed`] producing a JSON object, refusing duplicate keys at any depth.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct StrictMap;

impl<'de> DeserializeSeed<'de> for StrictMap {
    type Value = JsonMap;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<JsonMap, D::Error> {
        d.deserialize_map(MapVisitor)
    }
}

/// Reads the entries of an object into a map, refusing a key seen before.
pub(crate) fn read_map<'de, A: MapAccess<'de>>(mut access: A) -> Result<JsonMap, A::Error> {
    let mut map = Map::new();
    while let Some(key) = access.next_key::<String>()? {
        if map.contains_key(&key) {
            return Err(duplicate_key(&key));
        }
        let value = access.next_value_seed(StrictValue)?;
        map.insert(key, value);
    }
    Ok(map)
}

/// The error for a key that appears twice in one object.
pub(crate) fn duplicate_key<E: de::Error>(key: &str) -> E {
    E::custom(format_args!("duplicate key `{key}`"))
}

struct MapVisitor;

impl<'de> Visitor<'de> for MapVisitor {
    type Value = JsonMap;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, access: A) -> Result<JsonMap, A::Error> {
        read_map(access)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(v) = seq.next_element_seed(StrictValue)? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, access: A) -> Result<Value, A::Error> {
        read_map(access).map(Value::Object)
    }
}

/// `deserialize_with` for an `Option<JsonMap>` field (`null` reads as `None`).
pub(crate) fn opt_map<'de, D: Deserializer<'de>>(d: D) -> Result<Option<JsonMap>, D::Error> {
    struct OptMap;
    impl<'de> Visitor<'de> for OptMap {
        type Value = Option<JsonMap>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object or null")
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            StrictMap.deserialize(d).map(Some)
        }
    }
    d.deserialize_option(OptMap)
}

/// `deserialize_with` for a `Value` field.
pub(crate) fn value<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    StrictValue.deserialize(d)
}

/// Parses `json` into a [`Value`], refusing a key that appears twice in any object.
///
/// `serde_json::from_slice::<Value>` keeps the last of two equal keys; this refuses
/// them, as the types of this crate do when they parse.
///
/// ```
/// assert!(pingpp_types::parse_json_strict(br#"{"a":{"b":1}}"#).is_ok());
/// let err = pingpp_types::parse_json_strict(br#"{"a":{"b":1,"b":2}}"#).unwrap_err();
/// assert!(err.to_string().contains("duplicate key `b`"));
/// ```
pub fn parse_json_strict(json: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let value = StrictValue.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_refused_at_every_depth() {
        for json in [
            r#"{"a":1,"a":2}"#,
            r#"{"x":{"a":1,"a":1}}"#,
            r#"[{"a":[{"k":true,"k":false}]}]"#,
        ] {
            let err = parse_json_strict(json.as_bytes()).unwrap_err();
            assert!(err.to_string().contains("duplicate key"), "{json}: {err}");
        }
        let ok =
            parse_json_strict(br#"{"a":{"a":1},"b":[{"a":1},{"a":2}],"c":null,"d":1.5}"#).unwrap();
        assert_eq!(
            ok,
            serde_json::json!({"a":{"a":1},"b":[{"a":1},{"a":2}],"c":null,"d":1.5})
        );
    }

    #[test]
    fn trailing_garbage_is_refused() {
        assert!(parse_json_strict(b"{} x").is_err());
    }
}
