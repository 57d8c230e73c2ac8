//! What the player sees: platforms, the figure's position and the direction of the next jump.
//!
//! Coordinates are integer milli-units on the ground plane: `x` grows to the isometric right, `z` grows
//! towards the viewer, so the two jump directions are `+x` (right) and `-z` (left).

use serde::{Deserialize, Serialize};

/// A point on the ground plane, in milli-units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Point {
    /// Towards the isometric right.
    pub x: i64,
    /// Towards the viewer; a "left" jump decreases it.
    pub z: i64,
}

impl Point {
    /// The point `distance` milli-units from `self` in `direction`.
    pub const fn moved(self, direction: Direction, distance: i64) -> Point {
        match direction {
            Direction::Right => Point {
                x: self.x + distance,
                z: self.z,
            },
            Direction::Left => Point {
                x: self.x,
                z: self.z - distance,
            },
        }
    }

    /// How far `other` lies ahead of `self` along `direction` (negative when behind).
    pub const fn ahead(self, other: Point, direction: Direction) -> i64 {
        match direction {
            Direction::Right => other.x - self.x,
            Direction::Left => self.z - other.z,
        }
    }
}

/// One of the two directions the next platform can lie in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// `+x`: up and to the right on screen.
    Right,
    /// `-z`: up and to the left on screen.
    Left,
}

/// The shape of a platform's top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// A square top of half-side `radius`, aligned with the axes.
    Cube,
    /// A round top of radius `radius`.
    Cylinder,
}

/// The special platforms of the original game. Waiting on one before the next press earns a bonus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialKind {
    /// Music box: +30.
    MusicBox,
    /// Convenience store: +15.
    ConvenienceStore,
    /// Rubik's cube: +10.
    RubiksCube,
    /// Manhole cover (always a cylinder): +5.
    ManholeCover,
}

impl SpecialKind {
    /// All kinds in the fixed order the generator indexes into.
    pub const ALL: [SpecialKind; 4] = [
        SpecialKind::MusicBox,
        SpecialKind::ConvenienceStore,
        SpecialKind::RubiksCube,
        SpecialKind::ManholeCover,
    ];

    /// Bonus points for waiting on this platform long enough.
    pub const fn bonus(self) -> u32 {
        match self {
            SpecialKind::MusicBox => 30,
            SpecialKind::ConvenienceStore => 15,
            SpecialKind::RubiksCube => 10,
            SpecialKind::ManholeCover => 5,
        }
    }

    /// The shape this special platform always has, whatever the shape draw said.
    pub const fn shape(self) -> Shape {
        match self {
            SpecialKind::ManholeCover => Shape::Cylinder,
            _ => Shape::Cube,
        }
    }
}

/// A platform: where it is, its shape and size, and whether it is special.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Platform {
    /// Centre of the top.
    pub centre: Point,
    /// Top shape.
    pub shape: Shape,
    /// Half-side (cube) or radius (cylinder), in milli-units.
    pub radius: i64,
    /// Set for special platforms.
    pub special: Option<SpecialKind>,
}

impl Platform {
    /// Whether `point` lies on this platform's top (edges included). Exact integer test: squared
    /// distances for cylinders, so no square root is ever taken.
    pub fn contains(&self, point: Point) -> bool {
        let dx = i128::from(point.x) - i128::from(self.centre.x);
        let dz = i128::from(point.z) - i128::from(self.centre.z);
        let r = i128::from(self.radius);
        match self.shape {
            Shape::Cube => dx.abs() <= r && dz.abs() <= r,
            Shape::Cylinder => dx * dx + dz * dz <= r * r,
        }
    }
}

/// Everything a client needs to draw the current moment of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct World {
    /// Where the figure stands.
    pub figure: Point,
    /// The platform the figure stands on.
    pub current: Platform,
    /// The platform to jump to.
    pub next: Platform,
    /// The direction from the figure to `next`; the figure always jumps straight along it.
    pub direction: Direction,
    /// True when the current platform is special and its bonus has not been earned yet.
    pub bonus_available: bool,
}

impl World {
    /// The distance from the figure to the next platform's centre, along the jump direction: the
    /// distance a perfect jump flies.
    pub const fn distance_to_next(&self) -> i64 {
        self.figure.ahead(self.next.centre, self.direction)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform(shape: Shape, radius: i64) -> Platform {
        Platform {
            centre: Point {
                x: 10_000,
                z: -3_000,
            },
            shape,
            radius,
            special: None,
        }
    }

    #[test]
    fn cube_contains_its_square_with_edges() {
        let cube = platform(Shape::Cube, 4_000);
        assert!(cube.contains(Point {
            x: 14_000,
            z: 1_000
        }));
        assert!(cube.contains(Point {
            x: 6_000,
            z: -7_000
        }));
        assert!(!cube.contains(Point {
            x: 14_001,
            z: -3_000
        }));
        assert!(!cube.contains(Point {
            x: 10_000,
            z: 1_001
        }));
    }

    #[test]
    fn cylinder_contains_its_disc_with_edges() {
        let cyl = platform(Shape::Cylinder, 5_000);
        assert!(cyl.contains(Point {
            x: 13_000,
            z: 1_000
        }));
        assert!(!cyl.contains(Point {
            x: 13_001,
            z: 1_000
        }));
        // A cube of the same radius contains its corners; the cylinder does not.
        assert!(!cyl.contains(Point {
            x: 14_000,
            z: 1_000
        }));
    }

    #[test]
    fn moving_and_measuring_along_both_directions() {
        let p = Point { x: 1, z: 2 };
        assert_eq!(p.moved(Direction::Right, 5), Point { x: 6, z: 2 });
        assert_eq!(p.moved(Direction::Left, 5), Point { x: 1, z: -3 });
        assert_eq!(p.ahead(p.moved(Direction::Left, 7), Direction::Left), 7);
        assert_eq!(p.ahead(p.moved(Direction::Right, -7), Direction::Right), -7);
    }

    #[test]
    fn special_kinds_have_their_bonus_and_shape() {
        let bonuses: Vec<u32> = SpecialKind::ALL.iter().map(|k| k.bonus()).collect();
        assert_eq!(bonuses, [30, 15, 10, 5]);
        assert_eq!(SpecialKind::ManholeCover.shape(), Shape::Cylinder);
        assert_eq!(SpecialKind::MusicBox.shape(), Shape::Cube);
    }
}
