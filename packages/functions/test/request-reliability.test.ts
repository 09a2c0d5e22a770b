import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareMoney, successorRequestId } from "@cbm/core";
import { FAULT_KINDS, type FaultKind } from "@cbm/ec2-emulator";
import { REQUEST_TAG_KEY } from "../src/requests/worker/context";
import { crashAfterIntent, crashBeforeRecording, useRequestWorld } from "./support/request-world";
import {
  CALL_SETTLE_MS,
  CALL_TIMEOUT_MS,
  LATE_COMMIT_MS,
  modelWall,
  reregister,
  seedSuccessorBlock,
  SUCCESSOR_END,
  tick,
} from "./support/request-model";

/*
 * Model-based randomized test of capacity requests against DynamoDB Local and the EC2 emulator: random sequences
 * of worker runs (some overlapping, some crashing after the intent or before recording EC2's answer), every emulator
 * fault on the purchase and the search, purchases EC2 commits late (up to the call's timeout plus the margin, on a
 * wall clock that runs with real time), price changes, capacity switched off and on, approvals, cancellations and
 * clock jumps. Half the sequences are successor requests opened by a managed block's policy, with ticks and the
 * block deleted and registered again in between. After every step, from the emulator's ledger and tags: at most one
 * block per sequence, never above the caps, never without approval when one is needed. After a quiet period: no
 * intent is left unsettled, and a successor's fee shows in its predecessor's spent, whatever the registration.
 *
 *   CBM_REQUEST_RELIABILITY_RUNS=10000 npx vitest run --project functions test/request-reliability
 *   CBM_REQUEST_RELIABILITY_SEED=… CBM_REQUEST_RELIABILITY_PATH=… replays a failure (fast-check prints both).
 */
const RUNS = Number(process.env.CBM_REQUEST_RELIABILITY_RUNS ?? 40);
const SEED = process.env.CBM_REQUEST_RELIABILITY_SEED ? Number(process.env.CBM_REQUEST_RELIABILITY_SEED) : undefined;
const PATH = process.env.CBM_REQUEST_RELIABILITY_PATH;
const EXAMPLE = process.env.CBM_REQUEST_RELIABILITY_EXAMPLE;
const w = useRequestWorld();
const START = Date.parse("2026-11-24T08:00:00.000Z");
// EC2's own record of the purchase calls it has answered (a held one is recorded when it commits).
const wall = modelWall(START, () => w.emu.control.calls().filter((c) => c.action === "PurchaseCapacityBlock").length);

type Command =
  | { kind: "run" }
  | { kind: "overlap" }
  | { kind: "crash"; at: "afterIntent" | "afterPurchase" }
  | { kind: "fault"; fault: FaultKind }
  | { kind: "late-commit"; ms: number }
  | { kind: "tick" }
  | { kind: "reregister" }
  | { kind: "price"; rate: "31.464" | "40" | "20" }
  | { kind: "capacity"; available: boolean }
  | { kind: "approve" }
  | { kind: "cancel" }
  | { kind: "advance"; minutes: number }
  | { kind: "advance-virtual"; minutes: number };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: "run" } as Command) },
  fc.constant({ kind: "overlap" } as Command),
  fc.constantFrom<Command>({ kind: "crash", at: "afterIntent" }, { kind: "crash", at: "afterPurchase" }),
  fc.constantFrom(...FAULT_KINDS).map((fault) => ({ kind: "fault", fault }) as Command),
  fc.constantFrom(...LATE_COMMIT_MS).map((ms) => ({ kind: "late-commit", ms }) as Command),
  fc.constant({ kind: "tick" } as Command),
  fc.constant({ kind: "reregister" } as Command),
  fc.constantFrom("31.464", "40", "20").map((rate) => ({ kind: "price", rate }) as Command),
  fc.boolean().map((available) => ({ kind: "capacity", available }) as Command),
  { weight: 2, arbitrary: fc.constant({ kind: "approve" } as Command) },
  fc.constant({ kind: "cancel" } as Command),
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 90 }).map((minutes) => ({ kind: "advance", minutes }) as Command) },
  // Business time only (local mode's clock runs faster than the wall): a held purchase may still land meanwhile.
  fc.integer({ min: 1, max: 10 }).map((minutes) => ({ kind: "advance-virtual", minutes }) as Command),
);

const specArb = fc.record({
  successor: fc.boolean(),
  requireApproval: fc.boolean(),
  maxUpfrontFee: fc.constantFrom("700", "800", "1000"),
  commands: fc.array(commandArb, { minLength: 1, maxLength: 10 }),
});

/** The ledger's PurchaseCapacityBlock entries whose reservation is tagged with this request. */
function boughtFor(id: string) {
  return w.emu.control.ledger().filter((e) => {
    if (e.action !== "PurchaseCapacityBlock") return false;
    const tags = w.emu.control.reservation(e.capacityReservationId)?.tags ?? [];
    return tags.some((t) => t.key === REQUEST_TAG_KEY && t.value === id);
  });
}

/** Every block bought in this sequence (the emulator is reset per sequence), whichever request bought it. */
const allBought = () => w.emu.control.ledger().filter((e) => e.action === "PurchaseCapacityBlock");

interface Sequence {
  id: string;
  /** The managed block whose successor the request is (successor sequences only). */
  block?: Awaited<ReturnType<typeof seedSuccessorBlock>>;
}

async function checkSafety(id: string, spec: { requireApproval: boolean; maxUpfrontFee: string }, approvedFees: string[]) {
  const bought = boughtFor(id);
  expect(allBought().length, "at most one block per sequence: per request, per reservation window").toBeLessThanOrEqual(1);
  expect(bought.length, "at most one block per request").toBeLessThanOrEqual(1);
  for (const b of bought) {
    expect(compareMoney(b.upfrontFee, spec.maxUpfrontFee), "never above maxUpfrontFee").toBeLessThanOrEqual(0);
    // An approval covers its quote's terms at most at the quoted fee: a cheaper offering of the same terms is covered.
    if (spec.requireApproval)
      expect(
        approvedFees.some((f) => compareMoney(b.upfrontFee, f) <= 0),
        `never without an approval of at least its fee (${b.upfrontFee}; approved ${approvedFees.join(", ")})`,
      ).toBe(true);
  }
}

const run = (opts: Parameters<typeof w.run>[0] = {}) =>
  w.run({ timeoutMs: CALL_TIMEOUT_MS, callSettleMs: CALL_SETTLE_MS, wallNow: wall.now, wrapMarket: wall.market, ...opts });

async function apply(c: Command, seq: Sequence, approvedFees: string[]) {
  const { id } = seq;
  switch (c.kind) {
    case "run":
      return void (await run());
    case "overlap":
      return void (await Promise.all([run(), run()]));
    case "crash":
      return void (await run({ wrapRequests: c.at === "afterIntent" ? crashAfterIntent : crashBeforeRecording }));
    case "fault":
      if (c.fault === "describe-limit" || c.fault === "empty-offerings")
        return void w.emu.control.injectFault({ action: "DescribeCapacityBlockOfferings", kind: c.fault });
      return void w.emu.control.injectFault({
        action: "PurchaseCapacityBlock",
        kind: c.fault,
        ...(c.fault === "latency" ? { ms: 200 } : {}),
      });
    case "late-commit":
      // EC2 holds the purchase past the client's timeout, then commits it: the worker sees a timeout.
      wall.armLateCommit(c.ms);
      return void w.emu.control.injectFault({ action: "PurchaseCapacityBlock", kind: "latency", ms: c.ms, effect: "before" });
    case "tick":
      return void (seq.block ? await tick(w) : undefined);
    case "reregister":
      return void (seq.block ? await reregister(w, seq.block) : undefined);
    case "price":
      return void w.emu.control.setPrice({ instanceType: "p5.48xlarge", hourlyRate: c.rate });
    case "capacity":
      return void w.emu.control.setCapacity({ instanceType: "p5.48xlarge", available: c.available });
    case "approve": {
      const r = await w.api.approve(id, { actor: "model" }).catch(() => undefined);
      if (r) approvedFees.push(r.request.approval!.terms.maxUpfrontFee);
      return;
    }
    case "cancel":
      return void (await w.api.cancel(id, { actor: "model" }).catch(() => undefined));
    case "advance":
      await wall.jump(c.minutes * 60_000);
      return void w.emu.control.advance({ minutes: c.minutes });
    case "advance-virtual":
      return void w.emu.control.advance({ minutes: c.minutes });
  }
}

/** A successor sequence starts with its block ticked (no extension offered) and its request opened by the worker. */
async function open(spec: { successor: boolean; requireApproval: boolean; maxUpfrontFee: string }, n: number): Promise<Sequence> {
  if (!spec.successor) return { id: await w.open({ requireApproval: spec.requireApproval, maxUpfrontFee: spec.maxUpfrontFee }) };
  const block = await seedSuccessorBlock(w, n, spec);
  await tick(w);
  return { id: successorRequestId(block.capacityReservationId, Date.parse(SUCCESSOR_END)), block };
}

/**
 * Takes a finished sequence's request out of the due index. Every sequence shares one table and restarts the
 * emulator's clock, so an old request would fall due again in the next sequence's timeline and compete with its
 * request for the worker's few slots per run (a starvation the model made, not one real time allows).
 */
async function retire(seq: Sequence): Promise<void> {
  const r = await w.requests.get(seq.id);
  if (r && r.nextCheckAt !== null) await w.requests.update({ ...r, nextCheckAt: null }, r.version);
  // The block leaves too: old blocks would be ticked, and offered successors, in later sequences' timelines.
  if (seq.block) await w.blocks.remove(seq.block.pk, { actor: "model" }).catch(() => undefined);
}

let sequences = 0;

describe("capacity requests: random sequences against DynamoDB Local and the EC2 emulator", () => {
  it(
    `never buy twice, above the caps or without approval, and settle every intent (${RUNS} sequences)`,
    // About half a second a sequence idle, several times that on a loaded machine: the budget grows with the count.
    { timeout: Math.max(20 * 60_000, RUNS * 3_000) },
    async () => {
      await fc.assert(
        fc.asyncProperty(specArb, async (spec) => {
          w.emu.control.reset();
          w.emu.control.setClock("2026-11-24T08:00:00.000Z");
          wall.reset(START);
          const seq = await open(spec, ++sequences);
          const { id } = seq;
          try {
            const approvedFees: string[] = [];
            for (const c of spec.commands) {
              await apply(c, seq, approvedFees);
              await checkSafety(id, spec, approvedFees);
            }
            // Quiet period: faults gone; the wall clock passes every call's settle time; the block is registered
            // (a sequence may end between a delete and its re-registration); the worker runs a few times.
            w.emu.control.clearFaults();
            // A call held by a latency fault has committed already; let its answer go out before the quiet period.
            if (spec.commands.some((c) => c.kind === "fault" && c.fault === "latency")) await new Promise((r) => setTimeout(r, 250));
            if (seq.block && !(await w.store.get(seq.block.pk))) await reregister(w, seq.block);
            for (let i = 0; i < 4; i++) {
              await wall.jump(120_000);
              w.emu.control.advance({ minutes: 6 });
              await run();
              await checkSafety(id, spec, approvedFees);
            }
            const end = await w.api.get(id).catch(() => undefined);
            expect(end?.intent ?? null, `intent settled (${end?.status}: ${end?.statusReason ?? ""})`).toBeNull();
            const bought = boughtFor(id);
            if (bought.length === 1)
              expect(end?.purchase?.capacityReservationId, "the purchase is recorded").toBe(bought[0]!.capacityReservationId);
            if (seq.block && bought.length === 1) {
              const block = await w.store.get(seq.block.pk);
              // Extensions may have been bought too (capacity switched on for the type): spent is at least the fee.
              expect(
                compareMoney(block?.spent ?? "0", bought[0]!.upfrontFee),
                `the successor's fee ${bought[0]!.upfrontFee} shows in its predecessor's spent (${block?.spent}), whatever the registration`,
              ).toBeGreaterThanOrEqual(0);
            }
          } finally {
            // A held purchase must land in this sequence's world, never in the next one's (the emulator is reset).
            await wall.settle();
            await retire(seq);
          }
        }),
        {
          numRuns: RUNS,
          endOnFailure: RUNS > 1000,
          ...(SEED !== undefined ? { seed: SEED } : {}),
          ...(PATH ? { path: PATH } : {}),
          ...(EXAMPLE ? { examples: [[JSON.parse(EXAMPLE)]] } : {}),
        },
      );
    },
  );
});
