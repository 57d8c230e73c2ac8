//! One WebSocket connection: a single task that reads client frames, answers them, writes pushes from
//! its bounded queue, pings when idle, and closes with a clear code and reason. Writes are batched and
//! flushed once per batch; a client that does not read is closed, never buffered without bound.

use leapfrog_core::error_chain::ErrorChain;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use prometheus::IntCounter;
use protocol::{Codec, ErrorCode, JumpRequest, Push, Request, RequestId, ServerFrame, WirePayload};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::error::{CapacityError, Error as WsError};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Bytes, Message};

use super::close::CloseReason;
use super::player_budget::HeldShare;
use super::queue::Receiver;
use super::rate_limit::{ConnectionLimiter, Verdict};
use super::registry::Control;
use super::{wire_message, write_timeout};
use crate::app::App;
use crate::auth::Claims;
use crate::handlers::{self, Session};
use crate::metrics::{DecodeFailure, GatewayMetrics};
use leapfrog_core::clock::{Moment, unix_seconds};
use leapfrog_core::in_place;
use leapfrog_core::notifications::presence::PRESENCE_REFRESH;
use leapfrog_core::shutdown::InFlightGuard;

/// How long the final goodbye, close frame and close handshake may take.
const CLOSE_WRITE_TIMEOUT: Duration = Duration::from_secs(1);

/// What the upgrade request settled about a connection, handed to [`serve`] with its socket.
pub(crate) struct Accepted {
    /// The node's state.
    pub app: Arc<App>,
    /// The codec the client asked for.
    pub codec: Codec,
    /// Set when the upgrade carried a valid token; otherwise the client must authenticate with `hello`
    /// in time.
    pub claims: Option<Claims>,
    /// The connection's place among the unauthenticated ones, held until it authenticates.
    pub waiting: Option<InFlightGuard>,
    /// The connection's place among the open ones, held until it closes.
    pub in_flight: InFlightGuard,
}

/// Serves one upgraded connection until it closes.
///
/// Sets the connection up here, outside the future, so the task holds its state once (an `async fn`
/// keeps its arguments beside what they are moved into); that task lives as long as the connection,
/// idle or not, so its size is most of what an idle connection costs.
pub(crate) fn serve<S>(accepted: Accepted, socket: WebSocketStream<S>) -> impl Future<Output = ()>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let Accepted {
        app,
        codec,
        claims,
        waiting,
        in_flight,
    } = accepted;
    let limits = &app.config.connections;
    let (handle, control) = app.registry.handle(limits.outbound_queue);
    let mut session = Session::new(codec, handle, waiting);
    if let Some(claims) = claims {
        session.authenticate(&app, claims);
    }
    app.gateway_metrics.connections_open.inc();
    app.gateway_metrics
        .connects_total
        .with_label_values(&["accepted"])
        .inc();
    let limiter = app.rate_limits.connection(Instant::now());
    let connection = Connection {
        app,
        socket,
        session,
        control,
        limiter,
        budget_share: HeldShare::default(),
        last_heard: Instant::now(),
        opened: Instant::now(),
    };
    connection.serve(in_flight)
}

/// The handling of one [`Event`], boxed.
type Handling<'a> = Pin<Box<dyn Future<Output = Result<(), CloseReason>> + Send + 'a>>;

/// What a client's message asks of its connection, once read.
enum Asked {
    /// A jump to handle: the most frequent message, answered by a future of its own
    /// ([`Connection::answer_jump`]) so that one box holds all its handling.
    Jump(RequestId, JumpRequest),
    /// Anything else.
    Otherwise(Answer),
}

/// What a client's message other than a jump asks of its connection.
enum Answer {
    /// Nothing: a control frame the rate limit refused.
    Nothing,
    /// A flush, which sends the pong to a ping.
    Flush,
    /// This frame, with no handler: a frame that could not be decoded, or a request refused by the
    /// rate limit. Boxed: rare, and a frame is a few hundred bytes every message's handling would hold.
    Frame(Box<ServerFrame>),
    /// A request to handle.
    Request(RequestId, Request),
}

/// What woke a connection's loop.
enum Event {
    /// Another task queued a frame to push or a close.
    Control(Control),
    /// The client sent a frame, or the stream ended or failed.
    Message(Option<Result<Message, WsError>>),
    /// The connection's periodic check is due.
    Tick,
}

struct Connection<S> {
    app: Arc<App>,
    socket: WebSocketStream<S>,
    session: Session,
    control: Receiver,
    limiter: ConnectionLimiter,
    /// Its player's share of the cluster-wide message budget, held from their first message.
    budget_share: HeldShare,
    last_heard: Instant,
    opened: Instant,
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Connection<S> {
    /// Serves until the connection ends, closes it and unregisters it; `in_flight` holds its place
    /// among the open connections until then. The close and the presence clear run once, boxed, so their
    /// state is not part of every connection's task.
    ///
    /// Not an `async fn`: that would move `self` from its argument slot into a local and keep both in
    /// the task (632 bytes twice). The block owns what it captures, once. The loop that serves is
    /// written in the block, not awaited from `async fn`s of its own: every wake-up of the connection
    /// (two per jump) reads the state of each future the task nests, from memory on a busy node.
    #[expect(
        clippy::manual_async_fn,
        reason = "an async fn would hold the connection twice"
    )]
    fn serve(mut self, in_flight: InFlightGuard) -> impl Future<Output = ()> {
        async move {
            let app = self.app.clone();
            // The node's wake-ups tick this connection and tell it of the shutdown
            // (`gateway::wakeups`). Its wait is made once and stays registered with its shard, re-made
            // after each tick: made per message, it joined and left the shard's list (under its lock)
            // on every message. The flag is read after the wait is made, so no raise is missed.
            let mut wake = std::pin::pin!(app.wakeups.next(self.session.connection_id()));
            // Serves until something ends the connection, and says why. What answers a message, a
            // push, a catch-up or a tick is boxed while it runs: those futures hold frames and write
            // timers (a tick's ping too), and an idle connection's task should not.
            let reason = 'serving: {
                if app.shutdown.is_triggered() {
                    break 'serving CloseReason::ShuttingDown;
                }
                loop {
                    if self.session.catch_up_due(app.is_store_reachable())
                        && let Err(reason) = Box::pin(self.catch_up_notifications()).await
                    {
                        break 'serving reason;
                    }
                    // The wait only picks the event, in a block of its own: neither the wait's
                    // futures nor the event are kept beside the handler's future while it runs.
                    let handling = {
                        let event = tokio::select! {
                            biased;
                            () = wake.as_mut() => {
                                if app.shutdown.is_triggered() {
                                    break 'serving CloseReason::ShuttingDown;
                                }
                                wake.set(app.wakeups.next(self.session.connection_id()));
                                Event::Tick
                            }
                            control = self.control.recv() => Event::Control(control),
                            message = self.socket.next() => Event::Message(message),
                        };
                        self.handle(event)
                    };
                    if let Err(reason) = handling.await {
                        break 'serving reason;
                    }
                }
            };
            Box::pin(self.closed(reason)).await;
            drop(in_flight);
        }
    }

    /// Closes the connection, which ended for `reason`, and unregisters it.
    async fn closed(&mut self, reason: CloseReason) {
        let app = self.app.clone();
        // Counted before the close goes out: whoever sees the close (a client, a test, an operator
        // reading the metrics after it) sees it counted.
        app.gateway_metrics
            .disconnects_total
            .with_label_values(&[reason.label()])
            .inc();
        self.close(reason).await;
        app.gateway_metrics.connections_open.dec();
        tracing::debug!(player = ?self.session.player, reason = reason.label(), "connection closed");
        if let Some(player) = &self.session.player {
            app.registry
                .unregister(player, self.session.connection_id());
            if !app.registry.is_connected(player) {
                // The player's last connection here: other nodes must not route pushes to this node.
                Box::pin(app.presence.clear(player)).await;
            }
        }
    }

    /// What answers `event`. Boxed while it runs: those futures hold frames and write timers (a tick's
    /// ping too), and an idle connection's task should not. Each is made in its box
    /// ([`in_place::boxed`]), not copied in: a message's handling is most of a kilobyte.
    fn handle(&mut self, event: Event) -> Handling<'_> {
        match event {
            Event::Control(Control::Send(frame)) => in_place::boxed(|| self.write_queued(*frame)),
            Event::Control(Control::Close(reason)) => Box::pin(std::future::ready(Err(reason))),
            Event::Message(message) => self.on_message(message),
            Event::Tick => in_place::boxed(|| self.on_tick()),
        }
    }

    /// Sends the unacknowledged notifications: once the connection authenticated, and again after live
    /// ones did not fit in the queue (the client drops ids it has shown). If Redis cannot answer now, the
    /// session tries again later.
    async fn catch_up_notifications(&mut self) -> Result<(), CloseReason> {
        let Some(player) = self.session.player.clone() else {
            return Ok(());
        };
        let result = handlers::notification::redeliver(&self.app, &mut self.session, &player).await;
        self.session.caught_up(result.is_ok());
        if let Err(failure) = result {
            tracing::debug!(?failure, "notifications not caught up; trying again later");
            return Ok(());
        }
        let pushes = std::mem::take(&mut self.session.pushes);
        self.send(None, pushes).await
    }

    /// What answers a client's message, boxed. The message is read (decoded, rate-limited) before the
    /// future is made, so the future holds only what it asks for, not the message beside it. A jump's
    /// whole handling is one box, the handler's state included; any other request's handler is boxed
    /// apart. Each box stays within the kilobyte the allocator serves from its fast path.
    fn on_message(&mut self, message: Option<Result<Message, WsError>>) -> Handling<'_> {
        // One reading of the clocks for the message: its arrival, its rate limit and budget, its
        // request's duration and, for a jump, the time it came.
        let received = Moment::now();
        self.last_heard = received.instant;
        match self.read(message, received) {
            Err(reason) => Box::pin(std::future::ready(Err(reason))),
            Ok(Asked::Jump(id, jump)) => in_place::boxed(|| self.answer_jump(id, jump, received)),
            Ok(Asked::Otherwise(answer)) => in_place::boxed(|| self.answer(answer, received)),
        }
    }

    /// Answers jump `id`, which came at `received`: handled, encoded, then written with the pushes it
    /// queued. Not an `async fn` (nor is [`Self::answer`]): that would keep the arguments beside the
    /// locals they are moved into.
    #[expect(
        clippy::manual_async_fn,
        reason = "an async fn would hold its arguments twice"
    )]
    fn answer_jump(
        &mut self,
        id: RequestId,
        jump: JumpRequest,
        received: Moment,
    ) -> impl Future<Output = Result<(), CloseReason>> {
        async move {
            // Encoded in its own block: the future holds the message across the write, not the frame.
            let message = {
                let reply =
                    handlers::run::jump(&self.app, &mut self.session, id, jump, received).await;
                self.encoded(&reply)
            };
            let pushes = std::mem::take(&mut self.session.pushes);
            self.send(Some(message), pushes).await
        }
    }

    /// Answers a message other than a jump, which came at `received`.
    #[expect(
        clippy::manual_async_fn,
        reason = "an async fn would hold its arguments twice"
    )]
    fn answer(
        &mut self,
        answer: Answer,
        received: Moment,
    ) -> impl Future<Output = Result<(), CloseReason>> {
        async move {
            // Each answer is encoded in its arm: the future holds its message across the write, not
            // the frame too.
            let message = match answer {
                Answer::Nothing => return Ok(()),
                Answer::Flush => None,
                Answer::Frame(frame) => Some(self.encoded(&frame)),
                // Boxed: a handler's state is allocated while a request is handled, not held in
                // every idle connection's task, and made in its box.
                Answer::Request(id, request) => {
                    let (app, session) = (&self.app, &mut self.session);
                    let reply =
                        in_place::boxed(|| handlers::dispatch(app, session, id, request, received))
                            .await;
                    Some(self.encoded(&reply))
                }
            };
            let pushes = std::mem::take(&mut self.session.pushes);
            self.send(message, pushes).await
        }
    }

    /// What `message`, which came at `received`, asks of the connection: decoded, counted and past the
    /// rate limit; an error when it ends the connection.
    fn read(
        &mut self,
        message: Option<Result<Message, WsError>>,
        received: Moment,
    ) -> Result<Asked, CloseReason> {
        let message = match message {
            None => return Err(CloseReason::ClientClosed),
            Some(Ok(message)) => message,
            Some(Err(WsError::Capacity(CapacityError::MessageTooLong { .. }))) => {
                self.app
                    .gateway_metrics
                    .decode_error(DecodeFailure::TooLarge);
                return Err(CloseReason::MessageTooBig);
            }
            Some(Err(WsError::Utf8(_))) => return Err(CloseReason::InvalidUtf8),
            Some(Err(WsError::Protocol(_) | WsError::Capacity(_))) => {
                return Err(CloseReason::ProtocolError);
            }
            Some(Err(_)) => return Err(CloseReason::ClientClosed),
        };
        // Decoded straight from the frame tungstenite read: no copy.
        let payload = match &message {
            Message::Binary(bytes) => WirePayload::Binary(bytes),
            Message::Text(text) => WirePayload::Text(text.as_str()),
            Message::Close(_) => return Err(CloseReason::ClientClosed),
            // Control frames spend the budget like messages. tungstenite keeps the pong to the latest
            // ping and sends it with the next flush; a refused ping's pong waits for one.
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {
                return Ok(Asked::Otherwise(if self.limit(received)? {
                    Answer::Flush
                } else {
                    Answer::Nothing
                }));
            }
        };
        let answer = match self.session.codec.decode_client(payload) {
            Err(error) => {
                let failure = match error.code() {
                    ErrorCode::FrameTooLarge => DecodeFailure::TooLarge,
                    ErrorCode::UnsupportedCodec => DecodeFailure::WrongCodec,
                    _ => DecodeFailure::Malformed,
                };
                self.app.gateway_metrics.decode_error(failure);
                self.limit(received)?;
                ServerFrame::error(error.request_id(), error.code(), error.to_string())
            }
            Ok(frame) => {
                self.app
                    .gateway_metrics
                    .messages_in_total
                    .with(frame.request.kind(), IntCounter::inc);
                if self.limit(received)? {
                    return Ok(match frame.request {
                        Request::Jump(jump) => Asked::Jump(frame.id, jump),
                        request => Asked::Otherwise(Answer::Request(frame.id, request)),
                    });
                }
                ServerFrame::error(
                    Some(frame.id),
                    ErrorCode::RateLimited,
                    "too many messages: slow down",
                )
            }
        };
        Ok(Asked::Otherwise(Answer::Frame(Box::new(answer))))
    }

    /// Takes a rate-limit token at `now` (the message's arrival): true to handle the message, false to
    /// refuse it, an error on abuse.
    fn limit(&mut self, now: Moment) -> Result<bool, CloseReason> {
        let (budgets, held) = (&self.app.budgets, &mut self.budget_share);
        match self.limiter.check(
            &self.app.rate_limits,
            self.session.player.as_ref(),
            |player| budgets.admit(held, player, now.unix_ms),
            now.instant,
        ) {
            Verdict::Allow => Ok(true),
            Verdict::Limit => {
                self.app.gateway_metrics.rate_limited_total.inc();
                Ok(false)
            }
            Verdict::Abuse => {
                self.app.gateway_metrics.rate_limited_total.inc();
                Err(CloseReason::RateAbuse)
            }
        }
    }

    async fn on_tick(&mut self) -> Result<(), CloseReason> {
        let limits = &self.app.config.connections;
        if self.session.player.is_none() && self.opened.elapsed() > limits.hello_timeout {
            return Err(CloseReason::HelloTimeout);
        }
        if self.session.token_expires_at < unix_seconds() {
            return Err(CloseReason::TokenExpired);
        }
        let silent = self.last_heard.elapsed();
        if silent > limits.idle_timeout {
            return Err(CloseReason::IdleTimeout);
        }
        if let Some(player) = &self.session.player
            && self.session.presence_refreshed.elapsed() > PRESENCE_REFRESH
        {
            self.session.presence_refreshed = Instant::now();
            let presence = self.app.presence.clone();
            let player = player.clone();
            tokio::spawn(async move { presence.refresh(&player).await });
        }
        if silent > limits.heartbeat {
            let timeout = limits.write_timeout;
            return write_timeout::within(timeout, async {
                self.socket
                    .feed(Message::Ping(Bytes::new()))
                    .await
                    .map_err(|_| CloseReason::ClientClosed)?;
                self.flush().await
            })
            .await;
        }
        Ok(())
    }

    /// Writes a pushed frame and everything else already queued, then flushes once.
    ///
    /// Like [`Self::send`], a plain function returning the timed write, so its future holds the write
    /// once.
    fn write_queued(
        &mut self,
        first: ServerFrame,
    ) -> impl Future<Output = Result<(), CloseReason>> {
        let timeout = self.app.config.connections.write_timeout;
        write_timeout::within(timeout, async move {
            self.feed(&first).await?;
            loop {
                match self.control.try_recv() {
                    Some(Control::Send(frame)) => self.feed(&frame).await?,
                    Some(Control::Close(reason)) => {
                        self.flush().await?;
                        return Err(reason);
                    }
                    None => return self.flush().await,
                }
            }
        })
    }

    /// Writes `first` and then `rest`, and flushes once (a pending pong too), all within one write
    /// timeout.
    ///
    /// A plain function returning the timed write, not an `async fn`: an `async fn` would keep the
    /// write's future beside the timeout it is moved into, and this future is part of every message's.
    /// `first` (a request's answer) comes encoded, so the future holds its message and not the frame;
    /// each of `rest` (the pushes after it) is encoded as it is taken.
    fn send(
        &mut self,
        first: Option<Message>,
        rest: Vec<ServerFrame>,
    ) -> impl Future<Output = Result<(), CloseReason>> {
        let timeout = self.app.config.connections.write_timeout;
        write_timeout::within(timeout, async move {
            let (codec, metrics) = (self.session.codec, &self.app.gateway_metrics);
            let rest = rest.into_iter().map(|frame| encode(codec, metrics, &frame));
            for message in first.into_iter().chain(rest) {
                self.socket
                    .feed(message)
                    .await
                    .map_err(|_| CloseReason::ClientClosed)?;
            }
            self.flush().await
        })
    }

    /// `frame` as a message in this connection's codec, counted as sent.
    fn encoded(&self, frame: &ServerFrame) -> Message {
        encode(self.session.codec, &self.app.gateway_metrics, frame)
    }

    /// Encodes `frame` and hands it to the socket; only a flush is sure to send it. Callers bound the
    /// time with [`write_timeout::within`]. Encoding happens before the wait, so the future holds only
    /// the encoded message.
    async fn feed(&mut self, frame: &ServerFrame) -> Result<(), CloseReason> {
        self.socket
            .feed(encode(self.session.codec, &self.app.gateway_metrics, frame))
            .await
            .map_err(|_| CloseReason::ClientClosed)
    }

    /// Sends what was fed. Callers bound the time with [`write_timeout::within`].
    async fn flush(&mut self) -> Result<(), CloseReason> {
        self.socket
            .flush()
            .await
            .map_err(|_| CloseReason::ClientClosed)
    }

    /// Says goodbye when the client should hear why, then closes with the reason's code.
    async fn close(&mut self, reason: CloseReason) {
        if reason == CloseReason::ClientClosed {
            // Answer the client's close frame, which tungstenite queued with the client's code (1002 for
            // a code that is not allowed): RFC 6455 5.5.1. Without it the client sees 1006.
            let _ = tokio::time::timeout(CLOSE_WRITE_TIMEOUT, self.socket.flush()).await;
            return;
        }
        if reason == CloseReason::NotReading {
            return;
        }
        let goodbye = reason.goodbye().map(|(why, after)| {
            ServerFrame::Push(Push::Goodbye {
                reason: why,
                reconnect_after_ms: after,
            })
        });
        let frame = CloseFrame {
            code: CloseCode::from(reason.code()),
            reason: reason.text().into(),
        };
        let socket = &mut self.socket;
        let codec = self.session.codec;
        let _ = tokio::time::timeout(CLOSE_WRITE_TIMEOUT, async move {
            if let Some(goodbye) = goodbye
                && let Ok(wire) = codec.encode_server(&goodbye)
            {
                let _ = socket.feed(wire_message(wire)).await;
            }
            let _ = socket.close(Some(frame)).await;
            // Finish the close handshake: read (and drop) until the client's close arrives, so the close
            // code is not lost to a reset when the client still has frames in flight.
            while let Some(Ok(message)) = socket.next().await {
                if message.is_close() {
                    break;
                }
            }
        })
        .await;
    }
}

/// `frame` as a WebSocket message in `codec`, counted as sent. A frame that cannot be encoded (too
/// large) is logged and answered with an error under its id instead.
fn encode(codec: Codec, metrics: &GatewayMetrics, frame: &ServerFrame) -> Message {
    let wire = match codec.encode_server(frame) {
        Ok(wire) => wire,
        Err(error) => {
            tracing::error!(error = %ErrorChain(&error), kind = frame.kind(), "a server frame could not be encoded");
            // The request still gets its answer: an error under its id (small, so it encodes).
            let id = match frame {
                ServerFrame::Reply { id, .. } => Some(*id),
                ServerFrame::Error { id, .. } => *id,
                ServerFrame::Push(_) => None,
            };
            let fallback = ServerFrame::error(id, ErrorCode::Internal, "answer too large to send");
            return encode(codec, metrics, &fallback);
        }
    };
    metrics
        .messages_out_total
        .with(frame.kind(), IntCounter::inc);
    wire_message(wire)
}

/// The size of what `f` returns, read from its type: nothing is called. For the tests that hold a
/// connection's task to its size.
#[cfg(test)]
pub(crate) fn returned_size<A, B, R>(_: &impl FnOnce(A, B) -> R) -> usize {
    std::mem::size_of::<R>()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An idle connection costs mostly its task, which holds the future `serve` returns: it should hold
    /// the connection once, plus what waiting for the next event takes. The connection twice (an
    /// `async fn` keeping its argument beside the local it moves into) is hundreds of bytes on every
    /// connected player.
    #[test]
    fn a_connections_task_holds_the_connection_once() {
        type Stream = tokio::io::DuplexStream;
        let connection = std::mem::size_of::<Connection<Stream>>();
        let task = returned_size(&Connection::<Stream>::serve);
        assert!(
            task < connection * 2,
            "the task's future is {task} bytes for a {connection}-byte connection"
        );
        assert!(
            task <= connection + 512,
            "waiting for the next event takes {} bytes beside the connection",
            task - connection
        );
    }

    /// Every message's handling is boxed, and mimalloc serves a block of a kilobyte or less from its
    /// fast path (a few dozen instructions) and a larger one from its generic path (about 250 more, on
    /// every message). So a jump's whole handling, and another message's handling and its handler
    /// (boxed apart), each stay within a kilobyte. A write held twice (an `async fn` around the
    /// timeout, or a named future moved into one) made a message's handling 3,384 bytes and the write
    /// 1,840; the frame beside its encoded message, and the checkpoint's rare paths inline, each put it
    /// over the kilobyte.
    #[test]
    fn a_messages_handling_fits_the_allocators_fast_path() {
        type Stream = tokio::io::DuplexStream;
        const FAST_PATH_BYTES: usize = 1024;
        let write =
            returned_size(&|c: &mut Connection<Stream>, m: Option<Message>| c.send(m, Vec::new()));
        let jump = returned_size4(&Connection::<Stream>::answer_jump);
        let other = returned_size3(&Connection::<Stream>::answer);
        let handler = returned_size5(&handlers::dispatch);
        // 448, 752, 592 and 584 bytes when this was written.
        assert!(write <= 512, "a write of one message is {write} bytes");
        assert!(jump <= FAST_PATH_BYTES, "a jump's handling is {jump} bytes");
        assert!(
            other <= FAST_PATH_BYTES,
            "another message's handling is {other} bytes"
        );
        assert!(
            handler <= FAST_PATH_BYTES,
            "another request's handler is {handler} bytes"
        );
    }

    /// [`returned_size`] for a function of three arguments.
    fn returned_size3<A, B, C, R>(_: &impl FnOnce(A, B, C) -> R) -> usize {
        std::mem::size_of::<R>()
    }

    /// [`returned_size`] for a function of four arguments.
    fn returned_size4<A, B, C, D, R>(_: &impl FnOnce(A, B, C, D) -> R) -> usize {
        std::mem::size_of::<R>()
    }

    /// [`returned_size`] for a function of five arguments.
    fn returned_size5<A, B, C, D, E, R>(_: &impl FnOnce(A, B, C, D, E) -> R) -> usize {
        std::mem::size_of::<R>()
    }
}
