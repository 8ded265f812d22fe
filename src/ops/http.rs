//! The operations endpoint: `GET /metrics` (Prometheus text), `GET
//! /healthz` (the loop is turning), `GET /readyz` (assigned, restored,
//! connected; 503 with the failing checks otherwise) and `POST /reload`
//! (reload knowledge; 200 with the new version, 422 with the reason it was
//! rejected).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tracing::{info, warn};

use super::health::Health;
use super::metrics::Metrics;
use super::reload::ReloadRequest;

/// What the endpoint reads and where reload requests go.
#[derive(Clone)]
pub struct OpsState {
    /// The service's metrics.
    pub metrics: Arc<Metrics>,
    /// The service's health.
    pub health: Arc<Health>,
    /// The reloader's inbox.
    pub reload: mpsc::Sender<ReloadRequest>,
}

/// The endpoint could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen on {addr} for /metrics, /healthz and /readyz: {source} (set [http] listen or WIREDESK_HTTP__LISTEN to a free address)")]
pub struct HttpError {
    /// The configured address.
    pub addr: String,
    /// The socket error.
    pub source: std::io::Error,
}

/// Binds `addr` and serves the endpoint in the background. Returns the
/// bound address (useful with port 0).
pub async fn serve(addr: &str, state: OpsState) -> Result<SocketAddr, HttpError> {
    let err = |source| HttpError {
        addr: addr.to_string(),
        source,
    };
    let listener = TcpListener::bind(addr).await.map_err(err)?;
    let bound = listener.local_addr().map_err(err)?;
    let app = Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/reload", post(reload))
        .with_state(state);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            warn!(error = %e, "operations endpoint stopped");
        }
    });
    info!(%bound, "serving /metrics, /healthz, /readyz, POST /reload");
    Ok(bound)
}

async fn metrics(State(s): State<OpsState>) -> Response {
    s.metrics.ready.set(i64::from(s.health.ready()));
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        s.metrics.render(),
    )
        .into_response()
}

async fn healthz(State(s): State<OpsState>) -> Response {
    if s.health.live() {
        (StatusCode::OK, "ok\n").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "the consume loop has not turned recently\n",
        )
            .into_response()
    }
}

async fn readyz(State(s): State<OpsState>) -> Response {
    let checks = s.health.readiness();
    let body: String = checks
        .iter()
        .map(|(name, ok)| format!("{name} {}\n", if *ok { "ok" } else { "waiting" }))
        .collect();
    let ready = checks.iter().all(|(_, ok)| *ok);
    s.metrics.ready.set(i64::from(ready));
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, body).into_response()
}

async fn reload(State(s): State<OpsState>) -> Response {
    let (tx, rx) = oneshot::channel();
    if s.reload
        .send(ReloadRequest { reply: Some(tx) })
        .await
        .is_err()
    {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "the reloader is not running\n",
        )
            .into_response();
    }
    match rx.await {
        Ok(Ok(version)) => {
            (StatusCode::OK, format!("knowledge {version} applied\n")).into_response()
        }
        Ok(Err(why)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("rejected, the running knowledge stays: {why}\n"),
        )
            .into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "the reloader stopped\n").into_response(),
    }
}
