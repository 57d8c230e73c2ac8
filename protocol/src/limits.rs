//! Hard limits of the protocol. Decoders enforce them before allocating; servers and clients may rely
//! on them.

/// Largest frame a client may send, in bytes (either codec).
pub const MAX_CLIENT_FRAME_BYTES: usize = 4 * 1024;
/// Largest frame a server sends, in bytes (either codec).
pub const MAX_SERVER_FRAME_BYTES: usize = 64 * 1024;
/// Longest token in `Hello`, in bytes.
pub const MAX_TOKEN_BYTES: usize = 2 * 1024;
/// Most jumps in one `SubmitRun` chunk. A bincode jump takes 2 to 6 bytes (varint press and dwell),
/// so 512 jumps fit a 4 KiB frame; in JSON about 40 bytes each, so JSON clients send chunks of 90.
pub const MAX_JUMPS_PER_SUBMIT: usize = 512;
/// Most friends named in a `RunOver`.
pub const MAX_PASSED_FRIENDS: usize = 100;
/// Most friends (or requests) in one page.
pub const MAX_FRIENDS_PER_PAGE: usize = 500;
/// Most entries a board's `Top` window asks for.
pub const MAX_BOARD_TOP: u8 = 100;
/// Most entries on each side of the player in a board's `Around` window.
pub const MAX_BOARD_RADIUS: u8 = 50;
/// Most entries in one board page: the larger of a `Top` window and an `Around` window (both sides and
/// the player).
pub const MAX_BOARD_ENTRIES: usize = {
    let around = 2 * MAX_BOARD_RADIUS as usize + 1;
    let top = MAX_BOARD_TOP as usize;
    if around > top { around } else { top }
};
/// Most notifications in one page.
pub const MAX_NOTIFICATIONS_PER_PAGE: usize = 100;
/// Most names in a coalesced summary.
pub const MAX_SUMMARY_NAMES: usize = 5;
/// Most jumps of a run in a `Replay`: in JSON a jump takes at most 37 bytes, so 1,500 of them fit a server
/// frame with room to spare.
pub const MAX_REPLAY_JUMPS: usize = 1_500;
