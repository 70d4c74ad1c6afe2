//! Accepting connections: a bounded number at once, TLS when configured, HTTP/1.1 with the
//! limits of SPEC §5 (8 KiB of headers, 30 s idle), each request tagged with its peer address.
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::Watcher;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio_io_timeout::TimeoutStream;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::client_addr::TrustedProxies;
use crate::log;
use crate::metrics::Metrics;
use crate::routes::PeerAddr;

/// Headers (request line included) over this are answered 431.
pub const MAX_HEADER_BYTES: usize = 8 * 1024;
/// A connection that sends nothing for this long (between requests, or in the middle of one)
/// is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections one address may hold at once (a trusted proxy excepted), so a few slow clients
/// cannot take every connection from everyone else.
pub const MAX_CONNECTIONS_PER_CLIENT: usize = 64;
/// A TLS handshake must be done by then.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) struct Listener {
    pub(crate) tcp: TcpListener,
    pub(crate) tls: Option<TlsAcceptor>,
    pub(crate) router: Router,
    pub(crate) connections: Arc<Semaphore>,
    pub(crate) metrics: Arc<Metrics>,
    /// Proxies whose connections carry many clients: not held to the per-address cap.
    pub(crate) trusted: TrustedProxies,
}

/// Connections open per address.
#[derive(Debug, Default)]
struct PerAddress(Mutex<HashMap<IpAddr, usize>>);

impl PerAddress {
    /// Counts a connection from `ip`, or refuses it when that address already holds its share.
    fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<AddressSlot> {
        let mut open = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(ip).or_insert(0);
        if *count >= MAX_CONNECTIONS_PER_CLIENT {
            return None;
        }
        *count += 1;
        Some(AddressSlot(Arc::clone(self), ip))
    }
}

/// One connection's place in its address's count, given back when the connection ends.
struct AddressSlot(Arc<PerAddress>, IpAddr);

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = (self.0).0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.1) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.1);
            }
        }
    }
}

/// The stream with a deadline on every read and write: a client that sends nothing, or stops
/// reading what it is sent, for [`IDLE_TIMEOUT`] loses its connection.
fn with_deadlines(stream: TcpStream) -> Pin<Box<TimeoutStream<TcpStream>>> {
    let mut stream = TimeoutStream::new(stream);
    stream.set_read_timeout(Some(IDLE_TIMEOUT));
    stream.set_write_timeout(Some(IDLE_TIMEOUT));
    Box::pin(stream)
}

impl Listener {
    /// Accepts until `stop` turns true; each connection is served by its own task, watched by
    /// `watcher`'s graceful shutdown.
    pub(crate) async fn run(self, mut stop: watch::Receiver<bool>, watcher: impl Fn() -> Watcher) {
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(IDLE_TIMEOUT)
            .max_header_size(MAX_HEADER_BYTES)
            .keep_alive(true);
        let http = Arc::new(http);
        let per_address = Arc::new(PerAddress::default());
        loop {
            let permit = tokio::select! {
                permit = Arc::clone(&self.connections).acquire_owned() => permit,
                _ = stop.wait_for(|stopped| *stopped) => break,
            };
            let Ok(permit) = permit else { break };
            let accepted = tokio::select! {
                accepted = self.tcp.accept() => accepted,
                _ = stop.wait_for(|stopped| *stopped) => break,
            };
            let (stream, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    log::debug(|| format!("accept failed: {error}"));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let address_slot = match self.trusted.contains(peer.ip()) {
                true => None,
                false => match per_address.admit(peer.ip()) {
                    Some(slot) => Some(slot),
                    None => {
                        log::debug(|| format!("{} holds too many connections", peer.ip()));
                        continue;
                    }
                },
            };
            let _ = stream.set_nodelay(true);
            let connection = Connection {
                peer,
                router: self.router.clone(),
                http: Arc::clone(&http),
                watcher: watcher(),
                metrics: Arc::clone(&self.metrics),
            };
            let tls = self.tls.clone();
            let stop = stop.clone();
            tokio::spawn(async move {
                connection.metrics.connection_opened();
                let metrics = Arc::clone(&connection.metrics);
                connection.serve(stream, tls, stop).await;
                metrics.connection_closed();
                drop((permit, address_slot));
            });
        }
    }
}

struct Connection {
    peer: SocketAddr,
    router: Router,
    http: Arc<http1::Builder>,
    watcher: Watcher,
    metrics: Arc<Metrics>,
}

impl Connection {
    async fn serve(
        self,
        stream: TcpStream,
        tls: Option<TlsAcceptor>,
        mut stop: watch::Receiver<bool>,
    ) {
        let stream = with_deadlines(stream);
        let Some(acceptor) = tls else {
            return self.http(stream).await;
        };
        let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
        let stream = tokio::select! {
            done = handshake => done,
            _ = stop.wait_for(|stopped| *stopped) => return,
        };
        match stream {
            Ok(Ok(stream)) => self.http(stream).await,
            Ok(Err(error)) => {
                log::debug(|| format!("TLS handshake with {} failed: {error}", self.peer))
            }
            Err(_) => log::debug(|| format!("TLS handshake with {} timed out", self.peer)),
        }
    }

    async fn http<IO>(self, io: IO)
    where
        IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Connection {
            peer,
            router,
            http,
            watcher,
            ..
        } = self;
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(PeerAddr(peer));
            router.clone().oneshot(request)
        });
        let connection = http.serve_connection(TokioIo::new(io), service);
        if let Err(error) = watcher.watch(connection).await {
            // A client that went away, sent garbage or idled: nothing to do but log it.
            log::debug(|| format!("connection from {peer} ended: {error}"));
        }
    }
}
