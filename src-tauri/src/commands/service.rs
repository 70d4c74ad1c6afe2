//! Settings → Verification service: the app runs `latchkey serve` on loopback while it runs, for
//! tools and proxies on this machine (administrators; the password again after 5 minutes). Off
//! by default and after every start of the app; a service for other machines, with TLS, is
//! `latchkey serve` under systemd, launchd or a Windows service (docs/SERVE.md).
use std::net::{Ipv4Addr, SocketAddr};

use latchkey_server::ServeConfig;
use tauri::State;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::views::ServiceView;

fn only_administrators(state: &AppState) -> CommandResult<()> {
    state.as_confirmed_actor(|a, actor| a.require_admin(actor).map(|_| ()))
}

/// Whether the service runs, and where.
#[tauri::command(async)]
pub async fn service_status(state: State<'_, AppState>) -> CommandResult<ServiceView> {
    state.as_actor(|a, actor| a.whoami(actor).map(|_| ()))?;
    Ok(ServiceView::of(state.service.lock().await.as_ref()))
}

/// Starts the service on 127.0.0.1:`port` (0 picks a free port).
#[tauri::command(async)]
pub async fn start_service(state: State<'_, AppState>, port: u16) -> CommandResult<ServiceView> {
    only_administrators(&state)?;
    let mut service = state.service.lock().await;
    if service.is_none() {
        let location = state.config()?.clone();
        let mut config = ServeConfig::new(location);
        config.clock = state.clock.clone();
        config.listen = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let running = latchkey_server::start(config)
            .await
            .map_err(|e| CommandError::new("service_not_started", e.to_string()))?;
        *service = Some(running);
    }
    Ok(ServiceView::of(service.as_ref()))
}

/// Stops the service: requests in flight are answered and pending audit events written first.
#[tauri::command(async)]
pub async fn stop_service(state: State<'_, AppState>) -> CommandResult<ServiceView> {
    only_administrators(&state)?;
    let running = state.service.lock().await.take();
    if let Some(running) = running {
        running.shutdown().await;
    }
    Ok(ServiceView::of(None))
}
