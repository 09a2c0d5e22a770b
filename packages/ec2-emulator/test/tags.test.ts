import { CreateTagsCommand, DescribeCapacityReservationsCommand } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../src/index";
import { OTHER_ACCOUNT, ec2, expectEc2Error, hex17, useEmulator } from "./helpers";

/* CreateTags on capacity reservations, which CBM's tick uses to claim a hand-registered block for its stage. */
let h: EmulatorHandle;
useEmulator((started) => (h = started));

async function tagsOf(id: string, client = ec2(h)) {
  const out = await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] }));
  return out.CapacityReservations?.[0]?.Tags;
}

describe("CreateTags on capacity reservations", () => {
  it("adds a tag that DescribeCapacityReservations then returns, keeping the others", async () => {
    const id = h.control.seedBlock({ endDate: "2026-11-27T11:30:00Z", tags: { team: "llm" } }).capacityReservationId;

    await ec2(h).send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "cbm:stage", Value: "prod" }] }));

    expect(await tagsOf(id)).toEqual([
      { Key: "team", Value: "llm" },
      { Key: "cbm:stage", Value: "prod" },
    ]);
  });

  it("overwrites a key already present, as EC2 does (refusing that is IAM's job, not EC2's)", async () => {
    const id = h.control.seedBlock({ endDate: "2026-11-27T11:30:00Z", tags: { "cbm:stage": "dev" } }).capacityReservationId;

    await ec2(h).send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "cbm:stage", Value: "prod" }] }));

    expect(await tagsOf(id)).toEqual([{ Key: "cbm:stage", Value: "prod" }]);
  });

  it("is recorded in the call log, never in the purchase ledger", async () => {
    const id = h.control.seedBlock({ endDate: "2026-11-27T11:30:00Z" }).capacityReservationId;

    await ec2(h).send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "cbm:stage", Value: "prod" }] }));

    expect(h.control.calls().filter((c) => c.action === "CreateTags" && c.status === 200)).toHaveLength(1);
    expect(h.control.ledger().filter((e) => e.capacityReservationId === id)).toEqual([]);
  });

  it("refuses a block shared into the caller's account, an unknown id or an aws: key, changing nothing", async () => {
    const shared = h.control.seedBlock({ ownerId: OTHER_ACCOUNT, endDate: "2026-11-27T11:30:00Z" }).capacityReservationId;
    const own = h.control.seedBlock({ endDate: "2026-11-27T11:30:00Z" }).capacityReservationId;
    const tag = [{ Key: "cbm:stage", Value: "prod" }];

    await expectEc2Error(ec2(h).send(new CreateTagsCommand({ Resources: [own, shared], Tags: tag })), "UnauthorizedOperation", 403);
    await expectEc2Error(
      ec2(h).send(new CreateTagsCommand({ Resources: [`cr-${hex17(999)}`], Tags: tag })),
      "InvalidCapacityReservationId.NotFound",
      400,
    );
    await expectEc2Error(
      ec2(h).send(new CreateTagsCommand({ Resources: [own], Tags: [{ Key: "aws:x", Value: "y" }] })),
      "InvalidParameterValue",
      400,
    );
    await expectEc2Error(ec2(h).send(new CreateTagsCommand({ Resources: ["i-0123"], Tags: tag })), "InvalidID", 400);

    // All resources are checked before any is tagged: the failed call on [own, shared] left `own` untagged.
    expect(await tagsOf(own)).toEqual([]);
  });

  it("answers DryRun with 412 after validating, without tagging", async () => {
    const id = h.control.seedBlock({ endDate: "2026-11-27T11:30:00Z" }).capacityReservationId;

    await expectEc2Error(
      ec2(h).send(new CreateTagsCommand({ DryRun: true, Resources: [id], Tags: [{ Key: "cbm:stage", Value: "prod" }] })),
      "DryRunOperation",
      412,
    );

    expect(await tagsOf(id)).toEqual([]);
  });
});
