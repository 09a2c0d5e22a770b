import { DescribeCapacityBlockStatusCommand, DescribeCapacityReservationsCommand, PurchaseCapacityBlockCommand } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { client, h, searchOfferings, useClient } from "./helpers";

useClient();

const search = (allZones = false) => searchOfferings({ AllAvailabilityZones: allZones });

describe("offerings over time", () => {
  it("shows capacity only during a rule's from/until span, following the virtual clock", async () => {
    h.control.setCapacity({ instanceType: "p5.48xlarge", available: false });
    h.control.setCapacity({ instanceType: "p5.48xlarge", available: true, from: "2026-11-24T10:00:00Z", until: "2026-11-24T12:00:00Z" });

    const before = await search();
    h.control.advance({ hours: 2 });
    const during = await search();
    h.control.advance({ hours: 2 });
    const after = await search();

    expect([before.length, during.length, after.length]).toEqual([0, 3, 0]);
  });

  it("refuses a span that is not a time", () => {
    expect(() => h.control.setCapacity({ available: true, from: "soon" })).toThrow(/ISO/);
  });

  it("adds a second zone only when AllAvailabilityZones is set", async () => {
    const zones = (list: Awaited<ReturnType<typeof search>>) => [...new Set(list.map((o) => o.AvailabilityZone))];

    expect(zones(await search(false))).toEqual(["us-east-1a"]);
    expect(zones(await search(true))).toEqual(["us-east-1a", "us-east-1b"]);
  });

  it("keeps the purchase tags on the bought reservation, where a tag filter finds it", async () => {
    const [offering] = await search();
    await client.send(
      new PurchaseCapacityBlockCommand({
        CapacityBlockOfferingId: offering!.CapacityBlockOfferingId,
        InstancePlatform: "Linux/UNIX",
        TagSpecifications: [{ ResourceType: "capacity-reservation", Tags: [{ Key: "cbm:intent", Value: "intent-1" }] }],
      }),
    );

    const found = await client.send(
      new DescribeCapacityReservationsCommand({ Filters: [{ Name: "tag:cbm:intent", Values: ["intent-1"] }] }),
    );
    const other = await client.send(
      new DescribeCapacityReservationsCommand({ Filters: [{ Name: "tag:cbm:intent", Values: ["intent-2"] }] }),
    );

    expect(found.CapacityReservations?.map((r) => r.State)).toEqual(["payment-pending"]);
    expect(other.CapacityReservations).toEqual([]);
  });
});

describe("running instances", () => {
  it("shows 0 available before the start, total − running once the block is active", async () => {
    const r = h.control.seedBlock({
      instanceType: "p5.48xlarge",
      instanceCount: 4,
      startDate: "2026-11-24T09:00:00Z",
      endDate: "2026-11-26T11:30:00Z",
    });
    h.control.setRunning(r.capacityReservationId, 3);

    const before = await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [r.capacityReservationId] }));
    h.control.advance({ hours: 2 });
    const during = await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [r.capacityReservationId] }));
    const status = await client.send(new DescribeCapacityBlockStatusCommand({ CapacityBlockIds: [r.capacityBlockId] }));

    expect(before.CapacityReservations?.[0]?.AvailableInstanceCount).toBe(0);
    expect(during.CapacityReservations?.[0]?.AvailableInstanceCount).toBe(1);
    expect(status.CapacityBlockStatuses?.[0]).toMatchObject({ TotalCapacity: 4, TotalAvailableCapacity: 1 });
    expect(() => h.control.setRunning(r.capacityReservationId, 5)).toThrow(/0 to 4/);
  });

  it("reports the interconnect status the control sets for the whole block, filtering by it", async () => {
    const r = h.control.seedBlock({ instanceType: "p5.48xlarge", instanceCount: 2, endDate: "2026-11-26T11:30:00Z" });
    h.control.setInterconnectStatus(r.capacityReservationId, "impaired");

    const status = await client.send(new DescribeCapacityBlockStatusCommand({ CapacityBlockIds: [r.capacityBlockId] }));
    const ok = await client.send(
      new DescribeCapacityBlockStatusCommand({
        CapacityBlockIds: [r.capacityBlockId],
        Filters: [{ Name: "interconnect-status", Values: ["ok"] }],
      }),
    );

    expect(status.CapacityBlockStatuses?.[0]?.InterconnectStatus).toBe("impaired");
    expect(ok.CapacityBlockStatuses).toEqual([]);
    expect(() => h.control.setInterconnectStatus(r.capacityReservationId, "broken")).toThrow(/ok, impaired, insufficient-data/);
  });
});
