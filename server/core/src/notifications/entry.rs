//! Inbox entries and the notifications they hold. An entry is either an event written whole (its JSON,
//! built by serde) or a coalescing summary written by `coalesce.lua` as plain fields; both become a
//! [`Notification`] here, so every event's wire form comes from serde.

use protocol::{Board, BoundedVec, DisplayName, Event, Notification};

/// The fields of one stream entry, as Redis returns them.
pub(crate) type Fields = Vec<(String, String)>;

/// The value of field `name`.
fn field<'f>(fields: &'f Fields, name: &str) -> Option<&'f str> {
    fields
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The notification stored as entry `id`; `None` for an entry this version cannot read (written by a
/// newer one), which is skipped rather than failing the whole inbox.
pub(crate) fn parse(id: &str, fields: &Fields) -> Option<Notification> {
    let created_ms = field(fields, "created")
        .and_then(|ms| ms.parse().ok())
        .unwrap_or(0);
    let event = match (field(fields, "event"), field(fields, "kind")) {
        (Some(json), _) => serde_json::from_str(json).ok()?,
        (None, Some("summary")) => summary(fields)?,
        _ => return None,
    };
    Some(Notification {
        id: id.parse().ok()?,
        created_ms,
        event,
    })
}

/// A coalescing window's summary: how many friends passed, the best of their scores, the recipient's,
/// the board, and up to five names (one per line).
fn summary(fields: &Fields) -> Option<Event> {
    let number = |name| field(fields, name)?.parse::<u32>().ok();
    let board: Board = serde_json::from_str(field(fields, "board")?).ok()?;
    let names = field(fields, "names")
        .unwrap_or_default()
        .lines()
        .filter_map(|name| DisplayName::new(name).ok())
        .collect();
    Some(Event::FriendsPassedSummary {
        count: number("count")?,
        names: BoundedVec::truncating(names),
        best_score: number("best")?,
        your_score: number("your")?,
        board,
    })
}

/// Every label [`kind`] gives, so `notifications_created_total` shows each from zero.
pub(crate) const KINDS: [&str; 4] = [
    "friend_passed",
    "friends_passed_summary",
    "friend_request_received",
    "friend_request_accepted",
];

/// The metric label of an event's kind.
pub(crate) fn kind(event: &Event) -> &'static str {
    match event {
        Event::FriendPassed { .. } => "friend_passed",
        Event::FriendsPassedSummary { .. } => "friends_passed_summary",
        Event::FriendRequestReceived { .. } => "friend_request_received",
        Event::FriendRequestAccepted { .. } => "friend_request_accepted",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{Period, Scope};

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn a_summary_becomes_the_event_serde_would_write() {
        let board = Board {
            period: Period::Weekly,
            scope: Scope::Friends,
        };
        let board_json = serde_json::to_string(&board).unwrap();
        let entry = fields(&[
            ("kind", "summary"),
            ("count", "3"),
            ("best", "120"),
            ("your", "90"),
            ("board", &board_json),
            ("names", "Ada\nBo"),
            ("created", "1700000000000"),
        ]);
        let notification = parse("1700000000000-0", &entry).expect("parses");
        assert_eq!(notification.created_ms, 1_700_000_000_000);
        assert_eq!(
            notification.event,
            Event::FriendsPassedSummary {
                count: 3,
                names: BoundedVec::truncating(vec![
                    DisplayName::new("Ada").unwrap(),
                    DisplayName::new("Bo").unwrap()
                ]),
                best_score: 120,
                your_score: 90,
                board,
            }
        );
    }

    #[test]
    fn every_kind_is_listed() {
        let board = Board {
            period: Period::Daily,
            scope: Scope::Global,
        };
        let player = protocol::PlayerId::new("ada").unwrap();
        let events = [
            Event::FriendPassed {
                friend: player.clone(),
                name: None,
                their_score: 2,
                your_score: 1,
                board,
            },
            Event::FriendsPassedSummary {
                count: 2,
                names: BoundedVec::truncating(Vec::new()),
                best_score: 2,
                your_score: 1,
                board,
            },
            Event::FriendRequestReceived {
                from: player.clone(),
                name: None,
            },
            Event::FriendRequestAccepted {
                by: player,
                name: None,
            },
        ];
        assert_eq!(events.map(|event| kind(&event)), KINDS);
    }

    #[test]
    fn unreadable_entries_are_skipped() {
        assert!(parse("1-0", &fields(&[("event", "{not json")])).is_none());
        assert!(parse("1-0", &fields(&[("kind", "future")])).is_none());
        assert!(parse("nonsense", &fields(&[("kind", "summary")])).is_none());
    }
}
