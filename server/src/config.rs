//! What `start` needs: where the store is, where to listen, TLS, and which proxies to believe.
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use latchkey_core::platform::paths::StoreLocation;
use latchkey_core::{Clock, SystemClock};

use crate::client_addr::TrustedProxies;
use crate::error::{Result, ServerError};

/// SPEC §5: `127.0.0.1:7420` unless `--listen` says otherwise.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 7420);
/// Connections served at once; more wait in the kernel's backlog until one closes.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// A PEM certificate chain and its PEM private key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Clone)]
pub struct ServeConfig {
    /// The store file and where its key is, as the CLI and the app choose them.
    pub location: StoreLocation,
    /// The wall clock (tests shift it).
    pub clock: Arc<dyn Clock>,
    pub listen: SocketAddr,
    pub tls: Option<TlsFiles>,
    /// Allows plain HTTP on a non-loopback address (something else encrypts the traffic).
    pub insecure_plain_http: bool,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trust_proxy: TrustedProxies,
    pub max_connections: usize,
}

impl ServeConfig {
    /// The defaults of `latchkey serve` for a store: loopback, plain HTTP, no trusted proxy.
    pub fn new(location: StoreLocation) -> ServeConfig {
        ServeConfig {
            location,
            clock: Arc::new(SystemClock),
            listen: DEFAULT_LISTEN,
            tls: None,
            insecure_plain_http: false,
            trust_proxy: TrustedProxies::default(),
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }

    /// Tokens must not cross a network in clear unless the person said so.
    pub(crate) fn check_transport(&self) -> Result<()> {
        let loopback = self.listen.ip().to_canonical().is_loopback();
        if self.tls.is_none() && !loopback && !self.insecure_plain_http {
            return Err(ServerError::PlainHttpOffLoopback(self.listen));
        }
        Ok(())
    }
}

impl std::fmt::Debug for ServeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeConfig")
            .field("location", &self.location)
            .field("listen", &self.listen)
            .field("tls", &self.tls)
            .field("insecure_plain_http", &self.insecure_plain_http)
            .field("trust_proxy", &self.trust_proxy)
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(listen: &str) -> ServeConfig {
        let location = StoreLocation::choose(Some("store.db".into()), None);
        let mut config = ServeConfig::new(location.expect("a location"));
        config.listen = listen.parse().expect("an address");
        config
    }

    #[test]
    fn plain_http_is_refused_off_loopback_unless_asked_for() {
        assert!(config("127.0.0.1:7420").check_transport().is_ok());
        assert!(config("[::1]:7420").check_transport().is_ok());
        assert!(config("[::ffff:127.0.0.1]:7420").check_transport().is_ok());
        for listen in ["0.0.0.0:7420", "[::]:7420", "192.0.2.1:7420"] {
            let mut open = config(listen);
            assert!(matches!(
                open.check_transport(),
                Err(ServerError::PlainHttpOffLoopback(_))
            ));
            open.insecure_plain_http = true;
            assert!(open.check_transport().is_ok());
            open.insecure_plain_http = false;
            open.tls = Some(TlsFiles {
                cert: "c.pem".into(),
                key: "k.pem".into(),
            });
            assert!(open.check_transport().is_ok());
        }
    }
}
