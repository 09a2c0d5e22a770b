import { API_KEY_CACHE_TTL_MS } from "../platform/api-key-secret";
import type { GatewayKey } from "./ports";

/**
 * How long a superseded key stays attached at API Gateway after a rotation. An API container that cached the old
 * key keeps accepting it until its cache expires (API_KEY_CACHE_TTL_MS), so the gateway keeps it at least that long
 * and never refuses a key the function would still take; twice the TTL leaves room for the 5-minute reconcile
 * schedule that removes it and for clock differences.
 */
export const ROTATION_GRACE_MS = 2 * API_KEY_CACHE_TTL_MS;

export interface KeyPlanInput {
  /** The keys attached to the usage plan now. */
  attached: GatewayKey[];
  /** Names of the keys rotation manages start with this; others (added by hand) are never touched. */
  namePrefix: string;
  current: { versionId: string; apiKey: string };
  /** A rotation in progress: its key must survive until the rotation finishes or is replaced. */
  pending?: { apiKey: string };
  previous?: { apiKey: string };
  /** When AWSCURRENT moved to the current version. */
  switchedAt: Date;
  now: Date;
  graceMs?: number;
}

export interface KeyPlan {
  /** Keys to create and attach: the current one when API Gateway does not have it yet. */
  add: { name: string; value: string }[];
  /** Keys of ours that no version still in use holds. */
  remove: GatewayKey[];
}

/** The name of the gateway key that holds a secret version's key; the version id makes it unique and findable. */
export function keyName(namePrefix: string, versionId: string): string {
  return `${namePrefix}${versionId}`;
}

/**
 * What API Gateway must hold so that it accepts exactly the keys the secret vouches for: the current key (always),
 * a pending one (rotation in progress), and the previous one until the grace has passed since the switch.
 */
export function planKeys(input: KeyPlanInput): KeyPlan {
  const graceMs = input.graceMs ?? ROTATION_GRACE_MS;
  const keep = new Set([input.current.apiKey]);
  if (input.pending) keep.add(input.pending.apiKey);
  if (input.previous && input.now.getTime() - input.switchedAt.getTime() < graceMs) keep.add(input.previous.apiKey);

  const add = input.attached.some((k) => k.value === input.current.apiKey)
    ? []
    : [{ name: keyName(input.namePrefix, input.current.versionId), value: input.current.apiKey }];
  const remove = input.attached.filter((k) => k.name.startsWith(input.namePrefix) && !keep.has(k.value));
  return { add, remove };
}

/**
 * When the current version became current, as far as Secrets Manager says: a rotation records LastRotatedDate when it
 * finishes, a value put by hand only has its version's creation date; whichever is later. (finishSecret does not
 * need this: it passes the moment it moved the label.)
 */
export function switchTime(currentCreatedAt: Date, lastRotatedAt: Date | undefined): Date {
  return lastRotatedAt && lastRotatedAt > currentCreatedAt ? lastRotatedAt : currentCreatedAt;
}
