//! Notification requests: list the inbox and acknowledge; and the catch-up once a connection authenticates.

use protocol::{
    AckNotifications, BoundedVec, ListNotifications, NotificationPage, PlayerId, Push, Response,
    ServerFrame,
};

use super::Failure;
use super::session::Session;
use crate::app::App;
use leapfrog_core::clock::unix_ms;

/// Most unacknowledged notifications pushed in a catch-up; the client pages the rest with
/// `list_notifications` (`more` tells it to).
pub(crate) const CATCH_UP_LIMIT: usize = 50;

/// `list_notifications`.
pub(crate) async fn list(
    app: &App,
    player: &PlayerId,
    request: ListNotifications,
) -> Result<Response, Failure> {
    let limit = request.validated_limit()?;
    let (notifications, more) = app
        .notifications
        .unacked(player, request.after, limit, unix_ms())
        .await?;
    Ok(Response::Notifications(NotificationPage {
        notifications: BoundedVec::truncating(notifications),
        more,
    }))
}

/// `ack_notifications`.
pub(crate) async fn ack(
    app: &App,
    player: &PlayerId,
    request: AckNotifications,
) -> Result<Response, Failure> {
    app.notifications.ack(player, request.up_to).await?;
    Ok(Response::Acked {
        up_to: request.up_to,
    })
}

/// Queues the oldest unacknowledged notifications (up to [`CATCH_UP_LIMIT`]) to be pushed.
pub(crate) async fn redeliver(
    app: &App,
    session: &mut Session,
    player: &PlayerId,
) -> Result<(), Failure> {
    let (notifications, _) = app
        .notifications
        .unacked(player, None, CATCH_UP_LIMIT, unix_ms())
        .await?;
    session.pushes.extend(
        notifications
            .into_iter()
            .map(|notification| ServerFrame::Push(Push::Notification(notification))),
    );
    Ok(())
}
