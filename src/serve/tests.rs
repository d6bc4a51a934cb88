//! The router in process: authentication, limits, load shedding and the
//! answers' shapes, without a socket. End-to-end runs of the binary are in
//! tests/serve*.rs.

use super::endpoints::{Shared, router};
use super::{auth::Keys, worker::Db};
use crate::clock::FixedClock;
use crate::config::Config;
use crate::intake::config::{AlertsConfig, Integration};
use crate::intake::model::Source;
use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::http::{Request, StatusCode};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tower::ServiceExt;

pub(super) const PD_KEY: &str = "e93facc04764012d7bfb002500d5d1a6";

pub(super) fn secret(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    p
}

pub(super) fn data(rel: &str) -> std::path::PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/ingest"
    ))
    .join(rel)
}

pub(super) struct Fixture {
    pub dir: tempfile::TempDir,
    pub app: Router,
}

pub(super) fn fixture(tweak: impl FnOnce(&mut AlertsConfig)) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sev.db");
    drop(crate::store::Store::open(&db).unwrap());
    let mut config = Config::builtin();
    config.database = db.clone();
    let mut am = Integration::named("prod", Source::Alertmanager);
    am.secret_file = Some(secret(dir.path(), "am", "tok-am"));
    am.heartbeat = Some(Duration::from_secs(300));
    let mut zbx = Integration::named("zabbix", Source::Generic);
    zbx.secret_file = Some(secret(dir.path(), "zbx", "zabbix:zbx-pass"));
    zbx.mapping = Some(crate::intake::config::Mapping {
        key: "zabbix-{{ body.id }}".into(),
        summary: "{{ body.host_name }}: {{ body.name }}".into(),
        severity: Some("{{ body.severity }}".into()),
        state: "{{ body.status }}".into(),
        ..Default::default()
    });
    let mut gf = Integration::named("grafana", Source::Grafana);
    gf.secret_file = Some(secret(dir.path(), "gf", "tok-gf"));
    gf.signing_secret_file = Some(secret(dir.path(), "gf-hmac", "hmac-key"));
    let mut pd = Integration::named("pd", Source::Pagerduty);
    pd.routing_key_file = Some(secret(dir.path(), "pd", PD_KEY));
    config.alerts.integrations = vec![am, gf, pd, zbx];
    tweak(&mut config.alerts);
    let (keys, _) = Keys::load(&config.alerts).unwrap();
    let clock = FixedClock::at("2026-09-01T08:00:00Z".parse().unwrap());
    let shared = Arc::new(Shared {
        config: Arc::new(config),
        db: Arc::new(Db::new(db)),
        keys,
        clock: Arc::new(clock),
    });
    Fixture {
        dir,
        app: router(shared),
    }
}

pub(super) fn post(path: &str, auth: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut r = Request::post(path);
    if let Some(a) = auth {
        r = r.header("authorization", a);
    }
    r.body(body.into()).unwrap()
}

pub(super) async fn call(app: &Router, req: Request<Body>) -> (StatusCode, serde_json::Value) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    let v = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
    (status, v)
}

/// A body that sends `first` and then nothing, ever.
struct Stalled(Option<Bytes>);

impl HttpBody for Stalled {
    type Data = Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        match self.0.take() {
            Some(b) => Poll::Ready(Some(Ok(hyper::body::Frame::data(b)))),
            None => Poll::Pending,
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_decide_who_is_let_in() {
    let f = fixture(|_| {});
    let am = "/ingest/alertmanager";
    let (s, v) = call(&f.app, post(am, None, "{}")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert!(v["error"].as_str().unwrap().contains("Bearer"), "{v}");
    let (s, _) = call(&f.app, post(am, Some("Bearer wrong"), "{}")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Grafana's token on Alertmanager's endpoint: told where it belongs.
    let (s, v) = call(&f.app, post(am, Some("Bearer tok-gf"), "{}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    assert!(
        v["error"].as_str().unwrap().contains("/ingest/grafana"),
        "{v}"
    );
    // A generic NAME that does not exist, with some credential: 401, the
    // same as a wrong token (nothing is learned without a credential).
    let (s, _) = call(&f.app, post("/ingest/generic/nope", Some("Bearer x"), "{}")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // No secret is ever echoed.
    let (_, v) = call(&f.app, post(am, Some("Bearer tok-gf"), "{}")).await;
    assert!(!v.to_string().contains("tok-gf"), "{v}");
}

#[tokio::test(flavor = "multi_thread")]
async fn grafana_refuses_a_missing_or_wrong_signature() {
    let f = fixture(|_| {});
    let body = std::fs::read(data("grafana/grafana_firing.json")).unwrap();
    let gf = "/ingest/grafana";
    let (s, v) = call(&f.app, post(gf, Some("Bearer tok-gf"), body.clone())).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("no X-Grafana-Alerting-Signature")
    );
    let mut r = post(gf, Some("Bearer tok-gf"), body);
    r.headers_mut().insert(
        axum::http::HeaderName::from_bytes(
            crate::intake::parse::GRAFANA_SIGNATURE_HEADER.as_bytes(),
        )
        .unwrap(),
        "00".repeat(32).parse().unwrap(),
    );
    let (s, v) = call(&f.app, r).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert!(
        v["error"].as_str().unwrap().contains("does not match"),
        "{v}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bodies_over_the_limit_are_refused_before_they_are_read() {
    let f = fixture(|a| a.max_body_bytes = 2048);
    let big = vec![b' '; 2049];
    let (s, v) = call(
        &f.app,
        post("/ingest/alertmanager", Some("Bearer tok-am"), big),
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert!(v["error"].as_str().unwrap().contains("2048"), "{v}");
    // Without a Content-Length (chunked), refused as the limit is crossed.
    let chunked = Body::new(Stalled(Some(Bytes::from(vec![b' '; 4096]))));
    let (s, _) = call(
        &f.app,
        post("/ingest/alertmanager", Some("Bearer tok-am"), chunked),
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    // PagerDuty's endpoints answer in PagerDuty's shape.
    let (s, v) = call(&f.app, post("/v2/enqueue", None, vec![b' '; 4096])).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(v["status"], "error", "{v}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_body_times_out() {
    let f = fixture(|a| a.read_timeout = Duration::from_millis(300));
    let slow = Body::new(Stalled(Some(Bytes::from_static(b"{\"alerts\":"))));
    let t = std::time::Instant::now();
    let (s, v) = call(
        &f.app,
        post("/ingest/alertmanager", Some("Bearer tok-am"), slow),
    )
    .await;
    assert_eq!(s, StatusCode::REQUEST_TIMEOUT, "{v}");
    assert!(t.elapsed() < Duration::from_secs(5));
    assert!(v["error"].as_str().unwrap().contains("read_timeout"), "{v}");
}

#[tokio::test(flavor = "multi_thread")]
async fn over_max_concurrent_requests_are_shed_with_503() {
    let f = fixture(|a| {
        a.max_concurrent = 1;
        a.read_timeout = Duration::from_secs(3);
    });
    let slow = Body::new(Stalled(Some(Bytes::from_static(b"{"))));
    let first = tokio::spawn(f.app.clone().oneshot(post(
        "/ingest/alertmanager",
        Some("Bearer tok-am"),
        slow,
    )));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (s, v) = call(
        &f.app,
        post("/ingest/alertmanager", Some("Bearer tok-am"), "{}"),
    )
    .await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert!(
        v["error"].as_str().unwrap().contains("max_concurrent"),
        "{v}"
    );
    let (s, v) = call(&f.app, post("/v2/enqueue", None, "{}")).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["status"], "error");
    // Health checks are never shed.
    let (s, v) = call(
        &f.app,
        Request::get("/healthz").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!((s, v["db"].as_str()), (StatusCode::OK, Some("reachable")));
    assert_eq!(
        first.await.unwrap().unwrap().status(),
        StatusCode::REQUEST_TIMEOUT
    );
    // The slot is free again.
    let (s, _) = call(
        &f.app,
        post("/ingest/alertmanager", Some("Bearer tok-am"), "{"),
    )
    .await;
    assert_ne!(s, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test(flavor = "multi_thread")]
async fn pagerduty_answers_as_pagerduty_does() {
    let f = fixture(|_| {});
    let pd = "/v2/enqueue";
    // Not JSON: 400 in PagerDuty's shape.
    let (s, v) = call(&f.app, post(pd, None, "not json")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["status"], "invalid event");
    assert_eq!(v["message"], "Event object is invalid");
    assert!(v["errors"].as_array().is_some_and(|e| !e.is_empty()), "{v}");
    // A key nobody configured is never echoed back.
    let other = "0123456789abcdef0123456789abcdef";
    let body = std::fs::read_to_string(data("pagerduty/pd_trigger_full.json"))
        .unwrap()
        .replace(PD_KEY, other);
    let (s, v) = call(&f.app, post(pd, None, body)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["status"], "invalid event");
    assert!(!v.to_string().contains(other), "{v}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_that_cannot_be_opened_is_a_503_so_senders_retry() {
    let f = fixture(|_| {});
    std::fs::remove_file(f.dir.path().join("sev.db")).unwrap();
    let body = std::fs::read(data("alertmanager/am_v031_firing_single.json")).unwrap();
    let (s, v) = call(
        &f.app,
        post("/ingest/alertmanager", Some("Bearer tok-am"), body),
    )
    .await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert!(v["error"].as_str().unwrap().contains("no database"), "{v}");
    assert!(!f.dir.path().join("sev.db").exists(), "never created");
    let (s, v) = call(
        &f.app,
        Request::get("/healthz").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["db"], "unreachable", "{v}");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_paths_and_methods() {
    let f = fixture(|_| {});
    let (s, v) = call(
        &f.app,
        Request::get("/metrics").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(v["error"].as_str().unwrap().contains("/healthz"), "{v}");
    let resp = f
        .app
        .clone()
        .oneshot(
            Request::get("/ingest/alertmanager")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
}
