//! A real Redis per test, on free loopback ports, its data in a temporary directory: one `redis-server`,
//! or a local Redis Cluster (`redis-server --cluster-enabled yes` processes joined by
//! `redis-cli --cluster create`). `TestRedis::start` picks one by `LEAPFROG_TEST_REDIS` (`cluster`, or one
//! server by default), so the same tests run against both (scripts/test.sh runs them once each).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use leapfrog_core::store::RedisTarget;
use redis::aio::ConnectionLike;
use redis::{Cmd, Pipeline, RedisFuture, Value};
use tokio::process::{Child, Command};

use super::WAIT;

/// How long `redis-cli --cluster create` may take (it takes about a second when every node is up).
const CLUSTER_CREATE_TIMEOUT: Duration = Duration::from_secs(30);
/// Clusters created on new nodes before a test gives up.
const CLUSTER_ATTEMPTS: usize = 3;

/// A free loopback port (bound, read, released: the tiny race is acceptable in tests).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}

/// Ports a test Redis may take: below the kernel's ephemeral range (32,768 up by default), bus ports
/// (+10,000) included. A Redis stopped for an outage test is started again on its port, and while it is
/// down an outgoing connection of any test could be handed that port as its local one if it were an
/// ephemeral port: the restart then fails (seen in CI). Ports below the range are never handed out so.
const REDIS_PORTS: std::ops::Range<u32> = 10_000..22_768;

/// A free port for a Redis, outside the ephemeral range, with its cluster bus port (+10,000) free too
/// if `cluster`. Tries ports in a sequence that starts at a place of this process's own, so tests
/// running at once rarely try the same ports.
fn free_redis_port(cluster: bool) -> u16 {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let free = |port: u32| std::net::TcpListener::bind(("127.0.0.1", port as u16)).is_ok();
    let span = REDIS_PORTS.end - REDIS_PORTS.start;
    let start = std::process::id().wrapping_mul(7_919) % span;
    for _ in 0..span {
        // A stride prime to the span visits every port once.
        let step = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let port = REDIS_PORTS.start + (start + step.wrapping_mul(101)) % span;
        if free(port) && (!cluster || free(port + 10_000)) {
            return port as u16;
        }
    }
    panic!("no free port for a Redis in {REDIS_PORTS:?}")
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

/// One redis-server process.
struct Node {
    port: u16,
    dir: PathBuf,
    cluster: bool,
    child: Option<Child>,
}

impl Node {
    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts redis-server on `self.port`; false if it exited (the port was taken) or never answered.
    async fn start(&mut self) -> bool {
        let mut command = Command::new("redis-server");
        command
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
            .arg(&self.dir);
        if self.cluster {
            command.args([
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-node-timeout",
                "1000",
            ]);
        }
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("redis-server is installed (scripts/test.sh installs it)");
        let client = redis::Client::open(self.url()).expect("valid url");
        // Up to 10 s: a loaded CI machine can be slow to start it.
        for _ in 0..400 {
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
        // Gone before the next try: a live one would still hold its port and its cluster config file.
        let _ = child.kill().await;
        false
    }

    async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A real Redis, or Redis Cluster, for one test.
pub(crate) struct TestRedis {
    nodes: Vec<Node>,
    cluster: bool,
    /// The password and database a URL of a single Redis names (see [`TestRedis::behind_password`]).
    access: Option<(String, u8)>,
}

impl TestRedis {
    /// One redis-server, or a three-master cluster when `LEAPFROG_TEST_REDIS=cluster`.
    pub(crate) async fn start() -> TestRedis {
        if std::env::var("LEAPFROG_TEST_REDIS").is_ok_and(|mode| mode == "cluster") {
            TestRedis::cluster(3, 0).await
        } else {
            TestRedis::single().await
        }
    }

    /// One redis-server on a free port.
    pub(crate) async fn single() -> TestRedis {
        TestRedis {
            nodes: vec![start_node(false).await],
            cluster: false,
            access: None,
        }
    }

    /// One redis-server that asks for `password` (`requirepass`), whose URL names database `db`, as
    /// deploy/ runs Redis.
    pub(crate) async fn behind_password(password: &str, db: u8) -> TestRedis {
        let mut redis = TestRedis::single().await;
        let mut connection = redis.connection().await;
        let () = redis::cmd("CONFIG")
            .arg("SET")
            .arg("requirepass")
            .arg(password)
            .query_async(&mut connection)
            .await
            .expect("CONFIG SET requirepass");
        redis.access = Some((password.to_owned(), db));
        redis
    }

    /// A Redis Cluster of `masters` masters with `replicas` replicas each, every slot covered. A node can
    /// die after it answered (a port another test took in between), and `redis-cli --cluster create` then
    /// waits for it for ever: the creation is bounded, and tried again on new nodes.
    pub(crate) async fn cluster(masters: usize, replicas: usize) -> TestRedis {
        for attempt in 1..=CLUSTER_ATTEMPTS {
            match TestRedis::try_cluster(masters, replicas).await {
                Ok(redis) => return redis,
                Err(why) => eprintln!("Redis Cluster, attempt {attempt}: {why}; trying new nodes"),
            }
        }
        panic!("no Redis Cluster could be created in {CLUSTER_ATTEMPTS} attempts");
    }

    /// One attempt of [`TestRedis::cluster`]; on failure its nodes are killed as they are dropped.
    async fn try_cluster(masters: usize, replicas: usize) -> Result<TestRedis, String> {
        let mut nodes = Vec::new();
        for _ in 0..masters * (1 + replicas) {
            nodes.push(start_node(true).await);
        }
        let addresses: Vec<String> = nodes
            .iter()
            .map(|node| format!("127.0.0.1:{}", node.port))
            .collect();
        let mut create = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addresses)
            .args(["--cluster-replicas", &replicas.to_string(), "--cluster-yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("redis-cli is installed with redis-server");
        match tokio::time::timeout(CLUSTER_CREATE_TIMEOUT, create.wait()).await {
            Ok(Ok(status)) if status.success() => {}
            Ok(Ok(status)) => return Err(format!("redis-cli --cluster create failed: {status}")),
            Ok(Err(error)) => return Err(format!("redis-cli --cluster create: {error}")),
            Err(_) => {
                return Err(format!(
                    "redis-cli --cluster create did not finish in {CLUSTER_CREATE_TIMEOUT:?}"
                ));
            }
        }
        let redis = TestRedis {
            nodes,
            cluster: true,
            access: None,
        };
        redis.wait_cluster_ok().await;
        Ok(redis)
    }

    /// Waits until every node reports the cluster ok (every slot served) and knows every other node, and
    /// every replica is in sync with its master (a replica that never synced cannot fail over).
    async fn wait_cluster_ok(&self) {
        let deadline = tokio::time::Instant::now() + WAIT;
        for node in &self.nodes {
            let client = redis::Client::open(node.url()).expect("valid url");
            loop {
                let info = async {
                    let mut connection = client.get_multiplexed_async_connection().await.ok()?;
                    let cluster: String = redis::cmd("CLUSTER")
                        .arg("INFO")
                        .query_async(&mut connection)
                        .await
                        .ok()?;
                    let replication: String = redis::cmd("INFO")
                        .arg("replication")
                        .query_async(&mut connection)
                        .await
                        .ok()?;
                    Some(cluster + &replication)
                }
                .await
                .unwrap_or_default();
                let known = format!("cluster_known_nodes:{}", self.nodes.len());
                let synced = info.contains("role:master") || info.contains("master_link_status:up");
                if info.contains("cluster_state:ok") && info.contains(&known) && synced {
                    break;
                }
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "the cluster never became ok: {info}"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }

    /// Where the store connects.
    pub(crate) fn target(&self) -> RedisTarget {
        if self.cluster {
            RedisTarget::Cluster(self.nodes.iter().map(Node::url).collect())
        } else {
            RedisTarget::Single(self.url())
        }
    }

    /// The URL of the first node (all of Redis, unless a cluster), with its password and database.
    pub(crate) fn url(&self) -> String {
        match &self.access {
            Some((password, db)) => {
                format!("redis://:{password}@127.0.0.1:{}/{db}", self.nodes[0].port)
            }
            None => format!("{}/0", self.nodes[0].url()),
        }
    }

    /// The options a server needs to use this Redis.
    pub(crate) fn server_args(&self) -> Vec<String> {
        if self.cluster {
            let urls: Vec<String> = self.nodes.iter().map(Node::url).collect();
            vec![
                "--redis-url".into(),
                urls.join(","),
                "--redis-cluster".into(),
            ]
        } else {
            vec!["--redis-url".into(), self.url()]
        }
    }

    /// Kills every node, as an outage would; [`TestRedis::resume`] restarts them with their data.
    pub(crate) async fn stop(&mut self) {
        for node in &mut self.nodes {
            node.stop().await;
        }
    }

    /// Starts every node again on its port, with its append-only data (and cluster configuration).
    pub(crate) async fn resume(&mut self) {
        for node in &mut self.nodes {
            assert!(
                node.start().await,
                "redis-server did not start again on port {}",
                node.port
            );
        }
        if self.cluster {
            self.wait_cluster_ok().await;
        }
    }

    /// Kills a master of the cluster, as a crash would, and returns its port. Its replica takes over after
    /// the node timeout.
    pub(crate) async fn kill_a_master(&mut self) -> u16 {
        let mut connection = redis::Client::open(self.url())
            .expect("valid url")
            .get_multiplexed_async_connection()
            .await
            .expect("the node answers");
        let nodes: String = redis::cmd("CLUSTER")
            .arg("NODES")
            .query_async(&mut connection)
            .await
            .expect("CLUSTER NODES answers");
        // Lines: <id> <ip:port@bus> <flags> <master> ...; flags include `master`.
        let port = nodes
            .lines()
            .filter_map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                let flags = fields.get(2)?;
                let address = fields.get(1)?.split('@').next()?;
                (flags.contains("master") && !flags.contains("fail"))
                    .then(|| address.rsplit(':').next()?.parse::<u16>().ok())
                    .flatten()
            })
            .next()
            .expect("a master");
        let node = self
            .nodes
            .iter_mut()
            .find(|node| node.port == port)
            .expect("the master is one of ours");
        node.stop().await;
        port
    }

    /// Whether this is a cluster: a check that lists keys (`SCAN`) sees only one node of a cluster.
    pub(crate) fn is_cluster(&self) -> bool {
        self.cluster
    }

    /// A connection for checking what the server stored (cluster-aware on a cluster).
    pub(crate) async fn connection(&self) -> TestConnection {
        if self.cluster {
            let urls: Vec<String> = self.nodes.iter().map(Node::url).collect();
            TestConnection::Cluster(
                redis::cluster::ClusterClient::new(urls)
                    .expect("valid urls")
                    .get_async_connection()
                    .await
                    .expect("the cluster answers"),
            )
        } else {
            TestConnection::Single(
                redis::Client::open(self.url())
                    .expect("valid url")
                    .get_multiplexed_async_connection()
                    .await
                    .expect("redis answers"),
            )
        }
    }
}

/// Starts one node on a free port, trying new ports if another test takes one first.
async fn start_node(cluster: bool) -> Node {
    let mut node = Node {
        port: 0,
        dir: temp_dir("redis"),
        cluster,
        child: None,
    };
    for _ in 0..5 {
        node.port = free_redis_port(cluster);
        if node.start().await {
            return node;
        }
        // Each try starts from an empty directory: a failed try may have left a cluster config file
        // (`nodes.conf`) or an append-only file behind, which would make every later try fail alike.
        let _ = std::fs::remove_dir_all(&node.dir);
        node.dir = temp_dir("redis");
    }
    panic!("redis-server did not start on a free port in 5 tries");
}

/// A connection to one Redis or to a cluster, for the tests' own commands.
pub(crate) enum TestConnection {
    Single(redis::aio::MultiplexedConnection),
    Cluster(redis::cluster_async::ClusterConnection),
}

impl ConnectionLike for TestConnection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            TestConnection::Single(connection) => connection.req_packed_command(cmd),
            TestConnection::Cluster(connection) => connection.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            TestConnection::Single(connection) => {
                connection.req_packed_commands(pipeline, offset, count)
            }
            TestConnection::Cluster(connection) => {
                connection.req_packed_commands(pipeline, offset, count)
            }
        }
    }

    fn get_db(&self) -> i64 {
        0
    }
}

/// Redis's `total_reads_processed` (`INFO stats`): one per request, or group of requests, a client
/// sent together. For tests that count the writes a node makes.
pub(crate) async fn reads_processed(connection: &mut TestConnection) -> u64 {
    let info: String = redis::cmd("INFO")
        .arg("stats")
        .query_async(connection)
        .await
        .expect("Redis answers");
    info.lines()
        .find_map(|line| line.strip_prefix("total_reads_processed:"))
        .and_then(|count| count.trim().parse().ok())
        .expect("INFO stats gives the reads processed")
}
