//! The local default: a `redis-server` child this process starts, watches and stops, so one command
//! gives a working, persistent server on a fresh machine. Loopback only, append-only persistence in the
//! configured data directory.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use thiserror::Error;
use tokio::process::{Child, Command};

/// How long the child has to start answering.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How long it has to exit after `SHUTDOWN` before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A supervised redis-server.
pub struct SupervisedRedis {
    child: Child,
    url: String,
}

/// Why the child could not be started.
#[derive(Debug, Error)]
pub enum SuperviseError {
    /// The binary is not installed.
    #[error(
        "`{binary}` was not found: install Redis (Debian: `apt-get install -y redis-server`) or pass \
         --redis-url to use an existing Redis"
    )]
    Missing {
        /// The binary looked for.
        binary: PathBuf,
    },
    /// Something else went wrong.
    #[error("cannot start `{binary}`: {reason}")]
    Start {
        /// The binary.
        binary: PathBuf,
        /// Why.
        reason: String,
    },
}

impl SupervisedRedis {
    /// Starts `binary` on 127.0.0.1:`port` (0 = a free port) with its data in `data_dir`, and waits until
    /// it answers `PING`.
    pub async fn start(
        binary: &Path,
        data_dir: &Path,
        port: u16,
    ) -> Result<SupervisedRedis, SuperviseError> {
        let start_error = |reason: String| SuperviseError::Start {
            binary: binary.to_owned(),
            reason,
        };
        std::fs::create_dir_all(data_dir).map_err(|e| {
            start_error(format!(
                "cannot create data directory {}: {e}",
                data_dir.display()
            ))
        })?;
        let port = if port == 0 {
            free_port().map_err(|e| start_error(e.to_string()))?
        } else {
            port
        };
        let child = Command::new(binary)
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .arg("--dir")
            .arg(data_dir)
            .args([
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
            ])
            .args([
                "--protected-mode",
                "yes",
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|error| match error.kind() {
                std::io::ErrorKind::NotFound => SuperviseError::Missing {
                    binary: binary.to_owned(),
                },
                _ => start_error(error.to_string()),
            })?;
        let mut supervised = SupervisedRedis {
            child,
            url: format!("redis://127.0.0.1:{port}/0"),
        };
        supervised.wait_until_ready().await.map_err(start_error)?;
        tracing::info!(url = %supervised.url, data_dir = %data_dir.display(), "supervised redis-server started");
        Ok(supervised)
    }

    /// The URL to connect to.
    pub fn url(&self) -> &str {
        &self.url
    }

    async fn wait_until_ready(&mut self) -> Result<(), String> {
        let client = redis::Client::open(self.url.as_str()).map_err(|e| e.to_string())?;
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("redis-server exited at start with {status}"));
            }
            if let Ok(mut connection) = client.get_multiplexed_async_connection().await
                && crate::store::cmd("PING")
                    .query_async::<String>(&mut connection)
                    .await
                    .is_ok()
            {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                return Err(format!(
                    "no answer on {} within {START_TIMEOUT:?}",
                    self.url
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops the child: `SHUTDOWN` (which syncs the append-only file), then a kill if it lingers.
    pub async fn stop(mut self) {
        if let Ok(client) = redis::Client::open(self.url.as_str())
            && let Ok(mut connection) = client.get_multiplexed_async_connection().await
        {
            // The connection closes as Redis exits, so an error answer is expected.
            let _ = crate::store::cmd("SHUTDOWN")
                .query_async::<()>(&mut connection)
                .await;
        }
        match tokio::time::timeout(STOP_TIMEOUT, self.child.wait()).await {
            Ok(Ok(status)) => tracing::info!(%status, "supervised redis-server stopped"),
            _ => {
                tracing::warn!("supervised redis-server did not stop in time; killing it");
                let _ = self.child.kill().await;
            }
        }
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind(("127.0.0.1", 0))?
        .local_addr()?
        .port())
}
