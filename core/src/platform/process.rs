//! Process hardening both programs apply first thing: no core dumps where the OS allows, so a
//! crash cannot write the installation key, a password or a token's secret to disk.

/// Turns core dumps off: on Linux the process becomes non-dumpable (also refusing ptrace attach
/// by other processes of the same user) and, on every Unix, the core file limit is set to zero.
/// Returns what could not be done, for a debug log; failure never stops the program.
///
/// macOS gets the zero core limit (it has no `PR_SET_DUMPABLE`; core dumps there are off by
/// default and go to `/cores` only when enabled). Windows writes no core file: a crash goes to
/// Windows Error Reporting, which keeps a full memory dump only where an administrator configured
/// `LocalDumps`; turning that off per process needs `WerAddExcludedApplication` or
/// `SetErrorMode`, FFI this workspace does not write (`unsafe_code = "forbid"`), so nothing is
/// done there (docs/PLATFORMS.md).
pub fn harden() -> Vec<&'static str> {
    // Nothing is pushed where nothing is done (Windows).
    #[cfg_attr(not(unix), allow(unused_mut))]
    let mut failed = Vec::new();
    #[cfg(target_os = "linux")]
    if rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)
        .is_err()
    {
        failed.push("prctl(PR_SET_DUMPABLE, 0)");
    }
    #[cfg(unix)]
    {
        let none = rustix::process::Rlimit {
            current: Some(0),
            maximum: Some(0),
        };
        if rustix::process::setrlimit(rustix::process::Resource::Core, none).is_err() {
            failed.push("setrlimit(RLIMIT_CORE, 0)");
        }
    }
    failed
}

/// Whether this process may still write a core dump (false after `harden` on Unix).
pub fn core_dumps_possible() -> bool {
    #[cfg(target_os = "linux")]
    if rustix::process::dumpable_behavior()
        .is_ok_and(|b| b == rustix::process::DumpableBehavior::NotDumpable)
    {
        return false;
    }
    #[cfg(unix)]
    if rustix::process::getrlimit(rustix::process::Resource::Core).current == Some(0) {
        return false;
    }
    true
}
