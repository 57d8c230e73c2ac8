//! Commands for one request, written in the Redis protocol as they are built when they go to one Redis.
//!
//! A `redis::Cmd` is two buffers (its arguments' bytes and their ends) that a pipeline then copies into
//! a third, in the protocol, before the connection copies that into its socket buffer: four allocations
//! and three copies for a jump's checkpoint, and a `Pipeline` around it. On one Redis every command of
//! the store's group commit (`batch`) goes to the same connection, so the store writes the protocol
//! straight into one buffer instead ([`Packed`]): the thread's own, reused for its next request, whose
//! bytes are copied once, into the batch's request (`gathered`). On a cluster each command is routed to
//! its slot's node by its key, which redis-rs reads from the `Cmd`: there [`Commands`] keeps them as
//! `Cmd`s.

use std::cell::Cell;

use redis::Cmd;

/// Bytes reserved per command a request is expected to hold: a key and a few short values fit.
const BYTES_PER_COMMAND: usize = 64;

/// The largest buffer a thread keeps for its next commands ([`Packed::recycle`]): a jump's checkpoint
/// and a recording's steps fit; a rare large request's buffer is freed.
const KEPT_BYTES: usize = 4096;

thread_local! {
    /// The buffer the commands this thread built last were written in, once their bytes were queued:
    /// the next commands are written in it again. A fresh allocation per request is memory the core
    /// last touched long ago on a busy node, and a jump's checkpoint wrote it and the batch task read
    /// it back (BENCHMARKS.md, stop 42); this one stays in the core's cache.
    static KEPT: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// Commands written in the Redis protocol, one after another, and how many they are: what one entry of a
/// group-committed batch sends.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Packed {
    bytes: Vec<u8>,
    count: usize,
}

impl Packed {
    /// No commands yet, in a buffer of `capacity` bytes at least: the one this thread's last commands
    /// gave back ([`Packed::recycle`]) if there is one.
    pub(crate) fn with_capacity(capacity: usize) -> Packed {
        let mut bytes = KEPT.try_with(Cell::take).unwrap_or_default();
        bytes.clear();
        bytes.reserve(capacity);
        Packed { bytes, count: 0 }
    }

    /// Gives the buffer back to this thread for its next commands, once their bytes were copied
    /// where they go (a batch's request); a buffer over [`KEPT_BYTES`] is freed.
    pub(crate) fn recycle(self) {
        if self.bytes.capacity() <= KEPT_BYTES {
            // A thread that is ending frees it instead.
            let _ = KEPT.try_with(|kept| kept.set(self.bytes));
        }
    }

    /// The commands' bytes, taken out.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// No commands yet, in a buffer sized for `count` of them.
    pub(crate) fn for_commands(count: usize) -> Packed {
        Packed::with_capacity(count * BYTES_PER_COMMAND)
    }

    /// `count` commands already written in the protocol as `bytes` (a pipeline's, say).
    pub(crate) fn written(bytes: Vec<u8>, count: usize) -> Packed {
        Packed { bytes, count }
    }

    /// `commands`, in one buffer of their size.
    pub(crate) fn of<'c>(commands: impl IntoIterator<Item = &'c Cmd> + Clone) -> Packed {
        let size = commands.clone().into_iter().map(Cmd::packed_len).sum();
        let mut packed = Packed::with_capacity(size);
        for command in commands {
            // Sized above: each command's length is not worked out again.
            command.write_packed_command_preallocated(&mut packed.bytes);
            packed.count += 1;
        }
        packed
    }

    /// Adds `command` as redis-rs writes it.
    pub(crate) fn push(&mut self, command: &Cmd) {
        command.write_packed_command(&mut self.bytes);
        self.count += 1;
    }

    /// Adds the command of `args` and then a last argument of `last` bytes, which `write` appends in
    /// place: a jump's log entries go into the request without a buffer of their own. Should `write`
    /// append another number of bytes, the argument is cut or zero-padded to `last`, so the length the
    /// protocol announces is always the length sent.
    pub(crate) fn push_args(
        &mut self,
        args: &[&[u8]],
        last: usize,
        write: impl FnOnce(&mut Vec<u8>),
    ) {
        let bytes = &mut self.bytes;
        redis::write_length(bytes, b'*', args.len() + 1);
        for arg in args {
            redis::write_length(bytes, b'$', arg.len());
            bytes.extend_from_slice(arg);
            bytes.extend_from_slice(b"\r\n");
        }
        redis::write_length(bytes, b'$', last);
        let start = bytes.len();
        write(bytes);
        // Nothing to do (no zeroing) when `write` kept to its length.
        bytes.resize(start + last, 0);
        bytes.extend_from_slice(b"\r\n");
        self.count += 1;
    }

    /// How many commands.
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// Whether there is no command.
    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The commands' bytes, as they are sent.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes
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

    /// Adds the command of `args` and a last argument of `last` bytes that `write` appends (see
    /// [`Packed::push_args`]).
    pub(crate) fn push_args(
        &mut self,
        args: &[&[u8]],
        last: usize,
        write: impl FnOnce(&mut Vec<u8>),
    ) {
        match self {
            Commands::Packed(packed) => packed.push_args(args, last, write),
            Commands::Each(commands) => {
                let mut command = Cmd::with_capacity(args.len() + 1, 0);
                for arg in args {
                    command.arg(*arg);
                }
                let mut value = Vec::with_capacity(last);
                write(&mut value);
                value.resize(last, 0);
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

    /// The redis-rs command of `args`.
    fn cmd_of(args: &[Vec<u8>]) -> Cmd {
        let mut command = Cmd::new();
        for arg in args {
            command.arg(arg.as_slice());
        }
        command
    }

    /// The bytes redis-rs writes for the same commands.
    fn redis_rs(commands: &[Vec<Vec<u8>>]) -> Vec<u8> {
        let mut bytes = Vec::new();
        for args in commands {
            cmd_of(args).write_packed_command(&mut bytes);
        }
        bytes
    }

    /// One to four commands of one to five arguments of any bytes.
    fn any_commands() -> impl Strategy<Value = Vec<Vec<Vec<u8>>>> {
        prop::collection::vec(
            prop::collection::vec(prop::collection::vec(any::<u8>(), 0..150), 1..6),
            1..5,
        )
    }

    proptest! {
        /// Commands written here, with their last argument filled in place, are the bytes redis-rs
        /// writes for them, and are counted.
        #[test]
        fn packed_commands_are_the_bytes_redis_rs_writes(commands in any_commands()) {
            let mut packed = Packed::default();
            for args in &commands {
                let (last, rest) = args.split_last().expect("one argument at least");
                let rest: Vec<&[u8]> = rest.iter().map(Vec::as_slice).collect();
                packed.push_args(&rest, last.len(), |bytes| bytes.extend_from_slice(last));
            }
            prop_assert_eq!(packed.count(), commands.len());
            prop_assert_eq!(packed.as_bytes(), redis_rs(&commands));
        }

        /// `Cmd`s packed together are the bytes redis-rs writes for them, in a buffer of exactly
        /// their size (allocated once).
        #[test]
        fn cmds_packed_together_are_their_bytes_in_a_buffer_of_their_size(
            commands in any_commands(),
        ) {
            let cmds: Vec<Cmd> = commands.iter().map(|args| cmd_of(args)).collect();
            let packed = Packed::of(&cmds);
            prop_assert_eq!(packed.count(), commands.len());
            prop_assert_eq!(packed.as_bytes(), redis_rs(&commands));
            prop_assert_eq!(packed.bytes.capacity(), packed.bytes.len());
        }
    }

    /// The vendored redis-rs's header writer, which these requests use, past its fast widths too.
    #[test]
    fn lengths_of_every_width_are_written_in_decimal() {
        for value in [0, 7, 10, 99, 100, 12_345, usize::MAX] {
            let mut bytes = Vec::new();
            redis::write_length(&mut bytes, b'$', value);
            assert_eq!(bytes, format!("${value}\r\n").into_bytes());
        }
    }

    /// A last argument written short or long is padded or cut to the length announced.
    #[test]
    fn a_last_argument_is_sent_at_the_length_announced() {
        let mut short = Packed::default();
        short.push_args(&[b"SET", b"k"], 3, |bytes| bytes.push(b'v'));
        assert_eq!(
            short.as_bytes(),
            b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\0\0\r\n"
        );
        let mut long = Packed::default();
        long.push_args(&[b"SET", b"k"], 1, |bytes| bytes.extend_from_slice(b"vvv"));
        assert_eq!(
            long.as_bytes(),
            b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
        );
    }

    /// A `Cmd` pushed and the same command's arguments pushed one by one are the same bytes.
    #[test]
    fn a_cmd_and_its_arguments_pack_alike() {
        let of_cmd = Packed::of(&[redis::cmd("APPEND").arg("lf:{r:1}:log").arg("xy").clone()]);
        let mut of_args = Packed::with_capacity(8);
        of_args.push_args(&[b"APPEND", b"lf:{r:1}:log"], 2, |bytes| {
            bytes.extend_from_slice(b"xy")
        });
        assert_eq!(of_cmd, of_args);
        assert_eq!(of_cmd.count(), 1);
        assert!(!of_cmd.is_empty() && Packed::default().is_empty());
    }

    /// A thread's next commands are written in the buffer its last ones gave back, empty; a buffer
    /// over the kept size is not kept.
    #[test]
    fn a_recycled_buffer_holds_the_threads_next_commands() {
        let mut first = Packed::for_commands(2);
        first.push(&redis::cmd("PING"));
        let buffer = first.as_bytes().as_ptr();
        first.recycle();
        let mut next = Packed::for_commands(1);
        assert!(
            next.is_empty() && next.as_bytes().is_empty(),
            "given back empty"
        );
        next.push(&redis::cmd("TIME"));
        assert_eq!(next.as_bytes().as_ptr(), buffer, "the same buffer");
        assert_eq!(
            next.as_bytes(),
            Packed::of(&[redis::cmd("TIME")]).as_bytes()
        );
        next.recycle();
        let large = Packed::with_capacity(KEPT_BYTES + 1);
        let large_buffer = large.as_bytes().as_ptr();
        large.recycle();
        let after = Packed::with_capacity(1);
        assert_ne!(
            after.as_bytes().as_ptr(),
            large_buffer,
            "a large buffer is freed"
        );
    }
}
