//! The store, for many requests at once. An `Authority` holds one SQLite connection and is not
//! shared between threads, so the pool keeps a few, each behind its own mutex. A verification
//! only reads (an indexed look-up, microseconds), so it runs right on the async worker when an
//! authority is free. What syncs the disk stays off the workers where it can be told in
//! advance: a batch of denials about to be written is written by a blocking thread while
//! requests use another authority, and opening the store again happens on a blocking thread
//! too. A token's first valid use in a minute writes its last use (one disk sync) where it is
//! verified, on the worker; the store serialises those writes either way. Handing every
//! request to a blocking thread cost two thread switches each, most of the service's time
//! (scripts/bench-serve, docs/PERFORMANCE.md). Nothing is cached: every verification reads the
//! store as it is now.
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

use latchkey_core::platform::paths::StoreLocation;
use latchkey_core::tokens::verify::bookkeeping;
use latchkey_core::{Authority, Clock, CoreError};
use tokio::sync::Semaphore;

use crate::log;

/// The store or its key could not be read (logged once when it starts and when it ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unavailable;

struct Slot {
    /// None after an error: the next request opens the store again (reading the key again).
    authority: Mutex<Option<Authority>>,
    /// Audit events this authority holds unwritten, as of its last use.
    pending: AtomicU64,
    /// Denials they count, as of its last use.
    pending_denials: AtomicU64,
    /// When its waiting denials were first seen (microseconds since `Pool::started`, 0: none).
    pending_since: AtomicU64,
    /// A blocking thread has been asked to write its waiting denials.
    flushing: AtomicBool,
    /// Its last write left denials waiting (a read-only store, a full disk): core retries on
    /// its own, cheaply, so its batch is not predicted.
    stuck: AtomicBool,
}

/// Core writes waiting denials when 1 000 wait or the oldest has waited 100 ms (SPEC §2), in
/// the verification that finds them due: that request would wait for the disk sync. So an
/// authority this close to either is written by a blocking thread instead, and requests use
/// another meanwhile.
const NEAR_BATCH_DENIALS: u64 = 900;
const NEAR_BATCH_AGE: Duration = Duration::from_millis(90);
/// How long a blocking thread that found every authority in use waits before looking again.
const BUSY_RETRY: Duration = Duration::from_micros(200);

pub(crate) struct Pool {
    slots: Vec<Slot>,
    /// As many permits as slots: no more blocking threads than authorities.
    permits: Semaphore,
    next: AtomicUsize,
    location: StoreLocation,
    clock: Arc<dyn Clock>,
    healthy: AtomicBool,
    started: Instant,
}

impl Pool {
    /// Opens `size` authorities (blocking: reads the store and its key). Fails as the CLI does
    /// when the store or key cannot be opened, so a broken setup stops the service at start.
    pub(crate) fn open(
        location: StoreLocation,
        clock: Arc<dyn Clock>,
        size: usize,
    ) -> Result<Pool, CoreError> {
        let mut slots = Vec::with_capacity(size);
        for _ in 0..size.max(1) {
            let authority = Authority::open(&location.path, &location.key, clock.clone())?;
            slots.push(Slot {
                authority: Mutex::new(Some(authority)),
                pending: AtomicU64::new(0),
                pending_denials: AtomicU64::new(0),
                pending_since: AtomicU64::new(0),
                flushing: AtomicBool::new(false),
                stuck: AtomicBool::new(false),
            });
        }
        Ok(Pool {
            permits: Semaphore::new(slots.len()),
            slots,
            next: AtomicUsize::new(0),
            location,
            clock,
            healthy: AtomicBool::new(true),
            started: Instant::now(),
        })
    }

    /// Runs `work` on an authority: on this thread when one is free and will not write a batch
    /// of denials, else on a blocking thread. A store replaced by a restore is opened again and
    /// the work retried once; any other store or key error is `Unavailable`.
    pub(crate) async fn run<T, F>(self: &Arc<Self>, work: F) -> Result<T, Unavailable>
    where
        T: Send + 'static,
        F: Fn(&mut Authority) -> latchkey_core::Result<T> + Send + 'static,
    {
        if let Some(answer) = self.run_inline(&work) {
            return answer;
        }
        let _permit = self.permits.acquire().await.map_err(|_| Unavailable)?;
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || pool.run_blocking(&work))
            .await
            .unwrap_or(Err(Unavailable))
    }

    /// Runs `work` on a blocking thread, never on this one: for background writes (automatic
    /// revocation) that may wait for the store's write lock while another process holds it.
    pub(crate) async fn run_off_thread<T, F>(self: &Arc<Self>, work: F) -> Result<T, Unavailable>
    where
        T: Send + 'static,
        F: Fn(&mut Authority) -> latchkey_core::Result<T> + Send + 'static,
    {
        let _permit = self.permits.acquire().await.map_err(|_| Unavailable)?;
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || pool.run_blocking(&work))
            .await
            .unwrap_or(Err(Unavailable))
    }

    /// `work` right here, on an open authority nobody holds whose denials are not about to be
    /// written (those are handed to a blocking thread to write); None when there is none, or
    /// when the store must be opened again (blocking).
    fn run_inline<T>(
        self: &Arc<Self>,
        work: &dyn Fn(&mut Authority) -> latchkey_core::Result<T>,
    ) -> Option<Result<T, Unavailable>> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        for offset in 0..self.slots.len() {
            let index = (start + offset) % self.slots.len();
            let slot = &self.slots[index];
            if self.near_batch(slot) {
                self.flush_soon(index);
                continue;
            }
            let Ok(mut guard) = slot.authority.try_lock() else {
                continue;
            };
            let authority = guard.as_mut()?;
            return match work(authority) {
                Err(CoreError::StoreReplaced) => {
                    *guard = None;
                    None
                }
                answer => Some(self.settle(slot, guard, answer)),
            };
        }
        None
    }

    fn run_blocking<T>(
        &self,
        work: &dyn Fn(&mut Authority) -> latchkey_core::Result<T>,
    ) -> Result<T, Unavailable> {
        let (slot, mut guard) = self.free_slot();
        let mut answer = self.attempt(&mut guard, work);
        if matches!(answer, Err(CoreError::StoreReplaced)) {
            *guard = None;
            answer = self.attempt(&mut guard, work);
        }
        self.settle(slot, guard, answer)
    }

    /// Notes what the authority now holds unwritten, or drops it after an error.
    fn settle<T>(
        &self,
        slot: &Slot,
        mut guard: MutexGuard<'_, Option<Authority>>,
        answer: latchkey_core::Result<T>,
    ) -> Result<T, Unavailable> {
        match answer {
            Ok(value) => {
                if let Some(authority) = guard.as_ref() {
                    self.note_pending(slot, authority);
                }
                self.mark_healthy();
                Ok(value)
            }
            Err(error) => {
                *guard = None;
                self.mark_unavailable(&error);
                Err(Unavailable)
            }
        }
    }

    /// Writes the slot's waiting denials on a blocking thread (one such thread per slot at once).
    fn flush_soon(self: &Arc<Self>, index: usize) {
        if self.slots[index].flushing.swap(true, Ordering::AcqRel) {
            return;
        }
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let slot = &pool.slots[index];
            flush_slot(&pool, slot, lock(slot));
            slot.flushing.store(false, Ordering::Release);
        });
    }

    fn note_pending(&self, slot: &Slot, authority: &Authority) {
        let stats = authority.audit_stats();
        slot.pending
            .store(stats.pending_events as u64, Ordering::Relaxed);
        slot.pending_denials
            .store(stats.pending_denials, Ordering::Relaxed);
        if stats.pending_events == 0 {
            slot.pending_since.store(0, Ordering::Relaxed);
            slot.stuck.store(false, Ordering::Relaxed);
        } else if slot.pending_since.load(Ordering::Relaxed) == 0 {
            slot.pending_since
                .store(self.micros().max(1), Ordering::Relaxed);
        }
    }

    /// Whether the slot's next use may write its waiting denials (core's batch size or age).
    fn near_batch(&self, slot: &Slot) -> bool {
        let since = slot.pending_since.load(Ordering::Relaxed);
        if since == 0 || slot.stuck.load(Ordering::Relaxed) {
            return false;
        }
        slot.pending_denials.load(Ordering::Relaxed) >= NEAR_BATCH_DENIALS
            || self.micros().saturating_sub(since) >= NEAR_BATCH_AGE.as_micros() as u64
    }

    fn micros(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    fn attempt<T>(
        &self,
        guard: &mut Option<Authority>,
        work: &dyn Fn(&mut Authority) -> latchkey_core::Result<T>,
    ) -> latchkey_core::Result<T> {
        if guard.is_none() {
            let location = &self.location;
            *guard = Some(Authority::open(
                &location.path,
                &location.key,
                self.clock.clone(),
            )?);
        }
        match guard.as_mut() {
            Some(authority) => work(authority),
            None => Err(CoreError::Corrupt),
        }
    }

    /// An authority nobody uses, starting from a rotating index: first one whose denials are
    /// not about to be written (this request would wait for that disk sync), then any. When
    /// every one is in use (one writing a batch, the others answering), look again shortly
    /// rather than wait for one in particular.
    fn free_slot(&self) -> (&Slot, MutexGuard<'_, Option<Authority>>) {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        loop {
            for quiet_only in [true, false] {
                for offset in 0..self.slots.len() {
                    let slot = &self.slots[(start + offset) % self.slots.len()];
                    if quiet_only && self.near_batch(slot) {
                        continue;
                    }
                    match slot.authority.try_lock() {
                        Ok(guard) => return (slot, guard),
                        Err(TryLockError::Poisoned(poisoned)) => {
                            return (slot, reset(slot, poisoned.into_inner()));
                        }
                        Err(TryLockError::WouldBlock) => {}
                    }
                }
            }
            std::thread::sleep(BUSY_RETRY);
        }
    }

    /// Writes the denials every authority holds: at once when `wait` (on shutdown), else only
    /// those not busy (a busy one writes its own batch when due, on its next verification).
    pub(crate) fn flush(&self, wait: bool) {
        for slot in &self.slots {
            if slot.pending.load(Ordering::Relaxed) == 0 {
                continue;
            }
            let guard = match (wait, slot.authority.try_lock()) {
                (_, Ok(guard)) => guard,
                (_, Err(TryLockError::Poisoned(poisoned))) => reset(slot, poisoned.into_inner()),
                (true, Err(TryLockError::WouldBlock)) => lock(slot),
                (false, Err(TryLockError::WouldBlock)) => continue,
            };
            flush_slot(self, slot, guard);
        }
    }

    /// Denial events waiting to be written, over all authorities.
    pub(crate) fn pending_events(&self) -> u64 {
        self.slots
            .iter()
            .map(|slot| slot.pending.load(Ordering::Relaxed))
            .sum()
    }

    fn mark_healthy(&self) {
        if !self.healthy.swap(true, Ordering::Relaxed) {
            log::info("the store and its key answer again");
        }
    }

    fn mark_unavailable(&self, error: &CoreError) {
        if self.healthy.swap(false, Ordering::Relaxed) {
            log::info(&format!(
                "answering 503 until the store and its key can be read: {error}"
            ));
        } else {
            log::debug(|| format!("the store or its key still cannot be read: {error}"));
        }
    }
}

fn flush_slot(pool: &Pool, slot: &Slot, mut guard: MutexGuard<'_, Option<Authority>>) {
    let Some(authority) = guard.as_mut() else {
        clear_pending(slot);
        return;
    };
    // On a read-only store or a full disk they stay waiting (core bounds them), as in the CLI.
    match bookkeeping(authority.flush_audit()) {
        Ok(()) => {
            pool.note_pending(slot, authority);
            if slot.pending.load(Ordering::Relaxed) > 0 {
                slot.stuck.store(true, Ordering::Relaxed);
            }
        }
        Err(error) => {
            // Replaced or unreadable: the next request opens the store again.
            log::info(&format!(
                "could not write the pending audit events: {error}"
            ));
            *guard = None;
            clear_pending(slot);
        }
    }
}

fn clear_pending(slot: &Slot) {
    slot.pending.store(0, Ordering::Relaxed);
    slot.pending_denials.store(0, Ordering::Relaxed);
    slot.pending_since.store(0, Ordering::Relaxed);
    slot.stuck.store(false, Ordering::Relaxed);
}

fn lock(slot: &Slot) -> MutexGuard<'_, Option<Authority>> {
    match slot.authority.lock() {
        Ok(guard) => guard,
        Err(poisoned) => reset(slot, poisoned.into_inner()),
    }
}

/// A panic left this authority in an unknown state: open the store again on next use.
fn reset<'a>(
    slot: &Slot,
    mut guard: MutexGuard<'a, Option<Authority>>,
) -> MutexGuard<'a, Option<Authority>> {
    *guard = None;
    slot.authority.clear_poison();
    guard
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("size", &self.slots.len())
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}
