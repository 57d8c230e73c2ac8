//! `leapfrog-loadtest`: a load run (table or JSON on stdout, progress on stderr, exit code 2 when an SLO
//! flag fails), or `echo-server`, the baseline.

use clap::Parser;
use leapfrog_loadtest::cli::{Cli, Command};

/// The same allocator as the node, so the tool and the echo baseline pay what the node pays.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Command::EchoServer { listen }) = cli.command {
        let _ = leapfrog_server::fd_limit::raise_fd_limit();
        eprintln!("echo server on ws://{listen}/");
        return leapfrog_loadtest::echo::serve(listen).await;
    }
    let json = cli.run.json;
    let report = leapfrog_loadtest::run::run(cli.run).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.table());
    }
    if !report.slo_failures.is_empty() {
        std::process::exit(2);
    }
    Ok(())
}
