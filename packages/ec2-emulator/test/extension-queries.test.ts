import {
  DescribeCapacityBlockExtensionHistoryCommand,
  DescribeCapacityBlockExtensionOfferingsCommand,
  paginateDescribeCapacityBlockExtensionHistory,
  PurchaseCapacityBlockExtensionCommand,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { ACCOUNT, OTHER_ACCOUNT, ec2, expectEc2Error, hex17 } from "./helpers";
import { h, client, useExtensionEmulator, seedActive, offer, buy, endDate, history } from "./extension-calls";

// DescribeCapacityBlockExtensionOfferings and DescribeCapacityBlockExtensionHistory.
useExtensionEmulator();

describe("DescribeCapacityBlockExtensionOfferings", () => {
  it("offers one extension starting at the current end, priced by type × count × hours", async () => {
    const id = seedActive();
    const offerings = await offer(id, 48);
    expect(offerings).toEqual([
      {
        CapacityBlockExtensionOfferingId: expect.stringMatching(/^cbe-[0-9a-f]{17}$/),
        InstanceType: "p5.48xlarge",
        InstanceCount: 2,
        AvailabilityZone: "us-east-1a",
        AvailabilityZoneId: "use1-az1",
        StartDate: new Date("2026-11-23T11:30:00Z"), // seeded blocks start at the last 11:30 UTC before now
        CapacityBlockExtensionStartDate: new Date("2026-11-26T11:30:00Z"),
        CapacityBlockExtensionEndDate: new Date("2026-11-28T11:30:00Z"),
        CapacityBlockExtensionDurationHours: 48,
        UpfrontFee: "3020.54",
        CurrencyCode: "USD",
        Tenancy: "default",
        ZoneType: "availability-zone",
      },
    ]);
  });

  it("rejects a duration off the ladder or a missing parameter", async () => {
    const id = seedActive();
    await expectEc2Error(offer(id, 36), "InvalidParameterValue", 400);
    await expectEc2Error(offer(id, 360), "InvalidParameterValue", 400);
    await expectEc2Error(
      client.send(new DescribeCapacityBlockExtensionOfferingsCommand({ CapacityReservationId: id } as never)),
      "MissingParameter",
      400,
    );
    await expectEc2Error(
      client.send(new DescribeCapacityBlockExtensionOfferingsCommand({ CapacityBlockExtensionDurationHours: 24 } as never)),
      "MissingParameter",
      400,
    );
    await expectEc2Error(offer("cr-nothex", 24), "InvalidCapacityReservationId.Malformed", 400);
    await expectEc2Error(offer(`cr-${hex17(7)}`, 24), "InvalidCapacityReservationId.NotFound", 400);
  });

  it("returns an empty list when capacity for the duration is switched off", async () => {
    const id = seedActive();
    h.control.setCapacity({ capacityReservationId: id, durationsHours: [168], available: false });
    expect(await offer(id, 168)).toEqual([]);
    expect(await offer(id, 24)).toHaveLength(1);
    h.control.setCapacity({ instanceType: "p5.48xlarge", available: false });
    expect(await offer(id, 24)).toEqual([]);
  });

  it("uses a price override", async () => {
    const id = seedActive({ instanceCount: 1 });
    h.control.setPrice({ instanceType: "p5.48xlarge", hourlyRate: "98.32" });
    expect((await offer(id, 24))[0]?.UpfrontFee).toBe("2359.68");
  });

  it("answers DryRun with 412", async () => {
    const id = seedActive();
    await expectEc2Error(
      client.send(
        new DescribeCapacityBlockExtensionOfferingsCommand({
          CapacityReservationId: id,
          CapacityBlockExtensionDurationHours: 24,
          DryRun: true,
        }),
      ),
      "DryRunOperation",
      412,
    );
  });
});

describe("DescribeCapacityBlockExtensionHistory", () => {
  it("lists the caller's extensions, filters them and pages them", async () => {
    const a = seedActive();
    const b = seedActive({ instanceType: "p4d.24xlarge", endDate: "2026-12-20T11:30:00Z" });
    for (let i = 0; i < 3; i++) {
      await buy(a, 24);
      await buy(b, 24);
      h.control.advance({ minutes: 6 });
    }
    h.control.injectFault({ action: "*", kind: "payment-failure" });
    await buy(a, 24);
    h.control.advance({ minutes: 6 });

    expect(await history()).toHaveLength(7);
    expect((await history(b)).every((e) => e.CapacityReservationId === b)).toBe(true);
    const byStatus = await client.send(
      new DescribeCapacityBlockExtensionHistoryCommand({
        Filters: [{ Name: "capacity-block-extension-status", Values: ["payment-failed"] }],
      }),
    );
    expect(byStatus.CapacityBlockExtensions?.map((e) => e.CapacityReservationId)).toEqual([a]);
    const byType = await client.send(
      new DescribeCapacityBlockExtensionHistoryCommand({ Filters: [{ Name: "instance-type", Values: ["p4d.24xlarge"] }] }),
    );
    expect(byType.CapacityBlockExtensions).toHaveLength(3);
    const byOffering = await client.send(
      new DescribeCapacityBlockExtensionHistoryCommand({
        Filters: [{ Name: "capacity-block-extension-offering-id", Values: [h.control.ledger()[0]!.offeringId] }],
      }),
    );
    expect(byOffering.CapacityBlockExtensions).toHaveLength(1);

    const pages: number[] = [];
    for await (const page of paginateDescribeCapacityBlockExtensionHistory({ client, pageSize: 3 }, {}))
      pages.push(page.CapacityBlockExtensions?.length ?? 0);
    expect(pages).toEqual([3, 3, 1]);

    expect(await endDate(a)).toBe("2026-11-29T11:30:00.000Z"); // three paid days, the fourth failed
    await expectEc2Error(client.send(new DescribeCapacityBlockExtensionHistoryCommand({ MaxResults: 0 })), "InvalidParameterValue", 400);
    await expectEc2Error(client.send(new DescribeCapacityBlockExtensionHistoryCommand({ NextToken: "x" })), "InvalidNextToken", 400);
    await expectEc2Error(client.send(new DescribeCapacityBlockExtensionHistoryCommand({ DryRun: true })), "DryRunOperation", 412);
  });

  it("does not show another account's purchases", async () => {
    h.control.mapAccessKey("AKIDOTHER", OTHER_ACCOUNT);
    const theirs = h.control.seedBlock({ accountId: OTHER_ACCOUNT, endDate: "2026-11-26T11:30:00Z" }).capacityReservationId;
    const other = ec2(h, { accessKeyId: "AKIDOTHER", maxAttempts: 1 });
    const [offering] = await offer(theirs, 24, other);
    await other.send(
      new PurchaseCapacityBlockExtensionCommand({
        CapacityReservationId: theirs,
        CapacityBlockExtensionOfferingId: offering!.CapacityBlockExtensionOfferingId,
      }),
    );
    expect(await history()).toEqual([]);
    expect(h.control.ledger()).toEqual([expect.objectContaining({ accountId: OTHER_ACCOUNT })]);
    expect(h.control.extensions(theirs)).toEqual([
      expect.objectContaining({ accountId: OTHER_ACCOUNT, capacityBlockExtensionStatus: "payment-pending" }),
    ]);
    expect(h.control.reservation(theirs)?.ownerId).not.toBe(ACCOUNT);
  });
});
