/** Paths of the repository, from the compiled test files (`dist/test/...`). */

import { fileURLToPath } from "node:url";

/** The repository root. */
export const repoRoot = fileURLToPath(new URL("../../../../../", import.meta.url));

/** `protocol/tests/golden/`: complete frames in both codecs, written by the Rust golden-frame test. */
export const goldenDir = fileURLToPath(new URL("../../../../tests/golden/", import.meta.url));
