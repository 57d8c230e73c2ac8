//! A real `redis-server` per test, on a free loopback port, its data in a temporary directory.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

/// A free loopback port (bound, read, released: the tiny race is acceptable in tests).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}

fn temp_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "leapfrog-test-{label}-{}-{}",
        std::process::id(),
        free_port()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A real redis-server for one test.
pub(crate) struct TestRedis {
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl TestRedis {
    /// Starts a redis-server on a free port and waits until it answers.
    pub(crate) async fn start() -> TestRedis {
        let mut redis = TestRedis {
            port: free_port(),
            dir: temp_dir("redis"),
            child: None,
        };
        // A free port can be taken by another test between the probe and the bind: try a few.
        for _ in 0..5 {
            if redis.try_resume().await {
                return redis;
            }
            redis.port = free_port();
        }
        panic!("redis-server did not start on a free port in 5 tries");
    }

    /// The URL servers connect to.
    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Kills the server, as an outage would; [`TestRedis::resume`] restarts it with its append-only data.
    pub(crate) async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }

    /// Starts it again on the same port, with its append-only data.
    pub(crate) async fn resume(&mut self) {
        assert!(
            self.try_resume().await,
            "redis-server did not start again on port {}",
            self.port
        );
    }

    /// Starts redis-server on `self.port`; false if it exited (the port was taken) or never answered.
    async fn try_resume(&mut self) -> bool {
        let child = Command::new("redis-server")
            .args([
                "--bind",
                "127.0.0.1",
                "--port",
                &self.port.to_string(),
                "--save",
                "",
            ])
            .args(["--appendonly", "yes", "--appendfsync", "always"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("redis-server is installed (scripts/test.sh installs it)");
        let mut child = child;
        let client = redis::Client::open(self.url()).expect("valid url");
        for _ in 0..200 {
            // Our own process must be alive: a PONG from another test's Redis on a stolen port is no use.
            if !matches!(child.try_wait(), Ok(None)) {
                return false;
            }
            if let Ok(mut connection) = client.get_multiplexed_async_connection().await
                && redis::cmd("PING")
                    .query_async::<String>(&mut connection)
                    .await
                    .is_ok()
                && matches!(child.try_wait(), Ok(None))
            {
                self.child = Some(child);
                return true;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        false
    }

    /// A plain connection for checking what the server stored.
    pub(crate) async fn connection(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.url())
            .expect("valid url")
            .get_multiplexed_async_connection()
            .await
            .expect("redis answers")
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
