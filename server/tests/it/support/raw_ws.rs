//! A WebSocket client built by hand over a raw TCP socket, for conformance and red-team tests: the upgrade
//! request written as text, frames assembled byte by byte (masked as RFC 6455 requires of a client, or
//! not, with any FIN, RSV bits, opcode and payload), sent whole or in small chunks, and the server's frames
//! parsed as they arrive. Nothing here corrects a frame, so a test can send what a library would refuse to.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::WAIT;

/// Opcodes (RFC 6455 5.2).
pub(crate) const CONTINUATION: u8 = 0x0;
pub(crate) const TEXT: u8 = 0x1;
pub(crate) const BINARY: u8 = 0x2;
pub(crate) const CLOSE: u8 = 0x8;
pub(crate) const PING: u8 = 0x9;
pub(crate) const PONG: u8 = 0xA;

/// The masking key of every masked frame (any key is valid; a fixed one keeps failures reproducible).
const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// One frame as a client sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawFrame {
    pub fin: bool,
    /// RSV1, RSV2, RSV3 as bits 4, 2, 1.
    pub rsv: u8,
    pub opcode: u8,
    pub payload: Vec<u8>,
    pub masked: bool,
}

impl RawFrame {
    /// A final, masked frame of `opcode` carrying `payload`.
    pub(crate) fn new(opcode: u8, payload: impl Into<Vec<u8>>) -> RawFrame {
        RawFrame {
            fin: true,
            rsv: 0,
            opcode,
            payload: payload.into(),
            masked: true,
        }
    }

    pub(crate) fn text(payload: impl Into<Vec<u8>>) -> RawFrame {
        RawFrame::new(TEXT, payload)
    }

    pub(crate) fn binary(payload: impl Into<Vec<u8>>) -> RawFrame {
        RawFrame::new(BINARY, payload)
    }

    pub(crate) fn continuation(payload: impl Into<Vec<u8>>) -> RawFrame {
        RawFrame::new(CONTINUATION, payload)
    }

    pub(crate) fn ping(payload: impl Into<Vec<u8>>) -> RawFrame {
        RawFrame::new(PING, payload)
    }

    pub(crate) fn pong(payload: impl Into<Vec<u8>>) -> RawFrame {
        RawFrame::new(PONG, payload)
    }

    /// A close frame with `code` and `reason`.
    pub(crate) fn close(code: u16, reason: &[u8]) -> RawFrame {
        let mut payload = code.to_be_bytes().to_vec();
        payload.extend_from_slice(reason);
        RawFrame::new(CLOSE, payload)
    }

    /// This frame with FIN set to `fin`.
    pub(crate) fn fin(mut self, fin: bool) -> RawFrame {
        self.fin = fin;
        self
    }

    /// This frame with the RSV bits `rsv` (RSV1 = 4, RSV2 = 2, RSV3 = 1).
    pub(crate) fn rsv(mut self, rsv: u8) -> RawFrame {
        self.rsv = rsv;
        self
    }

    /// This frame without a mask, which a server must refuse from a client.
    pub(crate) fn unmasked(mut self) -> RawFrame {
        self.masked = false;
        self
    }

    /// The bytes on the wire, with the shortest length encoding.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut bytes =
            vec![(u8::from(self.fin) << 7) | ((self.rsv & 7) << 4) | (self.opcode & 0xf)];
        let mask_bit = if self.masked { 0x80 } else { 0 };
        let len = self.payload.len();
        if len < 126 {
            bytes.push(mask_bit | len as u8);
        } else if let Ok(len) = u16::try_from(len) {
            bytes.push(mask_bit | 126);
            bytes.extend_from_slice(&len.to_be_bytes());
        } else {
            bytes.push(mask_bit | 127);
            bytes.extend_from_slice(&(len as u64).to_be_bytes());
        }
        if self.masked {
            bytes.extend_from_slice(&MASK);
            bytes.extend(
                self.payload
                    .iter()
                    .enumerate()
                    .map(|(at, byte)| byte ^ MASK[at % 4]),
            );
        } else {
            bytes.extend_from_slice(&self.payload);
        }
        bytes
    }
}

/// One frame as the server sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerRawFrame {
    pub fin: bool,
    pub rsv: u8,
    pub opcode: u8,
    pub masked: bool,
    pub payload: Vec<u8>,
}

impl ServerRawFrame {
    /// The close code of a close frame (`None` for an empty payload).
    pub(crate) fn close_code(&self) -> Option<u16> {
        (self.payload.len() >= 2).then(|| u16::from_be_bytes([self.payload[0], self.payload[1]]))
    }
}

/// A WebSocket connection driven byte by byte.
pub(crate) struct RawSocket {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl RawSocket {
    /// Opens `/ws` offering `subprotocol`, with `token` as a Bearer header if given; panics unless the
    /// server switches protocols.
    pub(crate) async fn connect(
        addr: SocketAddr,
        subprotocol: &str,
        token: Option<&str>,
    ) -> RawSocket {
        let (status, socket) = RawSocket::try_connect(addr, subprotocol, token, "").await;
        assert_eq!(status, 101, "the upgrade is accepted");
        socket
    }

    /// Sends an upgrade request with `extra_headers` (each ending in CRLF) and returns the status code of
    /// the answer, and the socket positioned after its headers.
    pub(crate) async fn try_connect(
        addr: SocketAddr,
        subprotocol: &str,
        token: Option<&str>,
        extra_headers: &str,
    ) -> (u16, RawSocket) {
        RawSocket::connect_sending(addr, subprotocol, token, extra_headers, &[], None).await
    }

    /// [`RawSocket::try_connect`], with `early` (frames, say) sent in the same write as the request,
    /// before the answer: the server reads them with the request and must still hand them on. With
    /// `receive_buffer`, the socket's receive buffer is asked to be that many bytes (the kernel rounds
    /// it up): a client that stops reading then leaves the server little room to write into.
    pub(crate) async fn connect_sending(
        addr: SocketAddr,
        subprotocol: &str,
        token: Option<&str>,
        extra_headers: &str,
        early: &[u8],
        receive_buffer: Option<u32>,
    ) -> (u16, RawSocket) {
        let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
        if let Some(bytes) = receive_buffer {
            socket.set_recv_buffer_size(bytes).expect("SO_RCVBUF");
        }
        let stream = tokio::time::timeout(WAIT, socket.connect(addr))
            .await
            .expect("connects in time")
            .expect("connects");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        let authorization = token
            .map(|token| format!("Authorization: Bearer {token}\r\n"))
            .unwrap_or_default();
        let request = format!(
            "GET /ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Protocol: {subprotocol}\r\n{authorization}{extra_headers}\r\n"
        );
        let mut socket = RawSocket {
            stream,
            buffer: Vec::new(),
        };
        socket
            .send_bytes(&[request.as_bytes(), early].concat())
            .await;
        let head = loop {
            if let Some(end) = socket.buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                let head: Vec<u8> = socket.buffer.drain(..end + 4).collect();
                break String::from_utf8_lossy(&head).into_owned();
            }
            assert!(socket.fill().await, "the server answers the upgrade");
        };
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        (status, socket)
    }

    /// Writes `bytes` as they are.
    pub(crate) async fn send_bytes(&mut self, bytes: &[u8]) {
        tokio::time::timeout(WAIT, self.stream.write_all(bytes))
            .await
            .expect("written in time")
            .expect("written");
    }

    /// Writes `bytes` unless the server already closed the connection; false if it had.
    pub(crate) async fn try_send_bytes(&mut self, bytes: &[u8]) -> bool {
        matches!(
            tokio::time::timeout(WAIT, self.stream.write_all(bytes)).await,
            Ok(Ok(()))
        )
    }

    /// Sends `frame` whole; false if the server had closed the connection.
    pub(crate) async fn send(&mut self, frame: &RawFrame) -> bool {
        self.try_send_bytes(&frame.encode()).await
    }

    /// Sends `frame` in pieces of `chunk` bytes, a millisecond apart; false if the server closed first.
    pub(crate) async fn send_in_chunks(&mut self, frame: &RawFrame, chunk: usize) -> bool {
        for piece in frame.encode().chunks(chunk) {
            if !self.try_send_bytes(piece).await {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        true
    }

    /// Reads more bytes into the buffer; false at the end of the stream (or a reset).
    async fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 8192];
        match tokio::time::timeout(WAIT, self.stream.read(&mut chunk))
            .await
            .expect("the server sends or closes in time")
        {
            Ok(0) | Err(_) => false,
            Ok(read) => {
                self.buffer.extend_from_slice(&chunk[..read]);
                true
            }
        }
    }

    /// The next whole frame from the server, or `None` once the TCP connection ended.
    pub(crate) async fn next_frame(&mut self) -> Option<ServerRawFrame> {
        loop {
            if let Some((frame, used)) = parse(&self.buffer) {
                self.buffer.drain(..used);
                return Some(frame);
            }
            if !self.fill().await {
                return None;
            }
        }
    }

    /// Whether the server ends the TCP connection (rather than sending anything more) in time.
    pub(crate) async fn ends(&mut self) -> bool {
        self.buffer.is_empty() && !self.fill().await
    }
}

/// A whole frame at the start of `bytes` and the bytes it takes, if they are all there.
fn parse(bytes: &[u8]) -> Option<(ServerRawFrame, usize)> {
    let (&first, &second) = (bytes.first()?, bytes.get(1)?);
    let masked = second & 0x80 != 0;
    let (len, mut at) = match second & 0x7f {
        126 => (
            usize::from(u16::from_be_bytes([*bytes.get(2)?, *bytes.get(3)?])),
            4,
        ),
        127 => {
            let raw: [u8; 8] = bytes.get(2..10)?.try_into().ok()?;
            (usize::try_from(u64::from_be_bytes(raw)).ok()?, 10)
        }
        short => (usize::from(short), 2),
    };
    let mask: Option<[u8; 4]> = if masked {
        let key = bytes.get(at..at + 4)?.try_into().ok()?;
        at += 4;
        Some(key)
    } else {
        None
    };
    let payload = bytes.get(at..at + len)?;
    let payload = match mask {
        Some(key) => payload
            .iter()
            .enumerate()
            .map(|(i, byte)| byte ^ key[i % 4])
            .collect(),
        None => payload.to_vec(),
    };
    Some((
        ServerRawFrame {
            fin: first & 0x80 != 0,
            rsv: (first >> 4) & 7,
            opcode: first & 0xf,
            masked,
            payload,
        },
        at + len,
    ))
}

#[test]
fn frames_encode_with_the_shortest_length_and_parse_back() {
    for len in [0, 125, 126, 65_535, 65_536] {
        let frame = RawFrame::binary(vec![7u8; len]).unmasked();
        let bytes = frame.encode();
        let header = match len {
            0..=125 => 2,
            126..=65_535 => 4,
            _ => 10,
        };
        assert_eq!(bytes.len(), header + len);
        let (parsed, used) = parse(&bytes).expect("a whole frame");
        assert_eq!((parsed.payload.len(), used), (len, bytes.len()));
    }
    let masked = RawFrame::text("Hello").rsv(5).fin(false).encode();
    let (parsed, _) = parse(&masked).unwrap();
    assert_eq!(
        (parsed.fin, parsed.rsv, parsed.opcode, parsed.masked),
        (false, 5, TEXT, true)
    );
    assert_eq!(parsed.payload, b"Hello");
    assert!(parse(&masked[..masked.len() - 1]).is_none());
}
