import { describe, expect, it } from "vitest";
import { CR, END, base, ctx, fields, issuesOf, parseCreateBlock } from "./support/block-body";

describe("parseCreateBlock: the first release's fields and aliases", () => {
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

  it("rejects an alias whose value differs from its field's, naming the field sent", () => {
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

  it("accepts an alias with its field when they agree", () => {
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
});
