import { PK } from "@cbm/core";
import { PLANNING_ROUTES } from "./planning-route-manifest";
import { API_ROUTES, WEB_ROUTES } from "./route-manifest";

/** The first segment of every route path that is not `/{PK}…`: a block with that key could never be reached. */
const ROUTE_SEGMENTS = [...API_ROUTES, ...WEB_ROUTES, ...PLANNING_ROUTES]
  .map((route) => route.slice(route.indexOf(" ") + 2).split("/")[0]!)
  .filter((segment) => segment !== "" && !segment.startsWith("{"));

/**
 * Keys a block cannot have because `/{PK}` could never reach it: the first segments of the other routes (taken from
 * the manifests, so a new route reserves its name), `.` and `..` (URL clients resolve them away before sending), and
 * `_local`, which local mode serves itself.
 */
export const RESERVED_PKS: readonly string[] = [...new Set([...ROUTE_SEGMENTS, ".", "..", "_local"])];

/** A block key a client may choose: the domain's key rule, and reachable through `/{PK}`. */
export const AddressablePk = PK.refine((pk) => !RESERVED_PKS.includes(pk), {
  message: `is reserved (${RESERVED_PKS.join(", ")}): the API could not address such a block`,
});
