import { describe, expect, it } from "vitest";
import { AUTO_APPROVAL_NOTE } from "@cbm/core";
import { useRequestWorld } from "./support/request-world";
import { useSchedulerHarness } from "./support/scheduler-harness";

/*
 * Issue 22: a stage without ADMIN_EMAIL approves automatically what would need approval (the first release's
 * behaviour). Its purchase notices say so, so no reader takes a purchase for a person's decision. The tick and the
 * request worker against the EC2 emulator and DynamoDB Local.
 */
const END = "2025-06-10T11:30:00.000Z";
const OPENS = "2025-06-08T11:30:00.000Z";
const harness = useSchedulerHarness({ start: "2025-06-01T12:00:00.000Z" });
const w = useRequestWorld();

describe("the purchase notice of an extension", () => {
  it("says the purchase was approved automatically, with how to be asked, when no approver can be reached", async () => {
    const h = await harness({ canReachApprover: false });
    const block = await h.register({ endDate: END });
    await h.tick();
    await h.advanceTo(OPENS);

    await h.tickUntil(async () => h.notes(block.PK).some((n) => n.kind === "purchased"), { stepMs: 60_000, max: 5 });

    const bought = h.notes(block.PK).find((n) => n.kind === "purchased")!;
    expect(bought.body).toContain(AUTO_APPROVAL_NOTE);
    expect(AUTO_APPROVAL_NOTE).toMatch(/without ADMIN_EMAIL.*Deploy with ADMIN_EMAIL/);
  });

  it("says nothing of the kind when the policy itself allowed the purchase", async () => {
    const h = await harness({ canReachApprover: false });
    const block = await h.register({ endDate: END, policy: { requireApproval: false } });
    await h.tick();
    await h.advanceTo(OPENS);

    await h.tickUntil(async () => h.notes(block.PK).some((n) => n.kind === "purchased"), { stepMs: 60_000, max: 5 });

    expect(h.notes(block.PK).find((n) => n.kind === "purchased")!.body).not.toContain("Approved automatically");
  });
});

describe("the purchase notice of a capacity request", () => {
  it("says the block was approved automatically when the request needed approval no approver could give", async () => {
    const id = await w.open({ requireApproval: true, name: "auto-bought" });

    await w.run({ canReachApprover: false });
    w.emu.control.advance({ minutes: 6 });
    await w.run({ canReachApprover: false });

    const notice = w.outbox.list().find((n) => n.kind === "purchased" && n.key === `REQ#${id}#fulfilled`);
    expect(notice?.body).toContain(AUTO_APPROVAL_NOTE);
  });
});
