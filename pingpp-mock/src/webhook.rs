//! Webhook delivery: POST the event, signed like Ping++, retried on Ping++'s schedule.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

use crate::{Shared, WEBHOOK_RETRY_SCHEDULE};

/// One attempt to deliver one event.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryAttempt {
    /// The event delivered.
    pub event_id: String,
    /// The event type, e.g. `balance.withdrawal.succeeded`.
    pub event_type: String,
    /// 0 for the first attempt, 1 to 10 for the retries.
    pub attempt: u32,
    /// The HTTP status answered, `None` when there was no answer.
    pub status: Option<u16>,
    /// Why there was no answer (connection refused, timeout, ...).
    pub error: Option<String>,
    /// When the attempt finished.
    pub at: SystemTime,
}

impl DeliveryAttempt {
    /// Whether the receiver accepted the event (a 2xx answer).
    pub fn accepted(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Host, port and path-and-query of an `http://` URL.
pub(crate) fn parse_url(url: &str) -> Result<(String, u16, String), String> {
    let uri: Uri = url
        .parse()
        .map_err(|e| format!("webhook URL {url:?} is not a valid URL: {e}"))?;
    if uri.scheme_str() != Some("http") {
        return Err(format!(
            "webhook URL {url:?} must start with http:// (the emulator does not speak TLS)"
        ));
    }
    let host = uri
        .host()
        .ok_or_else(|| format!("webhook URL {url:?} has no host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = uri.port_u16().unwrap_or(80);
    let path = uri
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
    Ok((host, port, path))
}

/// One POST; the status answered.
async fn post_once(url: &str, body: Bytes, signature: &str) -> Result<u16, String> {
    let (host, port, path) = parse_url(url)?;
    let stream = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| format!("connect to {host}:{port}: {e}"))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP handshake: {e}"))?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::debug!(error = %e, "webhook connection ended");
        }
    });
    let host_header = if port == 80 {
        host.clone()
    } else if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let req = Request::post(path)
        .header(http::header::HOST, host_header)
        .header(
            http::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        )
        .header(http::header::USER_AGENT, "pingpp-mock")
        .header("X-Pingplusplus-Signature", signature)
        .body(Full::new(body))
        .map_err(|e| format!("building the request: {e}"))?;
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| format!("sending: {e}"))?;
    let status = resp.status().as_u16();
    // Drain the body so the connection closes cleanly; its content does not matter.
    let _ = resp.into_body().collect().await;
    Ok(status)
}

/// Delivers one event until a 2xx answer or the schedule runs out.
pub(crate) async fn deliver(shared: Arc<Shared>, event_id: String) {
    let Some(url) = shared.config.webhook_url.clone() else {
        return;
    };
    let Some(event) = shared.state().event(&event_id) else {
        return;
    };
    let event_type = event
        .get("type")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned();
    // Serialized once: every attempt sends the same bytes.
    let body = match serde_json::to_vec(&event) {
        Ok(b) => Bytes::from(b),
        Err(e) => {
            tracing::error!(error = %e, "cannot serialize event");
            return;
        }
    };
    let signature = match shared.signing_key.sign(&body) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot sign webhook");
            return;
        }
    };
    for attempt in 0..=WEBHOOK_RETRY_SCHEDULE.len() {
        let result = tokio::time::timeout(
            shared.config.webhook_timeout,
            post_once(&url, body.clone(), &signature),
        )
        .await
        .unwrap_or_else(|_| Err("timed out".to_owned()));
        let (status, error) = match result {
            Ok(s) => (Some(s), None),
            Err(e) => (None, Some(e)),
        };
        let record = DeliveryAttempt {
            event_id: event_id.clone(),
            event_type: event_type.clone(),
            attempt: u32::try_from(attempt).unwrap_or(u32::MAX),
            status,
            error,
            at: SystemTime::now(),
        };
        let accepted = record.accepted();
        tracing::debug!(event = %event_id, attempt, ?status, error = ?record.error, "webhook attempt");
        {
            let mut st = shared.state();
            st.deliveries.push(record);
            if accepted {
                st.webhook_done(&event_id);
                return;
            }
        }
        let Some(wait) = WEBHOOK_RETRY_SCHEDULE.get(attempt) else {
            break;
        };
        tokio::time::sleep(shared.config.scaled(*wait).max(Duration::from_micros(1))).await;
    }
    tracing::warn!(event = %event_id, "webhook never accepted; giving up");
    shared.state().webhook_done(&event_id);
}
