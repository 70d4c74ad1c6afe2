//! SPEC §7.1: kill -9 at random moments (100 times, from a fixed seed) in a loop of creates and
//! revokes loses nothing that was acknowledged, and the store stays consistent.
use std::collections::HashMap;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use latchkey_tests::*;

const KILLS: usize = 100;

/// A small deterministic generator (xorshift64*), so a failure can be replayed.
struct Seeded(u64);

impl Seeded {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

fn churn_bin() -> std::path::PathBuf {
    let bin = latchkey_bin().with_file_name("examples").join("churn");
    assert!(
        bin.exists(),
        "{} is missing; run `cargo build -p latchkey-tests --examples` first",
        bin.display()
    );
    bin
}

#[test]
fn killing_a_writer_at_random_moments_loses_no_acknowledged_write() {
    let env = Env::initialised();
    let bin = churn_bin();
    let mut random = Seeded(0x1a7c_4e11_5eed_0001);
    // Every id ever acknowledged, with its last acknowledged state (true = revoked).
    let mut acknowledged: HashMap<String, bool> = HashMap::new();
    let mut operations = 0;
    for kill in 0..KILLS {
        let mut child = Command::new(&bin)
            .arg(&env.db)
            .arg(&env.key)
            .arg(ADMIN)
            .env("LATCHKEY_PASSWORD", ADMIN_PASSWORD)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start churn");
        // Wait for "ready" (the store is open), then kill within the next 0–250 ms.
        let mut stdout = child.stdout.take().expect("stdout");
        let mut first = [0u8; 6];
        stdout.read_exact(&mut first).expect("churn said nothing");
        assert_eq!(&first, b"ready\n");
        std::thread::sleep(Duration::from_millis(random.below(250)));
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        let mut printed = String::new();
        stdout
            .read_to_string(&mut printed)
            .expect("read what was printed");
        let lines: Vec<&str> = printed.lines().collect();
        // The last line may be a create whose revoke committed but was not printed.
        let in_flight = lines
            .last()
            .and_then(|l| l.strip_prefix("created "))
            .map(str::to_string);
        for line in &lines {
            match line.split_once(' ') {
                Some(("created", id)) => acknowledged.insert(id.to_string(), false),
                Some(("revoked", id)) => acknowledged.insert(id.to_string(), true),
                _ => panic!("kill {kill}: unexpected output {line:?}"),
            };
            operations += 1;
        }

        let store = rusqlite::Connection::open(&env.db).expect("open the store");
        let integrity: String = store
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("integrity_check");
        assert_eq!(integrity, "ok", "after kill {kill}");
        let foreign: i64 = store
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .expect("foreign_key_check");
        assert_eq!(foreign, 0, "after kill {kill}");
        for (id, revoked) in &acknowledged {
            let stored: Option<bool> = store
                .query_row(
                    "SELECT revoked_at IS NOT NULL FROM tokens WHERE public_id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .ok();
            let fine = match stored {
                None => false,
                Some(s) if s == *revoked => true,
                Some(true) => in_flight.as_deref() == Some(id.as_str()),
                Some(false) => false,
            };
            assert!(
                fine,
                "kill {kill}: {id} acknowledged revoked={revoked}, stored {stored:?}"
            );
        }
        // The in-flight token's state is now whatever the store says.
        if let Some(id) = in_flight {
            let revoked: bool = store
                .query_row(
                    "SELECT revoked_at IS NOT NULL FROM tokens WHERE public_id = ?1",
                    [&id],
                    |r| r.get(0),
                )
                .expect("the in-flight token");
            acknowledged.insert(id, revoked);
        }
    }
    assert!(
        acknowledged.len() > KILLS,
        "too few writes to mean anything: {}",
        acknowledged.len()
    );
    println!(
        "{KILLS} kills survived; {operations} acknowledged writes, {} tokens checked after each",
        acknowledged.len()
    );
}
