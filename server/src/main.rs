//! `leapfrog-server`: parses the configuration, sets up logging, and serves until SIGTERM or SIGINT.

use anyhow::Context;
use leapfrog_core::error_chain::ErrorChain;
use leapfrog_server::Server;
use leapfrog_server::config::{Config, LogFormat, Options};
use tracing_subscriber::EnvFilter;

/// mimalloc: a node allocates and frees a few small buffers per message on every core, and the
/// allocator showed up in the node's profile under load (BENCHMARKS.md, table 1 notes). Asked through
/// `allocator::Allocator`, which takes mimalloc's fast path for ordinary alignments.
#[global_allocator]
static ALLOCATOR: leapfrog_server::allocator::Allocator = leapfrog_server::allocator::Allocator;

fn main() -> anyhow::Result<()> {
    leapfrog_server::panics::install_hook();
    let config = Options::load()?.resolve()?;
    let runtime =
        leapfrog_server::runtime::build(config.worker_threads).context("starting the runtime")?;
    runtime.block_on(serve(config))
}

/// Runs the node with `config` until a stop signal and its drain.
async fn serve(config: Config) -> anyhow::Result<()> {
    let filter = EnvFilter::try_from_env("LEAPFROG_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    match config.log_format {
        LogFormat::Pretty => tracing_subscriber::fmt().with_env_filter(filter).init(),
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init(),
    }
    if config.auth.dev_auth {
        tracing::warn!(
            "DEV AUTH IS ON: POST /dev/token issues a token for any player. Never run this in production."
        );
    }
    match leapfrog_server::fd_limit::raise_fd_limit() {
        Ok(limit) => tracing::info!(limit, "open-file limit (one per connection)"),
        Err(error) => {
            tracing::warn!(error = %ErrorChain(&error), "cannot raise the open-file limit")
        }
    }
    let node = config.node_id.clone();
    let server = Server::bind(config).await.context("starting the server")?;
    tracing::info!(
        node = %node,
        public = %server.public_addr()?,
        admin = %server.admin_addr()?,
        "leapfrog-server listening (WebSocket at /ws, metrics on the admin port)"
    );
    let drained = server.run(stop_signal()).await;
    if let Some(fatal) = drained.fatal {
        anyhow::bail!("stopped: {fatal}");
    }
    if drained.results_left > 0 {
        // A non-zero exit tells the orchestrator the drain was cut short; nothing is lost.
        anyhow::bail!(
            "the drain timed out before this node recorded every finished run (left: {}); they are \
             listed in Redis and the next node to sweep records them",
            drained.results_left
        );
    }
    Ok(())
}

/// Resolves on SIGTERM or SIGINT.
async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut terminate), Ok(mut interrupt)) => {
            tokio::select! {
                _ = terminate.recv() => tracing::info!("SIGTERM received"),
                _ = interrupt.recv() => tracing::info!("SIGINT received"),
            }
        }
        _ => {
            tracing::error!("cannot install signal handlers; stopping on Ctrl-C only");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
