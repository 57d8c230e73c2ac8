//! The baseline: a bare tokio-tungstenite echo server with the same socket settings as a Leapfrog node
//! (small buffers, the client frame limit, the subprotocol echoed back), doing no work per frame. Whatever
//! the load tool measures against it is the ceiling of this machine, tool and WebSocket stack.

use std::net::SocketAddr;

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

/// Serves until the process is stopped.
pub async fn serve(listen: SocketAddr) -> anyhow::Result<()> {
    let listener = TcpListener::bind(listen).await?;
    serve_on(listener).await
}

/// Serves on a bound listener (tests bind port 0).
pub async fn serve_on(listener: TcpListener) -> anyhow::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(echo(stream));
    }
}

// The handshake callback's error type is tungstenite's (a whole HTTP response), not ours to shrink.
#[allow(clippy::result_large_err)]
async fn echo(stream: TcpStream) {
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
        if (message.is_binary() || message.is_text()) && sink.send(message).await.is_err() {
            return;
        }
    }
}
