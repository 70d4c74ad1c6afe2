//! The command line of SPEC §5, as clap definitions.
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "latchkey",
    version,
    about = "Latchkey: an offline token authority for one organisation"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The store file (default: the app's data directory)
    #[arg(long, global = true, env = "LATCHKEY_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// A key file (mode 0600) instead of the OS credential store
    #[arg(long, global = true, env = "LATCHKEY_KEY_FILE", value_name = "PATH")]
    pub key_file: Option<PathBuf>,
    /// Machine-readable output
    #[arg(long, global = true)]
    pub json: bool,
    /// The account acting
    #[arg(long, global = true, env = "LATCHKEY_USER", value_name = "NAME")]
    pub user: Option<String>,
    /// Read the acting account's password from the first line of standard input
    #[arg(long, global = true)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the store, the organisation and its first administrator
    Init {
        #[arg(long, value_name = "NAME")]
        org: String,
        #[arg(long, value_name = "USERNAME")]
        admin: String,
        #[arg(long, value_name = "TEXT")]
        display_name: Option<String>,
    },
    /// Accounts
    #[command(subcommand)]
    Users(Users),
    /// Groups of accounts and their system grants
    #[command(subcommand)]
    Groups(Groups),
    /// Give an account access to a system
    Grant { username: String, system: String },
    /// Take an account's direct access to a system away
    Ungrant { username: String, system: String },
    /// Systems tokens give access to
    #[command(subcommand)]
    Systems(Systems),
    /// Create, list, revoke, rotate and delete tokens
    #[command(subcommand)]
    Tokens(Tokens),
    /// Check a token read from standard input or LATCHKEY_TOKEN (never from an argument)
    Verify {
        #[arg(long, value_name = "SLUG")]
        system: Option<String>,
        #[arg(long, value_enum, default_value_t = ActionArg::Access)]
        action: ActionArg,
        /// Tokens are never accepted as arguments; this only catches the mistake.
        #[arg(hide = true, num_args = 0.., allow_hyphen_values = true)]
        stray: Vec<String>,
    },
    /// Reminders: expiry, stale tokens, rotated tokens still in use
    #[command(subcommand)]
    Reminders(Reminders),
    /// Read the audit log (administrators), or `audit verify` its hash chain
    #[command(args_conflicts_with_subcommands = true)]
    Audit {
        #[command(flatten)]
        query: AuditQuery,
        #[command(subcommand)]
        command: Option<AuditCommand>,
    },
    /// Organisation settings
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// The clock watermark
    #[command(subcommand)]
    Clock(ClockCommand),
    /// Check the store's integrity, schema and key
    Doctor,
    /// Write the store and its key, sealed under a passphrase, to a new file (administrators)
    Backup {
        file: PathBuf,
        /// Read the passphrase from standard input (after the password, with --password-stdin)
        #[arg(long)]
        passphrase_stdin: bool,
    },
    /// Bring back a store from a backup where none exists; its key goes to --key-file or the OS
    /// credential store
    Restore {
        file: PathBuf,
        /// Read the passphrase from standard input (after the password, with --password-stdin)
        #[arg(long)]
        passphrase_stdin: bool,
        /// Replace the existing store with a backup of the same installation (administrators);
        /// what was revoked, deactivated or taken away since the backup is carried forward, and
        /// the replaced store is kept beside it
        #[arg(long)]
        replace: bool,
    },
    /// Answer verifications over HTTP(S) for proxies and services, until SIGINT or SIGTERM
    Serve(ServeArgs),
    /// Find leaked tokens in files, folders or standard input (-), and say which are live and
    /// whose. Exit 1 when one that may be live was found, else 2 when a path could not be read,
    /// else 0. Folders are read recursively without .git, binary files and symbolic links;
    /// without a store every token found is "unknown here"
    Scan {
        /// Files, folders, or - for standard input (default: the current folder)
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Every PATH is a file or folder, even one named - (for hooks that pass file names:
        /// `latchkey scan --files -- NAMES…`)
        #[arg(long)]
        files: bool,
        /// Revoke the live tokens found that the acting account (--user) may revoke; each
        /// revocation is audited with where the token was found
        #[arg(long)]
        revoke: bool,
    },
}

/// Where and how `latchkey serve` listens.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address and port to listen on (one off loopback needs TLS)
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:7420")]
    pub listen: std::net::SocketAddr,
    /// PEM certificate chain for HTTPS (with --tls-key)
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for HTTPS (with --tls-cert)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve plain HTTP off loopback (only where something else encrypts the traffic)
    #[arg(long)]
    pub insecure_plain_http: bool,
    /// A proxy (address or network) whose X-Forwarded-For names the client; repeatable
    #[arg(long, value_name = "ADDR[/BITS]")]
    pub trust_proxy: Vec<String>,
    /// Connections served at once; more wait until one closes
    #[arg(long, value_name = "N", default_value_t = latchkey_server::DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ActionArg {
    Access,
    Onboard,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Admin,
    Member,
}

#[derive(Debug, Subcommand)]
pub enum Users {
    /// Add an account (its password from LATCHKEY_NEW_PASSWORD, --new-password-stdin or a
    /// prompt), or with --service a service account, which has no password
    Add {
        username: String,
        #[arg(long, conflicts_with = "service")]
        admin: bool,
        #[arg(long, value_name = "TEXT")]
        display_name: Option<String>,
        #[arg(long, conflicts_with = "service")]
        new_password_stdin: bool,
        /// A service account, for a pipeline or a service: it never signs in (nobody has a
        /// password for it); the members of its managing group create, rotate and revoke its
        /// tokens and get its reminders
        #[arg(long, requires = "managed_by")]
        service: bool,
        /// The group whose members manage the service account's tokens (with --service)
        #[arg(long, value_name = "GROUP", requires = "service")]
        managed_by: Option<String>,
    },
    /// Every account, with its kind (person or service) and a service account's managing group
    /// (administrators)
    List,
    /// The service accounts whose tokens you manage (as a member of their managing group;
    /// administrators: every service account)
    Managed,
    /// Give a service account another managing group (administrators)
    SetManagedBy {
        username: String,
        group: String,
    },
    /// Deactivate an account: it cannot sign in and its tokens fail verification until it is
    /// reactivated. --preview shows first what would stop working; --hand-over-to or
    /// --revoke-tokens deal with its tokens in the same step (administrators)
    Deactivate {
        username: String,
        /// Show the account's tokens in force, which systems each reaches and whether it was
        /// used lately, the service accounts that would be left with no active manager, and
        /// the service accounts' tokens whose secret it received (they keep working: rotate
        /// them); change nothing
        #[arg(long, group = "leaving")]
        preview: bool,
        /// Hand every token in force over to this service account first: each keeps its
        /// secret and id and from then on has the service account's access (never more than
        /// it reached before), so what uses it keeps working
        #[arg(long, value_name = "SERVICE", group = "leaving")]
        hand_over_to: Option<String>,
        /// Revoke every token in force first
        #[arg(long, group = "leaving")]
        revoke_tokens: bool,
    },
    Reactivate {
        username: String,
    },
    /// Set another account's password and lift its sign-in lock
    ResetPassword {
        username: String,
        #[arg(long)]
        new_password_stdin: bool,
    },
    /// Change your own password
    SetPassword {
        #[arg(long)]
        new_password_stdin: bool,
    },
    SetRole {
        username: String,
        role: RoleArg,
    },
    /// Give or take "access to all systems"
    SetAccessAll {
        username: String,
        #[arg(action = clap::ArgAction::Set)]
        enabled: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum Groups {
    Add { name: String },
    Join { name: String, username: String },
    Leave { name: String, username: String },
    Grant { name: String, system: String },
    Ungrant { name: String, system: String },
    List,
}

#[derive(Debug, Subcommand)]
pub enum Systems {
    /// On-board a system (any active account; with --with-token, as the token's owner)
    Onboard {
        slug: String,
        #[arg(long, value_name = "TEXT")]
        display_name: Option<String>,
        /// Act as the owner of the token on standard input or in LATCHKEY_TOKEN
        #[arg(long)]
        with_token: bool,
    },
    List,
    /// Who may access a system (administrators)
    Access {
        slug: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum Tokens {
    /// Create a token; it is printed alone on standard output, once
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        expires_in_days: Option<i64>,
        /// Narrow the token to these systems
        #[arg(long, value_delimiter = ',', value_name = "a,b")]
        systems: Option<Vec<String>>,
        /// Where the token will be used ("GitHub Actions secret DEPLOY_TOKEN in acme/web"),
        /// shown in lists, reminders and leak findings, never in verification answers
        #[arg(long, value_name = "TEXT")]
        usage_note: Option<String>,
        /// A service account whose managing group you belong to, to own the token (its secret
        /// is shown to you, once)
        #[arg(long, value_name = "SERVICE")]
        owner: Option<String>,
    },
    /// Your tokens, or with --all (administrators) everyone's, or with --owner one account's
    /// (administrators, or a service account you manage)
    List {
        #[arg(long)]
        all: bool,
        #[arg(long, value_name = "USERNAME", conflicts_with = "all")]
        owner: Option<String>,
        /// Only the active tokens unused for longer than the stale setting (never used ones
        /// count from their creation), longest quiet first
        #[arg(long)]
        stale: bool,
    },
    /// What needs attention among the tokens you see: stale tokens, rotations finishing (is the
    /// old token still used?) and tokens expiring within the same day (renew them together)
    Overview,
    /// Set where a token is used; an empty TEXT ("") clears it
    Note {
        id: String,
        /// (may begin with "-": "- see runbook" is a note, not a flag)
        #[arg(value_name = "TEXT", allow_hyphen_values = true)]
        text: String,
    },
    /// Hand a token in force of a deactivated account (or of a service account) over to a
    /// service account (administrators): it keeps its secret and id, and from then on has the
    /// service account's access, never more than it reached before. An active account's tokens
    /// are handed over as it is deactivated (`users deactivate NAME --hand-over-to SERVICE`)
    HandOver {
        id: String,
        #[arg(long, value_name = "SERVICE")]
        to: String,
    },
    /// Revoke now the tokens unused for longer than the automatic-revocation setting, as the
    /// app and `latchkey serve` do on their own (administrators; for cron). Does nothing while
    /// the setting is off
    RevokeUnused,
    Revoke {
        id: String,
    },
    /// Revoke all your tokens, or (administrators) all of an account's
    RevokeAll {
        #[arg(long, value_name = "USERNAME")]
        owner: Option<String>,
    },
    /// Remove an expired or revoked token from the list
    Delete {
        id: String,
    },
    /// Replace a token with a new one, revealed once
    Rotate {
        id: String,
        #[arg(
            long,
            value_name = "N",
            allow_negative_numbers = true,
            conflicts_with = "until_first_use"
        )]
        grace_days: Option<i64>,
        #[arg(long)]
        until_first_use: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum Reminders {
    /// What the app would notify now, without sending: tokens expiring (with the owner's
    /// others expiring the same day), stale tokens, and rotated tokens something still uses;
    /// each with where the token is used
    Due,
}

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    Show,
    /// Change settings (administrators)
    Set {
        #[arg(long, value_delimiter = ',', value_name = "DAYS")]
        reminder_schedule: Option<Vec<i64>>,
        #[arg(long, value_name = "DAYS", allow_negative_numbers = true)]
        max_lifetime_days: Option<i64>,
        #[arg(long, action = clap::ArgAction::Set, value_name = "true|false")]
        onboarder_gets_access: Option<bool>,
        /// Minutes without input after which the app's window locks (1–60)
        #[arg(long, value_name = "MINUTES", allow_negative_numbers = true)]
        idle_lock_minutes: Option<i64>,
        /// Days without a use after which an active token is listed as stale and its owner
        /// reminded once (7–730; default 90)
        #[arg(long, value_name = "DAYS", allow_negative_numbers = true)]
        stale_after_days: Option<i64>,
        /// Days without a use after which an active token is revoked automatically, audited
        /// (more than the stale period, at most 1095), or off (the default)
        #[arg(long, value_name = "DAYS|off", allow_negative_numbers = true)]
        auto_revoke_unused_days: Option<DaysOrOff>,
    },
}

/// `--auto-revoke-unused-days`: a number of days, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaysOrOff(pub Option<i64>);

impl std::str::FromStr for DaysOrOff {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.eq_ignore_ascii_case("off") {
            return Ok(DaysOrOff(None));
        }
        text.parse::<i64>()
            .map(|days| DaysOrOff(Some(days)))
            .map_err(|_| "expected a whole number of days or off".to_string())
    }
}

// `latchkey audit`'s arguments. With `limit` or `before`: one page, newest first; with neither,
// the whole log, oldest first. (Not a doc comment: clap would show it as the command's about.)
#[derive(Debug, Args)]
pub struct AuditQuery {
    /// Events at or after this time (RFC 3339 or YYYY-MM-DD)
    #[arg(long)]
    pub since: Option<String>,
    /// Events at or before this time (RFC 3339 or YYYY-MM-DD)
    #[arg(long)]
    pub until: Option<String>,
    #[arg(long)]
    pub actor: Option<String>,
    /// An action (token.created) or a family of them (token)
    #[arg(long)]
    pub action: Option<String>,
    /// CSV instead of a table
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// Only the newest N matching events, newest first (a page)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub limit: Option<u32>,
    /// Only events older than the event with this id, newest first (the next page)
    #[arg(long)]
    pub before: Option<i64>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the audit log's hash chain: exit 0 when intact, 1 naming the first event changed,
    /// removed or inserted (needs the store and its key, no account)
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum ClockCommand {
    /// After fixing a wrong clock: trust the clock again (administrators; audited)
    Reset,
}
