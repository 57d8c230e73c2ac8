//! A WebSocket test client speaking either codec, with pushes kept apart from answers.

use std::net::SocketAddr;

use futures_util::{SinkExt, StreamExt};
use protocol::{ClientFrame, Codec, Push, Request, RequestId, ServerFrame, WireFrame};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::WAIT;

/// How a test client authenticates in the handshake.
pub(crate) enum Auth<'a> {
    /// `Authorization: Bearer`.
    Header(&'a str),
    /// `?token=`.
    Query(&'a str),
    /// No token (authenticate with hello, or not at all).
    None,
}

/// A WebSocket client speaking one codec.
pub(crate) struct TestClient {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub codec: Codec,
    next_id: u32,
    pushes: std::collections::VecDeque<ServerFrame>,
}

/// How a connection ended, as the client saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Closed {
    pub code: Option<u16>,
    pub reason: String,
    pub frames_before: Vec<ServerFrame>,
}

impl TestClient {
    /// Connects, offering `codec`'s subprotocol.
    pub(crate) async fn connect(
        addr: SocketAddr,
        codec: Codec,
        auth: Auth<'_>,
    ) -> Result<TestClient, WsError> {
        Self::connect_offering(addr, codec.subprotocol(), codec, auth).await
    }

    /// Connects offering `subprotocols` (raw header value).
    pub(crate) async fn connect_offering(
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
    pub(crate) async fn request(&mut self, request: Request) -> ServerFrame {
        let id = RequestId(self.next_id);
        self.next_id += 1;
        let frame = ClientFrame { id, request };
        let wire = self.codec.encode_client(&frame).expect("encodes");
        self.send_wire(wire).await;
        self.answer_to(id).await
    }

    /// Waits for the answer to request `id`.
    pub(crate) async fn answer_to(&mut self, id: RequestId) -> ServerFrame {
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
    pub(crate) async fn next_push(&mut self) -> Option<Push> {
        if let Some(ServerFrame::Push(push)) = self.pushes.pop_front() {
            return Some(push);
        }
        match self.next_frame().await {
            Some(ServerFrame::Push(push)) => Some(push),
            _ => None,
        }
    }

    /// Pushes received while waiting for answers and not read yet.
    pub(crate) fn stashed_pushes(&self) -> usize {
        self.pushes.len()
    }

    /// Sends a frame of the codec's kind.
    pub(crate) async fn send_wire(&mut self, wire: WireFrame) {
        self.send_raw(leapfrog_server::gateway::wire_message(wire))
            .await;
    }

    /// Sends any WebSocket message.
    pub(crate) async fn send_raw(&mut self, message: Message) {
        tokio::time::timeout(WAIT, self.socket.send(message))
            .await
            .expect("send in time")
            .expect("send succeeds");
    }

    /// The next server frame, or `None` once the connection closed.
    pub(crate) async fn next_frame(&mut self) -> Option<ServerFrame> {
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
    pub(crate) async fn closed(&mut self) -> Closed {
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
    pub(crate) async fn disconnect(mut self) {
        let _ = self.socket.close(None).await;
    }
}

/// Says hello (resuming `resume` if given) and returns the welcome.
pub(crate) async fn hello(
    client: &mut TestClient,
    resume: Option<protocol::RunId>,
) -> protocol::Welcome {
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
pub(crate) async fn start_run(
    client: &mut TestClient,
    mode: protocol::StartMode,
) -> protocol::RunStarted {
    use protocol::{Response, StartRun};
    match client.request(Request::StartRun(StartRun { mode })).await {
        ServerFrame::Reply {
            response: Response::RunStarted(started),
            ..
        } => started,
        other => panic!("expected run_started, got {other:?}"),
    }
}
