//! Every message on the wire. A client sends [`ClientFrame`]s; the server sends [`ServerFrame`]s.

pub mod challenge;
pub mod error;
pub mod game;
pub mod leaderboard;
pub mod notification;
pub mod replay;
pub mod session;
pub mod social;

use serde::{Deserialize, Serialize};

use crate::ids::{NotificationId, RequestId};
use challenge::{Challenge, ChallengePage, CreateChallenge, ReadChallenge};
use error::ErrorCode;
use game::{Abandon, JumpRequest, JumpResult, RunStarted, StartRun, SubmitAck, SubmitRun};
use leaderboard::{BoardPage, ReadBoard, ReadStanding, Standing};
use notification::{AckNotifications, ListNotifications, NotificationPage, Push};
use replay::{ReadReplay, Replay};
use session::{Hello, Ping, Pong, Welcome};
use social::{FriendPage, FriendRequests, ListFriends, OtherPlayer, SetDisplayName, SocialChange};

/// A request from a client, with the id its answer will carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientFrame {
    /// Chosen by the client; echoed in the answer.
    pub id: RequestId,
    /// What is asked.
    pub request: Request,
}

/// Everything a client can ask. Variants keep their position forever (bincode encodes the index).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Open the session: authenticate (if not done in the handshake) or renew it, resume a run.
    Hello(Hello),
    /// Keep-alive and clock check.
    Ping(Ping),
    /// Start a run.
    StartRun(StartRun),
    /// One live jump.
    Jump(JumpRequest),
    /// End a run now; its score counts.
    Abandon(Abandon),
    /// A chunk of an offline run.
    SubmitRun(SubmitRun),
    /// A page of friends.
    ListFriends(ListFriends),
    /// Pending friend requests, both ways.
    ListFriendRequests,
    /// Ask a player to be friends (accepts theirs if they already asked).
    SendFriendRequest(OtherPlayer),
    /// Accept a player's request.
    AcceptFriendRequest(OtherPlayer),
    /// Decline a player's request.
    DeclineFriendRequest(OtherPlayer),
    /// Stop being friends.
    RemoveFriend(OtherPlayer),
    /// Block a player: they can no longer send requests or see you.
    Block(OtherPlayer),
    /// Lift a block.
    Unblock(OtherPlayer),
    /// Set your display name.
    SetDisplayName(SetDisplayName),
    /// Read a leaderboard.
    ReadBoard(ReadBoard),
    /// Read your own standing.
    ReadStanding(ReadStanding),
    /// List inbox notifications.
    ListNotifications(ListNotifications),
    /// Acknowledge notifications up to an id.
    AckNotifications(AckNotifications),
    /// Share one of your runs as a challenge.
    CreateChallenge(CreateChallenge),
    /// Read a challenge and its board.
    ReadChallenge(ReadChallenge),
    /// Read a player's best run of a period (yours or a friend's), to watch it or race its ghost.
    ReadReplay(ReadReplay),
}

impl Request {
    /// Every [`Request::kind`], so a metric can show each request type from zero before its first use
    /// (`tests/kinds.rs` keeps the list complete).
    pub const KINDS: &'static [&'static str] = &[
        "hello",
        "ping",
        "start_run",
        "jump",
        "abandon",
        "submit_run",
        "list_friends",
        "list_friend_requests",
        "send_friend_request",
        "accept_friend_request",
        "decline_friend_request",
        "remove_friend",
        "block",
        "unblock",
        "set_display_name",
        "read_board",
        "read_standing",
        "list_notifications",
        "ack_notifications",
        "create_challenge",
        "read_challenge",
        "read_replay",
    ];

    /// A short stable name, for logs and metric labels.
    pub const fn kind(&self) -> &'static str {
        match self {
            Request::Hello(_) => "hello",
            Request::Ping(_) => "ping",
            Request::StartRun(_) => "start_run",
            Request::Jump(_) => "jump",
            Request::Abandon(_) => "abandon",
            Request::SubmitRun(_) => "submit_run",
            Request::ListFriends(_) => "list_friends",
            Request::ListFriendRequests => "list_friend_requests",
            Request::SendFriendRequest(_) => "send_friend_request",
            Request::AcceptFriendRequest(_) => "accept_friend_request",
            Request::DeclineFriendRequest(_) => "decline_friend_request",
            Request::RemoveFriend(_) => "remove_friend",
            Request::Block(_) => "block",
            Request::Unblock(_) => "unblock",
            Request::SetDisplayName(_) => "set_display_name",
            Request::ReadBoard(_) => "read_board",
            Request::ReadStanding(_) => "read_standing",
            Request::ListNotifications(_) => "list_notifications",
            Request::AckNotifications(_) => "ack_notifications",
            Request::CreateChallenge(_) => "create_challenge",
            Request::ReadChallenge(_) => "read_challenge",
            Request::ReadReplay(_) => "read_replay",
        }
    }
}

/// A successful answer. Variants keep their position forever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    /// Answer to `Hello`.
    Welcome(Welcome),
    /// Answer to `Ping`.
    Pong(Pong),
    /// Answer to `StartRun`.
    RunStarted(RunStarted),
    /// Answer to `Jump`.
    JumpResult(JumpResult),
    /// Answer to `SubmitRun` and `Abandon`.
    Submitted(SubmitAck),
    /// Answer to `ListFriends`.
    Friends(FriendPage),
    /// Answer to `ListFriendRequests`.
    FriendRequests(FriendRequests),
    /// Answer to every social change.
    Social(SocialChange),
    /// Answer to `ReadBoard`.
    Board(BoardPage),
    /// Answer to `ReadStanding`.
    Standing(Standing),
    /// Answer to `ListNotifications`.
    Notifications(NotificationPage),
    /// Answer to `AckNotifications`: everything up to this id is acknowledged.
    Acked {
        /// The acknowledged id.
        up_to: NotificationId,
    },
    /// Answer to `CreateChallenge`.
    Challenge(Challenge),
    /// Answer to `ReadChallenge`.
    ChallengePage(ChallengePage),
    /// Answer to `ReadReplay`.
    Replay(Replay),
}

impl Response {
    /// A short stable name, for logs and metric labels.
    pub const fn kind(&self) -> &'static str {
        match self {
            Response::Welcome(_) => "welcome",
            Response::Pong(_) => "pong",
            Response::RunStarted(_) => "run_started",
            Response::JumpResult(_) => "jump_result",
            Response::Submitted(_) => "submitted",
            Response::Friends(_) => "friends",
            Response::FriendRequests(_) => "friend_requests",
            Response::Social(_) => "social",
            Response::Board(_) => "board",
            Response::Standing(_) => "standing",
            Response::Notifications(_) => "notifications",
            Response::Acked { .. } => "acked",
            Response::Challenge(_) => "challenge",
            Response::ChallengePage(_) => "challenge_page",
            Response::Replay(_) => "replay",
        }
    }
}

/// Everything a server sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerFrame {
    /// The answer to request `id`.
    Reply {
        /// The request's id.
        id: RequestId,
        /// The answer.
        response: Response,
    },
    /// A request failed, or a frame could not be read (`id` absent when it could not be decoded).
    Error {
        /// The request's id, when known.
        id: Option<RequestId>,
        /// What went wrong, for programs.
        code: ErrorCode,
        /// What went wrong, for people.
        message: String,
    },
    /// Sent without a request.
    Push(Push),
}

impl ServerFrame {
    /// Every [`ServerFrame::kind`]: each [`Response::kind`], `error`, and each push (`tests/kinds.rs`
    /// keeps the list complete).
    pub const KINDS: &'static [&'static str] = &[
        "welcome",
        "pong",
        "run_started",
        "jump_result",
        "submitted",
        "friends",
        "friend_requests",
        "social",
        "board",
        "standing",
        "notifications",
        "acked",
        "challenge",
        "challenge_page",
        "replay",
        "error",
        "push_notification",
        "push_run_result",
        "push_goodbye",
    ];

    /// A short stable name, for logs and metric labels.
    pub const fn kind(&self) -> &'static str {
        match self {
            ServerFrame::Reply { response, .. } => response.kind(),
            ServerFrame::Error { .. } => "error",
            ServerFrame::Push(Push::Notification(_)) => "push_notification",
            ServerFrame::Push(Push::RunResult(_)) => "push_run_result",
            ServerFrame::Push(Push::Goodbye { .. }) => "push_goodbye",
        }
    }

    /// An error answer.
    pub fn error(
        id: Option<RequestId>,
        code: ErrorCode,
        message: impl Into<String>,
    ) -> ServerFrame {
        ServerFrame::Error {
            id,
            code,
            message: message.into(),
        }
    }
}
