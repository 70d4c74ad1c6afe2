//! The entry point: a store opened with its key and a clock. Every operation of the app and the
//! CLI is a method on `Authority`, in the module of its concern.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};

use crate::clock::{Clock, Timestamp};
use crate::error::{CoreError, Result};
use crate::key::{self, KeySource};
use crate::model::{Account, AccountStatus, Actor, Role};
use crate::secret::KeyBytes;
use crate::store::{self, OpenMode};
use crate::{audit, password, validate};

/// How far the clock may lag the store's highest reading before people are told.
pub const CLOCK_BEHIND_WARNING_SECONDS: i64 = 5 * 60;

/// The schema that brought the audit chain (migration 004).
const AUDIT_CHAIN_SCHEMA: i64 = 4;

pub struct Authority {
    pub(crate) conn: store::Store,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) token_key: KeyBytes,
    pub(crate) pepper: KeyBytes,
    /// Keys the per-name failure counters of unknown usernames, so the typed text is never stored.
    pub(crate) signin_key: KeyBytes,
    /// Kept only to seal backups; everything else uses sub-keys derived from it.
    pub(crate) master: KeyBytes,
    /// The audit chain's key (also attached to `conn`) and the denials waiting to be written.
    pub(crate) audit: audit::AuditWriter,
    path: PathBuf,
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authority")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// What first launch asks for.
pub struct InitRequest<'a> {
    pub organisation: &'a str,
    pub admin_username: &'a str,
    pub admin_display_name: Option<&'a str>,
    pub admin_password: &'a str,
}

/// The validated names of a first administrator.
struct NewAdmin<'a> {
    organisation: &'a str,
    username: &'a str,
    display_name: &'a str,
}

fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

fn random_hex(bytes: usize) -> Result<String> {
    let mut buffer = vec![0u8; bytes];
    crate::random::fill_for_store(&mut buffer)?;
    Ok(key::hex(&buffer))
}

impl Authority {
    /// Creates the organisation and its first administrator in a new store.
    pub fn init(
        path: &Path,
        key_source: &KeySource,
        clock: Arc<dyn Clock>,
        request: &InitRequest<'_>,
    ) -> Result<Authority> {
        // Check every input before anything is created.
        let organisation = validate::display_name("the organisation name", request.organisation)?;
        let username = validate::username(request.admin_username)?;
        let display_name = match request.admin_display_name {
            Some(name) => validate::display_name("the display name", name)?,
            None => username.clone(),
        };
        validate::new_password(request.admin_password)?;
        let existed = path.exists() || path.is_dir();
        let mode = if existed {
            OpenMode::Existing
        } else {
            OpenMode::CreateNew
        };
        let mut conn = store::open(path, mode)?;
        if meta(&conn, "installation_id")?.is_some() {
            return Err(CoreError::AlreadyInitialised(path.to_path_buf()));
        }
        if let KeySource::File(file) = key_source
            && let Err(error) = key::refuse_existing_key_file(file)
        {
            drop(conn);
            if !existed {
                store::remove_store_files(path);
            }
            return Err(error);
        }
        // A failed init leaves no store file behind, nor the key file it made.
        let admin = NewAdmin {
            organisation: &organisation,
            username: &username,
            display_name: &display_name,
        };
        let (master, pepper, audit) = match Self::initialise(
            &mut conn,
            key_source,
            clock.now(),
            &admin,
            request.admin_password,
        ) {
            Ok(keys) => keys,
            Err(error) => {
                drop(conn);
                if !existed {
                    store::remove_store_files(path);
                }
                if let KeySource::File(file) = key_source {
                    let _ = std::fs::remove_file(file);
                }
                return Err(error);
            }
        };
        Ok(Authority {
            token_key: key::derive(&master, "token-digest"),
            signin_key: key::derive(&master, "signin-throttle"),
            pepper,
            master,
            audit,
            conn,
            clock,
            path: path.to_path_buf(),
        })
    }

    /// Makes the key, then writes the organisation and first administrator in one transaction.
    fn initialise(
        conn: &mut store::Store,
        key_source: &KeySource,
        clock_now: Timestamp,
        admin: &NewAdmin<'_>,
        password: &str,
    ) -> Result<(KeyBytes, KeyBytes, audit::AuditWriter)> {
        let installation_id = random_hex(16)?;
        let master = key::create(key_source, &installation_id)?;
        // A store made (or upgraded) by this init: its anchor is written now, before any event.
        let audit = audit::AuditWriter::attach(conn, &master, true)?;
        let pepper = key::derive(&master, "password-pepper");
        let password_hash = password::hash(&pepper, password)?;
        store::write(conn, clock_now, |tx, now| {
            for (k, v) in [
                ("organisation", admin.organisation),
                ("installation_id", installation_id.as_str()),
                ("key_source", key_source.kind()),
                ("key_verifier", key::verifier(&master).as_str()),
                ("created_at", now.to_string().as_str()),
            ] {
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                    params![k, v],
                )?;
            }
            tx.execute(
                "INSERT INTO accounts (username, username_key, display_name, role, status, password_hash, created_at)
                 VALUES (?1, ?2, ?3, 'admin', 'active', ?4, ?5)",
                params![admin.username, validate::username_key(admin.username), admin.display_name, password_hash, now],
            )?;
            audit::record(
                tx,
                now,
                admin.username,
                "organisation.created",
                admin.organisation,
                serde_json::Value::Null,
            )?;
            audit::record(
                tx,
                now,
                admin.username,
                "account.created",
                admin.username,
                serde_json::json!({"role": "admin"}),
            )?;
            Ok(())
        })?;
        Ok((master, pepper, audit))
    }

    /// Opens an initialised store and checks its key; a wrong or missing key fails closed here.
    pub fn open(path: &Path, key_source: &KeySource, clock: Arc<dyn Clock>) -> Result<Authority> {
        // The key is checked before an upgrade can happen, so the open that upgrades a store is
        // always one that holds the right key and can chain its old audit events.
        let early = Self::key_before_opening(path, key_source)?;
        let mut conn = store::open(path, OpenMode::Existing)?;
        let master = match early {
            Some(master) => {
                Self::check_verifier(&conn, path, key_source, &master)?;
                master
            }
            None => Self::load_key(&conn, path, key_source)?,
        };
        // Only the open that upgraded a store to the audit chain chains its old events: nothing
        // in the file (which anyone holding it can write) can ask for that later.
        let upgraded = conn
            .upgraded_from()
            .is_some_and(|from| from < AUDIT_CHAIN_SCHEMA);
        let audit = audit::AuditWriter::attach(&mut conn, &master, upgraded)?;
        Ok(Authority {
            token_key: key::derive(&master, "token-digest"),
            signin_key: key::derive(&master, "signin-throttle"),
            pepper: key::derive(&master, "password-pepper"),
            master,
            audit,
            conn,
            clock,
            path: path.to_path_buf(),
        })
    }

    /// For a store about to be upgraded: the key, read and checked through a plain look at the
    /// file before it is opened (which upgrades it). None when no upgrade is due or that look
    /// cannot read the store's key facts; the normal open then checks the key or reports what is
    /// wrong. The look writes nothing, and as the last connection to close it leaves the files
    /// as they were.
    fn key_before_opening(path: &Path, key_source: &KeySource) -> Result<Option<KeyBytes>> {
        if !path.is_file() {
            return Ok(None);
        }
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let Ok(plain) = Connection::open_with_flags(path, flags) else {
            return Ok(None);
        };
        let facts = (|| -> Result<bool> {
            let version: i64 = plain.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if version >= store::latest_schema_version() {
                return Ok(false);
            }
            Ok(meta(&plain, "installation_id")?.is_some()
                && meta(&plain, "key_source")?.is_some()
                && meta(&plain, "key_verifier")?.is_some())
        })();
        match facts {
            Ok(true) => Self::load_key(&plain, path, key_source).map(Some),
            _ => Ok(None),
        }
    }

    /// Checks a key read earlier against the opened store's verifier (no second keyring read).
    fn check_verifier(
        conn: &Connection,
        path: &Path,
        key_source: &KeySource,
        master: &KeyBytes,
    ) -> Result<()> {
        let verifier = meta(conn, "key_verifier")?
            .ok_or_else(|| CoreError::NotInitialised(path.to_path_buf()))?;
        Self::compare_verifier(key_source, master, &verifier)
    }

    fn compare_verifier(key_source: &KeySource, master: &KeyBytes, verifier: &str) -> Result<()> {
        let expected = key::verifier(master);
        let same = expected.len() == verifier.len()
            && expected
                .bytes()
                .zip(verifier.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if !same {
            let from = match key_source {
                KeySource::File(p) => format!("key file {}", p.display()),
                KeySource::OsStore => "the OS credential store".into(),
            };
            return Err(CoreError::Key(format!(
                "the installation key from {from} does not belong to this store; use the key it was created with"
            )));
        }
        Ok(())
    }

    fn load_key(conn: &Connection, path: &Path, key_source: &KeySource) -> Result<KeyBytes> {
        let (Some(installation_id), Some(kind), Some(verifier)) = (
            meta(conn, "installation_id")?,
            meta(conn, "key_source")?,
            meta(conn, "key_verifier")?,
        ) else {
            return Err(CoreError::NotInitialised(path.to_path_buf()));
        };
        match (kind.as_str(), key_source) {
            ("file", KeySource::OsStore) => {
                return Err(CoreError::Key(
                    "this store's installation key is in a key file; pass --key-file PATH or set LATCHKEY_KEY_FILE".into(),
                ));
            }
            ("os", KeySource::File(_)) => {
                return Err(CoreError::Key(
                    "this store's installation key is in the OS credential store; do not pass --key-file".into(),
                ));
            }
            _ => {}
        }
        let master = key::load(key_source, &installation_id)?;
        Self::compare_verifier(key_source, &master, &verifier)?;
        Ok(master)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether a restore has moved another store in at this store's path since it was opened
    /// (one `stat`): this one then refuses every write with `StoreReplaced` and should be
    /// dropped and the store opened again (the app's long-lived authority does so).
    pub fn store_replaced(&self) -> bool {
        self.conn.replaced()
    }

    pub fn organisation(&self) -> Result<String> {
        Ok(meta(&self.conn, "organisation")?.unwrap_or_default())
    }

    /// The clock's reading, before the watermark is applied.
    pub(crate) fn clock_now(&self) -> Timestamp {
        self.clock.now()
    }

    /// "Now": the later of the clock and the highest time a write has seen, so setting the clock
    /// back never revives a token.
    pub fn now(&self) -> Result<Timestamp> {
        let seen = self.clock.now().max(store::watermark(&self.conn)?);
        // Denials waiting to be written count as seen (`audit_batch.rs`).
        Ok(self.audit.seen(seen))
    }

    /// How many seconds the clock lags the store's highest reading, when that is over five minutes.
    pub fn clock_behind_by(&self) -> Result<Option<i64>> {
        let lag = store::watermark(&self.conn)? - self.clock.now();
        Ok((lag > CLOCK_BEHIND_WARNING_SECONDS).then_some(lag))
    }

    /// The signed-in account, re-read now; refused if it was deactivated meanwhile.
    pub(crate) fn active_account(conn: &Connection, actor: Actor) -> Result<Account> {
        let account = load_account_by_id(conn, actor.account_id)?
            .ok_or_else(|| CoreError::Forbidden("your account no longer exists".into()))?;
        if account.status != AccountStatus::Active {
            return Err(CoreError::Forbidden(
                "your account is deactivated; ask an administrator".into(),
            ));
        }
        Ok(account)
    }

    pub(crate) fn active_admin(conn: &Connection, actor: Actor) -> Result<Account> {
        let account = Self::active_account(conn, actor)?;
        if account.role != Role::Admin {
            return Err(CoreError::Forbidden(
                "only an administrator may do this".into(),
            ));
        }
        Ok(account)
    }

    pub(crate) fn require_admin(&self, actor: Actor) -> Result<Account> {
        Self::active_admin(&self.conn, actor)
    }

    /// The acting account, checked to be active.
    pub fn whoami(&self, actor: Actor) -> Result<Account> {
        Self::active_account(&self.conn, actor)
    }
}

const ACCOUNT_COLUMNS: &str = "id, username, display_name, role, status, access_all, mute_reminders, created_at, last_signin_at";

fn account_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        id: row.get(0)?,
        username: row.get(1)?,
        display_name: row.get(2)?,
        role: Role::parse(&row.get::<_, String>(3)?),
        status: AccountStatus::parse(&row.get::<_, String>(4)?),
        access_all: row.get(5)?,
        mute_reminders: row.get(6)?,
        created_at: row.get(7)?,
        last_signin_at: row.get(8)?,
    })
}

pub(crate) fn load_account_by_id(conn: &Connection, id: i64) -> Result<Option<Account>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1"
        ))?
        .query_row([id], account_from_row)
        .optional()?)
}

pub(crate) fn load_account_by_name(conn: &Connection, username: &str) -> Result<Option<Account>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE username_key = ?1"
        ))?
        .query_row([validate::username_key(username)], account_from_row)
        .optional()?)
}

/// An account named in a command, or a clear "no such account".
pub(crate) fn find_account(conn: &Connection, username: &str) -> Result<Account> {
    load_account_by_name(conn, username)?.ok_or_else(|| {
        CoreError::NotFound(format!(
            "no account named {:?}",
            validate::shorten(username)
        ))
    })
}

pub(crate) fn list_accounts(conn: &Connection) -> Result<Vec<Account>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY username_key"
    ))?;
    let rows = statement.query_map([], account_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
