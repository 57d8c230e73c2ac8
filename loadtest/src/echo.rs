//! The baseline: a bare tokio-tungstenite echo server with the same socket settings as a Leapfrog node
//! (small buffers, the client frame limit, the subprotocol echoed back), doing no work per frame. Whatever
//! the load tool measures against it is the ceiling of this machine, tool and WebSocket stack.
//!
//! With a [`Commit`], each frame is echoed only once a shared task has committed it, the shape of a
//! node's jump without its work: the connection hands the frame's turn to a group commit and sleeps, the
//! commit task takes every frame queued since its last round (with one `PING` to Redis per round when
//! given an address, as a node's batch makes one round trip), then wakes them all, and each connection
//! writes its echo. What that costs beyond the plain echo is the floor of any node that answers only
//! after a durable write shared by many connections (BENCHMARKS.md, "The floor of a group commit").

use std::net::SocketAddr;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

/// Serves until the process is stopped; with `commit`, each frame waits for a group commit
/// ([`Commit::start`]) before its echo.
pub async fn serve(listen: SocketAddr, commit: Option<Commit>) -> anyhow::Result<()> {
    let listener = TcpListener::bind(listen).await?;
    serve_with(listener, commit).await
}

/// Serves on a bound listener (tests bind port 0), echoing at once.
pub async fn serve_on(listener: TcpListener) -> anyhow::Result<()> {
    serve_with(listener, None).await
}

/// Serves on a bound listener, each frame waiting for `commit` when given.
pub async fn serve_with(listener: TcpListener, commit: Option<Commit>) -> anyhow::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(echo(stream, commit.clone()));
    }
}

/// A handle to the group-commit task: frames queue their turn here and wait for the round that takes
/// them.
#[derive(Clone)]
pub struct Commit {
    queue: mpsc::UnboundedSender<oneshot::Sender<()>>,
}

impl Commit {
    /// Starts the commit task. With `redis`, each round writes one `PING` to that Redis and reads its
    /// `+PONG` before waking the round's frames; without, a round only yields once to the runtime.
    pub async fn start(redis: Option<SocketAddr>) -> anyhow::Result<Self> {
        let redis = match redis {
            Some(address) => {
                let stream = TcpStream::connect(address).await?;
                stream.set_nodelay(true)?;
                Some(stream)
            }
            None => None,
        };
        let (queue, waiting) = mpsc::unbounded_channel();
        tokio::spawn(commit_rounds(waiting, redis));
        Ok(Self { queue })
    }

    /// Waits until a commit round has taken this frame; false when the commit task is gone.
    async fn committed(&self) -> bool {
        let (done, wait) = oneshot::channel();
        self.queue.send(done).is_ok() && wait.await.is_ok()
    }
}

/// The commit task: each round takes every turn queued, makes its one round trip (or yields), and
/// wakes them. Ends when Redis fails or refuses the `PING`, or every connection and the handle are
/// gone.
async fn commit_rounds(
    mut waiting: mpsc::UnboundedReceiver<oneshot::Sender<()>>,
    mut redis: Option<TcpStream>,
) {
    let mut round = Vec::new();
    let mut reply = [0u8; 64];
    while waiting.recv_many(&mut round, usize::MAX).await > 0 {
        match redis.as_mut() {
            Some(stream) => {
                if stream.write_all(b"PING\r\n").await.is_err() {
                    return;
                }
                // "+PONG\r\n": read until the line ends (it comes in one segment on loopback).
                let mut read = 0;
                while !reply[..read].ends_with(b"\r\n") {
                    match stream.read(&mut reply[read..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => read += n,
                    }
                    if read == reply.len() {
                        return;
                    }
                }
                // An error reply (`-NOAUTH ...`) is a refusal, not a commit.
                if reply[0] != b'+' {
                    return;
                }
            }
            None => tokio::task::yield_now().await,
        }
        for done in round.drain(..) {
            let _ = done.send(());
        }
    }
}

// The handshake callback's error type is tungstenite's (a whole HTTP response), not ours to shrink.
#[allow(clippy::result_large_err)]
async fn echo(stream: TcpStream, commit: Option<Commit>) {
    let _ = stream.set_nodelay(true);
    let choose = |request: &Request, mut response: Response| {
        if let Some(offered) = request.headers().get("Sec-WebSocket-Protocol")
            && let Some(first) = offered
                .to_str()
                .ok()
                .and_then(|list| list.split(',').next())
            && let Ok(value) = first.trim().parse()
        {
            response
                .headers_mut()
                .insert("Sec-WebSocket-Protocol", value);
        }
        Ok(response)
    };
    // The node's limits, with upstream tokio-tungstenite's buffers: the baseline keeps its read buffer
    // for the connection's life, as a bare server does.
    let config = leapfrog_server::gateway::websocket_config().release_read_buffer_when_idle(false);
    let Ok(socket) =
        tokio_tungstenite::accept_hdr_async_with_config(stream, choose, Some(config)).await
    else {
        return;
    };
    let (mut sink, mut stream) = socket.split();
    while let Some(Ok(message)) = stream.next().await {
        if !(message.is_binary() || message.is_text()) {
            continue;
        }
        if let Some(commit) = &commit
            && !commit.committed().await
        {
            return;
        }
        if sink.send(message).await.is_err() {
            return;
        }
    }
}
