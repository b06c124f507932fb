//! Reading request bodies with the SDK's own types, and Ping++-style error bodies.
//!
//! Every body is read in two steps: strictly as JSON (a key repeated anywhere is
//! refused, see [`pingpp_types::parse_json_strict`]), then into the pingpp-types
//! parameter type and its [`Validate`]. So the emulator enforces the documented rules
//! with the very code the SDK checks them with; only what a client cannot know
//! (balances, uniqueness, state, ownership) is checked here and in `state.rs`.

use pingpp_types::{Validate, ValidationError};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// An error answered to the client: `{"error":{"type","message","code"?,"param"?}}`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) kind: &'static str,
    pub(crate) message: String,
    pub(crate) code: Option<&'static str>,
    pub(crate) param: Option<String>,
}

impl ApiError {
    pub(crate) fn new(status: u16, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            message: message.into(),
            code: None,
            param: None,
        }
    }

    /// 400 `invalid_request_error` about one parameter.
    pub(crate) fn param(param: &str, message: impl Into<String>) -> Self {
        Self {
            param: Some(param.to_owned()),
            ..Self::new(400, "invalid_request_error", message)
        }
    }

    pub(crate) fn not_found(what: &str, id: &str) -> Self {
        Self {
            code: Some("resource_missing"),
            ..Self::new(
                404,
                "invalid_request_error",
                format!("No such {what}: {id}"),
            )
        }
    }

    pub(crate) fn code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    pub(crate) fn with_param(mut self, param: &str) -> Self {
        self.param = Some(param.to_owned());
        self
    }

    pub(crate) fn to_json(&self) -> Value {
        let mut e = Map::new();
        e.insert("type".into(), Value::from(self.kind));
        e.insert("message".into(), Value::from(self.message.clone()));
        if let Some(c) = self.code {
            e.insert("code".into(), Value::from(c));
        }
        if let Some(p) = &self.param {
            e.insert("param".into(), Value::from(p.clone()));
        }
        let mut root = Map::new();
        root.insert("error".into(), Value::Object(e));
        Value::Object(root)
    }
}

impl From<ValidationError> for ApiError {
    /// The SDK's validation error as Ping++'s 400, the parameter in Ping++'s bracket
    /// form (`extra[account]`).
    fn from(e: ValidationError) -> Self {
        let mut err = Self::new(400, "invalid_request_error", e.to_string());
        err.param = e.field().map(bracketed);
        err
    }
}

/// `extra.account` → `extra[account]`, `charge.amount` → `charge[amount]`.
fn bracketed(dotted: &str) -> String {
    let mut parts = dotted.split('.');
    let mut out = parts.next().unwrap_or_default().to_owned();
    for p in parts {
        out.push('[');
        out.push_str(p);
        out.push(']');
    }
    out
}

/// The largest amount accepted, in fen (one billion yuan): keeps every sum far from
/// overflow. An emulator guard, not a documented rule.
pub(crate) const MAX_AMOUNT: i64 = 100_000_000_000;

/// Refuses an amount above [`MAX_AMOUNT`].
pub(crate) fn at_most_max(param: &str, value: i64) -> Result<(), ApiError> {
    if value > MAX_AMOUNT {
        Err(ApiError::param(
            param,
            format!("{param} must be at most {MAX_AMOUNT} fen"),
        ))
    } else {
        Ok(())
    }
}

/// The request body as a strictly read JSON object.
fn body_value(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new(
            400,
            "invalid_request_error",
            "request body is empty; expected a JSON object",
        ));
    }
    match pingpp_types::parse_json_strict(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(ApiError::new(
            400,
            "invalid_request_error",
            "request body must be a JSON object",
        )),
        Err(e) => {
            let message = e.to_string();
            let mut err = ApiError::new(
                400,
                "invalid_request_error",
                format!("request body is not valid JSON: {message}"),
            );
            if message.starts_with("duplicate key") {
                err.message = format!("request body repeats a key: {message}");
                err.code = Some("duplicate_key");
            }
            Err(err)
        }
    }
}

/// Reads `body` as `T` (the SDK's parameter type) and validates it with the SDK's rules.
pub(crate) fn parse_body<T: DeserializeOwned + Validate>(body: &[u8]) -> Result<T, ApiError> {
    let value = body_value(body)?;
    let params: T = serde_path_to_error::deserialize(&value).map_err(|e| {
        let message = e.inner().to_string();
        ApiError::param(&param_of(e.path(), &message), message)
    })?;
    params.validate()?;
    Ok(params)
}

/// The parameter a deserialization error is about, in bracket form: the path where it
/// happened, plus the field a "missing field" error names.
fn param_of(path: &serde_path_to_error::Path, message: &str) -> String {
    let mut segments: Vec<String> = path
        .iter()
        .filter_map(|s| match s {
            serde_path_to_error::Segment::Map { key } => Some(key.clone()),
            serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
            _ => None,
        })
        .collect();
    if let Some(rest) = message.strip_prefix("missing field `")
        && let Some((field, _)) = rest.split_once('`')
    {
        segments.push(field.to_owned());
    }
    bracketed(&segments.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pingpp_types::{CreateRecharge, CreateWithdrawal};

    fn refused<T: DeserializeOwned + Validate + std::fmt::Debug>(body: &str) -> ApiError {
        parse_body::<T>(body.as_bytes()).expect_err(body)
    }

    #[test]
    fn errors_name_the_parameter_in_bracket_form() {
        let e = refused::<CreateWithdrawal>(
            r#"{"user":"u","amount":1,"user_fee":0,"order_no":"1","channel":"wx","extra":{}}"#,
        );
        assert_eq!(e.param.as_deref(), Some("extra[open_id]"), "{e:?}");
        let e = refused::<CreateWithdrawal>(
            r#"{"user":"u","amount":1,"order_no":"1","channel":"wx","extra":{"open_id":"o"}}"#,
        );
        assert_eq!(e.param.as_deref(), Some("user_fee"), "{e:?}");
        let e = refused::<CreateRecharge>(
            r#"{"user":"u","charge":{"amount":1.5,"channel":"c","order_no":"1","subject":"s","body":"b"}}"#,
        );
        assert_eq!(e.param.as_deref(), Some("charge[amount]"), "{e:?}");
        let e = refused::<CreateWithdrawal>(
            r#"{"user":"u","amount":1,"user_fee":0,"order_no":"12345678901234567","channel":"unionpay","extra":{"account":"1","name":"n","open_bank_code":"1"}}"#,
        );
        assert_eq!(e.param.as_deref(), Some("order_no"), "{e:?}");
    }

    #[test]
    fn duplicate_keys_anywhere_are_refused() {
        let e = refused::<CreateWithdrawal>(
            r#"{"user":"u","amount":1,"amount":99999999999,"user_fee":0,"order_no":"1","channel":"wx","extra":{"open_id":"o"}}"#,
        );
        assert_eq!(e.status, 400);
        assert_eq!(e.code, Some("duplicate_key"));
        assert!(e.message.contains("`amount`"), "{}", e.message);
        let e = refused::<CreateWithdrawal>(
            r#"{"user":"u","amount":1,"user_fee":0,"order_no":"1","channel":"wx","extra":{"open_id":"o"},"x":{"y":1,"y":2}}"#,
        );
        assert_eq!(e.code, Some("duplicate_key"));
    }
}
