//! The integration-test harness: a real `redis-server` on a free loopback port, the real
//! `leapfrog-server` binary as a child process, and WebSocket clients for both codecs. Every wait is
//! bounded, so a broken server fails a test instead of hanging it; every process is killed on drop.

#![allow(dead_code)] // Each test binary uses a different part of the harness.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use protocol::{ClientFrame, Codec, Push, Request, RequestId, ServerFrame, WireFrame};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Longest any single wait in a test may take.
pub const WAIT: Duration = Duration::from_secs(10);

/// A free loopback port (bound, read, released: the tiny race is acceptable in tests).
pub fn free_port() -> u16 {
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
pub struct TestRedis {
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl TestRedis {
    /// Starts a redis-server on a free port and waits until it answers.
    pub async fn start() -> TestRedis {
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
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Kills the server, as an outage would; [`TestRedis::resume`] restarts it with its append-only data.
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }

    /// Starts it again on the same port, with its append-only data.
    pub async fn resume(&mut self) {
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
    pub async fn connection(&self) -> redis::aio::MultiplexedConnection {
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

/// A running `leapfrog-server` process.
pub struct TestServer {
    pub public: SocketAddr,
    pub admin: SocketAddr,
    child: Child,
}

impl TestServer {
    /// Starts the server binary on `redis` with `--dev-auth` and `extra` options, and waits until both
    /// ports answer. A free port can be taken by another test before the server binds it; the server then
    /// exits and is started again on new ports.
    pub async fn start(redis: &TestRedis, extra: &[&str]) -> TestServer {
        for _ in 0..5 {
            let public: SocketAddr = ([127, 0, 0, 1], free_port()).into();
            let admin: SocketAddr = ([127, 0, 0, 1], free_port()).into();
            let child = Command::new(env!("CARGO_BIN_EXE_leapfrog-server"))
                .args(["--dev-auth", "--redis-url", &redis.url()])
                .args([
                    "--listen",
                    &public.to_string(),
                    "--admin-listen",
                    &admin.to_string(),
                ])
                .args(["--drain-timeout-ms", "3000"])
                .args(extra)
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
            if server.became_ready().await {
                return server;
            }
        }
        panic!("the server did not start on free ports in 5 tries");
    }

    /// Waits until this process answers `/readyz` on the public port and `/metrics` on the admin port;
    /// false if it exited first.
    async fn became_ready(&mut self) -> bool {
        for _ in 0..400 {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return false;
            }
            if let (Ok((200, _)), Ok((200, _))) = (
                http(self.public, "GET", "/readyz", "").await,
                http(self.admin, "GET", "/metrics", "").await,
            ) && matches!(self.child.try_wait(), Ok(None))
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the server at {} never became ready", self.public);
    }

    /// Waits until `/readyz` answers 200 again (after an outage).
    pub async fn wait_ready(&self) {
        for _ in 0..400 {
            if let Ok((200, _)) = http(self.public, "GET", "/readyz", "").await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the server at {} never became ready", self.public);
    }

    /// A dev token for `player`.
    pub async fn token(&self, player: &str) -> String {
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
    pub async fn client(&self, codec: Codec, player: &str) -> TestClient {
        let token = self.token(player).await;
        TestClient::connect(self.public, codec, Auth::Header(&token))
            .await
            .expect("connects")
    }

    /// Sends SIGTERM (graceful shutdown).
    pub fn terminate(&self) {
        if let Some(pid) = self.child.id() {
            // SAFETY: kill(2) with a pid this test owns and a valid signal has no memory effects.
            unsafe { libc::kill(pid as i32, libc::SIGTERM) };
        }
    }

    /// Kills the process at once, as a crash would.
    pub async fn crash(mut self) {
        let _ = self.child.kill().await;
    }

    /// Waits for the process to exit and returns whether it exited cleanly.
    pub async fn wait_exit(mut self) -> bool {
        tokio::time::timeout(WAIT, self.child.wait())
            .await
            .expect("the server exits in time")
            .expect("exit status")
            .success()
    }

    /// The `/metrics` text.
    pub async fn metrics(&self) -> String {
        let (status, body) = http(self.admin, "GET", "/metrics", "")
            .await
            .expect("metrics answer");
        assert_eq!(status, 200);
        body
    }
}

/// A minimal HTTP/1.1 request: returns the status and the body.
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: &str,
) -> std::io::Result<(u16, String)> {
    http_with(addr, method, path, "", body).await
}

/// [`http`] with an `Authorization: Bearer` header (none if `bearer` is empty).
pub async fn http_with(
    addr: SocketAddr,
    method: &str,
    path: &str,
    bearer: &str,
    body: &str,
) -> std::io::Result<(u16, String)> {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await?;
        let authorization = if bearer.is_empty() {
            String::new()
        } else {
            format!("Authorization: Bearer {bearer}\r\n")
        };
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{authorization}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await?;
        let mut response = String::new();
        stream.read_to_string(&mut response).await?;
        Ok(status_and_body(&response))
    };
    tokio::time::timeout(WAIT, exchange)
        .await
        .unwrap_or_else(|_| Err(std::io::Error::other("HTTP request timed out")))
}

/// How a test client authenticates in the handshake.
pub enum Auth<'a> {
    /// `Authorization: Bearer`.
    Header(&'a str),
    /// `?token=`.
    Query(&'a str),
    /// No token (authenticate with hello, or not at all).
    None,
}

/// A WebSocket client speaking one codec.
pub struct TestClient {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub codec: Codec,
    next_id: u32,
    pushes: std::collections::VecDeque<ServerFrame>,
}

/// How a connection ended, as the client saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    pub code: Option<u16>,
    pub reason: String,
    pub frames_before: Vec<ServerFrame>,
}

impl TestClient {
    /// Connects, offering `codec`'s subprotocol.
    pub async fn connect(
        addr: SocketAddr,
        codec: Codec,
        auth: Auth<'_>,
    ) -> Result<TestClient, WsError> {
        Self::connect_offering(addr, codec.subprotocol(), codec, auth).await
    }

    /// Connects offering `subprotocols` (raw header value).
    pub async fn connect_offering(
        addr: SocketAddr,
        subprotocols: &str,
        codec: Codec,
        auth: Auth<'_>,
    ) -> Result<TestClient, WsError> {
        let url = match auth {
            Auth::Query(token) => format!("ws://{addr}/ws?token={token}"),
            _ => format!("ws://{addr}/ws"),
        };
        let mut request = url.into_client_request()?;
        let headers = request.headers_mut();
        headers.insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_str(subprotocols).expect("ascii"),
        );
        if let Auth::Header(token) = auth {
            headers.insert(
                "Authorization",
                HeaderValue::from_str(&format!("Bearer {token}")).expect("ascii"),
            );
        }
        let (socket, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request))
            .await
            .map_err(|_| WsError::Io(std::io::Error::other("connect timed out")))??;
        Ok(TestClient {
            socket,
            codec,
            next_id: 1,
            pushes: Default::default(),
        })
    }

    /// Sends `request` and returns the answer carrying its id (pushes meanwhile are kept for later).
    pub async fn request(&mut self, request: Request) -> ServerFrame {
        let id = RequestId(self.next_id);
        self.next_id += 1;
        let frame = ClientFrame { id, request };
        let wire = self.codec.encode_client(&frame).expect("encodes");
        self.send_wire(wire).await;
        self.answer_to(id).await
    }

    /// Waits for the answer to request `id`.
    pub async fn answer_to(&mut self, id: RequestId) -> ServerFrame {
        loop {
            let frame = self
                .next_frame()
                .await
                .expect("the connection stays open for the answer");
            match &frame {
                ServerFrame::Reply { id: got, .. } if *got == id => return frame,
                ServerFrame::Error { id: Some(got), .. } if *got == id => return frame,
                ServerFrame::Push(_) => self.pushes.push_back(frame),
                other => panic!("unexpected frame while waiting for {id:?}: {other:?}"),
            }
        }
    }

    /// The next push (one received earlier, or the next to arrive).
    pub async fn next_push(&mut self) -> Option<Push> {
        if let Some(ServerFrame::Push(push)) = self.pushes.pop_front() {
            return Some(push);
        }
        match self.next_frame().await {
            Some(ServerFrame::Push(push)) => Some(push),
            _ => None,
        }
    }

    /// Pushes received while waiting for answers and not read yet.
    pub fn stashed_pushes(&self) -> usize {
        self.pushes.len()
    }

    /// Sends a frame of the codec's kind.
    pub async fn send_wire(&mut self, wire: WireFrame) {
        let message = match wire {
            WireFrame::Binary(bytes) => Message::Binary(bytes.into()),
            WireFrame::Text(text) => Message::Text(text.into()),
        };
        self.send_raw(message).await;
    }

    /// Sends any WebSocket message.
    pub async fn send_raw(&mut self, message: Message) {
        tokio::time::timeout(WAIT, self.socket.send(message))
            .await
            .expect("send in time")
            .expect("send succeeds");
    }

    /// The next server frame, or `None` once the connection closed.
    pub async fn next_frame(&mut self) -> Option<ServerFrame> {
        loop {
            let message = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("a frame in time")?;
            let wire = match message.ok()? {
                Message::Binary(bytes) => WireFrame::Binary(bytes.to_vec()),
                Message::Text(text) => WireFrame::Text(text.as_str().to_owned()),
                Message::Close(_) => return None,
                _ => continue,
            };
            return Some(
                self.codec
                    .decode_server(&wire)
                    .expect("the server sends valid frames"),
            );
        }
    }

    /// Reads until the server closes, returning the close code, reason and the frames before it.
    pub async fn closed(&mut self) -> Closed {
        let mut frames_before: Vec<ServerFrame> = self.pushes.drain(..).collect();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let message = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .expect("the server closes in time");
            match message {
                Some(Ok(Message::Close(frame))) => {
                    let (code, reason) = frame
                        .map(|CloseFrame { code, reason }| {
                            (Some(u16::from(code)), reason.to_string())
                        })
                        .unwrap_or((None, String::new()));
                    return Closed {
                        code,
                        reason,
                        frames_before,
                    };
                }
                Some(Ok(Message::Binary(bytes))) => frames_before.push(
                    self.codec
                        .decode_server(&WireFrame::Binary(bytes.to_vec()))
                        .expect("valid frame"),
                ),
                Some(Ok(Message::Text(text))) => frames_before.push(
                    self.codec
                        .decode_server(&WireFrame::Text(text.as_str().to_owned()))
                        .expect("valid frame"),
                ),
                Some(Ok(_)) => {}
                None | Some(Err(_)) => {
                    return Closed {
                        code: None,
                        reason: String::new(),
                        frames_before,
                    };
                }
            }
        }
    }

    /// Closes from the client side.
    pub async fn disconnect(mut self) {
        let _ = self.socket.close(None).await;
    }
}

/// The value of metric `name` with the labels `labels` (others ignored) in a `/metrics` text, parsed
/// with a Prometheus text-format parser; `None` when absent.
pub fn metric(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|line| Ok(line.to_owned())))
        .expect("the metrics text parses");
    scrape
        .samples
        .iter()
        .filter(|sample| sample.metric == name)
        .filter(|sample| {
            labels
                .iter()
                .all(|(key, value)| sample.labels.get(key) == Some(*value))
        })
        .map(|sample| match sample.value {
            prometheus_parse::Value::Counter(value)
            | prometheus_parse::Value::Gauge(value)
            | prometheus_parse::Value::Untyped(value) => value,
            _ => f64::NAN,
        })
        .reduce(|a, b| a + b)
}

/// Plays a live run of `centre_hits` exact centre hits, then a press far too long, and returns how it
/// ended (the score is then known: 2 + 4 + ... each capped at 32).
pub async fn play_centre_hits(client: &mut TestClient, centre_hits: u32) -> protocol::RunEnd {
    use protocol::{JumpRequest, JumpResult, Response, StartMode};
    let started = start_run(client, StartMode::Solo).await;
    let mut local = game_logic::GameSession::new(started.seed, started.ruleset);
    loop {
        let jump = centre_hits_then_fall(&local, started.ruleset, centre_hits);
        let seq = local.jumps();
        local.apply(jump).expect("a valid jump");
        let request = JumpRequest {
            run_id: started.run_id,
            seq,
            press_ms: jump.press_ms,
            dwell_ms: jump.dwell_ms,
        };
        match client.request(Request::Jump(request)).await {
            ServerFrame::Reply {
                response:
                    Response::JumpResult(JumpResult {
                        ended: Some(ended), ..
                    }),
                ..
            } => return ended,
            ServerFrame::Reply {
                response: Response::JumpResult(_),
                ..
            } => {}
            other => panic!("expected jump_result, got {other:?}"),
        }
    }
}

/// The next jump of a run of `centre_hits` exact centre hits, then a press far too long.
pub fn centre_hits_then_fall(
    session: &game_logic::GameSession,
    ruleset: game_logic::Ruleset,
    centre_hits: u32,
) -> game_logic::Jump {
    let press_ms = if session.jumps() < centre_hits {
        let distance = session.world().distance_to_next();
        game_logic::physics::press_for_distance(ruleset.params(), distance)
    } else {
        10_000
    };
    game_logic::Jump {
        press_ms,
        dwell_ms: 300,
    }
}

/// A whole run of `player` (seed = `run`, run id = 16 times `run`): `centre_hits` centre hits, then a
/// fall, ended at `finished_at_ms`.
pub fn finished_run(
    player: &protocol::PlayerId,
    run: u8,
    centre_hits: u32,
    finished_at_ms: u64,
) -> leapfrog_server::runs::FinishedRun {
    let mut session = game_logic::GameSession::new(u64::from(run), game_logic::Ruleset::V1);
    while !session.is_over() {
        let jump = centre_hits_then_fall(&session, game_logic::Ruleset::V1, centre_hits);
        session.apply(jump).expect("a valid jump");
    }
    leapfrog_server::runs::FinishedRun {
        run_id: protocol::RunId::from_bytes([run; 16]),
        player: player.clone(),
        summary: session.summary(),
        reason: leapfrog_server::runs::EndReason::GameOver,
        finished_at_ms,
    }
}

/// The result recorder and the notifications domain on `store`, wired as the server wires them
/// (boards, inboxes and ended runs kept a day; no coalescing).
pub fn recording_domain(
    store: leapfrog_server::store::Store,
    metrics: std::sync::Arc<leapfrog_server::metrics::Metrics>,
) -> (
    leapfrog_server::runs::ResultRecorder,
    leapfrog_server::notifications::Notifications,
) {
    use leapfrog_server::friends::Friends;
    use leapfrog_server::gateway::registry::Registry;
    use leapfrog_server::leaderboards::{Leaderboards, PeriodRules};
    use leapfrog_server::notifications::{InboxConfig, Notifications, Router};
    const DAY: Duration = Duration::from_secs(86_400);
    let friends = Friends::new(store.clone());
    let boards = Leaderboards::new(
        store.clone(),
        friends.clone(),
        PeriodRules::default(),
        DAY,
        metrics.clone(),
    );
    let router = Router::new(
        store.clone(),
        std::sync::Arc::new(Registry::default()),
        metrics.clone(),
        "test-node",
    );
    let inbox = InboxConfig {
        max_len: 100,
        ttl: DAY,
        coalesce_window: Duration::ZERO,
    };
    let notifications = Notifications::new(store.clone(), metrics, inbox, router);
    let recorder = leapfrog_server::runs::ResultRecorder::new(
        store,
        boards,
        friends,
        notifications.clone(),
        DAY,
    );
    (recorder, notifications)
}

/// The status code and body of a whole HTTP/1 response (0 when there is no status line).
pub fn status_and_body(response: &str) -> (u16, String) {
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// Options that lift the live timing check and the rate limit, so tests can play at machine speed.
pub const MACHINE_SPEED: [&str; 6] = [
    "--timing-tolerance-ms",
    "100000000",
    "--rate-per-second",
    "1000000",
    "--rate-burst",
    "1000000",
];

/// Says hello (resuming `resume` if given) and returns the welcome.
pub async fn hello(client: &mut TestClient, resume: Option<protocol::RunId>) -> protocol::Welcome {
    use protocol::{Hello, Response};
    let request = Request::Hello(Hello {
        client_version: "test/1".into(),
        token: None,
        resume,
        last_notification: None,
    });
    match client.request(request).await {
        ServerFrame::Reply {
            response: Response::Welcome(welcome),
            ..
        } => welcome,
        other => panic!("expected welcome, got {other:?}"),
    }
}

/// Starts a run in `mode` and returns what the server answered.
pub async fn start_run(client: &mut TestClient, mode: protocol::StartMode) -> protocol::RunStarted {
    use protocol::{Response, StartRun};
    match client.request(Request::StartRun(StartRun { mode })).await {
        ServerFrame::Reply {
            response: Response::RunStarted(started),
            ..
        } => started,
        other => panic!("expected run_started, got {other:?}"),
    }
}
