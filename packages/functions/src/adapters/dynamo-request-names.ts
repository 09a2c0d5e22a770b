import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { AlreadyExistsError, type CapacityRequest, holdsItsName, RequestNameTakenError, VersionConflictError } from "@cbm/core";
import { cancellationCodes, errorName, toInfrastructureError } from "./dynamo-errors";
import { PARTITION_KEY, SORT_KEY } from "./dynamo-schema";

/*
 * A request's name is claimed by a `REQNAME#<name>` item (SK `REQNAME`, `requestId` = the request it was last given
 * to), put in the same transaction that creates the request: two creates of one name can never both succeed, and a
 * name is found with one GetItem instead of reading every request. `#` never occurs in a block's PK, so the item
 * cannot collide with a block; it has no itemType or due attribute, so no index lists it.
 *
 * The item is never deleted: when its request frees the name (cancelled, expired, payment failed: holdsItsName),
 * the next create takes it over with a write conditional on the freed holder's id. A freed request never holds its
 * name again (those statuses are final), so "the holder is freed" read before the write stays true at the write.
 */
export const REQUEST_NAME_PK_PREFIX = "REQNAME#";
export const REQUEST_NAME_SK = "REQNAME";

/** Simultaneous creates collide as TransactionConflict; each retry reads the name again, so the loser sees the winner. */
const ATTEMPTS = 5;

const nameKey = (name: string) => ({ [PARTITION_KEY]: `${REQUEST_NAME_PK_PREFIX}${name}`, [SORT_KEY]: REQUEST_NAME_SK });

/** The id of the request the name was last given to, if any. */
export async function readNameHolder(client: DynamoDBDocumentClient, tableName: string, name: string): Promise<string | undefined> {
  let out;
  try {
    out = await client.send(new GetCommand({ TableName: tableName, Key: nameKey(name), ConsistentRead: true }));
  } catch (err) {
    throw toInfrastructureError("GetItem(request name)", err);
  }
  const id = out.Item?.requestId;
  return typeof id === "string" ? id : undefined;
}

interface NamesContext {
  client: DynamoDBDocumentClient;
  tableName: string;
  get(id: string): Promise<CapacityRequest | undefined>;
}

/** The holder's id when it still holds the name (open or fulfilled); a request gone or freed leaves it free. */
async function holdingId(ctx: NamesContext, name: string): Promise<{ holder?: string; holds: boolean }> {
  const holder = await readNameHolder(ctx.client, ctx.tableName, name);
  if (!holder) return { holds: false };
  const request = await ctx.get(holder);
  return { holder, holds: request !== undefined && holdsItsName(request) };
}

/** Creates a named request and claims its name in one transaction; RequestNameTakenError when a live request has it. */
export async function createNamedRequest(
  ctx: NamesContext,
  request: CapacityRequest,
  item: Record<string, unknown>,
): Promise<CapacityRequest> {
  const name = request.name!;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const { holder, holds } = await holdingId(ctx, name);
    if (holds) throw new RequestNameTakenError(name, holder!);
    try {
      await ctx.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: ctx.tableName,
                Item: item,
                ConditionExpression: "attribute_not_exists(#pk)",
                ExpressionAttributeNames: { "#pk": PARTITION_KEY },
              },
            },
            {
              Put: {
                TableName: ctx.tableName,
                Item: { ...nameKey(name), requestId: request.id, name },
                ...(holder
                  ? {
                      ConditionExpression: "#r = :freed",
                      ExpressionAttributeNames: { "#r": "requestId" },
                      ExpressionAttributeValues: { ":freed": holder },
                    }
                  : { ConditionExpression: "attribute_not_exists(#pk)", ExpressionAttributeNames: { "#pk": PARTITION_KEY } }),
              },
            },
          ],
        }),
      );
      return request;
    } catch (err) {
      if (errorName(err) !== "TransactionCanceledException") throw toInfrastructureError("TransactWriteItems(request, name)", err);
      const codes = cancellationCodes(err);
      if (codes[0] === "ConditionalCheckFailed") throw new AlreadyExistsError(request.id);
      // Another create claimed the name first (or is claiming it): read it again, which finds that request.
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
  const { holder, holds } = await holdingId(ctx, name);
  if (holds) throw new RequestNameTakenError(name, holder!);
  throw new VersionConflictError(request.id, 0);
}
