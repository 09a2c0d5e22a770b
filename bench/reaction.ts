import type { Notifier } from "@cbm/core";
import { startDynamoLocal, type DynamoLocal } from "@cbm/local";
import { HOUR, MINUTE, iso, startBenchWorld } from "./support/world";
import { printTable } from "./table";

/*
 * Reaction time on the virtual clock, with a tick every virtual minute: a block whose extension window opens at T
 * is looked at by a tick at T − 1 min (nothing bought) and at T (bought). Reported: ticks after the opening until
 * EC2's ledger has the purchase, and the virtual minutes between T and the purchase.
 */

const START = "2025-06-01T12:00:00.000Z";
const END = "2025-06-05T11:30:00.000Z";
const LOOKAHEAD_H = 48;
const OPENS = Date.parse(END) - LOOKAHEAD_H * HOUR;

type Scenario =
  | "approval not required"
  | "approval given in advance"
  | "approval given 10 min after opening"
  | "no approver reachable (auto-approved)";

async function scenario(dynamo: DynamoLocal, name: Scenario) {
  const reachable = name !== "no approver reachable (auto-approved)";
  const notifier: Notifier = { canReachApprover: reachable, send: async () => undefined };
  const w = await startBenchWorld({ start: START, dynamo, notifier });
  try {
    const tick = w.makeTick();
    const control = w.emu.control;
    const cr = control.seedBlock({ endDate: END, instanceCount: 1 }).capacityReservationId;
    const requireApproval = name !== "approval not required";
    const { block } = await w.api.create(
      { capacityReservationId: cr, region: "us-east-1", policy: { requireApproval, lookaheadHours: LOOKAHEAD_H } },
      { actor: "bench" },
    );
    await tick(); // reads EC2's end date; the window is not open yet
    if (name === "approval given in advance") await w.api.approve(block.PK, { actor: "bench" });

    control.advance(OPENS - MINUTE - control.now().getTime());
    const before = await tick();
    const boughtBefore = control.ledger().length;

    const ticksAfterOpen: number[] = [];
    let n = 0;
    let boughtAt: number | undefined;
    for (; n < 30 && boughtAt === undefined; n++) {
      control.advance(MINUTE);
      if (name === "approval given 10 min after opening" && control.now().getTime() === OPENS + 10 * MINUTE) {
        await w.api.approve(block.PK, { actor: "bench" });
      }
      await tick();
      ticksAfterOpen.push(n + 1);
      const entry = control.ledger().find((l) => l.capacityReservationId === cr);
      if (entry) boughtAt = Date.parse(entry.at);
    }
    return {
      scenario: name,
      "window opens (T)": iso(OPENS),
      "tick at T−1 min": `${before.due} due, ${boughtBefore} bought`,
      "ticks from T to purchase": boughtAt === undefined ? "none in 30" : n,
      "purchase at": boughtAt === undefined ? "-" : iso(boughtAt),
      "virtual minutes after T": boughtAt === undefined ? "-" : (boughtAt - OPENS) / MINUTE,
      target: name === "approval given 10 min after opening" ? "first tick after approval" : "first tick at/after T (0 min)",
      ok:
        boughtAt !== undefined &&
        (name === "approval given 10 min after opening" ? boughtAt === OPENS + 10 * MINUTE : boughtAt === OPENS && boughtBefore === 0)
          ? "yes"
          : "NO",
    };
  } finally {
    await w.stop();
  }
}

export async function benchReaction() {
  const dynamo = await startDynamoLocal();
  const rows = [];
  try {
    for (const s of [
      "approval not required",
      "approval given in advance",
      "no approver reachable (auto-approved)",
      "approval given 10 min after opening",
    ] as Scenario[]) {
      rows.push(await scenario(dynamo, s));
    }
  } finally {
    await dynamo.stop();
  }
  printTable("Reaction time on the virtual clock (one tick per virtual minute; lookahead 48 h)", rows);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchReaction();
