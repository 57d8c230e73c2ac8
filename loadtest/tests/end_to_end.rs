//! The load tool against a real node (the server library, in this process, on loopback) on a real
//! redis-server, and against the echo baseline: short, bounded runs of every scenario.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use leapfrog_loadtest::cli::Cli;
use leapfrog_loadtest::report::Report;
use leapfrog_server::Server;
use leapfrog_server::config::Options;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;

const JWT: &str = "loadtest-jwt-secret-of-at-least-32-bytes";
const ADMIN: &str = "loadtest-admin-secret-of-at-least-32-bytes";

/// A redis-server on a free loopback port, killed when dropped.
struct Redis {
    url: String,
    _child: Child,
    dir: std::path::PathBuf,
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn redis() -> Redis {
    for attempt in 0..5 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let dir = std::env::temp_dir().join(format!(
            "leapfrog-loadtest-{}-{port}-{attempt}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut child = Command::new("redis-server")
            .args([
                "--bind",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("redis-server is installed (scripts/test.sh installs it)");
        let url = format!("redis://127.0.0.1:{port}/0");
        let client = redis::Client::open(url.as_str()).expect("valid url");
        for _ in 0..200 {
            if !matches!(child.try_wait(), Ok(None)) {
                break;
            }
            if let Ok(mut connection) = client.get_multiplexed_async_connection().await
                && redis::cmd("PING")
                    .query_async::<String>(&mut connection)
                    .await
                    .is_ok()
            {
                return Redis {
                    url,
                    _child: child,
                    dir,
                };
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
    panic!("redis-server did not start");
}

/// Options that let players press at machine speed: the ones the chaos scenario gives its nodes.
const MACHINE_SPEED: &[&str] = &leapfrog_loadtest::chaos::MACHINE_SPEED;

/// A node on `redis` that lets players press at machine speed, serving until the test ends.
async fn node(redis: &Redis) -> (SocketAddr, SocketAddr) {
    node_with(redis, MACHINE_SPEED).await
}

/// A local three-master Redis Cluster (`redis-server --cluster-enabled yes` joined by
/// `redis-cli --cluster create`), killed when dropped.
struct Cluster {
    urls: Vec<String>,
    _children: Vec<Child>,
    dir: std::path::PathBuf,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A free port whose cluster bus port (+10,000) is free too.
fn free_cluster_port() -> u16 {
    loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        if port < 55_000 && std::net::TcpListener::bind(("127.0.0.1", port + 10_000)).is_ok() {
            return port;
        }
    }
}

async fn cluster() -> Cluster {
    let dir =
        std::env::temp_dir().join(format!("leapfrog-loadtest-cluster-{}", std::process::id()));
    let mut children = Vec::new();
    let mut addresses = Vec::new();
    for _ in 0..3 {
        let port = free_cluster_port();
        let node_dir = dir.join(port.to_string());
        std::fs::create_dir_all(&node_dir).expect("temp dir");
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--save",
                "",
                "--appendonly",
                "no",
                "--cluster-enabled",
                "yes",
            ])
            .args(["--cluster-node-timeout", "5000"])
            .arg("--cluster-config-file")
            .arg(node_dir.join("nodes.conf"))
            .arg("--dir")
            .arg(&node_dir)
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("redis-server is installed (scripts/test.sh installs it)");
        children.push(child);
        addresses.push(format!("127.0.0.1:{port}"));
    }
    let urls: Vec<String> = addresses.iter().map(|a| format!("redis://{a}")).collect();
    for url in &urls {
        let client = redis::Client::open(url.as_str()).expect("valid url");
        let mut up = false;
        for _ in 0..200 {
            if let Ok(mut connection) = client.get_multiplexed_async_connection().await
                && redis::cmd("PING")
                    .query_async::<String>(&mut connection)
                    .await
                    .is_ok()
            {
                up = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert!(up, "redis-server at {url} did not start");
    }
    let created = Command::new("redis-cli")
        .args(["--cluster", "create"])
        .args(&addresses)
        .args(["--cluster-replicas", "0", "--cluster-yes"])
        .stdout(Stdio::null())
        .status()
        .await
        .expect("redis-cli is installed");
    assert!(created.success(), "redis-cli --cluster create failed");
    for url in &urls {
        let client = redis::Client::open(url.as_str()).expect("valid url");
        let mut ok = false;
        for _ in 0..400 {
            if let Ok(mut connection) = client.get_multiplexed_async_connection().await
                && let Ok(info) = redis::cmd("CLUSTER")
                    .arg("INFO")
                    .query_async::<String>(&mut connection)
                    .await
                && info.contains("cluster_state:ok")
                && info.contains("cluster_known_nodes:3")
            {
                ok = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert!(ok, "the cluster never became ok at {url}");
    }
    Cluster {
        urls,
        _children: children,
        dir,
    }
}

/// A node on `redis` with `extra` options.
async fn node_with(redis: &Redis, extra: &[&str]) -> (SocketAddr, SocketAddr) {
    node_on(&["--redis-url", redis.url.as_str()], extra).await
}

/// A node on the Redis named by `redis_args` (`--redis-url ...`, and `--redis-cluster` for a cluster).
async fn node_on(redis_args: &[&str], extra: &[&str]) -> (SocketAddr, SocketAddr) {
    let mut args = vec!["leapfrog-server"];
    args.extend_from_slice(redis_args);
    args.extend_from_slice(&[
        "--listen",
        "127.0.0.1:0",
        "--admin-listen",
        "127.0.0.1:0",
        "--jwt-secret",
        JWT,
        "--admin-secret",
        ADMIN,
        "--coalesce-window-ms",
        "0",
    ]);
    args.extend_from_slice(extra);
    let config = Options::parse_from(args).resolve().expect("valid options");
    let server = Server::bind(config).await.expect("binds");
    let addrs = (server.public_addr().unwrap(), server.admin_addr().unwrap());
    tokio::spawn(server.run(std::future::pending()));
    wait_ready(addrs.0).await;
    (addrs.0, addrs.1)
}

/// Waits until the node at `public` says it is ready (`/readyz` answers 200), as a load balancer
/// would. Before its first Redis probe a node welcomes a player with an `unavailable` error beside the
/// welcome (PROTOCOL.md), which a load started at once counted as an error now and then.
async fn wait_ready(public: SocketAddr) {
    for _ in 0..200 {
        if let Ok((200, _)) = leapfrog_loadtest::admin::http(public, "GET", "/readyz", "", "").await
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the node at {public} never became ready");
}

async fn load(args: &[&str]) -> Report {
    let mut all = vec![
        "leapfrog-loadtest",
        "--progress-secs",
        "0",
        "--jwt-secret",
        JWT,
        "--admin-secret",
        ADMIN,
    ];
    all.extend_from_slice(args);
    let cli = Cli::parse_from(all);
    tokio::time::timeout(
        Duration::from_secs(60),
        leapfrog_loadtest::run::run(cli.run),
    )
    .await
    .expect("the run stops by itself")
    .expect("the run works")
}

fn kind<'a>(report: &'a Report, name: &str) -> &'a leapfrog_loadtest::report::KindReport {
    report
        .kinds
        .iter()
        .find(|kind| kind.kind == name)
        .unwrap_or_else(|| panic!("no {name} in {}", report.table()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn players_play_read_and_ack_against_a_real_node() {
    let redis = redis().await;
    let (public, admin) = node(&redis).await;
    let url = format!("ws://{public}/ws");
    let report = load(&[
        "--url",
        &url,
        "--admin",
        &admin.to_string(),
        "--redis-url",
        redis.url.as_str(),
        "--players",
        "16",
        "--ramp-secs",
        "1",
        "--duration-secs",
        "3",
        "--pace",
        "fast",
        "--degrees",
        "fixed",
        "--friends-mean",
        "4",
        "--skill",
        "800",
        "--mix",
        "run=4,friends=2,global=1,ack=1",
        "--source-addrs",
        "2",
        "--max-p99-ms",
        "jump=0.000001",
    ])
    .await;
    let table = report.table();
    assert_eq!(report.peak_connections, 16, "{table}");
    assert!(report.runs > 0 && report.jumps > report.runs, "{table}");
    for name in [
        "hello",
        "start_run",
        "jump",
        "jump_final",
        "read_friends",
        "read_global",
    ] {
        let measured = kind(&report, name);
        assert!(measured.count > 0, "{table}");
        assert!(measured.errors.is_empty(), "{name} failed: {table}");
        assert!(measured.p50_ms <= measured.p99_ms && measured.p99_ms <= measured.max_ms);
    }
    let calls = report
        .redis_calls_per_run
        .as_ref()
        .expect("--redis-url was given");
    assert!(
        calls.get("evalsha").copied().unwrap_or(0.0) >= 1.0,
        "{calls:?}"
    );
    assert_eq!(
        report.slo_failures.len(),
        1,
        "an impossible SLO fails: {table}"
    );
    let json = serde_json::to_value(&report).expect("serialises");
    assert!(
        json["kinds"]
            .as_array()
            .is_some_and(|kinds| !kinds.is_empty())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passes_are_delivered_and_timed() {
    let redis = redis().await;
    let (public, admin) = node(&redis).await;
    let url = format!("ws://{public}/ws");
    let report = load(&[
        "--scenario",
        "passes",
        "--url",
        &url,
        "--admin",
        &admin.to_string(),
        "--players",
        "8",
        "--rate",
        "40",
        "--ramp-secs",
        "0",
        "--duration-secs",
        "3",
        "--max-error-rate",
        "0",
    ])
    .await;
    let table = report.table();
    let delivery = kind(&report, leapfrog_loadtest::stats::DELIVERY);
    assert!(delivery.count >= 10, "{table}");
    assert!(delivery.errors.is_empty(), "{table}");
    assert!(report.slo_failures.is_empty(), "{table}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_and_server_memory() {
    let redis = redis().await;
    let (public, _) = node(&redis).await;
    let url = format!("ws://{public}/ws");
    let pid = std::process::id().to_string();
    let report = load(&[
        "--scenario",
        "idle",
        "--url",
        &url,
        "--players",
        "50",
        "--ramp-secs",
        "1",
        "--duration-secs",
        "2",
        "--server-pid",
        &pid,
    ])
    .await;
    let memory = report.memory.as_ref().expect("--server-pid was given");
    assert_eq!(memory.connections, 50, "{}", report.table());
    assert_eq!(kind(&report, "hello").count, 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fixed_workload_stops_when_its_players_are_done() {
    let redis = redis().await;
    let (public, _) = node(&redis).await;
    let url = format!("ws://{public}/ws");
    let pid = std::process::id().to_string();
    let report = load(&[
        "--scenario",
        "jumps",
        "--url",
        &url,
        "--players",
        "5",
        "--jumps",
        "20",
        "--ramp-secs",
        "0",
        "--duration-secs",
        "50",
        "--cpu-pid",
        &format!("node={pid}"),
    ])
    .await;
    assert_eq!(kind(&report, "jump").count, 100, "{}", report.table());
    // The CPU window closes with the last player, not at the 50 s deadline.
    assert!(report.elapsed_s < 25.0, "{}", report.table());
    let cpu = report.cpu.as_ref().expect("--cpu-pid was given");
    assert_eq!(cpu.jumps, 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_echo_baseline_carries_the_same_traffic() {
    let (listener, addr) = loopback_listener().await;
    tokio::spawn(leapfrog_loadtest::echo::serve_on(listener));
    echo_carries_traffic(addr).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_echo_baseline_with_a_group_commit_on_redis_carries_the_same_traffic() {
    let redis = redis().await;
    let redis_addr: SocketAddr = redis
        .url
        .trim_start_matches("redis://")
        .trim_end_matches("/0")
        .parse()
        .expect("redis address");
    let (listener, addr) = loopback_listener().await;
    let commit = leapfrog_loadtest::echo::Commit::start(Some(redis_addr))
        .await
        .expect("connects to redis");
    tokio::spawn(leapfrog_loadtest::echo::serve_with(listener, Some(commit)));
    echo_carries_traffic(addr).await;
}

/// A frame is echoed only after its commit round's Redis reply, and a connection whose commit cannot
/// happen is closed, not left waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_group_commit_echo_answers_only_after_the_commit() {
    let (mut store_side, mut socket) = echo_on_a_stand_in_redis().await;
    socket
        .send(Message::binary(vec![1, 2, 3]))
        .await
        .expect("sends");

    let mut ping = [0u8; 6];
    store_side.read_exact(&mut ping).await.expect("a PING");
    assert_eq!(&ping, b"PING\r\n");
    // No reply from the store yet, so no echo.
    assert!(
        tokio::time::timeout(Duration::from_millis(200), socket.next())
            .await
            .is_err(),
        "echoed before the commit"
    );
    store_side.write_all(b"+PONG\r\n").await.expect("replies");
    let echoed = tokio::time::timeout(Duration::from_secs(5), socket.next())
        .await
        .expect("echoed after the commit")
        .expect("a frame")
        .expect("not an error");
    assert_eq!(echoed, Message::binary(vec![1, 2, 3]));

    // The store goes away: the next frame's commit fails and the connection ends.
    socket.send(Message::binary(vec![4])).await.expect("sends");
    store_side.read_exact(&mut ping).await.expect("a PING");
    drop(store_side);
    ends_without_an_echo(&mut socket).await;
}

/// A `PING` Redis refuses (an error reply, as without the password) is no commit: the frame is not
/// echoed and the connection ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_group_commit_echo_takes_a_refused_ping_as_no_commit() {
    let (mut store_side, mut socket) = echo_on_a_stand_in_redis().await;
    socket.send(Message::binary(vec![7])).await.expect("sends");
    let mut ping = [0u8; 6];
    store_side.read_exact(&mut ping).await.expect("a PING");
    store_side
        .write_all(b"-NOAUTH Authentication required.\r\n")
        .await
        .expect("replies");
    ends_without_an_echo(&mut socket).await;
}

/// Asserts that the echo server ends `socket`'s connection, within 5 s, without echoing the frame whose
/// commit failed.
async fn ends_without_an_echo<S>(socket: &mut S)
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    let next = tokio::time::timeout(Duration::from_secs(5), socket.next())
        .await
        .expect("the connection ends rather than waits");
    assert!(
        !matches!(next, Some(Ok(Message::Binary(_)))),
        "echoed without a commit: {next:?}"
    );
}

/// A group-commit echo server whose Redis is a stand-in the test answers by hand: that stand-in's side
/// of the commit connection, and a client connected to the echo server.
async fn echo_on_a_stand_in_redis() -> (
    tokio::net::TcpStream,
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
) {
    let (store, store_addr) = loopback_listener().await;
    let (commit, accepted) = tokio::join!(
        leapfrog_loadtest::echo::Commit::start(Some(store_addr)),
        store.accept()
    );
    let commit = commit.expect("connects");
    let (store_side, _) = accepted.expect("accepts");
    let (listener, addr) = loopback_listener().await;
    tokio::spawn(leapfrog_loadtest::echo::serve_with(listener, Some(commit)));
    let (socket, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/"))
        .await
        .expect("connects");
    (store_side, socket)
}

/// A listener on a free loopback port, and its address.
async fn loopback_listener() -> (tokio::net::TcpListener, SocketAddr) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("bound");
    (listener, addr)
}

/// Plays 8 fast players against the echo server at `addr` for 2 s: no errors, and its CPU read.
async fn echo_carries_traffic(addr: SocketAddr) {
    let url = format!("ws://{addr}/ws");
    // The echo server runs in this process: its CPU is the tool's too, which is enough to see it read.
    let echo_pid = format!("echo={}", std::process::id());
    let report = load(&[
        "--target",
        "echo",
        "--url",
        &url,
        "--cpu-pid",
        &echo_pid,
        "--players",
        "8",
        "--ramp-secs",
        "0",
        "--duration-secs",
        "2",
        "--pace",
        "fast",
        "--max-error-rate",
        "0",
    ])
    .await;
    assert!(report.jumps > 100, "{}", report.table());
    assert!(report.slo_failures.is_empty(), "{}", report.table());
    let cpu = report.cpu.as_ref().expect("a play run reports CPU");
    assert!(cpu.round_trips > 0 && cpu.jumps > 0, "{}", report.table());
    let names: Vec<&str> = cpu.processes.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["echo", "tool"]);
    assert!(
        cpu.processes.iter().all(|p| p.us_per_round_trip.is_some()),
        "{}",
        report.table()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn human_pace_passes_the_servers_timing_checks() {
    let redis = redis().await;
    // Default timing tolerance and rate limits: the tool must wait what the timing model says.
    let (public, admin) = node_with(&redis, &[]).await;
    let url = format!("ws://{public}/ws");
    let report = load(&[
        "--url",
        &url,
        "--admin",
        &admin.to_string(),
        "--players",
        "4",
        "--ramp-secs",
        "0",
        "--duration-secs",
        "4",
        "--pace",
        "human",
        "--mix",
        "run=1",
        "--skill",
        "800",
        "--max-error-rate",
        "0",
    ])
    .await;
    let table = report.table();
    assert!(kind(&report, "jump").count >= 4, "{table}");
    assert!(
        report.slo_failures.is_empty(),
        "no jump refused as too fast: {table}"
    );
}

/// The chaos scenario, short: 16 players on two node processes and a redis-server with an append-only
/// file, a node SIGKILLed every 6 s and Redis every 15 s, then the audit. Nothing answered may be lost
/// and no pass told twice. Needs the node binary beside the test's target directory (`cargo test
/// --workspace` and `scripts/test.sh` build it; alone: `cargo build -p leapfrog-server` first).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_loses_and_duplicates_nothing() {
    let cli = Cli::parse_from([
        "leapfrog-loadtest",
        "--scenario",
        "chaos",
        "--players",
        "16",
        "--ramp-secs",
        "1",
        "--duration-secs",
        "32",
        "--rate",
        "10",
        "--node-kill-every-secs",
        "6",
        "--redis-restart-every-secs",
        "15",
        "--progress-secs",
        "0",
        "--node-log",
        "warn",
    ]);
    let report = tokio::time::timeout(
        Duration::from_secs(240),
        leapfrog_loadtest::chaos::run(cli.run),
    )
    .await
    .expect("the chaos run stops by itself")
    .expect("the chaos run works");
    let table = report.table();
    assert!(report.passed(), "{table}");
    assert!(report.faults.node_kills >= 4, "{table}");
    assert!(report.faults.redis_restarts >= 2, "{table}");
    let runs = &report.audit.runs;
    assert!(runs.recorded >= 100, "{table}");
    assert_eq!(runs.lost, 0, "{table}");
    let notifications = &report.audit.notifications;
    assert!(notifications.due >= 90, "{table}");
    assert_eq!(notifications.told, notifications.due, "{table}");
    assert_eq!(
        (notifications.duplicated, notifications.missing),
        (0, 0),
        "{table}"
    );
    let json = serde_json::to_value(&report).expect("serialises");
    assert!(
        json["faults"]["events"]
            .as_array()
            .is_some_and(|events| events.len() >= 6)
    );
}

/// The soak machinery, for seconds instead of an hour: samples, fits and a verdict come out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_soak_samples_and_judges() {
    let cli = Cli::parse_from([
        "leapfrog-loadtest",
        "--scenario",
        "soak",
        "--players",
        "8",
        "--ramp-secs",
        "0",
        "--duration-secs",
        "8",
        "--sample-secs",
        "1",
        "--warmup-secs",
        "1",
        "--think-ms",
        "100",
        // Every action ends with a new connection: on a loaded machine a player may finish only one
        // or two actions (a run at human pace takes seconds) in the few seconds this lasts.
        "--reconnect-every",
        "1",
        "--node-log",
        "warn",
    ]);
    let report = tokio::time::timeout(
        Duration::from_secs(120),
        leapfrog_loadtest::soak::run(cli.run),
    )
    .await
    .expect("the soak stops by itself")
    .expect("the soak works");
    let table = report.table();
    assert!(report.samples.len() >= 6, "{table}");
    let first = &report.samples[0].nodes[0];
    assert!(
        first.rss_bytes.unwrap_or(0) > 0 && first.fds.unwrap_or(0) > 0,
        "{table}"
    );
    assert!(
        report
            .fits
            .iter()
            .any(|fit| fit.series == "node-0 RSS bytes"),
        "{table}"
    );
    assert!(report.reconnects > 0, "{table}");
    assert!(
        report.load.runs > 0 || report.load.kinds.iter().any(|kind| kind.kind == "jump"),
        "{table}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_is_read_master_by_master() {
    let cluster = cluster().await;
    let urls = cluster.urls.join(",");
    let (public, admin) = node_on(&["--redis-url", &urls, "--redis-cluster"], MACHINE_SPEED).await;
    let url = format!("ws://{public}/ws");
    let report = load(&[
        "--url",
        &url,
        "--admin",
        &admin.to_string(),
        "--redis-url",
        &urls,
        "--redis-cluster",
        "--players",
        "16",
        "--ramp-secs",
        "0",
        "--duration-secs",
        "2",
        "--pace",
        "fast",
        "--mix",
        "run=4,friends=2,global=1",
        "--global-limit",
        "100",
        "--max-error-rate",
        "0",
    ])
    .await;
    let table = report.table();
    assert!(report.slo_failures.is_empty(), "{table}");
    let masters = report
        .redis_masters
        .as_ref()
        .expect("--redis-url was given");
    assert_eq!(masters.len(), 3, "{table}");
    assert!(masters.iter().all(|master| master.calls > 0), "{table}");
    let shares: f64 = masters.iter().map(|master| master.calls_pct).sum();
    assert!((shares - 100.0).abs() < 1e-6, "{table}");
    let calls = report
        .redis_calls_per_run
        .as_ref()
        .expect("summed over the masters");
    assert!(
        calls.get("evalsha").copied().unwrap_or(0.0) >= 1.0,
        "{calls:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staleness_times_each_readers_first_sight_of_a_new_best() {
    let redis = redis().await;
    let (public, admin) = node(&redis).await;
    let url = format!("ws://{public}/ws");
    let report = load(&[
        "--scenario",
        "staleness",
        "--url",
        &url,
        "--admin",
        &admin.to_string(),
        "--players",
        "5",
        "--writers",
        "2",
        "--ramp-secs",
        "0",
        "--duration-secs",
        "4",
        "--pace",
        "fast",
        "--think-ms",
        "10",
        "--max-error-rate",
        "0",
    ])
    .await;
    let table = report.table();
    assert!(report.slo_failures.is_empty(), "{table}");
    // Two writers' first runs, each seen by three readers.
    let staleness = kind(&report, leapfrog_loadtest::scenario::staleness::STALENESS);
    assert!(staleness.count >= 6, "{table}");
    assert!(
        kind(&report, "read_global").count > staleness.count,
        "{table}"
    );
}
