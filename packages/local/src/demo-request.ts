import type { Clock, RequestStore } from "@cbm/core";
import type { EmulatorControl } from "@cbm/ec2-emulator";
import { createUlidIds, createRequestUseCases } from "@cbm/functions";

export const DEMO_REQUEST_NAME = "demo-capacity";
// A type none of the demo blocks has, so switching its capacity off does not touch their extension offerings.
const DEMO_TYPE = "p5en.48xlarge";
/** Virtual time until the demo's capacity appears: at the default --clock-rate 60, two minutes after start. */
const APPEARS_AFTER_MS = 2 * 3_600_000;

/**
 * Opens the demo capacity request (one p5en.48xlarge for a day, no approval, at most 900 USD) and makes EC2 offer
 * nothing of that type for two virtual hours: a person watching `npm start` sees the request search in vain, then
 * buy the block once capacity appears, wait for the payment and register it as the managed block `demo-capacity`
 * (a request's name is also the name of the block it buys).
 * Skipped when a kept --data-dir already has it.
 */
export async function openDemoRequest(deps: {
  requests: RequestStore;
  clock: Clock;
  emulator: EmulatorControl;
}): Promise<"opened" | "kept"> {
  const existing = await deps.requests.list({ limit: 100 });
  if (existing.items.some((r) => r.name === DEMO_REQUEST_NAME)) return "kept";
  const now = deps.clock.now().getTime();
  deps.emulator.setCapacity({ instanceType: DEMO_TYPE, available: false });
  deps.emulator.setCapacity({ instanceType: DEMO_TYPE, available: true, from: new Date(now + APPEARS_AFTER_MS).toISOString() });
  const api = createRequestUseCases({
    requests: deps.requests,
    clock: deps.clock,
    ids: createUlidIds(deps.clock),
    defaultRegion: "us-east-1",
  });
  await api.create(
    {
      name: DEMO_REQUEST_NAME,
      instanceType: DEMO_TYPE,
      instanceCount: 1,
      durationHours: 24,
      latestStart: new Date(now + 3 * 86_400_000).toISOString(),
      maxUpfrontFee: "900",
      requireApproval: false,
      platform: "Linux/UNIX",
      policy: { requireApproval: true, extendByDays: 1 },
    },
    { actor: "local:demo-seed" },
  );
  return "opened";
}
