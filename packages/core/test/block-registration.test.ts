import { describe, expect, it } from "vitest";
import { Block, registerBlock, type CreateBlockCommand } from "../src/index";
import { CR, issuesOf } from "./fixtures";

const NOW = "2025-06-01T08:00:00.000Z";
const ctx = { now: NOW };
const command = (over: Partial<CreateBlockCommand> = {}): CreateBlockCommand => ({
  capacityReservationId: CR,
  availabilityZone: "us-east-2a",
  ...over,
});

describe("registerBlock", () => {
  it("builds a stored record that is registered, at version 1, with nothing spent and due now", () => {
    const { block } = registerBlock(command(), ctx);

    expect(block).toMatchObject({
      PK: CR,
      status: "registered",
      version: 1,
      spent: "0",
      extensionsPurchased: 0,
      approved: false,
      createdAt: NOW,
      nextCheckAt: NOW,
    });
    expect(Block.parse(block)).toEqual(block);
  });

  it("keys the block by its reservation id unless a PK is given", () => {
    expect(registerBlock(command({ PK: "llm-pretrain" }), ctx).block.PK).toBe("llm-pretrain");
  });

  it("fills the policy's defaults around the fields given", () => {
    const { block } = registerBlock(command({ policy: { extendByDays: 14 } }), ctx);

    expect(block.policy).toMatchObject({ extendByDays: 14, lookaheadHours: 48, requireApproval: true, currency: "USD" });
  });

  it("derives the region from the availability zone", () => {
    expect(registerBlock(command({ availabilityZone: "us-west-2b" }), ctx).block.region).toBe("us-west-2");
  });

  it("uses the region CBM runs in when a first-release script names neither region nor zone", () => {
    const { block } = registerBlock(command({ availabilityZone: undefined }), { ...ctx, defaultRegion: "eu-west-1" });

    expect(block.region).toBe("eu-west-1");
  });

  it("warns that it used the region CBM runs in", () => {
    const { warnings } = registerBlock(command({ availabilityZone: undefined }), { ...ctx, defaultRegion: "eu-west-1" });

    expect(warnings).toContain("region not given: using eu-west-1, the region CBM runs in");
  });

  it("requires a region when there is neither a zone nor a default region", () => {
    const issues = issuesOf(() => registerBlock(command({ availabilityZone: undefined }), ctx));

    expect(issues).toEqual([expect.objectContaining({ field: "region", code: "required" })]);
  });

  it("refuses a zone outside the region given", () => {
    const issues = issuesOf(() => registerBlock(command({ region: "eu-west-1" }), ctx));

    expect(issues).toEqual([expect.objectContaining({ field: "availabilityZone", code: "conflict" })]);
  });

  it("refuses an end before the start, naming the end field as the client spelled it", () => {
    const cmd = command({ startDate: "2025-06-04T11:30:00Z", endDate: "2025-06-02T11:30:00Z", spelledAs: { endDate: "end_time" } });

    expect(issuesOf(() => registerBlock(cmd, ctx))).toEqual([expect.objectContaining({ field: "end_time", code: "invalid_value" })]);
  });

  it("stores the dates in canonical form", () => {
    const { block } = registerBlock(command({ endDate: "2025-06-04T11:30:00+00:00" }), ctx);

    expect(block.endDate).toBe("2025-06-04T11:30:00.000Z");
  });

  it("warns that an end date typed by a person is only a hint", () => {
    const { warnings } = registerBlock(command({ endDate: "2025-06-04T11:30:00Z" }), ctx);

    expect(warnings).toContain("endDate is only a hint: EC2's end date replaces it at the first check");
  });

  it("warns about a reservation id EC2 cannot know, naming the field as the client spelled it", () => {
    const cmd = command({ capacityReservationId: "cr-test12345", spelledAs: { capacityReservationId: "capacity_block_id" } });

    const { warnings } = registerBlock(cmd, ctx);

    expect(warnings).toEqual([expect.stringMatching(/^capacity_block_id "cr-test12345" is not in EC2's format/)]);
  });

  it("reports the command's own notices first", () => {
    const { warnings } = registerBlock(command({ notices: ["end_time is deprecated"], policy: { budget: "0" } }), ctx);

    expect(warnings).toEqual(["end_time is deprecated", "budget is 0: CBM will not buy any extension"]);
  });

  it("leaves out the fields that were not given", () => {
    const { block } = registerBlock(command(), ctx);

    expect(Object.keys(block)).not.toContain("name");
    expect(Object.keys(block)).not.toContain("endDate");
  });
});
