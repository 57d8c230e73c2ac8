//! The real `leapfrog-server` binary as a child process, restarted on new ports if another test took
//! one first.

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use protocol::Codec;
use tokio::process::{Child, Command};

use super::WAIT;
use super::http::http;
use super::redis::{TestRedis, free_port};
use super::ws_client::{Auth, TestClient};

/// How long a node may take to come up before a test gives up on it.
const START_WAIT: Duration = Duration::from_secs(30);

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
        for _ in 0..5 {
            let public: SocketAddr = ([127, 0, 0, 1], free_port()).into();
            let admin: SocketAddr = ([127, 0, 0, 1], free_port()).into();
            // Shown only if the test fails: which runtime the node ran on.
            eprintln!("node {public} with --worker-threads {worker_threads}");
            let child = Command::new(env!("CARGO_BIN_EXE_leapfrog-server"))
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
                // TEST_SERVER_LOG (a LEAPFROG_LOG filter) shows the servers' logs when debugging a test.
                .env(
                    "LEAPFROG_LOG",
                    std::env::var("TEST_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
                )
                .stdout(if std::env::var_os("TEST_SERVER_LOG").is_some() {
                    Stdio::inherit()
                } else {
                    Stdio::null()
                })
                .stderr(Stdio::inherit())
                .kill_on_drop(true)
                .spawn()
                .expect("the server binary runs");
            let mut server = TestServer {
                public,
                admin,
                child,
            };
            if server.came_up(readiness).await {
                return server;
            }
        }
        panic!("the server did not start on free ports in 5 tries");
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
    /// and `/metrics` on the admin port; false if it exited first. Up to [`START_WAIT`]: a node starting
    /// on a Redis Cluster while two tests load both cores once took longer than [`WAIT`].
    async fn came_up(&mut self, readiness: Readiness) -> bool {
        let probe = match readiness {
            Readiness::Ready => "/readyz",
            Readiness::Alive => "/healthz",
        };
        let deadline = tokio::time::Instant::now() + START_WAIT;
        while tokio::time::Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return false;
            }
            if let (Ok((200, _)), Ok((200, _))) = (
                http(self.public, "GET", probe, "").await,
                http(self.admin, "GET", "/metrics", "").await,
            ) && matches!(self.child.try_wait(), Ok(None))
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!(
            "the server at {} was not up ({probe}) within {START_WAIT:?}",
            self.public
        );
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
