import { describe, expect, it } from "vitest";
import { NothingAskedError } from "@cbm/core";
import { useSchedulerHarness } from "./support/scheduler-harness";

/*
 * Issue 22, finding 1, against DynamoDB Local and the EC2 emulator: the banner's approve command run twice, a few
 * seconds apart, with a purchase in between, approved the next window in advance and CBM bought twice.
 */

const START = "2025-06-01T12:00:00.000Z";
const END = "2025-06-10T11:30:00.000Z";
const OPENS = "2025-06-08T11:30:00.000Z";
const NEXT_END = "2025-06-17T11:30:00.000Z";
const NEXT_OPENS = "2025-06-15T11:30:00.000Z";

const harness = useSchedulerHarness({ start: START });

describe("approve means what the person was asked", () => {
  it("a repeated approval after the purchase buys nothing more, saying the window is already bought", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END, policy: { requireApproval: true, maxUpfrontFee: "100000" } });
    await h.tick();
    await h.advanceTo(OPENS);
    await h.tick();
    expect((await h.get(block.PK)).status).toBe("awaiting-approval");
    const first = await h.api.approve(block.PK, { actor: "alice" });
    await h.tick();
    expect(h.ledger(block.capacityReservationId)).toHaveLength(1);

    const again = await h.api.approve(block.PK, { actor: "alice" });

    expect(first.mode).toBe("asked");
    expect(again.mode).toBe("repeat");
    expect(again.note).toMatch(/window ending 2025-06-10T11:30:00.000Z is already bought .*nothing new was recorded/);
    expect(again.note).toMatch(new RegExp(`CBM asks about the window ending ${NEXT_END} from ${NEXT_OPENS}`));
    expect(again.block.approval ?? null).toBeNull();
    await expect(h.api.deny(block.PK, { actor: "alice" })).rejects.toBeInstanceOf(NothingAskedError);
    for (let i = 0; i < 3; i++) await h.tick();
    await h.advanceTo(NEXT_OPENS);
    await h.tick();
    await h.tick();
    expect(h.ledger(block.capacityReservationId)).toHaveLength(1);
    expect((await h.get(block.PK)).status).toBe("awaiting-approval");
  });

  it("approves the next window in advance only when it is named, as history says", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END, policy: { requireApproval: true, maxUpfrontFee: "100000" } });
    await h.tick();
    await h.advanceTo(OPENS);
    await h.tick();
    await h.api.approve(block.PK, { actor: "alice" });
    await h.tick();

    const next = await h.api.approve(block.PK, { actor: "alice", window: "next" });

    expect(next.mode).toBe("advance");
    expect(next.window).toBe(NEXT_END);
    expect(next.note).toMatch(/^Approved in advance the extension for the window ending 2025-06-17T11:30:00.000Z/);
    const events = (await h.events(block.PK)).filter((e) => e.type === "approved");
    expect(events[0]!.message).toMatch(/^Approved in advance .* \(no notice had asked yet\)/);
  });
  it("the notice's own command, run again once the next window is asked, answers already bought", async () => {
    const h = await harness();
    const block = await h.register({ endDate: END, policy: { requireApproval: true, maxUpfrontFee: "100000" } });
    await h.tick();
    await h.advanceTo(OPENS);
    await h.tick();
    const notice = h.outbox.list().find((n) => n.kind === "approval-request" && n.pk === block.PK)!;
    const named = /cbm approve \S+ --window (\S+)/.exec(notice.body)![1]!;
    expect(notice.body).toContain(`-d '{"window":"${named}"}'`);
    await h.api.approve(block.PK, { actor: "alice", window: named });
    await h.tick();
    for (let i = 0; i < 3; i++) await h.tick();
    await h.advanceTo(NEXT_OPENS);
    await h.tick();
    expect((await h.get(block.PK)).status).toBe("awaiting-approval");

    const again = await h.api.approve(block.PK, { actor: "alice", window: named });
    await h.tick();

    expect(named).toBe(END);
    expect(again.mode).toBe("repeat");
    expect(again.note).toBe(
      `The extension for the window ending ${END} is already bought; nothing new was recorded. CBM is asking about the window ending ${NEXT_END} now: its own notice names it.`,
    );
    expect(again.block.approval ?? null).toBeNull();
    expect(h.ledger(block.capacityReservationId)).toHaveLength(1);
    expect((await h.get(block.PK)).status).toBe("awaiting-approval");
  });
});
