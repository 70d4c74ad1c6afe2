//! Commands run at a chosen time (LATCHKEY_TEST_CLOCK_AT, honoured by debug builds), so the
//! suites of issue 16 move the clock instead of sleeping. Every command of a `Clocked` store
//! gives a time: once the store has seen a time, a command without one would be "behind" it.
use latchkey_tests::*;

pub const HOUR: i64 = 3_600;
pub const DAY: i64 = 86_400;
pub const BOB: &str = "bob";

/// A store initialised with the administrator `root` and the member `bob` (at the real time),
/// and the time `t0` from which the tests count (a minute later).
pub struct Clocked {
    pub env: Env,
    pub t0: i64,
}

impl Clocked {
    pub fn new() -> Clocked {
        let env = Env::initialised();
        env.add_member(BOB);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("a clock after 1970")
            .as_secs();
        let t0 = i64::try_from(now).expect("a time that fits") + 60;
        Clocked { env, t0 }
    }

    /// `latchkey ARGS` as `user`, `after` seconds after t0, with extra environment and input.
    pub fn run(
        &self,
        after: i64,
        user: &str,
        password: &str,
        args: &[&str],
        stdin: Option<&str>,
    ) -> Output {
        let at = (self.t0 + after).to_string();
        let env = [
            ("LATCHKEY_USER", user),
            ("LATCHKEY_PASSWORD", password),
            ("LATCHKEY_TEST_CLOCK_AT", at.as_str()),
            ("LATCHKEY_NEW_PASSWORD", MEMBER_PASSWORD),
        ];
        self.env.run(args, &env, stdin)
    }

    pub fn admin(&self, after: i64, args: &[&str]) -> Output {
        self.run(after, ADMIN, ADMIN_PASSWORD, args, None)
    }

    pub fn as_user(&self, after: i64, user: &str, args: &[&str]) -> Output {
        self.run(after, user, MEMBER_PASSWORD, args, None)
    }

    pub fn bob(&self, after: i64, args: &[&str]) -> Output {
        self.as_user(after, BOB, args)
    }

    /// `latchkey verify ARGS` with `token` on standard input.
    pub fn verify(&self, after: i64, token: &str, args: &[&str]) -> Output {
        let mut all = vec!["verify"];
        all.extend_from_slice(args);
        let at = (self.t0 + after).to_string();
        self.env.run(
            &all,
            &[("LATCHKEY_TEST_CLOCK_AT", at.as_str())],
            Some(token),
        )
    }

    /// Creates a token as `user` (MEMBER_PASSWORD, or root's) and returns (secret, id).
    pub fn create(&self, after: i64, user: &str, extra: &[&str]) -> (String, String) {
        let mut args = vec!["--json", "tokens", "create"];
        args.extend_from_slice(extra);
        if !extra.contains(&"--name") {
            args.extend_from_slice(&["--name", "test token"]);
        }
        let password = if user == ADMIN {
            ADMIN_PASSWORD
        } else {
            MEMBER_PASSWORD
        };
        let json = self.run(after, user, password, &args, None).ok().json();
        (
            json["token"].as_str().expect("a secret").to_string(),
            json["id"].as_str().expect("an id").to_string(),
        )
    }

    /// The `--json` list of tokens an account sees, by id.
    pub fn tokens_of(&self, after: i64, args: &[&str]) -> Vec<serde_json::Value> {
        let mut all = vec!["--json", "tokens", "list"];
        all.extend_from_slice(args);
        let listed = self.admin(after, &all).ok().json();
        listed.as_array().cloned().unwrap_or_default()
    }
}

/// The object of `id` in a JSON array of tokens (key `id`) or reminders (key `token_id`).
pub fn find<'a>(rows: &'a [serde_json::Value], key: &str, id: &str) -> &'a serde_json::Value {
    rows.iter()
        .find(|row| row[key] == id)
        .unwrap_or_else(|| panic!("{id} is not in {rows:?}"))
}

/// The line of a text table or report that mentions `id`.
pub fn line_of<'a>(text: &'a str, id: &str) -> &'a str {
    text.lines()
        .find(|line| line.contains(id))
        .unwrap_or_else(|| panic!("no line mentions {id} in:\n{text}"))
}
