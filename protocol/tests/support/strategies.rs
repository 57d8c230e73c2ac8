//! proptest strategies generating every protocol message, shared by the property tests.

use game_logic::{
    Direction, Jump, JumpOutcome, Landing, Platform, Point, Ruleset, Shape, SpecialKind, World,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use protocol::*;

pub(crate) fn player() -> impl Strategy<Value = PlayerId> {
    "[A-Za-z0-9._:-]{1,64}".prop_map(|s| PlayerId::new(s).expect("pattern matches the rules"))
}

pub(crate) fn name() -> impl Strategy<Value = DisplayName> {
    "[a-zA-Z0-9 é跳]{0,31}[a-z跳]".prop_map(|s| DisplayName::new(s).expect("valid name"))
}

pub(crate) fn run_id() -> impl Strategy<Value = RunId> {
    any::<[u8; 16]>().prop_map(RunId::from_bytes)
}

pub(crate) fn notification_id() -> impl Strategy<Value = NotificationId> {
    (any::<u64>(), any::<u64>()).prop_map(|(ms, seq)| NotificationId { ms, seq })
}

fn point() -> impl Strategy<Value = Point> {
    (any::<i64>(), any::<i64>()).prop_map(|(x, z)| Point { x, z })
}

fn platform() -> impl Strategy<Value = Platform> {
    let special = option::of(prop::sample::select(SpecialKind::ALL.to_vec()));
    let shape = prop_oneof![Just(Shape::Cube), Just(Shape::Cylinder)];
    (point(), shape, any::<i64>(), special).prop_map(|(centre, shape, radius, special)| Platform {
        centre,
        shape,
        radius,
        special,
    })
}

fn world() -> impl Strategy<Value = World> {
    let direction = prop_oneof![Just(Direction::Right), Just(Direction::Left)];
    (point(), platform(), platform(), direction, any::<bool>()).prop_map(
        |(figure, current, next, direction, bonus_available)| World {
            figure,
            current,
            next,
            direction,
            bonus_available,
        },
    )
}

fn landing() -> impl Strategy<Value = Landing> {
    prop::sample::select(vec![
        Landing::Centre,
        Landing::Landed,
        Landing::Stayed,
        Landing::TippedForward,
        Landing::TippedBack,
        Landing::Overhang,
        Landing::Fell,
    ])
}

pub(crate) fn outcome() -> impl Strategy<Value = JumpOutcome> {
    (
        any::<[u32; 5]>(),
        landing(),
        point(),
        world(),
        any::<bool>(),
    )
        .prop_map(
            |([index, points, bonus, combo, score], landing, touchdown, world, game_over)| {
                JumpOutcome {
                    index,
                    landing,
                    points,
                    bonus,
                    combo,
                    score,
                    touchdown,
                    world,
                    game_over,
                }
            },
        )
}

fn jump() -> impl Strategy<Value = Jump> {
    (any::<u32>(), any::<u32>()).prop_map(|(press_ms, dwell_ms)| Jump { press_ms, dwell_ms })
}

fn bounded<T: std::fmt::Debug, const N: usize>(
    item: impl Strategy<Value = T>,
    max: usize,
) -> impl Strategy<Value = BoundedVec<T, N>> {
    vec(item, 0..=max.min(N))
        .prop_map(|items| BoundedVec::try_from_vec(items).expect("within bound"))
}

fn period() -> impl Strategy<Value = Period> {
    prop::sample::select(vec![Period::Daily, Period::Weekly, Period::AllTime])
}

fn scope() -> impl Strategy<Value = Scope> {
    prop_oneof![Just(Scope::Friends), Just(Scope::Global)]
}

fn board() -> impl Strategy<Value = Board> {
    (period(), scope()).prop_map(|(period, scope)| Board { period, scope })
}

fn other() -> impl Strategy<Value = OtherPlayer> {
    player().prop_map(|player| OtherPlayer { player })
}

pub(crate) fn request() -> impl Strategy<Value = Request> {
    let start = prop_oneof![
        Just(StartMode::Solo),
        any::<u64>().prop_map(|seed| StartMode::Challenge { seed }),
        Just(StartMode::Offline),
        challenge_id().prop_map(|challenge| StartMode::ChallengeRun { challenge }),
    ];
    let window = prop_oneof![
        (any::<u8>(), option::of(any::<u32>()))
            .prop_map(|(limit, after)| BoardWindow::Top { limit, after }),
        any::<u8>().prop_map(|radius| BoardWindow::Around { radius }),
    ];
    prop_oneof![
        (
            "[a-z0-9./]{0,20}",
            option::of("[A-Za-z0-9._-]{0,60}"),
            option::of(run_id()),
            option::of(notification_id())
        )
            .prop_map(
                |(client_version, token, resume, last_notification)| Request::Hello(Hello {
                    client_version,
                    token,
                    resume,
                    last_notification
                })
            ),
        any::<u64>().prop_map(|client_time_ms| Request::Ping(Ping { client_time_ms })),
        start.prop_map(|mode| Request::StartRun(StartRun { mode })),
        (run_id(), any::<u32>(), any::<u32>(), any::<u32>()).prop_map(
            |(run_id, seq, press_ms, dwell_ms)| {
                Request::Jump(JumpRequest {
                    run_id,
                    seq,
                    press_ms,
                    dwell_ms,
                })
            }
        ),
        run_id().prop_map(|run_id| Request::Abandon(Abandon { run_id })),
        (run_id(), any::<u32>(), bounded(jump(), 40), any::<bool>()).prop_map(
            |(run_id, first_seq, jumps, last)| {
                Request::SubmitRun(SubmitRun {
                    run_id,
                    first_seq,
                    jumps,
                    last,
                })
            }
        ),
        (option::of(player()), any::<u16>())
            .prop_map(|(after, limit)| Request::ListFriends(ListFriends { after, limit })),
        Just(Request::ListFriendRequests),
        other().prop_map(Request::SendFriendRequest),
        other().prop_map(Request::AcceptFriendRequest),
        other().prop_map(Request::DeclineFriendRequest),
        other().prop_map(Request::RemoveFriend),
        other().prop_map(Request::Block),
        other().prop_map(Request::Unblock),
        name().prop_map(|name| Request::SetDisplayName(SetDisplayName { name })),
        (board(), window)
            .prop_map(|(board, window)| Request::ReadBoard(ReadBoard { board, window })),
        scope().prop_map(|scope| Request::ReadStanding(ReadStanding { scope })),
        (option::of(notification_id()), any::<u8>()).prop_map(|(after, limit)| {
            Request::ListNotifications(ListNotifications { after, limit })
        }),
        notification_id().prop_map(|up_to| Request::AckNotifications(AckNotifications { up_to })),
        run_id().prop_map(|run_id| Request::CreateChallenge(CreateChallenge { run_id })),
        (challenge_id(), any::<u8>(), option::of(any::<u32>())).prop_map(
            |(challenge, limit, after)| Request::ReadChallenge(ReadChallenge {
                challenge,
                limit,
                after
            })
        ),
        (player(), period())
            .prop_map(|(player, period)| Request::ReadReplay(ReadReplay { player, period })),
    ]
}

fn challenge_id() -> impl Strategy<Value = ChallengeId> {
    any::<[u8; 16]>().prop_map(ChallengeId::from_bytes)
}

fn challenge() -> impl Strategy<Value = Challenge> {
    (
        challenge_id(),
        player(),
        option::of(name()),
        any::<u32>(),
        any::<u64>(),
        any::<u64>(),
    )
        .prop_map(
            |(challenge, owner, owner_name, owner_score, seed, expires_at_ms)| Challenge {
                challenge,
                owner,
                owner_name,
                owner_score,
                seed,
                ruleset: Ruleset::V1,
                expires_at_ms,
            },
        )
}

pub(crate) fn client_frame() -> impl Strategy<Value = ClientFrame> {
    (any::<u32>(), request()).prop_map(|(id, request)| ClientFrame {
        id: RequestId(id),
        request,
    })
}

fn run_over() -> impl Strategy<Value = RunOver> {
    let passed = (player(), option::of(name()), any::<u32>()).prop_map(|(player, name, score)| {
        PassedFriend {
            player,
            name,
            score,
        }
    });
    (
        run_id(),
        any::<u64>(),
        any::<u32>(),
        any::<[bool; 3]>(),
        bounded(passed, 5),
        any::<u32>(),
        option::of(any::<u32>()),
        option::of(any::<u32>()),
    )
        .prop_map(
            |(
                run_id,
                seed,
                final_score,
                [daily, weekly, all_time],
                passed,
                passed_count,
                before,
                after,
            )| RunOver {
                run_id,
                seed,
                final_score,
                new_best: NewBest {
                    daily,
                    weekly,
                    all_time,
                },
                passed,
                passed_count,
                friend_rank_before: before,
                friend_rank_after: after,
            },
        )
}

fn run_end() -> impl Strategy<Value = RunEnd> {
    prop_oneof![
        run_over().prop_map(RunEnd::Over),
        (run_id(), any::<u32>()).prop_map(|(run_id, final_score)| RunEnd::Pending {
            run_id,
            final_score
        }),
    ]
}

fn card() -> impl Strategy<Value = PlayerCard> {
    (player(), option::of(name()), any::<u64>()).prop_map(|(player, name, since_ms)| PlayerCard {
        player,
        name,
        since_ms,
    })
}

fn entry() -> impl Strategy<Value = BoardEntry> {
    (
        any::<u32>(),
        player(),
        option::of(name()),
        any::<u32>(),
        any::<u64>(),
    )
        .prop_map(|(rank, player, name, score, reached_at_ms)| BoardEntry {
            rank,
            player,
            name,
            score,
            reached_at_ms,
        })
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        (
            player(),
            option::of(name()),
            any::<u32>(),
            any::<u32>(),
            board()
        )
            .prop_map(|(friend, name, their_score, your_score, board)| {
                Event::FriendPassed {
                    friend,
                    name,
                    their_score,
                    your_score,
                    board,
                }
            }),
        (
            any::<u32>(),
            bounded(name(), 5),
            any::<u32>(),
            any::<u32>(),
            board()
        )
            .prop_map(|(count, names, best_score, your_score, board)| {
                Event::FriendsPassedSummary {
                    count,
                    names,
                    best_score,
                    your_score,
                    board,
                }
            }),
        (player(), option::of(name()))
            .prop_map(|(from, name)| Event::FriendRequestReceived { from, name }),
        (player(), option::of(name()))
            .prop_map(|(by, name)| Event::FriendRequestAccepted { by, name }),
    ]
}

fn notification() -> impl Strategy<Value = Notification> {
    (notification_id(), any::<u64>(), event()).prop_map(|(id, created_ms, event)| Notification {
        id,
        created_ms,
        event,
    })
}

fn response() -> impl Strategy<Value = Response> {
    let resumed = (run_id(), any::<u64>(), any::<[u32; 3]>(), world()).prop_map(
        |(run_id, seed, [next_seq, score, combo], world)| ResumedRun {
            run_id,
            seed,
            ruleset: Ruleset::V1,
            next_seq,
            score,
            combo,
            world,
        },
    );
    let placement = (
        board(),
        option::of(any::<u32>()),
        any::<u32>(),
        any::<u32>(),
    )
        .prop_map(|(board, rank, score, total)| Placement {
            board,
            rank,
            score,
            total,
        });
    let change = prop::sample::select(vec![
        SocialChange::RequestSent,
        SocialChange::BecameFriends,
        SocialChange::Declined,
        SocialChange::Removed,
        SocialChange::Blocked,
        SocialChange::Unblocked,
        SocialChange::NameSet,
        SocialChange::Unchanged,
    ]);
    prop_oneof![
        (
            player(),
            "[a-z0-9-]{0,20}",
            any::<u64>(),
            option::of(resumed)
        )
            .prop_map(|(player, node, server_time_ms, resumed)| {
                Response::Welcome(Welcome {
                    player,
                    node,
                    server_time_ms,
                    resumed,
                    rulesets: BoundedVec::try_from_vec(vec![Ruleset::V1]).expect("one ruleset"),
                })
            }),
        (any::<u64>(), any::<u64>()).prop_map(|(client_time_ms, server_time_ms)| Response::Pong(
            Pong {
                client_time_ms,
                server_time_ms
            }
        )),
        (run_id(), any::<u64>(), world()).prop_map(|(run_id, seed, world)| Response::RunStarted(
            RunStarted {
                run_id,
                seed,
                ruleset: Ruleset::V1,
                world
            }
        )),
        (outcome(), option::of(run_end()))
            .prop_map(|(outcome, ended)| Response::JumpResult(JumpResult { outcome, ended })),
        prop_oneof![
            any::<u32>().prop_map(|next_seq| SubmitAck::Accepted { next_seq }),
            run_end().prop_map(SubmitAck::Ended),
        ]
        .prop_map(Response::Submitted),
        (bounded(card(), 8), option::of(player()), any::<u32>()).prop_map(
            |(friends, next, total)| Response::Friends(FriendPage {
                friends,
                next,
                total
            })
        ),
        (bounded(card(), 4), bounded(card(), 4)).prop_map(|(incoming, outgoing)| {
            Response::FriendRequests(FriendRequests { incoming, outgoing })
        }),
        change.prop_map(Response::Social),
        (
            board(),
            "[a-z0-9-]{1,12}",
            bounded(entry(), 8),
            any::<u32>()
        )
            .prop_map(
                |(board, period_id, entries, total)| Response::Board(BoardPage {
                    board,
                    period_id,
                    entries,
                    total
                })
            ),
        bounded(placement, 3).prop_map(|placements| Response::Standing(Standing { placements })),
        (bounded(notification(), 4), any::<bool>()).prop_map(|(notifications, more)| {
            Response::Notifications(NotificationPage {
                notifications,
                more,
            })
        }),
        notification_id().prop_map(|up_to| Response::Acked { up_to }),
        challenge().prop_map(Response::Challenge),
        (challenge(), bounded(entry(), 8), any::<u32>()).prop_map(|(challenge, entries, total)| {
            Response::ChallengePage(ChallengePage {
                challenge,
                entries,
                total,
            })
        }),
        replay().prop_map(Response::Replay),
    ]
}

fn replay() -> impl Strategy<Value = Replay> {
    (
        (player(), option::of(name()), "[adw0-9-]{1,11}", run_id()),
        (any::<u64>(), any::<u32>(), any::<u64>()),
        (bounded(jump(), 8), any::<u32>(), option::of(challenge_id())),
    )
        .prop_map(
            |(
                (player, name, period_id, run_id),
                (seed, score, reached_at_ms),
                (jumps, jumps_total, challenge),
            )| Replay {
                player,
                name,
                period_id,
                run_id,
                seed,
                ruleset: Ruleset::V1,
                score,
                reached_at_ms,
                jumps,
                jumps_total,
                challenge,
            },
        )
}

fn code() -> impl Strategy<Value = ErrorCode> {
    prop::sample::select(vec![
        ErrorCode::BadRequest,
        ErrorCode::MalformedFrame,
        ErrorCode::FrameTooLarge,
        ErrorCode::UnsupportedCodec,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::RateLimited,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::RunOver,
        ErrorCode::TooFast,
        ErrorCode::InvalidInput,
        ErrorCode::ServerBusy,
        ErrorCode::Unavailable,
        ErrorCode::ShuttingDown,
        ErrorCode::Internal,
        ErrorCode::HelloRequired,
    ])
}

pub(crate) fn server_frame() -> impl Strategy<Value = ServerFrame> {
    let goodbye = prop::sample::select(vec![
        GoodbyeReason::ShuttingDown,
        GoodbyeReason::ReplacedByNewLogin,
        GoodbyeReason::RateLimited,
        GoodbyeReason::TokenExpired,
        GoodbyeReason::IdleTimeout,
    ]);
    prop_oneof![
        (any::<u32>(), response()).prop_map(|(id, response)| ServerFrame::Reply {
            id: RequestId(id),
            response
        }),
        (option::of(any::<u32>()), code(), ".{0,40}").prop_map(|(id, code, message)| {
            ServerFrame::Error {
                id: id.map(RequestId),
                code,
                message,
            }
        }),
        notification().prop_map(|n| ServerFrame::Push(Push::Notification(n))),
        run_over().prop_map(|r| ServerFrame::Push(Push::RunResult(r))),
        (goodbye, any::<u32>()).prop_map(|(reason, reconnect_after_ms)| ServerFrame::Push(
            Push::Goodbye {
                reason,
                reconnect_after_ms
            }
        )),
    ]
}
