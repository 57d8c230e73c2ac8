/** Where the tests find the Rust crate's files, from the compiled test's location (`dist/test/support/`). */

import { fileURLToPath } from "node:url";

/** The package directory, `game-logic/typescript/`. */
export const PACKAGE_DIR = fileURLToPath(new URL("../../../", import.meta.url));

/** The golden vectors of the Rust crate, `game-logic/tests/vectors/`. */
export const VECTORS_DIR = fileURLToPath(new URL("../../../../tests/vectors/", import.meta.url));

/** The compiled command-line tool. */
export const CLI = fileURLToPath(new URL("../../src/cli.js", import.meta.url));
