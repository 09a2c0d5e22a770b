import { AlreadyExistsError } from "@cbm/core";

/** The emulator's account in local mode: every access key maps to it. */
export const LOCAL_ACCOUNT_ID = "123456789012";

export interface DemoBlock {
  PK: string;
  capacityReservationId: string;
  region: string;
  name: string;
  policy: Record<string, unknown>;
  /** What a person watching `npm start` should see this block do. */
  shows: string;
  /** Instances the demo runs in the block (the emulator's control), so its usage shows use; none when absent. */
  running?: number;
}

/**
 * CBM records for the emulator's demo seed (fixed ids cr-0000000000000d001…d006). The policies are chosen so one
 * start shows every outcome within about five minutes at `--clock-rate 60`: each lookahead is longer than the time
 * its block has left, so every window is open from the first tick instead of virtual days later. d001 asks for
 * approval at once and, extended by one day with a 72 h lookahead, opens its next window as soon as a payment
 * succeeds; d002 buys without approval until its budget runs out; d004's fee cap is too low; d005 is shared into
 * the account and cannot be extended; d006 extends once. d003 waits, as most blocks do, but runs nothing: after an
 * idle hour CBM skips its extension (skipExtensionWhenIdleHours) with one notice. The others run instances.
 */
export const DEMO_BLOCKS: DemoBlock[] = [
  {
    PK: "llm-pretrain",
    capacityReservationId: "cr-0000000000000d001",
    region: "us-east-1",
    name: "llm-pretrain",
    policy: { extendByDays: 1, lookaheadHours: 72, requireApproval: true, maxUpfrontFee: "2000.00" },
    shows: "approval requested now; approve it and watch purchase → payment → next window",
    running: 2,
  },
  {
    PK: "finetune-eval",
    capacityReservationId: "cr-0000000000000d002",
    region: "us-east-1",
    name: "finetune-eval",
    // 14 days: still open after two extensions (the seed ends it 3–4 days out), so the budget runs out at once.
    policy: { extendByDays: 2, lookaheadHours: 336, requireApproval: false, maxUpfrontFee: "1000.00", budget: "1200.00" },
    shows: "extends without approval until its budget is spent",
    running: 1,
  },
  {
    PK: "trn2-experiments",
    capacityReservationId: "cr-0000000000000d003",
    region: "us-east-1",
    name: "trn2-experiments",
    policy: { skipExtensionWhenIdleHours: 1 },
    shows: "runs nothing: idle, so after an idle hour CBM skips its extension (one notice); waits until 48 h before its end",
  },
  {
    PK: "next-week-run",
    capacityReservationId: "cr-0000000000000d004",
    region: "us-east-1",
    name: "next-week-run",
    policy: { extendByDays: 7, lookaheadHours: 168, requireApproval: true, maxUpfrontFee: "100.00" },
    shows: "scheduled block whose offering costs more than its fee cap",
  },
  {
    PK: "partner-shared",
    capacityReservationId: "cr-0000000000000d005",
    region: "us-east-1",
    name: "partner-shared",
    policy: { requireApproval: false },
    shows: "shared in from another account: CBM cannot extend it",
  },
  {
    PK: "west-cluster",
    capacityReservationId: "cr-0000000000000d006",
    region: "us-west-2",
    name: "west-cluster",
    // 7 days: the seed ends it 6–7 days out, so its window is open at once rather than 4–5 virtual days later.
    policy: { extendByDays: 7, lookaheadHours: 168, requireApproval: false, maxExtensions: 1 },
    shows: "another region; extends once, then stops (max extensions)",
    running: 6,
  },
];

/** Runs the demo's instances in the emulator (idempotent: a restart with --data-dir sets the same counts). */
export function runDemoInstances(control: { setRunning(id: string, running: number): unknown }, demo: DemoBlock[] = DEMO_BLOCKS): void {
  for (const d of demo) if (d.running !== undefined) control.setRunning(d.capacityReservationId, d.running);
}

export interface Creator {
  create(body: unknown, opts: { actor: string }): Promise<unknown>;
}

/** Registers the demo blocks that are not registered yet (a kept --data-dir already has them). */
export async function registerDemoBlocks(
  blocks: Creator,
  demo: DemoBlock[] = DEMO_BLOCKS,
): Promise<{ created: string[]; existing: string[] }> {
  const created: string[] = [];
  const existing: string[] = [];
  for (const d of demo) {
    try {
      await blocks.create(
        { PK: d.PK, capacityReservationId: d.capacityReservationId, region: d.region, name: d.name, policy: d.policy },
        { actor: "local:demo-seed" },
      );
      created.push(d.PK);
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
      existing.push(d.PK);
    }
  }
  return { created, existing };
}
