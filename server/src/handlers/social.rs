//! Social requests: friends, friend requests, blocks, display names. Requests and acceptances notify the
//! other player.

use protocol::{
    BoundedVec, ErrorCode, Event, FriendPage, FriendRequests, ListFriends, PlayerId, Response,
    SocialChange,
};

use super::Failure;
use crate::app::App;
use leapfrog_core::clock::unix_ms;
use leapfrog_core::friends::{FriendsError, Notice};
use leapfrog_core::store::StoreError;

/// `list_friends`.
pub(super) async fn list(
    app: &App,
    player: &PlayerId,
    request: ListFriends,
) -> Result<Response, Failure> {
    if !(1..=500).contains(&request.limit) {
        return Err(Failure::new(
            ErrorCode::BadRequest,
            "limit must be 1 to 500",
        ));
    }
    let (friends, next, total) = app
        .friends
        .page(player, request.after.as_ref(), usize::from(request.limit))
        .await
        .map_err(store_failure)?;
    Ok(Response::Friends(FriendPage {
        friends: BoundedVec::truncating(friends),
        next,
        total,
    }))
}

/// `list_friend_requests`.
pub(super) async fn requests(app: &App, player: &PlayerId) -> Result<Response, Failure> {
    let (incoming, outgoing) = app.friends.requests(player).await.map_err(store_failure)?;
    Ok(Response::FriendRequests(FriendRequests {
        incoming: BoundedVec::truncating(incoming),
        outgoing: BoundedVec::truncating(outgoing),
    }))
}

/// `send_friend_request`.
pub(super) async fn send(app: &App, player: &PlayerId, to: &PlayerId) -> Result<Response, Failure> {
    let (change, notice) = app
        .friends
        .request(player, to, unix_ms())
        .await
        .map_err(friends_failure)?;
    tell(app, player, to, notice).await;
    Ok(Response::Social(change))
}

/// `accept_friend_request`.
pub(super) async fn accept(
    app: &App,
    player: &PlayerId,
    from: &PlayerId,
) -> Result<Response, Failure> {
    let (change, notice) = app
        .friends
        .accept(player, from, unix_ms())
        .await
        .map_err(friends_failure)?;
    tell(app, player, from, notice).await;
    Ok(Response::Social(change))
}

/// `decline_friend_request`, `remove_friend`, `unblock`, `block`, `set_display_name`.
pub(super) async fn change(
    result: Result<SocialChange, FriendsError>,
) -> Result<Response, Failure> {
    result.map(Response::Social).map_err(friends_failure)
}

/// Notifies `other` of what `player` did; a failure only delays the news (the change is made).
async fn tell(app: &App, player: &PlayerId, other: &PlayerId, notice: Notice) {
    let name = app
        .friends
        .names(std::slice::from_ref(player))
        .await
        .ok()
        .and_then(|mut names| names.pop().flatten());
    let event = match notice {
        Notice::None => return,
        Notice::RequestReceived => Event::FriendRequestReceived {
            from: player.clone(),
            name,
        },
        Notice::RequestAccepted => Event::FriendRequestAccepted {
            by: player.clone(),
            name,
        },
    };
    if let Err(error) = app.notifications.notify(other, event, unix_ms()).await {
        tracing::warn!(%error, %player, %other, "friend notification not stored");
    }
}

/// The error answer for a refused social change.
pub(super) fn friends_failure(error: FriendsError) -> Failure {
    let code = match &error {
        FriendsError::Yourself => ErrorCode::BadRequest,
        FriendsError::Blocked => ErrorCode::Forbidden,
        FriendsError::NoRequest(_) => ErrorCode::NotFound,
        FriendsError::Full => ErrorCode::Conflict,
        FriendsError::Store(_) => ErrorCode::Unavailable,
    };
    Failure::new(code, error.to_string())
}

/// The error answer when Redis fails.
pub(super) fn store_failure(error: StoreError) -> Failure {
    Failure::new(ErrorCode::Unavailable, error.to_string())
}
