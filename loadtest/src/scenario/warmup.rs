//! Warm-up: the offline members of the population play one run each at machine speed, so the friend
//! boards the connected players read are full. Measured apart from the load itself.

use std::sync::Arc;

use game_logic::{Bot, Ruleset, Skill};
use rand::SeedableRng;
use rand_pcg::Pcg64;

use super::{Presser, hello, play_run};
use crate::cli::Pace;
use crate::client::{CallError, Connection};
use crate::stats::Stats;

/// Plays one run on `connection` and closes it.
pub async fn one_run(
    mut connection: Connection,
    index: u32,
    stats: &Arc<Stats>,
) -> Result<(), CallError> {
    let mut rng = Pcg64::seed_from_u64(u64::from(index));
    hello(&mut connection).await?;
    let mut presser = Presser::Bot(Bot::new(Skill::CASUAL, Ruleset::V1, u64::from(index)));
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    play_run(
        &mut connection,
        &mut presser,
        Pace::Fast,
        deadline,
        stats,
        &mut rng,
    )
    .await?;
    connection.close().await;
    Ok(())
}
