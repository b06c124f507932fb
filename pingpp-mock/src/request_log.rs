//! One record per request answered, for a request log
//! ([`MockServerBuilder::request_log`](crate::MockServerBuilder::request_log)).

use std::fmt;
use std::time::Duration;

use http::{Method, StatusCode};
use serde_json::Value;

/// The fault injected into one request ([`FaultConfig`](crate::FaultConfig)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InjectedFault {
    /// No fault: the request was processed and answered.
    None,
    /// Answered `502` without processing.
    BadGateway,
    /// Processed, then the connection was cut: the client got no answer.
    Cut,
    /// Processed and answered after this extra wait.
    Delay(Duration),
}

impl InjectedFault {
    /// `none`, `502`, `cut` or `delay`: the name a log shows.
    pub fn as_str(self) -> &'static str {
        match self {
            InjectedFault::None => "none",
            InjectedFault::BadGateway => "502",
            InjectedFault::Cut => "cut",
            InjectedFault::Delay(_) => "delay",
        }
    }
}

impl fmt::Display for InjectedFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request the emulator answered (or, with [`InjectedFault::Cut`], processed and
/// then cut), as a request log shows it.
///
/// It holds no secret and no body: not the API key, not the `Authorization` or
/// signature headers, not the query string (only the path).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestRecord {
    /// The request method.
    pub method: Method,
    /// The request path, without the query string.
    pub path: String,
    /// The status of the answer; with [`InjectedFault::Cut`], the status of the answer
    /// the client never received.
    pub status: StatusCode,
    /// From the request's head being read to its answer being ready (the injected
    /// delay included; the time to write the answer is not).
    pub latency: Duration,
    /// The fault injected, if any.
    pub fault: InjectedFault,
    /// The `metadata.mock_outcome` that steered this request: set on a withdrawal or
    /// refund create, and on a withdrawal confirm or cancel, when the object carries
    /// one (`succeeded`, `failed` or `funds_insufficient`).
    pub mock_outcome: Option<&'static str>,
}

impl RequestRecord {
    /// The record as one JSON object: `method`, `path`, `status`, `latency_ms`,
    /// `fault`, `mock_outcome` (`null` when none).
    ///
    /// ```
    /// # use pingpp_mock::RequestRecord;
    /// fn log(record: &RequestRecord) {
    ///     eprintln!("{}", record.to_json());
    /// }
    /// ```
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "method": self.method.as_str(),
            "path": self.path,
            "status": self.status.as_u16(),
            "latency_ms": latency_ms(self.latency),
            "fault": self.fault.as_str(),
            "mock_outcome": self.mock_outcome,
        })
    }
}

/// Milliseconds with microsecond precision.
fn latency_ms(d: Duration) -> f64 {
    // Whole microseconds first, so the value prints without float noise.
    let micros = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
    (micros as f64) / 1000.0
}

/// `POST /v1/apps/app_1/withdrawals 201 2.104ms fault=none mock_outcome=failed`: one
/// line, `mock_outcome` only when there is one.
impl fmt::Display for RequestRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}ms fault={}",
            self.method,
            self.path,
            self.status.as_u16(),
            latency_ms(self.latency),
            self.fault
        )?;
        if let InjectedFault::Delay(d) = self.fault {
            write!(f, "({}ms)", d.as_millis())?;
        }
        if let Some(outcome) = self.mock_outcome {
            write!(f, " mock_outcome={outcome}")?;
        }
        Ok(())
    }
}

/// The `mock_outcome` a successful answer carries, when the request created or
/// acted on a withdrawal or refund: one of the values the emulator accepts, so that
/// nothing else from a request body can reach a log.
pub(crate) fn applied_outcome(method: &Method, answer: &Value) -> Option<&'static str> {
    if *method != Method::POST && *method != Method::PUT {
        return None;
    }
    let object = answer.get("object").and_then(Value::as_str)?;
    if object != "withdrawal" && object != "refund" {
        return None;
    }
    match answer.pointer("/metadata/mock_outcome")?.as_str()? {
        "succeeded" => Some("succeeded"),
        "failed" => Some("failed"),
        "funds_insufficient" => Some("funds_insufficient"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fault: InjectedFault, outcome: Option<&'static str>) -> RequestRecord {
        RequestRecord {
            method: Method::POST,
            path: "/v1/apps/app_1/withdrawals".into(),
            status: StatusCode::CREATED,
            latency: Duration::from_micros(2104),
            fault,
            mock_outcome: outcome,
        }
    }

    #[test]
    fn human_line_names_every_field() {
        assert_eq!(
            record(InjectedFault::None, Some("failed")).to_string(),
            "POST /v1/apps/app_1/withdrawals 201 2.104ms fault=none mock_outcome=failed"
        );
        assert_eq!(
            record(InjectedFault::Delay(Duration::from_millis(300)), None).to_string(),
            "POST /v1/apps/app_1/withdrawals 201 2.104ms fault=delay(300ms)"
        );
    }

    #[test]
    fn json_has_a_stable_shape() {
        let v = record(InjectedFault::Cut, None).to_json();
        assert_eq!(
            v,
            serde_json::json!({
                "method": "POST", "path": "/v1/apps/app_1/withdrawals", "status": 201,
                "latency_ms": 2.104, "fault": "cut", "mock_outcome": null,
            })
        );
    }

    #[test]
    fn only_known_outcomes_of_writes_are_reported() {
        let w = |outcome: &str| serde_json::json!({"object": "withdrawal", "metadata": {"mock_outcome": outcome}});
        assert_eq!(applied_outcome(&Method::PUT, &w("failed")), Some("failed"));
        assert_eq!(applied_outcome(&Method::GET, &w("failed")), None);
        assert_eq!(applied_outcome(&Method::POST, &w("sk_live_x")), None);
        let batch = serde_json::json!({"object": "batch_withdrawal", "metadata": {"mock_outcome": "failed"}});
        assert_eq!(applied_outcome(&Method::POST, &batch), None);
    }
}
