import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { BlockUsage, InfrastructureError } from "@cbm/core";
import type { SamplerState, UsageStore } from "../platform/ports/usage-store";
import { toInfrastructureError } from "./dynamo-errors";
import { PARTITION_KEY, SORT_KEY } from "./dynamo-schema";

/*
 * Usage items: PK `USAGE#<block PK>`, SK `USAGE` (one small item per block, two weeks of hourly aggregates), and the
 * sampler's own `USAGE#sampler` item (where the last pass stopped). `#` never occurs in a block's PK, and they carry
 * no index attribute, so no index lists them.
 */
const SK = "USAGE";
const SAMPLER_PK = "USAGE#sampler";

export type { SamplerState, UsageStore };

export function createDynamoUsageStore({ client, tableName }: { client: DynamoDBDocumentClient; tableName: string }): UsageStore {
  const read = async (pk: string) => {
    try {
      return (await client.send(new GetCommand({ TableName: tableName, Key: { [PARTITION_KEY]: pk, [SORT_KEY]: SK } }))).Item;
    } catch (err) {
      throw toInfrastructureError("GetItem(usage)", err);
    }
  };
  const write = async (pk: string, body: Record<string, unknown>) => {
    try {
      // Last writer wins: usage is statistics, and two overlapping samplers write the same figures.
      await client.send(
        new PutCommand({ TableName: tableName, Item: { ...JSON.parse(JSON.stringify(body)), [PARTITION_KEY]: pk, [SORT_KEY]: SK } }),
      );
    } catch (err) {
      throw toInfrastructureError("PutItem(usage)", err);
    }
  };
  return {
    async get(pk) {
      const item = await read(`USAGE#${pk}`);
      if (!item) return undefined;
      const { [PARTITION_KEY]: _pk, [SORT_KEY]: _sk, ...rest } = item;
      const parsed = BlockUsage.safeParse(rest);
      if (!parsed.success) throw new InfrastructureError(`Stored usage of '${pk}' does not match its schema`, "InvalidStoredItem");
      return parsed.data;
    },
    put: (usage) => write(`USAGE#${usage.pk}`, usage),
    async sampler() {
      const item = await read(SAMPLER_PK);
      return {
        ...(typeof item?.cursor === "string" ? { cursor: item.cursor } : {}),
        ...(typeof item?.passEndedAt === "string" ? { passEndedAt: item.passEndedAt } : {}),
      };
    },
    saveSampler: (state) => write(SAMPLER_PK, { ...state }),
  };
}
