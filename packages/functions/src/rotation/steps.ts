import { formatApiKeySecret } from "../platform/api-key-secret";
import { RotationStateError, RotationTestError } from "../platform/errors";
import type { RotationContext } from "./context";
import { keyName } from "./key-plan";
import type { SecretState } from "./ports";
import { reconcileKeys } from "./reconcile";
import { currentKey, readKey, versionWith } from "./secret-keys";

/*
 * Secrets Manager's four rotation steps for the API key. Each is idempotent: Secrets Manager retries a failed step,
 * and a step may find its work already done. Order matters for clients: the new key is accepted by API Gateway
 * (setSecret) before it becomes AWSCURRENT (finishSecret), so nobody who reads the secret is ever refused at the
 * gateway; the old key stays accepted for the grace (key-plan.ts).
 */

export type RotationStep = "createSecret" | "setSecret" | "testSecret" | "finishSecret";

/** What the version `token` is in: the rotation's pending version, or already current (a finished rotation retried). */
async function tokenState(ctx: RotationContext, token: string): Promise<{ kind: "pending" | "current"; state: SecretState }> {
  const state = await ctx.secret.describe();
  if (!state.rotationEnabled) throw new RotationStateError("Rotation is not enabled on the API key secret");
  const labels = state.stages[token];
  if (!labels) throw new RotationStateError(`The API key secret has no version ${token} to rotate to`);
  if (labels.includes("AWSCURRENT")) return { kind: "current", state };
  if (!labels.includes("AWSPENDING")) throw new RotationStateError(`Version ${token} of the API key secret is not AWSPENDING`);
  return { kind: "pending", state };
}

/** createSecret: a new random key into AWSPENDING, keeping the JSON members beside it (username). */
async function createSecret(ctx: RotationContext, token: string): Promise<void> {
  if ((await tokenState(ctx, token)).kind === "current") return;
  const current = await currentKey(ctx.secret);
  if ((await readKey(ctx.secret, "AWSPENDING", token)).kind !== "none") {
    ctx.logger.info("pending api key already stored", { token });
    return;
  }
  await ctx.secret.putPending(token, formatApiKeySecret(ctx.keys.newKey(), current.members));
  ctx.logger.info("pending api key stored", { token });
}

/** setSecret: API Gateway accepts the pending key from now on (beside the current one). */
async function setSecret(ctx: RotationContext, token: string): Promise<void> {
  if ((await tokenState(ctx, token)).kind === "current") return;
  const pending = await readKey(ctx.secret, "AWSPENDING", token);
  if (pending.kind !== "key") {
    throw new RotationStateError(
      pending.kind === "none"
        ? `Version ${token} has no value: createSecret has not run`
        : `Version ${token} is unusable: ${pending.reason}`,
    );
  }
  if ((await ctx.gateway.list()).some((k) => k.value === pending.apiKey)) return;
  await ctx.gateway.add(keyName(ctx.namePrefix, token), pending.apiKey);
  ctx.logger.info("pending api key added to the usage plan", { token, name: keyName(ctx.namePrefix, token) });
}

/**
 * testSecret: the pending key is attached to the usage plan, so it will work once current. When Secrets Manager
 * only tests the configuration (rotation enabled without rotating at once: it calls this step on a version with no
 * value), there is no key to test; the reconcile it runs first is the test that the function can reach both
 * services, and on the first deploy it is what gives API Gateway the generated key.
 */
async function testSecret(ctx: RotationContext, token: string): Promise<void> {
  if ((await tokenState(ctx, token)).kind === "current") return;
  await reconcileKeys(ctx);
  const pending = await readKey(ctx.secret, "AWSPENDING", token);
  if (pending.kind === "none") {
    ctx.logger.info("configuration test: no pending value to test", { token });
    return;
  }
  if (pending.kind === "unusable") throw new RotationTestError(`Version ${token} is unusable: ${pending.reason}`);
  if (!(await ctx.gateway.list()).some((k) => k.value === pending.apiKey)) {
    throw new RotationTestError(`API Gateway's usage plan does not hold the pending key of version ${token}`);
  }
}

/** finishSecret: the pending version becomes AWSCURRENT; keys superseded longer than the grace go. */
async function finishSecret(ctx: RotationContext, token: string): Promise<void> {
  const { kind, state } = await tokenState(ctx, token);
  if (kind === "current") {
    await reconcileKeys(ctx);
    return;
  }
  const from = versionWith(state, "AWSCURRENT");
  if (!from) throw new RotationStateError("The API key secret has no AWSCURRENT version to rotate from");
  await ctx.secret.makeCurrent(token, from);
  ctx.logger.info("api key rotated", { token, previous: from });
  // The key just superseded keeps its grace from now, however long the rotation took since createSecret.
  await reconcileKeys(ctx, { switchedAt: ctx.clock.now() });
}

export const ROTATION_STEPS: Record<RotationStep, (ctx: RotationContext, token: string) => Promise<void>> = {
  createSecret,
  setSecret,
  testSecret,
  finishSecret,
};
