//! What `sev serve` answers: JSON bodies with a sanitized message, the
//! Outcome after a committed write, and PagerDuty's own shapes on its
//! endpoints. Each answer carries a [`Note`] for the request log.

use crate::intake::apply::{IngestError, Outcome};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// What the request log says about a request besides method, path,
/// status and time: never a body, never a secret.
#[derive(Debug, Clone, Default)]
pub struct Note {
    pub integration: Option<String>,
    pub detail: String,
}

/// A message as it may be answered or logged: one line, no control or
/// invisible characters, bounded.
pub fn clean(msg: &str) -> String {
    crate::text::truncate(&crate::text::sanitize_line(msg), 400)
}

pub(super) fn respond(status: StatusCode, body: &serde_json::Value, note: Note) -> Response {
    let mut text = serde_json::to_vec(body).unwrap_or_default();
    text.push(b'\n');
    let mut r = (status, text).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.extensions_mut().insert(note);
    r
}

/// `{"error": MESSAGE}` with `status`.
pub fn error(status: StatusCode, integration: Option<&str>, msg: &str) -> Response {
    let msg = clean(msg);
    respond(
        status,
        &json!({ "error": msg }),
        Note {
            integration: integration.map(str::to_string),
            detail: format!("error={}", short(&msg)),
        },
    )
}

/// The status for a body that was not applied.
pub fn ingest_status(e: &IngestError) -> StatusCode {
    match e {
        IngestError::Bad(_) => StatusCode::BAD_REQUEST,
        IngestError::Unknown(_) => StatusCode::NOT_FOUND,
        IngestError::Store(crate::error::Error::Unavailable(_)) => StatusCode::SERVICE_UNAVAILABLE,
        IngestError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A write that failed or was refused, for a non-PagerDuty endpoint.
pub fn ingest_error(integration: &str, e: &IngestError) -> Response {
    error(ingest_status(e), Some(integration), &e.to_string())
}

/// 200 with what the committed write did.
pub fn outcome(integration: &str, o: &Outcome) -> Response {
    let mut body = serde_json::to_value(o).unwrap_or_else(|_| json!({}));
    if let Some(m) = body.as_object_mut() {
        m.insert("status".into(), json!("success"));
        m.insert("integration".into(), json!(integration));
    }
    respond(StatusCode::OK, &body, note(integration, o))
}

fn note(integration: &str, o: &Outcome) -> Note {
    Note {
        integration: Some(integration.to_string()),
        detail: format!(
            "alerts new={} updated={} resolved={} suppressed={} incidents={}",
            o.alerts_new,
            o.alerts_updated,
            o.alerts_resolved,
            o.alerts_suppressed,
            o.incidents.len()
        ),
    }
}

/// PagerDuty's 202.
pub fn pd_accepted(integration: &str, o: &Outcome) -> Response {
    respond(
        StatusCode::ACCEPTED,
        &json!({
            "status": "success",
            "message": "Event processed",
            "dedup_key": o.dedup_key,
        }),
        note(integration, o),
    )
}

/// PagerDuty's 400: every problem in `errors`.
pub fn pd_invalid(integration: Option<&str>, errors: &[String]) -> Response {
    let errors: Vec<String> = errors.iter().map(|e| clean(e)).collect();
    let detail = format!("error={}", short(&errors.join("; ")));
    respond(
        StatusCode::BAD_REQUEST,
        &json!({
            "status": "invalid event",
            "message": "Event object is invalid",
            "errors": errors,
        }),
        Note {
            integration: integration.map(str::to_string),
            detail,
        },
    )
}

/// Any other PagerDuty-endpoint answer (413, 408, 5xx): PagerDuty's
/// `status`/`message` shape.
pub fn pd_error(status: StatusCode, integration: Option<&str>, msg: &str) -> Response {
    let msg = clean(msg);
    respond(
        status,
        &json!({ "status": "error", "message": msg }),
        Note {
            integration: integration.map(str::to_string),
            detail: format!("error={}", short(&msg)),
        },
    )
}

/// A message short enough for a log line, quoted.
fn short(msg: &str) -> String {
    format!("{:?}", crate::text::truncate(msg, 120))
}
