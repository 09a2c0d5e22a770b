import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import {
  AlreadyExistsError,
  AlreadyManagedError,
  Block,
  ReservationLedger,
  InfrastructureError,
  NotFoundError,
  PurchaseInFlightError,
  VersionConflictError,
  type BlockStore,
  type HistoryEvent,
} from "@cbm/core";
import { BlocksIndexCursor, DueIndexCursor, EndingIndexCursor, decodeCursor } from "./dynamo-cursor";
import { itemTypeQuery, tableQuery } from "./dynamo-query-page";
import { cancellationCodes, errorName, toInfrastructureError } from "./dynamo-errors";
import { historyPut } from "./dynamo-history-store";
import {
  BLOCK_ITEM_TYPE,
  BLOCK_SK,
  DUE_ATTRIBUTE,
  DUE_INDEX,
  DUE_SORT_KEY,
  DUE_VALUE,
  ENDING_INDEX,
  ENDS_AT_ATTRIBUTE,
  ITEM_TYPE_ATTRIBUTE,
  LEDGER_SK,
  ledgerPk,
  PARTITION_KEY,
  SORT_KEY,
  STORAGE_ATTRIBUTES,
} from "./dynamo-schema";

export interface DynamoStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Where unreadable stored items are reported; they are skipped by list/findDue so one bad row cannot stop the rest. */
  logger?: Pick<Console, "warn">;
}

type Item = Record<string, unknown>;

/** The due index compares ISO strings, so every stored nextCheckAt uses one format: UTC with milliseconds. */
function canonicalInstant(iso: string): string {
  return new Date(iso).toISOString();
}

export function blockToItem(block: Block): Item {
  // JSON round trip drops undefined members at any depth, whatever marshall options the injected client has.
  const { nextCheckAt, ...rest } = JSON.parse(JSON.stringify(block)) as Block;
  const item: Item = { ...rest, [SORT_KEY]: BLOCK_SK, [ITEM_TYPE_ATTRIBUTE]: BLOCK_ITEM_TYPE };
  // A null GSI key is a type error in DynamoDB: a block with no next check simply has neither attribute.
  if (nextCheckAt) {
    item[DUE_SORT_KEY] = canonicalInstant(nextCheckAt);
    item[DUE_ATTRIBUTE] = DUE_VALUE;
  }
  if (rest.endDate) item[ENDS_AT_ATTRIBUTE] = canonicalInstant(rest.endDate);
  return item;
}

export function itemToBlock(item: Item): Block {
  const copy: Item = { ...item };
  for (const attr of STORAGE_ATTRIBUTES) if (attr !== PARTITION_KEY) delete copy[attr];
  const parsed = Block.safeParse(copy);
  if (!parsed.success)
    throw new InfrastructureError(`Stored block '${String(item[PARTITION_KEY])}' does not match the Block schema`, "InvalidStoredItem");
  return parsed.data;
}

/** The condition every write of a block carries: same registration (a re-created PK is another one) and version. */
export function sameRegistration(registrationId: string | undefined, expectedVersion: number) {
  return registrationId === undefined
    ? {
        ConditionExpression: "#v = :expected AND attribute_not_exists(#reg)",
        ExpressionAttributeNames: { "#v": "version", "#reg": "registrationId" },
        ExpressionAttributeValues: { ":expected": expectedVersion } as Record<string, unknown>,
      }
    : {
        ConditionExpression: "#v = :expected AND #reg = :reg",
        ExpressionAttributeNames: { "#v": "version", "#reg": "registrationId" },
        ExpressionAttributeValues: { ":expected": expectedVersion, ":reg": registrationId } as Record<string, unknown>,
      };
}

/** The BlockStore port on one DynamoDB table (see dynamo-schema.ts). Every write is conditional. */
export function createDynamoBlockStore({ client, tableName, logger = console }: DynamoStoreOptions): BlockStore {
  const key = (pk: string) => ({ [PARTITION_KEY]: pk, [SORT_KEY]: BLOCK_SK });

  async function read(pk: string, operation = "GetItem"): Promise<Block | undefined> {
    let out;
    try {
      out = await client.send(new GetCommand({ TableName: tableName, Key: key(pk), ConsistentRead: true }));
    } catch (err) {
      throw toInfrastructureError(operation, err);
    }
    return out.Item ? itemToBlock(out.Item) : undefined;
  }

  /** A write's condition failed: read once to tell the caller which rule it broke. */
  async function diagnose(pk: string, expectedVersion: number, checkIntent: boolean, registrationId?: string): Promise<Error> {
    const current = await read(pk);
    if (!current) return new NotFoundError(pk);
    // Deleted and registered again since the writer read it: to that writer its record is gone.
    if (current.registrationId !== registrationId) return new VersionConflictError(pk, expectedVersion);
    if (current.version !== expectedVersion) return new VersionConflictError(pk, expectedVersion);
    if (checkIntent && current.intent) return new PurchaseInFlightError(pk);
    // The record changed and changed back between the write and this read: still someone else's write.
    return new VersionConflictError(pk, expectedVersion);
  }

  /**
   * Runs one conditional write, alone or in a transaction with the reservation's ledger item and history events,
   * and maps condition failures: the primary's to `onConditionFailed`, the ledger's to `onLedgerFailed`.
   */
  async function write(
    operation: string,
    pk: string,
    primary: Record<string, unknown>,
    kind: "Put" | "Delete",
    events: HistoryEvent[],
    onConditionFailed: () => Promise<Error>,
    ledger?: { item: Record<string, unknown>; kind: "Put" | "Update"; onConditionFailed: () => Promise<Error> },
  ): Promise<void> {
    try {
      if (events.length === 0 && !ledger) {
        if (kind === "Put") await client.send(new PutCommand(primary as never));
        else await client.send(new DeleteCommand(primary as never));
      } else {
        const items = [
          { [kind]: primary },
          ...(ledger ? [{ [ledger.kind]: ledger.item }] : []),
          ...events.map((e) => ({ Put: historyPut(tableName, e) })),
        ];
        await client.send(new TransactWriteCommand({ TransactItems: items as never }));
      }
    } catch (err) {
      const name = errorName(err);
      if (name === "ConditionalCheckFailedException") throw await onConditionFailed();
      if (name === "TransactionCanceledException") {
        const codes = cancellationCodes(err);
        if (codes[0] === "ConditionalCheckFailed") throw await onConditionFailed();
        if (ledger && codes[1] === "ConditionalCheckFailed") throw await ledger.onConditionFailed();
        // Another transaction was writing the same record at that moment: someone else won.
        if (codes.includes("TransactionConflict")) throw new VersionConflictError(pk);
        if (codes.slice(1).includes("ConditionalCheckFailed"))
          throw new InfrastructureError(`DynamoDB ${operation}: history event id already used`, "DuplicateEventId", { cause: err });
      }
      throw toInfrastructureError(operation, err);
    }
  }

  async function readLedger(capacityReservationId: string): Promise<ReservationLedger | undefined> {
    let out;
    try {
      out = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { [PARTITION_KEY]: ledgerPk(capacityReservationId), [SORT_KEY]: LEDGER_SK },
          ConsistentRead: true,
        }),
      );
    } catch (err) {
      throw toInfrastructureError("GetItem(ledger)", err);
    }
    if (!out.Item) return undefined;
    const { [PARTITION_KEY]: _pk, [SORT_KEY]: _sk, ...rest } = out.Item;
    const parsed = ReservationLedger.safeParse(rest);
    if (!parsed.success)
      throw new InfrastructureError(`Stored ledger of '${capacityReservationId}' does not match its schema`, "InvalidStoredItem");
    return parsed.data;
  }

  const queryBlocks = tableQuery({ client, tableName, kind: "block", read: itemToBlock, logger });

  return {
    get: (pk) => read(pk),

    list: async ({ limit, cursor }) =>
      queryBlocks("Query(blocks)", itemTypeQuery(BLOCK_ITEM_TYPE, decodeCursor(cursor, BlocksIndexCursor)), limit),

    findDue: async (now, { limit, cursor }) =>
      queryBlocks(
        "Query(due)",
        {
          IndexName: DUE_INDEX,
          KeyConditionExpression: "#d = :d AND #n <= :now",
          ExpressionAttributeNames: { "#d": DUE_ATTRIBUTE, "#n": DUE_SORT_KEY },
          ExpressionAttributeValues: { ":d": DUE_VALUE, ":now": canonicalInstant(now) },
          ExclusiveStartKey: decodeCursor(cursor, DueIndexCursor),
        },
        limit,
      ),

    findEndingBetween: async (from, to, { limit, cursor }) =>
      queryBlocks(
        "Query(ending)",
        {
          IndexName: ENDING_INDEX,
          KeyConditionExpression: "#t = :t AND #e BETWEEN :from AND :to",
          ExpressionAttributeNames: { "#t": ITEM_TYPE_ATTRIBUTE, "#e": ENDS_AT_ATTRIBUTE },
          ExpressionAttributeValues: { ":t": BLOCK_ITEM_TYPE, ":from": canonicalInstant(from), ":to": canonicalInstant(to) },
          ExclusiveStartKey: decodeCursor(cursor, EndingIndexCursor),
        },
        limit,
      ),

    getLedger: readLedger,

    async create(block, events = [], claim) {
      const item = blockToItem(block);
      const ledgerKey = { [PARTITION_KEY]: ledgerPk(block.capacityReservationId), [SORT_KEY]: LEDGER_SK };
      // Claiming the ledger makes this block the reservation's only manager, from the figures it was built from.
      const ledger = claim && {
        kind: "Update" as const,
        item: {
          TableName: tableName,
          Key: ledgerKey,
          UpdateExpression:
            "SET #m = :pk, #reg = :reg, #cr = :cr, #at = :at, #rev = if_not_exists(#rev, :zero) + :one, #s = if_not_exists(#s, :zeroMoney), #c = if_not_exists(#c, :cur), #n = if_not_exists(#n, :zero)",
          ConditionExpression: claim.ledgerRev === undefined ? "attribute_not_exists(#pk)" : "#rev = :rev AND attribute_not_exists(#m)",
          // DynamoDB refuses names an expression does not use: #pk only appears in the no-ledger-yet condition.
          ExpressionAttributeNames: {
            ...(claim.ledgerRev === undefined ? { "#pk": PARTITION_KEY } : {}),
            "#m": "managedBy",
            "#reg": "registrationId",
            "#cr": "capacityReservationId",
            "#at": "updatedAt",
            "#rev": "rev",
            "#s": "spent",
            "#c": "currency",
            "#n": "extensionsPurchased",
          },
          ExpressionAttributeValues: {
            ":pk": block.PK,
            ":reg": block.registrationId ?? block.PK,
            ":cr": block.capacityReservationId,
            ":at": block.createdAt,
            ":zero": 0,
            ":one": 1,
            ":zeroMoney": "0",
            ":cur": block.policy.currency,
            ...(claim.ledgerRev === undefined ? {} : { ":rev": claim.ledgerRev }),
          },
        },
        onConditionFailed: async (): Promise<Error> => {
          const current = await readLedger(block.capacityReservationId);
          if (current?.managedBy !== undefined && current.managedBy !== block.PK)
            return new AlreadyManagedError(block.capacityReservationId, current.managedBy);
          return new VersionConflictError(block.PK);
        },
      };
      await write(
        "create",
        block.PK,
        {
          TableName: tableName,
          Item: item,
          ConditionExpression: "attribute_not_exists(#pk)",
          ExpressionAttributeNames: { "#pk": PARTITION_KEY },
        },
        "Put",
        events,
        async () => new AlreadyExistsError(block.PK),
        ledger,
      );
      return itemToBlock(item);
    },

    async update(next, expectedVersion, events = []) {
      const item = blockToItem({ ...next, version: expectedVersion + 1 });
      await write(
        "update",
        next.PK,
        { TableName: tableName, Item: item, ...sameRegistration(next.registrationId, expectedVersion) },
        "Put",
        events,
        () => diagnose(next.PK, expectedVersion, false, next.registrationId),
      );
      return itemToBlock(item);
    },

    async delete(pk, expectedVersion, events = [], ledger, registrationId) {
      const cond = sameRegistration(registrationId, expectedVersion);
      const ledgerWrite = ledger && {
        kind: "Put" as const,
        item: {
          TableName: tableName,
          Item: { ...JSON.parse(JSON.stringify(ledger)), [PARTITION_KEY]: ledgerPk(ledger.capacityReservationId), [SORT_KEY]: LEDGER_SK },
          ConditionExpression: "attribute_not_exists(#pk) OR #rev = :prev",
          ExpressionAttributeNames: { "#pk": PARTITION_KEY, "#rev": "rev" },
          ExpressionAttributeValues: { ":prev": ledger.rev - 1 },
        },
        onConditionFailed: async (): Promise<Error> => new VersionConflictError(pk, expectedVersion),
      };
      await write(
        "delete",
        pk,
        {
          TableName: tableName,
          Key: key(pk),
          // A purchase intent pins the record: deleting it would orphan money EC2 may already have taken.
          ConditionExpression: `${cond.ConditionExpression} AND (attribute_not_exists(#i) OR attribute_type(#i, :null))`,
          ExpressionAttributeNames: { ...cond.ExpressionAttributeNames, "#i": "intent" },
          ExpressionAttributeValues: { ...cond.ExpressionAttributeValues, ":null": "NULL" },
        },
        "Delete",
        events,
        () => diagnose(pk, expectedVersion, true, registrationId),
        ledgerWrite,
      );
    },
  };
}
