import {
  DescribeCapacityBlockExtensionHistoryCommand,
  DescribeCapacityBlockExtensionOfferingsCommand,
  DescribeCapacityReservationsCommand,
  PurchaseCapacityBlockExtensionCommand,
} from "@aws-sdk/client-ec2";
import { client, h } from "./helpers";

/* The calls the extension tests make, on the emulator and client that helpers' useClient() starts. */
export { client, h, useClient as useExtensionEmulator } from "./helpers";

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
