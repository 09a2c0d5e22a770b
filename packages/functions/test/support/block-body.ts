import { expect } from "vitest";
import {
  ExtensionPolicy,
  ValidationError,
  applyBlockUpdate as applyUpdateCommand,
  parseOrThrow,
  registerBlock,
  type Block,
  type FieldIssue,
} from "@cbm/core";
import { CreateBlockBody, UpdateBlockBody } from "../../src/blocks/wire/block-body";
import { makeBlock as storedBlock } from "./blocks";

/*
 * The block bodies end to end below HTTP: the wire schemas (aliases, nesting, read-only fields) parse a body into
 * core's command, and core's rules (region, dates, echoes, currency) turn it into the stored record.
 */

export const CR = "cr-0a1b2c3d4e5f60718";
export const END = "2025-06-04T11:30:00.000Z";
export const NOW = "2025-06-01T00:00:00.000Z";
export const ctx = { now: NOW };
/** The least a create body needs. */
export const base = { capacityReservationId: CR, region: "us-east-2" };

/** The stored block the update tests start from (core's engine fixture: waiting, version 3, EC2's end date known). */
export function waitingBlock(over: Partial<Block> = {}, policy: Partial<ExtensionPolicy> = {}): Block {
  return storedBlock({
    PK: "blk-1",
    capacityReservationId: CR,
    region: "us-east-2",
    availabilityZone: "us-east-2a",
    endDate: END,
    status: "waiting",
    version: 3,
    policy: ExtensionPolicy.parse({ requireApproval: false, ...policy }),
    ...over,
  });
}

/** A stored block due later, with failures counted and approval required under a fee cap. */
export const stored = () =>
  waitingBlock(
    { status: "waiting", nextCheckAt: "2025-06-03T00:00:00.000Z", failures: 3 },
    { requireApproval: true, maxUpfrontFee: "5000" },
  );

/** A POST / body as its route parses it, registered as core does. */
export function parseCreateBlock(body: unknown, context: { now: string; defaultRegion?: string }) {
  return registerBlock(parseOrThrow(CreateBlockBody, body), context);
}

/** A PUT /{PK} body as its route parses it, applied to `block` as core does. */
export function applyBlockUpdate(block: Block, body: unknown, context: { now: string }) {
  return applyUpdateCommand(block, parseOrThrow(UpdateBlockBody, body), context);
}

/** The issues of the ValidationError `fn` throws; fails the test if it throws nothing or something else. */
export function issuesOf(fn: () => unknown): FieldIssue[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).issues;
  }
  throw new Error("expected a ValidationError");
}

/** The fields named by the ValidationError `fn` throws. */
export const fields = (fn: () => unknown) => issuesOf(fn).map((i) => i.field);
