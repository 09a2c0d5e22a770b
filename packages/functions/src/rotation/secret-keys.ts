import { parseApiKeySecret } from "../platform/api-key-secret";
import { RotationStateError } from "../platform/errors";
import type { RotationSecret, SecretState, Stage } from "./ports";

export interface KeyVersion {
  versionId: string;
  apiKey: string;
  /** The JSON members beside the key (username …), carried into the next version. */
  members: Record<string, unknown>;
  createdAt: Date;
}

/** A version's key, or why there is none: no such version / no value yet, or a value that holds no key. */
export type KeyRead = { kind: "none" } | { kind: "unusable"; reason: string } | ({ kind: "key" } & KeyVersion);

export async function readKey(secret: RotationSecret, stage: Stage, versionId?: string): Promise<KeyRead> {
  const value = await secret.value(stage, versionId);
  if (!value) return { kind: "none" };
  const parsed = parseApiKeySecret(value.secretString);
  if (!parsed.ok) return { kind: "unusable", reason: parsed.reason };
  return { kind: "key", versionId: value.versionId, apiKey: parsed.apiKey, members: parsed.members, createdAt: value.createdAt };
}

/** The key in force. Without one there is nothing to rotate from and nothing API Gateway should accept. */
export async function currentKey(secret: RotationSecret): Promise<KeyVersion> {
  const read = await readKey(secret, "AWSCURRENT");
  if (read.kind === "key") return read;
  throw new RotationStateError(
    read.kind === "none"
      ? "The API key secret has no AWSCURRENT value"
      : `The API key secret's AWSCURRENT value is unusable: ${read.reason}`,
  );
}

/** The version id that carries `stage`, if any. */
export function versionWith(state: SecretState, stage: Stage): string | undefined {
  return Object.entries(state.stages).find(([, labels]) => labels.includes(stage))?.[0];
}
