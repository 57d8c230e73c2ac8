//! A player that behaves as a real SDK does when the network or the servers fail: one connection at a
//! time, and when it drops (its node died, Redis restarts, a request timed out) a new one to the next
//! node, `hello{resume}` naming the run in play, and the last request sent again. A resent jump is
//! answered once whatever node gets it, so a run survives any number of reconnects. Requests the store
//! could not take (`unavailable`, `server_busy`) are retried after a pause. Used by `chaos` and `soak`.
//!
//! The player also keeps every notification it saw, by id (pushed live, pushed again after `hello`, or
//! listed), and acknowledges only what it listed, so nothing unseen is ever acknowledged away.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use game_logic::timing::min_interval_ms;
use game_logic::{GameSession, Ruleset};
use protocol::{
    AckNotifications, Board, BoardWindow, ErrorCode, Event, Hello, ListNotifications,
    NotificationId, Period, Push, ReadBoard, Request, Response, ResumedRun, RunEnd, RunId, RunOver,
    Scope, StartMode, StartRun,
};
use tokio::time::Instant;

use crate::cli::Pace;
use crate::client::{CallError, Connection};
use crate::cluster::NodeDirectory;
use crate::scenario::Presser;
use crate::stats::Stats;

/// First pause before a retry; doubled up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// Between two resends of a final jump whose result is pending.
const PENDING_POLL: Duration = Duration::from_millis(250);
/// Most incidents a player keeps (all are counted).
const KEPT_INCIDENTS: usize = 20;

/// Why a request did not get its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The server refused it with an error a retry would not change: its code and message.
    Refused(ErrorCode, String),
    /// No answer after retrying for the give-up time, or an answer that makes no sense.
    GaveUp(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Refused(code, message) => write!(f, "refused: {code:?}: {message}"),
            Failure::GaveUp(why) => write!(f, "gave up: {why}"),
        }
    }
}

/// A notification as the player saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// What it said.
    pub event: Event,
    /// Found by `list_notifications`, never pushed.
    pub listed_only: bool,
}

/// What the reconnect machinery did for one player.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counters {
    /// Connections opened after the first.
    pub reconnects: u64,
    /// Requests sent again (after a lost connection or a refusal worth retrying).
    pub retries: u64,
    /// Runs resumed because a jump was out of step with the server.
    pub resyncs: u64,
    /// Final jumps sent again while their result was pending.
    pub pending_polls: u64,
}

/// How a run ended, as its player heard it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The final jump was answered with the recorded result.
    Over(Box<RunOver>),
    /// The final jump was answered `pending`, and the result never came within the give-up time.
    Pending,
    /// The server refused a jump (`run_over`: the run was ended for it, say by the idle timeout).
    Refused(ErrorCode, String),
    /// No answer to the final jump (or to the start) however often it was sent.
    Unanswered(String),
    /// An answer that differs from the local game-logic simulation: a server bug.
    Wrong(String),
    /// The load ended mid-run; the run is left to the server's idle timeout, as a player closing the
    /// app would leave it.
    Stopped,
}

/// A run as its player played it.
#[derive(Debug, Clone)]
pub struct PlayedRun {
    /// The run, once `start_run` was answered.
    pub run_id: Option<RunId>,
    /// Its score by the local simulation.
    pub score: u32,
    /// Jumps answered.
    pub jumps: u32,
    /// How it ended.
    pub answer: Answer,
}

/// One player.
pub struct Player {
    token: String,
    nodes: NodeDirectory,
    next_node: usize,
    connection: Option<Connection>,
    stats: Arc<Stats>,
    give_up: Duration,
    /// The run in play: named in `hello` after a reconnect.
    in_play: Option<RunId>,
    results: Vec<RunOver>,
    notifications: BTreeMap<NotificationId, Seen>,
    counters: Counters,
    /// Why the request being sent was sent again, if it was.
    retried_after: Option<String>,
    incidents: Vec<String>,
}

impl Player {
    /// A player holding `token`, starting on node `first_node`, retrying each request for at most
    /// `give_up`.
    pub fn new(
        token: String,
        nodes: NodeDirectory,
        first_node: usize,
        stats: Arc<Stats>,
        give_up: Duration,
    ) -> Player {
        Player {
            token,
            nodes,
            next_node: first_node,
            connection: None,
            stats,
            give_up,
            in_play: None,
            results: Vec::new(),
            notifications: BTreeMap::new(),
            counters: Counters::default(),
            retried_after: None,
            incidents: Vec::new(),
        }
    }

    /// What the player had to work around that a protocol-abiding client should not meet (a resent
    /// jump refused, say), one line each, the first few.
    pub fn incidents(&self) -> &[String] {
        &self.incidents
    }

    fn incident(&mut self, text: String) {
        if self.incidents.len() < KEPT_INCIDENTS {
            self.incidents.push(text);
        }
    }

    /// Every notification seen so far, by id.
    pub fn notifications(&self) -> &BTreeMap<NotificationId, Seen> {
        &self.notifications
    }

    /// What reconnecting cost so far.
    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// Connects (if not connected) and says hello.
    pub async fn connect(&mut self) -> Result<(), Failure> {
        let until = Instant::now() + self.give_up;
        self.ensure_connected(until).await.map(drop)
    }

    /// Closes the connection; the next request opens a new one.
    pub async fn disconnect(&mut self) {
        if let Some(connection) = self.connection.take() {
            connection.close().await;
        }
    }

    /// Opens a connection and says hello, trying node after node until one answers or `until`.
    async fn ensure_connected(&mut self, until: Instant) -> Result<Option<ResumedRun>, Failure> {
        if self.connection.is_some() {
            return Ok(None);
        }
        let mut backoff = FIRST_BACKOFF;
        let mut last_error: String;
        loop {
            let endpoint = self.nodes.endpoint(self.next_node);
            match Connection::open(endpoint, &self.token, None, self.stats.clone()).await {
                Ok(mut connection) => {
                    connection.keep_pushes();
                    // What `hello` pushes again is not news: not timed as a delivery.
                    connection.already_seen(self.notifications.keys().copied());
                    let hello = Request::Hello(Hello {
                        client_version: "leapfrog-loadtest/0.1".into(),
                        token: None,
                        resume: self.in_play,
                        last_notification: None,
                    });
                    match connection.call("hello", hello).await {
                        Ok(Some(Response::Welcome(welcome))) => {
                            self.connection = Some(connection);
                            self.take_pushes();
                            return Ok(welcome.resumed);
                        }
                        Ok(other) => {
                            return Err(Failure::GaveUp(format!("hello answered {other:?}")));
                        }
                        Err(error) if retriable(&error) => last_error = error.to_string(),
                        Err(CallError::Server(code, message)) => {
                            return Err(Failure::Refused(code, message));
                        }
                        Err(error) => return Err(Failure::GaveUp(error.to_string())),
                    }
                }
                Err(error) => last_error = error.to_string(),
            }
            // That node is down or cannot serve: the next one.
            self.next_node = self.next_node.wrapping_add(1);
            self.counters.reconnects += 1;
            if Instant::now() + backoff >= until {
                return Err(Failure::GaveUp(format!(
                    "no node took a connection: {last_error}"
                )));
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// Sends `request` until it is answered: after a lost connection on a new one (to the next node,
    /// resuming the run in play), after `unavailable` or `server_busy` once more after a pause. Gives up
    /// after the give-up time.
    pub async fn request(
        &mut self,
        kind: &'static str,
        request: Request,
    ) -> Result<Response, Failure> {
        let until = Instant::now() + self.give_up;
        let mut backoff = FIRST_BACKOFF;
        self.retried_after = None;
        loop {
            self.ensure_connected(until).await?;
            let Some(connection) = self.connection.as_mut() else {
                continue;
            };
            let result = connection.call(kind, request.clone()).await;
            self.take_pushes();
            let why = match &result {
                Err(error) => format!("{error} on node {}", self.next_node % self.nodes.len()),
                Ok(_) => String::new(),
            };
            let pause = match result {
                Ok(Some(response)) => return Ok(response),
                Ok(None) => return Err(Failure::GaveUp("no answer (echo target?)".into())),
                Err(CallError::Server(ErrorCode::ShuttingDown, _))
                | Err(CallError::Closed(_) | CallError::Timeout) => {
                    self.connection = None;
                    Duration::ZERO
                }
                Err(CallError::Server(
                    ErrorCode::Unavailable | ErrorCode::ServerBusy | ErrorCode::RateLimited,
                    _,
                )) => backoff,
                Err(CallError::Server(code, message)) => {
                    return Err(Failure::Refused(code, message));
                }
                Err(CallError::Unexpected(text)) => return Err(Failure::GaveUp(text)),
            };
            if Instant::now() + pause >= until {
                return Err(Failure::GaveUp(format!(
                    "{kind} unanswered after {:?}",
                    self.give_up
                )));
            }
            self.counters.retries += 1;
            self.retried_after = Some(why);
            tokio::time::sleep(pause).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// Reads pushes for `wait` (reconnecting first if the connection was lost).
    pub async fn idle(&mut self, wait: Duration) {
        let until = Instant::now() + wait;
        if self.ensure_connected(until).await.is_err() {
            tokio::time::sleep_until(until).await;
            return;
        }
        if let Some(connection) = self.connection.as_mut() {
            let remaining = until.saturating_duration_since(Instant::now());
            if connection.idle(remaining).await.is_err() {
                self.connection = None;
            }
        }
        self.take_pushes();
    }

    /// Lists every unacknowledged notification (those a lost push or a lost pub/sub message never
    /// brought), then, with `ack`, acknowledges up to the last one listed: never one it did not see.
    /// Returns how many were listed.
    pub async fn catch_up(&mut self, ack: bool) -> Result<usize, Failure> {
        let mut after = None;
        let mut listed = 0;
        loop {
            let request = Request::ListNotifications(ListNotifications { after, limit: 100 });
            let page = match self.request("list_notifications", request).await? {
                Response::Notifications(page) => page,
                other => return Err(Failure::GaveUp(format!("listing answered {other:?}"))),
            };
            let more = page.more;
            for notification in page.notifications.into_vec() {
                after = Some(notification.id);
                listed += 1;
                self.notifications.entry(notification.id).or_insert(Seen {
                    event: notification.event,
                    listed_only: true,
                });
            }
            if !more || after.is_none() {
                break;
            }
        }
        if ack && let Some(up_to) = after {
            let request = Request::AckNotifications(AckNotifications { up_to });
            match self.request("ack", request).await? {
                Response::Acked { .. } => {}
                other => return Err(Failure::GaveUp(format!("ack answered {other:?}"))),
            }
        }
        Ok(listed)
    }

    /// Reads the weekly friends board around the player.
    pub async fn read_board(&mut self, scope: Scope) -> Result<(), Failure> {
        let (kind, window) = match scope {
            Scope::Friends => ("read_friends", BoardWindow::Around { radius: 10 }),
            Scope::Global => (
                "read_global",
                BoardWindow::Top {
                    limit: 20,
                    after: None,
                },
            ),
        };
        let request = Request::ReadBoard(ReadBoard {
            board: Board {
                period: Period::Weekly,
                scope,
            },
            window,
        });
        match self.request(kind, request).await? {
            Response::Board(_) => Ok(()),
            other => Err(Failure::GaveUp(format!("read_board answered {other:?}"))),
        }
    }

    /// Plays one whole run with `presser` at `pace`, through any failure: every answer is checked
    /// against the local simulation, a lost answer is asked for again (on another node if need be), and
    /// a pending result is polled for by resending the final jump until it is recorded. With `stop_at`,
    /// no jump is sent past it.
    pub async fn play_run(
        &mut self,
        presser: &mut Presser,
        pace: Pace,
        stop_at: Option<Instant>,
    ) -> PlayedRun {
        let start = Request::StartRun(StartRun {
            mode: StartMode::Solo,
        });
        let (run_id, seed) = match self.request("start_run", start).await {
            Ok(Response::RunStarted(started)) => (started.run_id, started.seed),
            Ok(other) => return unstarted(Answer::Wrong(format!("start answered {other:?}"))),
            Err(Failure::Refused(code, message)) => {
                return unstarted(Answer::Refused(code, message));
            }
            Err(Failure::GaveUp(why)) => return unstarted(Answer::Unanswered(why)),
        };
        self.in_play = Some(run_id);
        let mut session = GameSession::new(seed, Ruleset::V1);
        let mut previous_press = None;
        let answer = loop {
            if stop_at.is_some_and(|stop_at| Instant::now() >= stop_at) {
                break Answer::Stopped;
            }
            let jump = presser.next(&session);
            if pace == Pace::Human {
                let wait = min_interval_ms(Ruleset::V1.params(), previous_press, jump);
                self.idle(Duration::from_millis(wait)).await;
            }
            previous_press = Some(jump.press_ms);
            let seq = session.jumps();
            let expected = match session.apply(jump) {
                Ok(outcome) => outcome,
                Err(error) => break Answer::Wrong(format!("local simulation: {error}")),
            };
            let (kind, request) =
                crate::scenario::jump_request(run_id, seq, jump, expected.game_over);
            let result = match self.jump(kind, request.clone()).await {
                Ok(result) => result,
                Err(Failure::Refused(code, message)) => break Answer::Refused(code, message),
                Err(Failure::GaveUp(why)) => break Answer::Unanswered(why),
            };
            if result.outcome != expected {
                break Answer::Wrong(format!(
                    "jump {seq}: the server says {:?}, game-logic {expected:?}",
                    result.outcome
                ));
            }
            self.stats
                .jumps
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if !expected.game_over {
                continue;
            }
            self.stats
                .runs
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            break match result.ended {
                Some(RunEnd::Over(over)) => Answer::Over(Box::new(over)),
                Some(RunEnd::Pending { .. }) => self.await_result(run_id, kind, request).await,
                None => Answer::Wrong("a final jump answered without an end".into()),
            };
        };
        self.in_play = None;
        PlayedRun {
            run_id: Some(run_id),
            score: session.score(),
            jumps: session.jumps(),
            answer,
        }
    }

    /// Sends a jump; a `conflict` (the server is at another jump of the run than this connection
    /// thought) is resolved once by resuming the run on a new connection and sending it again. A refusal
    /// of a jump sent again is an incident: the protocol promises a resent jump the same answer.
    async fn jump(
        &mut self,
        kind: &'static str,
        request: Request,
    ) -> Result<protocol::JumpResult, Failure> {
        let mut resynced = false;
        loop {
            let result = self.request(kind, request.clone()).await;
            if let (Err(Failure::Refused(code, message)), Request::Jump(jump)) = (&result, &request)
            {
                let before = match (&self.retried_after, resynced) {
                    (Some(why), _) => format!("sent again after: {why}"),
                    (None, true) => "sent again after resuming the run".to_owned(),
                    (None, false) => "first sending".to_owned(),
                };
                let text = format!(
                    "jump {} of run {} refused {code:?} ({message}); {before}",
                    jump.seq, jump.run_id
                );
                self.incident(text);
            }
            match result {
                Ok(Response::JumpResult(result)) => return Ok(result),
                Ok(other) => return Err(Failure::GaveUp(format!("jump answered {other:?}"))),
                Err(Failure::Refused(ErrorCode::Conflict, _)) if !resynced => {
                    resynced = true;
                    self.counters.resyncs += 1;
                    self.disconnect().await;
                }
                Err(failure) => return Err(failure),
            }
        }
    }

    /// Waits for a pending result: a `run_result` push, or the final jump sent again until it answers
    /// with the recorded result. The run was answered either way: anything but the result (a refusal,
    /// the give-up time) leaves it `Pending`, for the audit to look for in Redis.
    async fn await_result(
        &mut self,
        run_id: RunId,
        kind: &'static str,
        request: Request,
    ) -> Answer {
        let until = Instant::now() + self.give_up;
        while Instant::now() < until {
            if let Some(over) = self.results.iter().find(|over| over.run_id == run_id) {
                return Answer::Over(Box::new(over.clone()));
            }
            self.idle(PENDING_POLL).await;
            self.counters.pending_polls += 1;
            match self.jump(kind, request.clone()).await {
                Ok(protocol::JumpResult {
                    ended: Some(RunEnd::Over(over)),
                    ..
                }) => return Answer::Over(Box::new(over)),
                Ok(_) | Err(Failure::GaveUp(_)) => {}
                Err(Failure::Refused(..)) => break,
            }
        }
        Answer::Pending
    }

    fn take_pushes(&mut self) {
        let Some(connection) = self.connection.as_mut() else {
            return;
        };
        for push in connection.take_pushes() {
            match push {
                Push::Notification(notification) => {
                    let seen = self.notifications.entry(notification.id).or_insert(Seen {
                        event: notification.event,
                        listed_only: false,
                    });
                    seen.listed_only = false;
                }
                Push::RunResult(over) => self.results.push(over),
                Push::Goodbye { .. } => {}
            }
        }
    }
}

fn unstarted(answer: Answer) -> PlayedRun {
    PlayedRun {
        run_id: None,
        score: 0,
        jumps: 0,
        answer,
    }
}

/// Errors a new connection or a pause may cure.
fn retriable(error: &CallError) -> bool {
    matches!(
        error,
        CallError::Closed(_)
            | CallError::Timeout
            | CallError::Server(
                ErrorCode::Unavailable
                    | ErrorCode::ServerBusy
                    | ErrorCode::ShuttingDown
                    | ErrorCode::RateLimited,
                _
            )
    )
}
