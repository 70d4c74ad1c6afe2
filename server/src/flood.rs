//! Flood control (SPEC §5): a client that gets more than 100 denials a second (burst 200) has
//! its further denials answered 429 instead of 401/403 and counted, to be recorded as one
//! aggregated event per second. Only denials are counted: valid tokens always pass, since the
//! clients behind one proxy or NAT share an address.
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

/// Denials a client may get per second, once its burst is spent.
pub const DENIALS_PER_SECOND: f64 = 100.0;
/// Denials a quiet client may get at once.
pub const DENIAL_BURST: f64 = 200.0;
/// Clients tracked at once; beyond it new clients share one bucket, so a flood from many
/// addresses costs bounded memory and is still limited.
pub const MAX_TRACKED_CLIENTS: usize = 10_000;

/// Whom a bucket counts for. IPv6 clients count per /64: one host usually holds a whole /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ClientKey {
    Addr(IpAddr),
    /// Every new client while the table is full of active ones.
    Overflow,
}

impl ClientKey {
    fn of(ip: IpAddr) -> ClientKey {
        match ip.to_canonical() {
            IpAddr::V6(v6) => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                ClientKey::Addr(IpAddr::V6(bits.into()))
            }
            v4 => ClientKey::Addr(v4),
        }
    }
}

impl std::fmt::Display for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientKey::Addr(IpAddr::V6(v6)) => write!(f, "{v6}/64"),
            ClientKey::Addr(ip) => write!(f, "{ip}"),
            ClientKey::Overflow => f.write_str("(clients beyond the tracked limit)"),
        }
    }
}

/// How a denial was audited before the guard saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Audited {
    /// Core queued an event for it: it is never counted into the aggregate too.
    OnItsOwn,
    /// Verified without an event because the client was over its rate ([`FloodGuard::is_limited`]):
    /// always answered 429 and counted, so it is recorded exactly once.
    Deferred,
    /// Refused before the store (no or malformed token): counted only when answered 429.
    Never,
}

/// What to answer a denial with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// 401 or 403 as usual.
    Answer,
    /// 429, with `Retry-After` in whole seconds.
    Limited { retry_after: u64 },
}

#[derive(Debug)]
struct Bucket {
    allowance: f64,
    updated: Instant,
    /// Denials answered 429 since the last aggregate was taken.
    limited: u64,
}

impl Bucket {
    /// The allowance at `now`, refilled since the last update (not capped at the burst).
    fn allowance_at(&self, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.allowance + elapsed * DENIALS_PER_SECOND
    }

    fn refill(&mut self, now: Instant) {
        self.allowance = self.allowance_at(now).min(DENIAL_BURST);
        self.updated = now;
    }

    /// Full again and nothing left to report: it can be forgotten.
    fn idle(&self, now: Instant) -> bool {
        self.limited == 0 && self.allowance_at(now) >= DENIAL_BURST
    }
}

#[derive(Debug, Default)]
pub(crate) struct FloodGuard {
    clients: Mutex<HashMap<ClientKey, Bucket>>,
}

impl FloodGuard {
    /// Whether `client`'s denials are being answered 429 now (its allowance is spent): its
    /// next verification is then not audited on its own but counted into the aggregate.
    pub(crate) fn is_limited(&self, client: IpAddr, now: Instant) -> bool {
        let clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        (clients.get(&ClientKey::of(client))).is_some_and(|bucket| bucket.allowance_at(now) < 1.0)
    }

    /// Counts one denial for `client` and says how to answer it. What goes into the aggregate
    /// event depends on how the denial was audited (see [`Audited`]).
    pub(crate) fn denial(&self, client: IpAddr, now: Instant, audited: Audited) -> Admission {
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        let mut key = ClientKey::of(client);
        if !clients.contains_key(&key) && clients.len() >= MAX_TRACKED_CLIENTS {
            clients.retain(|_, bucket| !bucket.idle(now));
            if clients.len() >= MAX_TRACKED_CLIENTS {
                key = ClientKey::Overflow;
            }
        }
        let bucket = clients.entry(key).or_insert(Bucket {
            allowance: DENIAL_BURST,
            updated: now,
            limited: 0,
        });
        bucket.refill(now);
        if bucket.allowance >= 1.0 && audited != Audited::Deferred {
            bucket.allowance -= 1.0;
            return Admission::Answer;
        }
        if audited != Audited::OnItsOwn {
            bucket.limited += 1;
        }
        let wait = (1.0 - bucket.allowance) / DENIALS_PER_SECOND;
        Admission::Limited {
            retry_after: (wait.ceil() as u64).max(1),
        }
    }

    /// The denials answered 429 per client since the last call (called once a second), and
    /// forgets clients that are quiet again.
    pub(crate) fn take_limited(&self, now: Instant) -> Vec<(ClientKey, u64)> {
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        let taken = clients
            .iter_mut()
            .filter(|(_, bucket)| bucket.limited > 0)
            .map(|(key, bucket)| (*key, std::mem::take(&mut bucket.limited)))
            .collect();
        clients.retain(|_, bucket| !bucket.idle(now));
        taken
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.clients
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn a_burst_of_200_then_100_a_second_then_429() {
        let guard = FloodGuard::default();
        let start = Instant::now();
        let client = ip("192.0.2.1");
        for _ in 0..200 {
            assert_eq!(
                guard.denial(client, start, Audited::Never),
                Admission::Answer
            );
        }
        assert_eq!(
            guard.denial(client, start, Audited::Never),
            Admission::Limited { retry_after: 1 }
        );
        // Another client is not affected.
        assert_eq!(
            guard.denial(ip("192.0.2.2"), start, Audited::Never),
            Admission::Answer
        );
        // A tenth of a second later, ten more denials are answered as usual.
        let later = start + Duration::from_millis(100);
        for _ in 0..10 {
            assert_eq!(
                guard.denial(client, later, Audited::Never),
                Admission::Answer
            );
        }
        assert!(matches!(
            guard.denial(client, later, Audited::Never),
            Admission::Limited { .. }
        ));
        let taken = guard.take_limited(later);
        assert_eq!(taken, vec![(ClientKey::Addr(client), 2)]);
        assert!(guard.take_limited(later).is_empty());
    }

    #[test]
    fn ipv6_clients_count_per_64() {
        let guard = FloodGuard::default();
        let now = Instant::now();
        for i in 0..200 {
            let address = ip(&format!("2001:db8:0:1::{:x}", i + 1));
            assert_eq!(
                guard.denial(address, now, Audited::Never),
                Admission::Answer
            );
        }
        assert!(matches!(
            guard.denial(ip("2001:db8:0:1::ffff"), now, Audited::Never),
            Admission::Limited { .. }
        ));
        assert_eq!(
            guard.denial(ip("2001:db8:0:2::1"), now, Audited::Never),
            Admission::Answer
        );
    }

    #[test]
    fn the_table_stays_bounded_and_quiet_clients_are_forgotten() {
        let guard = FloodGuard::default();
        let now = Instant::now();
        for i in 0..(MAX_TRACKED_CLIENTS as u32 + 500) {
            guard.denial(IpAddr::V4(i.into()), now, Audited::Never);
        }
        assert!(guard.tracked() <= MAX_TRACKED_CLIENTS + 1);
        // Two seconds later every bucket is full again and nothing is owed: all forgotten.
        guard.take_limited(now + Duration::from_secs(2));
        assert_eq!(guard.tracked(), 0);
    }
}
