/**
 * The golden-vector file format (`RULES.md` section 13; Rust: `tests/support/vector.rs`): a run's seed, ruleset
 * and inputs, with every outcome the engine gave them and what a whole-run replay says. Any implementation of
 * the rules checks itself by recording the same runs and comparing.
 *
 * This entry point (`leapfrog-rules/vector`) is for tools and tests; the browser entry point does not
 * include it.
 *
 * @module
 */

import { type JsonObject, type JsonStyle, type JsonValue, formatJson, parseJson } from "./json.js";
import { ReplayError, replay } from "./replay.js";
import { type Seed, parseSeed } from "./rng.js";
import { Ruleset, UnknownRulesetError } from "./ruleset.js";
import { GameSession, type JumpOutcome, type RunSummary, SessionError } from "./session.js";
import type { Jump } from "./timing.js";
import type { Platform, Point, World } from "./world.js";

export { JsonSyntaxError, type JsonStyle, type JsonValue, formatJson, parseJson } from "./json.js";

/** What a run to record is made of: the fields a vector file starts with. */
export interface VectorInput {
  /** What the run exercises (free text). */
  readonly description: string;
  /** The run's seed. */
  readonly seed: Seed;
  /** The ruleset it is played under. */
  readonly ruleset: Ruleset;
  /** The inputs, in order. */
  readonly inputs: readonly Jump[];
}

/** One recorded run, field for field the Rust `Vector`. */
export interface Vector {
  /** What the run exercises. */
  readonly description: string;
  /** The run's seed. */
  readonly seed: bigint;
  /** The ruleset version. */
  readonly ruleset: Ruleset;
  /** The inputs, in order. */
  readonly inputs: readonly Jump[];
  /** The outcome of every input the session accepted, in order. */
  readonly outcomes: readonly JumpOutcome[];
  /** The refusal of the first input the session did not accept, as its message, or `null`. */
  readonly refused: string | null;
  /** What {@link replay} says of the whole input list: serde's externally tagged `Result`. */
  readonly replay: { readonly Ok: RunSummary } | { readonly Err: string };
}

/**
 * Plays `input.inputs` step by step, stopping at the first refused one, and replays them whole: exactly what
 * the Rust `record` does, so the result compares with a stored vector.
 */
export function recordVector(input: VectorInput): Vector {
  const seed = parseSeed(input.seed);
  const session = new GameSession(seed, input.ruleset);
  const outcomes: JumpOutcome[] = [];
  let refused: string | null = null;
  for (const jump of input.inputs) {
    try {
      outcomes.push(session.apply(jump));
    } catch (error) {
      if (!(error instanceof SessionError)) throw error;
      refused = error.message;
      break;
    }
  }
  let whole: Vector["replay"];
  try {
    whole = { Ok: replay(seed, input.ruleset, input.inputs) };
  } catch (error) {
    if (!(error instanceof ReplayError)) throw error;
    whole = { Err: error.message };
  }
  return {
    description: input.description,
    seed,
    ruleset: input.ruleset,
    inputs: input.inputs,
    outcomes,
    refused,
    replay: whole,
  };
}

/** The JSON value of `vector`, with the Rust struct's field order. */
export function vectorToJson(vector: Vector): JsonObject {
  return {
    description: vector.description,
    seed: vector.seed,
    ruleset: vector.ruleset,
    inputs: vector.inputs.map(jumpToJson),
    outcomes: vector.outcomes.map(outcomeToJson),
    refused: vector.refused,
    replay: "Ok" in vector.replay ? { Ok: summaryToJson(vector.replay.Ok) } : { Err: vector.replay.Err },
  };
}

/**
 * `vector` as serde_json writes it: `pretty` as in the files of `tests/vectors/` (which add a final newline),
 * `compact` as in the cross-check's JSON Lines.
 */
export function formatVector(vector: Vector, style: JsonStyle): string {
  return formatJson(vectorToJson(vector), style);
}

function jumpToJson(jump: Jump): JsonObject {
  return { press_ms: jump.press_ms, dwell_ms: jump.dwell_ms };
}

function pointToJson(point: Point): JsonObject {
  return { x: point.x, z: point.z };
}

function platformToJson(platform: Platform): JsonObject {
  return {
    centre: pointToJson(platform.centre),
    shape: platform.shape,
    radius: platform.radius,
    special: platform.special,
  };
}

function worldToJson(world: World): JsonObject {
  return {
    figure: pointToJson(world.figure),
    current: platformToJson(world.current),
    next: platformToJson(world.next),
    direction: world.direction,
    bonus_available: world.bonus_available,
  };
}

function outcomeToJson(outcome: JumpOutcome): JsonObject {
  return {
    index: outcome.index,
    landing: outcome.landing,
    points: outcome.points,
    bonus: outcome.bonus,
    combo: outcome.combo,
    score: outcome.score,
    touchdown: pointToJson(outcome.touchdown),
    world: worldToJson(outcome.world),
    game_over: outcome.game_over,
  };
}

function summaryToJson(summary: RunSummary): JsonObject {
  return {
    seed: summary.seed,
    ruleset: summary.ruleset,
    jumps: summary.jumps,
    landings: summary.landings,
    score: summary.score,
    best_combo: summary.best_combo,
    ended: summary.ended,
    last_landing: summary.last_landing,
    min_duration_ms: summary.min_duration_ms,
  };
}

/** A vector file whose input fields are missing or malformed; the message names the field. */
export class VectorFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VectorFormatError";
  }
}

/**
 * Reads the input fields of a vector file: `seed` (a JSON integer, or a decimal string as the wire protocol
 * sends seeds), `ruleset`, `inputs`, and `description` (optional, empty when absent). Other fields, such as
 * a stored vector's outcomes, are ignored: they are what recording recomputes.
 *
 * @throws JsonSyntaxError when the text is not JSON.
 * @throws VectorFormatError when a field is missing or has the wrong type or range.
 */
export function readVectorInput(text: string): VectorInput {
  const root = parseJson(text);
  const object = asObject(root, "the document");
  const description = object["description"];
  if (description !== undefined && typeof description !== "string") {
    throw new VectorFormatError("`description` must be a string");
  }
  const inputs = asArray(field(object, "inputs"), "`inputs`").map((item, index) => {
    const where = `\`inputs[${index}]\``;
    const jump = asObject(item, where);
    return {
      press_ms: asU32(field(jump, "press_ms", where), `${where}.press_ms`),
      dwell_ms: asU32(field(jump, "dwell_ms", where), `${where}.dwell_ms`),
    };
  });
  return {
    description: description ?? "",
    seed: readSeed(field(object, "seed")),
    ruleset: readRuleset(field(object, "ruleset")),
    inputs,
  };
}

function field(object: JsonObject, name: string, where = "the document"): JsonValue {
  const value = object[name];
  if (value === undefined) throw new VectorFormatError(`missing field \`${name}\` in ${where}`);
  return value;
}

function asObject(value: JsonValue, what: string): JsonObject {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new VectorFormatError(`${what} must be an object`);
  }
  return value as JsonObject;
}

function asArray(value: JsonValue, what: string): readonly JsonValue[] {
  if (!Array.isArray(value)) throw new VectorFormatError(`${what} must be an array`);
  return value;
}

function asU32(value: JsonValue, what: string): number {
  if (typeof value !== "number" || value < 0 || value > 0xffff_ffff) {
    throw new VectorFormatError(`${what} must be an integer in 0..=4294967295, got ${formatJson(value, "compact")}`);
  }
  return value;
}

function readSeed(value: JsonValue): bigint {
  const text = typeof value === "number" || typeof value === "bigint" ? value.toString() : value;
  if (typeof text !== "string") {
    throw new VectorFormatError("`seed` must be an integer or a decimal string");
  }
  try {
    return parseSeed(text);
  } catch (error) {
    if (error instanceof RangeError) throw new VectorFormatError(`\`seed\`: ${error.message}`);
    throw error;
  }
}

function readRuleset(value: JsonValue): Ruleset {
  if (typeof value !== "number") {
    throw new VectorFormatError(`\`ruleset\` must be a version number, got ${formatJson(value, "compact")}`);
  }
  try {
    return Ruleset.fromVersion(value);
  } catch (error) {
    if (error instanceof UnknownRulesetError) throw new VectorFormatError(`\`ruleset\`: ${error.message}`);
    throw error;
  }
}
