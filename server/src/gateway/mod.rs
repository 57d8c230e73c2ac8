//! The WebSocket gateway: the upgrade handshake, each connection's loop, rate limiting (per player on the
//! node, and across nodes by the cluster-wide budget), the registry of connected players, and close
//! reasons, and the node-wide wake-ups of the connections (their ticks and the shutdown). It only
//! translates between frames and handlers.

pub(crate) mod close;
pub(crate) mod connection;
pub(crate) mod handshake;
pub(crate) mod per_player;
pub(crate) mod player_budget;
pub(crate) mod queue;
pub(crate) mod rate_limit;
#[cfg(test)]
mod read_buffer_release;
pub(crate) mod registry;
pub(crate) mod wakeups;
pub(crate) mod write_timeout;

use protocol::WireFrame;
use protocol::limits::MAX_CLIENT_FRAME_BYTES;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// The WebSocket settings of every connection. tungstenite's defaults (128 KiB read and write buffers,
/// 64 MiB messages) would cost gigabytes at 100k connections and let one client make the server buffer
/// megabytes, so:
/// - read buffer 256 bytes: a jump's frame fits in one read in either codec (about 40 bytes in bincode,
///   120 in JSON). tungstenite zero-fills what it reads into before every read: at 4 KiB that was 8% of
///   the node's instructions per jump, and at 512 bytes eight cache lines of a buffer last touched a
///   thousand connections ago. A frame whose header says it is longer grows the buffer to fit, up to
///   the frame limit, and its rest is read at once (the patched tungstenite's `read_in`). Freed
///   while the connection has nothing to read (the patched tungstenite's
///   `release_read_buffer_when_idle`, `server/vendor/tungstenite`): most connected players are idle,
///   and their buffer was a sixth of what each cost;
/// - write buffer 0 (write straight through; the connection batches frames and flushes once), at most
///   256 KiB queued when the socket is slow (a few server frames), past which writes fail;
/// - messages and frames at most the protocol's client frame limit (4 KiB): larger ones close the
///   connection with 1009 before they are buffered.
pub fn websocket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(256)
        .release_read_buffer_when_idle(true)
        .write_buffer_size(0)
        .max_write_buffer_size(256 * 1024)
        .max_message_size(Some(MAX_CLIENT_FRAME_BYTES))
        .max_frame_size(Some(MAX_CLIENT_FRAME_BYTES))
}

/// The WebSocket message that carries an encoded frame: binary for bincode, text for JSON. The node,
/// the load tool's players and the tests' client all send frames this way.
pub fn wire_message(wire: WireFrame) -> Message {
    match wire {
        WireFrame::Binary(bytes) => Message::Binary(bytes.into()),
        WireFrame::Text(text) => Message::Text(text.into()),
    }
}
