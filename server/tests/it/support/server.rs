//! The real `leapfrog-server` binary as a child process, restarted on new ports if another test took
//! one first or it did not come up in time. What it prints goes into the test's own output (shown when
//! the test fails), and its last lines into the message of a start that failed.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use protocol::Codec;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

use super::WAIT;
use super::http::http;
use super::redis::{TestRedis, free_port};
use super::ws_client::{Auth, TestClient};

/// How long a node may take to come up before it is started again on new ports.
const START_WAIT: Duration = Duration::from_secs(30);

/// A node's last lines of output kept for a failed start's message.
const KEPT_LINES: usize = 40;

/// `--worker-threads` of the next node started: `TEST_SERVER_WORKER_THREADS` if set, else 1 and 0 in
/// turn, so the suite runs nodes on one thread (as `deploy/k8s` runs them) and on a worker per core
/// (the binary's default), and a test of two nodes usually gets one of each. A test that options
/// `--worker-threads` itself overrides this (the last value wins).
fn next_worker_threads() -> String {
    static STARTED: AtomicUsize = AtomicUsize::new(0);
    std::env::var("TEST_SERVER_WORKER_THREADS").unwrap_or_else(|_| {
        let one_thread = STARTED.fetch_add(1, Ordering::Relaxed).is_multiple_of(2);
        if one_thread { "1" } else { "0" }.to_owned()
    })
}

/// A running `leapfrog-server` process.
pub(crate) struct TestServer {
    pub public: SocketAddr,
    pub admin: SocketAddr,
    child: Child,
    log: NodeLog,
}

/// The last [`KEPT_LINES`] lines a node wrote (its log on standard output, a panic or the reason it
/// stopped on standard error).
#[derive(Clone, Default)]
struct NodeLog(Arc<Mutex<VecDeque<String>>>);

impl NodeLog {
    /// Reads `output` (the node's standard output or error) line by line until the node closes it:
    /// each line is printed into the test's output, prefixed with the node's address, and the last
    /// ones kept. A failed test shows what its nodes said.
    fn follow(&self, output: impl AsyncRead + Unpin + Send + 'static, node: SocketAddr) {
        let log = self.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(output).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                eprintln!("[node {node}] {line}");
                let mut kept = log
                    .0
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                if kept.len() == KEPT_LINES {
                    kept.pop_front();
                }
                kept.push_back(line);
            }
        });
    }

    /// The kept lines, one per line.
    fn text(&self) -> String {
        let kept = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        kept.iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// How a start ended.
enum Start {
    /// Answering as asked.
    Up,
    /// The process exited (a port was taken before it bound it).
    Exited,
    /// Alive but not answering as asked within [`START_WAIT`]: what its probes last got.
    Stalled(String),
}

/// What a start waits for.
#[derive(Clone, Copy)]
enum Readiness {
    /// Serving: Redis answers.
    Ready,
    /// Up: the process answers `/healthz`.
    Alive,
}

impl TestServer {
    /// Starts the server binary on `redis` with `--dev-auth` and `extra` options, and waits until both
    /// ports answer. A free port can be taken by another test before the server binds it; the server then
    /// exits and is started again on new ports.
    pub(crate) async fn start(redis: &TestRedis, extra: &[&str]) -> TestServer {
        TestServer::spawn(redis, &[&["--dev-auth"], extra].concat(), Readiness::Ready).await
    }

    /// Starts the server binary like [`TestServer::start`] but waits only until it is alive (`/healthz`):
    /// for a node started while Redis is down.
    pub(crate) async fn start_alive(redis: &TestRedis, extra: &[&str]) -> TestServer {
        TestServer::spawn(redis, &[&["--dev-auth"], extra].concat(), Readiness::Alive).await
    }

    /// Starts the server binary on `redis` with exactly the options `options` (no `--dev-auth` unless
    /// given), as [`TestServer::start`] does.
    pub(crate) async fn start_with(redis: &TestRedis, options: &[&str]) -> TestServer {
        TestServer::spawn(redis, options, Readiness::Ready).await
    }

    async fn spawn(redis: &TestRedis, options: &[&str], readiness: Readiness) -> TestServer {
        let worker_threads = next_worker_threads();
        let mut stalls = Vec::new();
        for _ in 0..5 {
            let public: SocketAddr = ([127, 0, 0, 1], free_port()).into();
            let admin: SocketAddr = ([127, 0, 0, 1], free_port()).into();
            // Shown only if the test fails: which runtime the node ran on.
            eprintln!("node {public} with --worker-threads {worker_threads}");
            let mut child = Command::new(env!("CARGO_BIN_EXE_leapfrog-server"))
                .args(redis.server_args())
                .args([
                    "--listen",
                    &public.to_string(),
                    "--admin-listen",
                    &admin.to_string(),
                ])
                .args(["--drain-timeout-ms", "3000"])
                .args(["--worker-threads", &worker_threads])
                .args(options)
                // TEST_SERVER_LOG (a LEAPFROG_LOG filter) shows more of the servers' logs when debugging a
                // test (with --nocapture to see them as they come).
                .env(
                    "LEAPFROG_LOG",
                    std::env::var("TEST_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
                )
                // Read in the test's output and in a failed start's message: plain text.
                .env("NO_COLOR", "1")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .expect("the server binary runs");
            let log = NodeLog::default();
            if let Some(stdout) = child.stdout.take() {
                log.follow(stdout, public);
            }
            if let Some(stderr) = child.stderr.take() {
                log.follow(stderr, public);
            }
            let mut server = TestServer {
                public,
                admin,
                child,
                log,
            };
            match server.came_up(readiness).await {
                Start::Up => return server,
                Start::Exited => {}
                Start::Stalled(why) => {
                    let stall = format!(
                        "the node at {public} was not up within {START_WAIT:?}: {why}; its last \
                         lines:\n{}",
                        server.log.text()
                    );
                    eprintln!("{stall}\nstarting it again on new ports");
                    stalls.push(stall);
                    server.crash().await;
                }
            }
        }
        panic!(
            "the server did not start on free ports in 5 tries:\n{}",
            stalls.join("\n")
        );
    }

    /// Runs the server binary with `options` expecting it to refuse them: returns what it printed on
    /// standard error, or panics if it started.
    pub(crate) async fn refuses_to_start(options: &[&str]) -> String {
        let run = Command::new(env!("CARGO_BIN_EXE_leapfrog-server"))
            .args(["--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"])
            .args(["--redis-url", "redis://127.0.0.1:1/0"])
            .args(options)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .output();
        let output = tokio::time::timeout(WAIT, run)
            .await
            .expect("the server exits in time")
            .expect("the server binary runs");
        assert!(!output.status.success(), "{options:?} were accepted");
        String::from_utf8_lossy(&output.stderr).into_owned()
    }

    /// Waits until this process answers on the public port (`/readyz`, or `/healthz` when only alive)
    /// and `/metrics` on the admin port, up to [`START_WAIT`]: a node starting on a Redis Cluster while
    /// two tests load both cores once took longer than [`WAIT`].
    async fn came_up(&mut self, readiness: Readiness) -> Start {
        let probe = match readiness {
            Readiness::Ready => "/readyz",
            Readiness::Alive => "/healthz",
        };
        let deadline = tokio::time::Instant::now() + START_WAIT;
        let mut last = String::from("no probe answered");
        while tokio::time::Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return Start::Exited;
            }
            let answers = (
                http(self.public, "GET", probe, "").await,
                http(self.admin, "GET", "/metrics", "").await,
            );
            if let (Ok((200, _)), Ok((200, _))) = answers {
                if matches!(self.child.try_wait(), Ok(None)) {
                    return Start::Up;
                }
                return Start::Exited;
            }
            let (public, admin) = answers;
            let admin = match admin {
                Ok((status, _)) => status.to_string(),
                Err(error) => format!("nothing ({error})"),
            };
            last = format!(
                "{probe} last answered {}; /metrics {admin}",
                answered(&public)
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        Start::Stalled(last)
    }

    /// Waits until `/readyz` answers 200 again (after an outage).
    pub(crate) async fn wait_ready(&self) {
        for _ in 0..400 {
            if let Ok((200, _)) = http(self.public, "GET", "/readyz", "").await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the server at {} never became ready", self.public);
    }

    /// A dev token for `player`.
    pub(crate) async fn token(&self, player: &str) -> String {
        let (status, body) = http(
            self.public,
            "POST",
            "/dev/token",
            &format!(r#"{{"player":"{player}"}}"#),
        )
        .await
        .expect("dev token endpoint answers");
        assert_eq!(status, 200, "{body}");
        let value: serde_json::Value = serde_json::from_str(&body).expect("JSON answer");
        value["token"].as_str().expect("a token").to_owned()
    }

    /// A client connected and authenticated as `player` through the handshake.
    pub(crate) async fn client(&self, codec: Codec, player: &str) -> TestClient {
        let token = self.token(player).await;
        TestClient::connect(self.public, codec, Auth::Header(&token))
            .await
            .expect("connects")
    }

    /// Sends SIGTERM (graceful shutdown).
    pub(crate) fn terminate(&self) {
        if let Some(pid) = self.child.id() {
            let sent = std::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .is_ok_and(|status| status.success());
            assert!(sent, "kill -TERM {pid} failed");
        }
    }

    /// Kills the process at once, as a crash would.
    pub(crate) async fn crash(mut self) {
        let _ = self.child.kill().await;
    }

    /// Waits for the process to exit and returns whether it exited cleanly.
    pub(crate) async fn wait_exit(mut self) -> bool {
        tokio::time::timeout(WAIT, self.child.wait())
            .await
            .expect("the server exits in time")
            .expect("exit status")
            .success()
    }

    /// The `/metrics` text.
    pub(crate) async fn metrics(&self) -> String {
        let (status, body) = http(self.admin, "GET", "/metrics", "")
            .await
            .expect("metrics answer");
        assert_eq!(status, 200);
        body
    }

    /// The `/metrics` text once metric `name` with `labels` is at least `floor`, read again every few
    /// milliseconds for up to [`WAIT`]; panics with the last text otherwise. For counts the node makes
    /// after the event a test sees (a publish's reply, a sweep's end), where one read could come first.
    pub(crate) async fn metrics_once(
        &self,
        name: &str,
        labels: &[(&str, &str)],
        floor: f64,
    ) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let text = self.metrics().await;
            if super::metric(&text, name, labels).is_some_and(|value| value >= floor) {
                return text;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{name}{labels:?} never reached {floor}:\n{text}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A probe's answer in a few words: its status and the start of its body, or why there was none.
fn answered(answer: &std::io::Result<(u16, String)>) -> String {
    match answer {
        Ok((status, body)) => {
            let start: String = body.trim().chars().take(120).collect();
            format!("{status} {start:?}")
        }
        Err(error) => format!("nothing ({error})"),
    }
}

/// Options that lift the live timing check and the rate limit, so tests can play at machine speed.
pub(crate) const MACHINE_SPEED: [&str; 8] = [
    "--timing-tolerance-ms",
    "100000000",
    "--rate-per-second",
    "1000000",
    "--rate-burst",
    "1000000",
    "--max-runs-per-hour",
    "10000000",
];
