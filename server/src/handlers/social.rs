//! Social reads: the friend list and pending requests. Social changes (requests, blocks, names) are one
//! call each into `leapfrog_core::friends`, which also notifies the other player; `dispatch` makes them.
//!
//! A card can take about 240 bytes (a 64-byte id and a 32-character name of 4-byte characters, in
//! JSON), so 500 of them would not fit a 64 KiB server frame: a page holds the cards that fit, and says
//! where to go on.

use protocol::limits::MAX_SERVER_FRAME_BYTES;
use protocol::{
    BoundedVec, FriendPage, FriendRequests, ListFriends, PlayerCard, PlayerId, Response,
};

use super::Failure;
use crate::app::App;

/// Bytes of a server frame the cards may take: the frame limit less room for the envelope (`reply`, the
/// id, `next`, `total`).
const CARD_BUDGET: usize = MAX_SERVER_FRAME_BYTES - 1_024;

/// `list_friends`: up to `limit` friends, fewer when more would not fit a frame (`next` then names the
/// last one sent).
pub(crate) async fn list(
    app: &App,
    player: &PlayerId,
    request: ListFriends,
) -> Result<Response, Failure> {
    let limit = request.validated_limit()?;
    let (mut friends, mut next, total) = app
        .friends
        .page(player, request.after.as_ref(), limit)
        .await?;
    let fit = fitting(&friends, CARD_BUDGET);
    if fit < friends.len() {
        friends.truncate(fit);
        next = friends.last().map(|card| card.player.clone());
    }
    Ok(Response::Friends(FriendPage {
        friends: BoundedVec::truncating(friends),
        next,
        total,
    }))
}

/// `list_friend_requests`: each list cut to what fits half a frame (at least 120 cards, however long
/// their ids and names).
pub(crate) async fn requests(app: &App, player: &PlayerId) -> Result<Response, Failure> {
    let (mut incoming, mut outgoing) = app.friends.requests(player).await?;
    incoming.truncate(fitting(&incoming, CARD_BUDGET / 2));
    outgoing.truncate(fitting(&outgoing, CARD_BUDGET / 2));
    Ok(Response::FriendRequests(FriendRequests {
        incoming: BoundedVec::truncating(incoming),
        outgoing: BoundedVec::truncating(outgoing),
    }))
}

/// How many of `cards`, from the first, fit in `budget` bytes in either codec. A card's JSON is never
/// shorter than its bincode (field names, quotes and escapes against length prefixes), so it is measured
/// in JSON.
fn fitting(cards: &[PlayerCard], budget: usize) -> usize {
    let mut used = 0;
    cards
        .iter()
        .take_while(|card| {
            used += serde_json::to_vec(card).map_or(budget + 1, |json| json.len() + 1);
            used <= budget
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::DisplayName;

    fn card(id: String) -> PlayerCard {
        PlayerCard {
            player: PlayerId::new(id).unwrap(),
            name: Some(DisplayName::new("😀".repeat(32)).unwrap()),
            since_ms: u64::MAX,
        }
    }

    #[test]
    fn the_longest_cards_fit_a_server_frame_in_both_codecs() {
        let cards: Vec<PlayerCard> = (0..500).map(|n| card(format!("{n:0>64}"))).collect();
        let fit = fitting(&cards, CARD_BUDGET);
        assert!((200..500).contains(&fit), "{fit}");
        let page = protocol::ServerFrame::Reply {
            id: protocol::RequestId(u32::MAX),
            response: Response::Friends(FriendPage {
                friends: BoundedVec::truncating(cards[..fit].to_vec()),
                next: Some(cards[fit - 1].player.clone()),
                total: u32::MAX,
            }),
        };
        for codec in [protocol::Codec::Json, protocol::Codec::Bincode] {
            assert!(codec.encode_server(&page).is_ok(), "{codec:?}");
        }
        assert!(fitting(&cards, CARD_BUDGET / 2) >= 120);
    }
}
