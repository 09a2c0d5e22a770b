import { randomBytes } from "node:crypto";
import type { Clock, Ids } from "@cbm/core";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; // Crockford base32: sorts the same as the numbers it encodes

function encodeTime(ms: number): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(bytes: Buffer): string {
  let out = "";
  for (const b of bytes) out += ALPHABET[b % 32];
  return out;
}

/**
 * ULID-style ids: 10 characters of millisecond time then 16 random ones. Within one millisecond the random part is
 * incremented, so ids from one process are strictly increasing and history events sort in the order they were made.
 */
export function createUlidIds(clock: Clock = { now: () => new Date() }): Ids {
  let lastMs = -1;
  let lastRandom: number[] = [];
  return {
    next() {
      const ms = Math.max(clock.now().getTime(), lastMs);
      if (ms === lastMs) {
        for (let i = lastRandom.length - 1; i >= 0; i--) {
          if (lastRandom[i]! < 31) {
            lastRandom[i]! += 1;
            break;
          }
          lastRandom[i] = 0;
        }
      } else {
        lastMs = ms;
        lastRandom = [...encodeRandom(randomBytes(16))].map((c) => ALPHABET.indexOf(c));
        lastRandom[0] = lastRandom[0]! & 0x0f; // headroom so the increment never overflows the width
      }
      return encodeTime(ms) + lastRandom.map((n) => ALPHABET[n]).join("");
    },
  };
}
