//! Debug builds only: a clock shifted by the number of seconds in the file named by
//! LATCHKEY_TEST_CLOCK_SHIFT_FILE, re-read on every reading, so an end-to-end test can move the
//! running app's time forward. Release builds never look at it.
use std::path::PathBuf;

use latchkey_core::{Clock, SystemClock, Timestamp};

pub struct ShiftFileClock(PathBuf);

impl ShiftFileClock {
    pub fn from_env() -> Option<ShiftFileClock> {
        std::env::var_os("LATCHKEY_TEST_CLOCK_SHIFT_FILE")
            .filter(|v| !v.is_empty())
            .map(|path| ShiftFileClock(PathBuf::from(path)))
    }
}

impl Clock for ShiftFileClock {
    fn now(&self) -> Timestamp {
        let shift = std::fs::read_to_string(&self.0)
            .ok()
            .and_then(|text| text.trim().parse::<i64>().ok())
            .unwrap_or(0);
        SystemClock.now() + shift
    }
}
