//! A friend board in memory: the bests of a viewer and their friends, ranked as Redis ranks one sorted
//! set, and the window of that ranking a read asks for. The friends' ids are shared with the node's
//! cache, not copied: at 5,000 friends a read would otherwise clone 5,000 ids.

use std::sync::Arc;

use protocol::limits::{MAX_BOARD_RADIUS, MAX_BOARD_TOP};
use protocol::{BoardWindow, PlayerId};

/// The bests on one friend board: those of the friends (cached ones by index into the friend list) and
/// those read from Redis (missed friends and the viewer). Players without a best are not in it.
pub(super) struct FriendBests {
    friends: Arc<[PlayerId]>,
    cached: Vec<(usize, u64)>,
    read: Vec<(PlayerId, Option<u64>)>,
}

impl FriendBests {
    /// The bests of `friends` at the `cached` indices, and of those `read` (with `None`: no best).
    pub(super) fn new(
        friends: Arc<[PlayerId]>,
        cached: Vec<(usize, u64)>,
        read: Vec<(PlayerId, Option<u64>)>,
    ) -> FriendBests {
        FriendBests {
            friends,
            cached,
            read,
        }
    }

    /// Everyone with a best, best first; equal packed scores by player id, descending, as Redis orders
    /// one sorted set read in reverse.
    pub(super) fn ranking(&self) -> Vec<(&PlayerId, u64)> {
        let mut ranking: Vec<(&PlayerId, u64)> = self
            .cached
            .iter()
            .filter_map(|(index, packed)| Some((self.friends.get(*index)?, *packed)))
            .chain(
                self.read
                    .iter()
                    .filter_map(|(player, packed)| Some((player, (*packed)?))),
            )
            .collect();
        // Unstable is exact here: no two entries compare equal unless they are the same player.
        ranking.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(a.0)));
        ranking
    }
}

/// The part of an in-memory ranking a window asks for, with 1-based ranks.
pub(super) fn window_of(
    ranking: &[(&PlayerId, u64)],
    viewer: &PlayerId,
    window: BoardWindow,
) -> Vec<(u32, PlayerId, u64)> {
    let (start, end) = match window {
        BoardWindow::Top { limit, after } => {
            let start = after.unwrap_or(0) as usize;
            (start, start + usize::from(limit.clamp(1, MAX_BOARD_TOP)))
        }
        BoardWindow::Around { radius } => {
            match ranking.iter().position(|(player, _)| *player == viewer) {
                Some(index) => {
                    let radius = usize::from(radius.min(MAX_BOARD_RADIUS));
                    (index.saturating_sub(radius), index + radius + 1)
                }
                None => (0, 0),
            }
        }
    };
    ranking
        .iter()
        .enumerate()
        .skip(start)
        .take(end.saturating_sub(start))
        .map(|(index, (player, packed))| (index as u32 + 1, (*player).clone(), *packed))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn player(id: &str) -> PlayerId {
        PlayerId::new(id.to_owned()).unwrap()
    }

    fn ranking(n: usize) -> Vec<(PlayerId, u64)> {
        (0..n)
            .map(|i| (player(&format!("p{i}")), 1_000 - i as u64))
            .collect()
    }

    #[test]
    fn the_ranking_merges_cached_and_read_bests_best_first_ties_by_id_descending() {
        let friends: Arc<[PlayerId]> =
            vec![player("a"), player("b"), player("c"), player("d")].into();
        // a and c from the cache (b has no best, d was read), the viewer v read.
        let bests = FriendBests::new(
            friends,
            vec![(0, 5), (2, 9)],
            vec![
                (player("d"), Some(5)),
                (player("v"), Some(7)),
                (player("b"), None),
            ],
        );
        let ranking: Vec<(&str, u64)> = bests
            .ranking()
            .into_iter()
            .map(|(player, packed)| (player.as_str(), packed))
            .collect();
        assert_eq!(ranking, [("c", 9), ("v", 7), ("d", 5), ("a", 5)]);
    }

    #[test]
    fn windows_page_and_centre_on_the_viewer() {
        let owned = ranking(10);
        let board: Vec<(&PlayerId, u64)> = owned.iter().map(|(p, s)| (p, *s)).collect();
        let me = PlayerId::new("p5").unwrap();
        let top = window_of(
            &board,
            &me,
            BoardWindow::Top {
                limit: 3,
                after: None,
            },
        );
        assert_eq!(top.iter().map(|e| e.0).collect::<Vec<_>>(), [1, 2, 3]);
        let next = window_of(
            &board,
            &me,
            BoardWindow::Top {
                limit: 3,
                after: Some(3),
            },
        );
        assert_eq!(next.iter().map(|e| e.0).collect::<Vec<_>>(), [4, 5, 6]);
        let around = window_of(&board, &me, BoardWindow::Around { radius: 1 });
        assert_eq!(
            around.iter().map(|e| e.1.as_str()).collect::<Vec<_>>(),
            ["p4", "p5", "p6"]
        );
        let edge = window_of(
            &board,
            &PlayerId::new("p0").unwrap(),
            BoardWindow::Around { radius: 2 },
        );
        assert_eq!(edge.len(), 3);
        assert!(
            window_of(
                &board,
                &PlayerId::new("nobody").unwrap(),
                BoardWindow::Around { radius: 2 }
            )
            .is_empty()
        );
    }
}
