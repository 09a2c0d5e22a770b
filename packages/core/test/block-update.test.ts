import { describe, expect, it } from "vitest";
import { PurchaseInFlightError, VersionConflictError, applyBlockUpdate, type UpdateBlockCommand } from "../src/index";
import { END, intent, issuesOf, makeBlock } from "./fixtures";

const NOW = "2025-06-01T08:00:00.000Z";
const ctx = { now: NOW };
const update = (cmd: UpdateBlockCommand, block = makeBlock()) => applyBlockUpdate(block, cmd, ctx);

describe("applyBlockUpdate: what changes", () => {
  it("makes the block due now with its failure backoff reset, so the next tick applies the change", () => {
    const { block } = update({ policy: { extendByDays: 14 } }, makeBlock({ failures: 4, nextCheckAt: END }));

    expect(block).toMatchObject({ nextCheckAt: NOW, updatedAt: NOW, failures: 0, policy: { extendByDays: 14 } });
  });

  it("keeps the version: the store bumps it", () => {
    expect(update({ name: "run" }).block.version).toBe(makeBlock().version);
  });

  it("keeps the policy fields the command does not name", () => {
    const { block } = update({ policy: { extendByDays: 14 } }, makeBlock({}, { maxUpfrontFee: "2000" }));

    expect(block.policy.maxUpfrontFee).toBe("2000");
  });

  it("clears an optional limit sent as null", () => {
    const { block } = update({ policy: { maxUpfrontFee: null } }, makeBlock({}, { maxUpfrontFee: "2000" }));

    expect(block.policy.maxUpfrontFee).toBeUndefined();
  });

  it("clears the name sent as null", () => {
    expect(update({ name: null }, makeBlock({ name: "run" })).block.name).toBeUndefined();
  });

  it("keeps a denial: a policy edit is no verdict", () => {
    const denial = { window: END, by: "eve", at: END };

    expect(update({ name: "run" }, makeBlock({ denial })).block.denial).toEqual(denial);
  });

  it("moves the region with a new zone given without a region", () => {
    expect(update({ availabilityZone: "us-west-2a" }).block.region).toBe("us-west-2");
  });

  it("returns the client's version for the conditional write", () => {
    expect(update({ name: "run", version: 3 }).expectedVersion).toBe(3);
  });

  it("warns that an end date sent is only a hint", () => {
    expect(update({ endDate: END }).warnings).toContain("endDate is only a hint: EC2's end date replaces it at the next check");
  });
});

describe("applyBlockUpdate: what it refuses", () => {
  it("refuses another PK", () => {
    expect(issuesOf(() => update({ PK: "other" }))).toEqual([expect.objectContaining({ field: "PK", code: "immutable" })]);
  });

  it("refuses another reservation, naming the field as the client spelled it", () => {
    const cmd = { capacityReservationId: "cr-0ffffffffffffffff", spelledAs: { capacityReservationId: "capacity_block_id" } };

    expect(issuesOf(() => update(cmd))).toEqual([expect.objectContaining({ field: "capacity_block_id", code: "immutable" })]);
  });

  it("refuses a start after the end", () => {
    const issues = issuesOf(() => update({ startDate: "2025-06-05T11:30:00Z" }));

    expect(issues).toEqual([expect.objectContaining({ field: "startDate", code: "invalid_value" })]);
  });

  it("refuses to move the region while a purchase is in flight", () => {
    expect(() => update({ region: "us-west-2", availabilityZone: "us-west-2a" }, makeBlock({ intent: intent() }))).toThrow(
      PurchaseInFlightError,
    );
  });

  it("refuses another currency while spend is counted in the current one", () => {
    const issues = issuesOf(() => update({ policy: { currency: "EUR" } }, makeBlock({ spent: "900" })));

    expect(issues).toEqual([expect.objectContaining({ field: "currency", code: "conflict" })]);
  });

  it("changes the currency of a block that has spent nothing", () => {
    expect(update({ policy: { currency: "EUR" } }).block.policy.currency).toBe("EUR");
  });
});

describe("applyBlockUpdate: a whole record sent back", () => {
  it("accepts CBM's own fields echoed with their stored values", () => {
    const stored = makeBlock();

    expect(update({ readOnly: { status: stored.status, spent: stored.spent } }, stored).block.status).toBe(stored.status);
  });

  it("refuses a read-only field sent with another value", () => {
    const issues = issuesOf(() => update({ readOnly: { spent: "0.01" } }));

    expect(issues).toEqual([expect.objectContaining({ field: "spent", code: "read_only" })]);
  });

  it("reports a changed read-only field from an older version as a version conflict", () => {
    expect(() => update({ readOnly: { spent: "0.01" }, version: 2 })).toThrow(VersionConflictError);
  });
});

describe("applyBlockUpdate: the approval flag", () => {
  it("approves when the flag turns on", () => {
    expect(update({ approval: { value: true, alwaysActs: false } }).verdict).toBe("approve");
  });

  it("withdraws when the flag turns off", () => {
    expect(update({ approval: { value: false, alwaysActs: false } }, makeBlock({ approved: true })).verdict).toBe("withdraw");
  });

  it("takes the README's flag read back unchanged as an echo", () => {
    expect(update({ approval: { value: false, alwaysActs: false } }).verdict).toBeUndefined();
  });

  it("acts on the first release's flag even when it repeats the stored value", () => {
    expect(update({ approval: { value: false, alwaysActs: true } }).verdict).toBe("withdraw");
  });
});
