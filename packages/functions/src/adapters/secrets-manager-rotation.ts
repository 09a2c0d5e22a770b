import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import type { RotationSecret } from "../rotation/ports";
import { awsFailure } from "./aws-errors";
import { errorCode } from "./ec2-errors";

export interface SecretsManagerRotationOptions {
  client: SecretsManagerClient;
  secretId: string;
}

/** The API-key secret as the rotation sees it: its versions, their labels and values. */
export function createSecretsManagerRotationSecret(opts: SecretsManagerRotationOptions): RotationSecret {
  const { client, secretId } = opts;
  return {
    async describe() {
      let out;
      try {
        out = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
      } catch (err) {
        throw awsFailure("DescribeSecret", err);
      }
      return {
        rotationEnabled: out.RotationEnabled === true,
        stages: out.VersionIdsToStages ?? {},
        ...(out.LastRotatedDate ? { lastRotatedAt: out.LastRotatedDate } : {}),
      };
    },

    async value(stage, versionId) {
      let out;
      try {
        out = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage, VersionId: versionId }));
      } catch (err) {
        // No version with that label, or the label's version has no value yet (Secrets Manager's placeholder).
        if (errorCode(err) === "ResourceNotFoundException") return undefined;
        throw awsFailure("GetSecretValue", err);
      }
      if (out.SecretString === undefined || !out.VersionId) return undefined;
      // Secrets Manager always dates a version; were it missing, "just now" keeps a superseded key its full grace.
      return { versionId: out.VersionId, secretString: out.SecretString, createdAt: out.CreatedDate ?? new Date() };
    },

    async putPending(versionId, secretString) {
      try {
        await client.send(
          new PutSecretValueCommand({
            SecretId: secretId,
            ClientRequestToken: versionId,
            SecretString: secretString,
            VersionStages: ["AWSPENDING"],
          }),
        );
      } catch (err) {
        throw awsFailure("PutSecretValue", err);
      }
    },

    async makeCurrent(versionId, fromVersionId) {
      try {
        await client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: secretId,
            VersionStage: "AWSCURRENT",
            MoveToVersionId: versionId,
            RemoveFromVersionId: fromVersionId,
          }),
        );
      } catch (err) {
        throw awsFailure("UpdateSecretVersionStage", err);
      }
    },
  };
}
