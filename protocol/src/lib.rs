//! Leapfrog's wire protocol: every message between game clients and servers, and how it travels.
//!
//! Clients send [`ClientFrame`]s (a [`RequestId`] and a [`Request`]); servers answer with
//! [`ServerFrame`]s carrying the same id, or push without one. Two codecs carry the same messages,
//! chosen in the WebSocket handshake by subprotocol: [`Codec::Bincode`] (`leapfrog.v1.bincode`, binary
//! frames) and [`Codec::Json`] (`leapfrog.v1.json`, text frames). `PROTOCOL.md` is the full spec.
//!
//! This crate does no I/O. Decoding enforces the frame limits of [`limits`], caps every list before
//! allocating, and never panics.

pub mod bounded;
pub mod codec;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod ids;
pub mod limits;
pub mod messages;
pub mod validate;

pub use bounded::BoundedVec;
pub use codec::{
    Codec, DecodeError, EncodeError, NegotiationError, WireFrame, WirePayload, negotiate,
};
pub use ids::{ChallengeId, DisplayName, InvalidId, NotificationId, PlayerId, RequestId, RunId};
pub use messages::challenge::{Challenge, ChallengePage, CreateChallenge, ReadChallenge};
pub use messages::error::ErrorCode;
pub use messages::game::{
    Abandon, JumpRequest, JumpResult, NewBest, PassedFriend, RunEnd, RunOver, RunStarted,
    StartMode, StartRun, SubmitAck, SubmitRun,
};
pub use messages::leaderboard::{
    Board, BoardEntry, BoardPage, BoardWindow, Period, Placement, ReadBoard, ReadStanding, Scope,
    Standing,
};
pub use messages::notification::{
    AckNotifications, Event, GoodbyeReason, ListNotifications, Notification, NotificationPage, Push,
};
pub use messages::replay::{ReadReplay, Replay};
pub use messages::session::{Hello, Ping, Pong, ResumedRun, Welcome};
pub use messages::social::{
    FriendPage, FriendRequests, ListFriends, OtherPlayer, PlayerCard, SetDisplayName, SocialChange,
};
pub use messages::{ClientFrame, Request, Response, ServerFrame};
pub use validate::OutOfRange;
