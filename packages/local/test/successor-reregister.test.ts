import type { Block, CapacityRequest } from "@cbm/core";
import { describe, expect, it } from "vitest";
import type { LocalHandle } from "../src/local-options";
import { blockPurchases, call, useQuietLocal } from "./support/local-cbm";

/*
 * Finding 3 of issue 21, the way a user met it: a block whose policy opens a successor request when EC2 offers no
 * extension, deleted and registered again (same PK, reservation and end date) through local mode's API, with the
 * scheduler and the request worker run by POST /_local/tick. One window of one reservation buys one successor,
 * whatever the registration, and the new registration shows what the successor cost its budget.
 */
const END = "2026-11-25T11:30:00.000Z";
let local: LocalHandle;
useQuietLocal((started) => (local = started), { clockRate: 0, clockStart: "2026-11-24T08:00:00.000Z" });

const http = <T = unknown>(method: string, path: string, body?: unknown) => call<T>(local, method, path, { body });

/** What the scheduler does every minute: a tick and a request-worker run, a few minutes of virtual time apart. */
async function minutes(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    local.emulator!.control.advance({ minutes: 3 });
    expect((await http("POST", "/_local/tick")).status).toBe(200);
  }
}

describe("a block with successor requests, deleted and registered again", () => {
  it("buys one successor for the window, whose cost the new registration shows", async () => {
    const control = local.emulator!.control;
    const r = control.seedBlock({
      region: "us-east-1",
      availabilityZone: "us-east-1a",
      instanceType: "p5.48xlarge",
      instanceCount: 1,
      endDate: END,
    });
    // EC2 offers no extension of this block: only a successor block can keep the run going.
    control.setCapacity({ capacityReservationId: r.capacityReservationId, available: false });
    const body = {
      PK: "long-run",
      capacityReservationId: r.capacityReservationId,
      region: "us-east-1",
      policy: {
        extendByDays: 1,
        lookaheadHours: 48,
        requireApproval: false,
        maxUpfrontFee: "1000",
        budget: "5000",
        openSuccessorRequest: true,
      },
    };
    expect((await http("POST", "/", body)).status).toBe(201);

    await minutes(4);
    const firstRegistration = (await http<Block>("GET", "/long-run")).body;
    const boughtBefore = blockPurchases(local).length;
    const fee = blockPurchases(local)[0]?.upfrontFee;
    expect((await http("DELETE", "/long-run")).status).toBe(200);
    expect((await http("POST", "/", body)).status).toBe(201);
    await minutes(4);
    const secondRegistration = (await http<Block>("GET", "/long-run")).body;
    const requests = (await http<CapacityRequest[]>("GET", "/requests")).body;

    expect(boughtBefore).toBe(1);
    expect(blockPurchases(local), "one successor block for one window of one reservation").toHaveLength(1);
    expect(requests.filter((q) => q.name?.startsWith("successor of long-run ending "))).toHaveLength(1);
    expect(firstRegistration.spent).toBe(fee);
    expect(secondRegistration.registrationId).not.toBe(firstRegistration.registrationId);
    expect(secondRegistration.spent, "the new registration shows the successor's cost").toBe(fee);
  });
});
