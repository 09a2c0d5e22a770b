/**
 * What the API-key rotation needs from the outside world, shaped by the rotation, not by the SDKs: the secret's
 * versions (Secrets Manager) and the keys API Gateway accepts (the stage's usage plan). These ports live here, not
 * in core: rotating a credential is deployment plumbing, not Capacity Block domain.
 */

/** Secrets Manager's staging labels the rotation protocol moves. */
export type Stage = "AWSCURRENT" | "AWSPENDING" | "AWSPREVIOUS";

export interface SecretVersionValue {
  versionId: string;
  secretString: string;
  createdAt: Date;
}

export interface SecretState {
  rotationEnabled: boolean;
  /** Staging labels per version id. */
  stages: Record<string, string[]>;
  /** When Secrets Manager last finished a rotation, if ever. */
  lastRotatedAt?: Date;
}

/** One secret, the API key's. */
export interface RotationSecret {
  describe(): Promise<SecretState>;
  /**
   * The value of the version with `stage` (and `versionId` when given); undefined when there is none, or when the
   * version has no value yet (the placeholder Secrets Manager creates before a rotation step runs).
   */
  value(stage: Stage, versionId?: string): Promise<SecretVersionValue | undefined>;
  /** Stores `secretString` as version `versionId` labelled AWSPENDING (idempotent for the same token and value). */
  putPending(versionId: string, secretString: string): Promise<void>;
  /** Moves AWSCURRENT to `versionId` (Secrets Manager moves AWSPREVIOUS to the version that had it). */
  makeCurrent(versionId: string, fromVersionId: string): Promise<void>;
}

export interface GatewayKey {
  id: string;
  name: string;
  value: string;
}

/** The API keys attached to this stage's usage plan: what API Gateway lets through. */
export interface GatewayKeys {
  list(): Promise<GatewayKey[]>;
  /**
   * Creates an enabled key and attaches it to the plan. API Gateway refuses a second key with the same value, so a key
   * left unattached by an earlier, interrupted attempt is found and attached instead.
   */
  add(name: string, value: string): Promise<void>;
  /** Deletes the key (which also detaches it). */
  remove(id: string): Promise<void>;
}

/** New key material; random in production, fixed in tests. */
export interface KeyGenerator {
  newKey(): string;
}
