//! `play`: each player plays whole runs, reads boards and acknowledges notifications in the `--mix`
//! proportions until the deadline. With `--scripted-bests`, every run beats the player's previous best
//! (one more centre hit each time), so every run records a new best and notifies friends it passes.

use std::sync::Arc;
use std::time::Duration;

use game_logic::{Bot, Ruleset, Skill};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

use super::{Presser, Shared, ack, hello, play_run, read_friends, read_global};
use crate::cli::Mix;
use crate::client::{CallError, Connection};

/// One player's session, until the deadline or a lost connection.
pub async fn player(
    shared: Arc<Shared>,
    mut connection: Connection,
    index: u32,
    mix: Mix,
) -> Result<(), CallError> {
    let options = &shared.options;
    let mut rng = Pcg64::seed_from_u64(options.seed ^ (u64::from(index) << 20));
    let skill = Skill::new(options.skill).unwrap_or(Skill::CASUAL);
    let mut presser = if options.scripted_bests {
        Presser::Scripted { hits: 0 }
    } else {
        Presser::Bot(Bot::new(skill, Ruleset::V1, rng.random()))
    };
    hello(&mut connection).await?;
    let total = mix.run + mix.friends + mix.global + mix.ack;
    while tokio::time::Instant::now() < shared.deadline {
        let pick = rng.random_range(0..total);
        if pick < mix.run {
            if let Presser::Scripted { hits } = &mut presser {
                *hits += 1;
            }
            play_run(
                &mut connection,
                &mut presser,
                options.pace,
                shared.deadline,
                &shared.stats,
                &mut rng,
            )
            .await?;
        } else if pick < mix.run + mix.friends {
            read_friends(&mut connection).await?;
        } else if pick < mix.run + mix.friends + mix.global {
            read_global(&mut connection, options.global_limit).await?;
        } else {
            ack(&mut connection).await?;
        }
        if options.think_ms > 0 {
            let wait = Duration::from_millis(options.think_ms).min(
                shared
                    .deadline
                    .saturating_duration_since(tokio::time::Instant::now()),
            );
            connection.idle(wait).await?;
        }
    }
    connection.close().await;
    Ok(())
}
