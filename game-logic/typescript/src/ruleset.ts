/**
 * Rule versions and their constants (Rust: `ruleset.rs`).
 *
 * Every run carries its ruleset. A stored run is replayed with the constants of the version it was played
 * under, so changing the rules means adding a version, never editing one: `RULES.md` and the golden vectors
 * pin every released version.
 *
 * @module
 */

/**
 * Every constant of a ruleset. Lengths are in milli-units (mu, 1/1000 of a world unit), times in
 * milliseconds, speeds in mu per second, scales in permille. `RULES.md` section 3 documents each one.
 *
 * Every value is an integer well inside JavaScript's exact range (below 2^53), except `gameStream`, a u64
 * PCG32 stream id, which is a `bigint` because it only seeds the generator.
 */
export interface Params {
  /** PCG32 stream id of the game's random stream. */
  readonly gameStream: bigint;
  /** Radius of the platform the run starts on (a cube at the origin). */
  readonly startRadius: number;
  /** Centre-to-centre distance from the start platform to the first next platform. */
  readonly firstCentreDistance: number;
  /** Radius of a platform at scale 1000 permille. */
  readonly baseRadius: number;
  /** Lower end of the platform scale range at the start of a run. */
  readonly scaleMinStart: number;
  /** Upper end of the scale range at the start of a run. */
  readonly scaleMaxStart: number;
  /** Floor of the lower end of the scale range. */
  readonly scaleMinFloor: number;
  /** Floor of the upper end of the scale range. */
  readonly scaleMaxFloor: number;
  /** How much both scale bounds drop per successful landing. */
  readonly scaleStep: number;
  /** Smallest edge-to-edge gap between platforms. */
  readonly gapMin: number;
  /** Largest gap at the start of a run. */
  readonly gapMaxStart: number;
  /** How much the largest gap grows per successful landing. */
  readonly gapStep: number;
  /** Cap of the largest gap. */
  readonly gapMaxCap: number;
  /** One platform in this many (drawn) is a cylinder, the rest are cubes. */
  readonly cylinderOneIn: number;
  /** Every this many generated platforms is special, while the score is at most `specialScoreSwitch`. */
  readonly specialPeriod: number;
  /** Period of special platforms once the score is above `specialScoreSwitch`. */
  readonly specialPeriodLate: number;
  /** Score above which special platforms come every `specialPeriodLate` platforms. */
  readonly specialScoreSwitch: number;
  /** Dwell on a special platform that earns its bonus. */
  readonly bonusDwellMs: number;
  /** A landing within this distance of the next platform's centre is a centre hit. */
  readonly centreRadius: number;
  /** Half the figure's body width, used by the edge tests. */
  readonly bodyHalfWidth: number;
  /** Points of a centre hit are `2 * combo`, capped here. */
  readonly centrePointsCap: number;
  /** Horizontal speed gained per millisecond of press (mu/s per ms). */
  readonly vxPerMs: number;
  /** Cap of the horizontal speed (mu/s). */
  readonly vxMax: number;
  /** Vertical speed of the shortest press (mu/s). */
  readonly vyBase: number;
  /** Vertical speed gained per millisecond of press (mu/s per ms). */
  readonly vyPerMs: number;
  /** Cap of the vertical speed (mu/s). */
  readonly vyMax: number;
  /** Gravity (mu/s^2). */
  readonly gravity: number;
  /** Shortest press a person can make; shorter ones are refused. */
  readonly minPressMs: number;
  /** Longest press accepted. */
  readonly maxPressMs: number;
  /** Shortest dwell (reaction time after the landing settled) a person can have. */
  readonly minDwellMs: number;
  /** Longest dwell accepted. */
  readonly maxDwellMs: number;
  /** Time from touch-down until the camera has moved on and the next press can start. */
  readonly settleMs: number;
  /** Most jumps a run may hold, so replaying any accepted run has a bounded cost. */
  readonly maxJumps: number;
}

/** The constants of ruleset 1, exactly as in `RULES.md` section 3 and the Rust `ruleset::V1`. */
export const V1: Params = Object.freeze({
  gameStream: 54n,
  startRadius: 5_000,
  firstCentreDistance: 20_000,
  baseRadius: 5_000,
  scaleMinStart: 800,
  scaleMaxStart: 1_000,
  scaleMinFloor: 250,
  scaleMaxFloor: 600,
  scaleStep: 5,
  gapMin: 1_000,
  gapMaxStart: 17_000,
  gapStep: 30,
  gapMaxCap: 22_000,
  cylinderOneIn: 4,
  specialPeriod: 5,
  specialPeriodLate: 6,
  specialScoreSwitch: 1_000,
  bonusDwellMs: 2_000,
  centreRadius: 710,
  bodyHalfWidth: 1_170,
  centrePointsCap: 32,
  vxPerMs: 70,
  vxMax: 150_000,
  vyBase: 135_000,
  vyPerMs: 15,
  vyMax: 180_000,
  gravity: 720_000,
  minPressMs: 20,
  maxPressMs: 10_000,
  minDwellMs: 100,
  maxDwellMs: 600_000,
  settleMs: 200,
  maxJumps: 100_000,
});

/**
 * A released ruleset, as its version number: the number the wire protocol and the vector files carry, so
 * a value read from either is a `Ruleset` once {@link Ruleset.fromVersion} accepted it. Only known versions
 * are members of the type, so a session can never run under constants that do not exist.
 */
export type Ruleset = 1;

/** Versions, lookup and constants of the released rulesets (Rust: `Ruleset`). */
export const Ruleset = Object.freeze({
  /** The first ruleset, specified in `RULES.md`. */
  V1: 1,
  /** The ruleset new runs use. */
  LATEST: 1,
  /**
   * The ruleset with this version number. Throws {@link UnknownRulesetError} for a version this build does
   * not know, so a run recorded under newer rules is refused rather than replayed with the wrong constants.
   */
  fromVersion(version: number): Ruleset {
    if (version === 1) return 1;
    throw new UnknownRulesetError(version);
  },
  /** The constants of `ruleset`. */
  params(ruleset: Ruleset): Params {
    switch (ruleset) {
      case 1:
        return V1;
    }
  },
} as const);

/** A ruleset version number that this build does not know (Rust: `UnknownRuleset`, same message). */
export class UnknownRulesetError extends Error {
  /** The version asked for. */
  readonly version: number;

  constructor(version: number) {
    super(`unknown ruleset version ${version}: this build knows versions 1`);
    this.name = "UnknownRulesetError";
    this.version = version;
  }
}
