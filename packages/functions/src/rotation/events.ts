import * as z from "zod";
import { RotationEventError } from "../platform/errors";
import type { RotationStep } from "./steps";

/** What Secrets Manager sends the rotation function for each step. */
const StepEvent = z.object({
  Step: z.enum(["createSecret", "setSecret", "testSecret", "finishSecret"]),
  SecretId: z.string().min(1),
  ClientRequestToken: z.string().min(1).max(64),
});

/** The input of the reconcile schedule's EventBridge target (stacks/secrets.ts). */
export const RECONCILE_EVENT = { action: "reconcile-api-keys" } as const;
const ReconcileEvent = z.object({ action: z.literal(RECONCILE_EVENT.action) });

export type RotationEvent = { kind: "step"; step: RotationStep; secretId: string; token: string } | { kind: "reconcile" };

/** The invocation, or RotationEventError naming what is wrong with it (never echoing it: it could carry anything). */
export function parseRotationEvent(event: unknown): RotationEvent {
  const step = StepEvent.safeParse(event);
  if (step.success) return { kind: "step", step: step.data.Step, secretId: step.data.SecretId, token: step.data.ClientRequestToken };
  if (ReconcileEvent.safeParse(event).success) return { kind: "reconcile" };
  const fields = step.error.issues.map((i) => i.path.join(".") || "event").join(", ");
  throw new RotationEventError(`Not a rotation step or reconcile event (fields at fault: ${fields})`);
}
