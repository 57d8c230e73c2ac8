//! Redis commands built in buffers sized for them. `redis::cmd` starts a command with empty buffers,
//! which then grow argument by argument (8, 16, 32, 64, 128 bytes): about four reallocations for a
//! board write or a checkpoint, 5% of a recorded run's instructions on the node.

use redis::Cmd;

/// Arguments reserved per command: the name, a key and a few values fit.
const ARGS: usize = 8;

/// Bytes reserved per command: a command of a few keys and values (most of the node's) fits.
const BYTES: usize = 128;

/// The command `name`, to add arguments to, as [`redis::cmd`] does, in buffers that most of the node's
/// commands fit without growing.
pub fn cmd(name: &str) -> Cmd {
    let mut command = Cmd::with_capacity(ARGS, BYTES);
    command.arg(name);
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same command on the wire as `redis::cmd` makes.
    #[test]
    fn a_command_is_the_one_redis_cmd_makes() {
        let ours = cmd("ZADD")
            .arg("lf:{b:weekly}")
            .arg("GT")
            .arg(42)
            .arg("ada")
            .clone();
        let theirs = redis::cmd("ZADD")
            .arg("lf:{b:weekly}")
            .arg("GT")
            .arg(42)
            .arg("ada")
            .clone();
        assert_eq!(ours.get_packed_command(), theirs.get_packed_command());
    }
}
