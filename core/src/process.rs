//! Process hardening both programs apply first thing: no core dumps where the OS allows, so a
//! crash cannot write the installation key, a password or a token's secret to disk.

/// Turns core dumps off: on Linux the process becomes non-dumpable (also refusing ptrace attach
/// by other processes of the same user) and, on every Unix, the core file limit is set to zero.
/// Returns what could not be done, for a debug log; failure never stops the program.
pub fn harden() -> Vec<&'static str> {
    let mut failed = Vec::new();
    #[cfg(target_os = "linux")]
    {
        // SAFETY: prctl with PR_SET_DUMPABLE takes plain integers and touches no memory of ours.
        if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
            failed.push("prctl(PR_SET_DUMPABLE, 0)");
        }
    }
    #[cfg(unix)]
    {
        let none = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit reads the struct we pass and nothing else.
        if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &none) } != 0 {
            failed.push("setrlimit(RLIMIT_CORE, 0)");
        }
    }
    failed
}

/// Whether this process may still write a core dump (false after `harden` on Unix).
pub fn core_dumps_possible() -> bool {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_GET_DUMPABLE takes no pointers.
        if unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) } == 0 {
            return false;
        }
    }
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct we own.
        if unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut limit) } == 0 && limit.rlim_cur == 0 {
            return false;
        }
    }
    true
}
