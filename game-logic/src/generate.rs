//! Making the next platform: difficulty, the draws from the game stream, and placement.
//!
//! Draw order for every generated platform (the first included) is fixed: direction, shape, scale, gap,
//! then, only on a special slot, the special kind. `RULES.md` specifies each draw.

use crate::rng::Pcg32;
use crate::ruleset::Params;
use crate::world::{Direction, Platform, Point, Shape, SpecialKind};

/// The size and gap ranges after `landings` successful landings: platforms shrink and gaps widen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Difficulty {
    /// Lower end of the scale range, permille of `base_radius`.
    pub scale_min: u32,
    /// Upper end of the scale range, permille.
    pub scale_max: u32,
    /// Upper end of the edge-to-edge gap range, mu (the lower end is `gap_min`).
    pub gap_max: u32,
}

impl Difficulty {
    /// The ranges after `landings` successful landings.
    pub fn after(params: &Params, landings: u32) -> Difficulty {
        let shrink = landings.saturating_mul(params.scale_step);
        let widen = landings.saturating_mul(params.gap_step);
        Difficulty {
            scale_min: params
                .scale_min_start
                .saturating_sub(shrink)
                .max(params.scale_min_floor),
            scale_max: params
                .scale_max_start
                .saturating_sub(shrink)
                .max(params.scale_max_floor),
            gap_max: params
                .gap_max_start
                .saturating_add(widen)
                .min(params.gap_max_cap),
        }
    }
}

/// What the generator needs to know about the run so far.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// 1 for the first next platform, then counting up.
    pub index: u32,
    /// Successful landings so far.
    pub landings: u32,
    /// Score so far.
    pub score: u32,
    /// The most recent special kind generated in this run, which the next special may not repeat.
    pub last_special: Option<SpecialKind>,
}

/// The raw draws for one platform, before placement.
struct Draws {
    direction: Direction,
    shape: Shape,
    radius: i64,
    gap: i64,
}

fn draw(params: &Params, rng: &mut Pcg32, landings: u32) -> Draws {
    let difficulty = Difficulty::after(params, landings);
    let direction = if rng.next_below(2) == 0 {
        Direction::Right
    } else {
        Direction::Left
    };
    let shape = if rng.next_below(params.cylinder_one_in) == 0 {
        Shape::Cylinder
    } else {
        Shape::Cube
    };
    let scale = rng.next_in(difficulty.scale_min, difficulty.scale_max);
    let gap = rng.next_in(params.gap_min, difficulty.gap_max);
    Draws {
        direction,
        shape,
        radius: params.base_radius * i64::from(scale) / 1000,
        gap: i64::from(gap),
    }
}

/// Whether platform number `index` is special, given the score when it is generated.
pub const fn is_special_slot(params: &Params, index: u32, score: u32) -> bool {
    let period = if score > params.special_score_switch {
        params.special_period_late
    } else {
        params.special_period
    };
    index.is_multiple_of(period)
}

fn draw_special(rng: &mut Pcg32, last: Option<SpecialKind>) -> SpecialKind {
    let choices: &[SpecialKind] = &SpecialKind::ALL;
    match last {
        None => choices[rng.next_below(4) as usize],
        Some(last) => {
            let pick = rng.next_below(3) as usize;
            // Index into the kinds other than `last`, keeping their fixed order.
            let mut others = choices.iter().copied().filter(|k| *k != last);
            others.nth(pick).unwrap_or(last)
        }
    }
}

/// The start platform: a cube of `start_radius` at the origin.
pub const fn start_platform(params: &Params) -> Platform {
    Platform {
        centre: Point { x: 0, z: 0 },
        shape: Shape::Cube,
        radius: params.start_radius,
        special: None,
    }
}

/// The first next platform: drawn like every other, but always to the right, `first_centre_distance`
/// from the origin, and never special (its direction and gap draws are made and ignored).
pub fn first_platform(params: &Params, rng: &mut Pcg32) -> (Platform, Direction) {
    let draws = draw(params, rng, 0);
    let platform = Platform {
        centre: Point {
            x: params.first_centre_distance,
            z: 0,
        },
        shape: draws.shape,
        radius: draws.radius,
        special: None,
    };
    (platform, Direction::Right)
}

/// The platform after `current`, for a figure standing at `figure`. Its centre lies on the line through the
/// figure in the drawn direction, `current.radius + gap + radius` beyond `current`'s centre along it.
pub fn next_platform(
    params: &Params,
    rng: &mut Pcg32,
    context: Context,
    current: &Platform,
    figure: Point,
) -> (Platform, Direction) {
    let draws = draw(params, rng, context.landings);
    let special = if is_special_slot(params, context.index, context.score) {
        Some(draw_special(rng, context.last_special))
    } else {
        None
    };
    let offset = current.radius + draws.gap + draws.radius;
    let centre = match draws.direction {
        Direction::Right => Point {
            x: current.centre.x + offset,
            z: figure.z,
        },
        Direction::Left => Point {
            x: figure.x,
            z: current.centre.z - offset,
        },
    };
    let platform = Platform {
        centre,
        shape: special.map_or(draws.shape, SpecialKind::shape),
        radius: draws.radius,
        special,
    };
    (platform, draws.direction)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruleset::V1;

    #[test]
    fn difficulty_starts_at_the_original_ranges_and_stops_at_the_floors() {
        assert_eq!(
            Difficulty::after(&V1, 0),
            Difficulty {
                scale_min: 800,
                scale_max: 1_000,
                gap_max: 17_000
            }
        );
        assert_eq!(
            Difficulty::after(&V1, 10),
            Difficulty {
                scale_min: 750,
                scale_max: 950,
                gap_max: 17_300
            }
        );
        assert_eq!(
            Difficulty::after(&V1, 1_000_000),
            Difficulty {
                scale_min: 250,
                scale_max: 600,
                gap_max: 22_000
            }
        );
        assert_eq!(
            Difficulty::after(&V1, u32::MAX),
            Difficulty {
                scale_min: 250,
                scale_max: 600,
                gap_max: 22_000
            }
        );
    }

    #[test]
    fn special_slots_every_five_then_every_six() {
        let slots: Vec<u32> = (1..=20).filter(|i| is_special_slot(&V1, *i, 0)).collect();
        assert_eq!(slots, [5, 10, 15, 20]);
        let late: Vec<u32> = (1..=20)
            .filter(|i| is_special_slot(&V1, *i, 1_001))
            .collect();
        assert_eq!(late, [6, 12, 18]);
        assert!(is_special_slot(&V1, 10, 1_000));
    }

    #[test]
    fn a_special_never_repeats_the_previous_one() {
        let mut rng = Pcg32::new(1, 2);
        let mut last = None;
        for _ in 0..1_000 {
            let kind = draw_special(&mut rng, last);
            assert_ne!(Some(kind), last);
            last = Some(kind);
        }
    }

    #[test]
    fn next_platform_is_placed_on_the_figures_line_beyond_the_gap() {
        let current = start_platform(&V1);
        let figure = Point { x: 1_200, z: -300 };
        for seed in 0..200 {
            let mut rng = Pcg32::new(seed, V1.game_stream);
            let context = Context {
                index: 3,
                landings: 4,
                score: 9,
                last_special: None,
            };
            let (next, direction) = next_platform(&V1, &mut rng, context, &current, figure);
            let along = current.centre.ahead(next.centre, direction);
            let gap = along - current.radius - next.radius;
            assert!((1_000..=17_120).contains(&gap), "gap {gap}");
            match direction {
                Direction::Right => assert_eq!(next.centre.z, figure.z),
                Direction::Left => assert_eq!(next.centre.x, figure.x),
            }
            assert!((3_900..=4_900).contains(&next.radius));
            assert!(next.special.is_none());
        }
    }

    #[test]
    fn special_platforms_take_their_own_shape() {
        let current = start_platform(&V1);
        for seed in 0..100 {
            let mut rng = Pcg32::new(seed, V1.game_stream);
            let context = Context {
                index: 5,
                landings: 4,
                score: 9,
                last_special: None,
            };
            let (next, _) = next_platform(&V1, &mut rng, context, &current, Point::default());
            let kind = next.special.expect("slot 5 is special");
            assert_eq!(next.shape, kind.shape());
        }
    }
}
