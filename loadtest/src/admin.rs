//! Setting up players: signing their tokens with the server's JWT secret, and importing the social graph
//! through the admin API (`PUT /admin/v1/players/{id}/friends`).

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::{StreamExt, stream};
use leapfrog_server::auth::jwt::{Claims, issue};
use protocol::PlayerId;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::graph::Graph;

/// A player's id in this load run.
pub fn player_id(prefix: &str, index: u32) -> anyhow::Result<PlayerId> {
    PlayerId::new(format!("{prefix}-{index}"))
        .map_err(|error| anyhow::anyhow!("prefix {prefix:?} makes an invalid player id: {error}"))
}

/// A token for `player`, valid for a day.
pub fn token(secret: &str, player: &PlayerId) -> anyhow::Result<String> {
    let claims = Claims::new(player.clone(), leapfrog_core::clock::unix_seconds(), 86_400);
    issue(&claims, secret.as_bytes()).context("signing a player token with --jwt-secret")
}

/// Sets `player`'s friends to exactly `friends` (mutual, idempotent).
pub async fn import(
    admin: SocketAddr,
    secret: &str,
    player: &PlayerId,
    friends: &[PlayerId],
) -> anyhow::Result<()> {
    let body = serde_json::json!({ "friends": friends }).to_string();
    let path = format!("/admin/v1/players/{player}/friends");
    let (status, answer) = http(admin, "PUT", &path, secret, &body).await?;
    if status != 200 {
        bail!("importing {player}'s friends: HTTP {status}: {answer}");
    }
    Ok(())
}

/// Imports every list of `graph` (`ids` by index), 32 at a time.
pub async fn import_graph(
    admin: SocketAddr,
    secret: &str,
    ids: &[PlayerId],
    graph: &Graph,
) -> anyhow::Result<()> {
    let results: Vec<anyhow::Result<()>> = stream::iter(graph.lists.iter().enumerate())
        .filter(|(_, list)| std::future::ready(!list.is_empty()))
        .map(|(index, list)| async move {
            let friends: Vec<PlayerId> = list.iter().map(|&f| ids[f as usize].clone()).collect();
            import(admin, secret, &ids[index], &friends).await
        })
        .buffer_unordered(32)
        .collect()
        .await;
    results.into_iter().collect()
}

/// One HTTP/1.1 exchange with `Connection: close` (the admin API is small and local), answered with
/// its status and body. Public for the end-to-end tests, which ask a node's `/readyz` with it.
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    bearer: &str,
    body: &str,
) -> anyhow::Result<(u16, String)> {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await?;
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {bearer}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await?;
        let mut response = String::new();
        stream.read_to_string(&mut response).await?;
        Ok::<_, std::io::Error>(response)
    };
    let response = tokio::time::timeout(Duration::from_secs(30), exchange)
        .await
        .context("the admin API did not answer in 30 s")?
        .with_context(|| format!("talking to the admin API at {addr}"))?;
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_with_the_servers_code() {
        let player = player_id("lt", 7).unwrap();
        let token = token("secret", &player).unwrap();
        let now = leapfrog_core::clock::unix_seconds();
        let claims = leapfrog_server::auth::jwt::verify(&token, b"secret", now).unwrap();
        assert_eq!(claims.sub, player);
        assert!(player_id("not valid", 1).is_err());
    }
}
