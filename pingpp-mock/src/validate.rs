//! Request parameter checks, with Ping++-style error bodies.

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

pub(crate) type Obj = Map<String, Value>;

/// The request body as a JSON object.
pub(crate) fn body_object(body: &[u8]) -> Result<Obj, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new(
            400,
            "invalid_request_error",
            "request body is empty; expected a JSON object",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::new(
            400,
            "invalid_request_error",
            "request body must be a JSON object",
        )),
        Err(e) => Err(ApiError::new(
            400,
            "invalid_request_error",
            format!("request body is not valid JSON: {e}"),
        )),
    }
}

fn get<'a>(m: &'a Obj, key: &str) -> Option<&'a Value> {
    m.get(key).filter(|v| !v.is_null())
}

/// A required, non-empty string.
pub(crate) fn req_str<'a>(m: &'a Obj, key: &str, param: &str) -> Result<&'a str, ApiError> {
    match get(m, key) {
        None => Err(ApiError::param(param, format!("{param} is required"))),
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(Value::String(_)) => Err(ApiError::param(param, format!("{param} must not be empty"))),
        Some(_) => Err(ApiError::param(param, format!("{param} must be a string"))),
    }
}

/// An optional string (null counts as absent).
pub(crate) fn opt_str<'a>(m: &'a Obj, key: &str, param: &str) -> Result<Option<&'a str>, ApiError> {
    match get(m, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::param(param, format!("{param} must be a string"))),
    }
}

/// The largest amount accepted, in fen (one billion yuan): keeps every sum far from overflow.
pub(crate) const MAX_AMOUNT: i64 = 100_000_000_000;

/// A required positive integer amount in fen.
pub(crate) fn req_amount(m: &Obj, key: &str, param: &str) -> Result<i64, ApiError> {
    match get(m, key) {
        None => Err(ApiError::param(param, format!("{param} is required"))),
        Some(v) => match v.as_i64() {
            Some(a) if a > 0 && a <= MAX_AMOUNT => Ok(a),
            Some(_) => Err(ApiError::param(
                param,
                format!("{param} must be between 1 and {MAX_AMOUNT} fen"),
            )),
            None => Err(ApiError::param(
                param,
                format!("{param} must be an integer number of fen"),
            )),
        },
    }
}

/// An optional non-negative integer amount in fen (absent = 0).
pub(crate) fn opt_amount(m: &Obj, key: &str, param: &str) -> Result<i64, ApiError> {
    match get(m, key) {
        None => Ok(0),
        Some(v) => match v.as_i64() {
            Some(a) if (0..=MAX_AMOUNT).contains(&a) => Ok(a),
            _ => Err(ApiError::param(
                param,
                format!("{param} must be an integer between 0 and {MAX_AMOUNT} fen"),
            )),
        },
    }
}

/// Optional metadata: an object of at most 20 pairs.
pub(crate) fn metadata(m: &Obj) -> Result<Obj, ApiError> {
    match get(m, "metadata") {
        None => Ok(Obj::new()),
        Some(Value::Object(md)) if md.len() <= 20 => Ok(md.clone()),
        Some(Value::Object(_)) => Err(ApiError::param(
            "metadata",
            "metadata holds at most 20 pairs",
        )),
        Some(_) => Err(ApiError::param("metadata", "metadata must be an object")),
    }
}

/// At most `max` characters.
pub(crate) fn max_chars(s: &str, max: usize, param: &str) -> Result<(), ApiError> {
    if s.chars().count() > max {
        Err(ApiError::param(
            param,
            format!("{param} must be at most {max} characters"),
        ))
    } else {
        Ok(())
    }
}

fn alnum(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The seven withdrawal channels.
pub(crate) const CHANNELS: [&str; 7] = [
    "unionpay", "alipay", "wx", "wx_pub", "wx_lite", "allinpay", "jdpay",
];

/// Checks an order number against the channel's rule (`None`: a settle-account withdrawal).
pub(crate) fn withdrawal_order_no(channel: Option<&str>, order_no: &str) -> Result<(), ApiError> {
    let (ok, rule) = match channel {
        Some("unionpay") => (
            !order_no.is_empty()
                && order_no.len() <= 16
                && order_no.bytes().all(|b| b.is_ascii_digit()),
            "1-16 digits",
        ),
        Some("wx" | "wx_pub" | "wx_lite") => (alnum(order_no, 50), "1-50 letters or digits"),
        Some("allinpay") => (
            (20..=40).contains(&order_no.len())
                && order_no.bytes().take(10).all(|b| b.is_ascii_digit())
                && order_no.bytes().all(|b| b.is_ascii_alphanumeric()),
            "a 10-digit merchant number followed by a 10-30 character alphanumeric serial",
        ),
        _ => (alnum(order_no, 64), "1-64 letters or digits"),
    };
    if ok {
        Ok(())
    } else {
        let ch = channel.unwrap_or("settle_account");
        Err(ApiError::param(
            "order_no",
            format!("order_no for channel {ch} must be {rule}"),
        ))
    }
}

/// Recharge order numbers: 1-64 letters or digits.
pub(crate) fn recharge_order_no(order_no: &str) -> Result<(), ApiError> {
    if alnum(order_no, 64) {
        Ok(())
    } else {
        Err(ApiError::param(
            "charge[order_no]",
            "charge[order_no] must be 1-64 letters or digits",
        ))
    }
}

/// Checks a withdrawal's `extra` for `channel`; returns the `extra` the response echoes
/// (WeChat `openid` renamed `open_id`, allinpay `business_code` defaulted).
pub(crate) fn withdrawal_extra(channel: &str, extra: Option<&Value>) -> Result<Obj, ApiError> {
    let mut extra = match extra {
        Some(Value::Object(e)) => e.clone(),
        None | Some(Value::Null) => {
            return Err(ApiError::param(
                "extra",
                format!("extra is required for channel {channel}"),
            ));
        }
        Some(_) => return Err(ApiError::param("extra", "extra must be an object")),
    };
    let need = |e: &Obj, key: &str| -> Result<(), ApiError> {
        req_str(e, key, &format!("extra[{key}]")).map(|_| ())
    };
    match channel {
        "unionpay" => {
            need(&extra, "account")?;
            need(&extra, "name")?;
            let code = opt_str(&extra, "open_bank_code", "extra[open_bank_code]")?;
            let bank = opt_str(&extra, "open_bank", "extra[open_bank]")?;
            if code.is_none_or(str::is_empty) && bank.is_none_or(str::is_empty) {
                return Err(ApiError::param(
                    "extra[open_bank_code]",
                    "unionpay needs extra[open_bank_code] (preferred) or extra[open_bank]",
                ));
            }
        }
        "alipay" => {
            need(&extra, "account")?;
            need(&extra, "name")?;
            match opt_str(&extra, "account_type", "extra[account_type]")? {
                None | Some("ALIPAY_USERID" | "ALIPAY_LOGONID") => {}
                Some(_) => {
                    return Err(ApiError::param(
                        "extra[account_type]",
                        "extra[account_type] must be ALIPAY_USERID or ALIPAY_LOGONID",
                    ));
                }
            }
        }
        "wx" | "wx_pub" | "wx_lite" => {
            let open_id = opt_str(&extra, "open_id", "extra[open_id]")?
                .filter(|s| !s.is_empty())
                .or(opt_str(&extra, "openid", "extra[openid]")?.filter(|s| !s.is_empty()))
                .map(str::to_owned);
            let Some(open_id) = open_id else {
                return Err(ApiError::param(
                    "extra[open_id]",
                    format!("extra[open_id] is required for channel {channel}"),
                ));
            };
            extra.remove("openid");
            extra.insert("open_id".into(), Value::from(open_id));
            let has_name = opt_str(&extra, "name", "extra[name]")?.is_some_and(|n| !n.is_empty());
            match get(&extra, "force_check") {
                None => {}
                Some(Value::Bool(_)) if has_name => {}
                Some(Value::Bool(_)) => {
                    return Err(ApiError::param(
                        "extra[force_check]",
                        "extra[force_check] needs extra[name]",
                    ));
                }
                Some(_) => {
                    return Err(ApiError::param(
                        "extra[force_check]",
                        "extra[force_check] must be a boolean",
                    ));
                }
            }
        }
        "allinpay" => {
            need(&extra, "account")?;
            need(&extra, "name")?;
            need(&extra, "open_bank_code")?;
            if opt_str(&extra, "business_code", "extra[business_code]")?.is_none() {
                extra.insert("business_code".into(), Value::from("09900"));
            }
            match get(&extra, "card_type") {
                None => {}
                Some(v) if v.as_i64() == Some(0) || v.as_i64() == Some(1) => {}
                Some(v) if v.as_str() == Some("0") || v.as_str() == Some("1") => {}
                Some(_) => {
                    return Err(ApiError::param(
                        "extra[card_type]",
                        "extra[card_type] must be 0 (card) or 1 (passbook)",
                    ));
                }
            }
        }
        "jdpay" => {
            need(&extra, "account")?;
            need(&extra, "name")?;
            need(&extra, "open_bank_code")?;
        }
        other => {
            return Err(ApiError::param(
                "channel",
                format!(
                    "unknown channel {other:?}; expected one of {}",
                    CHANNELS.join(", ")
                ),
            ));
        }
    }
    Ok(extra)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn order_number_rules_follow_the_channel_table() {
        assert!(withdrawal_order_no(Some("unionpay"), "1234567890123456").is_ok());
        assert!(withdrawal_order_no(Some("unionpay"), "12345678901234567").is_err());
        assert!(withdrawal_order_no(Some("unionpay"), "12ab").is_err());
        assert!(withdrawal_order_no(Some("wx"), &"a".repeat(50)).is_ok());
        assert!(withdrawal_order_no(Some("wx_pub"), &"a".repeat(51)).is_err());
        assert!(withdrawal_order_no(Some("alipay"), &"a".repeat(64)).is_ok());
        assert!(withdrawal_order_no(Some("jdpay"), "a-b").is_err());
        assert!(withdrawal_order_no(Some("allinpay"), "1234567890abcdefghij").is_ok());
        assert!(withdrawal_order_no(Some("allinpay"), "123456789Xabcdefghij").is_err());
        assert!(withdrawal_order_no(Some("allinpay"), "1234567890abc").is_err());
    }

    #[test]
    fn wechat_accepts_openid_and_answers_open_id() {
        let e = withdrawal_extra("wx_pub", Some(&json!({"openid": "o1"}))).unwrap();
        assert_eq!(e.get("open_id"), Some(&json!("o1")));
        assert!(e.get("openid").is_none());
        let err = withdrawal_extra("wx", Some(&json!({"name": "x"}))).unwrap_err();
        assert_eq!(err.param.as_deref(), Some("extra[open_id]"));
        let err = withdrawal_extra(
            "wx_lite",
            Some(&json!({"open_id": "o", "force_check": true})),
        )
        .unwrap_err();
        assert_eq!(err.param.as_deref(), Some("extra[force_check]"));
    }

    #[test]
    fn channel_required_fields() {
        assert!(withdrawal_extra("unionpay", Some(&json!({"account": "1", "name": "n"}))).is_err());
        assert!(
            withdrawal_extra(
                "unionpay",
                Some(&json!({"account": "1", "name": "n", "open_bank": "ICBC"}))
            )
            .is_ok()
        );
        assert!(withdrawal_extra("jdpay", Some(&json!({"account": "1", "name": "n"}))).is_err());
        let e = withdrawal_extra(
            "allinpay",
            Some(&json!({"account": "1", "name": "n", "open_bank_code": "0102"})),
        )
        .unwrap();
        assert_eq!(e.get("business_code"), Some(&json!("09900")));
        assert!(
            withdrawal_extra(
                "alipay",
                Some(&json!({"account": "a", "name": "n", "account_type": "X"}))
            )
            .is_err()
        );
        assert!(withdrawal_extra("paypal", Some(&json!({}))).is_err());
        assert!(withdrawal_extra("alipay", None).is_err());
    }
}
