//! The routes and what each does: authenticate (from the headers, before
//! the body is read), read the body within the limits, apply it in one
//! transaction on a database thread, answer after the commit.

use super::answer::{self, Note};
use super::auth::{Auth, Keys, Presented, Refusal};
use super::body::{self, BodyError};
use super::worker::{Db, with_store};
use crate::clock::Clock;
use crate::config::Config;
use crate::intake::apply::IngestError;
use crate::intake::model::Source;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use std::sync::Arc;
use std::time::Instant;

use crate::intake::parse::{GRAFANA_SIGNATURE_HEADER, GRAFANA_TIMESTAMP_HEADER};

/// What every request handler shares.
pub struct Shared {
    pub config: Arc<Config>,
    pub db: Arc<Db>,
    pub keys: Keys,
    pub clock: Arc<dyn Clock>,
}

type St = State<Arc<Shared>>;

/// Every route, with the limits: at most `max_concurrent` requests in the
/// intake at once (more are answered 503 at once, so senders retry), a
/// body limit and a read timeout per request, and one log line each.
pub fn router(shared: Arc<Shared>) -> Router {
    let limits = &shared.config.alerts;
    let shed = tower::ServiceBuilder::new()
        .layer(axum::error_handling::HandleErrorLayer::new(overloaded))
        .layer(tower::load_shed::LoadShedLayer::new())
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
            limits.max_concurrent.max(1),
        ));
    let intake = Router::new()
        .route("/ingest/alertmanager", post(alertmanager))
        .route("/ingest/grafana", post(grafana))
        .route("/ingest/pagerduty", post(pagerduty))
        .route("/v2/enqueue", post(pagerduty))
        .route("/ingest/generic/{name}", post(generic))
        .route("/heartbeat/{name}", post(heartbeat))
        .layer(shed);
    Router::new()
        .route("/healthz", get(healthz))
        .merge(intake)
        .fallback(no_route)
        .layer(middleware::from_fn(log))
        .with_state(shared)
}

fn is_pagerduty(path: &str) -> bool {
    path == "/v2/enqueue" || path == "/ingest/pagerduty"
}

async fn overloaded(uri: Uri, _e: tower::BoxError) -> Response {
    let msg =
        "too many requests at once (max_concurrent under [alerts]): nothing was written, retry";
    if is_pagerduty(uri.path()) {
        answer::pd_error(StatusCode::SERVICE_UNAVAILABLE, None, msg)
    } else {
        answer::error(StatusCode::SERVICE_UNAVAILABLE, None, msg)
    }
}

async fn no_route(method: Method, uri: Uri) -> Response {
    answer::error(
        StatusCode::NOT_FOUND,
        None,
        &format!(
            "no endpoint {method} {}: POST /ingest/alertmanager, /ingest/grafana, /ingest/pagerduty, /v2/enqueue, /ingest/generic/NAME, /heartbeat/NAME; GET /healthz",
            uri.path()
        ),
    )
}

/// One line per request on stderr: time, method, path, status, duration,
/// integration and what happened. Never a body, a query string or a header.
async fn log(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = answer::clean(req.uri().path());
    let resp = next.run(req).await;
    let note = resp.extensions().get::<Note>().cloned().unwrap_or_default();
    let line = format!(
        "{} {method} {path} {} {}ms integration={} {}",
        chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ"),
        resp.status().as_u16(),
        start.elapsed().as_millis(),
        answer::clean(note.integration.as_deref().unwrap_or("-")),
        note.detail
    );
    super::say(&line);
    resp
}

async fn healthz(State(s): St) -> Response {
    let r = with_store(s.db.clone(), false, |st| {
        st.schema_info().map_err(IngestError::Store)
    })
    .await;
    let db = match r {
        Ok(_) => "reachable",
        Err(e) => {
            super::say(&format!(
                "healthz: database: {}",
                answer::clean(&e.to_string())
            ));
            "unreachable"
        }
    };
    answer::respond(
        StatusCode::OK,
        &serde_json::json!({ "status": "ok", "db": db }),
        Note {
            integration: None,
            detail: format!("db={db}"),
        },
    )
}

async fn alertmanager(State(s): St, headers: HeaderMap, body: Body) -> Response {
    authenticated(s, Source::Alertmanager, None, headers, body).await
}

async fn grafana(State(s): St, headers: HeaderMap, body: Body) -> Response {
    authenticated(s, Source::Grafana, None, headers, body).await
}

async fn generic(
    State(s): St,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    authenticated(s, Source::Generic, Some(name), headers, body).await
}

fn unauthorized(msg: &str) -> Response {
    let mut r = answer::error(StatusCode::UNAUTHORIZED, None, msg);
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"sev\""),
    );
    r
}

/// A refusal is answered before the body is read, and the server then
/// closes the connection (the unread body is still on it): say so, so a
/// client does not send its next request down a connection being closed
/// (it saw "peer disconnected" instead of the answer).
fn refused(r: Refusal) -> Response {
    let mut resp = match r {
        Refusal::Unauthorized(m) => unauthorized(m),
        Refusal::Elsewhere(m) => answer::error(StatusCode::NOT_FOUND, None, &m),
    };
    closing(&mut resp);
    resp
}

fn closing(resp: &mut Response) {
    resp.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
}

fn presented(headers: &HeaderMap) -> Presented {
    Presented::from_header(headers.get(header::AUTHORIZATION).map(|v| v.as_bytes()))
}

async fn read_body(s: &Shared, headers: &HeaderMap, body: Body) -> Result<Bytes, BodyError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let a = &s.config.alerts;
    body::read(body, declared, a.max_body_bytes, a.read_timeout).await
}

fn body_status(e: &BodyError) -> StatusCode {
    match e {
        BodyError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        BodyError::Slow(_) => StatusCode::REQUEST_TIMEOUT,
        BodyError::Broken(_) => StatusCode::BAD_REQUEST,
    }
}

/// Alertmanager, Grafana, generic: the credential picks the integration.
async fn authenticated(
    s: Arc<Shared>,
    source: Source,
    name: Option<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let auth = match s
        .keys
        .authenticate(Some(source), name.as_deref(), &presented(&headers))
    {
        Ok(Auth::Integration(n)) => Some(n.to_string()),
        Ok(Auth::BySignature) => None,
        Err(r) => return refused(r),
    };
    let bytes = match read_body(&s, &headers, body).await {
        Ok(b) => b,
        Err(e) => {
            // Too large, too slow or broken: the rest of the body is not read.
            let mut resp = answer::error(body_status(&e), auth.as_deref(), &e.to_string());
            closing(&mut resp);
            return resp;
        }
    };
    let signed = |secret: &[u8]| signature_ok(secret, &headers, &bytes);
    let integration = match auth {
        Some(n) => {
            if source == Source::Grafana
                && let Some(secret) = s.keys.signing_secret(&n)
                && !signed(secret)
            {
                return unauthorized(&signature_refusal(&headers));
            }
            n
        }
        None => match s.keys.grafana_by_signature(signed) {
            Some(n) => n.to_string(),
            None => return unauthorized(&signature_refusal(&headers)),
        },
    };
    match apply(&s, source, &integration, bytes).await {
        Ok(o) => answer::outcome(&integration, &o),
        Err(e) => answer::ingest_error(&integration, &e),
    }
}

fn signature_ok(secret: &[u8], headers: &HeaderMap, body: &[u8]) -> bool {
    let Some(sig) = headers
        .get(GRAFANA_SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let ts = headers
        .get(GRAFANA_TIMESTAMP_HEADER)
        .and_then(|v| v.to_str().ok());
    crate::intake::parse::grafana_signature_ok(secret, body, sig.trim(), ts)
}

fn signature_refusal(headers: &HeaderMap) -> String {
    if headers.contains_key(GRAFANA_SIGNATURE_HEADER) {
        "the X-Grafana-Alerting-Signature does not match the body: check the contact point's HMAC secret (the integration's signing_secret_file) and its timestamp header (X-Grafana-Alerting-Timestamp)".into()
    } else {
        "no X-Grafana-Alerting-Signature: this integration requires signed requests (set the HMAC secret in the Grafana contact point)".into()
    }
}

/// Apply a body in one transaction on a database thread.
async fn apply(
    s: &Arc<Shared>,
    source: Source,
    integration: &str,
    bytes: Bytes,
) -> Result<crate::intake::apply::Outcome, IngestError> {
    let config = s.config.clone();
    let now = s.clock.now();
    let name = integration.to_string();
    // Parsed and routed off the write turn; applied with whatever other
    // bodies wait for it (see `worker::apply_combined`).
    let prepared = {
        let config = config.clone();
        let parse = move || {
            std::panic::catch_unwind(|| {
                crate::intake::apply::prepare(&config, &name, source, &bytes, now)
            })
            .unwrap_or_else(|p| {
                Err(IngestError::Store(crate::error::Error::Internal(
                    crate::cli::crash_report(p.as_ref(), None, "the request was not applied"),
                )))
            })
        };
        tokio::task::spawn_blocking(parse).await.map_err(|_| {
            IngestError::Store(crate::error::Error::Internal(
                "the parser thread stopped".into(),
            ))
        })??
    };
    super::worker::apply_combined(s.db.clone(), config, prepared, now).await
}

/// PagerDuty Events API v2: the routing key in the body picks the
/// integration; answers are PagerDuty's (202 with the dedup key, 400 with
/// `errors`, also for a routing key that is not configured).
async fn pagerduty(State(s): St, headers: HeaderMap, body: Body) -> Response {
    let bytes = match read_body(&s, &headers, body).await {
        Ok(b) => b,
        Err(e) => return answer::pd_error(body_status(&e), None, &e.to_string()),
    };
    let key = routing_key(&bytes);
    let scrub = |m: String| match &key {
        Some(k) if !k.is_empty() => m.replace(k.as_str(), "<redacted>"),
        _ => m,
    };
    let Some(integration) = key
        .as_deref()
        .and_then(|k| s.keys.by_routing_key(k))
        .map(str::to_string)
    else {
        // Say what is wrong with the event first, as PagerDuty does; a
        // well-formed event with a key nobody configured is "Invalid
        // routing key" (400, not 401: PagerDuty's answer).
        let probe = crate::intake::config::Integration::named("pagerduty", Source::Pagerduty);
        let problem =
            match crate::intake::parse::parse(Source::Pagerduty, &bytes, &probe, s.clock.now()) {
                Err(bad) => scrub(bad.0),
                Ok(_) => "Invalid routing key".to_string(),
            };
        return answer::pd_invalid(None, &[problem]);
    };
    match apply(&s, Source::Pagerduty, &integration, bytes).await {
        Ok(o) => answer::pd_accepted(&integration, &o),
        Err(IngestError::Bad(bad)) => {
            let problems: Vec<String> = crate::intake::parse::pagerduty_errors(&bad)
                .into_iter()
                .map(scrub)
                .collect();
            answer::pd_invalid(Some(&integration), &problems)
        }
        Err(e) => answer::pd_error(
            answer::ingest_status(&e),
            Some(&integration),
            &scrub(e.to_string()),
        ),
    }
}

/// The routing key of a PagerDuty body, when it has one.
fn routing_key(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Key {
        routing_key: Option<serde_json::Value>,
    }
    let k: Key = serde_json::from_slice(body).ok()?;
    match k.routing_key? {
        serde_json::Value::String(s) => Some(s),
        _ => None,
    }
}

/// `POST /heartbeat/NAME`: the integration's own credential (a PagerDuty
/// integration's routing key as a bearer token); the body is ignored.
async fn heartbeat(
    State(s): St,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let integration = match s.keys.authenticate(None, Some(&name), &presented(&headers)) {
        Ok(Auth::Integration(n)) => n.to_string(),
        Ok(Auth::BySignature) => return unauthorized("no credential"),
        Err(r) => return refused(r),
    };
    if let Err(e) = read_body(&s, &headers, body).await {
        return answer::error(body_status(&e), Some(&integration), &e.to_string());
    }
    let config = s.config.clone();
    let now = s.clock.now();
    let n = integration.clone();
    let r = with_store(s.db.clone(), true, move |st| {
        crate::intake::timers::beat(st, &config, &n, now)
    })
    .await;
    match r {
        Ok(o) => answer::outcome(&integration, &o),
        Err(e) => answer::ingest_error(&integration, &e),
    }
}
