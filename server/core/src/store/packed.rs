//! Commands for one request, written in the Redis protocol as they are built when they go to one Redis.
//!
//! A `redis::Cmd` is two buffers (its arguments' bytes and their ends) that a pipeline then copies into
//! a third, in the protocol, before the connection copies that into its socket buffer: four allocations
//! and three copies for a jump's checkpoint, and a `Pipeline` around it. On one Redis every command of
//! the store's group commit (`batch`) goes to the same connection, so the store writes the protocol
//! straight into one buffer instead ([`Packed`]), and the batch sends the buffers as they are. On a
//! cluster each command is routed to its slot's node by its key, which redis-rs reads from the `Cmd`:
//! there [`Commands`] keeps them as `Cmd`s.

use redis::Cmd;

/// Commands written in the Redis protocol, one after another, and how many they are: what one entry of a
/// group-committed batch sends.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Packed {
    bytes: Vec<u8>,
    count: usize,
}

impl Packed {
    /// No commands yet, in a buffer of `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> Packed {
        Packed {
            bytes: Vec::with_capacity(capacity),
            count: 0,
        }
    }

    /// `commands`, in one buffer.
    pub(crate) fn of(commands: &[Cmd]) -> Packed {
        let mut packed = Packed::with_capacity(commands.len() * 64);
        for command in commands {
            packed.push(command);
        }
        packed
    }

    /// Adds `command` as redis-rs writes it.
    pub(crate) fn push(&mut self, command: &Cmd) {
        command.write_packed_command(&mut self.bytes);
        self.count += 1;
    }

    /// Adds the command of `args` and then a last argument of `last` bytes, which `fill` writes in
    /// place: a jump's log entries go into the request without a buffer of their own. `fill` is given
    /// exactly `last` bytes (zeroed), so the length the protocol announces is the length sent.
    pub(crate) fn push_args(&mut self, args: &[&[u8]], last: usize, fill: impl FnOnce(&mut [u8])) {
        let bytes = &mut self.bytes;
        // What comes between two arguments (an argument's end, the next one's length) is put together
        // on the stack and added at once: a vector checks its room on every addition.
        let mut head = Head::default();
        head.number(b'*', args.len() + 1);
        for arg in args {
            head.number(b'$', arg.len());
            bytes.extend_from_slice(head.take());
            bytes.extend_from_slice(arg);
            head.end();
        }
        head.number(b'$', last);
        bytes.extend_from_slice(head.take());
        let start = bytes.len();
        bytes.resize(start + last, 0);
        fill(&mut bytes[start..]);
        bytes.extend_from_slice(b"\r\n");
        self.count += 1;
    }

    /// How many commands.
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// How many bytes.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether there is no command.
    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Adds `other`'s commands after these.
    pub(crate) fn append(&mut self, other: &Packed) {
        self.bytes.extend_from_slice(&other.bytes);
        self.count += other.count;
    }

    /// The bytes, to send.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// The protocol between two arguments, put together on the stack: an argument's end (`\r\n`), then the
/// next one's header (`$len\r\n`, or the command's `*count\r\n`).
#[derive(Default)]
struct Head {
    bytes: [u8; 32],
    len: usize,
}

impl Head {
    /// Adds `byte`. Within 32 bytes by construction (`\r\n`, a sign, 20 digits, `\r\n`); past them a
    /// byte would be dropped, never written out of place.
    fn byte(&mut self, byte: u8) {
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    /// Adds an argument's end, `\r\n`.
    fn end(&mut self) {
        self.byte(b'\r');
        self.byte(b'\n');
    }

    /// `sign`, `value` in decimal digits and `\r\n`, byte by byte (a copy of a few bytes of a length
    /// not known in advance is a call to `memcpy`). Most values here (argument counts, key and entry
    /// lengths) are below 100: written without a division loop.
    fn number(&mut self, sign: u8, value: usize) {
        self.byte(sign);
        if value < 10 {
            self.byte(b'0' + value as u8);
        } else if value < 100 {
            self.byte(b'0' + (value / 10) as u8);
            self.byte(b'0' + (value % 10) as u8);
        } else {
            let mut digits = [0u8; 20];
            let mut at = digits.len();
            let mut rest = value;
            while rest > 0 {
                at -= 1;
                digits[at] = b'0' + (rest % 10) as u8;
                rest /= 10;
            }
            for digit in &digits[at..] {
                self.byte(*digit);
            }
        }
        self.end();
    }

    /// What was put together, which starts again empty.
    fn take(&mut self) -> &[u8] {
        let len = std::mem::take(&mut self.len);
        &self.bytes[..len]
    }
}

/// The commands of one request to the store: packed as they are built on one Redis, kept as `Cmd`s on a
/// cluster (see the module). Made by `Store::commands`, which knows which.
#[derive(Debug, Clone)]
pub(crate) enum Commands {
    /// For one Redis's group commit.
    Packed(Packed),
    /// For a cluster, routed by their keys.
    Each(Vec<Cmd>),
}

impl Commands {
    /// Adds `command`.
    pub(crate) fn push(&mut self, command: Cmd) {
        match self {
            Commands::Packed(packed) => packed.push(&command),
            Commands::Each(commands) => commands.push(command),
        }
    }

    /// Adds the command of `args` and a last argument of `last` bytes that `fill` writes (see
    /// [`Packed::push_args`]).
    pub(crate) fn push_args(&mut self, args: &[&[u8]], last: usize, fill: impl FnOnce(&mut [u8])) {
        match self {
            Commands::Packed(packed) => packed.push_args(args, last, fill),
            Commands::Each(commands) => {
                let mut command = Cmd::with_capacity(args.len() + 1, 0);
                for arg in args {
                    command.arg(*arg);
                }
                let mut value = vec![0; last];
                fill(&mut value);
                command.arg(value);
                commands.push(command);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The bytes redis-rs writes for the same commands.
    fn redis_rs(commands: &[Vec<Vec<u8>>]) -> Vec<u8> {
        let mut bytes = Vec::new();
        for args in commands {
            let mut command = redis::Cmd::new();
            for arg in args {
                command.arg(arg.as_slice());
            }
            command.write_packed_command(&mut bytes);
        }
        bytes
    }

    proptest! {
        /// Commands written here, with their last argument filled in place, are the bytes redis-rs
        /// writes for them, and are counted.
        #[test]
        fn packed_commands_are_the_bytes_redis_rs_writes(
            commands in prop::collection::vec(
                prop::collection::vec(prop::collection::vec(any::<u8>(), 0..150), 1..6),
                1..5,
            ),
        ) {
            let mut packed = Packed::default();
            for args in &commands {
                let (last, rest) = args.split_last().expect("one argument at least");
                let rest: Vec<&[u8]> = rest.iter().map(Vec::as_slice).collect();
                packed.push_args(&rest, last.len(), |place| place.copy_from_slice(last));
            }
            prop_assert_eq!(packed.count(), commands.len());
            prop_assert_eq!(packed.into_bytes(), redis_rs(&commands));
        }
    }

    #[test]
    fn lengths_of_every_width_are_written_in_decimal() {
        for value in [0, 7, 10, 99, 100, 12_345, usize::MAX] {
            let mut head = Head::default();
            head.end();
            head.number(b'$', value);
            assert_eq!(head.take(), format!("\r\n${value}\r\n").as_bytes());
            assert!(head.take().is_empty());
        }
    }

    /// A `Cmd` pushed and the same command's arguments pushed one by one are the same bytes, and the
    /// commands of two entries appended are both entries' commands.
    #[test]
    fn a_cmd_and_its_arguments_pack_alike_and_entries_append() {
        let mut of_cmd = Packed::of(&[redis::cmd("APPEND").arg("lf:{r:1}:log").arg("xy").clone()]);
        let mut of_args = Packed::with_capacity(8);
        of_args.push_args(&[b"APPEND", b"lf:{r:1}:log"], 2, |place| {
            place.copy_from_slice(b"xy")
        });
        assert_eq!(of_cmd, of_args);
        of_cmd.append(&of_args);
        assert_eq!(of_cmd.count(), 2);
        assert_eq!(of_cmd.len(), 2 * of_args.len());
        assert!(!of_cmd.is_empty() && Packed::default().is_empty());
    }
}
