//! The background work of a running service: denials waiting for their batch are written
//! within about 100 ms even when no request arrives (core only checks on a verification), and
//! once a second the rate-limited denials of each client are recorded as one aggregate (and
//! once more after a stop has drained the requests in flight). Every ten minutes (and once as
//! the service starts, before it listens) the automatic-revocation setting is applied: a no-op
//! while it is off, the default.
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

use crate::flood::FloodGuard;
use crate::log;
use crate::pool::Pool;

/// Core's batch age (SPEC §2: one transaction every ≤ 100 ms or 1 000 events).
const FLUSH_EVERY: Duration = Duration::from_millis(100);
const AGGREGATE_EVERY: Duration = Duration::from_secs(1);
/// How often tokens unused for longer than the automatic-revocation setting are revoked.
const REVOKE_UNUSED_EVERY: Duration = Duration::from_secs(600);

pub(crate) async fn run(pool: Arc<Pool>, flood: Arc<FloodGuard>, mut stop: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(FLUSH_EVERY);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut aggregated = Instant::now();
    // `start` applied it once before listening.
    let mut revoked_unused = Instant::now();
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.wait_for(|stopped| *stopped) => break,
        }
        if pool.pending_events() > 0 {
            let pool = Arc::clone(&pool);
            let _ = tokio::task::spawn_blocking(move || pool.flush(false)).await;
        }
        if aggregated.elapsed() >= AGGREGATE_EVERY {
            aggregated = Instant::now();
            record_limited(&pool, &flood, aggregated).await;
        }
        if revoked_unused.elapsed() >= REVOKE_UNUSED_EVERY {
            revoked_unused = Instant::now();
            // Its own task: waiting for the write lock must not hold up the denials' batches.
            let pool = Arc::clone(&pool);
            tokio::spawn(async move { revoke_unused(&pool).await });
        }
    }
}

/// Core's automatic revocation (audited there as revoked by latchkey), logged when it revoked.
/// Bookkeeping, not an answer: it runs off the async workers (it may wait for the write lock)
/// and a failure (a busy, read-only or full store) is logged, never taken for the store being
/// unavailable.
pub(crate) async fn revoke_unused(pool: &Arc<Pool>) {
    let revoke = |authority: &mut latchkey_core::Authority| {
        Ok(authority.revoke_unused_tokens().map_err(|e| e.to_string()))
    };
    match pool.run_off_thread(revoke).await {
        Ok(Ok(revoked)) if !revoked.is_empty() => log::info(&format!(
            "revoked {} token(s) unused for longer than the automatic-revocation setting",
            revoked.len()
        )),
        Ok(Ok(_)) | Err(_) => {}
        Ok(Err(error)) => log::info(&format!(
            "could not apply the automatic revocation of unused tokens: {error}"
        )),
    }
}

/// One audit event per client for the denials it was answered 429 since the last second.
pub(crate) async fn record_limited(pool: &Arc<Pool>, flood: &FloodGuard, now: Instant) {
    for (client, denials) in flood.take_limited(now) {
        let client = client.to_string();
        let recorded = pool
            .run(move |authority| authority.record_rate_limited(&client, denials))
            .await;
        if recorded.is_err() {
            log::info(&format!(
                "{denials} rate-limited denials could not be recorded"
            ));
        }
    }
}
