import { describe, expect, it } from "vitest";
import { InfrastructureError, STAGE_TAG_KEY } from "@cbm/core";
import { ACCOUNT, time, useSchedulerHarness, wrapProvider, type SchedulerHarness } from "./support/scheduler-harness";

/*
 * CBM claims what it registers: the tick of a stage tags an untagged reservation cbm:stage=<stage> before it buys,
 * and never buys for a reservation another stage claimed. Through the real path: the tick over HTTP against the EC2
 * emulator (which answers CreateTags and returns tags in DescribeCapacityReservations) and DynamoDB Local.
 */
const START = "2025-06-01T12:00:00.000Z";
const END = "2025-06-10T11:30:00.000Z";
/** The default policy's window opens 48 h before the end. */
const OPENS = "2025-06-08T11:30:00.000Z";
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

// No approver: the policy's purchase goes ahead automatically, so the only thing between a tick and a purchase is the stage.
const harness = useSchedulerHarness({ start: START, canReachApprover: false });

const prodTick = (h: SchedulerHarness, over: Parameters<SchedulerHarness["makeTick"]>[0] = {}) =>
  h.makeTick({ settings: { accountId: ACCOUNT, stage: "prod" }, ...over });
const stageTag = (h: SchedulerHarness, cr: string) => h.control.reservation(cr)?.tags.find((t) => t.key === STAGE_TAG_KEY)?.value;
const calls = (h: SchedulerHarness, action: string) => h.control.calls().filter((c) => c.action === action && c.status === 200);
const types = (events: { type: string }[]) => events.map((e) => e.type);

describe("a stage claims what it registers", () => {
  it("tags a hand-registered untagged block cbm:stage=<stage>, then extends it", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END });
    const tick = prodTick(h);
    await h.advanceTo(plus(OPENS, time.MINUTE));

    const report = await tick();

    expect(stageTag(h, block.capacityReservationId)).toBe("prod");
    expect(report.purchases).toBe(1);
    expect(h.ledger(block.capacityReservationId)).toHaveLength(1);
    // Claimed before the purchase, in the same tick.
    const order = h.control
      .calls()
      .map((c) => c.action)
      .filter((a) => a === "CreateTags" || a === "PurchaseCapacityBlockExtension");
    expect(order).toEqual(["CreateTags", "PurchaseCapacityBlockExtension"]);
    expect(types(await h.events(block.PK))).toContain("stage-claimed");
  });

  it("claims once: the next ticks find the reservation tagged, tagging nothing", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END });
    const tick = prodTick(h);

    // From registration to past the purchase: the window opens after days of rechecks.
    for (let at = START; at < plus(OPENS, time.HOUR); at = plus(at, 6 * time.HOUR)) {
      await h.advanceTo(at);
      await tick();
    }
    await h.advanceTo(plus(OPENS, time.HOUR));
    for (let i = 0; i < 5; i++) {
      h.advance(10 * time.MINUTE);
      await tick();
    }

    expect(calls(h, "CreateTags")).toHaveLength(1);
    expect(h.ledger(block.capacityReservationId)).toHaveLength(1);
    expect(types(await h.events(block.PK)).filter((t) => t === "stage-claimed")).toHaveLength(1);
  });

  it("never extends a reservation tagged for another stage, saying why once", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END, seed: { tags: { [STAGE_TAG_KEY]: "dev" } } });
    const tick = prodTick(h);
    await h.advanceTo(plus(OPENS, time.MINUTE));

    // Every minute for an hour, and again after the 6 h recheck.
    for (let i = 0; i < 60; i++) {
      await tick();
      h.advance(time.MINUTE);
    }
    h.advance(6 * time.HOUR);
    await tick();

    expect(h.ledger(block.capacityReservationId)).toEqual([]);
    expect(calls(h, "PurchaseCapacityBlockExtension")).toEqual([]);
    expect(calls(h, "CreateTags")).toEqual([]);
    expect(stageTag(h, block.capacityReservationId)).toBe("dev");
    const b = await h.get(block.PK);
    expect(b.status).toBe("not-owned");
    expect(b.statusReason).toBe('claimed by stage "dev"; this stage ("prod") does not buy for it');
    expect(types(await h.events(block.PK)).filter((t) => t === "status-changed")).toHaveLength(1);
    expect(h.notes(block.PK).map((n) => n.kind)).toEqual(["stopped"]);
  });

  it("buys nothing when another stage's tag replaced its own right after the claim (no IAM condition locally)", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END });
    const racing = wrapProvider(h.ec2, {
      claimForStage: async (region, cr, stage) => {
        await h.ec2.claimForStage(region, cr, stage);
        await h.ec2.claimForStage(region, cr, "dev");
      },
    });
    await h.advanceTo(plus(OPENS, time.MINUTE));

    await prodTick(h, { ec2: racing })();

    expect(h.ledger(block.capacityReservationId)).toEqual([]);
    expect((await h.get(block.PK)).statusReason).toContain('claimed by stage "dev"');
    expect(types(await h.events(block.PK))).not.toContain("stage-claimed");
  });

  it("buys nothing when the claim is refused (in AWS: another stage tagged it first), reading the tag next time", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END });
    const refusing = wrapProvider(h.ec2, {
      claimForStage: async (region, cr) => {
        // What IAM's Null condition does to the second stage: its CreateTags is denied; the first stage's tag stands.
        await h.ec2.claimForStage(region, cr, "dev");
        throw new InfrastructureError("CreateTags failed: UnauthorizedOperation", "UnauthorizedOperation");
      },
    });
    await h.advanceTo(plus(OPENS, time.MINUTE));

    await prodTick(h, { ec2: refusing })();
    const afterRefusal = await h.get(block.PK);
    await h.advanceTo(afterRefusal.nextCheckAt!);
    await prodTick(h)();

    expect(afterRefusal).toMatchObject({ status: "error", lastError: { code: "UnauthorizedOperation" } });
    expect(h.ledger(block.capacityReservationId)).toEqual([]);
    expect((await h.get(block.PK)).statusReason).toContain('claimed by stage "dev"');
  });

  it("without a stage, extends an untagged block as before, claiming nothing", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END });
    await h.advanceTo(plus(OPENS, time.MINUTE));

    await h.tick();

    expect(calls(h, "CreateTags")).toEqual([]);
    expect(stageTag(h, block.capacityReservationId)).toBeUndefined();
    expect(h.ledger(block.capacityReservationId)).toHaveLength(1);
  });
});
