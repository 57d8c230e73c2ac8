// GENERATED from the Rust `protocol` crate by protocol/tests/typescript_messages.rs: do not edit.
// After a change to the messages, regenerate with `BLESS=1 cargo test -p protocol --test typescript_messages`.

/**
 * Every message of the Leapfrog wire protocol (`protocol/PROTOCOL.md`), as TypeScript types and as the table
 * that drives the codecs. Types are the JSON shape of the messages: structs are objects with the Rust field
 * names, enums are externally tagged (a unit variant is its name, `"solo"`; any other is an object with one
 * key, `{ challenge: { seed: "42" } }`), an absent `Option` is `null`. The bincode codec reads and writes the
 * same shapes, so code never depends on the codec.
 *
 * @module
 */

import type { Schema } from "../codec/schema.js";

/**
 * A run id: 16 random bytes drawn by the server, as 32 lowercase hex digits (16 raw bytes in bincode). It is
 * also the resume token of an interrupted run, which only its own player can use.
 */
export type RunId = string;

/**
 * A challenge id: 16 random bytes the server draws when a run's course is shared, written like a run id.
 * It is what a share link carries; a challenge run is started with it, never with a seed.
 */
export type ChallengeId = string;

/**
 * A notification id, `"<ms>-<seq>"` (two u64 in bincode): the id of the entry in the player's inbox. Ids grow
 * with time, so acknowledging everything up to one id is a single comparison.
 */
export type NotificationId = string;

/**
 * A u64 as a decimal string (a plain u64 in bincode): seeds use the whole 64 bits, which a JavaScript number
 * cannot hold exactly.
 */
export type U64String = string;

/** A request from a client, with the id its answer will carry. */
export interface ClientFrame {
  /** Chosen by the client; echoed in the answer. */
  readonly id: number;
  /** What is asked. */
  readonly request: Request;
}

/** Everything a client can ask. Variants keep their position forever (bincode encodes the index). */
export type Request =
  /** Open the session: authenticate (if not done in the handshake) or renew it, resume a run. */
  | { readonly hello: Hello }
  /** Keep-alive and clock check. */
  | { readonly ping: Ping }
  /** Start a run. */
  | { readonly start_run: StartRun }
  /** One live jump. */
  | { readonly jump: JumpRequest }
  /** End a run now; its score counts. */
  | { readonly abandon: Abandon }
  /** A chunk of an offline run. */
  | { readonly submit_run: SubmitRun }
  /** A page of friends. */
  | { readonly list_friends: ListFriends }
  /** Pending friend requests, both ways. */
  | "list_friend_requests"
  /** Ask a player to be friends (accepts theirs if they already asked). */
  | { readonly send_friend_request: OtherPlayer }
  /** Accept a player's request. */
  | { readonly accept_friend_request: OtherPlayer }
  /** Decline a player's request. */
  | { readonly decline_friend_request: OtherPlayer }
  /** Stop being friends. */
  | { readonly remove_friend: OtherPlayer }
  /** Block a player: they can no longer send requests or see you. */
  | { readonly block: OtherPlayer }
  /** Lift a block. */
  | { readonly unblock: OtherPlayer }
  /** Set your display name. */
  | { readonly set_display_name: SetDisplayName }
  /** Read a leaderboard. */
  | { readonly read_board: ReadBoard }
  /** Read your own standing. */
  | { readonly read_standing: ReadStanding }
  /** List inbox notifications. */
  | { readonly list_notifications: ListNotifications }
  /** Acknowledge notifications up to an id. */
  | { readonly ack_notifications: AckNotifications }
  /** Share one of your runs as a challenge. */
  | { readonly create_challenge: CreateChallenge }
  /** Read a challenge and its board. */
  | { readonly read_challenge: ReadChallenge }
  /** Read a player's best run of a period (yours or a friend's), to watch it or race its ghost. */
  | { readonly read_replay: ReadReplay };

/** The first message of a session. */
export interface Hello {
  /** The client's name and version, for logs and compatibility decisions, e.g. `"ios/3.2.1"`. */
  readonly client_version: string;
  /** A JWT, for clients that cannot send it in the handshake (browsers). At most 2 KiB. */
  readonly token: string | null;
  /** The run to resume after an interruption: the `run_id` of `RunStarted`. */
  readonly resume: RunId | null;
  /** The newest notification this client has shown; newer unacknowledged ones are delivered again. */
  readonly last_notification: NotificationId | null;
}

/** Ping: the server answers `Pong` with its own clock. */
export interface Ping {
  /** The client's clock, echoed back for round-trip measurement. */
  readonly client_time_ms: number;
}

/** Start a run. */
export interface StartRun {
  /** Solo, challenge or offline. */
  readonly mode: StartMode;
}

/** How to start a run. */
export type StartMode =
  /** A new run on a seed the server draws. */
  | "solo"
  /**
   * Withdrawn: a run on a raw seed. Servers refuse it with `bad_request` (a seed is not a challenge a
   * player can be trusted to have been handed); use `ChallengeRun`. Kept so the variants after it keep
   * their position.
   */
  | {
      readonly challenge: {
        /** The seed (text in JSON). */
        readonly seed: U64String;
      };
    }
  /** A run to be played offline and submitted whole with `SubmitRun`. */
  | "offline"
  /**
   * A run on the course of a challenge a player shared (`CreateChallenge`): same seed and rules as
   * the shared run. It ranks on the challenge's own board, not on the period boards.
   */
  | {
      readonly challenge_run: {
        /** The challenge. */
        readonly challenge: ChallengeId;
      };
    };

/** One live jump. */
export interface JumpRequest {
  /** The run. */
  readonly run_id: RunId;
  /**
   * Index of this jump in the run, from 0. Sending the last applied `seq` again returns the same
   * answer without applying it twice.
   */
  readonly seq: number;
  /** Press duration, ms. */
  readonly press_ms: number;
  /** Time standing still before the press, ms. */
  readonly dwell_ms: number;
}

/** Abandon a run: it ends, and its score so far counts. */
export interface Abandon {
  /** The run. */
  readonly run_id: RunId;
}

/**
 * A chunk of an offline run. Client frames are at most 4 KiB, so a long run comes in several chunks,
 * each continuing where the previous stopped.
 */
export interface SubmitRun {
  /** The run (started with `StartMode::Offline`). */
  readonly run_id: RunId;
  /** Index of the first jump of this chunk: the number of jumps already submitted. */
  readonly first_seq: number;
  /** The jumps, in order. */
  readonly jumps: readonly Jump[];
  /** True on the final chunk: the server then verifies the whole run and records it. */
  readonly last: boolean;
}

/** One input: how long the player waited after the last landing settled, then how long they pressed. */
export interface Jump {
  /** Press duration in milliseconds; decides the distance flown. */
  readonly press_ms: number;
  /** Milliseconds standing still before the press started; earns special-platform bonuses. */
  readonly dwell_ms: number;
}

/** List friends, a page at a time (ordered by player id). */
export interface ListFriends {
  /** Start after this player id; `null` for the first page. */
  readonly after: string | null;
  /** Page size, 1 to 500. */
  readonly limit: number;
}

/** A request about one other player. */
export interface OtherPlayer {
  /** The other player. */
  readonly player: string;
}

/** Set the name other players see. */
export interface SetDisplayName {
  /** The new name. */
  readonly name: string;
}

/** Read a board. */
export interface ReadBoard {
  /** Which board. */
  readonly board: Board;
  /** Which part of it. */
  readonly window: BoardWindow;
}

/** A board: a period and a scope. */
export interface Board {
  /** The time window. */
  readonly period: Period;
  /** Whose scores. */
  readonly scope: Scope;
}

/** Which time window a board covers. */
export type Period =
  /** Today (the server's configured time zone). */
  | "daily"
  /** This week, from the configured reset (Monday 00:00 by default). */
  | "weekly"
  /** Since the beginning. */
  | "all_time";

/** Whose scores a board ranks. */
export type Scope =
  /** The player and their friends. */
  | "friends"
  /** Everybody. */
  | "global";

/** Which part of a board to read. */
export type BoardWindow =
  /**
   * The best entries: `limit` (1 to 100) from rank `after + 1` (`after` = the last rank already read,
   * `null` for the top).
   */
  | {
      readonly top: {
        /** Entries to return, 1 to 100. */
        readonly limit: number;
        /** The last rank already read. */
        readonly after: number | null;
      };
    }
  /** The entries around the player: up to `radius` (0 to 50) above and below. */
  | {
      readonly around: {
        /** Entries on each side, 0 to 50. */
        readonly radius: number;
      };
    };

/** Read the player's own standing on every period of a scope. */
export interface ReadStanding {
  /** Friends or global. */
  readonly scope: Scope;
}

/** List inbox notifications newer than `after`. */
export interface ListNotifications {
  /** Only notifications after this id; `null` for the oldest unacknowledged. */
  readonly after: NotificationId | null;
  /** At most this many, 1 to 100. */
  readonly limit: number;
}

/** Acknowledge every notification up to and including `up_to`: they are never delivered again. */
export interface AckNotifications {
  /** The newest notification the client has shown. */
  readonly up_to: NotificationId;
}

/**
 * Share the course of one of your ended runs as a challenge. Sharing the same run again answers the
 * same challenge.
 */
export interface CreateChallenge {
  /** The run, which must be yours and over. */
  readonly run_id: RunId;
}

/** Read a challenge and a page of its board, best first. */
export interface ReadChallenge {
  /** The challenge. */
  readonly challenge: ChallengeId;
  /** Entries to return, 0 to 100 (0: the challenge only). */
  readonly limit: number;
  /** The last rank already read (`null` for the top). */
  readonly after: number | null;
}

/** Read a player's best run of this period (daily, weekly or all-time): yours, or a friend's. */
export interface ReadReplay {
  /** Whose best run. */
  readonly player: string;
  /** Of which period (the one running now). */
  readonly period: Period;
}

/** Everything a server sends. */
export type ServerFrame =
  /** The answer to request `id`. */
  | {
      readonly reply: {
        /** The request's id. */
        readonly id: number;
        /** The answer. */
        readonly response: Response;
      };
    }
  /** A request failed, or a frame could not be read (`id` absent when it could not be decoded). */
  | {
      readonly error: {
        /** The request's id, when known. */
        readonly id: number | null;
        /** What went wrong, for programs. */
        readonly code: ErrorCode;
        /** What went wrong, for people. */
        readonly message: string;
      };
    }
  /** Sent without a request. */
  | { readonly push: Push };

/** A successful answer. Variants keep their position forever. */
export type Response =
  /** Answer to `Hello`. */
  | { readonly welcome: Welcome }
  /** Answer to `Ping`. */
  | { readonly pong: Pong }
  /** Answer to `StartRun`. */
  | { readonly run_started: RunStarted }
  /** Answer to `Jump`. */
  | { readonly jump_result: JumpResult }
  /** Answer to `SubmitRun` and `Abandon`. */
  | { readonly submitted: SubmitAck }
  /** Answer to `ListFriends`. */
  | { readonly friends: FriendPage }
  /** Answer to `ListFriendRequests`. */
  | { readonly friend_requests: FriendRequests }
  /** Answer to every social change. */
  | { readonly social: SocialChange }
  /** Answer to `ReadBoard`. */
  | { readonly board: BoardPage }
  /** Answer to `ReadStanding`. */
  | { readonly standing: Standing }
  /** Answer to `ListNotifications`. */
  | { readonly notifications: NotificationPage }
  /** Answer to `AckNotifications`: everything up to this id is acknowledged. */
  | {
      readonly acked: {
        /** The acknowledged id. */
        readonly up_to: NotificationId;
      };
    }
  /** Answer to `CreateChallenge`. */
  | { readonly challenge: Challenge }
  /** Answer to `ReadChallenge`. */
  | { readonly challenge_page: ChallengePage }
  /** Answer to `ReadReplay`. */
  | { readonly replay: Replay };

/** The answer to `Hello`. */
export interface Welcome {
  /** The authenticated player. */
  readonly player: string;
  /** The node that holds this connection (for support and logs). */
  readonly node: string;
  /** The server's clock, unix ms, so clients can show times consistently. */
  readonly server_time_ms: number;
  /** The resumed run, when `Hello::resume` named a run that is still going. */
  readonly resumed: ResumedRun | null;
  /** The ruleset versions this server can play and verify. */
  readonly rulesets: readonly number[];
}

/** A run continued after an interruption, exactly where it was. */
export interface ResumedRun {
  /** The run. */
  readonly run_id: RunId;
  /** Its seed (text in JSON). */
  readonly seed: U64String;
  /** Its rules. */
  readonly ruleset: number;
  /** Jumps applied so far: the `seq` of the next jump. */
  readonly next_seq: number;
  /** Score so far. */
  readonly score: number;
  /** Current combo. */
  readonly combo: number;
  /** What the player sees now. */
  readonly world: World;
}

/** Everything a client needs to draw the current moment of a run. */
export interface World {
  /** Where the figure stands. */
  readonly figure: Point;
  /** The platform the figure stands on. */
  readonly current: Platform;
  /** The platform to jump to. */
  readonly next: Platform;
  /** The direction from the figure to `next`; the figure always jumps straight along it. */
  readonly direction: Direction;
  /** True when the current platform is special and its bonus has not been earned yet. */
  readonly bonus_available: boolean;
}

/** A point on the ground plane, in milli-units. */
export interface Point {
  /** Towards the isometric right. */
  readonly x: number;
  /** Towards the viewer; a "left" jump decreases it. */
  readonly z: number;
}

/** A platform: where it is, its shape and size, and whether it is special. */
export interface Platform {
  /** Centre of the top. */
  readonly centre: Point;
  /** Top shape. */
  readonly shape: Shape;
  /** Half-side (cube) or radius (cylinder), in milli-units. */
  readonly radius: number;
  /** Set for special platforms. */
  readonly special: SpecialKind | null;
}

/** The shape of a platform's top. */
export type Shape =
  /** A square top of half-side `radius`, aligned with the axes. */
  | "cube"
  /** A round top of radius `radius`. */
  | "cylinder";

/** The special platforms of the original game. Waiting on one before the next press earns a bonus. */
export type SpecialKind =
  /** Music box: +30. */
  | "music_box"
  /** Convenience store: +15. */
  | "convenience_store"
  /** Rubik's cube: +10. */
  | "rubiks_cube"
  /** Manhole cover (always a cylinder): +5. */
  | "manhole_cover";

/** One of the two directions the next platform can lie in. */
export type Direction =
  /** `+x`: up and to the right on screen. */
  | "right"
  /** `-z`: up and to the left on screen. */
  | "left";

/** The answer to `Ping`. */
export interface Pong {
  /** Echo of `Ping::client_time_ms`. */
  readonly client_time_ms: number;
  /** The server's clock, unix ms. */
  readonly server_time_ms: number;
}

/** The answer to `StartRun`. */
export interface RunStarted {
  /** The run; also the token to resume it after a disconnect. */
  readonly run_id: RunId;
  /** Its seed (text in JSON): with `ruleset`, everything needed to simulate it locally. */
  readonly seed: U64String;
  /** Its rules. */
  readonly ruleset: number;
  /** The start platform, the first next platform and the figure. */
  readonly world: World;
}

/** The answer to a jump. */
export interface JumpResult {
  /** What the server's simulation computed: landing, points, combo, score, the world after the jump. */
  readonly outcome: JumpOutcome;
  /** Set when this jump ended the run. */
  readonly ended: RunEnd | null;
}

/** The result of one jump: everything a client needs to animate it and show the new state. */
export interface JumpOutcome {
  /** Zero-based index of this jump in the run. */
  readonly index: number;
  /** How the jump came down. */
  readonly landing: Landing;
  /** Points for the landing itself (0, 1, or a centre hit's `2 * combo` up to the cap). */
  readonly points: number;
  /** Special-platform bonus earned by the dwell before this jump (0 if none). */
  readonly bonus: number;
  /** Consecutive centre hits including this jump (0 after any other landing). */
  readonly combo: number;
  /** The run's total score after this jump. */
  readonly score: number;
  /** Where the figure touched down. */
  readonly touchdown: Point;
  /**
   * The world after the jump. After a jump that ends the run it is the world the jump was made in,
   * with the figure at the touch-down point.
   */
  readonly world: World;
  /** True when this jump ended the run. */
  readonly game_over: boolean;
}

/** How a jump ended. The first three keep the run going; the rest end it. */
export type Landing =
  /** On the next platform, within `centre_radius` of its centre. */
  | "centre"
  /** On the next platform, away from its centre. */
  | "landed"
  /** Fell short of the next platform but is still on the current one: a hop, no points. */
  | "stayed"
  /** Overshot: only the back half of the body is on the next platform's far edge. */
  | "tipped_forward"
  /** Just short: only the front half of the body is on the next platform's near edge. */
  | "tipped_back"
  /** Just past the current platform: the body hangs over its edge. */
  | "overhang"
  /** Touched nothing. */
  | "fell";

/** How an ended run's result stands. */
export type RunEnd =
  /** Recorded: the final figures. */
  | { readonly over: RunOver }
  /** Being recorded (the store is briefly unavailable); `Push::RunResult` brings the figures. */
  | {
      readonly pending: {
        /** The run. */
        readonly run_id: RunId;
        /** Its final score, already certain. */
        readonly final_score: number;
      };
    };

/** The final figures of a recorded run. */
export interface RunOver {
  /** The run. */
  readonly run_id: RunId;
  /** Its seed, for sharing as a challenge (text in JSON). */
  readonly seed: U64String;
  /** The final score. */
  readonly final_score: number;
  /** New personal bests per period. */
  readonly new_best: NewBest;
  /** Friends passed on this week's board (a tie does not pass), at most 100. */
  readonly passed: readonly PassedFriend[];
  /** How many friends were passed in all (may exceed the list). */
  readonly passed_count: number;
  /** Rank among friends (player included, 1 = first) on this week's board before the run. */
  readonly friend_rank_before: number | null;
  /** The same rank after the run. */
  readonly friend_rank_after: number | null;
}

/** Per board period, whether a run set a new personal best. */
export interface NewBest {
  /** Today's board. */
  readonly daily: boolean;
  /** This week's board. */
  readonly weekly: boolean;
  /** The all-time board. */
  readonly all_time: boolean;
}

/** A friend whose best a run passed. */
export interface PassedFriend {
  /** The friend. */
  readonly player: string;
  /** Their display name, if they set one. */
  readonly name: string | null;
  /** Their best on the board that was passed. */
  readonly score: number;
}

/** The answer to `SubmitRun` and `Abandon`. */
export type SubmitAck =
  /** A chunk was accepted; send the next one from `next_seq`. */
  | {
      readonly accepted: {
        /** The `first_seq` of the next chunk. */
        readonly next_seq: number;
      };
    }
  /** The run ended. */
  | { readonly ended: RunEnd };

/** A page of friends. */
export interface FriendPage {
  /** The friends on this page. */
  readonly friends: readonly PlayerCard[];
  /** Pass as `ListFriends::after` for the next page; `null` on the last page. */
  readonly next: string | null;
  /** Friends in all. */
  readonly total: number;
}

/** One player in a social list. */
export interface PlayerCard {
  /** The player. */
  readonly player: string;
  /** Their display name, if set. */
  readonly name: string | null;
  /** Unix ms since when the relation holds (friends since, request sent at). */
  readonly since_ms: number;
}

/** Pending friend requests, both ways. */
export interface FriendRequests {
  /** Requests other players sent to this player. */
  readonly incoming: readonly PlayerCard[];
  /** Requests this player sent. */
  readonly outgoing: readonly PlayerCard[];
}

/** What a social change did. */
export type SocialChange =
  /** A friend request was sent. */
  | "request_sent"
  /** The other player had already asked: the two are now friends. */
  | "became_friends"
  /** A request was declined. */
  | "declined"
  /** A friendship was removed. */
  | "removed"
  /** A player was blocked (any friendship and requests between the two are gone). */
  | "blocked"
  /** A player was unblocked. */
  | "unblocked"
  /** The display name was set. */
  | "name_set"
  /** Nothing changed: the state asked for already held. */
  | "unchanged";

/** A page of a board. */
export interface BoardPage {
  /** Which board. */
  readonly board: Board;
  /** The period's identifier, e.g. `w2026-11-23` (its first day), `d2026-11-24`, `all`. */
  readonly period_id: string;
  /** The entries, best first. */
  readonly entries: readonly BoardEntry[];
  /** Entries on the whole board (within the scope). */
  readonly total: number;
}

/** One ranked entry. */
export interface BoardEntry {
  /** 1-based rank on the board (within the scope: among friends for a friends board). */
  readonly rank: number;
  /** The player. */
  readonly player: string;
  /** Their display name, if set. */
  readonly name: string | null;
  /** Their best score in the period. */
  readonly score: number;
  /** Unix ms when they first reached it (earlier ranks first on a tie). */
  readonly reached_at_ms: number;
}

/** The answer to `ReadStanding`: one placement per period. */
export interface Standing {
  /** Daily, weekly and all-time placements. */
  readonly placements: readonly Placement[];
}

/** A player's place on one board. */
export interface Placement {
  /** Which board. */
  readonly board: Board;
  /** 1-based rank; `null` without a score in the period. */
  readonly rank: number | null;
  /** Best score in the period (0 without one). */
  readonly score: number;
  /** Entries on the board. */
  readonly total: number;
}

/** A page of the inbox. */
export interface NotificationPage {
  /** Oldest first. */
  readonly notifications: readonly Notification[];
  /** True when more follow the last one. */
  readonly more: boolean;
}

/**
 * A durable notification: stored in the player's inbox until acknowledged, and pushed live if they
 * are connected.
 */
export interface Notification {
  /** Its id, for acknowledgement. */
  readonly id: NotificationId;
  /** Unix ms when it was created. */
  readonly created_ms: number;
  /** What happened. */
  readonly event: Event;
}

/** What a notification tells. */
export type Event =
  /** A friend's new best passed yours. */
  | {
      readonly friend_passed: {
        /** The friend. */
        readonly friend: string;
        /** Their display name, if set. */
        readonly name: string | null;
        /** Their new best. */
        readonly their_score: number;
        /** Your best on that board. */
        readonly your_score: number;
        /** The board. */
        readonly board: Board;
      };
    }
  /** Several friends passed you within a short window: one summary instead of a flood. */
  | {
      readonly friends_passed_summary: {
        /** How many friends passed you. */
        readonly count: number;
        /** Some of their names (at most 5). */
        readonly names: readonly string[];
        /** The best of their new scores. */
        readonly best_score: number;
        /** Your best on that board. */
        readonly your_score: number;
        /** The board. */
        readonly board: Board;
      };
    }
  /** Someone asked to be your friend. */
  | {
      readonly friend_request_received: {
        /** Who. */
        readonly from: string;
        /** Their display name, if set. */
        readonly name: string | null;
      };
    }
  /** Someone accepted your friend request. */
  | {
      readonly friend_request_accepted: {
        /** Who. */
        readonly by: string;
        /** Their display name, if set. */
        readonly name: string | null;
      };
    };

/** A challenge: what a share link carries, and what a challenger sees before playing. */
export interface Challenge {
  /** The id to share (in a link) and to start a `ChallengeRun` with. */
  readonly challenge: ChallengeId;
  /** Who shared it. */
  readonly owner: string;
  /** Their display name, if set. */
  readonly owner_name: string | null;
  /** The score of the shared run: the one to beat. */
  readonly owner_score: number;
  /** The course: seed (text in JSON) and rules, the same as the shared run's. */
  readonly seed: U64String;
  /** The rules. */
  readonly ruleset: number;
  /** Unix ms after which the challenge and its board are gone. */
  readonly expires_at_ms: number;
}

/** A challenge and a page of its board. */
export interface ChallengePage {
  /** The challenge. */
  readonly challenge: Challenge;
  /** Its best runs, one per player (their best), ranked; the owner's shared run included. */
  readonly entries: readonly BoardEntry[];
  /** Players on the board. */
  readonly total: number;
}

/** A best run: its course and every input, enough to replay it exactly with the rules. */
export interface Replay {
  /** Whose run. */
  readonly player: string;
  /** Their display name, if set. */
  readonly name: string | null;
  /** The period it is the best of, e.g. `w2026-11-23`, `d2026-11-24`, `all`. */
  readonly period_id: string;
  /** The run. */
  readonly run_id: RunId;
  /** Its seed (text in JSON). */
  readonly seed: U64String;
  /** Its rules. */
  readonly ruleset: number;
  /** Its final score. */
  readonly score: number;
  /** Unix ms when it ended. */
  readonly reached_at_ms: number;
  /** Its inputs, in order: the first 1,500 (a longer run's ghost stops there). */
  readonly jumps: readonly Jump[];
  /** How many jumps the run had. */
  readonly jumps_total: number;
  /**
   * The challenge this run was shared as, if its player shared it: a run started on it races the ghost
   * on the same course.
   */
  readonly challenge: ChallengeId | null;
}

/**
 * What went wrong. Variants keep their position forever (bincode encodes the index); new codes are
 * only ever appended.
 */
export type ErrorCode =
  /** The request is well-formed but makes no sense (a bad limit, a missing field value). */
  | "bad_request"
  /** The frame could not be decoded. */
  | "malformed_frame"
  /** The frame is larger than the protocol allows. */
  | "frame_too_large"
  /** A frame of the other codec's kind (text on the bincode subprotocol, binary on JSON). */
  | "unsupported_codec"
  /** No valid authentication (missing, forged, expired or malformed token). */
  | "unauthorized"
  /** Authenticated, but not allowed (someone else's run, a player who blocked you). */
  | "forbidden"
  /** Too many messages: slow down. */
  | "rate_limited"
  /** No such run, player or notification. */
  | "not_found"
  /** The request conflicts with the current state (a jump out of sequence, a duplicate request). */
  | "conflict"
  /** The run is over; nothing more is accepted for it. */
  | "run_over"
  /** The input came faster than a person can play. */
  | "too_fast"
  /** An input with impossible values, or an offline run that failed verification. */
  | "invalid_input"
  /** The server is overloaded or its queues are full: retry later. */
  | "server_busy"
  /** A store the server needs is unreachable: retry later; nothing was changed. */
  | "unavailable"
  /** The server is shutting down. */
  | "shutting_down"
  /** A bug on the server. */
  | "internal"
  /** The request must wait for authentication (send `Hello` with a token first). */
  | "hello_required";

/** Everything the server sends without being asked. */
export type Push =
  /** A new notification (also kept in the inbox until acknowledged). */
  | { readonly notification: Notification }
  /** A run whose result was pending is now recorded. */
  | { readonly run_result: RunOver }
  /** The server is about to close the connection. */
  | {
      readonly goodbye: {
        /** Why. */
        readonly reason: GoodbyeReason;
        /** Wait at least this long before reconnecting (0: at once). */
        readonly reconnect_after_ms: number;
      };
    };

/** Why the server is closing the connection. */
export type GoodbyeReason =
  /** The node is shutting down; reconnect (to any node) after the delay. */
  | "shutting_down"
  /** The same player logged in on another connection. */
  | "replaced_by_new_login"
  /** Too many messages. */
  | "rate_limited"
  /** The token expired. */
  | "token_expired"
  /** The client was silent too long. */
  | "idle_timeout";

/** Every message type by its schema name: the codecs' typed entry points take one of these names. */
export interface Messages {
  ClientFrame: ClientFrame;
  Request: Request;
  Hello: Hello;
  Ping: Ping;
  StartRun: StartRun;
  StartMode: StartMode;
  JumpRequest: JumpRequest;
  Abandon: Abandon;
  SubmitRun: SubmitRun;
  Jump: Jump;
  ListFriends: ListFriends;
  OtherPlayer: OtherPlayer;
  SetDisplayName: SetDisplayName;
  ReadBoard: ReadBoard;
  Board: Board;
  Period: Period;
  Scope: Scope;
  BoardWindow: BoardWindow;
  ReadStanding: ReadStanding;
  ListNotifications: ListNotifications;
  AckNotifications: AckNotifications;
  CreateChallenge: CreateChallenge;
  ReadChallenge: ReadChallenge;
  ReadReplay: ReadReplay;
  ServerFrame: ServerFrame;
  Response: Response;
  Welcome: Welcome;
  ResumedRun: ResumedRun;
  World: World;
  Point: Point;
  Platform: Platform;
  Shape: Shape;
  SpecialKind: SpecialKind;
  Direction: Direction;
  Pong: Pong;
  RunStarted: RunStarted;
  JumpResult: JumpResult;
  JumpOutcome: JumpOutcome;
  Landing: Landing;
  RunEnd: RunEnd;
  RunOver: RunOver;
  NewBest: NewBest;
  PassedFriend: PassedFriend;
  SubmitAck: SubmitAck;
  FriendPage: FriendPage;
  PlayerCard: PlayerCard;
  FriendRequests: FriendRequests;
  SocialChange: SocialChange;
  BoardPage: BoardPage;
  BoardEntry: BoardEntry;
  Standing: Standing;
  Placement: Placement;
  NotificationPage: NotificationPage;
  Notification: Notification;
  Event: Event;
  Challenge: Challenge;
  ChallengePage: ChallengePage;
  Replay: Replay;
  ErrorCode: ErrorCode;
  Push: Push;
  GoodbyeReason: GoodbyeReason;
}

/**
 * Every container's fields and variants, in declared order: bincode writes fields in this order and variants
 * by their index here, JSON names them, so both codecs are driven by this one table.
 */
export const SCHEMA: Schema = {
  ClientFrame: { struct: [["id", "u32"], ["request", "Request"]] },
  Request: {
    enum: [
      ["hello", "Hello"],
      ["ping", "Ping"],
      ["start_run", "StartRun"],
      ["jump", "JumpRequest"],
      ["abandon", "Abandon"],
      ["submit_run", "SubmitRun"],
      ["list_friends", "ListFriends"],
      ["list_friend_requests", null],
      ["send_friend_request", "OtherPlayer"],
      ["accept_friend_request", "OtherPlayer"],
      ["decline_friend_request", "OtherPlayer"],
      ["remove_friend", "OtherPlayer"],
      ["block", "OtherPlayer"],
      ["unblock", "OtherPlayer"],
      ["set_display_name", "SetDisplayName"],
      ["read_board", "ReadBoard"],
      ["read_standing", "ReadStanding"],
      ["list_notifications", "ListNotifications"],
      ["ack_notifications", "AckNotifications"],
      ["create_challenge", "CreateChallenge"],
      ["read_challenge", "ReadChallenge"],
      ["read_replay", "ReadReplay"],
    ],
  },
  Hello: {
    struct: [
      ["client_version", "str"],
      ["token", ["option", "str"]],
      ["resume", ["option", "run_id"]],
      ["last_notification", ["option", "notification_id"]],
    ],
  },
  Ping: { struct: [["client_time_ms", "u64"]] },
  StartRun: { struct: [["mode", "StartMode"]] },
  StartMode: {
    enum: [
      ["solo", null],
      ["challenge", { fields: [["seed", "u64_text"]] }],
      ["offline", null],
      ["challenge_run", { fields: [["challenge", "run_id"]] }],
    ],
  },
  JumpRequest: { struct: [["run_id", "run_id"], ["seq", "u32"], ["press_ms", "u32"], ["dwell_ms", "u32"]] },
  Abandon: { struct: [["run_id", "run_id"]] },
  SubmitRun: { struct: [["run_id", "run_id"], ["first_seq", "u32"], ["jumps", ["seq", "Jump"]], ["last", "bool"]] },
  Jump: { struct: [["press_ms", "u32"], ["dwell_ms", "u32"]] },
  ListFriends: { struct: [["after", ["option", "str"]], ["limit", "u16"]] },
  OtherPlayer: { struct: [["player", "str"]] },
  SetDisplayName: { struct: [["name", "str"]] },
  ReadBoard: { struct: [["board", "Board"], ["window", "BoardWindow"]] },
  Board: { struct: [["period", "Period"], ["scope", "Scope"]] },
  Period: {
    enum: [
      ["daily", null],
      ["weekly", null],
      ["all_time", null],
    ],
  },
  Scope: {
    enum: [
      ["friends", null],
      ["global", null],
    ],
  },
  BoardWindow: {
    enum: [
      ["top", { fields: [["limit", "u8"], ["after", ["option", "u32"]]] }],
      ["around", { fields: [["radius", "u8"]] }],
    ],
  },
  ReadStanding: { struct: [["scope", "Scope"]] },
  ListNotifications: { struct: [["after", ["option", "notification_id"]], ["limit", "u8"]] },
  AckNotifications: { struct: [["up_to", "notification_id"]] },
  CreateChallenge: { struct: [["run_id", "run_id"]] },
  ReadChallenge: { struct: [["challenge", "run_id"], ["limit", "u8"], ["after", ["option", "u32"]]] },
  ReadReplay: { struct: [["player", "str"], ["period", "Period"]] },
  ServerFrame: {
    enum: [
      ["reply", { fields: [["id", "u32"], ["response", "Response"]] }],
      ["error", { fields: [["id", ["option", "u32"]], ["code", "ErrorCode"], ["message", "str"]] }],
      ["push", "Push"],
    ],
  },
  Response: {
    enum: [
      ["welcome", "Welcome"],
      ["pong", "Pong"],
      ["run_started", "RunStarted"],
      ["jump_result", "JumpResult"],
      ["submitted", "SubmitAck"],
      ["friends", "FriendPage"],
      ["friend_requests", "FriendRequests"],
      ["social", "SocialChange"],
      ["board", "BoardPage"],
      ["standing", "Standing"],
      ["notifications", "NotificationPage"],
      ["acked", { fields: [["up_to", "notification_id"]] }],
      ["challenge", "Challenge"],
      ["challenge_page", "ChallengePage"],
      ["replay", "Replay"],
    ],
  },
  Welcome: {
    struct: [
      ["player", "str"],
      ["node", "str"],
      ["server_time_ms", "u64"],
      ["resumed", ["option", "ResumedRun"]],
      ["rulesets", ["seq", "u16"]],
    ],
  },
  ResumedRun: {
    struct: [
      ["run_id", "run_id"],
      ["seed", "u64_text"],
      ["ruleset", "u16"],
      ["next_seq", "u32"],
      ["score", "u32"],
      ["combo", "u32"],
      ["world", "World"],
    ],
  },
  World: {
    struct: [
      ["figure", "Point"],
      ["current", "Platform"],
      ["next", "Platform"],
      ["direction", "Direction"],
      ["bonus_available", "bool"],
    ],
  },
  Point: { struct: [["x", "i64"], ["z", "i64"]] },
  Platform: {
    struct: [
      ["centre", "Point"],
      ["shape", "Shape"],
      ["radius", "i64"],
      ["special", ["option", "SpecialKind"]],
    ],
  },
  Shape: {
    enum: [
      ["cube", null],
      ["cylinder", null],
    ],
  },
  SpecialKind: {
    enum: [
      ["music_box", null],
      ["convenience_store", null],
      ["rubiks_cube", null],
      ["manhole_cover", null],
    ],
  },
  Direction: {
    enum: [
      ["right", null],
      ["left", null],
    ],
  },
  Pong: { struct: [["client_time_ms", "u64"], ["server_time_ms", "u64"]] },
  RunStarted: { struct: [["run_id", "run_id"], ["seed", "u64_text"], ["ruleset", "u16"], ["world", "World"]] },
  JumpResult: { struct: [["outcome", "JumpOutcome"], ["ended", ["option", "RunEnd"]]] },
  JumpOutcome: {
    struct: [
      ["index", "u32"],
      ["landing", "Landing"],
      ["points", "u32"],
      ["bonus", "u32"],
      ["combo", "u32"],
      ["score", "u32"],
      ["touchdown", "Point"],
      ["world", "World"],
      ["game_over", "bool"],
    ],
  },
  Landing: {
    enum: [
      ["centre", null],
      ["landed", null],
      ["stayed", null],
      ["tipped_forward", null],
      ["tipped_back", null],
      ["overhang", null],
      ["fell", null],
    ],
  },
  RunEnd: {
    enum: [
      ["over", "RunOver"],
      ["pending", { fields: [["run_id", "run_id"], ["final_score", "u32"]] }],
    ],
  },
  RunOver: {
    struct: [
      ["run_id", "run_id"],
      ["seed", "u64_text"],
      ["final_score", "u32"],
      ["new_best", "NewBest"],
      ["passed", ["seq", "PassedFriend"]],
      ["passed_count", "u32"],
      ["friend_rank_before", ["option", "u32"]],
      ["friend_rank_after", ["option", "u32"]],
    ],
  },
  NewBest: { struct: [["daily", "bool"], ["weekly", "bool"], ["all_time", "bool"]] },
  PassedFriend: { struct: [["player", "str"], ["name", ["option", "str"]], ["score", "u32"]] },
  SubmitAck: {
    enum: [
      ["accepted", { fields: [["next_seq", "u32"]] }],
      ["ended", "RunEnd"],
    ],
  },
  FriendPage: { struct: [["friends", ["seq", "PlayerCard"]], ["next", ["option", "str"]], ["total", "u32"]] },
  PlayerCard: { struct: [["player", "str"], ["name", ["option", "str"]], ["since_ms", "u64"]] },
  FriendRequests: { struct: [["incoming", ["seq", "PlayerCard"]], ["outgoing", ["seq", "PlayerCard"]]] },
  SocialChange: {
    enum: [
      ["request_sent", null],
      ["became_friends", null],
      ["declined", null],
      ["removed", null],
      ["blocked", null],
      ["unblocked", null],
      ["name_set", null],
      ["unchanged", null],
    ],
  },
  BoardPage: {
    struct: [
      ["board", "Board"],
      ["period_id", "str"],
      ["entries", ["seq", "BoardEntry"]],
      ["total", "u32"],
    ],
  },
  BoardEntry: {
    struct: [
      ["rank", "u32"],
      ["player", "str"],
      ["name", ["option", "str"]],
      ["score", "u32"],
      ["reached_at_ms", "u64"],
    ],
  },
  Standing: { struct: [["placements", ["seq", "Placement"]]] },
  Placement: { struct: [["board", "Board"], ["rank", ["option", "u32"]], ["score", "u32"], ["total", "u32"]] },
  NotificationPage: { struct: [["notifications", ["seq", "Notification"]], ["more", "bool"]] },
  Notification: { struct: [["id", "notification_id"], ["created_ms", "u64"], ["event", "Event"]] },
  Event: {
    enum: [
      [
        "friend_passed",
        {
          fields: [
            ["friend", "str"],
            ["name", ["option", "str"]],
            ["their_score", "u32"],
            ["your_score", "u32"],
            ["board", "Board"],
          ],
        },
      ],
      [
        "friends_passed_summary",
        {
          fields: [
            ["count", "u32"],
            ["names", ["seq", "str"]],
            ["best_score", "u32"],
            ["your_score", "u32"],
            ["board", "Board"],
          ],
        },
      ],
      ["friend_request_received", { fields: [["from", "str"], ["name", ["option", "str"]]] }],
      ["friend_request_accepted", { fields: [["by", "str"], ["name", ["option", "str"]]] }],
    ],
  },
  Challenge: {
    struct: [
      ["challenge", "run_id"],
      ["owner", "str"],
      ["owner_name", ["option", "str"]],
      ["owner_score", "u32"],
      ["seed", "u64_text"],
      ["ruleset", "u16"],
      ["expires_at_ms", "u64"],
    ],
  },
  ChallengePage: { struct: [["challenge", "Challenge"], ["entries", ["seq", "BoardEntry"]], ["total", "u32"]] },
  Replay: {
    struct: [
      ["player", "str"],
      ["name", ["option", "str"]],
      ["period_id", "str"],
      ["run_id", "run_id"],
      ["seed", "u64_text"],
      ["ruleset", "u16"],
      ["score", "u32"],
      ["reached_at_ms", "u64"],
      ["jumps", ["seq", "Jump"]],
      ["jumps_total", "u32"],
      ["challenge", ["option", "run_id"]],
    ],
  },
  ErrorCode: {
    enum: [
      ["bad_request", null],
      ["malformed_frame", null],
      ["frame_too_large", null],
      ["unsupported_codec", null],
      ["unauthorized", null],
      ["forbidden", null],
      ["rate_limited", null],
      ["not_found", null],
      ["conflict", null],
      ["run_over", null],
      ["too_fast", null],
      ["invalid_input", null],
      ["server_busy", null],
      ["unavailable", null],
      ["shutting_down", null],
      ["internal", null],
      ["hello_required", null],
    ],
  },
  Push: {
    enum: [
      ["notification", "Notification"],
      ["run_result", "RunOver"],
      ["goodbye", { fields: [["reason", "GoodbyeReason"], ["reconnect_after_ms", "u32"]] }],
    ],
  },
  GoodbyeReason: {
    enum: [
      ["shutting_down", null],
      ["replaced_by_new_login", null],
      ["rate_limited", null],
      ["token_expired", null],
      ["idle_timeout", null],
    ],
  },
};
