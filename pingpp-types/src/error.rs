//! The API error body.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::common::JsonMap;
use crate::enums::ErrorType;

/// The body of an error response: `{"error":{"type":..,"message":..,"code":..,"param":..}}`.
///
/// ```
/// use pingpp_types::{ApiErrorBody, ErrorType};
/// let body: ApiErrorBody = serde_json::from_str(
///     r#"{"error":{"type":"invalid_request_error","message":"参数错误","param":"amount"}}"#,
/// ).unwrap();
/// assert_eq!(body.error.kind, ErrorType::InvalidRequest);
/// assert_eq!(body.error.param.as_deref(), Some("amount"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// The error.
    pub error: ApiErrorDetail,
    /// Fields this SDK does not know, kept verbatim.
    #[serde(flatten)]
    pub other: JsonMap,
}

/// The `error` object of an [`ApiErrorBody`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiErrorDetail {
    /// Error type (`type` on the wire).
    #[serde(rename = "type")]
    pub kind: ErrorType,
    /// Human-readable message, often Chinese.
    #[serde(default)]
    pub message: String,
    /// Error code, if any (omitted when `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The parameter at fault, if any (omitted when `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    /// Fields this SDK does not know, kept verbatim.
    #[serde(flatten)]
    pub other: JsonMap,
}

impl ApiErrorBody {
    /// An error body with the given type and message.
    pub fn new(kind: ErrorType, message: impl Into<String>) -> Self {
        Self {
            error: ApiErrorDetail {
                kind,
                message: message.into(),
                code: None,
                param: None,
                other: JsonMap::new(),
            },
            other: JsonMap::new(),
        }
    }
}

impl fmt::Display for ApiErrorDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)?;
        if let Some(code) = &self.code {
            write!(f, " (code {code})")?;
        }
        if let Some(param) = &self.param {
            write!(f, " (param `{param}`)")?;
        }
        Ok(())
    }
}

impl fmt::Display for ApiErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}
