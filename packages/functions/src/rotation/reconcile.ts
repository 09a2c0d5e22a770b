import type { RotationContext } from "./context";
import { planKeys, switchTime } from "./key-plan";
import { currentKey, type KeyRead, readKey, versionWith } from "./secret-keys";

export interface ReconcileResult {
  added: number;
  removed: number;
}

/**
 * Makes API Gateway accept exactly what the secret vouches for (key-plan.ts): adds the current key if missing (the
 * first deploy; a value put by hand with put-secret-value) and removes superseded keys once their grace has passed.
 * Runs at the end of every rotation and on a schedule. Adds before it removes, so a client holding the current key
 * is never refused in between.
 */
export async function reconcileKeys(ctx: RotationContext, opts: { switchedAt?: Date } = {}): Promise<ReconcileResult> {
  const state = await ctx.secret.describe();
  const current = await currentKey(ctx.secret);
  const pendingId = versionWith(state, "AWSPENDING");
  const pending =
    pendingId && pendingId !== current.versionId
      ? usable(ctx, "AWSPENDING", await readKey(ctx.secret, "AWSPENDING", pendingId))
      : undefined;
  const previous = versionWith(state, "AWSPREVIOUS") ? usable(ctx, "AWSPREVIOUS", await readKey(ctx.secret, "AWSPREVIOUS")) : undefined;

  const plan = planKeys({
    attached: await ctx.gateway.list(),
    namePrefix: ctx.namePrefix,
    current,
    ...(pending ? { pending } : {}),
    ...(previous ? { previous } : {}),
    switchedAt: opts.switchedAt ?? switchTime(current.createdAt, state.lastRotatedAt),
    now: ctx.clock.now(),
    ...(ctx.graceMs !== undefined ? { graceMs: ctx.graceMs } : {}),
  });
  for (const key of plan.add) await ctx.gateway.add(key.name, key.value);
  for (const key of plan.remove) await ctx.gateway.remove(key.id);
  // Names and ids only: values are keys.
  if (plan.add.length + plan.remove.length > 0) {
    ctx.logger.info("api keys reconciled", { added: plan.add.map((k) => k.name), removed: plan.remove.map((k) => k.name) });
  }
  return { added: plan.add.length, removed: plan.remove.length };
}

/** A pending or previous version whose value holds no key cannot be in use; it must not block the reconcile. */
function usable(ctx: RotationContext, stage: string, read: KeyRead): { apiKey: string } | undefined {
  if (read.kind === "unusable") ctx.logger.warn("ignoring a secret version without a usable key", { stage, reason: read.reason });
  return read.kind === "key" ? { apiKey: read.apiKey } : undefined;
}
