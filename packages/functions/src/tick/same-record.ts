import type { Block } from "@cbm/core";

/** Canonical JSON: keys sorted, `undefined` and `null` both dropped (both mean "none" in the record). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined || v === null) continue;
    out[k] = canonical(v);
  }
  return out;
}

/** True when writing `next` over `stored` would change nothing but the bookkeeping (`updatedAt`, `version`). */
export function sameRecord(stored: Block, next: Block): boolean {
  const strip = ({ updatedAt: _u, version: _v, ...rest }: Block) => rest;
  return JSON.stringify(canonical(strip(stored))) === JSON.stringify(canonical(strip(next)));
}
