//! latchkey-server: `latchkey serve`, the verification service of SPEC §5 over HTTP(S), for
//! reverse proxies (nginx `auth_request`, Caddy `forward_auth`, Traefik, Envoy) and services.
//! The CLI runs it in the foreground with [`serve_until_signal`]; the app starts it on its own
//! runtime with [`start`] and stops it with [`RunningServer::shutdown`]. Everything the service
//! knows comes from core's [`latchkey_core::Authority`]; this crate adds HTTP, TLS, flood
//! control, limits and metrics, and no rule of its own about tokens.
mod client_addr;
mod config;
mod error;
mod flood;
mod flusher;
mod listener;
mod log;
mod metrics;
mod outcome;
mod pool;
mod routes;
mod running;
mod signal;
mod snippet;
mod tls;

pub use client_addr::TrustedProxies;
pub use config::{DEFAULT_LISTEN, DEFAULT_MAX_CONNECTIONS, ServeConfig, TlsFiles};
pub use error::{Result, ServerError};
pub use flood::{DENIAL_BURST, DENIALS_PER_SECOND, MAX_TRACKED_CLIENTS};
pub use listener::{IDLE_TIMEOUT, MAX_HEADER_BYTES};
pub use routes::MAX_BODY_BYTES;
pub use running::{RunningServer, start};
pub use signal::serve_until_signal;
pub use snippet::nginx_snippet;
