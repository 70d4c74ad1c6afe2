//! The one error type of latchkey-server: why the service could not start. Each message is one
//! line saying what was wrong and what to do; answers to requests are never errors of this kind.
use std::net::SocketAddr;
use std::path::PathBuf;

use latchkey_core::CoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The store or its key could not be opened (not initialised, wrong key, damaged, ...).
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error(
        "refusing to serve plain HTTP on {0}, which is not a loopback address: give \
         --tls-cert FILE and --tls-key FILE, or --insecure-plain-http if something else \
         encrypts the traffic"
    )]
    PlainHttpOffLoopback(SocketAddr),
    #[error("could not read the TLS {what} {path}: {reason}")]
    TlsFile {
        what: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error("the TLS certificate and key cannot be used: {0}")]
    TlsConfig(String),
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("--trust-proxy {0:?} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/8)")]
    TrustProxy(String),
    #[error("could not start the service: {0}")]
    Runtime(std::io::Error),
}

pub type Result<T, E = ServerError> = std::result::Result<T, E>;
