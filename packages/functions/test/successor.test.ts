import { describe, expect, it } from "vitest";
import { createEc2CapacityProvider } from "../src/adapters/ec2-capacity-provider";
import { createTick } from "../src/tick/create-tick";
import { createUlidIds } from "../src/adapters/ids";
import { blockPurchases, useRequestWorld } from "./support/request-world";

/*
 * Continuity: a block whose policy says openSuccessorRequest gets a successor request when EC2 offers no
 * extension while its window is open; the request buys a block of the same type, count and zone that starts at
 * the old block's end, and it is managed under the same policy.
 */
const w = useRequestWorld();
const END = "2026-11-25T11:30:00.000Z";

async function tick() {
  const ec2 = createEc2CapacityProvider({
    endpoint: w.emu.url,
    credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" },
    describeMaxAttempts: 1,
  });
  return createTick({ ...w.tickPorts(), ec2, ids: createUlidIds(w.clock) })();
}

async function seedManaged(policy: Record<string, unknown>) {
  const r = w.emu.control.seedBlock({
    region: "us-east-1",
    availabilityZone: "us-east-1a",
    instanceType: "p5.48xlarge",
    instanceCount: 2,
    endDate: END,
  });
  // No extension of this block is on offer: only a new block can keep the run going.
  w.emu.control.setCapacity({ capacityReservationId: r.capacityReservationId, available: false });
  await w.blocks.create({ PK: "long-run", capacityReservationId: r.capacityReservationId, region: "us-east-1", policy }, { actor: "test" });
  return r.capacityReservationId;
}

describe("successor blocks", () => {
  it("opens one successor request when no extension is offered, buying a managed block from the old end", async () => {
    await seedManaged({ extendByDays: 2, lookaheadHours: 48, requireApproval: false, maxUpfrontFee: "10000", openSuccessorRequest: true });

    await tick();
    const first = await w.run();
    await tick();
    const again = await w.run();
    w.emu.control.advance({ minutes: 6 });
    await w.run();

    expect((await w.store.get("long-run"))?.status).toBe("no-offering");
    expect(first.successors).toHaveLength(1);
    expect(again.successors).toEqual([]);
    const request = await w.api.get(first.successors[0]!);
    expect(request).toMatchObject({
      status: "fulfilled",
      registeredPk: "long-run-next",
      wanted: { instanceCount: 2, durationHours: 48, availabilityZones: ["us-east-1a"] },
    });
    expect(request.purchase?.startDate).toBe(END);
    expect(blockPurchases(w.emu)).toHaveLength(1);
    expect((await w.store.get("long-run-next"))?.policy).toMatchObject({ openSuccessorRequest: true, extendByDays: 2 });
    const notice = w.outbox.list().find((n) => n.kind === "no-offering" && n.pk === "long-run" && /successor/.test(n.subject));
    expect(notice?.body).toMatch(/instances do not carry over; relaunch them into it/);
  });

  it("counts a successor bought while its predecessor was deleted in the next registration's spent", async () => {
    const policy = { extendByDays: 2, lookaheadHours: 48, requireApproval: false, maxUpfrontFee: "10000", openSuccessorRequest: true };
    const reservation = await seedManaged(policy);
    // No new block on offer yet either: the request is opened, and waits.
    w.emu.control.setCapacity({ instanceType: "p5.48xlarge", available: false });
    await tick();
    const opened = await w.run();
    await w.blocks.remove("long-run", { actor: "test" });
    w.emu.control.setCapacity({ instanceType: "p5.48xlarge", available: true });
    w.emu.control.setCapacity({ capacityReservationId: reservation, available: false });
    w.emu.control.advance({ minutes: 10 });
    await w.run();
    w.emu.control.advance({ minutes: 6 });
    await w.run();
    const uncounted = await w.api.get(opened.successors[0]!);
    await w.blocks.create({ PK: "long-run", capacityReservationId: reservation, region: "us-east-1", policy }, { actor: "test" });
    w.emu.control.advance({ minutes: 10 });
    await w.run();

    const fee = blockPurchases(w.emu)[0]!.upfrontFee;
    expect(blockPurchases(w.emu)).toHaveLength(1);
    expect(uncounted.status).toBe("fulfilled");
    expect(uncounted.successorCounted).toBeUndefined();
    expect(typeof uncounted.nextCheckAt, "it stays due until its fee is counted").toBe("string");
    expect((await w.store.get("long-run"))?.spent).toBe(fee);
    const counted = await w.api.get(opened.successors[0]!);
    expect(counted.successorCounted).toBe(true);
    expect(counted.nextCheckAt ?? null, "then it leaves the due index").toBeNull();
  });

  it("opens nothing when the policy names no price cap (neither maxUpfrontFee nor budget)", async () => {
    await seedManaged({ extendByDays: 2, lookaheadHours: 48, requireApproval: false, openSuccessorRequest: true });

    await tick();
    const report = await w.run();

    expect(report.successors).toEqual([]);
    expect(blockPurchases(w.emu)).toEqual([]);
  });

  it("opens the successor under its id when a person's live request holds its name", async () => {
    // A live request holding the name core gives this block's successor (as another reservation once registered
    // under the same key and ending the same day would).
    await w.api.create(
      {
        name: `successor of long-run ending ${END.slice(0, 10)}`,
        instanceType: "p5.48xlarge",
        instanceCount: 1,
        durationHours: 24,
        latestStart: END,
        maxUpfrontFee: "1",
        requireApproval: true,
        platform: "Linux/UNIX",
        blockPk: "other-run-next",
      },
      { actor: "dana" },
    );
    await seedManaged({ extendByDays: 2, lookaheadHours: 48, requireApproval: false, maxUpfrontFee: "10000", openSuccessorRequest: true });

    await tick();
    const run = await w.run();

    expect(run.errors).toEqual([]);
    expect(run.successors).toHaveLength(1);
    expect((await w.api.get(run.successors[0]!)).name).toBe(`successor of long-run ending ${END.slice(0, 10)} (${run.successors[0]})`);
  });
});
