import { DescribeCapacityReservationsCommand, paginateDescribeCapacityReservations } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../src/index";
import { ec2, hex17, start } from "./helpers";

const COUNT = 10_000;
let h: EmulatorHandle;
beforeAll(async () => {
  h = await start();
  for (let i = 0; i < COUNT; i++) {
    h.control.seedBlock({
      capacityReservationId: `cr-${hex17(i + 1)}`,
      instanceType: i % 2 === 0 ? "p5.48xlarge" : "p4d.24xlarge",
      endDate: `2026-12-${String(1 + (i % 28)).padStart(2, "0")}T11:30:00Z`,
    });
  }
  // Noise in another region and account must not leak into the pages.
  h.control.seedBlock({ region: "us-west-2", endDate: "2026-12-01T11:30:00Z" });
  h.control.seedBlock({ accountId: "210987654321", endDate: "2026-12-01T11:30:00Z" });
});
afterAll(() => h.stop());

describe(`${COUNT} reservations in one region`, () => {
  it("page through DescribeCapacityReservations with the SDK paginator, 1,000 at a time, in order, exactly once", async () => {
    const client = ec2(h);
    const seen: string[] = [];
    const pageMs: number[] = [];
    let t = performance.now();
    for await (const page of paginateDescribeCapacityReservations(
      { client, pageSize: 1000 },
      {
        Filters: [{ Name: "reservation-type", Values: ["capacity-block"] }],
      },
    )) {
      pageMs.push(performance.now() - t);
      for (const r of page.CapacityReservations ?? []) seen.push(r.CapacityReservationId!);
      t = performance.now();
    }
    expect(pageMs).toHaveLength(10);
    expect(seen).toEqual(Array.from({ length: COUNT }, (_, i) => `cr-${hex17(i + 1)}`));
    const sorted = [...pageMs].sort((a, b) => a - b);
    console.log(
      `1,000-item DescribeCapacityReservations page (SDK round trip incl. XML parse): median ${sorted[5]!.toFixed(1)} ms, max ${sorted[9]!.toFixed(1)} ms`,
    );
  });

  it("filter across pages: half the blocks match instance-type", async () => {
    const client = ec2(h);
    let total = 0;
    for await (const page of paginateDescribeCapacityReservations(
      { client, pageSize: 1000 },
      {
        Filters: [{ Name: "instance-type", Values: ["p4d.24xlarge"] }],
      },
    )) {
      expect(page.CapacityReservations?.every((r) => r.InstanceType === "p4d.24xlarge")).toBe(true);
      total += page.CapacityReservations?.length ?? 0;
    }
    expect(total).toBe(COUNT / 2);
  });

  it("ids beyond the page still resolve directly", async () => {
    const out = await ec2(h).send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [`cr-${hex17(COUNT)}`] }));
    expect(out.CapacityReservations?.[0]?.CapacityReservationId).toBe(`cr-${hex17(COUNT)}`);
  });
});
