import {
  DescribeCapacityBlockExtensionHistoryCommand,
  DescribeCapacityBlockExtensionOfferingsCommand,
  DescribeCapacityReservationsCommand,
  PurchaseCapacityBlockExtensionCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import type { EmulatorHandle } from "../src/index";
import { ec2, useEmulator } from "./helpers";

/*
 * The emulator and an EC2 client for the extension tests, and the calls they make. The bindings are live: a test
 * file calls useExtensionEmulator() at its top and reads them in its tests.
 */
export let h: EmulatorHandle;
export let client: EC2Client;

export function useExtensionEmulator(): void {
  useEmulator((started) => {
    h = started;
    client = ec2(h, { maxAttempts: 1 });
  });
}

/** An active 2 × p5.48xlarge block ending 2026-11-26 11:30 UTC (2 days 3.5 h after START). */
export function seedActive(overrides: Record<string, unknown> = {}) {
  return h.control.seedBlock({ instanceCount: 2, endDate: "2026-11-26T11:30:00Z", ...overrides }).capacityReservationId;
}

export async function offer(id: string, hours = 48, c = client) {
  const out = await c.send(
    new DescribeCapacityBlockExtensionOfferingsCommand({ CapacityReservationId: id, CapacityBlockExtensionDurationHours: hours }),
  );
  return out.CapacityBlockExtensionOfferings ?? [];
}

export async function buy(id: string, hours = 48) {
  const [offering] = await offer(id, hours);
  return client.send(
    new PurchaseCapacityBlockExtensionCommand({
      CapacityReservationId: id,
      CapacityBlockExtensionOfferingId: offering!.CapacityBlockExtensionOfferingId,
    }),
  );
}

export async function endDate(id: string) {
  const out = await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] }));
  return out.CapacityReservations?.[0]?.EndDate?.toISOString();
}

export async function history(id?: string) {
  const out = await client.send(new DescribeCapacityBlockExtensionHistoryCommand(id ? { CapacityReservationIds: [id] } : {}));
  return out.CapacityBlockExtensions ?? [];
}
