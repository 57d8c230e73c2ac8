//! The processes `chaos` and `soak` start and own: one redis-server with an append-only file and a few
//! `leapfrog-server` nodes on it, all on free loopback ports, with Redis's data and every process's log
//! in one work directory. Nodes and Redis can be killed (SIGKILL, as a crash) and started again on the
//! same ports and data; whatever still runs is killed when the cluster is dropped, and the work directory
//! removed unless kept.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::process::{Child, Command};
use tokio::sync::Mutex;

use crate::admin;
use crate::cli::{ClusterOptions, Fsync};
use crate::client::Endpoint;

/// How long a process may take to come up before the start counts as failed.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Tries on new ports when a node's ports were taken between choosing and binding them.
const PORT_TRIES: usize = 5;

/// What to start.
#[derive(Debug, Clone)]
pub struct ClusterSettings {
    /// The node binary.
    pub server_bin: PathBuf,
    /// The redis-server binary.
    pub redis_bin: PathBuf,
    /// How many nodes.
    pub nodes: u8,
    /// Redis `appendfsync`.
    pub appendfsync: Fsync,
    /// The work directory, or `None` for a fresh one under the system's temporary directory.
    pub work_dir: Option<PathBuf>,
    /// Keep the work directory at the end.
    pub keep_work_dir: bool,
    /// `LEAPFROG_LOG` of the nodes.
    pub node_log: String,
    /// Options every node gets besides its addresses, Redis and node id.
    pub node_args: Vec<String>,
    /// Request timeout of the endpoints handed to players.
    pub request_timeout: Duration,
}

impl ClusterSettings {
    /// The settings `options` ask for, with `node_args` for every node.
    pub fn from_options(
        options: &ClusterOptions,
        node_args: Vec<String>,
        request_timeout: Duration,
    ) -> anyhow::Result<ClusterSettings> {
        let server_bin = match &options.server_bin {
            Some(path) => path.clone(),
            None => default_server_bin()?,
        };
        if options.nodes == 0 {
            bail!("--nodes must be at least 1");
        }
        Ok(ClusterSettings {
            server_bin,
            redis_bin: options.redis_server_bin.clone(),
            nodes: options.nodes,
            appendfsync: options.appendfsync,
            work_dir: options.work_dir.clone(),
            keep_work_dir: options.keep_work_dir,
            node_log: options.node_log.clone(),
            node_args,
            request_timeout,
        })
    }
}

/// `leapfrog-server` beside this executable (`target/release/`), or one directory up (a test binary runs
/// from `target/debug/deps/`).
fn default_server_bin() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("finding this executable")?;
    let beside = exe.parent().map(|dir| dir.join("leapfrog-server"));
    let above = exe
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("leapfrog-server"));
    beside
        .into_iter()
        .chain(above)
        .find(|candidate| candidate.is_file())
        .with_context(|| {
            format!(
                "no leapfrog-server beside {}: build it (cargo build --release -p leapfrog-server) or \
                 pass --server-bin",
                exe.display()
            )
        })
}

/// The nodes' WebSocket endpoints, as players look them up: a node started again on other ports (its own
/// were taken meanwhile) is found at its new address.
#[derive(Clone)]
pub struct NodeDirectory {
    endpoints: Arc<RwLock<Vec<Arc<Endpoint>>>>,
}

impl NodeDirectory {
    /// The endpoint of node `index` (modulo the node count).
    pub fn endpoint(&self, index: usize) -> Arc<Endpoint> {
        let endpoints = self
            .endpoints
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        endpoints[index % endpoints.len()].clone()
    }

    /// How many nodes there are.
    pub fn len(&self) -> usize {
        self.endpoints
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }

    /// True when there is no node (never, once a cluster started).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn set(&self, index: usize, endpoint: Endpoint) {
        let mut endpoints = self
            .endpoints
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        endpoints[index] = Arc::new(endpoint);
    }
}

/// A work directory, removed when dropped unless kept.
struct WorkDir {
    path: PathBuf,
    keep: bool,
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self.keep {
            eprintln!("work directory kept: {}", self.path.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

struct RedisProcess {
    child: Option<Child>,
    starts: u32,
}

struct NodeProcess {
    public: SocketAddr,
    admin: SocketAddr,
    child: Option<Child>,
    starts: u32,
}

/// Redis and the nodes.
pub struct Cluster {
    settings: ClusterSettings,
    redis_port: u16,
    redis: Mutex<RedisProcess>,
    nodes: Vec<Mutex<NodeProcess>>,
    directory: NodeDirectory,
    started: Instant,
    // Last, so the processes are killed (their fields drop first) before the directory goes.
    work_dir: WorkDir,
}

impl Cluster {
    /// Starts Redis, then every node, and waits until each answers.
    pub async fn start(settings: ClusterSettings) -> anyhow::Result<Cluster> {
        let path = match &settings.work_dir {
            Some(path) => path.clone(),
            None => std::env::temp_dir().join(format!(
                "leapfrog-loadtest-{}-{}",
                std::process::id(),
                leapfrog_core::clock::unix_ms()
            )),
        };
        std::fs::create_dir_all(path.join("redis"))
            .with_context(|| format!("creating the work directory {}", path.display()))?;
        let work_dir = WorkDir {
            path,
            keep: settings.keep_work_dir,
        };
        let redis_port = free_port_below_ephemeral()?;
        let mut nodes = Vec::new();
        let mut endpoints = Vec::new();
        for _ in 0..settings.nodes {
            let (public, admin) = (free_addr()?, free_addr()?);
            endpoints.push(Arc::new(endpoint(public, settings.request_timeout)?));
            nodes.push(Mutex::new(NodeProcess {
                public,
                admin,
                child: None,
                starts: 0,
            }));
        }
        let cluster = Cluster {
            settings,
            redis_port,
            redis: Mutex::new(RedisProcess {
                child: None,
                starts: 0,
            }),
            nodes,
            directory: NodeDirectory {
                endpoints: Arc::new(RwLock::new(endpoints)),
            },
            started: Instant::now(),
            work_dir,
        };
        cluster.start_redis().await?;
        for index in 0..cluster.nodes.len() {
            cluster.start_node(index).await?;
        }
        Ok(cluster)
    }

    /// `redis://127.0.0.1:<port>/0`.
    pub fn redis_url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.redis_port)
    }

    /// The nodes' endpoints.
    pub fn directory(&self) -> NodeDirectory {
        self.directory.clone()
    }

    /// How many nodes.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The admin address of node `index`.
    pub async fn admin_addr(&self, index: usize) -> SocketAddr {
        self.nodes[index].lock().await.admin
    }

    /// The process id of node `index`, while it runs.
    pub async fn node_pid(&self, index: usize) -> Option<u32> {
        self.nodes[index]
            .lock()
            .await
            .child
            .as_ref()
            .and_then(Child::id)
    }

    /// The process id of Redis, while it runs.
    pub async fn redis_pid(&self) -> Option<u32> {
        self.redis.lock().await.child.as_ref().and_then(Child::id)
    }

    /// The work directory (Redis's data, the logs).
    pub fn work_dir(&self) -> &Path {
        &self.work_dir.path
    }

    /// Kills node `index` with SIGKILL, as a crash would, and waits until it is gone.
    pub async fn kill_node(&self, index: usize) {
        let mut node = self.nodes[index].lock().await;
        if let Some(mut child) = node.child.take() {
            let _ = child.start_kill();
            let _ = child.wait().await;
            self.log_event(&format!("node-{index}.log"), "killed (SIGKILL)");
        }
    }

    /// Starts node `index` (again) and waits until it is alive (`/healthz`; it may not be ready while
    /// Redis is down). Its ports are kept unless another process took them meanwhile.
    pub async fn start_node(&self, index: usize) -> anyhow::Result<()> {
        let mut node = self.nodes[index].lock().await;
        if node.child.is_some() {
            return Ok(());
        }
        for attempt in 0..PORT_TRIES {
            if attempt > 0 {
                node.public = free_addr()?;
                node.admin = free_addr()?;
                self.directory
                    .set(index, endpoint(node.public, self.settings.request_timeout)?);
            }
            node.starts += 1;
            let log_name = format!("node-{index}.log");
            self.log_event(&log_name, &format!("start {}", node.starts));
            let log = self.log_file(&log_name)?;
            let child = Command::new(&self.settings.server_bin)
                .arg("--redis-url")
                .arg(self.redis_url())
                .arg("--listen")
                .arg(node.public.to_string())
                .arg("--admin-listen")
                .arg(node.admin.to_string())
                .arg("--node-id")
                .arg(format!("node-{index}"))
                // The even nodes on one thread (as deploy/k8s runs them), the odd ones with a worker
                // per core (the binary's default), so the faults hit both runtimes; a
                // `--worker-threads` among the node arguments overrides this (the last value wins).
                .args([
                    "--worker-threads",
                    if index.is_multiple_of(2) { "1" } else { "0" },
                ])
                .args(&self.settings.node_args)
                .env("LEAPFROG_LOG", &self.settings.node_log)
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log)
                .kill_on_drop(true)
                .spawn()
                .with_context(|| format!("starting {}", self.settings.server_bin.display()))?;
            node.child = Some(child);
            if alive(&mut node).await? {
                return Ok(());
            }
            node.child = None;
        }
        bail!(
            "node {index} did not start in {PORT_TRIES} tries; see {}",
            self.work_dir
                .path
                .join(format!("node-{index}.log"))
                .display()
        )
    }

    /// Kills Redis with SIGKILL and waits until it is gone.
    pub async fn kill_redis(&self) {
        let mut redis = self.redis.lock().await;
        if let Some(mut child) = redis.child.take() {
            let _ = child.start_kill();
            let _ = child.wait().await;
            self.log_event("redis.log", "killed (SIGKILL)");
        }
    }

    /// Starts Redis (again, on the same port and append-only file) and waits until it answers `PING`,
    /// which it does once the file is loaded.
    pub async fn start_redis(&self) -> anyhow::Result<()> {
        let mut redis = self.redis.lock().await;
        if redis.child.is_some() {
            return Ok(());
        }
        redis.starts += 1;
        self.log_event("redis.log", &format!("start {}", redis.starts));
        let log = self.log_file("redis.log")?;
        let child = Command::new(&self.settings.redis_bin)
            .args(["--bind", "127.0.0.1", "--port"])
            .arg(self.redis_port.to_string())
            .arg("--dir")
            .arg(self.work_dir.path.join("redis"))
            .args(["--appendonly", "yes", "--appendfsync"])
            .arg(self.settings.appendfsync.as_redis())
            .args(["--save", "", "--maxclients", "10000"])
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| {
                format!(
                    "starting {} (apt-get install -y redis-server)",
                    self.settings.redis_bin.display()
                )
            })?;
        redis.child = Some(child);
        let client = redis::Client::open(self.redis_url())?;
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            if let Some(child) = redis.child.as_mut()
                && !matches!(child.try_wait(), Ok(None))
            {
                redis.child = None;
                bail!(
                    "redis-server exited at start; see {}",
                    self.work_dir.path.join("redis.log").display()
                );
            }
            if let Ok(mut connection) = client.get_multiplexed_async_connection().await
                && redis::cmd("PING")
                    .query_async::<String>(&mut connection)
                    .await
                    .is_ok()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        bail!("redis-server did not answer within {START_TIMEOUT:?}")
    }

    /// Starts whatever is not running.
    pub async fn start_all(&self) -> anyhow::Result<()> {
        self.start_redis().await?;
        for index in 0..self.nodes.len() {
            self.start_node(index).await?;
        }
        Ok(())
    }

    /// A line in a process's log, so a log shows where each start and kill happened.
    fn log_event(&self, name: &str, event: &str) {
        if let Ok(mut log) = self.log_file(name) {
            let _ = writeln!(
                log,
                "=== leapfrog-loadtest, t={:.3}s (unix ms {}): {event}",
                self.started.elapsed().as_secs_f64(),
                leapfrog_core::clock::unix_ms()
            );
        }
    }

    fn log_file(&self, name: &str) -> anyhow::Result<File> {
        let path = self.work_dir.path.join(name);
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))
    }
}

/// Waits until `node` answers `/healthz`; false if it exited first (its ports were taken).
async fn alive(node: &mut NodeProcess) -> anyhow::Result<bool> {
    let deadline = Instant::now() + START_TIMEOUT;
    while Instant::now() < deadline {
        if let Some(child) = node.child.as_mut()
            && !matches!(child.try_wait(), Ok(None))
        {
            return Ok(false);
        }
        if let Ok((200, _)) = admin::http(node.public, "GET", "/healthz", "", "").await {
            return Ok(true);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    bail!(
        "the node at {} did not answer /healthz within {START_TIMEOUT:?}",
        node.public
    )
}

fn endpoint(public: SocketAddr, timeout: Duration) -> anyhow::Result<Endpoint> {
    Endpoint::new(&format!("ws://{public}/ws"), false, timeout)
}

/// A free loopback port below the kernel's ephemeral range (32,768 up by default), for Redis: it is
/// killed and started again on its port while nodes and players keep connecting, and any of their
/// outgoing connections could be handed an ephemeral port as its local one, which Redis then could not
/// bind. Tried in a sequence that starts at a place of this process's own.
fn free_port_below_ephemeral() -> anyhow::Result<u16> {
    const FIRST: u32 = 10_000;
    const SPAN: u32 = 22_768;
    let start = std::process::id().wrapping_mul(7_919);
    (0..SPAN)
        // A stride prime to the span visits every port once.
        .map(|step| FIRST + start.wrapping_add(step.wrapping_mul(101)) % SPAN)
        .find_map(|port| {
            let port = u16::try_from(port).ok()?;
            TcpListener::bind(("127.0.0.1", port)).ok().map(|_| port)
        })
        .context("no free loopback port below 32,768 for Redis")
}

/// A loopback address whose port was free a moment ago.
fn free_addr() -> anyhow::Result<SocketAddr> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .context("finding a free loopback port")
}
