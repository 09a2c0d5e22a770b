import * as z from "zod";
import { ValidationError } from "@cbm/core";

/*
 * Cursors are base64url(JSON(LastEvaluatedKey)). They are opaque to clients but checked on the way back in:
 * a cursor must have exactly the key attributes of the query it continues (and, for history, the same PK), so a
 * forged cursor is a 400, never a DynamoDB ValidationException.
 */

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), "utf8").toString("base64url") : undefined;
}

export function invalidCursor(): ValidationError {
  return new ValidationError([{ field: "cursor", message: "is not a cursor this API issued", code: "invalid_cursor" }]);
}

export function decodeCursor<T extends z.ZodType>(cursor: string | undefined, schema: T): z.infer<T> | undefined {
  if (cursor === undefined) return undefined;
  const invalid = invalidCursor;
  if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalid();
  return parsed.data;
}

const keyString = z.string().min(1).max(1024);

export const BlocksIndexCursor = z.object({ PK: keyString, SK: keyString, itemType: z.literal("block") }).strict();
export const DueIndexCursor = z.object({ PK: keyString, SK: keyString, due: z.literal("due"), nextCheckAt: keyString }).strict();
export const EndingIndexCursor = z.object({ PK: keyString, SK: keyString, itemType: z.literal("block"), endsAt: keyString }).strict();
export const HistoryCursor = z.object({ PK: keyString, SK: keyString.startsWith("HIST#") }).strict();
