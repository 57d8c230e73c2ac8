//! `idle`: connect, say hello and hold the connection until the deadline, answering nothing but pushes:
//! what an idle authenticated connection costs the server.

use std::sync::Arc;

use super::{Shared, hello};
use crate::client::{CallError, Connection};

/// One idle player.
pub async fn player(shared: Arc<Shared>, mut connection: Connection) -> Result<(), CallError> {
    hello(&mut connection).await?;
    let wait = shared
        .deadline
        .saturating_duration_since(tokio::time::Instant::now());
    connection.idle(wait).await?;
    connection.close().await;
    Ok(())
}
