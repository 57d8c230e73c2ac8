//! Social reads: the friend list and pending requests. Social changes (requests, blocks, names) are one
//! call each into `leapfrog_core::friends`, which also notifies the other player; `dispatch` makes them.

use protocol::{BoundedVec, FriendPage, FriendRequests, ListFriends, PlayerId, Response};

use super::Failure;
use crate::app::App;

/// `list_friends`.
pub(crate) async fn list(
    app: &App,
    player: &PlayerId,
    request: ListFriends,
) -> Result<Response, Failure> {
    let limit = request.validated_limit()?;
    let (friends, next, total) = app
        .friends
        .page(player, request.after.as_ref(), limit)
        .await?;
    Ok(Response::Friends(FriendPage {
        friends: BoundedVec::truncating(friends),
        next,
        total,
    }))
}

/// `list_friend_requests`.
pub(crate) async fn requests(app: &App, player: &PlayerId) -> Result<Response, Failure> {
    let (incoming, outgoing) = app.friends.requests(player).await?;
    Ok(Response::FriendRequests(FriendRequests {
        incoming: BoundedVec::truncating(incoming),
        outgoing: BoundedVec::truncating(outgoing),
    }))
}
