//! The API error body.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::common::JsonMap;
use crate::enums::ErrorType;

string_enum! {
    /// The machine-readable `code` of an API error body.
    ///
    /// Ping++'s public documentation lists no error codes for the account-system API and
    /// the official SDKs (Go, Java, PHP, Python, Node.js) pass the code through as a bare
    /// string without naming any. The codes below are the ones this SDK's emulator
    /// (`pingpp-mock`) answers with, for the rules the protocol notes describe; any other
    /// code the server sends is kept in [`ErrorCode::Unknown`].
    ///
    /// ```
    /// use pingpp_types::ErrorCode;
    /// assert_eq!(ErrorCode::from("order_no_used"), ErrorCode::OrderNoUsed);
    /// assert!(ErrorCode::from("signature_invalid").is_signature_error());
    /// assert_eq!(ErrorCode::from("something_new").as_str(), "something_new");
    /// ```
    pub enum ErrorCode {
        /// The `order_no` was already used by another object of the same kind in this
        /// app (order numbers are unique, the only guard against paying twice).
        OrderNoUsed => "order_no_used",
        /// The user's balance is smaller than the amount to debit.
        BalanceInsufficient => "balance_insufficient",
        /// The balance would overflow.
        BalanceOverflow => "balance_overflow",
        /// The object is not in a status that allows the operation (e.g. confirming a
        /// withdrawal that is not `created`).
        InvalidStatus => "invalid_status",
        /// The recharge was already refunded.
        AlreadyRefunded => "already_refunded",
        /// No object with that id.
        ResourceMissing => "resource_missing",
        /// No such endpoint.
        UrlNotFound => "url_not_found",
        /// The API key is missing or not accepted.
        Unauthorized => "unauthorized",
        /// The app requires request signatures and `Pingplusplus-Signature` is missing.
        SignatureMissing => "signature_missing",
        /// `Pingplusplus-Signature` does not verify with the merchant public key.
        SignatureInvalid => "signature_invalid",
        /// A signed request lacks `Pingplusplus-Request-Timestamp`.
        TimestampMissing => "timestamp_missing",
        /// `Pingplusplus-Request-Timestamp` is not a number of Unix seconds.
        TimestampInvalid => "timestamp_invalid",
        /// `Pingplusplus-Request-Timestamp` is too far from the server clock.
        TimestampStale => "timestamp_stale",
    }
}

impl ErrorCode {
    /// A refused request signature or its timestamp: fix the key or the clock, do not
    /// simply try again.
    pub fn is_signature_error(&self) -> bool {
        matches!(
            self,
            Self::SignatureMissing
                | Self::SignatureInvalid
                | Self::TimestampMissing
                | Self::TimestampInvalid
                | Self::TimestampStale
        )
    }
}

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

impl ApiErrorDetail {
    /// The `code` as a typed [`ErrorCode`], if there is one.
    pub fn error_code(&self) -> Option<ErrorCode> {
        self.code.as_deref().map(ErrorCode::from)
    }
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
