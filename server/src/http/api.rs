//! The HTTP read API for web pages and ops: leaderboards and standings as JSON, authenticated with the
//! same player tokens as the WebSocket (`Authorization: Bearer` or `?token=`). It calls the same
//! leaderboards domain as the WebSocket handlers.
//!
//! - `GET /v1/leaderboards/{daily|weekly|all_time}/{friends|global}?limit=N&after=R` (top, paged), or
//!   `?around=R` (the window around the player): a `BoardPage`.
//! - `GET /v1/standing/{friends|global}`: a `Standing`.
//! - `GET /v1/challenges/{id}?limit=N&after=R`: a `ChallengePage` (the challenge and its board).
//! - `GET /v1/replays/{period}/{player}`: a `Replay` (the player's best run of the period; yours or a
//!   friend's).
//!
//! Each player (the token's) may make `--api-rate-per-second` requests, `--api-rate-burst` at once; past
//! that the answer is 429 with `Retry-After`.

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use leapfrog_core::challenges::ChallengeError;
use leapfrog_core::replays::ReplayError;
use protocol::{Board, BoardWindow, ChallengeId, Period, PlayerId, ReadChallenge, Scope};

use super::{Body, json, text};
use crate::app::App;
use crate::gateway::rate_limit::retry_after;
use leapfrog_core::clock::unix_ms;

/// Routes a `/v1/...` request.
pub(crate) async fn handle(app: &App, request: &Request<Incoming>) -> Response<Body> {
    let player = match authenticate(app, request) {
        Ok(player) => player,
        Err(reason) => return text(StatusCode::UNAUTHORIZED, reason),
    };
    if let Err(not_until) = app.api_limits.check_key(&player) {
        app.gateway_metrics.rate_limited_total.inc();
        let mut response = text(
            StatusCode::TOO_MANY_REQUESTS,
            "too many requests: slow down",
        );
        super::retry_after(&mut response, retry_after(&not_until));
        return response;
    }
    let segments: Vec<&str> = request.uri().path().trim_matches('/').split('/').collect();
    let query = request.uri().query().unwrap_or("");
    let result = match segments.as_slice() {
        ["v1", "leaderboards", period, scope] => match (
            parse_period(period),
            parse_scope(scope),
            parse_window(query),
        ) {
            (Some(period), Some(scope), Ok(window)) => app
                .leaderboards
                .read(&player, Board { period, scope }, window, unix_ms())
                .await
                .map(|page| json(StatusCode::OK, &page)),
            (None, _, _) => {
                return text(
                    StatusCode::NOT_FOUND,
                    "period must be daily, weekly or all_time",
                );
            }
            (_, None, _) => return text(StatusCode::NOT_FOUND, "scope must be friends or global"),
            (_, _, Err(reason)) => return text(StatusCode::BAD_REQUEST, reason),
        },
        ["v1", "standing", scope] => match parse_scope(scope) {
            Some(scope) => app
                .leaderboards
                .standing(&player, scope, unix_ms())
                .await
                .map(|standing| json(StatusCode::OK, &standing)),
            None => return text(StatusCode::NOT_FOUND, "scope must be friends or global"),
        },
        ["v1", "challenges", id] => {
            let Ok(challenge) = id.parse() else {
                return text(StatusCode::NOT_FOUND, "a challenge id is 32 hex digits");
            };
            let (limit, after) = match parse_page(query) {
                Ok(page) => page,
                Err(reason) => return text(StatusCode::BAD_REQUEST, reason),
            };
            return match app.challenges.page(challenge, limit, after).await {
                Ok(page) => json(StatusCode::OK, &page),
                Err(ChallengeError::NotFound(_)) => text(
                    StatusCode::NOT_FOUND,
                    "no such challenge (it may have expired)",
                ),
                Err(error) => text(StatusCode::SERVICE_UNAVAILABLE, error.to_string()),
            };
        }
        ["v1", "replays", period, other] => {
            let Some(period) = parse_period(period) else {
                return text(
                    StatusCode::NOT_FOUND,
                    "period must be daily, weekly or all_time",
                );
            };
            let Ok(other) = other.parse::<PlayerId>() else {
                return text(StatusCode::NOT_FOUND, "no such player id");
            };
            return match app.replays.read(&player, &other, period, unix_ms()).await {
                Ok(replay) => json(StatusCode::OK, &replay),
                Err(error @ ReplayError::NotFriends(_)) => {
                    text(StatusCode::FORBIDDEN, error.to_string())
                }
                Err(error @ ReplayError::NotFound { .. }) => {
                    text(StatusCode::NOT_FOUND, error.to_string())
                }
                Err(error @ ReplayError::Corrupt { .. }) => {
                    text(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
                }
                Err(ReplayError::Store(error)) => {
                    text(StatusCode::SERVICE_UNAVAILABLE, error.to_string())
                }
            };
        }
        _ => return text(StatusCode::NOT_FOUND, "not found"),
    };
    result.unwrap_or_else(|error| text(StatusCode::SERVICE_UNAVAILABLE, error.to_string()))
}

/// The player the request's token names, or why there is none.
fn authenticate(app: &App, request: &Request<Incoming>) -> Result<PlayerId, String> {
    let token = crate::auth::presented_token(request.headers(), request.uri().query())
        .ok_or_else(|| crate::auth::TokenError::Missing.to_string())?;
    app.auth
        .verify(&token)
        .map(|claims| claims.sub)
        .map_err(|error| error.to_string())
}

/// The number `name` in `query`, if present.
fn number(query: &str, name: &str) -> Result<Option<u32>, String> {
    query
        .split('&')
        .find_map(|pair| {
            pair.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix('='))
        })
        .map(|text| text.parse().map_err(|_| format!("{name} must be a number")))
        .transpose()
}

fn parse_period(text: &str) -> Option<Period> {
    match text {
        "daily" => Some(Period::Daily),
        "weekly" => Some(Period::Weekly),
        "all_time" => Some(Period::AllTime),
        _ => None,
    }
}

fn parse_scope(text: &str) -> Option<Scope> {
    match text {
        "friends" => Some(Scope::Friends),
        "global" => Some(Scope::Global),
        _ => None,
    }
}

/// A challenge board's `limit` (default [`DEFAULT_LIMIT`]) and `after`.
fn parse_page(query: &str) -> Result<(usize, Option<u32>), String> {
    let read = ReadChallenge {
        challenge: ChallengeId::from_bytes([0; 16]),
        limit: u8::try_from(number(query, "limit")?.unwrap_or(DEFAULT_LIMIT)).unwrap_or(u8::MAX),
        after: number(query, "after")?,
    };
    let limit = read.validated_limit().map_err(|error| error.to_string())?;
    Ok((limit, read.after))
}

/// Entries of a top window when the query names no `limit`.
const DEFAULT_LIMIT: u32 = 20;

/// `limit` (default [`DEFAULT_LIMIT`]) and `after`, or `around`.
fn parse_window(query: &str) -> Result<BoardWindow, String> {
    let number = |name: &str| number(query, name);
    // A number too large for the window's field is out of range too: saturate, then validate.
    let small = |value: u32| u8::try_from(value).unwrap_or(u8::MAX);
    let window = match number("around")? {
        Some(radius) => BoardWindow::Around {
            radius: small(radius),
        },
        None => BoardWindow::Top {
            limit: small(number("limit")?.unwrap_or(DEFAULT_LIMIT)),
            after: number("after")?,
        },
    };
    window.validate().map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_come_from_the_query() {
        assert_eq!(
            parse_window(""),
            Ok(BoardWindow::Top {
                limit: 20,
                after: None
            })
        );
        assert_eq!(
            parse_window("limit=5&after=10"),
            Ok(BoardWindow::Top {
                limit: 5,
                after: Some(10)
            })
        );
        assert_eq!(
            parse_window("token=x&around=3"),
            Ok(BoardWindow::Around { radius: 3 })
        );
        assert!(parse_window("limit=0").is_err());
        assert!(parse_window("limit=1000").is_err());
        assert!(parse_window("around=51").is_err());
        assert!(parse_window("after=x").is_err());
    }
}
