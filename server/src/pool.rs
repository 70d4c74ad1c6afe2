//! The store, for many requests at once. An `Authority` holds one SQLite connection and is not
//! shared between threads, so the pool keeps a few, each behind its own mutex, and runs store
//! work on tokio's blocking threads (a batch of denials or a last-used write syncs the disk).
//! Nothing is cached: every verification reads the store as it is now.
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

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
}

pub(crate) struct Pool {
    slots: Vec<Slot>,
    /// As many permits as slots, so a blocking thread always finds a free authority.
    permits: Semaphore,
    next: AtomicUsize,
    location: StoreLocation,
    clock: Arc<dyn Clock>,
    healthy: AtomicBool,
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
            });
        }
        Ok(Pool {
            permits: Semaphore::new(slots.len()),
            slots,
            next: AtomicUsize::new(0),
            location,
            clock,
            healthy: AtomicBool::new(true),
        })
    }

    /// Runs `work` on an authority on a blocking thread. A store replaced by a restore is
    /// opened again and the work retried once; any other store or key error is `Unavailable`.
    pub(crate) async fn run<T, F>(self: &Arc<Self>, work: F) -> Result<T, Unavailable>
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
        match answer {
            Ok(value) => {
                if let Some(authority) = guard.as_ref() {
                    let pending = authority.audit_stats().pending_events;
                    slot.pending.store(pending as u64, Ordering::Relaxed);
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

    /// An authority nobody uses, starting from a rotating index (the flusher may hold one for
    /// a moment: then wait for it).
    fn free_slot(&self) -> (&Slot, MutexGuard<'_, Option<Authority>>) {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        for offset in 0..self.slots.len() {
            let slot = &self.slots[(start + offset) % self.slots.len()];
            match slot.authority.try_lock() {
                Ok(guard) => return (slot, guard),
                Err(TryLockError::Poisoned(poisoned)) => {
                    return (slot, reset(slot, poisoned.into_inner()));
                }
                Err(TryLockError::WouldBlock) => {}
            }
        }
        let slot = &self.slots[start % self.slots.len()];
        (slot, lock(slot))
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
            flush_slot(slot, guard);
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

fn flush_slot(slot: &Slot, mut guard: MutexGuard<'_, Option<Authority>>) {
    let Some(authority) = guard.as_mut() else {
        slot.pending.store(0, Ordering::Relaxed);
        return;
    };
    // On a read-only store or a full disk they stay waiting (core bounds them), as in the CLI.
    match bookkeeping(authority.flush_audit()) {
        Ok(()) => {
            let pending = authority.audit_stats().pending_events;
            slot.pending.store(pending as u64, Ordering::Relaxed);
        }
        Err(error) => {
            // Replaced or unreadable: the next request opens the store again.
            log::info(&format!(
                "could not write the pending audit events: {error}"
            ));
            *guard = None;
            slot.pending.store(0, Ordering::Relaxed);
        }
    }
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
