//! Running wiredesk in production: what it exposes and how it is steered
//! while running.
//!
//! * [`metrics`]: the Prometheus metrics of the service.
//! * [`health`]: liveness and readiness state.
//! * [`http`]: `/metrics`, `/healthz`, `/readyz`, `POST /reload`.
//! * [`reload`]: loading and validating new knowledge while running.

pub mod health;
pub mod http;
pub mod metrics;
pub mod reload;
