import { describe, expect, it } from "vitest";
import * as z from "zod";
import {
  Block,
  ExtensionPolicy,
  PurchaseInFlightError,
  ValidationError,
  VersionConflictError,
  applyBlockUpdate as applyUpdateCommand,
  fieldIssuesFromZod,
  parseOrThrow,
  policyWarnings,
  POLICY_DEFAULTS,
  registerBlock,
  type FieldIssue,
} from "@cbm/core";
import { CreateBlockBody, UpdateBlockBody } from "../src/http/wire/block-body";
import { makeBlock as storedBlock } from "./support/blocks";

/*
 * The block bodies end to end below HTTP: the wire schemas (aliases, nesting, read-only fields) parse a body into
 * core's command, and core's rules (region, dates, echoes, currency) turn it into the stored record.
 */

const CR = "cr-0a1b2c3d4e5f60718";
const END = "2025-06-04T11:30:00.000Z";

/** The stored block the update tests start from (core's engine fixture: waiting, version 3, EC2's end date known). */
function makeBlock(over: Partial<Block> = {}, policy: Partial<ExtensionPolicy> = {}): Block {
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

/** A POST / body as its route parses it, registered as core does. */
function parseCreateBlock(body: unknown, ctx: { now: string; defaultRegion?: string }) {
  return registerBlock(parseOrThrow(CreateBlockBody, body), ctx);
}

/** A PUT /{PK} body as its route parses it, applied to `block` as core does. */
function applyBlockUpdate(block: Block, body: unknown, ctx: { now: string }) {
  return applyUpdateCommand(block, parseOrThrow(UpdateBlockBody, body), ctx);
}

const NOW = "2025-06-01T00:00:00.000Z";
const ctx = { now: NOW };
const base = { capacityReservationId: CR, region: "us-east-2" };

function issuesOf(fn: () => unknown): FieldIssue[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).issues;
  }
  throw new Error("expected a ValidationError");
}
const fields = (fn: () => unknown) => issuesOf(fn).map((i) => i.field);

describe("parseCreateBlock", () => {
  it("builds a full, valid record with the effective policy, due now", () => {
    const { block, warnings } = parseCreateBlock(base, ctx);
    expect(Block.parse(block)).toEqual(block);
    expect(block).toMatchObject({
      PK: CR,
      capacityReservationId: CR,
      region: "us-east-2",
      status: "registered",
      version: 1,
      approved: false,
      spent: "0",
      extensionsPurchased: 0,
      nextCheckAt: NOW,
      createdAt: NOW,
      updatedAt: NOW,
      policy: { ...POLICY_DEFAULTS },
    });
    expect(warnings).toEqual([]);
  });

  it("keeps an explicit PK", () => {
    expect(parseCreateBlock({ ...base, PK: "env-123" }, ctx).block.PK).toBe("env-123");
  });

  it("accepts the original README's example body", () => {
    const { block, warnings } = parseCreateBlock(
      {
        PK: "env-123",
        capacityReservationId: "cr-0123456789abcdef0",
        instanceType: "p4d.24xlarge",
        availabilityZone: "us-east-1a",
        platform: "Linux/UNIX",
        tenancy: "default",
        startDate: "2025-01-01T00:00:00Z",
        endDate: "2025-06-30T23:59:59Z",
        instanceCount: 8,
        approved: false,
      },
      ctx,
    );
    expect(block).toMatchObject({
      region: "us-east-1",
      endDate: "2025-06-30T23:59:59.000Z",
      startDate: "2025-01-01T00:00:00.000Z",
      instanceCount: 8,
    });
    expect(warnings.join(" ")).toMatch(/11:30 UTC/);
  });

  it("derives the region from the availability zone, including Local Zones", () => {
    expect(parseCreateBlock({ capacityReservationId: CR, availabilityZone: "us-west-2b" }, ctx).block.region).toBe("us-west-2");
    expect(parseCreateBlock({ capacityReservationId: CR, availabilityZone: "us-east-1-dfw-2a" }, ctx).block.region).toBe("us-east-1");
  });

  it("requires a region or an availability zone, and rejects a zone outside the region", () => {
    expect(fields(() => parseCreateBlock({ capacityReservationId: CR }, ctx))).toEqual(["region"]);
    expect(fields(() => parseCreateBlock({ ...base, availabilityZone: "eu-west-1a" }, ctx))).toEqual(["availabilityZone"]);
  });

  it("requires capacityReservationId", () => {
    expect(fields(() => parseCreateBlock({ region: "us-east-2" }, ctx))).toEqual(["capacityReservationId"]);
  });

  it.each(["cr-test12345", "cr-123", "cr-0A1B2C3D4E5F60718", "cb-0a1b2c3d4e5f60718"])(
    "accepts reservation id %s outside EC2's format with a not-found warning",
    (id) => {
      const { block, warnings } = parseCreateBlock({ ...base, capacityReservationId: id }, ctx);
      expect(block.capacityReservationId).toBe(id);
      expect(warnings.join(" ")).toMatch(/not in EC2's format.*not-found/);
    },
  );

  it.each(["", "cr test", "cr/../x", "a".repeat(129)])("refuses reservation id %j that is not a safe key", (id) => {
    expect(fields(() => parseCreateBlock({ ...base, capacityReservationId: id }, ctx))).toEqual(["capacityReservationId"]);
  });

  it.each([15, 20, 189, 0, 2.5, -7, 183])("rejects extendByDays %s (off EC2's ladder)", (d) => {
    const issues = issuesOf(() => parseCreateBlock({ ...base, extendByDays: d }, ctx));
    expect(issues).toEqual([expect.objectContaining({ field: "extendByDays", message: expect.stringMatching(/ladder/) })]);
  });

  it.each([1, 14, 21, 28, 182])("accepts extendByDays %s", (d) => {
    expect(parseCreateBlock({ ...base, extendByDays: d }, ctx).block.policy.extendByDays).toBe(d);
  });

  it.each(["1e3", "-1", "1.2.3", "", "1,000", " 1", "0x10", "1.1234567"])("rejects money %j", (m) => {
    expect(fields(() => parseCreateBlock({ ...base, maxUpfrontFee: m }, ctx))).toEqual(["maxUpfrontFee"]);
    expect(fields(() => parseCreateBlock({ ...base, policy: { budget: m } }, ctx))).toEqual(["policy.budget"]);
  });

  it("rejects money given as a number", () => {
    const [issue] = issuesOf(() => parseCreateBlock({ ...base, maxUpfrontFee: 1000 }, ctx));
    expect(issue).toMatchObject({ field: "maxUpfrontFee", message: expect.stringMatching(/decimal string/) });
  });

  it("accepts decimal money and keeps the string", () => {
    const { block } = parseCreateBlock({ ...base, maxUpfrontFee: "3010.56", budget: "100000" }, ctx);
    expect(block.policy).toMatchObject({ maxUpfrontFee: "3010.56", budget: "100000" });
  });

  it("accepts policy fields nested or flat", () => {
    const flat = parseCreateBlock({ ...base, extendByDays: 14, requireApproval: false, enabled: false, currency: "EUR" }, ctx).block.policy;
    const nested = parseCreateBlock({ ...base, policy: { extendByDays: 14, requireApproval: false, enabled: false, currency: "EUR" } }, ctx)
      .block.policy;
    expect(flat).toEqual(nested);
    expect(flat).toMatchObject({ extendByDays: 14, requireApproval: false, enabled: false, currency: "EUR" });
  });

  it("converts lookaheadDays to hours", () => {
    expect(parseCreateBlock({ ...base, lookaheadDays: 3 }, ctx).block.policy.lookaheadHours).toBe(72);
    expect(parseCreateBlock({ ...base, policy: { lookaheadDays: 0.5 } }, ctx).block.policy.lookaheadHours).toBe(12);
    expect(fields(() => parseCreateBlock({ ...base, lookaheadDays: 57 }, ctx))).toEqual(["lookaheadDays"]);
    expect(fields(() => parseCreateBlock({ ...base, lookaheadHours: 1 }, ctx))).toEqual(["lookaheadHours"]);
    expect(fields(() => parseCreateBlock({ ...base, lookaheadHours: 12.5 }, ctx))).toEqual(["lookaheadHours"]);
  });

  it("accepts the first release's field names", () => {
    const { block, warnings } = parseCreateBlock(
      {
        capacity_block_id: CR,
        end_time: END,
        extend_by_days: 14,
        extension_lookahead_days: 2,
        require_approval: false,
        instance_type: "p5.48xlarge",
        region: "us-east-2",
        name: "pretrain",
      },
      ctx,
    );
    expect(block).toMatchObject({ capacityReservationId: CR, PK: CR, endDate: END, instanceType: "p5.48xlarge", name: "pretrain" });
    expect(block.policy).toMatchObject({ extendByDays: 14, lookaheadHours: 48, requireApproval: false });
    expect(warnings.join(" ")).toMatch(/extend_by_days → extendByDays/);
  });

  it("reads the first release's `approval: false` as nothing approved yet, leaving requireApproval alone", () => {
    const { block } = parseCreateBlock({ ...base, require_approval: true, approval: false }, ctx);
    expect(block).toMatchObject({ approved: false, policy: { requireApproval: true } });
    expect(block.approval).toBeUndefined();
  });

  it("ignores the first release's `status` on create, with a warning", () => {
    const { block, warnings } = parseCreateBlock({ ...base, status: "PENDING" }, ctx);
    expect(block.status).toBe("registered");
    expect(warnings.join(" ")).toMatch(/status "PENDING" is ignored/);
  });

  it("uses the default region when a first-release body gives none, with a warning", () => {
    const { block, warnings } = parseCreateBlock({ capacity_block_id: CR }, { ...ctx, defaultRegion: "eu-west-1" });
    expect(block.region).toBe("eu-west-1");
    expect(warnings.join(" ")).toMatch(/region not given: using eu-west-1/);
  });

  it.each(["ab\u001bc", "line\r\nBcc: x", "\u202eevil", "lone \ud800", "del\u007f", "c1\u0085"])(
    "refuses name %j with control or bidi characters",
    (name) => {
      expect(issuesOf(() => parseCreateBlock({ ...base, name }, ctx))).toEqual([expect.objectContaining({ field: "name" })]);
    },
  );

  it("rejects an alias and its field with different values, naming the field sent", () => {
    expect(issuesOf(() => parseCreateBlock({ ...base, extendByDays: 7, extend_by_days: 14 }, ctx))).toEqual([
      expect.objectContaining({ field: "extend_by_days", code: "conflict" }),
    ]);
    expect(fields(() => parseCreateBlock({ ...base, capacity_block_id: "cr-00000000000000000" }, ctx))).toEqual(["capacity_block_id"]);
    expect(fields(() => parseCreateBlock({ ...base, lookaheadHours: 48, extension_lookahead_days: 3 }, ctx))).toEqual([
      "extension_lookahead_days",
    ]);
    expect(fields(() => parseCreateBlock({ ...base, requireApproval: true, policy: { requireApproval: false } }, ctx))).toEqual([
      "policy.requireApproval",
    ]);
    expect(fields(() => parseCreateBlock({ ...base, endDate: END, end_time: "2025-06-05T11:30:00Z" }, ctx))).toEqual(["end_time"]);
  });

  it("accepts an alias and its field when they agree", () => {
    const { block } = parseCreateBlock(
      {
        ...base,
        capacity_block_id: CR,
        lookaheadHours: 48,
        extension_lookahead_days: 2,
        maxUpfrontFee: "10",
        policy: { maxUpfrontFee: "10.00" },
        endDate: END,
        end_time: "2025-06-04T11:30:00Z",
      },
      ctx,
    );
    expect(block.policy.lookaheadHours).toBe(48);
  });

  it("rejects unknown fields and read-only fields with distinct codes", () => {
    expect(issuesOf(() => parseCreateBlock({ ...base, colour: "blue", spent: "5", policy: { foo: 1 } }, ctx))).toEqual(
      expect.arrayContaining([
        { field: "colour", message: "is not a known field", code: "unknown_field" },
        { field: "spent", message: expect.stringMatching(/read-only/), code: "read_only" },
        { field: "policy.foo", message: "is not a known field", code: "unknown_field" },
      ]),
    );
    expect(fields(() => parseCreateBlock({ ...base, version: 1 }, ctx))).toEqual(["version"]);
  });

  it("accepts approved: false, and ignores approved: true on create with a warning to use PATCH", () => {
    expect(parseCreateBlock({ ...base, approved: false }, ctx).block.approved).toBe(false);
    const { block, warnings } = parseCreateBlock({ ...base, approved: true }, ctx);
    expect(block.approved).toBe(false);
    expect(warnings.join(" ")).toMatch(/approved: true is ignored on create.*PATCH/);
  });

  it("rejects a body that is not an object", () => {
    for (const body of [null, [], "x", 3]) expect(fields(() => parseCreateBlock(body, ctx))).toEqual([""]);
  });

  it("rejects an end before the start, and invalid dates", () => {
    expect(fields(() => parseCreateBlock({ ...base, startDate: END, endDate: END }, ctx))).toEqual(["endDate"]);
    expect(fields(() => parseCreateBlock({ ...base, extendUntil: "next week" }, ctx))).toEqual(["extendUntil"]);
  });

  it("warns about risky but valid settings", () => {
    const { warnings } = parseCreateBlock(
      {
        ...base,
        lookaheadHours: 6,
        extendUntil: "2025-05-01T00:00:00Z",
        maxUpfrontFee: "5000",
        budget: "1000",
        maxExtensions: 0,
        enabled: false,
        endDate: "2025-05-30T11:30:00Z",
      },
      ctx,
    );
    const text = warnings.join("\n");
    expect(text).toMatch(/lookaheadHours 6 is under 13/);
    expect(text).toMatch(/extendUntil is in the past/);
    expect(text).toMatch(/maxUpfrontFee is above budget/);
    expect(text).toMatch(/maxExtensions is 0/);
    expect(text).toMatch(/paused/);
    expect(text).toMatch(/endDate is in the past/);
  });

  it("warns when extendUntil is not after the end date, and on a zero budget", () => {
    const { warnings } = parseCreateBlock({ ...base, endDate: END, extendUntil: END, budget: "0" }, ctx);
    expect(warnings.join("\n")).toMatch(/not after the current end date/);
    expect(warnings.join("\n")).toMatch(/budget is 0/);
  });

  it("canonicalises extendUntil", () => {
    expect(parseCreateBlock({ ...base, extendUntil: "2025-07-01T13:30:00+02:00" }, ctx).block.policy.extendUntil).toBe(
      "2025-07-01T11:30:00.000Z",
    );
  });

  it("exposes the schemas for the HTTP layer", () => {
    expect(CreateBlockBody.safeParse({ capacity_block_id: CR }).success).toBe(true);
    expect(UpdateBlockBody.safeParse({ version: 0 }).success).toBe(false);
  });
});

describe("applyBlockUpdate", () => {
  const stored = () =>
    makeBlock(
      { status: "waiting", nextCheckAt: "2025-06-03T00:00:00.000Z", failures: 3 },
      { requireApproval: true, maxUpfrontFee: "5000" },
    );

  it("applies a partial update, keeps the version and makes the block due now", () => {
    const { block, expectedVersion } = applyBlockUpdate(stored(), { extendByDays: 14, name: "x", version: 3 }, ctx);
    expect(block).toMatchObject({ version: 3, nextCheckAt: NOW, updatedAt: NOW, failures: 0, name: "x" });
    expect(block.policy).toMatchObject({ extendByDays: 14, requireApproval: true, maxUpfrontFee: "5000" });
    expect(expectedVersion).toBe(3);
    expect(Block.parse(block)).toEqual(block);
  });

  it("returns no expectedVersion when none was sent", () => {
    expect(applyBlockUpdate(stored(), {}, ctx)).not.toHaveProperty("expectedVersion");
  });

  it("accepts the original README's update example with a hint warning", () => {
    const { block, warnings } = applyBlockUpdate(stored(), { instanceCount: 16, endDate: "2025-12-31T23:59:59Z" }, ctx);
    expect(block).toMatchObject({ instanceCount: 16, endDate: "2025-12-31T23:59:59.000Z" });
    expect(warnings.join(" ")).toMatch(/hint/);
  });

  it("clears optional limits with null", () => {
    const { block } = applyBlockUpdate(stored(), { maxUpfrontFee: null, policy: { budget: null }, name: null }, ctx);
    expect(block.policy).not.toHaveProperty("maxUpfrontFee");
    expect(block).not.toHaveProperty("name");
  });

  it("refuses to change PK or the reservation id, but accepts the same values", () => {
    expect(fields(() => applyBlockUpdate(stored(), { PK: "other" }, ctx))).toEqual(["PK"]);
    expect(fields(() => applyBlockUpdate(stored(), { capacityReservationId: "cr-00000000000000000" }, ctx))).toEqual([
      "capacityReservationId",
    ]);
    expect(fields(() => applyBlockUpdate(stored(), { capacity_block_id: "cr-00000000000000000" }, ctx))).toEqual(["capacity_block_id"]);
    expect(applyBlockUpdate(stored(), { PK: "blk-1", capacityReservationId: CR }, ctx).block.PK).toBe("blk-1");
  });

  it("rejects read-only fields sent with another value", () => {
    expect(
      issuesOf(() => applyBlockUpdate(stored(), { spent: "5", updatedAt: "2020-01-01T00:00:00.000Z" }, ctx)).map((i) => i.code),
    ).toEqual(["read_only", "read_only"]);
  });

  it("accepts and ignores the whole record read back, changing only what differs", () => {
    const b = stored();
    const { block, verdict } = applyBlockUpdate(b, { ...b, name: "renamed" }, ctx);
    expect(block).toMatchObject({ name: "renamed", spent: b.spent, status: b.status, createdAt: b.createdAt });
    expect(verdict).toBeUndefined();
  });

  it("reports a read-only mismatch in a record read at an older version as a version conflict", () => {
    const b = stored();
    expect(() =>
      applyBlockUpdate(
        { ...b, version: b.version + 1, statusReason: "changed by a tick since" },
        { ...b, statusReason: "as read", name: "x" },
        ctx,
      ),
    ).toThrow(VersionConflictError);
  });

  it("ignores the first release's status values on update, with a warning", () => {
    const { warnings } = applyBlockUpdate(stored(), { status: "ACTIVE", name: "x" }, ctx);
    expect(warnings.join(" ")).toMatch(/status "ACTIVE" is ignored/);
  });

  it("keeps a denial and the approval unless approved: false withdraws it", () => {
    const approval = { window: END, by: "bob", at: NOW };
    const denial = { window: END, by: "eve", at: NOW };
    const b = { ...stored(), approval, approved: true, denial };
    expect(applyBlockUpdate(b, { extendByDays: 3 }, ctx).block).toMatchObject({ approval, approved: true, denial });
    expect(applyBlockUpdate(b, { approved: false }, ctx).verdict).toBe("withdraw");
    expect(applyBlockUpdate(b, { approval: false }, ctx).verdict).toBe("withdraw");
    expect(applyBlockUpdate(b, { approval: true }, ctx).verdict).toBe("approve");
  });

  it("treats approved read back unchanged as an echo, not an act", () => {
    expect(applyBlockUpdate({ ...stored(), approved: false }, { approved: false }, ctx).verdict).toBeUndefined();
  });

  it("never turns requireApproval off through the approval flag", () => {
    const b = { ...stored(), policy: { ...stored().policy, requireApproval: true } };
    expect(applyBlockUpdate(b, { approval: false }, ctx).block.policy.requireApproval).toBe(true);
  });

  it("moves the region with a new zone, and refuses inconsistent ones", () => {
    expect(applyBlockUpdate(stored(), { availabilityZone: "us-west-2a" }, ctx).block.region).toBe("us-west-2");
    expect(applyBlockUpdate(stored(), { region: "us-west-2", availabilityZone: "us-west-2a" }, ctx).block.region).toBe("us-west-2");
    expect(fields(() => applyBlockUpdate(stored(), { region: "us-west-2" }, ctx))).toEqual(["availabilityZone"]);
    expect(fields(() => applyBlockUpdate(stored(), { availabilityZone: "moon-1a" }, ctx))).toEqual(["availabilityZone"]);
  });

  it("refuses to move the region while a purchase is in flight", () => {
    const b = {
      ...stored(),
      availabilityZone: undefined,
      intent: { id: "i", window: END, offeringId: "o", durationHours: 24, upfrontFee: "1", currencyCode: "USD", createdAt: NOW },
    };
    expect(() => applyBlockUpdate(b, { region: "us-west-2" }, ctx)).toThrow(PurchaseInFlightError);
  });

  it("checks dates against each other", () => {
    expect(fields(() => applyBlockUpdate(stored(), { startDate: "2025-07-01T00:00:00Z" }, ctx))).toEqual(["startDate"]);
    expect(
      fields(() => applyBlockUpdate({ ...stored(), startDate: "2025-06-02T11:30:00.000Z" }, { end_time: "2025-06-01T11:30:00Z" }, ctx)),
    ).toEqual(["end_time"]);
  });

  it("keeps the same validation as create", () => {
    expect(fields(() => applyBlockUpdate(stored(), { extendByDays: 15, lookaheadDays: 100 }, ctx))).toEqual([
      "extendByDays",
      "lookaheadDays",
    ]);
    expect(fields(() => applyBlockUpdate(stored(), { lookaheadHours: 24, lookaheadDays: 2 }, ctx))).toEqual(["lookaheadDays"]);
  });

  it("updates descriptive fields and aliases", () => {
    const { block } = applyBlockUpdate(
      stored(),
      { instance_type: "trn2.48xlarge", platform: "Linux/UNIX", tenancy: "default", require_approval: false, lookaheadHours: 24 },
      ctx,
    );
    expect(block).toMatchObject({ instanceType: "trn2.48xlarge", platform: "Linux/UNIX", tenancy: "default" });
    expect(block.policy).toMatchObject({ requireApproval: false, lookaheadHours: 24 });
  });
});

describe("fieldIssuesFromZod", () => {
  it("names nested paths with dots", () => {
    const r = z.strictObject({ a: z.object({ b: z.number() }) }).safeParse({ a: { b: "x" }, c: 1 });
    expect(r.success).toBe(false);
    const issues = fieldIssuesFromZod(r.error!);
    expect(issues.map((i) => i.field).sort()).toEqual(["a.b", "c"]);
  });
});

describe("policyWarnings", () => {
  it("is quiet for the defaults", () => {
    expect(policyWarnings(makeBlock().policy, { now: NOW })).toEqual([]);
  });
});

describe("applyBlockUpdate: currency and spend", () => {
  it("refuses to change the currency while spend is counted in the old one", () => {
    const spent = makeBlock({ spent: "900" }, { currency: "USD" });
    expect(issuesOf(() => applyBlockUpdate(spent, { currency: "EUR" }, ctx))).toEqual([
      expect.objectContaining({ field: "currency", code: "conflict" }),
    ]);
  });

  it("changes the currency of a block that spent nothing", () => {
    expect(applyBlockUpdate(makeBlock({ spent: "0" }), { currency: "EUR" }, ctx).block.policy.currency).toBe("EUR");
  });
});
