import {
  type APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  GetApiKeysCommand,
  GetUsagePlanKeysCommand,
} from "@aws-sdk/client-api-gateway";
import type { GatewayKey, GatewayKeys } from "../rotation/ports";
import { awsFailure } from "./aws-errors";
import { errorCode } from "./ec2-errors";

export interface ApiGatewayKeysOptions {
  client: APIGatewayClient;
  usagePlanId: string;
  /** Only keys whose name starts with this are searched when adopting an unattached key. */
  namePrefix: string;
  /**
   * Tags every key it creates carries, e.g. `{ "cbm:stage": "prod" }`: the rotation role may delete only keys tagged
   * for its stage (stacks/secrets.ts), so it can never remove another stage's key or one made by hand.
   */
  tags?: Record<string, string>;
}

const PAGE = 500;

/** The API keys of one usage plan, managed through API Gateway's control plane. */
export function createApiGatewayKeys(opts: ApiGatewayKeysOptions): GatewayKeys {
  const { client, usagePlanId } = opts;

  async function list(): Promise<GatewayKey[]> {
    const keys: GatewayKey[] = [];
    let position: string | undefined;
    do {
      const page = await call("GetUsagePlanKeys", () => client.send(new GetUsagePlanKeysCommand({ usagePlanId, limit: PAGE, position })));
      for (const k of page.items ?? []) {
        if (k.id && k.value !== undefined) keys.push({ id: k.id, name: k.name ?? "", value: k.value });
      }
      position = page.position;
    } while (position);
    return keys;
  }

  /** Our key holding `value`, attached or not; API Gateway answers only with the names and values we ask for. */
  async function findByValue(value: string): Promise<string | undefined> {
    let position: string | undefined;
    do {
      const page = await call("GetApiKeys", () =>
        client.send(new GetApiKeysCommand({ nameQuery: opts.namePrefix, includeValues: true, limit: PAGE, position })),
      );
      const found = (page.items ?? []).find((k) => k.value === value && k.name?.startsWith(opts.namePrefix));
      if (found?.id) return found.id;
      position = page.position;
    } while (position);
    return undefined;
  }

  async function create(name: string, value: string): Promise<string> {
    try {
      const out = await client.send(
        new CreateApiKeyCommand({
          name,
          value,
          enabled: true,
          description: "CBM API key, managed by its rotation function; do not edit",
          ...(opts.tags ? { tags: opts.tags } : {}),
        }),
      );
      if (!out.id) throw new Error("CreateApiKey returned no id");
      return out.id;
    } catch (err) {
      // A key with this value exists: an earlier attempt created it and stopped before attaching it.
      if (errorCode(err) !== "ConflictException") throw awsFailure("CreateApiKey", err);
      const id = await findByValue(value);
      if (!id) throw awsFailure("CreateApiKey", err);
      return id;
    }
  }

  async function attach(keyId: string): Promise<void> {
    try {
      await client.send(new CreateUsagePlanKeyCommand({ usagePlanId, keyId, keyType: "API_KEY" }));
    } catch (err) {
      // Already attached (a retried step): what we wanted.
      if (errorCode(err) !== "ConflictException") throw awsFailure("CreateUsagePlanKey", err);
    }
  }

  return {
    list,
    add: async (name, value) => attach(await create(name, value)),
    async remove(id) {
      try {
        await client.send(new DeleteApiKeyCommand({ apiKey: id }));
      } catch (err) {
        // Gone already (a retried step, or someone deleted it): what we wanted.
        if (errorCode(err) !== "NotFoundException") throw awsFailure("DeleteApiKey", err);
      }
    },
  };
}

async function call<T>(op: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw awsFailure(op, err);
  }
}
