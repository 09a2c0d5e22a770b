import { DescribeCapacityReservationsCommand, paginateDescribeCapacityReservations, type CapacityReservation } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../src/index";
import { ACCOUNT, OTHER_ACCOUNT, ec2, expectEc2Error, hex17, useEmulator } from "./helpers";

let h: EmulatorHandle;
useEmulator((started) => (h = started));

const ids = (list: CapacityReservation[] | undefined) => (list ?? []).map((r) => r.CapacityReservationId);

describe("DescribeCapacityReservations", () => {
  it("returns a seeded block with every field the SDK models for capacity blocks", async () => {
    h.control.seedBlock({
      capacityReservationId: "cr-0a1b2c3d4e5f60718",
      capacityBlockId: "cb-0fedcba9876543210",
      region: "us-east-2",
      instanceType: "p5.48xlarge",
      instanceCount: 2,
      startDate: "2026-11-22T11:30:00Z",
      endDate: "2026-11-26T11:30:00Z",
      tags: { team: "llm-pretrain" },
    });
    const out = await ec2(h, { region: "us-east-2" }).send(new DescribeCapacityReservationsCommand({}));
    expect(out.CapacityReservations).toEqual([
      {
        CapacityReservationId: "cr-0a1b2c3d4e5f60718",
        OwnerId: ACCOUNT,
        CapacityReservationArn: `arn:aws:ec2:us-east-2:${ACCOUNT}:capacity-reservation/cr-0a1b2c3d4e5f60718`,
        AvailabilityZoneId: "use2-az1",
        InstanceType: "p5.48xlarge",
        InstancePlatform: "Linux/UNIX",
        AvailabilityZone: "us-east-2a",
        Tenancy: "default",
        TotalInstanceCount: 2,
        AvailableInstanceCount: 2,
        EbsOptimized: true,
        EphemeralStorage: false,
        State: "active",
        StartDate: new Date("2026-11-22T11:30:00Z"),
        EndDate: new Date("2026-11-26T11:30:00Z"),
        EndDateType: "limited",
        InstanceMatchCriteria: "targeted",
        CreateDate: new Date("2026-11-22T11:30:00Z"),
        Tags: [{ Key: "team", Value: "llm-pretrain" }],
        CapacityAllocations: [{ AllocationType: "used", Count: 0 }],
        ReservationType: "capacity-block",
        CapacityBlockId: "cb-0fedcba9876543210",
      },
    ]);
    expect(out.NextToken).toBeUndefined();
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("returns named ids in the order asked", async () => {
    const a = h.control.seedBlock({ endDate: "2026-11-27T11:30:00Z" }).capacityReservationId;
    const b = h.control.seedBlock({ endDate: "2026-11-28T11:30:00Z" }).capacityReservationId;
    const out = await ec2(h).send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [b, a] }));
    expect(ids(out.CapacityReservations)).toEqual([b, a]);
  });

  it("fails the whole call on one unknown or malformed id", async () => {
    const a = h.control.seedBlock({ endDate: "2026-11-27T11:30:00Z" }).capacityReservationId;
    const client = ec2(h);
    const notFound = await expectEc2Error(
      client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [a, `cr-${hex17(42)}`] })),
      "InvalidCapacityReservationId.NotFound",
      400,
    );
    expect(notFound.message).toBe(`The capacity reservation ID 'cr-${hex17(42)}' was not found`);
    expect(notFound.$fault).toBe("client");
    await expectEc2Error(
      client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: ["cr-123"] })),
      "InvalidCapacityReservationId.Malformed",
      400,
    );
  });

  it("filters by reservation-type, state, instance-type, owner-id, availability-zone, dates or tags", async () => {
    const active = h.control.seedBlock({ instanceType: "p5.48xlarge", endDate: "2026-11-27T11:30:00Z", tags: { team: "a" } });
    const scheduled = h.control.seedBlock({
      instanceType: "p4d.24xlarge",
      availabilityZone: "us-east-1b",
      startDate: "2026-11-26T11:30:00Z",
      endDate: "2026-11-28T11:30:00Z",
      tags: { team: "b" },
    });
    const expired = h.control.seedBlock({ startDate: "2026-11-01T11:30:00Z", endDate: "2026-11-03T11:30:00Z" });
    const shared = h.control.seedBlock({ ownerId: OTHER_ACCOUNT, endDate: "2026-11-29T11:30:00Z" });
    expect([active.state, scheduled.state, expired.state, shared.state]).toEqual(["active", "scheduled", "expired", "active"]);
    const client = ec2(h);
    const query = async (Filters: { Name: string; Values: string[] }[]) =>
      ids((await client.send(new DescribeCapacityReservationsCommand({ Filters }))).CapacityReservations);

    expect(
      await query([
        { Name: "reservation-type", Values: ["capacity-block"] },
        { Name: "state", Values: ["active", "scheduled"] },
      ]),
    ).toEqual([active.capacityReservationId, scheduled.capacityReservationId, shared.capacityReservationId]);
    expect(await query([{ Name: "state", Values: ["expired"] }])).toEqual([expired.capacityReservationId]);
    expect(await query([{ Name: "instance-type", Values: ["p4d.*"] }])).toEqual([scheduled.capacityReservationId]);
    expect(await query([{ Name: "owner-id", Values: [OTHER_ACCOUNT] }])).toEqual([shared.capacityReservationId]);
    expect(await query([{ Name: "availability-zone", Values: ["us-east-1b"] }])).toEqual([scheduled.capacityReservationId]);
    expect(await query([{ Name: "end-date", Values: ["2026-11-27T11:30:00Z"] }])).toEqual([active.capacityReservationId]);
    expect(await query([{ Name: "start-date", Values: ["2026-11-26T11:30:00.000Z"] }])).toEqual([scheduled.capacityReservationId]);
    expect(await query([{ Name: "tag:team", Values: ["b"] }])).toEqual([scheduled.capacityReservationId]);
    expect(await query([{ Name: "reservation-type", Values: ["default"] }])).toEqual([]);
    await expectEc2Error(query([{ Name: "no-such-filter", Values: ["x"] }]), "InvalidParameterValue", 400);
    await expectEc2Error(query([{ Name: "end-date", Values: ["tomorrow"] }]), "InvalidParameterValue", 400);
  });

  it("pages with MaxResults and NextToken through the SDK paginator", async () => {
    const seeded = Array.from(
      { length: 25 },
      (_, i) => h.control.seedBlock({ endDate: `2026-12-${String(1 + (i % 20)).padStart(2, "0")}T11:30:00Z` }).capacityReservationId,
    );
    const client = ec2(h);
    const pages: string[][] = [];
    for await (const page of paginateDescribeCapacityReservations({ client, pageSize: 10 }, {}))
      pages.push(ids(page.CapacityReservations) as string[]);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(seeded);
  });

  it("rejects a bad token, a token replayed with other filters, or a page size out of range", async () => {
    for (let i = 0; i < 11; i++) h.control.seedBlock({ endDate: "2026-12-01T11:30:00Z" });
    const client = ec2(h);
    const first = await client.send(new DescribeCapacityReservationsCommand({ MaxResults: 10 }));
    await expectEc2Error(
      client.send(new DescribeCapacityReservationsCommand({ MaxResults: 10, NextToken: "garbage" })),
      "InvalidNextToken",
      400,
    );
    // A token is bound to its query: replaying it with other filters is refused.
    await expectEc2Error(
      client.send(
        new DescribeCapacityReservationsCommand({
          MaxResults: 10,
          NextToken: first.NextToken,
          Filters: [{ Name: "state", Values: ["active"] }],
        }),
      ),
      "InvalidNextToken",
      400,
    );
    await expectEc2Error(client.send(new DescribeCapacityReservationsCommand({ MaxResults: 0 })), "InvalidParameterValue", 400);
    await expectEc2Error(client.send(new DescribeCapacityReservationsCommand({ MaxResults: 1001 })), "InvalidParameterValue", 400);
  });

  it("ends on a full last page without an extra empty page", async () => {
    for (let i = 0; i < 4; i++) h.control.seedBlock({ endDate: "2026-12-01T11:30:00Z" });
    const out = await ec2(h).send(new DescribeCapacityReservationsCommand({ MaxResults: 4 }));
    expect(out.CapacityReservations).toHaveLength(4);
    expect(out.NextToken).toBeUndefined();
  });

  it("isolates regions and accounts, counting a block shared into the caller's account as the caller's", async () => {
    const east = h.control.seedBlock({ region: "us-east-1", endDate: "2026-11-27T11:30:00Z" });
    const west = h.control.seedBlock({ region: "us-west-2", endDate: "2026-11-27T11:30:00Z" });
    const other = h.control.seedBlock({ accountId: OTHER_ACCOUNT, endDate: "2026-11-27T11:30:00Z" });
    const sharedIn = h.control.seedBlock({ ownerId: OTHER_ACCOUNT, endDate: "2026-11-27T11:30:00Z" });
    h.control.mapAccessKey("AKIDOTHER", OTHER_ACCOUNT);

    const eastIds = ids((await ec2(h).send(new DescribeCapacityReservationsCommand({}))).CapacityReservations);
    const westIds = ids((await ec2(h, { region: "us-west-2" }).send(new DescribeCapacityReservationsCommand({}))).CapacityReservations);
    const otherIds = ids(
      (await ec2(h, { accessKeyId: "AKIDOTHER" }).send(new DescribeCapacityReservationsCommand({}))).CapacityReservations,
    );
    expect(eastIds).toEqual([east.capacityReservationId, sharedIn.capacityReservationId]);
    expect(westIds).toEqual([west.capacityReservationId]);
    expect(otherIds).toEqual([other.capacityReservationId, sharedIn.capacityReservationId]);
    await expectEc2Error(
      ec2(h, { region: "us-west-2" }).send(
        new DescribeCapacityReservationsCommand({ CapacityReservationIds: [east.capacityReservationId] }),
      ),
      "InvalidCapacityReservationId.NotFound",
      400,
    );
  });

  it("answers DryRun with 412 DryRunOperation after validating", async () => {
    const client = ec2(h);
    const err = await expectEc2Error(client.send(new DescribeCapacityReservationsCommand({ DryRun: true })), "DryRunOperation", 412);
    expect(err.$fault).toBe("client");
    await expectEc2Error(
      client.send(new DescribeCapacityReservationsCommand({ DryRun: true, MaxResults: 5000 })),
      "InvalidParameterValue",
      400,
    );
  });

  it("keeps expired blocks visible, then answers NotFound once the retention period has passed", async () => {
    const r = h.control.seedBlock({ endDate: "2026-11-25T11:30:00Z" });
    h.control.configure({ expiredRetentionHours: 48 });
    const client = ec2(h);
    h.control.advance({ days: 2 }); // 2026-11-26 08:00, expired for ~20 h
    const out = await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [r.capacityReservationId] }));
    expect(out.CapacityReservations?.[0]?.State).toBe("expired");
    h.control.advance({ days: 2 });
    await expectEc2Error(
      client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [r.capacityReservationId] })),
      "InvalidCapacityReservationId.NotFound",
      400,
    );
    expect((await client.send(new DescribeCapacityReservationsCommand({}))).CapacityReservations).toEqual([]);
  });

  it("moves a seeded scheduled block through active (from its start) to expired (at its end)", async () => {
    const r = h.control.seedBlock({ startDate: "2026-11-25T11:30:00Z", endDate: "2026-11-26T11:30:00Z" });
    const client = ec2(h);
    const state = async () =>
      (await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [r.capacityReservationId] })))
        .CapacityReservations?.[0];
    expect(await state()).toMatchObject({ State: "scheduled", AvailableInstanceCount: 0, TotalInstanceCount: 1 });
    h.control.setClock("2026-11-25T11:30:00Z");
    expect(await state()).toMatchObject({ State: "active", AvailableInstanceCount: 1 });
    h.control.setClock("2026-11-26T11:30:00Z");
    expect(await state()).toMatchObject({ State: "expired", AvailableInstanceCount: 0 });
  });
});
