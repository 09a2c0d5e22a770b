import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  GetApiKeysCommand,
  GetUsagePlanKeysCommand,
} from "@aws-sdk/client-api-gateway";
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { fixedClock } from "./blocks";
import { createApiGatewayKeys } from "../../src/adapters/api-gateway-keys";
import { createSecretsManagerRotationSecret } from "../../src/adapters/secrets-manager-rotation";
import { createLogger, type LogSink } from "../../src/platform/observability/logger";
import { createRotationHandler } from "../../src/rotation/create-rotation-handler";

/*
 * Secrets Manager and API Gateway as aws-sdk-client-mock stubs that keep state, so a test can run the rotation steps
 * in sequence through the real adapters and look at the outcome: versions and labels, keys and the usage plan.
 * Only the behaviour the rotation relies on is modelled (labels move as UpdateSecretVersionStage documents it, a
 * duplicate key value is a ConflictException, a missing version a ResourceNotFoundException).
 */

export const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:/cbm/prod/apiSecretName-AbCdEf";
export const PLAN_ID = "plan123";
export const PREFIX = "prod-capacity-block-manager-api-key-";
export const START = "2026-03-01T10:00:00.000Z";

interface Version {
  value?: string;
  stages: string[];
  created: Date;
}
interface Key {
  name: string;
  value: string;
}

const awsError = (name: string) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400 } });

export function rotationServices(initial: { secretString: string; versionId?: string }) {
  const clock = fixedClock(START);
  const versions = new Map<string, Version>([
    [initial.versionId ?? "v0", { value: initial.secretString, stages: ["AWSCURRENT"], created: clock.now() }],
  ]);
  const secret = { rotationEnabled: true, lastRotated: undefined as Date | undefined };
  const keys = new Map<string, Key>();
  const plan = new Set<string>();
  let nextKeyId = 1;

  const sm = mockClient(SecretsManagerClient);
  sm.on(DescribeSecretCommand).callsFake(async () => ({
    ARN: SECRET_ARN,
    RotationEnabled: secret.rotationEnabled,
    LastRotatedDate: secret.lastRotated,
    VersionIdsToStages: Object.fromEntries([...versions].map(([id, v]) => [id, [...v.stages]])),
  }));
  sm.on(GetSecretValueCommand).callsFake(async (input: { VersionId?: string; VersionStage?: string }) => {
    const stage = input.VersionStage ?? "AWSCURRENT";
    const match = [...versions].find(([id, v]) => v.stages.includes(stage) && (input.VersionId === undefined || id === input.VersionId));
    if (!match || match[1].value === undefined) throw awsError("ResourceNotFoundException");
    return {
      ARN: SECRET_ARN,
      VersionId: match[0],
      SecretString: match[1].value,
      VersionStages: match[1].stages,
      CreatedDate: match[1].created,
    };
  });
  sm.on(PutSecretValueCommand).callsFake(async (input: { ClientRequestToken: string; SecretString: string; VersionStages: string[] }) => {
    const existing = versions.get(input.ClientRequestToken);
    if (existing?.value !== undefined && existing.value !== input.SecretString) throw awsError("ResourceExistsException");
    for (const v of versions.values()) v.stages = v.stages.filter((s) => !input.VersionStages.includes(s));
    versions.set(input.ClientRequestToken, { value: input.SecretString, stages: input.VersionStages, created: clock.now() });
    return { ARN: SECRET_ARN, VersionId: input.ClientRequestToken };
  });
  sm.on(UpdateSecretVersionStageCommand).callsFake(
    async (input: { VersionStage: string; MoveToVersionId: string; RemoveFromVersionId: string }) => {
      const from = versions.get(input.RemoveFromVersionId);
      if (!from?.stages.includes(input.VersionStage)) throw awsError("InvalidParameterException");
      // As Secrets Manager does: moving AWSCURRENT moves AWSPREVIOUS to the version that had it.
      for (const v of versions.values()) v.stages = v.stages.filter((s) => s !== "AWSPREVIOUS");
      from.stages = [...from.stages.filter((s) => s !== "AWSCURRENT"), "AWSPREVIOUS"];
      const to = versions.get(input.MoveToVersionId)!;
      to.stages = [...to.stages.filter((s) => s !== "AWSPENDING"), "AWSCURRENT"];
      return {};
    },
  );

  const apigw = mockClient(APIGatewayClient);
  const faults: Error[] = [];
  apigw.on(GetUsagePlanKeysCommand).callsFake(async (input: { usagePlanId: string }) => {
    const fault = faults.shift();
    if (fault) throw fault;
    if (input.usagePlanId !== PLAN_ID) throw awsError("NotFoundException");
    return { items: [...plan].map((id) => ({ id, type: "API_KEY", name: keys.get(id)!.name, value: keys.get(id)!.value })) };
  });
  apigw.on(GetApiKeysCommand).callsFake(async (input: { nameQuery?: string; includeValues?: boolean }) => ({
    items: [...keys]
      .filter(([, k]) => k.name.startsWith(input.nameQuery ?? ""))
      .map(([id, k]) => ({ id, name: k.name, ...(input.includeValues ? { value: k.value } : {}), enabled: true })),
  }));
  apigw.on(CreateApiKeyCommand).callsFake(async (input: { name: string; value: string }) => {
    if ([...keys.values()].some((k) => k.value === input.value)) throw awsError("ConflictException");
    const id = `key${nextKeyId++}`;
    keys.set(id, { name: input.name, value: input.value });
    return { id, name: input.name, enabled: true };
  });
  apigw.on(CreateUsagePlanKeyCommand).callsFake(async (input: { usagePlanId: string; keyId: string }) => {
    if (!keys.has(input.keyId)) throw awsError("NotFoundException");
    if (plan.has(input.keyId)) throw awsError("ConflictException");
    plan.add(input.keyId);
    return { id: input.keyId };
  });
  apigw.on(DeleteApiKeyCommand).callsFake(async (input: { apiKey: string }) => {
    if (!keys.delete(input.apiKey)) throw awsError("NotFoundException");
    plan.delete(input.apiKey);
    return {};
  });

  const logLines: string[] = [];
  const sink: LogSink = { write: (line) => void logLines.push(line) };
  let generated = 0;
  const handler = createRotationHandler({
    secretArn: SECRET_ARN,
    secret: createSecretsManagerRotationSecret({ client: new SecretsManagerClient({ region: "us-east-1" }), secretId: SECRET_ARN }),
    gateway: createApiGatewayKeys({ client: new APIGatewayClient({ region: "us-east-1" }), usagePlanId: PLAN_ID, namePrefix: PREFIX }),
    keys: { newKey: () => `generatedKey${++generated}`.padEnd(40, "x") },
    clock,
    logger: createLogger({ sink }),
    namePrefix: PREFIX,
  });

  /** What Secrets Manager does when a rotation starts: an AWSPENDING version with no value yet, named by the token. */
  function startRotation(token: string): void {
    for (const v of versions.values()) v.stages = v.stages.filter((s) => s !== "AWSPENDING");
    versions.set(token, { stages: ["AWSPENDING"], created: clock.now() });
  }

  const step = (Step: string, token: string) => handler({ Step, SecretId: SECRET_ARN, ClientRequestToken: token });

  return {
    clock,
    versions,
    secret,
    keys,
    sm,
    apigw,
    logLines,
    handler,
    step,
    startRotation,
    /** Every step in order, as one rotation by Secrets Manager; it records LastRotatedDate when finishSecret succeeds. */
    async rotate(token: string) {
      startRotation(token);
      for (const s of ["createSecret", "setSecret", "testSecret", "finishSecret"]) await step(s, token);
      secret.lastRotated = clock.now();
    },
    /** The key values API Gateway accepts now (attached to the plan). */
    accepted: () => [...plan].map((id) => keys.get(id)!.value).sort(),
    /** The API key of a version, read as clients read it. */
    keyOf(stage: string): string {
      const v = [...versions.values()].find((x) => x.stages.includes(stage));
      const s = v?.value ?? "";
      return s.startsWith("{") ? (JSON.parse(s) as { api_key: string }).api_key : s;
    },
    /** The next GetUsagePlanKeys fails with this AWS error name. */
    failNextListing(name: string): void {
      faults.push(awsError(name));
    },
    /** A key someone attached to the plan by hand; rotation must leave it alone. */
    attachForeignKey(name: string, value: string): void {
      const id = `key${nextKeyId++}`;
      keys.set(id, { name, value });
      plan.add(id);
    },
    restore() {
      sm.restore();
      apigw.restore();
    },
  };
}
