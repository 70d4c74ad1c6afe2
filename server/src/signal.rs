//! `latchkey serve` in the foreground: serve until SIGINT or SIGTERM (Ctrl+C, Ctrl+Break or a
//! console close on Windows), then stop gracefully.
use std::time::Duration;

use crate::config::ServeConfig;
use crate::error::{Result, ServerError};
use crate::log;
use crate::running::start;

/// Blocking threads still running after the stop (none normally) get this long.
const RUNTIME_SHUTDOWN: Duration = Duration::from_millis(500);

/// Runs the service on its own runtime until a stop signal; Ok after a graceful stop.
pub fn serve_until_signal(config: ServeConfig) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("latchkey-serve")
        .build()
        .map_err(ServerError::Runtime)?;
    let served = runtime.block_on(async move {
        // Listen for the signals before saying "listening", so an early stop is graceful too.
        let stop = StopSignal::new()?;
        let server = start(config).await?;
        log::info(&format!("listening on {}", server.url()));
        let signal = stop.wait().await;
        log::info(&format!("{signal}: stopping"));
        server.shutdown().await;
        log::info("stopped");
        Ok(())
    });
    runtime.shutdown_timeout(RUNTIME_SHUTDOWN);
    served
}

#[cfg(unix)]
struct StopSignal {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl StopSignal {
    fn new() -> Result<StopSignal> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(StopSignal {
            interrupt: signal(SignalKind::interrupt()).map_err(ServerError::Runtime)?,
            terminate: signal(SignalKind::terminate()).map_err(ServerError::Runtime)?,
        })
    }

    async fn wait(mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }
}

#[cfg(windows)]
struct StopSignal {
    ctrl_c: tokio::signal::windows::CtrlC,
    ctrl_break: tokio::signal::windows::CtrlBreak,
    close: tokio::signal::windows::CtrlClose,
    shutdown: tokio::signal::windows::CtrlShutdown,
}

#[cfg(windows)]
impl StopSignal {
    fn new() -> Result<StopSignal> {
        use tokio::signal::windows;
        Ok(StopSignal {
            ctrl_c: windows::ctrl_c().map_err(ServerError::Runtime)?,
            ctrl_break: windows::ctrl_break().map_err(ServerError::Runtime)?,
            close: windows::ctrl_close().map_err(ServerError::Runtime)?,
            shutdown: windows::ctrl_shutdown().map_err(ServerError::Runtime)?,
        })
    }

    async fn wait(mut self) -> &'static str {
        tokio::select! {
            _ = self.ctrl_c.recv() => "Ctrl+C",
            _ = self.ctrl_break.recv() => "Ctrl+Break",
            _ = self.close.recv() => "console closed",
            _ = self.shutdown.recv() => "system shutdown",
        }
    }
}
