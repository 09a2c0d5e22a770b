import {
  DescribeCapacityBlockOfferingsCommand,
  DescribeCapacityBlocksCommand,
  DescribeCapacityBlockStatusCommand,
  DescribeCapacityReservationsCommand,
  paginateDescribeCapacityBlockExtensionOfferings,
  paginateDescribeCapacityBlockOfferings,
  paginateDescribeCapacityBlocks,
  paginateDescribeCapacityBlockStatus,
  PurchaseCapacityBlockCommand,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { OTHER_ACCOUNT, client, ec2, expectEc2Error, h, hex17, searchOfferings, useClient } from "./helpers";

useClient();

const offerings = (search: Parameters<typeof searchOfferings>[0] = {}) =>
  searchOfferings({ CapacityDurationHours: 48, InstanceCount: 2, ...search });

describe("DescribeCapacityBlockOfferings", () => {
  it("offers a few deterministically priced blocks, each from 11:30 UTC to 11:30 UTC", async () => {
    const found = await offerings();
    expect(found.map((o) => [o.StartDate?.toISOString(), o.EndDate?.toISOString()])).toEqual([
      ["2026-11-24T11:30:00.000Z", "2026-11-26T11:30:00.000Z"],
      ["2026-11-25T11:30:00.000Z", "2026-11-27T11:30:00.000Z"],
      ["2026-11-26T11:30:00.000Z", "2026-11-28T11:30:00.000Z"],
    ]);
    expect(found[0]).toEqual({
      CapacityBlockOfferingId: expect.stringMatching(/^cb-[0-9a-f]{17}$/),
      InstanceType: "p5.48xlarge",
      AvailabilityZone: "us-east-1a",
      InstanceCount: 2,
      StartDate: new Date("2026-11-24T11:30:00Z"),
      EndDate: new Date("2026-11-26T11:30:00Z"),
      CapacityBlockDurationHours: 48,
      CapacityBlockDurationMinutes: 0,
      UpfrontFee: "3020.54",
      CurrencyCode: "USD",
      Tenancy: "default",
      ZoneType: "availability-zone",
    });
  });

  it("honours the date range", async () => {
    const ranged = await offerings({ StartDateRange: new Date("2026-12-01T00:00:00Z"), EndDateRange: new Date("2026-12-04T12:00:00Z") });
    expect(ranged.map((o) => o.StartDate?.toISOString())).toEqual(["2026-12-01T11:30:00.000Z", "2026-12-02T11:30:00.000Z"]);
  });

  it("offers nothing for a duration the capacity switch turned off", async () => {
    h.control.setCapacity({ region: "us-east-1", instanceType: "p5.48xlarge", durationsHours: [48], available: false });
    expect(await offerings()).toEqual([]);
    expect(await offerings({ CapacityDurationHours: 24 })).toHaveLength(3);
  });

  it("refuses a search with a bad or missing parameter", async () => {
    await expectEc2Error(offerings({ CapacityDurationHours: 50 }), "InvalidParameterValue", 400);
    await expectEc2Error(offerings({ InstanceCount: 65 }), "InvalidParameterValue", 400);
    await expectEc2Error(offerings({ InstanceType: undefined }), "MissingParameter", 400);
    await expectEc2Error(
      client.send(new DescribeCapacityBlockOfferingsCommand({ InstanceType: "p5.48xlarge" } as never)),
      "MissingParameter",
      400,
    );
    await expectEc2Error(offerings({ DryRun: true }), "DryRunOperation", 412);
  });
});

describe("PurchaseCapacityBlock", () => {
  it("creates a payment-pending reservation that becomes scheduled, active, then expired", async () => {
    const [offering] = await offerings({ StartDateRange: new Date("2026-11-25T00:00:00Z") });
    const out = await client.send(
      new PurchaseCapacityBlockCommand({
        CapacityBlockOfferingId: offering!.CapacityBlockOfferingId,
        InstancePlatform: "Linux/UNIX",
        TagSpecifications: [{ ResourceType: "capacity-reservation", Tags: [{ Key: "team", Value: "llm" }] }],
      }),
    );
    const reservation = out.CapacityReservation!;
    expect(reservation).toMatchObject({
      State: "payment-pending",
      ReservationType: "capacity-block",
      InstanceType: "p5.48xlarge",
      TotalInstanceCount: 2,
      AvailableInstanceCount: 0,
      StartDate: new Date("2026-11-25T11:30:00Z"),
      EndDate: new Date("2026-11-27T11:30:00Z"),
      Tags: [{ Key: "team", Value: "llm" }],
    });
    expect(out.CapacityBlocks).toEqual([
      expect.objectContaining({
        CapacityBlockId: reservation.CapacityBlockId,
        CapacityReservationIds: [reservation.CapacityReservationId],
        State: "payment-pending",
      }),
    ]);
    expect(h.control.ledger()).toEqual([
      expect.objectContaining({
        action: "PurchaseCapacityBlock",
        capacityReservationId: reservation.CapacityReservationId,
        upfrontFee: "3020.54",
        durationHours: 48,
      }),
    ]);

    const state = async () =>
      (await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [reservation.CapacityReservationId!] })))
        .CapacityReservations?.[0]?.State;
    h.control.advance({ minutes: 5 });
    expect(await state()).toBe("scheduled");
    h.control.setClock("2026-11-25T11:30:00Z");
    expect(await state()).toBe("active");
    h.control.setClock("2026-11-27T11:30:00Z");
    expect(await state()).toBe("expired");
  });

  it("ends payment-failed under a payment-failure fault", async () => {
    const [offering] = await offerings();
    h.control.injectFault({ action: "PurchaseCapacityBlock", kind: "payment-failure" });
    const out = await client.send(
      new PurchaseCapacityBlockCommand({ CapacityBlockOfferingId: offering!.CapacityBlockOfferingId, InstancePlatform: "Linux/UNIX" }),
    );
    h.control.advance({ minutes: 5 });
    expect(h.control.reservation(out.CapacityReservation!.CapacityReservationId!)?.state).toBe("payment-failed");
  });

  it("fails the payment when it cannot clear 5 minutes before the start", async () => {
    const [offering] = await offerings(); // starts 11:30, 3.5 h away
    h.control.configure({ paymentDelaySeconds: 4 * 3600 });
    const out = await client.send(
      new PurchaseCapacityBlockCommand({ CapacityBlockOfferingId: offering!.CapacityBlockOfferingId, InstancePlatform: "Linux/UNIX" }),
    );
    h.control.setClock("2026-11-24T11:25:00Z");
    expect(h.control.reservation(out.CapacityReservation!.CapacityReservationId!)?.state).toBe("payment-failed");
  });

  it("rejects a purchase of an offering it cannot sell or on a bad platform", async () => {
    const [offering] = await offerings();
    const purchase = (CapacityBlockOfferingId: string, InstancePlatform = "Linux/UNIX", c = client) =>
      c.send(new PurchaseCapacityBlockCommand({ CapacityBlockOfferingId, InstancePlatform: InstancePlatform as never }));
    await expectEc2Error(purchase(offering!.CapacityBlockOfferingId!, "AmigaOS"), "InvalidParameterValue", 400);
    await expectEc2Error(purchase("cb-nope"), "InvalidCapacityBlockOfferingIdMalformed", 400);
    await expectEc2Error(purchase(`cb-${hex17(1)}`), "InvalidCapacityBlockOfferingIdNotFound", 400);
    await expectEc2Error(
      client.send(new PurchaseCapacityBlockCommand({ InstancePlatform: "Linux/UNIX" } as never)),
      "MissingParameter",
      400,
    );
    await expectEc2Error(
      purchase(offering!.CapacityBlockOfferingId!, "Linux/UNIX", ec2(h, { region: "us-west-2", maxAttempts: 1 })),
      "InvalidCapacityBlockOfferingIdNotFound",
      400,
    );
    await expectEc2Error(
      client.send(
        new PurchaseCapacityBlockCommand({
          CapacityBlockOfferingId: offering!.CapacityBlockOfferingId,
          InstancePlatform: "Linux/UNIX",
          DryRun: true,
        }),
      ),
      "DryRunOperation",
      412,
    );
    await purchase(offering!.CapacityBlockOfferingId!);
    await expectEc2Error(purchase(offering!.CapacityBlockOfferingId!), "InvalidCapacityBlockOfferingIdExpired", 400);
    expect(h.control.ledger()).toHaveLength(1);
  });
});

describe("DescribeCapacityBlocks and DescribeCapacityBlockStatus", () => {
  it("list the caller's blocks at the cb- level with their status", async () => {
    const active = h.control.seedBlock({ capacityBlockId: `cb-${hex17(1)}`, instanceCount: 4, endDate: "2026-11-27T11:30:00Z" });
    const scheduled = h.control.seedBlock({
      capacityBlockId: `cb-${hex17(2)}`,
      startDate: "2026-11-28T11:30:00Z",
      endDate: "2026-11-30T11:30:00Z",
    });
    h.control.seedBlock({ capacityBlockId: `cb-${hex17(3)}`, region: "us-west-2", endDate: "2026-11-27T11:30:00Z" });

    const blocks = await client.send(new DescribeCapacityBlocksCommand({}));
    expect(blocks.CapacityBlocks?.map((b) => [b.CapacityBlockId, b.State, b.CapacityReservationIds])).toEqual([
      [`cb-${hex17(1)}`, "active", [active.capacityReservationId]],
      [`cb-${hex17(2)}`, "scheduled", [scheduled.capacityReservationId]],
    ]);
    const byId = await client.send(new DescribeCapacityBlocksCommand({ CapacityBlockIds: [`cb-${hex17(2)}`] }));
    expect(byId.CapacityBlocks?.map((b) => b.CapacityBlockId)).toEqual([`cb-${hex17(2)}`]);
    const byState = await client.send(new DescribeCapacityBlocksCommand({ Filters: [{ Name: "state", Values: ["active"] }] }));
    expect(byState.CapacityBlocks?.map((b) => b.CapacityBlockId)).toEqual([`cb-${hex17(1)}`]);
    const paged = await client.send(new DescribeCapacityBlocksCommand({ MaxResults: 1 }));
    expect(paged.CapacityBlocks).toHaveLength(1);
    const rest = await client.send(new DescribeCapacityBlocksCommand({ MaxResults: 1, NextToken: paged.NextToken }));
    expect(rest.CapacityBlocks?.map((b) => b.CapacityBlockId)).toEqual([`cb-${hex17(2)}`]);
    expect(rest.NextToken).toBeUndefined();

    const status = await client.send(new DescribeCapacityBlockStatusCommand({ CapacityBlockIds: [`cb-${hex17(1)}`, `cb-${hex17(2)}`] }));
    expect(status.CapacityBlockStatuses).toEqual([
      {
        CapacityBlockId: `cb-${hex17(1)}`,
        InterconnectStatus: "ok",
        TotalCapacity: 4,
        TotalAvailableCapacity: 4,
        TotalUnavailableCapacity: 0,
        CapacityReservationStatuses: [
          { CapacityReservationId: active.capacityReservationId, TotalCapacity: 4, TotalAvailableCapacity: 4, TotalUnavailableCapacity: 0 },
        ],
      },
      expect.objectContaining({ CapacityBlockId: `cb-${hex17(2)}`, TotalCapacity: 1, TotalAvailableCapacity: 0 }),
    ]);

    await expectEc2Error(
      client.send(new DescribeCapacityBlocksCommand({ CapacityBlockIds: [`cb-${hex17(3)}`] })),
      "InvalidCapacityBlockId.NotFound",
      400,
    );
    await expectEc2Error(
      client.send(new DescribeCapacityBlockStatusCommand({ CapacityBlockIds: ["cb-1"] })),
      "InvalidCapacityBlockId.Malformed",
      400,
    );
    await expectEc2Error(client.send(new DescribeCapacityBlocksCommand({ DryRun: true })), "DryRunOperation", 412);
    await expectEc2Error(client.send(new DescribeCapacityBlockStatusCommand({ DryRun: true })), "DryRunOperation", 412);
  });

  it("shows a block shared in to the consumer too", async () => {
    h.control.seedBlock({ capacityBlockId: `cb-${hex17(9)}`, ownerId: OTHER_ACCOUNT, endDate: "2026-11-27T11:30:00Z" });
    const blocks = await client.send(new DescribeCapacityBlocksCommand({}));
    expect(blocks.CapacityBlocks?.map((b) => b.CapacityBlockId)).toEqual([`cb-${hex17(9)}`]);
  });
});

describe("the SDK's other capacity-block paginators", () => {
  it("walk every Describe call page by page", async () => {
    const seeded = [1, 2, 3].map((n) => h.control.seedBlock({ endDate: `2026-11-2${6 + n}T11:30:00Z` }));
    const sizes = async (pages: AsyncIterable<unknown>, pick: (page: never) => unknown[] | undefined) => {
      const out: number[] = [];
      for await (const page of pages) out.push(pick(page as never)?.length ?? 0);
      return out;
    };
    expect(
      await sizes(
        paginateDescribeCapacityBlockOfferings({ client, pageSize: 2 }, { CapacityDurationHours: 24, InstanceType: "p5.48xlarge" }),
        (p: { CapacityBlockOfferings?: unknown[] }) => p.CapacityBlockOfferings,
      ),
    ).toEqual([2, 1]);
    expect(
      await sizes(
        paginateDescribeCapacityBlockExtensionOfferings(
          { client },
          { CapacityReservationId: seeded[0]!.capacityReservationId, CapacityBlockExtensionDurationHours: 24 },
        ),
        (p: { CapacityBlockExtensionOfferings?: unknown[] }) => p.CapacityBlockExtensionOfferings,
      ),
    ).toEqual([1]);
    expect(
      await sizes(paginateDescribeCapacityBlocks({ client, pageSize: 2 }, {}), (p: { CapacityBlocks?: unknown[] }) => p.CapacityBlocks),
    ).toEqual([2, 1]);
    expect(
      await sizes(
        paginateDescribeCapacityBlockStatus({ client, pageSize: 2 }, {}),
        (p: { CapacityBlockStatuses?: unknown[] }) => p.CapacityBlockStatuses,
      ),
    ).toEqual([2, 1]);
  });
});
