//! `leapfrog-loadtest`: a load run (table or JSON on stdout, progress on stderr, exit code 2 when an SLO
//! flag fails), `chaos` and `soak` (exit code 3 when the audit or the verdict fails), or `echo-server`,
//! the baseline.

use clap::Parser;
use leapfrog_loadtest::cli::{Cli, Command, Scenario};

/// The same allocator as the node, so the tool and the echo baseline pay what the node pays.
#[global_allocator]
static ALLOCATOR: leapfrog_server::allocator::Allocator = leapfrog_server::allocator::Allocator;

/// Exit code of a chaos audit that found a loss or a duplicate, or a soak whose nodes did not stay flat.
const FAILED_CHECK: i32 = 3;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Command::EchoServer {
        listen,
        group_commit,
        commit_redis,
    }) = cli.command
    {
        let _ = leapfrog_server::fd_limit::raise_fd_limit();
        let commit = if group_commit {
            Some(leapfrog_loadtest::echo::Commit::start(commit_redis).await?)
        } else {
            None
        };
        eprintln!("echo server on ws://{listen}/");
        return leapfrog_loadtest::echo::serve(listen, commit).await;
    }
    let json = cli.run.json;
    match cli.run.scenario {
        Scenario::Chaos => {
            let report = until_stopped(leapfrog_loadtest::chaos::run(cli.run)).await?;
            print(json, &report, || report.table())?;
            if !report.passed() {
                std::process::exit(FAILED_CHECK);
            }
        }
        Scenario::Soak => {
            let report = until_stopped(leapfrog_loadtest::soak::run(cli.run)).await?;
            print(json, &report, || report.table())?;
            if !report.verdict.node_flat {
                std::process::exit(FAILED_CHECK);
            }
        }
        _ => {
            let report = leapfrog_loadtest::run::run(cli.run).await?;
            print(json, &report, || report.table())?;
            if !report.slo_failures.is_empty() {
                std::process::exit(2);
            }
        }
    }
    Ok(())
}

/// Runs `work` until it ends or SIGINT/SIGTERM comes; on a signal, `work` is dropped, which kills the
/// processes it started and removes their work directory.
async fn until_stopped<T>(work: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        result = work => result,
        _ = tokio::signal::ctrl_c() => anyhow::bail!("interrupted (SIGINT): every process started was killed"),
        _ = terminate.recv() => anyhow::bail!("terminated (SIGTERM): every process started was killed"),
    }
}

/// The report as JSON or as its table.
fn print(
    json: bool,
    report: &impl serde::Serialize,
    table: impl FnOnce() -> String,
) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
    } else {
        print!("{}", table());
    }
    Ok(())
}
