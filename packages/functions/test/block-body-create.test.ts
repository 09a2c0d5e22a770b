import { describe, expect, it } from "vitest";
import * as z from "zod";
import { Block, POLICY_DEFAULTS, fieldIssuesFromZod } from "@cbm/core";
import { CreateBlockBody, UpdateBlockBody } from "../src/blocks/wire/block-body";
import { CR, END, NOW, base, ctx, fields, issuesOf, parseCreateBlock } from "./support/block-body";

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

  it("requires a region or an availability zone", () => {
    expect(fields(() => parseCreateBlock({ capacityReservationId: CR }, ctx))).toEqual(["region"]);
  });

  it("rejects an availability zone outside the region", () => {
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

  it("accepts decimal money, keeping the string", () => {
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
  });

  it("rejects a lookahead out of range or in fractional hours", () => {
    expect(fields(() => parseCreateBlock({ ...base, lookaheadDays: 57 }, ctx))).toEqual(["lookaheadDays"]);
    expect(fields(() => parseCreateBlock({ ...base, lookaheadHours: 1 }, ctx))).toEqual(["lookaheadHours"]);
    expect(fields(() => parseCreateBlock({ ...base, lookaheadHours: 12.5 }, ctx))).toEqual(["lookaheadHours"]);
  });

  it.each(["ab\u001bc", "line\r\nBcc: x", "\u202eevil", "lone \ud800", "del\u007f", "c1\u0085"])(
    "refuses name %j with control or bidi characters",
    (name) => {
      expect(issuesOf(() => parseCreateBlock({ ...base, name }, ctx))).toEqual([expect.objectContaining({ field: "name" })]);
    },
  );

  it("rejects an unknown field or a read-only one, each with its own code", () => {
    expect(issuesOf(() => parseCreateBlock({ ...base, colour: "blue", spent: "5", policy: { foo: 1 } }, ctx))).toEqual(
      expect.arrayContaining([
        { field: "colour", message: "is not a known field", code: "unknown_field" },
        { field: "spent", message: expect.stringMatching(/read-only/), code: "read_only" },
        { field: "policy.foo", message: "is not a known field", code: "unknown_field" },
      ]),
    );
    expect(fields(() => parseCreateBlock({ ...base, version: 1 }, ctx))).toEqual(["version"]);
  });

  it("accepts approved: false", () => {
    expect(parseCreateBlock({ ...base, approved: false }, ctx).block.approved).toBe(false);
  });

  it("ignores approved: true on create, with a warning to use PATCH", () => {
    const { block, warnings } = parseCreateBlock({ ...base, approved: true }, ctx);
    expect(block.approved).toBe(false);
    expect(warnings.join(" ")).toMatch(/approved: true is ignored on create.*PATCH/);
  });

  it("rejects a body that is not an object", () => {
    for (const body of [null, [], "x", 3]) expect(fields(() => parseCreateBlock(body, ctx))).toEqual([""]);
  });

  it("rejects an end that is not after the start", () => {
    expect(fields(() => parseCreateBlock({ ...base, startDate: END, endDate: END }, ctx))).toEqual(["endDate"]);
  });

  it("rejects a date that is not a date", () => {
    expect(fields(() => parseCreateBlock({ ...base, extendUntil: "next week" }, ctx))).toEqual(["extendUntil"]);
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

describe("fieldIssuesFromZod", () => {
  it("names nested paths with dots", () => {
    const r = z.strictObject({ a: z.object({ b: z.number() }) }).safeParse({ a: { b: "x" }, c: 1 });
    expect(r.success).toBe(false);
    const issues = fieldIssuesFromZod(r.error!);
    expect(issues.map((i) => i.field).sort()).toEqual(["a.b", "c"]);
  });
});
