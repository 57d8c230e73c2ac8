//! One simulated player's WebSocket connection (bincode subprotocol): requests matched to answers by id,
//! pushes handled on the way (notifications are timed and remembered for the acknowledgement). Against
//! the echo baseline the same frames are sent and the echo counts as the answer.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use protocol::limits::MAX_SERVER_FRAME_BYTES;
use protocol::{
    ClientFrame, Codec, ErrorCode, NotificationId, Push, Request, RequestId, Response, ServerFrame,
    WireFrame,
};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::stats::Stats;

/// Why a request failed; the label is the error kind in the report.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The server answered with an error: its code and message.
    #[error("server error {0:?}: {1}")]
    Server(ErrorCode, String),
    /// No answer in time.
    #[error("timeout")]
    Timeout,
    /// The connection closed or failed.
    #[error("connection lost: {0}")]
    Closed(String),
    /// A frame that does not decode, or an answer of the wrong type.
    #[error("unexpected answer: {0}")]
    Unexpected(String),
}

impl CallError {
    /// A short label for the report.
    pub fn label(&self) -> String {
        match self {
            CallError::Server(code, _) => format!("{code:?}").to_lowercase(),
            CallError::Timeout => "timeout".into(),
            CallError::Closed(_) => "closed".into(),
            CallError::Unexpected(_) => "unexpected".into(),
        }
    }
}

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// `ws://host:port/path`.
    pub url: String,
    /// The server's socket address (resolved once).
    pub addr: SocketAddr,
    /// Echo baseline: the echo is the answer.
    pub echo: bool,
    /// Request timeout.
    pub timeout: Duration,
}

impl Endpoint {
    /// Parses `url` (`ws://IP:PORT/...`; the tool drives loopback and LAN addresses, not names).
    pub fn new(url: &str, echo: bool, timeout: Duration) -> anyhow::Result<Endpoint> {
        let rest = url
            .strip_prefix("ws://")
            .ok_or_else(|| anyhow::anyhow!("only ws:// URLs are supported: {url}"))?;
        let authority = rest.split('/').next().unwrap_or(rest);
        let addr: SocketAddr = authority
            .parse()
            .map_err(|_| anyhow::anyhow!("expected ws://IP:PORT/..., got {url}"))?;
        Ok(Endpoint {
            url: url.to_owned(),
            addr,
            echo,
            timeout,
        })
    }
}

/// The source address for connection number `index` of `count` addresses in 127.0.0.0/8 (each has its
/// own ~28k ephemeral ports towards one server port).
pub fn source_addr(index: u64, count: u8) -> Option<IpAddr> {
    (count > 1).then(|| {
        IpAddr::V4(Ipv4Addr::new(
            127,
            0,
            0,
            1 + (index % u64::from(count)) as u8,
        ))
    })
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The message type under which errors without an id (answering no request) are counted.
pub const UNSOLICITED: &str = "error_without_id";

/// One connection.
pub struct Connection {
    socket: Socket,
    endpoint: Arc<Endpoint>,
    stats: Arc<Stats>,
    next_id: u32,
    /// The newest notification received and not yet acknowledged.
    pub unacked: Option<NotificationId>,
    /// Notifications received and not yet acknowledged: one sent again (after a reconnect, or when the
    /// server catches a busy connection up from the inbox) is not timed twice.
    seen: BTreeSet<NotificationId>,
    /// Every push received, for an owner that asked to see them ([`Connection::keep_pushes`]).
    kept: Option<Vec<Push>>,
}

/// A client-side config sized like the server's: small buffers (tungstenite's default read buffer is
/// 128 KiB per connection, which 100k connections cannot afford), frames up to the server limit.
fn websocket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_message_size(Some(MAX_SERVER_FRAME_BYTES))
        .max_frame_size(Some(MAX_SERVER_FRAME_BYTES))
}

impl Connection {
    /// Opens a connection as the holder of `token`, from `source` if given.
    pub async fn open(
        endpoint: Arc<Endpoint>,
        token: &str,
        source: Option<IpAddr>,
        stats: Arc<Stats>,
    ) -> Result<Connection, CallError> {
        let started = Instant::now();
        let opened = tokio::time::timeout(endpoint.timeout, async {
            let socket = TcpSocket::new_v4().map_err(closed)?;
            if let Some(source) = source {
                socket.bind(SocketAddr::new(source, 0)).map_err(closed)?;
            }
            let stream = socket.connect(endpoint.addr).await.map_err(closed)?;
            stream.set_nodelay(true).map_err(closed)?;
            let mut request = endpoint
                .url
                .as_str()
                .into_client_request()
                .map_err(closed)?;
            let headers = request.headers_mut();
            headers.insert(
                "Sec-WebSocket-Protocol",
                HeaderValue::from_static(Codec::Bincode.subprotocol()),
            );
            let bearer = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|error| CallError::Unexpected(error.to_string()))?;
            headers.insert("Authorization", bearer);
            let (socket, _) = tokio_tungstenite::client_async_with_config(
                request,
                MaybeTlsStream::Plain(stream),
                Some(websocket_config()),
            )
            .await
            .map_err(closed)?;
            Ok::<_, CallError>(socket)
        })
        .await
        .map_err(|_| CallError::Timeout)
        .and_then(|opened| opened);
        match opened {
            Ok(socket) => {
                stats.ok("connect", started.elapsed());
                stats.connected();
                Ok(Connection {
                    socket,
                    endpoint,
                    stats,
                    next_id: 1,
                    unacked: None,
                    seen: BTreeSet::new(),
                    kept: None,
                })
            }
            Err(error) => {
                stats.error("connect", &error.label());
                stats
                    .connect_failures
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Err(error)
            }
        }
    }

    /// Sends `request`, waits for its answer, and records it under `kind`. `Ok(None)` against the echo
    /// baseline, where the echo is the answer.
    pub async fn call(
        &mut self,
        kind: &'static str,
        request: Request,
    ) -> Result<Option<Response>, CallError> {
        let started = Instant::now();
        let result = tokio::time::timeout(self.endpoint.timeout, self.exchange(request)).await;
        let result = result.unwrap_or(Err(CallError::Timeout));
        match &result {
            Ok(_) => self.stats.ok(kind, started.elapsed()),
            Err(error) => self.stats.error(kind, &error.label()),
        }
        result
    }

    async fn exchange(&mut self, request: Request) -> Result<Option<Response>, CallError> {
        let id = RequestId(self.next_id);
        self.next_id = self.next_id.wrapping_add(1).max(1);
        let wire = Codec::Bincode
            .encode_client(&ClientFrame { id, request })
            .map_err(|error| CallError::Unexpected(error.to_string()))?;
        self.socket
            .send(leapfrog_server::gateway::wire_message(wire))
            .await
            .map_err(closed)?;
        loop {
            let frame = self.next_frame().await?;
            if self.endpoint.echo {
                return Ok(None);
            }
            match Codec::Bincode.decode_server(&frame) {
                Ok(ServerFrame::Reply { id: got, response }) if got == id => {
                    return Ok(Some(response));
                }
                Ok(ServerFrame::Error {
                    id: Some(got),
                    code,
                    message,
                }) if got == id => return Err(CallError::Server(code, message)),
                Ok(other) => self.aside(other),
                Err(error) => return Err(CallError::Unexpected(error.to_string())),
            }
        }
    }

    /// A frame that answers no outstanding request: a push; an error without an id (after a `welcome`
    /// while the node cannot reach Redis: the resume and the catch-up were skipped; PROTOCOL.md), which
    /// is counted; or the late answer to a request whose wait timed out, which is dropped.
    fn aside(&mut self, frame: ServerFrame) {
        match frame {
            ServerFrame::Push(push) => self.pushed(push),
            ServerFrame::Error { id: None, code, .. } => {
                self.stats
                    .error(UNSOLICITED, &CallError::Server(code, String::new()).label());
            }
            ServerFrame::Reply { .. } | ServerFrame::Error { .. } => {}
        }
    }

    /// Waits up to `wait` for pushes (between actions), handling every one that arrives.
    pub async fn idle(&mut self, wait: Duration) -> Result<(), CallError> {
        self.read_pushes(wait, |_| false).await.map(|_| ())
    }

    /// Reads the socket until a notification newer than `seen` arrives (true) or `wait` passes (false).
    pub async fn await_notification(
        &mut self,
        seen: Option<NotificationId>,
        wait: Duration,
    ) -> Result<bool, CallError> {
        self.read_pushes(wait, |connection| connection.unacked != seen)
            .await
    }

    /// Handles pushes for up to `wait`, until `done` holds (true) or the time is up (false). No request is
    /// outstanding: any other frame is set aside.
    async fn read_pushes(
        &mut self,
        wait: Duration,
        done: impl Fn(&Connection) -> bool,
    ) -> Result<bool, CallError> {
        let deadline = tokio::time::Instant::now() + wait;
        while !done(self) {
            let Ok(frame) = tokio::time::timeout_at(deadline, self.next_frame()).await else {
                return Ok(false);
            };
            let frame = frame?;
            if self.endpoint.echo {
                continue;
            }
            match Codec::Bincode.decode_server(&frame) {
                Ok(frame) => self.aside(frame),
                Err(error) => return Err(CallError::Unexpected(error.to_string())),
            }
        }
        Ok(true)
    }

    /// Notifications the owner saw on earlier connections: pushed again here (after `hello`), they are
    /// not timed or counted again.
    pub fn already_seen(&mut self, ids: impl IntoIterator<Item = NotificationId>) {
        self.seen.extend(ids);
    }

    /// From now on, keeps every push received for [`Connection::take_pushes`].
    pub fn keep_pushes(&mut self) {
        self.kept.get_or_insert_with(Vec::new);
    }

    /// The pushes received since the last call (none unless [`Connection::keep_pushes`] was called).
    pub fn take_pushes(&mut self) -> Vec<Push> {
        self.kept.as_mut().map(std::mem::take).unwrap_or_default()
    }

    fn pushed(&mut self, push: Push) {
        if let Some(kept) = &mut self.kept {
            kept.push(push.clone());
        }
        if let Push::Notification(notification) = push {
            if self.seen.insert(notification.id) {
                let now = leapfrog_core::clock::unix_ms();
                self.stats
                    .delivered(now.saturating_sub(notification.created_ms));
            }
            self.unacked = Some(
                self.unacked
                    .map_or(notification.id, |seen| seen.max(notification.id)),
            );
        }
    }

    /// Forgets notifications up to `up_to` once acknowledged (the server will not send them again).
    pub fn acknowledged(&mut self, up_to: NotificationId) {
        self.seen.retain(|id| *id > up_to);
    }

    async fn next_frame(&mut self) -> Result<WireFrame, CallError> {
        loop {
            let message = self
                .socket
                .next()
                .await
                .ok_or_else(|| CallError::Closed("end of stream".into()))?
                .map_err(closed)?;
            match message {
                Message::Binary(bytes) => return Ok(WireFrame::Binary(bytes.to_vec())),
                Message::Text(text) => return Ok(WireFrame::Text(text.as_str().to_owned())),
                Message::Close(frame) => {
                    return Err(CallError::Closed(format!(
                        "closed by the server: {frame:?}"
                    )));
                }
                _ => {}
            }
        }
    }

    /// Closes the connection politely.
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(2), self.socket.close(None)).await;
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.stats.disconnected();
    }
}

fn closed(error: impl Into<ClosedSource>) -> CallError {
    CallError::Closed(error.into().0)
}

/// Any transport error, as text.
struct ClosedSource(String);

impl From<std::io::Error> for ClosedSource {
    fn from(error: std::io::Error) -> Self {
        ClosedSource(error.to_string())
    }
}

impl From<tungstenite::Error> for ClosedSource {
    fn from(error: tungstenite::Error) -> Self {
        ClosedSource(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse_and_refuse_names() {
        let endpoint =
            Endpoint::new("ws://127.0.0.1:7300/ws", false, Duration::from_secs(1)).unwrap();
        assert_eq!(endpoint.addr, "127.0.0.1:7300".parse().unwrap());
        assert!(Endpoint::new("ws://localhost:7300/ws", false, Duration::from_secs(1)).is_err());
        assert!(Endpoint::new("http://127.0.0.1:7300/ws", false, Duration::from_secs(1)).is_err());
    }

    #[test]
    fn source_addresses_cycle_through_loopback() {
        assert_eq!(source_addr(5, 1), None);
        assert_eq!(source_addr(0, 4), Some("127.0.0.1".parse().unwrap()));
        assert_eq!(source_addr(5, 4), Some("127.0.0.2".parse().unwrap()));
    }
}
