//! The worked example of `RULES.md` section 10, number by number: if this fails, the spec and the engine
//! disagree and one of them must be fixed before anything ships.

use game_logic::physics::{distance, flight_ms};
use game_logic::{Direction, GameSession, Jump, Landing, Pcg32, Point, Ruleset, Shape};

#[test]
fn worked_example_in_rules_md() {
    let params = Ruleset::V1.params();
    let mut stream = Pcg32::new(42, params.game_stream);
    let raw: Vec<u32> = (0..12).map(|_| stream.next_u32()).collect();
    assert_eq!(
        raw,
        [
            0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e, 0xbfc6a3ad,
            0x812fff6d, 0xe61f305a, 0xf9384b90, 0x32db86fe, 0x1dc035f9
        ]
    );

    let mut run = GameSession::new(42, Ruleset::V1);
    let world = run.world();
    assert_eq!(world.next.centre, Point { x: 20_000, z: 0 });
    assert_eq!((world.next.shape, world.next.radius), (Shape::Cube, 4_595));
    assert_eq!(world.distance_to_next(), 20_000);

    let jump = |press_ms, dwell_ms| Jump { press_ms, dwell_ms };
    assert_eq!(
        (distance(params, 706), flight_ms(params, 706)),
        (19_986, 404)
    );
    let first = run.apply(jump(706, 400)).unwrap();
    assert_eq!(first.touchdown, Point { x: 19_986, z: 0 });
    assert_eq!(
        (first.landing, first.combo, first.points, first.score),
        (Landing::Centre, 1, 2, 2)
    );
    assert_eq!(first.world.direction, Direction::Left);
    assert_eq!(
        first.world.next.centre,
        Point {
            x: 19_986,
            z: -25_770
        }
    );
    assert_eq!(
        (first.world.next.shape, first.world.next.radius),
        (Shape::Cube, 4_930)
    );

    assert_eq!(
        (distance(params, 956), flight_ms(params, 956)),
        (27_760, 414)
    );
    let second = run.apply(jump(956, 250)).unwrap();
    assert_eq!(
        second.touchdown,
        Point {
            x: 19_986,
            z: -27_760
        }
    );
    assert_eq!(
        (second.landing, second.combo, second.points, second.score),
        (Landing::Landed, 0, 1, 3)
    );
    assert_eq!(second.world.direction, Direction::Right);
    assert_eq!(
        second.world.next.centre,
        Point {
            x: 38_807,
            z: -27_760
        }
    );
    assert_eq!(
        (second.world.next.shape, second.world.next.radius),
        (Shape::Cylinder, 4_595)
    );

    assert_eq!((distance(params, 60), flight_ms(params, 60)), (1_585, 377));
    let third = run.apply(jump(60, 300)).unwrap();
    assert_eq!(
        third.touchdown,
        Point {
            x: 21_571,
            z: -27_760
        }
    );
    assert_eq!(
        (third.landing, third.points, third.score),
        (Landing::Stayed, 0, 3)
    );
    assert_eq!(run.world().distance_to_next(), 17_236);

    assert_eq!(
        (distance(params, 863), flight_ms(params, 863)),
        (24_825, 410)
    );
    let fourth = run.apply(jump(863, 300)).unwrap();
    assert_eq!(
        fourth.touchdown,
        Point {
            x: 46_396,
            z: -27_760
        }
    );
    assert_eq!(
        (fourth.landing, fourth.score, fourth.game_over),
        (Landing::Fell, 3, true)
    );

    let summary = run.summary();
    assert_eq!((summary.jumps, summary.landings, summary.score), (4, 2, 3));
    assert_eq!(summary.min_duration_ms, 6_240);
}
