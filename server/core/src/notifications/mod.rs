//! Notifications: each player's durable inbox (a capped Redis stream with a TTL, entries removed when
//! acknowledged), coalescing of "friend passed you" bursts, and live delivery to whichever node holds the
//! player's connection (a presence key names the node; other nodes are reached by Redis pub/sub).
//! Nothing is lost (the inbox keeps every notification until acknowledged and is delivered again after a
//! reconnect) and nothing is shown twice (clients acknowledge by id and ignore ids they have shown).

mod entry;
pub mod presence;
pub mod router;

use crate::error_chain::ErrorChain;
use std::sync::Arc;
use std::sync::LazyLock;
use std::time::Duration;

use protocol::{Board, DisplayName, Event, Notification, NotificationId, PlayerId, RunId};
use redis::Script;
use serde::Serialize;

use crate::metrics::Metrics;
use crate::store::{Op, Store, StoreError, keys};
pub(crate) use entry::KINDS as EVENT_KINDS;
pub use presence::Presence;
pub(crate) use router::ROUTES;
pub use router::{LiveSink, Router};

static COALESCE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("coalesce.lua")));
static ADD_UNLESS_CROWDED: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("add_unless_crowded.lua")));

/// Flushes a node tries for one coalescing window before leaving it to the next pass or read.
const FLUSH_ATTEMPTS: usize = 3;

/// What `coalesce.lua` answers: its status, every entry it wrote, and when to flush the window (unix
/// ms; 0: no flush is this caller's to schedule).
type Written = (String, Vec<(String, entry::Fields)>, u64);

/// A friend's new best that passed the recipient's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pass {
    /// Who passed.
    pub passer: PlayerId,
    /// Their display name, if set.
    pub name: Option<DisplayName>,
    /// Their new best on the board.
    pub their_score: u32,
    /// The recipient's best on the board.
    pub your_score: u32,
    /// The board.
    pub board: Board,
    /// The passing run: a recording retried after a failure notifies each friend once.
    pub run: RunId,
}

/// Inbox and coalescing settings.
#[derive(Debug, Clone, Copy)]
pub struct InboxConfig {
    /// Most entries kept per inbox (oldest trimmed first).
    pub max_len: usize,
    /// Inbox expiry after its last write.
    pub ttl: Duration,
    /// Passes within this window after a first one are coalesced into one summary.
    pub coalesce_window: Duration,
}

/// The notifications domain.
#[derive(Clone)]
pub struct Notifications {
    store: Store,
    metrics: Arc<Metrics>,
    config: InboxConfig,
    router: Router,
}

impl Notifications {
    /// The domain on `store`, delivering live through `router`.
    pub fn new(
        store: Store,
        metrics: Arc<Metrics>,
        config: InboxConfig,
        router: Router,
    ) -> Notifications {
        Notifications {
            store,
            metrics,
            config,
            router,
        }
    }

    /// The live-delivery router.
    pub fn router(&self) -> &Router {
        &self.router
    }

    /// Stores `event` in `recipient`'s inbox (one round trip) and delivers it live in the background if
    /// they are connected anywhere: the inbox is the truth, so the caller need not wait for the push.
    pub(crate) async fn notify(
        &self,
        recipient: &PlayerId,
        event: Event,
        now_ms: u64,
    ) -> Result<(), StoreError> {
        let json = to_json(&event);
        let inbox = keys::inbox(recipient);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("XADD")
            .arg(&inbox)
            .arg("MAXLEN")
            .arg("~")
            .arg(self.config.max_len)
            .arg("*")
            .arg("event")
            .arg(&json)
            .arg("created")
            .arg(now_ms)
            .expire(&inbox, ttl_seconds(self.config.ttl))
            .ignore();
        let (id,): (String,) = self.store.query_pipeline(Op::InboxAdd, &pipe).await?;
        self.deliver_later(recipient, id, json, now_ms);
        Ok(())
    }

    /// Stores a friend request's `event` in `recipient`'s inbox only while the inbox is less than half
    /// full, never trimming (one round trip), and delivers it live. Requests come from strangers, so
    /// they may not push anything out of the inbox: false when there was no room (the request is still
    /// pending and listed by `list_friend_requests`).
    pub(crate) async fn notify_request(
        &self,
        recipient: &PlayerId,
        event: Event,
        now_ms: u64,
    ) -> Result<bool, StoreError> {
        let json = to_json(&event);
        let mut invocation = ADD_UNLESS_CROWDED.prepare_invoke();
        invocation
            .key(keys::inbox(recipient))
            .arg(self.request_room())
            .arg(ttl_seconds(self.config.ttl))
            .arg(&json)
            .arg(now_ms);
        let id: Option<String> = self
            .store
            .run_script(Op::InboxAddRequest, &invocation)
            .await?;
        let Some(id) = id else {
            return Ok(false);
        };
        self.deliver_later(recipient, id, json, now_ms);
        Ok(true)
    }

    /// Counts and delivers the event entry `id` (its JSON `json`) just stored, in the background.
    fn deliver_later(&self, recipient: &PlayerId, id: String, json: String, now_ms: u64) {
        let this = self.clone();
        let recipient = recipient.clone();
        let written = vec![(
            id,
            vec![
                ("event".to_owned(), json),
                ("created".to_owned(), now_ms.to_string()),
            ],
        )];
        tokio::spawn(async move { this.stored(&recipient, written).await });
    }

    /// Entries an inbox may hold for a friend request to be added: half of it, so requests never take
    /// the room of the notifications friends send.
    fn request_room(&self) -> usize {
        (self.config.max_len / 2).max(1)
    }

    /// Tells `recipient` that a friend passed them, coalescing bursts: the first pass of a window is
    /// stored and delivered at once, later ones in the window become one summary when the window closes.
    /// Only a window something was coalesced into is flushed (by the node whose pass coalesced first):
    /// one script call per pass when passes do not come in bursts.
    pub(crate) async fn friend_passed(
        &self,
        recipient: &PlayerId,
        pass: &Pass,
        now_ms: u64,
    ) -> Result<(), StoreError> {
        let event = Event::FriendPassed {
            friend: pass.passer.clone(),
            name: pass.name.clone(),
            their_score: pass.their_score,
            your_score: pass.your_score,
            board: pass.board,
        };
        let mut invocation = COALESCE.prepare_invoke();
        invocation
            .key(keys::inbox(recipient))
            .key(keys::coalesce(recipient))
            .key(keys::passes_seen(recipient))
            .arg("pass")
            .arg(now_ms)
            .arg(self.window_ms())
            .arg(self.config.max_len)
            .arg(ttl_seconds(self.config.ttl))
            .arg(to_json(&event))
            .arg(pass.name.as_ref().map_or("", DisplayName::as_str))
            .arg(pass.their_score)
            .arg(pass.your_score)
            .arg(to_json(&pass.board))
            .arg(pass.run.hex(&mut [0; 32]))
            .arg(protocol::limits::MAX_SUMMARY_NAMES);
        let (status, written, flush_at_ms): Written = self
            .store
            .run_script(Op::InboxFriendPassed, &invocation)
            .await?;
        match status.as_str() {
            "stored" => self.stored(recipient, written).await,
            "coalesced" => {
                self.metrics.notifications_coalesced_total.inc();
                if flush_at_ms > 0 {
                    self.flush_later(recipient.clone(), flush_at_ms);
                }
            }
            // "duplicate": this run already notified this friend.
            _ => {}
        }
        Ok(())
    }

    /// Closes `recipient`'s coalescing window once it has run its course at `at_ms` (unix ms),
    /// emitting its summary; again a little later, a few times at most, if this node's clock says the
    /// window is still open.
    pub(crate) fn flush_later(&self, recipient: PlayerId, at_ms: u64) {
        let notifications = self.clone();
        tokio::spawn(async move {
            let mut at_ms = at_ms;
            for _ in 0..FLUSH_ATTEMPTS {
                let wait = at_ms.saturating_sub(crate::clock::unix_ms());
                tokio::time::sleep(Duration::from_millis(wait.saturating_add(1))).await;
                match notifications
                    .flush_window(&recipient, crate::clock::unix_ms())
                    .await
                {
                    Ok(None) => return,
                    Ok(Some(again_ms)) => at_ms = again_ms,
                    Err(error) => {
                        tracing::warn!(error = %ErrorChain(&error), player = %recipient, "flushing a coalescing window failed; the next read flushes it");
                        return;
                    }
                }
            }
        });
    }

    /// Emits `recipient`'s coalescing window if it is over (also done before reading the inbox, so a
    /// window whose node died is never lost).
    pub async fn flush(&self, recipient: &PlayerId, now_ms: u64) -> Result<(), StoreError> {
        self.flush_window(recipient, now_ms).await.map(drop)
    }

    /// [`Notifications::flush`], answering when to flush again if the window still holds passes and is
    /// not over by `now_ms`.
    async fn flush_window(
        &self,
        recipient: &PlayerId,
        now_ms: u64,
    ) -> Result<Option<u64>, StoreError> {
        let mut invocation = COALESCE.prepare_invoke();
        invocation
            .key(keys::inbox(recipient))
            .key(keys::coalesce(recipient))
            .key(keys::passes_seen(recipient))
            .arg("flush")
            .arg(now_ms)
            .arg(self.window_ms())
            .arg(self.config.max_len)
            .arg(ttl_seconds(self.config.ttl));
        let (_, written, again_ms): Written =
            self.store.run_script(Op::InboxFlush, &invocation).await?;
        self.stored(recipient, written).await;
        Ok((again_ms > 0).then_some(again_ms))
    }

    /// Counts entries just written to `recipient`'s inbox and delivers them live.
    async fn stored(&self, recipient: &PlayerId, written: Vec<(String, entry::Fields)>) {
        for (id, fields) in written {
            self.metrics.notifications_stored_total.inc();
            let Some(notification) = entry::parse(&id, &fields) else {
                tracing::error!(%id, "a notification just written does not parse");
                continue;
            };
            self.metrics
                .notifications_created_total
                .with_label_values(&[entry::kind(&notification.event)])
                .inc();
            self.router.deliver(recipient, notification).await;
        }
    }

    /// Unacknowledged notifications of `player` after `after` (all if `None`), oldest first, at most
    /// `limit`; and whether more follow.
    pub async fn unacked(
        &self,
        player: &PlayerId,
        after: Option<NotificationId>,
        limit: usize,
        now_ms: u64,
    ) -> Result<(Vec<Notification>, bool), StoreError> {
        self.flush(player, now_ms).await?;
        let start = after.map_or_else(|| "-".to_owned(), |id| format!("({id}"));
        let rows: Vec<(String, entry::Fields)> = self
            .store
            .query(
                Op::InboxRead,
                crate::store::cmd("XRANGE")
                    .arg(keys::inbox(player))
                    .arg(start)
                    .arg("+")
                    .arg("COUNT")
                    .arg(limit + 1),
            )
            .await?;
        let more = rows.len() > limit;
        let notifications = rows
            .into_iter()
            .take(limit)
            .filter_map(|(id, fields)| entry::parse(&id, &fields))
            .collect();
        Ok((notifications, more))
    }

    /// Acknowledges every notification of `player` up to and including `up_to`: they leave the inbox
    /// and are never delivered again.
    pub async fn ack(&self, player: &PlayerId, up_to: NotificationId) -> Result<u64, StoreError> {
        let first_kept = NotificationId {
            ms: up_to.ms,
            seq: up_to.seq.saturating_add(1),
        };
        let trimmed: u64 = self
            .store
            .query(
                Op::InboxAck,
                crate::store::cmd("XTRIM")
                    .arg(keys::inbox(player))
                    .arg("MINID")
                    .arg(first_kept.to_string()),
            )
            .await?;
        self.metrics.notifications_acked_total.inc_by(trimmed);
        Ok(trimmed)
    }

    fn window_ms(&self) -> u64 {
        u64::try_from(self.config.coalesce_window.as_millis()).unwrap_or(u64::MAX)
    }
}

fn ttl_seconds(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_secs().max(1)).unwrap_or(i64::MAX)
}

fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
