//! Who the client is, for flood control: the peer's address, or, when the peer is a proxy named
//! by `--trust-proxy`, the right-most `X-Forwarded-For` entry that is not a trusted proxy (the
//! entries left of it are whatever the client chose to send).
use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

use crate::error::{Result, ServerError};

/// The proxies whose `X-Forwarded-For` is believed: addresses or networks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Each entry an address (`10.0.0.5`, `::1`) or a network (`10.0.0.0/8`); entries may also
    /// be comma-separated lists.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<TrustedProxies> {
        let mut nets = Vec::new();
        for entry in entries.iter().flat_map(|e| e.as_ref().split(',')) {
            let entry = entry.trim();
            let net = entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| ServerError::TrustProxy(entry.to_string()))?;
            nets.push(net);
        }
        Ok(TrustedProxies(nets))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// The client behind `peer`.
pub(crate) fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let mut client = peer.to_canonical();
    if !trusted.contains(client) {
        return client;
    }
    let mut entries = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        // A value that is not text cannot be read: believe nothing beyond the last proxy.
        let Ok(text) = value.to_str() else {
            return client;
        };
        entries.extend(text.split(','));
    }
    for entry in entries.iter().rev() {
        let Some(ip) = parse_entry(entry) else {
            return client;
        };
        client = ip;
        if !trusted.contains(ip) {
            break;
        }
    }
    client
}

/// `192.0.2.1`, `2001:db8::1`, or either with a port (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append("x-forwarded-for", value.parse().expect("a header value"));
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let trusted = TrustedProxies::parse(&["10.0.0.0/8"]).expect("valid");
        let forwarded = headers(&["203.0.113.9"]);
        assert_eq!(
            client_ip(ip("192.0.2.7"), &forwarded, &trusted),
            ip("192.0.2.7")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_entry_is_the_client() {
        let trusted = TrustedProxies::parse(&["10.0.0.1, 10.0.0.2", "::1"]).expect("valid");
        let peer = ip("10.0.0.1");
        // The client may claim anything on the left; only the entries proxies appended count.
        let forwarded = headers(&["1.1.1.1, 203.0.113.9", "10.0.0.2"]);
        assert_eq!(client_ip(peer, &forwarded, &trusted), ip("203.0.113.9"));
        assert_eq!(client_ip(peer, &headers(&[]), &trusted), peer);
        let with_port = headers(&["[2001:db8::1]:4711"]);
        assert_eq!(client_ip(peer, &with_port, &trusted), ip("2001:db8::1"));
        // Garbage stops the walk at the last proxy that is believed.
        let garbage = headers(&["203.0.113.9, nonsense, 10.0.0.2"]);
        assert_eq!(client_ip(peer, &garbage, &trusted), ip("10.0.0.2"));
        let mapped = ip("::ffff:10.0.0.1");
        assert_eq!(
            client_ip(mapped, &headers(&["203.0.113.9"]), &trusted),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        assert!(TrustedProxies::parse(&["10.0.0.0/8", "::1", "192.0.2.1"]).is_ok());
        assert!(matches!(
            TrustedProxies::parse(&["proxy.example"]),
            Err(ServerError::TrustProxy(_))
        ));
    }
}
