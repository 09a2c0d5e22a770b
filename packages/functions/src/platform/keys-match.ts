import { createHash, timingSafeEqual } from "node:crypto";

/** Constant-time comparison that also hides the key's length: both sides are hashed to 32 bytes first. */
export function keysMatch(presented: string, expected: string): boolean {
  const a = createHash("sha256").update(presented, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b) && expected.length > 0;
}
