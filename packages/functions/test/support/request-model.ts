import type { BlockMarket } from "@cbm/core";
import { createEc2CapacityProvider } from "../../src/adapters/ec2-capacity-provider";
import { createUlidIds } from "../../src/adapters/ids";
import { createTick } from "../../src/tick/create-tick";
import type { useRequestWorld } from "./request-world";

/*
 * The request reliability model's world beyond one request: a wall clock that runs with real time (a purchase held
 * by EC2 commits in real time, so the worker's settle wait must be measured on the same clock), purchases that
 * commit late, up to the call's timeout plus the margin, and managed blocks whose policy opens successor requests.
 */
type World = ReturnType<typeof useRequestWorld>;

/**
 * The purchase call's timeout and the settle wait after the intent, in real milliseconds. The margin covers what
 * lies between writing the intent and EC2 receiving the call (a cold SDK client on a loaded machine takes hundreds
 * of milliseconds here, as the 2 min margin covers it in AWS); with less, the model breaks its own assumption.
 */
export const CALL_TIMEOUT_MS = 100;
export const CALL_SETTLE_MS = 1_000;
/** How late a held purchase commits after EC2 received it: 1.5 to 4.5 times the client's timeout. */
export const LATE_COMMIT_MS = [150, 300, 450] as const;

/**
 * The model's wall clock: real time plus the jumps the model makes. A jump stands for time passing, so a purchase
 * EC2 still holds commits first (it would have, in that time): the model never lets the wall pass a call's settle
 * time before the call could land, which is the one assumption the protocol makes about EC2. Whether it landed is
 * read from the emulator's own call log (`purchaseCalls`), not guessed from the hold: on a loaded machine the
 * emulator may receive a call, and start holding it, hundreds of milliseconds after the client sent it.
 */
export function modelWall(start: number, purchaseCalls: () => number) {
  let base = start;
  let realBase = performance.now();
  /** The purchase calls EC2 will have recorded once the held one commits. */
  let landedAt: number | undefined;
  let lateMs: number | undefined;
  const wall = {
    now: () => base + (performance.now() - realBase),
    reset(at: number) {
      base = at;
      realBase = performance.now();
      landedAt = undefined;
      lateMs = undefined;
    },
    /** The next purchase call is held by EC2 and commits `ms` after it arrives. */
    armLateCommit(ms: number) {
      lateMs = ms;
    },
    /** Marks purchase calls, so a jump waits for a held one to land. */
    market(inner: BlockMarket): BlockMarket {
      return {
        ...inner,
        purchase(region, offeringId, opts) {
          if (lateMs !== undefined) {
            landedAt = purchaseCalls() + 1;
            lateMs = undefined;
          }
          return inner.purchase(region, offeringId, opts);
        },
      };
    },
    /** Waits until a held purchase has committed (bounded: a call that never lands is the harness's bug). */
    async settle() {
      const until = performance.now() + 20_000;
      while (landedAt !== undefined && purchaseCalls() < landedAt) {
        if (performance.now() > until) throw new Error("model: a held purchase never reached the emulator's call log");
        await new Promise((r) => setTimeout(r, 20));
      }
      landedAt = undefined;
    },
    async jump(ms: number) {
      await wall.settle();
      base += ms;
    },
  };
  return wall;
}

export const SUCCESSOR_END = "2026-11-25T11:30:00.000Z";

/** A managed block with no extension on offer whose policy opens successor requests; registered and ticked once. */
export async function seedSuccessorBlock(w: World, n: number, spec: { requireApproval: boolean; maxUpfrontFee: string }) {
  const capacityReservationId = `cr-${n.toString(16).padStart(17, "0")}`;
  w.emu.control.seedBlock({
    capacityReservationId,
    region: "us-east-1",
    availabilityZone: "us-east-1a",
    instanceType: "p5.48xlarge",
    instanceCount: 1,
    endDate: SUCCESSOR_END,
  });
  w.emu.control.setCapacity({ capacityReservationId, available: false });
  const body = {
    PK: `succ-model-${n}`,
    capacityReservationId,
    region: "us-east-1",
    policy: {
      extendByDays: 1,
      lookaheadHours: 48,
      requireApproval: spec.requireApproval,
      maxUpfrontFee: spec.maxUpfrontFee,
      budget: "5000",
      openSuccessorRequest: true,
    },
  };
  await w.blocks.create(body, { actor: "model" });
  return { body, pk: body.PK, capacityReservationId };
}

let provider: { url: string; ec2: ReturnType<typeof createEc2CapacityProvider> } | undefined;

/** The scheduler tick as the model runs it: marks the block no-offering, so the worker opens its successor request. */
export function tick(w: World) {
  if (provider?.url !== w.emu.url) {
    const ec2 = createEc2CapacityProvider({
      endpoint: w.emu.url,
      credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" },
      describeMaxAttempts: 1,
    });
    provider = { url: w.emu.url, ec2 };
  }
  const { ec2 } = provider;
  return createTick({ ...w.tickPorts(), ec2, ids: createUlidIds(w.clock) })();
}

/** Deletes the block (as DELETE /{PK} does) and registers it again with the same body; a purchase in flight refuses. */
export async function reregister(w: World, block: { pk: string; body: Parameters<World["blocks"]["create"]>[0] }): Promise<void> {
  const stored = await w.store.get(block.pk);
  if (stored) {
    const deleted = await w.blocks.remove(block.pk, { actor: "model" }).then(
      () => true,
      () => false,
    );
    if (!deleted) return;
  }
  await w.blocks.create(block.body, { actor: "model" });
}
