import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Block, CapacityRequest } from "@cbm/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHandle } from "../src/local-options";
import { startLocal } from "../src/start-local";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/*
 * Finding 3 of issue 21, the way a user met it: a block whose policy opens a successor request when EC2 offers no
 * extension, deleted and registered again (same PK, reservation and end date) through local mode's API, with the
 * scheduler and the request worker run by POST /_local/tick. One window of one reservation buys one successor,
 * whatever the registration, and the new registration shows what the successor cost its budget.
 */
const END = "2026-11-25T11:30:00.000Z";
let local: LocalHandle;
let root: string;

async function http<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${local.apiUrl}${path}`, {
    method,
    headers: { "x-api-key": local.apiKey, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** What the scheduler does every minute: a tick and a request-worker run, a few minutes of virtual time apart. */
async function minutes(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    local.emulator!.control.advance({ minutes: 3 });
    expect((await http("POST", "/_local/tick")).status).toBe(200);
  }
}

const blockPurchases = () => local.emulator!.control.ledger().filter((e) => e.action === "PurchaseCapacityBlock");

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "cbm-successor-"));
  local = await startLocal({
    port: 0,
    clockRate: 0,
    tickSeconds: 0,
    seed: false,
    clockStart: "2026-11-24T08:00:00.000Z",
    stateDir: join(root, "state"),
    print: () => undefined,
  });
});

afterAll(async () => {
  await local?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe("a block with successor requests, deleted and registered again", () => {
  it("buys one successor for the window and the new registration shows its cost", async () => {
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
    const boughtBefore = blockPurchases().length;
    const fee = blockPurchases()[0]?.upfrontFee;
    expect((await http("DELETE", "/long-run")).status).toBe(200);
    expect((await http("POST", "/", body)).status).toBe(201);
    await minutes(4);
    const secondRegistration = (await http<Block>("GET", "/long-run")).body;
    const requests = (await http<CapacityRequest[]>("GET", "/requests")).body;

    expect(boughtBefore).toBe(1);
    expect(blockPurchases(), "one successor block for one window of one reservation").toHaveLength(1);
    expect(requests.filter((q) => q.name?.startsWith("successor of long-run ending "))).toHaveLength(1);
    expect(firstRegistration.spent).toBe(fee);
    expect(secondRegistration.registrationId).not.toBe(firstRegistration.registrationId);
    expect(secondRegistration.spent, "the new registration shows the successor's cost").toBe(fee);
  });
});
