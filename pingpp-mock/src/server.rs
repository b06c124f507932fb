//! HTTP: accept loop, authentication, signatures, fault injection and routing.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderMap, Method, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use percent_encoding::percent_decode_str;
use pingpp_webhook::server::{BodyError, ServeConfig, read_body, serve_http_until};
use rand::Rng;
use serde_json::Value;
use tokio::net::TcpListener;

use crate::request_log::applied_outcome;
use crate::state::{Answer, Ctx, Effect, Page, now};
use crate::validate::{ApiError, parse_body};
use crate::{InjectedFault, Mode, RequestRecord, Shared};

/// The connection is cut without an answer (fault injection).
#[derive(Debug, thiserror::Error)]
#[error("connection cut")]
struct Cut;

/// Serves on the webhook receiver's accept loop (connection cap, head and idle
/// timeouts, room made by closing the longest-idle connection) until shutdown.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let config = ServeConfig::default()
        .with_max_connections(shared.config.max_connections)
        .with_header_read_timeout(shared.config.read_timeout);
    let service = {
        let shared = Arc::clone(&shared);
        service_fn(move |req| handle(Arc::clone(&shared), req))
    };
    serve_http_until(listener, service, config, shared.shutdown_signal()).await;
    tracing::info!("pingpp-mock stopped");
}

fn json_response(status: u16, body: &Value) -> Response<Full<Bytes>> {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut resp = Response::new(Full::new(Bytes::from(bytes)));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp
}

fn error_response(e: &ApiError) -> Response<Full<Bytes>> {
    json_response(e.status, &e.to_json())
}

/// A body that could not be read whole: `413`, `408` or `400` with a JSON error, and
/// the connection closed (the rest of the body was never read).
fn body_error_response(e: &BodyError, limit: usize) -> Response<Full<Bytes>> {
    let message = match e {
        BodyError::TooLarge { .. } => format!("request body is larger than {limit} bytes"),
        BodyError::TimedOut(t) => format!("request body not received within {t:?}"),
        other => match std::error::Error::source(other) {
            Some(cause) => format!("{other}: {cause}"),
            None => other.to_string(),
        },
    };
    let mut resp = error_response(&ApiError::new(
        e.status().as_u16(),
        "invalid_request_error",
        message,
    ));
    resp.headers_mut().insert(
        http::header::CONNECTION,
        http::HeaderValue::from_static("close"),
    );
    resp
}

fn draw_fault(shared: &Shared) -> InjectedFault {
    let Some((cfg, rng)) = &shared.faults else {
        return InjectedFault::None;
    };
    let x: f64 = rng.lock().unwrap_or_else(|e| e.into_inner()).r#gen();
    if x < cfg.error_rate {
        InjectedFault::BadGateway
    } else if x < cfg.error_rate + cfg.cut_rate {
        InjectedFault::Cut
    } else if x < cfg.error_rate + cfg.cut_rate + cfg.delay_rate {
        InjectedFault::Delay(cfg.delay)
    } else {
        InjectedFault::None
    }
}

async fn handle(
    shared: Arc<Shared>,
    req: hyper::Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Cut> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let mut record = RequestRecord {
        method: parts.method.clone(),
        // Never the query: the log shows no parameter values.
        path: parts.uri.path().to_owned(),
        status: StatusCode::OK,
        latency: Duration::ZERO,
        fault: InjectedFault::None,
        mock_outcome: None,
    };
    let limit = shared.config.body_limit;
    let body = match read_body(&parts.headers, body, limit, shared.config.read_timeout).await {
        Ok(body) => body,
        Err(e) => {
            let resp = body_error_response(&e, limit);
            record.status = resp.status();
            log_request(&shared, record, started);
            return Ok(resp);
        }
    };
    shared
        .requests
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    record.fault = draw_fault(&shared);
    match record.fault {
        InjectedFault::BadGateway => {
            let resp = error_response(&ApiError::new(
                502,
                "api_error",
                "bad gateway (pingpp-mock fault injection)",
            ));
            record.status = resp.status();
            log_request(&shared, record, started);
            return Ok(resp);
        }
        InjectedFault::Delay(d) => tokio::time::sleep(d).await,
        _ => {}
    }
    let uri = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
    let result = process(&shared, &parts.method, &uri, &parts.headers, &body);
    let resp = match result {
        Ok((status, value, effects)) => {
            record.mock_outcome = applied_outcome(&parts.method, &value);
            run_effects(&shared, effects);
            json_response(status, &value)
        }
        Err(e) => {
            tracing::debug!(target: "pingpp_mock::request", method = %parts.method, path = %record.path, status = e.status, message = %e.message, "request refused");
            error_response(&e)
        }
    };
    record.status = resp.status();
    let cut = record.fault == InjectedFault::Cut;
    log_request(&shared, record, started);
    if cut {
        return Err(Cut);
    }
    Ok(resp)
}

/// Reports a request to the request log and to `tracing` (debug).
fn log_request(shared: &Shared, mut record: RequestRecord, started: Instant) {
    record.latency = started.elapsed();
    tracing::debug!(
        target: "pingpp_mock::request",
        method = %record.method,
        path = %record.path,
        status = record.status.as_u16(),
        fault = record.fault.as_str(),
        mock_outcome = record.mock_outcome,
        "request"
    );
    if let Some(log) = &shared.config.request_log {
        log(&record);
    }
}

/// Schedules follow-up work outside the state lock.
pub(crate) fn run_effects(shared: &Arc<Shared>, effects: Vec<Effect>) {
    let webhooks = shared.config.webhook_url.is_some();
    for effect in effects {
        match effect {
            Effect::Webhook(id) => {
                if webhooks {
                    shared.spawn_background(crate::webhook::deliver(Arc::clone(shared), id));
                }
            }
            Effect::FinishRefund {
                book,
                recharge,
                refund,
            } => {
                let s = Arc::clone(shared);
                shared.spawn_background(async move {
                    tokio::time::sleep(s.config.scaled(s.config.processing_delay)).await;
                    let more = s.state().finish_refund(&book, &recharge, &refund, webhooks);
                    run_effects(&s, more);
                });
            }
            Effect::FinishWithdrawal { book, id } => {
                let s = Arc::clone(shared);
                shared.spawn_background(async move {
                    tokio::time::sleep(s.config.scaled(s.config.processing_delay)).await;
                    let more = s.state().finish_withdrawal(&book, &id, webhooks);
                    run_effects(&s, more);
                });
            }
        }
    }
}

/// The API key from `Authorization`, or why there is none.
fn api_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let unauth = |msg: &str| ApiError::new(401, "invalid_request_error", msg).code("unauthorized");
    let Some(value) = headers.get(http::header::AUTHORIZATION) else {
        return Err(unauth(
            "no API key provided: send Authorization: Bearer <secret key>",
        ));
    };
    let value = value
        .to_str()
        .map_err(|_| unauth("the Authorization header is not ASCII"))?
        .trim();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        Ok(rest.to_owned())
    } else if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest)
            .map_err(|_| unauth("the Basic credentials are not valid base64"))?;
        let decoded = String::from_utf8(decoded)
            .map_err(|_| unauth("the Basic credentials are not UTF-8"))?;
        let user = decoded.split_once(':').map_or(decoded.as_str(), |(u, _)| u);
        Ok(user.to_owned())
    } else {
        Err(unauth(
            "unsupported Authorization scheme: use Bearer <secret key> or Basic",
        ))
    }
}

/// Authenticates; returns the key's mode (`sk_live_` live, `sk_test_` test).
fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<Mode, ApiError> {
    let key = api_key(headers)?;
    let invalid = || {
        // Never echo the key itself.
        ApiError::new(401, "invalid_request_error", "invalid API key provided").code("unauthorized")
    };
    let mode = if let Some(rest) = key.strip_prefix("sk_live_") {
        (!rest.is_empty()).then_some(Mode::Live)
    } else if let Some(rest) = key.strip_prefix("sk_test_") {
        (!rest.is_empty()).then_some(Mode::Test)
    } else {
        None
    };
    let mode = mode.ok_or_else(invalid)?;
    if !shared.config.api_keys.is_empty() && !shared.config.api_keys.contains(&key) {
        return Err(invalid());
    }
    Ok(mode)
}

/// Checks the merchant request signature when a public key is configured.
///
/// Ping++ checks signatures on POST and PUT requests ("所有的 POST 和 PUT 请求", the
/// refund and withdrawal guides): an unsigned GET or DELETE is served, but a request of
/// any method that carries a signature must carry a valid one. No timestamp window is
/// documented; [`crate::MockServerBuilder::timestamp_window`] adds one as an option.
fn check_signature(
    shared: &Shared,
    method: &Method,
    uri: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), ApiError> {
    let Some(key) = &shared.config.merchant_public_key else {
        return Ok(());
    };
    let unauth = |msg: String| ApiError::new(401, "invalid_request_error", msg);
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let must_sign = *method == Method::POST || *method == Method::PUT;
    let Some(signature) = header("pingplusplus-signature") else {
        if !must_sign {
            return Ok(());
        }
        return Err(unauth(
            "no signature: this app requires a Pingplusplus-Signature header (RSA-SHA256 with the merchant private key)".into(),
        )
        .code("signature_missing"));
    };
    let Some(ts) = header("pingplusplus-request-timestamp") else {
        return Err(unauth(
            "no timestamp: a signed request needs a Pingplusplus-Request-Timestamp header (Unix seconds)".into(),
        )
        .code("timestamp_missing"));
    };
    let Ok(ts) = ts.parse::<i64>() else {
        return Err(unauth(
            "the Pingplusplus-Request-Timestamp header is not an integer number of Unix seconds"
                .into(),
        )
        .code("timestamp_invalid"));
    };
    if let Some(window) = shared.config.timestamp_window {
        let window = i64::try_from(window.as_secs()).unwrap_or(i64::MAX);
        let skew = now().saturating_sub(ts);
        if skew.checked_abs().is_none_or(|s| s > window) {
            return Err(unauth(format!(
                "stale timestamp: Pingplusplus-Request-Timestamp is {skew} seconds from the server clock (allowed: {window}, an emulator option)"
            ))
            .code("timestamp_stale"));
        }
    }
    let signed_body: &[u8] = if must_sign { body } else { &[] };
    key.verify_request(signed_body, uri, ts, signature)
        .map_err(|e| {
            unauth(format!(
                "bad signature: Pingplusplus-Signature does not verify ({e}); sign body + request URI (path and query) + timestamp"
            ))
            .code("signature_invalid")
        })
}

fn parse_query(query: Option<&str>) -> HashMap<String, String> {
    let decode = |s: &str| {
        let s = s.replace('+', " ");
        percent_decode_str(&s).decode_utf8_lossy().into_owned()
    };
    query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn method_not_allowed(method: &Method, path: &str) -> ApiError {
    ApiError::new(
        405,
        "invalid_request_error",
        format!("method {method} is not allowed on {path}"),
    )
}

fn process(
    shared: &Arc<Shared>,
    method: &Method,
    uri: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Answer {
    let mode = authenticate(shared, headers)?;
    check_signature(shared, method, uri, headers, body)?;
    let (path, query) = match uri.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (uri, None),
    };
    let query = parse_query(query);
    let segments: Vec<String> = path
        .split('/')
        .skip(1)
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let seg: Vec<&str> = segments.iter().map(String::as_str).collect();
    let not_found = || {
        ApiError::new(
            404,
            "invalid_request_error",
            format!("unrecognized request URL ({method}: {path})"),
        )
        .code("url_not_found")
    };
    let webhooks = shared.config.webhook_url.is_some();
    let mut state = shared.state();
    match seg.as_slice() {
        ["v1", "events", id] if !id.is_empty() => match *method {
            Method::GET => state.get_event(mode, id),
            _ => Err(method_not_allowed(method, path)),
        },
        ["v1", "apps", app, rest @ ..] if !app.is_empty() => {
            let ctx = Ctx {
                app,
                mode,
                webhooks,
            };
            match (rest, method) {
                (["recharges"], &Method::POST) => state.create_recharge(&ctx, parse_body(body)?),
                (["recharges"], &Method::GET) => {
                    state.list_recharges(&ctx, path, &Page::from_query(&query)?)
                }
                (["recharges", id], &Method::GET) => state.get_recharge(&ctx, id),
                (["recharges", id, "refunds"], &Method::POST) => {
                    state.create_refund(&ctx, id, parse_body(body)?)
                }
                (["recharges", id, "refunds"], &Method::GET) => {
                    state.list_refunds(&ctx, id, path, &Page::from_query(&query)?)
                }
                (["recharges", id, "refunds", rid], &Method::GET) => {
                    state.get_refund(&ctx, id, rid)
                }
                (["withdrawals"], &Method::POST) => {
                    state.create_withdrawal(&ctx, parse_body(body)?)
                }
                (["withdrawals"], &Method::GET) => {
                    state.list_withdrawals(&ctx, path, &Page::from_query(&query)?, &query)
                }
                (["withdrawals", id], &Method::GET) => state.get_withdrawal(&ctx, id),
                (["withdrawals", id], &Method::PUT) => {
                    state.update_withdrawal(&ctx, id, parse_body(body)?)
                }
                (["batch_withdrawals"], &Method::POST) => {
                    state.create_batch(&ctx, parse_body(body)?)
                }
                (["batch_withdrawals"], &Method::GET) => state.list_batches(
                    &ctx,
                    path,
                    &Page::from_query(&query)?,
                    query.get("status").map(String::as_str),
                ),
                (["batch_withdrawals", id], &Method::GET) => state.get_batch(&ctx, id),
                (["users", user, "settle_accounts"], &Method::POST) if !user.is_empty() => {
                    state.create_settle_account(&ctx, user, parse_body(body)?)
                }
                (["users", user, "settle_accounts"], &Method::GET) if !user.is_empty() => {
                    state.list_settle_accounts(&ctx, user, path, &Page::from_query(&query)?)
                }
                (["users", user, "settle_accounts", id], &Method::GET) if !user.is_empty() => {
                    state.get_settle_account(&ctx, user, id)
                }
                (["users", user, "settle_accounts", id], &Method::DELETE) if !user.is_empty() => {
                    state.delete_settle_account(&ctx, user, id)
                }
                (
                    ["recharges"]
                    | ["recharges", _]
                    | ["recharges", _, "refunds"]
                    | ["recharges", _, "refunds", _]
                    | ["withdrawals"]
                    | ["withdrawals", _]
                    | ["batch_withdrawals"]
                    | ["batch_withdrawals", _]
                    | ["users", _, "settle_accounts"]
                    | ["users", _, "settle_accounts", _],
                    _,
                ) => Err(method_not_allowed(method, path)),
                _ => Err(not_found()),
            }
        }
        _ => Err(not_found()),
    }
}
