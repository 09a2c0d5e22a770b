import type { BlockTags } from "./tags";
import type { ExtensionPolicy } from "./policy";

/** Policy fields a command sets; on update, null clears an optional limit (no cap, no budget …). */
export type PolicyChanges = { [K in keyof ExtensionPolicy]?: ExtensionPolicy[K] | null };

/**
 * How the client spelled a field whose issue core may report (a first-release name such as `end_time`, a nested
 * `policy.currency`), keyed by the canonical name; absent means the canonical name. Issues name what was sent.
 */
export type FieldSpellings = Partial<Record<string, string>>;

/** The approval flag of a body: approve the current window (as PATCH does), or withdraw an approval not yet used. */
export interface ApprovalFlag {
  value: boolean;
  /** The first release's `approval` always acts; the README's `approved` read back unchanged is an echo of the record. */
  alwaysActs: boolean;
}

/** What a person says about the block itself; EC2's values replace the dates at the first check. */
interface Descriptive {
  instanceType?: string;
  availabilityZone?: string;
  region?: string;
  platform?: string;
  tenancy?: string;
  startDate?: string;
  endDate?: string;
  instanceCount?: number;
}

/** Register a block: the reservation it manages, what is known about it, and its extension policy (defaults fill the rest). */
export interface CreateBlockCommand extends Descriptive {
  /** Defaults to the reservation id. */
  PK?: string;
  capacityReservationId: string;
  name?: string;
  tags?: BlockTags;
  policy?: PolicyChanges;
  spelledAs?: FieldSpellings;
  /** Warnings about how the request was written (deprecated names, ignored fields), reported with the result. */
  notices?: string[];
}

/** Change a block: any subset of the create fields; null clears a name, the tags or an optional limit. */
export interface UpdateBlockCommand extends Descriptive {
  /** May only repeat the block's own PK and reservation id: neither ever changes. */
  PK?: string;
  capacityReservationId?: string;
  name?: string | null;
  tags?: BlockTags | null;
  approval?: ApprovalFlag;
  policy?: PolicyChanges;
  /** The version the change is based on (optimistic concurrency). */
  version?: number;
  /** CBM's own fields sent back with a whole record read and PUT again: accepted only with their stored values. */
  readOnly?: Record<string, unknown>;
  spelledAs?: FieldSpellings;
  notices?: string[];
}

/** What an update's approval flag asks for: approve the current window (as PATCH), or withdraw an unused approval. */
export type ApprovalCommand = "approve" | "withdraw";

/** The name the client used for a canonical field, for issues and warnings. */
export function spelled(spellings: FieldSpellings | undefined, field: string): string {
  return spellings?.[field] ?? field;
}
