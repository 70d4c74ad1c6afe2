//! A running service: `start` binds, opens the store and serves on the current tokio runtime;
//! `RunningServer::shutdown` stops it gracefully.
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

use crate::config::ServeConfig;
use crate::error::{Result, ServerError};
use crate::flood::FloodGuard;
use crate::listener::Listener;
use crate::metrics::Metrics;
use crate::pool::Pool;
use crate::routes::{self, Shared};
use crate::{flusher, log, tls};

/// In-flight requests get this long to be answered after a stop; then their connections are
/// dropped, the pending audit events written, and `shutdown` returns (within 5 s in all).
const DRAIN_TIMEOUT: Duration = Duration::from_secs(3);
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// The service, serving until `shutdown` (or until dropped, which stops it without waiting).
#[derive(Debug)]
pub struct RunningServer {
    local_addr: SocketAddr,
    tls: bool,
    stop: watch::Sender<bool>,
    done: Option<JoinHandle<()>>,
}

/// Starts the service on the current tokio runtime (the CLI's own, or the app's): checks the
/// transport rule, loads TLS, opens the store with its key (a broken setup fails here, with
/// core's message), binds, and serves in background tasks.
pub async fn start(config: ServeConfig) -> Result<RunningServer> {
    config.check_transport()?;
    if config.tls.is_none() && !config.listen.ip().to_canonical().is_loopback() {
        log::info(&format!(
            "warning: plain HTTP on {}, which is not a loopback address: tokens cross the \
             network unencrypted unless something else encrypts it",
            config.listen
        ));
    }
    let tls = config.tls.as_ref().map(tls::acceptor).transpose()?;
    let (location, clock) = (config.location.clone(), config.clock.clone());
    let pool = tokio::task::spawn_blocking(move || Pool::open(location, clock, pool_size()))
        .await
        .map_err(|e| ServerError::Runtime(std::io::Error::other(e)))??;
    let pool = Arc::new(pool);
    // Tokens unused for longer than the setting stop before the first request is answered.
    flusher::revoke_unused(&pool).await;
    let tcp = TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServerError::Bind {
            addr: config.listen,
            source,
        })?;
    let local_addr = tcp.local_addr().map_err(ServerError::Runtime)?;
    let shared = Arc::new(Shared {
        pool: Arc::clone(&pool),
        flood: Arc::new(FloodGuard::default()),
        metrics: Arc::new(Metrics::new()),
        trusted: config.trust_proxy.clone(),
    });
    let listener = Listener {
        tcp,
        router: routes::router(Arc::clone(&shared)),
        connections: Arc::new(Semaphore::new(config.max_connections.max(1))),
        metrics: Arc::clone(&shared.metrics),
        tls: tls.clone(),
        trusted: config.trust_proxy.clone(),
    };
    let (stop, stopped) = watch::channel(false);
    let done = tokio::spawn(async move {
        let flusher = tokio::spawn(flusher::run(
            Arc::clone(&pool),
            Arc::clone(&shared.flood),
            stopped.clone(),
        ));
        let graceful = GracefulShutdown::new();
        // Returns once stopped, dropping the listening socket: no new connections.
        listener.run(stopped, || graceful.watcher()).await;
        let _ = tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await;
        let _ = flusher.await;
        // The requests answered while draining may have been rate-limited too.
        flusher::record_limited(&pool, &shared.flood, std::time::Instant::now()).await;
        let _ = tokio::task::spawn_blocking(move || pool.flush(true)).await;
    });
    Ok(RunningServer {
        local_addr,
        tls: tls.is_some(),
        stop,
        done: Some(done),
    })
}

impl RunningServer {
    /// The address bound (the actual port when port 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://ADDR` or `https://ADDR`, for people and proxy configurations.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.local_addr)
    }

    /// Stops accepting, lets in-flight requests be answered, writes the pending audit events,
    /// and returns within 5 s.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(done) = self.done.take() {
            let _ = tokio::time::timeout(SHUTDOWN_TIMEOUT, done).await;
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        // Not awaited: the tasks finish on their own, the authorities write on drop.
        let _ = self.stop.send(true);
    }
}

/// One authority per core (at least two, so a disk sync never stalls every request).
fn pool_size() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8))
}
