#!/usr/bin/env node
/**
 * `leapfrog-rules replay FILE.json` (or `-` for standard input): records the run a vector file describes
 * (seed, ruleset, inputs; description optional) and prints it in the vector format, byte for byte as the
 * Rust generator writes it. For a stored golden vector the output is the file itself, so
 * `leapfrog-rules replay v1-05.json | diff - v1-05.json` prints nothing; a difference is a divergence between
 * this port and the Rust engine.
 *
 * Exit status: 0 when the run was recorded (whether or not the run is valid: that is part of the output), 1
 * when the file cannot be read or is not a vector, 2 for a usage error.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { JsonSyntaxError, VectorFormatError, formatVector, readVectorInput, recordVector } from "./vector.js";

const USAGE = `usage: leapfrog-rules replay FILE.json
       leapfrog-rules replay -        (read the file from standard input)

Records the run in a vector file (seed, ruleset, inputs; description optional) with the
Leapfrog rules and prints it in the vector format of game-logic/tests/vectors/.`;

function main(args: readonly string[]): number {
  if (args.length === 1 && (args[0] === "--help" || args[0] === "-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [command, file, ...rest] = args;
  if (command !== "replay" || file === undefined || rest.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const source = file === "-" ? "standard input" : file;
  let text: string;
  try {
    text = readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`leapfrog-rules: cannot read ${source}: ${reason}\n`);
    return 1;
  }
  try {
    const vector = recordVector(readVectorInput(text));
    process.stdout.write(`${formatVector(vector, "pretty")}\n`);
    return 0;
  } catch (error) {
    if (error instanceof JsonSyntaxError || error instanceof VectorFormatError) {
      process.stderr.write(`leapfrog-rules: ${source} is not a vector file: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = main(process.argv.slice(2));
