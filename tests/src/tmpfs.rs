//! A small tmpfs mounted for one test (a full disk, a read-only file system), unmounted when
//! dropped. Mounting needs root: CI is root; elsewhere it goes through `sudo -n` (as
//! `scripts/test`'s package installs do), and the file system belongs to the user running the
//! test.
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Tmpfs {
    path: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs of `kib` KiB at a new folder `name` inside `dir`.
    pub fn mount(dir: &Path, name: &str, kib: u64) -> Tmpfs {
        let path = dir.join(name);
        std::fs::create_dir_all(&path).expect("mount point");
        let (uid, gid) = (id("-u"), id("-g"));
        run(
            privileged("mount")
                .args(["-t", "tmpfs", "-o"])
                .arg(format!("size={kib}k,mode=0700,uid={uid},gid={gid}"))
                .arg("tmpfs")
                .arg(&path),
            "mount a tmpfs (this test needs root, or sudo without a password)",
        );
        Tmpfs { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes the file system read-only (writes fail with EROFS, even for root) or writable again.
    pub fn set_read_only(&self, read_only: bool) {
        let option = if read_only {
            "remount,ro"
        } else {
            "remount,rw"
        };
        run(
            privileged("mount").args(["-o", option]).arg(&self.path),
            "remount the tmpfs",
        );
    }

    /// Fills the file system with a file of its own until a write fails for lack of space, then
    /// frees `leave_kib` KiB of it.
    pub fn fill_leaving(&self, leave_kib: usize) -> PathBuf {
        use std::io::Write;
        let filler = self.path.join("filler");
        let mut file = std::fs::File::create(&filler).expect("filler file");
        let chunk = vec![0xA5u8; 4096];
        let mut written = 0usize;
        while file
            .write_all(&chunk)
            .and_then(|()| file.sync_all())
            .is_ok()
        {
            written += chunk.len();
        }
        drop(file);
        let keep = written.saturating_sub(leave_kib * 1024);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(&filler)
            .expect("filler");
        file.set_len(keep as u64).expect("shrink the filler");
        file.sync_all().expect("sync the filler");
        filler
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = privileged("umount").arg("-l").arg(&self.path).status();
    }
}

/// `program` as root: directly when the test runs as root, else through `sudo -n`.
fn privileged(program: &str) -> Command {
    if id("-u") == "0" {
        Command::new(program)
    } else {
        let mut command = Command::new("sudo");
        command.args(["-n", program]);
        command
    }
}

/// `id -u` or `id -g`: who runs the test.
fn id(which: &str) -> String {
    Command::new("id")
        .arg(which)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

fn run(command: &mut Command, what: &str) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("could not {what}: {e}"));
    assert!(
        output.status.success(),
        "could not {what}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
