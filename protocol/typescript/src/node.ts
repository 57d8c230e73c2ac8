/**
 * `leapfrog-client/node`: everything of the main entry point, plus {@link nodeSocket}, the socket adapter
 * over the `ws` package (which sends the token in an `Authorization` header).
 *
 * @module
 */

export * from "./index.js";
export { nodeSocket } from "./adapters/node.js";
