//! The test session's desktop: one X display, its clipboard and whatever shows on it (app
//! windows, a clipboard manager, dunst's pop-ups). A test holds it while it uses any of these,
//! so tests run in parallel threads of one binary take their turns, as they did when each suite
//! was a binary of its own. A thread may take it again while it holds it: a test that started a
//! clipboard manager or dunst then starts app sessions under the same hold.
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::ThreadId;

struct Holder {
    thread: Option<ThreadId>,
    holds: usize,
}

static HOLDER: Mutex<Holder> = Mutex::new(Holder {
    thread: None,
    holds: 0,
});
static RELEASED: Condvar = Condvar::new();

fn holder() -> MutexGuard<'static, Holder> {
    HOLDER.lock().unwrap_or_else(PoisonError::into_inner)
}

/// This thread's hold on the desktop; the desktop is free once its last hold is dropped.
pub struct Desktop(());

/// Waits until no other thread holds the desktop, then holds it. Blocks the calling thread,
/// also from an async test: the future of a `#[tokio::test]` runs on the test's own thread.
pub fn hold() -> Desktop {
    let me = std::thread::current().id();
    let mut holder = holder();
    while holder.thread.is_some_and(|thread| thread != me) {
        holder = RELEASED
            .wait(holder)
            .unwrap_or_else(PoisonError::into_inner);
    }
    holder.thread = Some(me);
    holder.holds += 1;
    Desktop(())
}

impl Drop for Desktop {
    fn drop(&mut self) {
        let mut holder = holder();
        holder.holds -= 1;
        if holder.holds == 0 {
            holder.thread = None;
            RELEASED.notify_all();
        }
    }
}
