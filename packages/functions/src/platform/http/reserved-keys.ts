import { PK } from "@cbm/core";

/**
 * The first segment of every route path that is not `/{PK}…`: a block with that key could never be reached. Listed
 * here, not taken from the route tables: those hold the block body's schema, which refuses these keys, so reading
 * them here would be an import circle. route-manifest.test.ts checks that every route's first segment is listed.
 */
export const ROUTE_SEGMENTS: readonly string[] = ["openapi.json", "link", "console", "offerings", "requests", "reports"];

/**
 * Keys a block cannot have because `/{PK}` could never reach it: the first segments of the other routes (a new route's
 * name is added there), `.` and `..` (URL clients resolve them away before sending), and
 * `_local`, which local mode serves itself.
 */
export const RESERVED_PKS: readonly string[] = [...new Set([...ROUTE_SEGMENTS, ".", "..", "_local"])];

/** A block key a client may choose: the domain's key rule, and reachable through `/{PK}`. */
export const AddressablePk = PK.refine((pk) => !RESERVED_PKS.includes(pk), {
  message: `is reserved (${RESERVED_PKS.join(", ")}): the API could not address such a block`,
});
