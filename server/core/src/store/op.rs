//! Every Redis operation of the domain, named once: the `op` label of the store's latency histogram and
//! error counter. Listed in one place so the node creates every label at zero when it starts, and an
//! alert's `increase()` sees the first failure of an operation.

/// Declares [`Op`] with its label and the list of every operation.
macro_rules! operations {
    ($($group:literal: [$($variant:ident = $label:literal),* $(,)?])*) => {
        /// A Redis operation: a command, a pipeline or a script the domain sends for one purpose.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Op {
            $($(
                #[doc = concat!($group, ": `", $label, "`.")]
                $variant,
            )*)*
        }

        impl Op {
            /// Every operation, in declaration order.
            pub const ALL: &'static [Op] = &[$($(Op::$variant,)*)*];

            /// Its position in [`Op::ALL`]: an index into per-operation tables built at start.
            pub const fn index(self) -> usize {
                self as usize
            }

            /// The metric label.
            pub const fn label(self) -> &'static str {
                match self {
                    $($(Op::$variant => $label,)*)*
                }
            }
        }
    };
}

operations! {
    "the store itself": [
        Ping = "ping",
        NotificationPublish = "notification_publish",
        PubsubSubscribe = "pubsub_subscribe",
    ]
    "runs": [
        RunCreate = "run_create",
        RunDiscard = "run_discard",
        RunLoad = "run_load",
        RunWriteJumps = "run_write_jumps",
        RunDropStaleLog = "run_drop_stale_log",
        RunReadDrive = "run_read_drive",
        RunRepairLog = "run_repair_log",
        RunEnd = "run_end",
        RunSaveOutcome = "run_save_outcome",
        RunShare = "run_share",
        RunMarkRecorded = "run_mark_recorded",
        RunQuota = "run_quota",
        RunQuotaRefund = "run_quota_refund",
        RunQuotaList = "run_quota_list",
        RunQuotaState = "run_quota_state",
        RunQuotaPrune = "run_quota_prune",
        RunQuotaRelease = "run_quota_release",
        RunsIndexSchedule = "runs_index_schedule",
        RunsIndexSettle = "runs_index_settle",
        RunsIndexClaim = "runs_index_claim",
        RunsIndexCount = "runs_index_count",
    ]
    "leaderboards": [
        BoardBest = "board_best",
        BoardRaise = "board_raise",
        BoardZmscore = "board_zmscore",
        BoardTotal = "board_total",
        BoardRange = "board_range",
        BoardAround = "board_around",
        BoardStanding = "board_standing",
        LayoutLock = "layout_lock",
        LayoutRecord = "layout_record",
        LayoutUnlock = "layout_unlock",
        LayoutRead = "layout_read",
        LayoutScan = "layout_scan",
        LayoutExpiry = "layout_expiry",
        LayoutZscan = "layout_zscan",
        LayoutHscan = "layout_hscan",
        LayoutMigrate = "layout_migrate",
        LayoutMigrated = "layout_migrated",
    ]
    "challenges": [
        ChallengeCreate = "challenge_create",
        ChallengeGet = "challenge_get",
        ChallengeBoard = "challenge_board",
        ChallengeRaise = "challenge_raise",
    ]
    "friends": [
        FriendsIds = "friends_ids",
        FriendsList = "friends_list",
        FriendsBetween = "friends_between",
        FriendsLink = "friends_link",
        FriendsSever = "friends_sever",
        FriendsUnlink = "friends_unlink",
        FriendRequestsList = "friend_requests_list",
        FriendRequestSend = "friend_request_send",
        FriendRequestReceive = "friend_request_receive",
        FriendRequestTakeBack = "friend_request_take_back",
        FriendRequestDrop = "friend_request_drop",
        Block = "block",
        BlockOtherSide = "block_other_side",
        Unblock = "unblock",
        Blockers = "blockers",
        NamesGet = "names_get",
        NamesSet = "names_set",
        PlayerSeen = "player_seen",
    ]
    "notifications": [
        InboxAdd = "inbox_add",
        InboxAddRequest = "inbox_add_request",
        InboxFriendPassed = "inbox_friend_passed",
        InboxFlush = "inbox_flush",
        InboxRead = "inbox_read",
        InboxAck = "inbox_ack",
        PresenceSet = "presence_set",
        PresenceGet = "presence_get",
        PresenceClear = "presence_clear",
    ]
    "message budgets": [
        MessageBudget = "message_budget",
    ]
    "replays": [
        ReplayLog = "replay_log",
        ReplayKeep = "replay_keep",
        ReplayMarkShared = "replay_mark_shared",
        ReplayFriend = "replay_friend",
        ReplayRead = "replay_read",
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn labels_are_distinct_snake_case_names() {
        let labels: BTreeSet<&str> = Op::ALL.iter().map(|op| op.label()).collect();
        assert_eq!(labels.len(), Op::ALL.len(), "two operations share a label");
        for label in labels {
            assert!(
                label.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{label}"
            );
        }
    }

    #[test]
    fn an_operations_index_is_its_place_in_the_list() {
        for (place, op) in Op::ALL.iter().enumerate() {
            assert_eq!(op.index(), place, "{}", op.label());
        }
    }
}
