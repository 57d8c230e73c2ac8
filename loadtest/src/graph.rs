//! The generated social graph: who is friends with whom, imported through the admin API before the load.
//! Players `0..players` connect; ids up to `population` are offline friends.

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

use crate::cli::Degrees;

/// Friend lists by player index (only connected players have lists; the import makes them mutual).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    /// `lists[i]` = the population indices player `i` imports as friends.
    pub lists: Vec<Vec<u32>>,
}

/// Pareto exponent of the power-law degrees: social graphs measure between 2 and 3.
const ALPHA: f64 = 2.5;

impl Graph {
    /// A graph of `players` connected players among `population` ids.
    ///
    /// `Fixed`: every connected player lists exactly `mean` friends (fewer only if the population is too
    /// small). With no offline population they form a ring lattice (i ± 1, i ± 2, ...), so every list is
    /// the same mutual relation and every player ends with exactly `mean` friends; with one, each lists a
    /// contiguous slice of the offline ids. `PowerLaw`: list sizes follow a Pareto law with the given mean,
    /// capped at `max`, friends drawn uniformly from the population.
    pub fn generate(
        degrees: Degrees,
        players: u32,
        population: u32,
        mean: u32,
        max: u32,
        seed: u64,
    ) -> Graph {
        let mut rng = Pcg64::seed_from_u64(seed);
        let population = population.max(players);
        let cap = max.min(population.saturating_sub(1));
        let lists = (0..players)
            .map(|player| match degrees {
                Degrees::Fixed => fixed(player, players, population, mean.min(cap)),
                Degrees::PowerLaw => {
                    let degree = power_law_degree(&mut rng, mean, cap);
                    random_friends(&mut rng, player, population, degree)
                }
            })
            .collect();
        Graph { lists }
    }

    /// Pairs: player `2p` lists `2p + 1` (the `passes` and `chaos` scenarios).
    pub fn pairs(players: u32) -> Graph {
        Graph {
            lists: (0..players)
                .map(|index| {
                    if index % 2 == 0 && index + 1 < players {
                        vec![index + 1]
                    } else {
                        vec![]
                    }
                })
                .collect(),
        }
    }

    /// Mean list length.
    pub fn mean_degree(&self) -> f64 {
        let total: usize = self.lists.iter().map(Vec::len).sum();
        total as f64 / self.lists.len().max(1) as f64
    }
}

fn fixed(player: u32, players: u32, population: u32, degree: u32) -> Vec<u32> {
    let offline = population - players;
    if offline == 0 {
        let half = degree / 2;
        let mut list: Vec<u32> = (1..=half)
            .flat_map(|step| {
                [
                    (player + step) % players,
                    (player + players - step) % players,
                ]
            })
            .collect();
        if !degree.is_multiple_of(2) && players.is_multiple_of(2) {
            list.push((player + players / 2) % players);
        }
        list.sort_unstable();
        list.dedup();
        list.retain(|&friend| friend != player);
        list
    } else {
        let degree = degree.min(offline);
        let start = (u64::from(player) * u64::from(degree) % u64::from(offline)) as u32;
        (0..degree)
            .map(|k| players + (start + k) % offline)
            .collect()
    }
}

fn power_law_degree(rng: &mut Pcg64, mean: u32, cap: u32) -> u32 {
    // Pareto(x_min, alpha) has mean x_min * (alpha - 1) / (alpha - 2).
    let x_min = f64::from(mean) * (ALPHA - 2.0) / (ALPHA - 1.0);
    let uniform: f64 = rng.random_range(f64::EPSILON..1.0);
    let degree = x_min * uniform.powf(-1.0 / (ALPHA - 1.0));
    (degree.round() as u32).min(cap)
}

fn random_friends(rng: &mut Pcg64, player: u32, population: u32, degree: u32) -> Vec<u32> {
    let mut list: Vec<u32> = Vec::with_capacity(degree as usize);
    let mut seen = std::collections::HashSet::with_capacity(degree as usize);
    while list.len() < degree as usize {
        let friend = rng.random_range(0..population);
        if friend != player && seen.insert(friend) {
            list.push(friend);
        }
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_ring_gives_everyone_exactly_that_many_mutual_friends() {
        let graph = Graph::generate(Degrees::Fixed, 1_000, 1_000, 200, 5_000, 1);
        for (player, list) in graph.lists.iter().enumerate() {
            assert_eq!(list.len(), 200);
            for &friend in list {
                assert!(graph.lists[friend as usize].contains(&(player as u32)));
            }
        }
    }

    #[test]
    fn fixed_lists_of_offline_friends_have_the_size_asked() {
        let graph = Graph::generate(Degrees::Fixed, 10, 20_010, 5_000, 5_000, 1);
        assert!(graph.lists.iter().all(|list| list.len() == 5_000));
        assert!(graph.lists.iter().flatten().all(|&friend| friend >= 10));
    }

    #[test]
    fn power_law_degrees_have_about_the_mean_and_respect_the_cap() {
        let graph = Graph::generate(Degrees::PowerLaw, 20_000, 20_000, 20, 500, 7);
        let mean = graph.mean_degree();
        assert!((15.0..25.0).contains(&mean), "mean {mean}");
        assert!(graph.lists.iter().all(|list| list.len() <= 500));
        let hubs = graph.lists.iter().filter(|list| list.len() > 100).count();
        assert!(hubs > 0, "a power law has a heavy tail");
        assert_eq!(
            graph,
            Graph::generate(Degrees::PowerLaw, 20_000, 20_000, 20, 500, 7)
        );
    }
}
