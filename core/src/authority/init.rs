//! First launch: the organisation, its installation key and its first administrator, in a new
//! store; a failed init leaves no store file behind, nor the key file it made.
use std::path::Path;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::Authority;
use crate::accounts::{Pepper, insert_account, password};
use crate::audit::{AuditAction, AuditWriter, Change};
use crate::clock::{Clock, Timestamp};
use crate::error::{CoreError, Result};
use crate::keys::{self, KeySource, MasterKey};
use crate::model::Role;
use crate::store::{self, OpenMode, meta};
use crate::validate;

/// What first launch asks for.
pub struct InitRequest<'a> {
    /// The organisation's name.
    pub organisation: &'a str,
    /// The first administrator's username.
    pub admin_username: &'a str,
    /// Their display name (the username when none).
    pub admin_display_name: Option<&'a str>,
    /// Their password.
    pub admin_password: &'a str,
}

/// The validated names of a first administrator.
struct NewAdmin<'a> {
    organisation: &'a str,
    username: &'a str,
    display_name: &'a str,
}

fn random_hex(bytes: usize) -> Result<String> {
    let mut buffer = vec![0u8; bytes];
    keys::random::fill_for_store(&mut buffer)?;
    Ok(keys::hex(&buffer))
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
        // A failed init leaves no store file behind, nor the key file it made.
        let fail = |conn: store::Store, error: CoreError, made_key_file: bool| {
            drop(conn);
            if !existed {
                store::remove_store_files(path);
            }
            if let (KeySource::File(file), true) = (key_source, made_key_file) {
                let _ = std::fs::remove_file(file);
            }
            Err(error)
        };
        if let KeySource::File(file) = key_source
            && let Err(error) = keys::refuse_existing_key_file(file)
        {
            return fail(conn, error, false);
        }
        let admin = NewAdmin {
            organisation: &organisation,
            username: &username,
            display_name: &display_name,
        };
        let (master, audit) = match Self::initialise(
            &mut conn,
            key_source,
            clock.now(),
            &admin,
            request.admin_password,
        ) {
            Ok(keys) => keys,
            Err(error) => return fail(conn, error, true),
        };
        Ok(Authority::assemble(conn, clock, master, audit, path))
    }

    /// Makes the key, then writes the organisation and first administrator in one transaction.
    fn initialise(
        conn: &mut store::Store,
        key_source: &KeySource,
        clock_now: Timestamp,
        admin: &NewAdmin<'_>,
        password: &str,
    ) -> Result<(MasterKey, AuditWriter)> {
        let installation_id = random_hex(16)?;
        let master = keys::create(key_source, &installation_id)?;
        // A store made (or upgraded) by this init: its anchor is written now, before any event.
        let audit = AuditWriter::attach(conn, &master, true)?;
        let pepper = Pepper::derive(&master);
        let password_hash = password::hash(&pepper, password)?;
        store::write(conn, clock_now, |tx, now| {
            for (k, v) in [
                ("organisation", admin.organisation),
                ("installation_id", installation_id.as_str()),
                ("key_source", key_source.kind()),
                ("key_verifier", master.verifier().as_str()),
                ("created_at", now.to_string().as_str()),
            ] {
                store::insert_meta(tx, k, v)?;
            }
            let (name, display_name) = (admin.username, admin.display_name);
            insert_account(tx, name, display_name, Role::Admin, &password_hash, now)?;
            let change = Change::new(tx, now, admin.username);
            change.record(
                AuditAction::OrganisationCreated,
                admin.organisation,
                Value::Null,
            )?;
            let details = json!({"role": Role::Admin.as_str()});
            change.record(AuditAction::AccountCreated, admin.username, details)
        })?;
        Ok((master, audit))
    }
}
