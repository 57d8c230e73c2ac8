//! The checks a server applies to a request's page sizes and windows, written once beside the limits
//! they enforce, so the WebSocket handlers, the HTTP API and clients agree on them.

use thiserror::Error;

use crate::limits::{
    MAX_BOARD_RADIUS, MAX_BOARD_TOP, MAX_FRIENDS_PER_PAGE, MAX_NOTIFICATIONS_PER_PAGE,
};
use crate::messages::challenge::ReadChallenge;
use crate::messages::leaderboard::BoardWindow;
use crate::messages::notification::ListNotifications;
use crate::messages::social::ListFriends;

/// A page size or window outside the protocol's limits. The message names the field and its range, for
/// the `bad_request` answer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field} must be {min} to {max}")]
pub struct OutOfRange {
    /// The field, as the wire names it.
    pub field: &'static str,
    /// The least allowed value.
    pub min: u32,
    /// The greatest allowed value.
    pub max: u32,
}

fn within(field: &'static str, value: u32, min: u32, max: u32) -> Result<(), OutOfRange> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(OutOfRange { field, min, max })
    }
}

impl BoardWindow {
    /// This window if it is within the limits: `Top` asks for 1 to [`MAX_BOARD_TOP`] entries, `Around`
    /// for 0 to [`MAX_BOARD_RADIUS`] on each side.
    pub fn validate(self) -> Result<BoardWindow, OutOfRange> {
        match self {
            BoardWindow::Top { limit, .. } => {
                within("limit", limit.into(), 1, MAX_BOARD_TOP.into())?
            }
            BoardWindow::Around { radius } => {
                within("around", radius.into(), 0, MAX_BOARD_RADIUS.into())?
            }
        }
        Ok(self)
    }
}

impl ReadChallenge {
    /// The page size if within 0 to [`MAX_BOARD_TOP`] (0 reads the challenge alone).
    pub fn validated_limit(&self) -> Result<usize, OutOfRange> {
        within("limit", self.limit.into(), 0, MAX_BOARD_TOP.into())?;
        Ok(usize::from(self.limit))
    }
}

impl ListFriends {
    /// The page size if within 1 to [`MAX_FRIENDS_PER_PAGE`].
    pub fn validated_limit(&self) -> Result<usize, OutOfRange> {
        within("limit", self.limit.into(), 1, MAX_FRIENDS_PER_PAGE as u32)?;
        Ok(usize::from(self.limit))
    }
}

impl ListNotifications {
    /// The page size if within 1 to [`MAX_NOTIFICATIONS_PER_PAGE`].
    pub fn validated_limit(&self) -> Result<usize, OutOfRange> {
        within(
            "limit",
            self.limit.into(),
            1,
            MAX_NOTIFICATIONS_PER_PAGE as u32,
        )?;
        Ok(usize::from(self.limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_checked_against_the_limits() {
        let top = |limit| BoardWindow::Top { limit, after: None };
        assert!(top(1).validate().is_ok());
        assert!(top(MAX_BOARD_TOP).validate().is_ok());
        assert_eq!(
            top(0).validate().unwrap_err().to_string(),
            "limit must be 1 to 100"
        );
        assert!(top(MAX_BOARD_TOP + 1).validate().is_err());
        let around = |radius| BoardWindow::Around { radius };
        assert!(around(0).validate().is_ok());
        assert!(around(MAX_BOARD_RADIUS).validate().is_ok());
        assert_eq!(
            around(MAX_BOARD_RADIUS + 1)
                .validate()
                .unwrap_err()
                .to_string(),
            "around must be 0 to 50"
        );
    }

    #[test]
    fn page_sizes_are_checked_against_the_limits() {
        let friends = |limit| ListFriends { after: None, limit };
        assert_eq!(friends(500).validated_limit(), Ok(500));
        assert!(friends(0).validated_limit().is_err());
        assert!(friends(501).validated_limit().is_err());
        let inbox = |limit| ListNotifications { after: None, limit };
        assert_eq!(inbox(100).validated_limit(), Ok(100));
        assert!(inbox(0).validated_limit().is_err());
        assert!(inbox(101).validated_limit().is_err());
    }
}
