//! The patched tungstenite's `release_read_buffer_when_idle` (`server/vendor/tungstenite`), which
//! [`super::websocket_config`] turns on: with it, a connection reads the same messages as without it,
//! whatever the reads' boundaries and however often the stream has nothing to give (the buffer is
//! freed when two reads in a row find nothing). And a read takes a whole frame when the stream has it:
//! one read per frame coming alone (a jump), two for one longer than the read buffer (its start, then
//! the rest at once).

use std::collections::VecDeque;
use std::io::{self, Read, Write};

use proptest::prelude::*;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocket};
use tokio_tungstenite::tungstenite::{Error, Message};

/// What one read of the stream gives.
#[derive(Debug, Clone)]
enum Read1 {
    Bytes(Vec<u8>),
    WouldBlock,
}

/// A stream whose reads give the scripted chunks and "would block"s, then only "would block"; it
/// counts the reads that gave bytes.
struct Scripted(VecDeque<Read1>, usize);

impl Read for Scripted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.0.pop_front() {
            Some(Read1::Bytes(mut bytes)) => {
                let n = bytes.len().min(buf.len());
                buf[..n].copy_from_slice(&bytes[..n]);
                if n < bytes.len() {
                    self.0.push_front(Read1::Bytes(bytes.split_off(n)));
                }
                self.1 += 1;
                Ok(n)
            }
            Some(Read1::WouldBlock) | None => Err(io::ErrorKind::WouldBlock.into()),
        }
    }
}

impl Write for Scripted {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A masked client frame (FIN set) of `opcode` carrying `payload`.
fn client_frame(opcode: u8, payload: &[u8], mask: [u8; 4]) -> Vec<u8> {
    let mut frame = vec![0x80 | opcode];
    match payload.len() {
        n @ 0..=125 => frame.push(0x80 | n as u8),
        n => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
    }
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

/// Reads every message the script holds, until the stream has nothing more.
fn read_all(script: VecDeque<Read1>, release: bool) -> Vec<Message> {
    let blocks = script
        .iter()
        .filter(|read| matches!(read, Read1::WouldBlock))
        .count();
    let config = super::websocket_config().release_read_buffer_when_idle(release);
    let mut socket = WebSocket::from_raw_socket(Scripted(script, 0), Role::Server, Some(config));
    let mut messages = Vec::new();
    // Each scripted "would block" ends one read; the one after the script ends the test.
    let mut blocked = 0;
    while blocked <= blocks {
        match socket.read() {
            Ok(message) => messages.push(message),
            Err(Error::Io(error)) if error.kind() == io::ErrorKind::WouldBlock => blocked += 1,
            Err(error) => panic!("read failed: {error}"),
        }
    }
    messages
}

fn messages() -> impl Strategy<Value = Vec<(bool, Vec<u8>)>> {
    // Up to 1,200 bytes: past the 256-byte read buffer, so frames also grow it.
    prop::collection::vec(
        (any::<bool>(), prop::collection::vec(any::<u8>(), 0..1_200)),
        1..12,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The same messages arrive with the buffer freed between reads as with it kept, for frames cut
    /// anywhere and a stream that runs dry anywhere.
    #[test]
    fn freeing_the_idle_read_buffer_changes_no_message(
        messages in messages(),
        cuts in prop::collection::vec((1usize..700, 0usize..3), 1..40),
        mask in any::<[u8; 4]>(),
    ) {
        let expected: Vec<Message> = messages
            .iter()
            .map(|(text, payload)| {
                if *text {
                    Message::Text(String::from_utf8_lossy(payload).into_owned().into())
                } else {
                    Message::Binary(payload.clone().into())
                }
            })
            .collect();
        let mut wire = Vec::new();
        for message in &expected {
            let (opcode, payload) = match message {
                Message::Text(text) => (0x1, text.as_bytes().to_vec()),
                Message::Binary(bytes) => (0x2, bytes.to_vec()),
                _ => unreachable!("only data messages are generated"),
            };
            wire.extend(client_frame(opcode, &payload, mask));
        }
        // The wire cut into chunks, some followed by the stream running dry once or twice (the
        // buffer is freed at the second).
        let mut script = VecDeque::new();
        let mut rest = wire.as_slice();
        for (len, dry) in cuts.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (chunk, after) = rest.split_at((*len).min(rest.len()));
            script.push_back(Read1::Bytes(chunk.to_vec()));
            script.extend(std::iter::repeat_n(Read1::WouldBlock, *dry));
            rest = after;
        }
        let kept = read_all(script.clone(), false);
        let freed = read_all(script, true);
        prop_assert_eq!(&kept, &expected);
        prop_assert_eq!(&freed, &expected);
    }
}

/// A stream holding `wire` whole, counting the reads that took bytes from it.
struct Counted<'a> {
    wire: &'a [u8],
    reads: usize,
}

impl Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.wire.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = self.wire.len().min(buf.len());
        buf[..n].copy_from_slice(&self.wire[..n]);
        self.wire = &self.wire[n..];
        self.reads += 1;
        Ok(n)
    }
}

impl Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Frames coming one at a time (a player's jumps, each answered before the next) take one read each,
/// in either codec's size (a bincode jump is about 40 bytes, a JSON one about 120), though each frame
/// split off leaves the next read less of the buffer until tungstenite takes its room back.
#[test]
fn a_frame_coming_alone_takes_one_read() {
    let frames = 20;
    for payload in [40, 112] {
        let frame = client_frame(0x2, &vec![9u8; payload], [1, 2, 3, 4]);
        let mut script = VecDeque::new();
        for _ in 0..frames {
            script.push_back(Read1::Bytes(frame.clone()));
            script.push_back(Read1::WouldBlock);
        }
        for release in [false, true] {
            let config = super::websocket_config().release_read_buffer_when_idle(release);
            let mut socket =
                WebSocket::from_raw_socket(Scripted(script.clone(), 0), Role::Server, Some(config));
            let mut messages = 0;
            let mut blocked = 0;
            while blocked <= frames {
                match socket.read() {
                    Ok(_) => messages += 1,
                    Err(Error::Io(error)) if error.kind() == io::ErrorKind::WouldBlock => {
                        blocked += 1
                    }
                    Err(error) => panic!("read failed: {error}"),
                }
            }
            assert_eq!(messages, frames, "{payload} bytes, release {release}");
            let reads = socket.get_ref().1;
            assert_eq!(
                reads, frames,
                "{payload} bytes, release {release}: reads that gave bytes"
            );
        }
    }
}

/// Once a frame's header says it is longer than the read buffer, its rest comes in one read, not in
/// reads of the buffer's size (upstream took five for this frame). Each read zero-fills only what it
/// may fill, so the one read costs no more than the several.
#[test]
fn a_long_frames_rest_is_read_at_once() {
    let payload = vec![7u8; 1_200];
    let wire = client_frame(0x2, &payload, [1, 2, 3, 4]);
    for release in [false, true] {
        let config = super::websocket_config().release_read_buffer_when_idle(release);
        let stream = Counted {
            wire: &wire,
            reads: 0,
        };
        let mut socket = WebSocket::from_raw_socket(stream, Role::Server, Some(config));
        let message = socket.read().expect("the frame is read");
        assert_eq!(message, Message::Binary(payload.clone().into()));
        assert_eq!(socket.get_ref().reads, 2, "release {release}");
    }
}
