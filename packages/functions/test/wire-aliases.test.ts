import { describe, expect, it } from "vitest";
import * as z from "zod";
import { parseOrThrow } from "@cbm/core";
import { DEPRECATED_ALIASES } from "../src/blocks/wire/aliases";
import { CreateBlockBody, CreateBlockFields, UpdateBlockBody } from "../src/blocks/wire/block-body";

/*
 * One table (wire/aliases.ts) drives the body schemas, the normalisation to canonical fields, the deprecation
 * warning and the documentation: each first-release name, read through each of them.
 */

const CR = "cr-0a1b2c3d4e5f60718";
const base = { capacityReservationId: CR, region: "us-east-2" };
/** A value each first-release name accepts, and the canonical value it stands for. */
const SAMPLES: Record<string, { sent: unknown; canonical: unknown }> = {
  capacity_block_id: { sent: CR, canonical: CR },
  end_time: { sent: "2025-06-04T11:30:00Z", canonical: "2025-06-04T11:30:00Z" },
  extend_by_days: { sent: 14, canonical: 14 },
  extension_lookahead_days: { sent: 3, canonical: 72 },
  require_approval: { sent: false, canonical: false },
  instance_type: { sent: "p5.48xlarge", canonical: "p5.48xlarge" },
};

describe("the first release's field names", () => {
  it("covers every deprecated name in the table, so a new one is tested here too", () => {
    expect(DEPRECATED_ALIASES.map(([name]) => name).sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  it.each(DEPRECATED_ALIASES)("reads %s as %s on create, with a deprecation warning naming both", (name, field) => {
    const command = parseOrThrow(CreateBlockBody, { ...base, [name]: SAMPLES[name]!.sent });
    const canonical: Record<string, unknown> = { ...command, ...command.policy };
    expect(canonical[field]).toEqual(SAMPLES[name]!.canonical);
    expect(command.notices).toEqual([expect.stringContaining(`${name} → ${field}`)]);
  });

  it.each(DEPRECATED_ALIASES)("reads %s on update too", (name) => {
    expect(parseOrThrow(UpdateBlockBody, { [name]: SAMPLES[name]!.sent }).notices).toEqual([expect.stringContaining(name)]);
  });

  it.each(DEPRECATED_ALIASES)("documents %s as a property of the create body", (name) => {
    const doc = z.toJSONSchema(CreateBlockFields, { io: "input", unrepresentable: "any" }) as { properties: Record<string, unknown> };
    expect(doc.properties).toHaveProperty(name);
  });

  it("accepts CBM's own second names (lookaheadDays, approval) without a deprecation warning", () => {
    const command = parseOrThrow(UpdateBlockBody, { lookaheadDays: 2, approval: true });
    expect(command).toMatchObject({ policy: { lookaheadHours: 48 }, approval: { value: true, alwaysActs: true } });
    expect(command.notices).toEqual([]);
  });
});
