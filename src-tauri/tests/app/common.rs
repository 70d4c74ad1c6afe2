//! An app on Tauri's mock runtime over a fresh store, and calls to its commands as the window
//! makes them.
#![allow(dead_code)]

use std::sync::Arc;

use latchkey_app::state::{AppState, StoreConfig};
use latchkey_core::{KeySource, TestClock};
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets,
};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};

pub const ADMIN_PASSWORD: &str = "admin password that is long";
pub const MEMBER_PASSWORD: &str = "member password that is long";

pub struct App {
    pub dir: tempfile::TempDir,
    /// The app's clock (clones share the time): tests move it instead of waiting.
    pub clock: TestClock,
    _app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
}

impl App {
    pub fn new() -> App {
        let dir = tempfile::tempdir().unwrap();
        let config = StoreConfig {
            path: dir.path().join("store.db"),
            key: KeySource::File(dir.path().join("key")),
        };
        let clock = TestClock::at(1_767_225_600);
        let mut state = AppState::new(Some(config), Arc::new(clock.clone()));
        state.downloads = Some(dir.path().join("Downloads"));
        let app = mock_builder()
            .manage(state)
            .invoke_handler(latchkey_app::handler())
            .build(mock_context(noop_assets()))
            .unwrap();
        let window = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        App {
            dir,
            clock,
            _app: app,
            window,
        }
    }

    pub fn handle(&self) -> &tauri::AppHandle<MockRuntime> {
        self._app.handle()
    }

    pub fn state(&self) -> tauri::State<'_, AppState> {
        latchkey_app::app_state(self._app.handle())
    }

    pub fn call(&self, command: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: command.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.window, request).map(|body| body.deserialize::<Value>().unwrap())
    }

    pub fn ok(&self, command: &str, args: Value) -> Value {
        self.call(command, args)
            .unwrap_or_else(|e| panic!("{command} failed: {e}"))
    }

    pub fn refused(&self, command: &str, args: Value) -> Value {
        let error = self.call(command, args).expect_err(command);
        let keys: Vec<&str> = error
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["code", "message"], "{command}: {error}");
        error
    }

    /// First-run setup (signs the administrator in) and a member `bob`.
    pub fn with_accounts() -> App {
        let app = App::new();
        app.ok(
            "setup",
            json!({
                "organisation": "Acme",
                "username": "root",
                "displayName": null,
                "password": ADMIN_PASSWORD,
            }),
        );
        app.ok(
            "add_account",
            json!({
                "username": "bob",
                "displayName": null,
                "admin": false,
                "password": MEMBER_PASSWORD,
            }),
        );
        app
    }

    pub fn db_path(&self) -> std::path::PathBuf {
        self.dir.path().join("store.db")
    }

    pub fn sign_in(&self, user: &str, password: &str) {
        self.ok("sign_in", json!({"username": user, "password": password}));
    }
}
